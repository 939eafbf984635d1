import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { CreateGrantCommand, DescribeKeyCommand, GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { PromotionError } from '../../../../src/aws/errors.js';
import { addKeyPolicyStatements, grantKeyAccess, requireTargetIdentityAccess } from '../../../../src/domain/steps/key-access.js';
import type { SourceKey } from '../../../../src/domain/lookups/source-key.js';
import { shortHash } from '../../../../src/domain/tokens.js';
import type { KeyAccessMode } from '../../../../src/domain/types.js';
import { targetRoleKeyStatements } from '../../../../src/policy/key-policy-statements.js';
import type { PolicyStatement } from '../../../../src/policy/policy-document.js';
import {
  KEY_ARN,
  KEY_ID,
  ROOT_STATEMENT,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  SOURCE_ROLE,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  awsError,
  buildContext,
  keyMetadata,
  keyPolicy,
  policyAllowingTargetRole,
  policyAllowingTargetRoot,
  policyWithoutTarget,
  type Fixture,
} from '../../../support/pipeline-fixtures.js';

const key: SourceKey = { arn: KEY_ARN, keyId: KEY_ID, accountId: SOURCE_ACCOUNT, region: SOURCE_REGION };
const [USE_STATEMENT, GRANT_STATEMENT] = targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT);
const denied = () => awsError('AccessDeniedException', `User: ${TARGET_ROLE} is not authorized to perform: kms:DescribeKey on resource: ${KEY_ARN}`);
const GRANT_NAME = `promote-ami-4242-${TARGET_ACCOUNT}-${shortHash(SOURCE_AMI)}`;

function setup(keyAccess: KeyAccessMode, policy: object | undefined, extra: Parameters<typeof buildContext>[0] = {}) {
  const fx = buildContext({ keyAccess, ...extra });
  const sourceKms = fx.source.kms(SOURCE_REGION);
  if (policy) sourceKms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(policy), PolicyName: 'default' });
  sourceKms.on(CreateGrantCommand).resolves({ GrantId: 'grant-1234', GrantToken: 'token' });
  sourceKms.on(PutKeyPolicyCommand).resolves({});
  const probe = fx.target.kms(SOURCE_REGION);
  probe.on(DescribeKeyCommand, { KeyId: KEY_ARN }).resolves({ KeyMetadata: keyMetadata() });
  return { fx, sourceKms, probe };
}

