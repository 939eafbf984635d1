import { afterEach, describe, expect, it } from '@jest/globals';
import { InputError, readInputs } from '../../../src/github/inputs.js';
import { VALID_INPUTS, setInputs } from '../../../standin/index.js';

function read(overrides: Record<string, string>) {
  setInputs({ ...VALID_INPUTS, ...overrides });
  return readInputs();
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

afterEach(() => {
  delete process.env.GITHUB_RUN_ID;
  delete process.env.GITHUB_RUN_ATTEMPT;
  delete process.env.GITHUB_REPOSITORY;
});

describe('readInputs with valid values', () => {
  it('applies the documented defaults', () => {
    process.env.GITHUB_RUN_ID = '987';
    process.env.GITHUB_RUN_ATTEMPT = '2';
    process.env.GITHUB_REPOSITORY = 'acme/images';
    const { request, session } = read({});
    expect(request.sourceRegion).toBe('eu-west-1');
    expect(request.targets[0]?.regions).toEqual(['eu-west-1']);
    expect(request.targets[0]?.key).toEqual({ kind: 'default' });
    expect(request.kmsKey).toMatchObject({ accountId: '111111111111', kind: 'key', region: 'eu-west-1' });
    expect(request.targets[0]?.role).toMatchObject({ accountId: '222222222222', name: 'ami-promotion-target' });
    expect(request.keyAccess).toBe('verify');
    expect(request.autoscalingAccess).toBe('check');
    expect(request).toMatchObject({ copyTags: true, cleanup: true, dryRun: false, deregistrationProtection: false, waitTimeoutMinutes: 120 });
    expect(request.deprecateAfterDays).toBeUndefined();
    expect(request.tags).toEqual([]);
    expect(request.provenance.runUrl).toBe('https://github.com/acme/images/actions/runs/987');
    expect(session).toEqual({ audience: 'sts.amazonaws.com', roleSessionName: 'promote-ami-987-2', roleDurationSeconds: 3600 });
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
    ['role duration too short', { 'role-duration-seconds': '60' }, 'role-duration-seconds', /from 900 to 43200/],
    ['session name too short', { 'role-session-name': 'x' }, 'role-session-name', /2 to 64/],
    ['session name with spaces', { 'role-session-name': 'my session' }, 'role-session-name', /2 to 64/],
    ['session name too long', { 'role-session-name': 'a'.repeat(65) }, 'role-session-name', /2 to 64/],
    ['unknown key-access', { 'key-access': 'share' }, 'key-access', /verify, grant, key-policy/],
    ['unknown autoscaling-access', { 'autoscaling-access': 'yes' }, 'autoscaling-access', /check, grant, off/],
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
