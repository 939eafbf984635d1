import { describe, expect, it } from '@jest/globals';
import { InputError, readInputs } from '../../../src/github/inputs.js';
import type { RunContext } from '../../../src/github/run-context.js';
import { VALID_INPUTS, setInputs } from '../../../standin/index.js';

function read(overrides: Record<string, string>, run: RunContext = {}) {
  setInputs({ ...VALID_INPUTS, ...overrides });
  return readInputs(run);
}

function failure(overrides: Record<string, string>): InputError {
  try {
    read(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('readInputs accepted ' + JSON.stringify(overrides));
}

describe('readInputs with valid values', () => {
  it('reads copy-method snapshots', () => {
    expect(read({ 'copy-method': 'snapshots' }).request.copyMethod).toBe('snapshots');
  });

  it('applies the documented defaults', () => {
    const runUrl = 'https://github.com/acme/images/actions/runs/987';
    const { request, session } = read({}, { repository: 'acme/images', owner: 'acme', repo: 'images', sha: 'abc', runId: '987', runAttempt: '2', runUrl });
    expect(request.sourceRegion).toBe('eu-west-1');
    expect(request.targets[0]?.regions).toEqual(['eu-west-1']);
    expect(request.targets[0]?.key).toEqual({ kind: 'default' });
    expect(request.kmsKey).toMatchObject({ accountId: '111111111111', kind: 'key', region: 'eu-west-1' });
    expect(request.targets[0]?.role).toMatchObject({ accountId: '222222222222', name: 'ami-promotion-target' });
    expect(request.keyAccess).toBe('verify');
    expect(request.autoscalingAccess).toBe('check');
    expect(request.copyMethod).toBe('image');
    expect(request).toMatchObject({ copyTags: true, cleanup: true, dryRun: false, deregistrationProtection: false, waitTimeoutMinutes: 120 });
    expect(request.deprecateAfterDays).toBeUndefined();
    expect(request.tags).toEqual([]);
    expect(request.provenance).toEqual({ repository: 'acme/images', commitSha: 'abc', runId: '987', runAttempt: '2', runUrl });
    expect(session).toEqual({ audience: 'sts.amazonaws.com', roleSessionName: 'promote-ami-987-2', roleDurationSeconds: 3600, roleChaining: false });
  });

  it('parses lists, tags, numbers and an alias target key', () => {
    const { request, session } = read({
      'target-regions': 'eu-west-1, eu-central-1\nus-east-1\n',
      'target-kms-key': 'alias/golden-ami',
      tags: 'Team=platform\n\n Release = 2026.11 \nEmpty=',
      'deprecate-after-days': '90',
      'copy-completion-minutes': '45',
      'key-access': 'grant',
      'role-duration-seconds': '7200',
      'role-chaining': 'true',
      'dry-run': 'TRUE',
      'source-role-arn': 'arn:aws:iam::111111111111:role/path/to/builder',
    });
    expect(request.targets[0]?.regions).toEqual(['eu-west-1', 'eu-central-1', 'us-east-1']);
    expect(request.targets[0]?.key).toEqual({ kind: 'alias', aliasName: 'alias/golden-ami' });
    expect(request.tags).toEqual([
      { Key: 'Team', Value: 'platform' },
      { Key: 'Release', Value: '2026.11' },
      { Key: 'Empty', Value: '' },
    ]);
    expect(request.deprecateAfterDays).toBe(90);
    expect(request.copyCompletionMinutes).toBe(45);
    expect(request.keyAccess).toBe('grant');
    expect(request.dryRun).toBe(true);
    expect(request.sourceRole?.name).toBe('builder');
    expect(session.roleDurationSeconds).toBe(7200);
    expect(session.roleChaining).toBe(true);
  });

  it('accepts regions separated by commas with spaces, new lines, or both', () => {
    expect(read({ 'target-regions': 'eu-west-1, eu-central-1' }).request.targets[0]?.regions).toEqual(['eu-west-1', 'eu-central-1']);
    expect(read({ 'target-regions': 'eu-west-1 ,eu-central-1,\n us-east-1 ' }).request.targets[0]?.regions).toEqual(['eu-west-1', 'eu-central-1', 'us-east-1']);
  });

  it('warns, with the multi-line form, when a tag value looks like more tags on the same line, and keeps the tag', () => {
    const { request, warnings } = read({ tags: 'Team=platform\nName=web,Env=prod' });
    expect(request.tags).toEqual([
      { Key: 'Team', Value: 'platform' },
      { Key: 'Name', Value: 'web,Env=prod' },
    ]);
    expect(warnings).toEqual([
      'Input tags: line 2 ("Name=web,Env=prod") gives the tag Name the value "web,Env=prod". Tags are one Key=Value per line; ' +
        'if you meant several tags, write:\ntags: |\n  Name=web\n  Env=prod',
    ]);
  });

  it('does not warn about commas that do not start another Key=Value', () => {
    expect(read({ tags: 'Owners=alice,bob\nNote=a, b and c\nFormula=x=1' }).warnings).toEqual([]);
    expect(read({}).warnings).toEqual([]);
  });

  it('accepts an alias ARN for the source key and a target key ARN in the single target region', () => {
    const { request } = read({
      'kms-key-arn': 'arn:aws:kms:eu-west-1:111111111111:alias/ami-share',
      'target-regions': 'eu-central-1',
      'target-kms-key': 'arn:aws:kms:eu-central-1:222222222222:key/mrk-0123456789abcdef0123456789abcdef',
    });
    expect(request.kmsKey.kind).toBe('alias');
    expect(request.targets[0]?.key).toMatchObject({ kind: 'arn', key: { region: 'eu-central-1' } });
  });
});

describe('readInputs refuses, naming the input', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['missing AMI', { 'source-ami-id': '' }, 'source-ami-id', /required/],
    ['bad AMI ID', { 'source-ami-id': 'ami-12345' }, 'source-ami-id', /ami- followed by 8 or 17 hex/],
    ['AMI ID with capitals', { 'source-ami-id': 'ami-0123456789ABCDEF0' }, 'source-ami-id', /AMI IDs are lower case: use ami-0123456789abcdef0\.$/],
    ['short AMI ID with capitals', { 'source-ami-id': 'AMI-0A1B2C3D' }, 'source-ami-id', /lower case: use ami-0a1b2c3d\./],
    ['AMI ID with capitals and a wrong length', { 'source-ami-id': 'ami-0123ABC' }, 'source-ami-id', /not an AMI ID \(ami- followed by 8 or 17 hex/],
    ['key ARN of another service', { 'kms-key-arn': 'arn:aws:s3:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, 'kms-key-arn', /not kms/],
    ['key ARN with unknown partition', { 'kms-key-arn': 'arn:aws-moon:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, 'kms-key-arn', /partition/],
    ['key ARN with short account', { 'kms-key-arn': 'arn:aws:kms:eu-west-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, 'kms-key-arn', /12 digits/],
    ['key ARN with bad resource type', { 'kms-key-arn': 'arn:aws:kms:eu-west-1:111111111111:keys/abc' }, 'kms-key-arn', /neither key/],
    ['bare key id', { 'kms-key-arn': '1234abcd-12ab-34cd-56ef-1234567890ab' }, 'kms-key-arn', /not an ARN/],
    ['AWS-managed alias', { 'kms-key-arn': 'arn:aws:kms:eu-west-1:111111111111:alias/aws/ebs' }, 'kms-key-arn', /AWS-managed key.*customer-managed/s],
    ['key region differing from source-region', { 'source-region': 'us-east-1' }, 'kms-key-arn', /key is in eu-west-1 but source-region is us-east-1/],
    ['role ARN of a user', { 'target-role-arn': 'arn:aws:iam::222222222222:user/bob' }, 'target-role-arn', /not role\/NAME/],
    ['role ARN with a region', { 'target-role-arn': 'arn:aws:iam:eu-west-1:222222222222:role/x' }, 'target-role-arn', /empty region/],
    ['source role ARN malformed', { 'source-role-arn': 'role/builder' }, 'source-role-arn', /not an ARN/],
    ['malformed source region', { 'source-region': 'Europe' }, 'source-region', /not a region name/],
    ['malformed target region', { 'target-regions': 'eu-west-1, mars-north' }, 'target-regions', /"mars-north" is not a region/],
    ['empty target region list', { 'target-regions': ' , \n' }, 'target-regions', /lists no region/],
    ['target regions separated by spaces', { 'target-regions': 'eu-west-1 eu-central-1' }, 'target-regions', /separate regions with commas or new lines, not spaces: "eu-west-1, eu-central-1" instead of "eu-west-1 eu-central-1"\.$/],
    ['target regions partly separated by spaces', { 'target-regions': 'us-east-1\neu-west-1  eu-central-1' }, 'target-regions', /commas or new lines, not spaces: "eu-west-1, eu-central-1"/],
    ['a space inside a bad region name', { 'target-regions': 'eu west 1' }, 'target-regions', /"eu west 1" is not a region name/],
    ['duplicate target regions', { 'target-regions': 'eu-west-1,eu-west-1' }, 'target-regions', /twice/],
    ['target key in another account', { 'target-kms-key': 'arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, 'target-kms-key', /account 333333333333/],
    ['target key ARN with two regions', { 'target-regions': 'eu-west-1,us-east-1', 'target-kms-key': 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, 'target-kms-key', /keys are regional/],
    ['target key neither ARN nor alias', { 'target-kms-key': 'golden' }, 'target-kms-key', /neither a key ARN nor an alias/],
    ['bad boolean', { cleanup: 'yes' }, 'cleanup', /true or false/],
    ['bad boolean for dry-run', { 'dry-run': '1' }, 'dry-run', /true or false/],
    ['tag line without =', { tags: 'Team' }, 'tags', /line 1 .* not Key=Value/],
    ['tag with empty key', { tags: '=value' }, 'tags', /not Key=Value/],
    ['tag with aws: prefix', { tags: 'AWS:owner=me' }, 'tags', /reserved/],
    ['duplicate tag key', { tags: 'a=1\na=2' }, 'tags', /given twice/],
    ['tag value too long', { tags: `a=${'x'.repeat(257)}` }, 'tags', /256/],
    ['non-numeric timeout', { 'wait-timeout-minutes': 'ten' }, 'wait-timeout-minutes', /whole number/],
    ['zero timeout', { 'wait-timeout-minutes': '0' }, 'wait-timeout-minutes', /from 1 to 2880/],
    ['negative days', { 'deprecate-after-days': '-1' }, 'deprecate-after-days', /whole number/],
    ['too many days', { 'deprecate-after-days': '4000' }, 'deprecate-after-days', /from 1 to 3650/],
    ['copy minutes not a multiple of 15', { 'copy-completion-minutes': '20' }, 'copy-completion-minutes', /multiple of 15/],
    ['role-chaining not a boolean', { 'role-chaining': 'yes' }, 'role-chaining', /must be true or false/],
    ['role duration too short', { 'role-duration-seconds': '60' }, 'role-duration-seconds', /from 900 to 43200/],
    ['session name too short', { 'role-session-name': 'x' }, 'role-session-name', /2 to 64/],
    ['session name with spaces', { 'role-session-name': 'my session' }, 'role-session-name', /2 to 64/],
    ['session name too long', { 'role-session-name': 'a'.repeat(65) }, 'role-session-name', /2 to 64/],
    ['unknown key-access', { 'key-access': 'share' }, 'key-access', /verify, grant, key-policy/],
    ['unknown autoscaling-access', { 'autoscaling-access': 'yes' }, 'autoscaling-access', /check, grant, off/],
    ['unknown copy-method', { 'copy-method': 'volumes' }, 'copy-method', /image, snapshots/],
    ['bad AMI name', { 'ami-name': 'a!' }, 'ami-name', /3 to 128/],
    ['reserved SSM name', { 'ssm-parameter': '/aws/service/x' }, 'ssm-parameter', /not starting with aws/],
  ];

  it.each(cases)('%s', (_label, overrides, input, message) => {
    const error = failure(overrides);
    expect(error.input).toBe(input);
    expect(error.message).toMatch(new RegExp(`^Input ${input}: `));
    expect(error.message).toMatch(message);
  });
});

const ROLE_2 = 'arn:aws:iam::222222222222:role/ami-promotion-target';
const ROLE_3 = 'arn:aws:iam::333333333333:role/ami-promotion-target';
const ROLE_4 = 'arn:aws:iam::444444444444:role/path/ami-promotion-target';
const KEY_3 = 'arn:aws:kms:eu-central-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** The targets of the request, as plain values: account, regions and key. */
function targetsOf(overrides: Record<string, string>) {
  return read(overrides).request.targets.map((t) => ({ account: t.role.accountId, role: t.role.arn, regions: t.regions, key: t.key }));
}

describe('target accounts from target-role-arn, one role per line', () => {
  it('one role: one target with target-regions and target-kms-key, as before', () => {
    expect(targetsOf({ 'target-regions': 'eu-central-1', 'target-kms-key': 'alias/golden-ami' })).toEqual([
      { account: '222222222222', role: ROLE_2, regions: ['eu-central-1'], key: { kind: 'alias', aliasName: 'alias/golden-ami' } },
    ]);
  });

  it('several roles, with blank lines and spaces around them: each account gets the same regions and key', () => {
    const targets = targetsOf({
      'target-role-arn': `\n  ${ROLE_2}  \n\n${ROLE_3}\n ${ROLE_4}\n`,
      'target-regions': 'eu-west-1, eu-central-1',
      'target-kms-key': 'alias/golden-ami',
    });
    const same = { regions: ['eu-west-1', 'eu-central-1'], key: { kind: 'alias', aliasName: 'alias/golden-ami' } };
    expect(targets).toEqual([
      { account: '222222222222', role: ROLE_2, ...same },
      { account: '333333333333', role: ROLE_3, ...same },
      { account: '444444444444', role: ROLE_4, ...same },
    ]);
  });

  it('several roles without target-regions: the source region, and the default EBS key of each account', () => {
    expect(targetsOf({ 'target-role-arn': `${ROLE_2}\n${ROLE_3}` })).toEqual([
      { account: '222222222222', role: ROLE_2, regions: ['eu-west-1'], key: { kind: 'default' } },
      { account: '333333333333', role: ROLE_3, regions: ['eu-west-1'], key: { kind: 'default' } },
    ]);
  });
});

describe('target accounts from targets, a YAML list', () => {
  it('each entry with its own regions and key; regions and key default to target-regions and target-kms-key', () => {
    const targets = targetsOf({
      'target-role-arn': '',
      'target-regions': 'eu-west-1,us-east-1',
      'target-kms-key': 'alias/golden-ami',
      targets: [
        `- role-arn: ${ROLE_2}`,
        '  regions: [eu-west-1, eu-central-1]',
        `- role-arn: ${ROLE_3}`,
        '  regions:',
        '    - eu-central-1',
        `  kms-key: ${KEY_3}`,
        `- role-arn: "${ROLE_4}"`,
        '  kms-key: alias/prod-ami',
      ].join('\n'),
    });
    expect(targets).toEqual([
      { account: '222222222222', role: ROLE_2, regions: ['eu-west-1', 'eu-central-1'], key: { kind: 'alias', aliasName: 'alias/golden-ami' } },
      { account: '333333333333', role: ROLE_3, regions: ['eu-central-1'], key: { kind: 'arn', key: expect.objectContaining({ arn: KEY_3, region: 'eu-central-1' }) } },
      { account: '444444444444', role: ROLE_4, regions: ['eu-west-1', 'us-east-1'], key: { kind: 'alias', aliasName: 'alias/prod-ami' } },
    ]);
  });

  it('keeps the indentation of the first line: a list indented as a whole is read as written', () => {
    const targets = targetsOf({ 'target-role-arn': '', targets: `  - role-arn: ${ROLE_3}\n    regions: [us-east-1]\n  - role-arn: ${ROLE_2}\n` });
    expect(targets.map((t) => [t.account, t.regions])).toEqual([
      ['333333333333', ['us-east-1']],
      ['222222222222', ['eu-west-1']],
    ]);
  });

  it('accepts JSON (a YAML subset), e.g. from toJSON in a workflow; without target-regions an entry gets the source region', () => {
    const targets = targetsOf({ 'target-role-arn': '', targets: JSON.stringify([{ 'role-arn': ROLE_3 }, { 'role-arn': ROLE_2, regions: ['us-east-1'] }]) });
    expect(targets).toEqual([
      { account: '333333333333', role: ROLE_3, regions: ['eu-west-1'], key: { kind: 'default' } },
      { account: '222222222222', role: ROLE_2, regions: ['us-east-1'], key: { kind: 'default' } },
    ]);
  });
});

describe('target accounts: refusals name the input, the line or entry, and the field', () => {
  const entries = (...lines: string[]) => ({ 'target-role-arn': '', targets: lines.join('\n') });
  const cases: [string, Record<string, string>, string][] = [
    [
      'both target-role-arn and targets',
      { targets: `- role-arn: ${ROLE_3}` },
      'Input targets: is given together with target-role-arn: give target-role-arn (one role ARN per line; every account gets target-regions and target-kms-key) ' +
        'or targets (each account with its own regions and key), not both.',
    ],
    [
      'neither target-role-arn nor targets',
      { 'target-role-arn': '' },
      'Input target-role-arn: is required and was empty, and so was targets: give the role ARN of each target account, one per line, or targets.',
    ],
    [
      'one role with a bad ARN: no line number',
      { 'target-role-arn': 'arn:aws:iam::222222222222:user/bob' },
      'Input target-role-arn: "arn:aws:iam::222222222222:user/bob" is not an IAM role ARN: the resource "user/bob" is not role/NAME.',
    ],
    ['a bad role on line 3', { 'target-role-arn': `${ROLE_2}\n\nami-promotion-target` }, 'Input target-role-arn: line 3: "ami-promotion-target" is not an IAM role ARN: it is not an ARN (expected arn:aws:iam::ACCOUNT:role/NAME).'],
    ['two roles on one line', { 'target-role-arn': `${ROLE_2}, ${ROLE_3}` }, `Input target-role-arn: "${ROLE_2}, ${ROLE_3}" holds 2 ARNs: give one role ARN per line.`],
    [
      'the same account twice',
      { 'target-role-arn': `${ROLE_2}\n${ROLE_3}\narn:aws:iam::222222222222:role/other` },
      'Input target-role-arn: line 3: "arn:aws:iam::222222222222:role/other" is in account 222222222222, like line 1: give each target account once.',
    ],
    [
      'a role in another partition than the key',
      { 'target-role-arn': `${ROLE_2}\narn:aws-cn:iam::333333333333:role/x` },
      'Input target-role-arn: line 2: "arn:aws-cn:iam::333333333333:role/x" is in partition aws-cn, but kms-key-arn is in aws: the source and target accounts must be in one partition.',
    ],
    [
      'the only role in another partition',
      { 'target-role-arn': 'arn:aws-us-gov:iam::333333333333:role/x' },
      'Input target-role-arn: "arn:aws-us-gov:iam::333333333333:role/x" is in partition aws-us-gov, but kms-key-arn is in aws: the source and target accounts must be in one partition.',
    ],
    ['a source role in another partition', { 'source-role-arn': 'arn:aws-cn:iam::111111111111:role/builder' }, 'Input source-role-arn: is in partition aws-cn but kms-key-arn is in aws.'],
    [
      'a target key ARN for several accounts',
      { 'target-role-arn': `${ROLE_2}\n${ROLE_3}`, 'target-kms-key': KEY_3 },
      `Input target-kms-key: "${KEY_3}" is a key ARN, which names one account, but target-role-arn names 2 accounts. ` +
        'Pass an alias name such as alias/golden-ami that exists in every target account and region, or give each account its key with targets.',
    ],
    ['targets not YAML', entries('- role-arn: [unclosed'), 'Input targets: is not valid YAML: '],
    [
      'targets a mapping, not a list',
      entries(`role-arn: ${ROLE_2}`),
      'Input targets: must be a list of entries, one per target account, each with role-arn and optionally regions and kms-key (got a mapping: start each entry with "- ").',
    ],
    ['targets a plain role ARN', entries(ROLE_2), `Input targets: must be a list of entries, one per target account, each with role-arn and optionally regions and kms-key (got "${ROLE_2}").`],
    ['targets an empty list', entries('[]'), 'Input targets: lists no target account; give one entry with role-arn per target account.'],
    ['an entry that is a bare ARN', entries(`- role-arn: ${ROLE_2}`, `- ${ROLE_3}`), `Input targets: entry 2 must be a mapping with role-arn and optionally regions and kms-key (got "${ROLE_3}").`],
    [
      'an unknown field',
      entries(`- role-arn: ${ROLE_2}`, `- role-arn: ${ROLE_3}`, '  region: eu-west-1', '  key: alias/x'),
      'Input targets: entry 2: unknown field "region", "key"; the fields are role-arn, regions, kms-key.',
    ],
    ['an entry without role-arn', entries('- regions: [eu-west-1]'), 'Input targets: entry 1: role-arn is required: the IAM role to assume in that target account.'],
    ['a role-arn that is not text', entries('- role-arn: 222222222222'), 'Input targets: entry 1: role-arn must be an IAM role ARN (got 222222222222).'],
    ['a malformed role-arn', entries(`- role-arn: ${ROLE_2}`, '- role-arn: arn:aws:iam::3333:role/x'), 'Input targets: entry 2: role-arn "arn:aws:iam::3333:role/x" is not an IAM role ARN: '],
    [
      'regions as one string',
      entries(`- role-arn: ${ROLE_2}`, `- role-arn: ${ROLE_3}`, '  regions: eu-west-1 eu-central-1'),
      'Input targets: entry 2: regions must be a list of region names (got "eu-west-1 eu-central-1"): write regions: [eu-west-1, eu-central-1].',
    ],
    ['regions left empty', entries(`- role-arn: ${ROLE_2}`, '  regions:'), 'Input targets: entry 1: regions must be a list of region names (got nothing).'],
    ['regions an empty list', entries(`- role-arn: ${ROLE_2}`, '  regions: []'), 'Input targets: entry 1: regions lists no region; give one or more region names such as eu-west-1.'],
    ['a bad region', entries(`- role-arn: ${ROLE_2}`, '  regions: [eu-west-1, mars-north]'), 'Input targets: entry 1: regions "mars-north" is not a region name (for example eu-west-1).'],
    [
      'two regions in one item',
      entries(`- role-arn: ${ROLE_2}`, '  regions: ["eu-west-1 eu-central-1"]'),
      'Input targets: entry 1: regions has "eu-west-1 eu-central-1" as one item: write each region as its own item: [eu-west-1, eu-central-1].',
    ],
    ['a region twice', entries(`- role-arn: ${ROLE_2}`, '  regions: [eu-west-1, eu-west-1]'), 'Input targets: entry 1: regions lists "eu-west-1" twice.'],
    ['a kms-key that is not text', entries(`- role-arn: ${ROLE_2}`, '  kms-key: [alias/a]'), 'Input targets: entry 1: kms-key must be a key ARN or an alias name such as alias/golden-ami (got ["alias/a"]).'],
    ['a kms-key neither ARN nor alias', entries(`- role-arn: ${ROLE_2}`, '  kms-key: golden'), 'Input targets: entry 1: kms-key "golden" is neither a key ARN nor an alias name such as alias/golden-ami.'],
    [
      'a kms-key of another account',
      entries(`- role-arn: ${ROLE_2}`, '  regions: [eu-central-1]', `  kms-key: ${KEY_3}`),
      `Input targets: entry 1: kms-key "${KEY_3}" is in account 333333333333, but the target role is in account 222222222222. ` +
        "The final copy must use a key of the target account so that the source can't revoke it.",
    ],
    [
      'a kms-key ARN in another region than the regions',
      entries(`- role-arn: ${ROLE_3}`, '  regions: [eu-west-1, eu-central-1]', `  kms-key: ${KEY_3}`),
      `Input targets: entry 1: kms-key "${KEY_3}" is a key in eu-central-1 and keys are regional, but regions is eu-west-1, eu-central-1. ` +
        'Set regions to that one region, or pass an alias name such as alias/golden-ami that exists in every target region.',
    ],
    [
      'a target-kms-key ARN that an entry takes but is not of its account',
      { ...entries(`- role-arn: ${ROLE_3}`, '  regions: [eu-central-1]', `- role-arn: ${ROLE_2}`, '  regions: [eu-central-1]'), 'target-kms-key': KEY_3 },
      `Input targets: entry 2: kms-key (from target-kms-key) "${KEY_3}" is in account 333333333333, but the target role is in account 222222222222. ` +
        "The final copy must use a key of the target account so that the source can't revoke it.",
    ],
    [
      'the same account in two entries',
      entries(`- role-arn: ${ROLE_2}`, `- role-arn: ${ROLE_3}`, '- role-arn: arn:aws:iam::222222222222:role/other', '  regions: [us-east-1]'),
      'Input targets: entry 3: role-arn "arn:aws:iam::222222222222:role/other" is in account 222222222222, like entry 1: give each target account once.',
    ],
    [
      'an entry in another partition',
      entries(`- role-arn: ${ROLE_2}`, '- role-arn: arn:aws-cn:iam::333333333333:role/x'),
      'Input targets: entry 2: role-arn "arn:aws-cn:iam::333333333333:role/x" is in partition aws-cn, but kms-key-arn is in aws: the source and target accounts must be in one partition.',
    ],
  ];

  it.each(cases)('%s', (_label, overrides, message) => {
    const error = failure(overrides);
    // A message ending in ": " is the start of one that goes on with the parser's own words.
    expect(message.endsWith(': ') ? error.message.slice(0, message.length) : error.message).toBe(message);
  });
});