function trail(fx: Fixture): string[] {
  return fx.sent.map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`);
}

async function problem(promise: Promise<unknown>): Promise<PromotionError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PromotionError);
  return error as PromotionError;
}

describe('key-access: grant', () => {
  it('creates a grant for the target role with exactly the EBS operations, journals it and waits until the target can use the key', async () => {
    const { fx, sourceKms, probe } = setup('grant', undefined);
    probe.on(DescribeKeyCommand).rejectsOnce(denied()).rejectsOnce(denied()).resolves({ KeyMetadata: keyMetadata() });

    const result = await grantKeyAccess(fx.ctx, key);

    expect(sourceKms).toHaveReceivedCommandTimes(CreateGrantCommand, 1);
    expect(sourceKms.commandCalls(CreateGrantCommand)[0]?.args[0].input).toEqual({
      KeyId: KEY_ARN,
      GranteePrincipal: TARGET_ROLE,
      RetiringPrincipal: SOURCE_ROLE,
      Operations: ['DescribeKey', 'Decrypt', 'ReEncryptFrom', 'CreateGrant'],
      Name: GRANT_NAME,
    });
    expect(GRANT_NAME).toContain('4242');
    expect(fx.journal.entries()).toEqual([{ kind: 'grant', region: SOURCE_REGION, keyArn: KEY_ARN, grantId: 'grant-1234', grantName: GRANT_NAME }]);
    // The key policy (not mocked here: unreadable) is read only to know whether the probe can pass at all.
    expect(trail(fx)).toEqual([
      `source kms ${SOURCE_REGION} CreateGrant`,
      `source kms ${SOURCE_REGION} GetKeyPolicy`,
      `target kms ${SOURCE_REGION} DescribeKey`,
      `target kms ${SOURCE_REGION} DescribeKey`,
      `target kms ${SOURCE_REGION} DescribeKey`,
    ]);
    for (const call of probe.commandCalls(DescribeKeyCommand)) expect(call.args[0].input).toEqual({ KeyId: KEY_ARN });
    expect(fx.clock.sleeps).toEqual([1000, 2000]);
    expect(result.changes).toEqual([expect.stringContaining(GRANT_NAME)]);
  });

  it('names the grant after the run, so that a retry of the run makes no second grant', () => {
    const first = setup('grant', undefined);
    const again = setup('grant', undefined);
    const other = setup('grant', undefined, { provenance: { runId: '4343' } });
    return Promise.all([grantKeyAccess(first.fx.ctx, key), grantKeyAccess(again.fx.ctx, key), grantKeyAccess(other.fx.ctx, key)]).then(() => {
      const name = (s: ReturnType<typeof setup>) => s.sourceKms.commandCalls(CreateGrantCommand)[0]?.args[0].input.Name;
      expect(name(first)).toBe(name(again));
      expect(name(other)).not.toBe(name(first));
      expect(name(other)).toContain('4343');
    });
  });

  it('fails, with the grant journaled for cleanup, when the grant never takes effect', async () => {
    const { fx, probe } = setup('grant', undefined);
    probe.on(DescribeKeyCommand).rejects(denied());
    const error = await problem(grantKeyAccess(fx.ctx, key));
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(fx.journal.entries()).toEqual([{ kind: 'grant', region: SOURCE_REGION, keyArn: KEY_ARN, grantId: 'grant-1234', grantName: GRANT_NAME }]);
    const waited = fx.clock.sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(5 * 60_000);
    expect(waited).toBeGreaterThan(4 * 60_000);
    expect(Math.max(...fx.clock.sleeps)).toBeLessThanOrEqual(15_000);
  });

  it('stops waiting for the grant at the deadline (wait-timeout-minutes)', async () => {
    const { fx, probe } = setup('grant', undefined, { waitTimeoutMinutes: 1 });
    probe.on(DescribeKeyCommand).rejects(denied());
    await problem(grantKeyAccess(fx.ctx, key));
    expect(fx.clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60_000);
  });

  it('explains a denied CreateGrant and journals nothing', async () => {
    const { fx, sourceKms } = setup('grant', undefined);
    sourceKms.on(CreateGrantCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:CreateGrant'));
    const error = await problem(grantKeyAccess(fx.ctx, key));
    expect(error.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
    expect(error.details.fix).toContain(JSON.stringify({ Effect: 'Allow', Action: 'kms:CreateGrant', Resource: KEY_ARN }, null, 2));
    expect(fx.journal.entries()).toEqual([]);
  });
});

describe('key-access: key-policy', () => {
  function putPolicy(sourceKms: ReturnType<typeof setup>['sourceKms']) {
    const input = sourceKms.commandCalls(PutKeyPolicyCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ KeyId: KEY_ARN, PolicyName: 'default' });
    return JSON.parse(input?.Policy as string) as ReturnType<typeof keyPolicy>;
  }

  it('appends only the missing statements and keeps every existing statement as it was', async () => {
    const original = policyWithoutTarget();
    const { fx, sourceKms } = setup('key-policy', original);
    const result = await addKeyPolicyStatements(fx.ctx, key);

    expect(sourceKms).toHaveReceivedCommandTimes(PutKeyPolicyCommand, 1);
    const put = putPolicy(sourceKms);
    expect(Object.keys(sourceKms.commandCalls(PutKeyPolicyCommand)[0]?.args[0].input ?? {}).sort()).toEqual(['KeyId', 'Policy', 'PolicyName']);
    expect(put.Version).toBe(original.Version);
    expect(put.Id).toBe(original.Id);
    expect(put.Statement.slice(0, original.Statement.length)).toEqual(original.Statement);
    expect(put.Statement.slice(original.Statement.length)).toEqual([USE_STATEMENT, GRANT_STATEMENT]);
    expect(fx.journal.entries()).toEqual([
      { kind: 'key-policy-statement', region: SOURCE_REGION, keyArn: KEY_ARN, sid: (USE_STATEMENT as PolicyStatement).Sid },
      { kind: 'key-policy-statement', region: SOURCE_REGION, keyArn: KEY_ARN, sid: (GRANT_STATEMENT as PolicyStatement).Sid },
    ]);
    expect(trail(fx)).toEqual([`source kms ${SOURCE_REGION} GetKeyPolicy`, `source kms ${SOURCE_REGION} PutKeyPolicy`, `target kms ${SOURCE_REGION} DescribeKey`]);
    expect(result.changes).toHaveLength(1);
    expect(fx.log.messages('warning')).toEqual([expect.stringContaining('kept after the run')]);
  });

  it('appends only the grant statement when only CreateGrant is missing', async () => {
    const original = keyPolicy(ROOT_STATEMENT, USE_STATEMENT as PolicyStatement);
    const { fx, sourceKms } = setup('key-policy', original);
    await addKeyPolicyStatements(fx.ctx, key);
    expect(putPolicy(sourceKms).Statement).toEqual([...original.Statement, GRANT_STATEMENT]);
    expect(fx.journal.entries()).toEqual([{ kind: 'key-policy-statement', region: SOURCE_REGION, keyArn: KEY_ARN, sid: (GRANT_STATEMENT as PolicyStatement).Sid }]);
  });

  it('keeps a policy whose Statement is a single object', async () => {
    const original = { Version: '2012-10-17', Statement: ROOT_STATEMENT };
    const { fx, sourceKms } = setup('key-policy', original);
    await addKeyPolicyStatements(fx.ctx, key);
    expect(putPolicy(sourceKms).Statement).toEqual([ROOT_STATEMENT, USE_STATEMENT, GRANT_STATEMENT]);
  });

  it.each([
    ['the statements are already there', policyAllowingTargetRole()],
    ['the target account root is allowed', policyAllowingTargetRoot()],
  ])('changes nothing when %s', async (_, policy) => {
    const { fx, sourceKms } = setup('key-policy', policy);
    await expect(addKeyPolicyStatements(fx.ctx, key)).resolves.toEqual({ changes: [] });
    expect(sourceKms).toHaveReceivedCommandTimes(PutKeyPolicyCommand, 0);
    expect(fx.journal.entries()).toEqual([]);
    expect(fx.mutations()).toEqual([]);
  });

  it('does not hide a missing permission behind a statement id that is already taken', async () => {
    // An earlier statement with the same Sid names a role that no longer exists.
    const stale: PolicyStatement = { ...(USE_STATEMENT as PolicyStatement), Principal: { AWS: `arn:aws:iam::${TARGET_ACCOUNT}:role/old-promotion-role` } };
    const original = keyPolicy(ROOT_STATEMENT, stale, GRANT_STATEMENT as PolicyStatement);
    const { fx, sourceKms } = setup('key-policy', original);
    await addKeyPolicyStatements(fx.ctx, key);
    const put = putPolicy(sourceKms);
    expect(put.Statement.slice(0, 3)).toEqual(original.Statement);
    expect(put.Statement).toHaveLength(4);
    const added = put.Statement[3] as PolicyStatement;
    expect(added).toMatchObject({ ...USE_STATEMENT, Sid: expect.any(String) });
    expect(added.Sid).not.toBe(stale.Sid);
    expect(fx.journal.entries()).toEqual([{ kind: 'key-policy-statement', region: SOURCE_REGION, keyArn: KEY_ARN, sid: added.Sid }]);
  });

  it('waits until the new statements take effect for the target', async () => {
    const { fx, probe } = setup('key-policy', policyWithoutTarget());
    probe.on(DescribeKeyCommand).rejectsOnce(denied()).resolves({ KeyMetadata: keyMetadata() });
    await addKeyPolicyStatements(fx.ctx, key);
    expect(probe).toHaveReceivedCommandTimes(DescribeKeyCommand, 2);
    expect(fx.clock.sleeps).toEqual([1000]);
  });

  it('fails with the key policy unread when the source role may not read it', async () => {
    const { fx, sourceKms } = setup('key-policy', undefined);
    sourceKms.on(GetKeyPolicyCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:GetKeyPolicy'));
    const error = await problem(addKeyPolicyStatements(fx.ctx, key));
    expect(error.details.fix).toContain('kms:GetKeyPolicy');
    expect(fx.mutations()).toEqual([]);
  });
});

describe('key-access: probes that cannot pass are not waited for', () => {
  const VIA_EC2 = { StringEquals: { 'kms:ViaService': `ec2.${SOURCE_REGION}.amazonaws.com` } };
  /** The target role's statements, usable only through EC2 of the key region. */
  const viaEc2Only = () =>
    keyPolicy(
      ROOT_STATEMENT,
      { ...(USE_STATEMENT as PolicyStatement), Sid: 'TargetThroughEc2', Condition: VIA_EC2 },
      { ...(GRANT_STATEMENT as PolicyStatement), Condition: { ...(GRANT_STATEMENT as PolicyStatement).Condition, ...VIA_EC2 } },
    );
  const DENY_DIRECT: PolicyStatement = { Sid: 'DenyDirectUse', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { Null: { 'kms:ViaService': 'true' } } };

  it('key-policy: a policy that already allows the role only through EC2 is kept, and DescribeKey (always denied) is not probed', async () => {
    const { fx, sourceKms, probe } = setup('key-policy', viaEc2Only());
    await expect(addKeyPolicyStatements(fx.ctx, key)).resolves.toEqual({ changes: [] });
    expect(sourceKms).toHaveReceivedCommandTimes(PutKeyPolicyCommand, 0);
    expect(probe).toHaveReceivedCommandTimes(DescribeKeyCommand, 0);
    expect(fx.clock.sleeps).toEqual([]);
    expect(fx.log.messages('info')).toContainEqual(
      `Not probing ${KEY_ARN} with the target credentials: DescribeKey with the target credentials is denied by the key policy (statement "TargetThroughEc2" requires {"StringEquals":{"kms:ViaService":"ec2.${SOURCE_REGION}.amazonaws.com"}}, but direct calls by ${TARGET_ROLE} carry no kms:ViaService); the copy's calls through EC2 are allowed by statement "TargetThroughEc2", "${(GRANT_STATEMENT as PolicyStatement).Sid}".`,
    );
  });

  it('key-policy: statements added next to a Deny of direct use are not probed either', async () => {
    const { fx, sourceKms, probe } = setup('key-policy', keyPolicy(ROOT_STATEMENT, DENY_DIRECT));
    await addKeyPolicyStatements(fx.ctx, key);
    expect(sourceKms).toHaveReceivedCommandTimes(PutKeyPolicyCommand, 1);
    expect(probe).toHaveReceivedCommandTimes(DescribeKeyCommand, 0);
    expect(fx.log.messages('info').join('\n')).toContain('statement "DenyDirectUse" denies when {"Null":{"kms:ViaService":"true"}}');
  });

  it('key-policy: an organization condition it cannot check is kept; a probe that keeps failing names it as a possible cause', async () => {
    const org: PolicyStatement = { Sid: 'Organization', Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-otherorg12' } } };
    const { fx, sourceKms, probe } = setup('key-policy', keyPolicy(ROOT_STATEMENT, org));
    probe.on(DescribeKeyCommand).rejects(denied());
    const error = await problem(addKeyPolicyStatements(fx.ctx, key));
    expect(sourceKms).toHaveReceivedCommandTimes(PutKeyPolicyCommand, 0);
    expect(fx.log.messages('info').join('\n')).toContain(`The key policy of ${KEY_ARN} may allow ${TARGET_ROLE} (under conditions the source account cannot check: statement "Organization" requires {"StringEquals":{"aws:PrincipalOrgID":"o-otherorg12"}}`);
    expect(error.details.why).toContain('The key policy allows it only under conditions the source account cannot check, which may be what denies it: statement "Organization"');
    expect(error.details.why).toContain(`aws:PrincipalOrgID: the organization of account ${TARGET_ACCOUNT} cannot be read from the source account`);
  });

  it('grant: still probes when the key policy allows the role only through EC2, since the grant allows DescribeKey', async () => {
    const { fx, probe } = setup('grant', viaEc2Only());
    await grantKeyAccess(fx.ctx, key);
    expect(probe).toHaveReceivedCommandTimes(DescribeKeyCommand, 1);
  });

  it('grant: does not wait for a probe an explicit Deny in the key policy refuses whatever the grant says, and says so', async () => {
    const { fx, probe } = setup('grant', keyPolicy(ROOT_STATEMENT, DENY_DIRECT));
    probe.on(DescribeKeyCommand).rejects(denied());
    await grantKeyAccess(fx.ctx, key);
    expect(probe).toHaveReceivedCommandTimes(DescribeKeyCommand, 0);
    expect(fx.clock.sleeps).toEqual([]);
    expect(fx.log.messages('info').join('\n')).toContain('Whether the grant has taken effect cannot be seen');
  });
});

describe('the target-side probe', () => {
  it('explains an unexpected error with the target account and region instead of passing the raw SDK error on', async () => {
    const { fx, probe } = setup('verify', policyAllowingTargetRole());
    probe.on(DescribeKeyCommand).rejects(awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'));
    const error = await problem(requireTargetIdentityAccess(fx.ctx, key, 0));
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(error.message).toContain('UnrecognizedClientException');
  });
});
