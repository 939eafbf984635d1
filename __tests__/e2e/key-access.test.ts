/**
 * The three key-access modes end to end: verify changes nothing on the key, grant creates a grant that is
 * retired after the run, key-policy adds the missing statements and keeps them (reported).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, defaultWorld, keyUseStatements, rootKeyPolicy, startStandIn, type PolicyDocument, type StandIn } from '../../standin/index.js';
import { FAST_COPY_MS, REGION, SOURCE, TARGET, TEST_TIMEOUT_MS, accountView, expectPromoted, inputs, okCalls, promote, targetKeyArn, expectNothingPublic } from './scenario.js';

const AMI_VERIFY = 'ami-0a0000000000000a1';
const AMI_GRANT = 'ami-0a0000000000000a2';
const AMI_POLICY = 'ami-0a0000000000000a3';
const AMI_POLICY2 = 'ami-0a0000000000000a4';
const KEY = DEFAULTS.sourceKeyArn;

/** The CMK's policy without any statement for the target. */
const BARE_POLICY: PolicyDocument = rootKeyPolicy(SOURCE);
/** The CMK's policy with the target role's statements (as in the default world). */
const TARGET_POLICY: PolicyDocument = { ...BARE_POLICY, Statement: [...(BARE_POLICY.Statement as object[]), ...keyUseStatements(DEFAULTS.targetRoleArn, 'AllowTarget')] } as PolicyDocument;

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  for (const [imageId, name] of [
    [AMI_VERIFY, 'golden-verify'],
    [AMI_GRANT, 'golden-grant'],
    [AMI_POLICY, 'golden-key-policy'],
    [AMI_POLICY2, 'golden-key-policy-2'],
  ] as const) {
    world.account(SOURCE).image(REGION, { imageId, name, snapshots: [{}] });
  }
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => standin.clearCalls());

const expectation = (sourceAmiId: string) => ({
  sourceAmiId,
  regions: [REGION],
  keyArn: targetKeyArn,
  keyLabel: targetKeyArn,
  reencrypted: true,
});

describe('key-access', () => {
  it(
    'verify: the key policy already allows the target; nothing on the key changes, no grant',
    async () => {
      standin.setKeyPolicy(SOURCE, REGION, KEY, TARGET_POLICY);
      const before = accountView(standin, SOURCE);
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_VERIFY, 'target-kms-key': DEFAULTS.targetKeyAlias, 'key-access': 'verify' }));
      expectPromoted(standin, run, expectation(AMI_VERIFY));
      expect(okCalls(standin, ['CreateGrant', 'PutKeyPolicy', 'RetireGrant', 'RevokeGrant'], SOURCE)).toEqual([]);
      expect(accountView(standin, SOURCE)).toEqual(before);
      expect(run.main.log).toContain('[ok] The source key policy lets the target role copy');
      expect(run.main.log).toContain('[ok] The target role can reach the source key');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'grant: a grant for the target role makes the copy work although the key policy lacks it; retired after the run',
    async () => {
      standin.setKeyPolicy(SOURCE, REGION, KEY, BARE_POLICY);
      const before = accountView(standin, SOURCE);
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_GRANT, 'target-kms-key': DEFAULTS.targetKeyAlias, 'key-access': 'grant' }));
      expectPromoted(standin, run, expectation(AMI_GRANT));

      const created = okCalls(standin, 'CreateGrant', SOURCE);
      expect(created).toHaveLength(1);
      expect(created[0]?.params).toMatchObject({
        KeyId: KEY,
        GranteePrincipal: DEFAULTS.targetRoleArn,
        Operations: expect.arrayContaining(['Decrypt', 'DescribeKey', 'CreateGrant', 'ReEncryptFrom']),
      });
      // The grant was in place for the copy (EC2 used it on the target's behalf), then retired.
      expect(standin.calls({ internal: true, account: TARGET, outcome: 'ok' }).some((c) => c.notes?.by === 'grant' && c.params.KeyId === KEY)).toBe(true);
      expect(okCalls(standin, ['RetireGrant', 'RevokeGrant'], SOURCE)).toHaveLength(1);
      expect(standin.grants(SOURCE, REGION, KEY)).toEqual([]);
      expect(okCalls(standin, 'PutKeyPolicy')).toEqual([]);
      expect(accountView(standin, SOURCE)).toEqual(before);

      const grantName = created[0]?.params.Name as string;
      expect(run.main.summary).toContain(`Key access: grant ${grantName} on ${KEY} (retired by cleanup)`);
      expect(run.main.summary).toMatch(new RegExp(`<td>removed</td><td>KMS grant ${grantName}`));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'key-policy: adds only the missing statements for the target role, keeps every other statement, and reports the lasting change',
    async () => {
      standin.setKeyPolicy(SOURCE, REGION, KEY, BARE_POLICY);
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_POLICY, 'target-kms-key': DEFAULTS.targetKeyAlias, 'key-access': 'key-policy' }));
      expectPromoted(standin, run, expectation(AMI_POLICY));

      expect(okCalls(standin, 'PutKeyPolicy', SOURCE)).toHaveLength(1);
      const policy = standin.key(SOURCE, REGION, KEY)?.policy as { Statement: { Sid?: string; Principal?: { AWS?: unknown }; Action?: unknown }[] };
      // The root statement is unchanged and first; the added statements name the target role.
      expect(policy.Statement[0]).toEqual((BARE_POLICY.Statement as object[])[0]);
      const added = policy.Statement.slice(1);
      expect(added.length).toBeGreaterThanOrEqual(1);
      for (const statement of added) expect(statement.Principal?.AWS).toBe(DEFAULTS.targetRoleArn);
      expect(JSON.stringify(added)).toContain('kms:Decrypt');
      expect(JSON.stringify(added)).toContain('kms:CreateGrant');
      expect(okCalls(standin, 'CreateGrant', SOURCE)).toEqual([]);
      expect(standin.grants(SOURCE, REGION, KEY)).toEqual([]);

      // Reported: a warning annotation, the summary, and the cleanup report keeps the statements.
      const sids = added.map((s) => s.Sid as string);
      expect(run.main.warnings.some((w) => w.includes(`key policy of ${KEY}`) && sids.every((sid) => w.includes(sid)))).toBe(true);
      expect(run.main.summary).toContain(`Key access: key policy of ${KEY}: added ${sids.join(', ')}`);
      for (const sid of sids) expect(run.main.summary).toMatch(new RegExp(`<td>kept</td><td>key-policy statement ${sid} on`));

      // A second promotion of another AMI needs no change any more: the statements stay.
      standin.clearCalls();
      const again = await promote(standin, inputs({ 'source-ami-id': AMI_POLICY2, 'target-kms-key': DEFAULTS.targetKeyAlias, 'key-access': 'key-policy' }));
      expect(again.main.code).toBe(0);
      expect(okCalls(standin, 'PutKeyPolicy')).toEqual([]);
      expect(again.main.log).toContain('not changed');
    },
    TEST_TIMEOUT_MS * 2,
  );
});
