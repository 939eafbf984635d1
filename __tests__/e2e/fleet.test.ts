/**
 * A fleet in one run: one source AMI promoted to three target accounts, with target-role-arn (one role per line, the
 * same regions and key alias everywhere) and with targets (each account its own regions and key).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, addTargetAccount, defaultWorld, startStandIn, type StandIn } from '../../standin/index.js';
import {
  FAST_COPY_MS,
  REGION,
  REGION2,
  SOURCE,
  TARGET,
  TEST_TIMEOUT_MS,
  accountView,
  expectNothingPublic,
  inputs,
  intermediateCopies,
  kmsKeyArn,
  promote,
  targetKeyArn,
  type Run,
} from './scenario.js';

const THIRD = '333333333333';
const FOURTH = '444444444444';
const roleOf = (account: string) => `arn:aws:iam::${account}:role/${DEFAULTS.targetRoleName}`;
const GOLDEN_KEY_IDS: Record<string, Record<string, string>> = {
  [THIRD]: { [REGION]: 'abcd1234-0000-4000-8000-00000003e001', [REGION2]: 'abcd1234-0000-4000-8000-00000003c001' },
  [FOURTH]: { [REGION]: 'abcd1234-0000-4000-8000-00000004e001', [REGION2]: 'abcd1234-0000-4000-8000-00000004c001' },
};
/** A second key of the third account, in eu-central-1 only, named by its ARN in targets. */
const THIRD_PROD_KEY_ID = 'abcd1234-0000-4000-8000-00000003c0ff';
const THIRD_PROD_KEY = kmsKeyArn(THIRD, REGION2, THIRD_PROD_KEY_ID);
const AMI_BY_LINES = 'ami-0f1ee70000000aa01';
const AMI_BY_ENTRIES = 'ami-0f1ee70000000aa02';

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world
    .account(SOURCE)
    .image(REGION, { imageId: AMI_BY_LINES, name: 'golden-fleet-lines' })
    .image(REGION, { imageId: AMI_BY_ENTRIES, name: 'golden-fleet-entries' });
  for (const account of [THIRD, FOURTH]) addTargetAccount(world, account, { keys: GOLDEN_KEY_IDS[account] });
  world.account(THIRD).key(REGION2, { keyId: THIRD_PROD_KEY_ID, alias: 'alias/prod-ami', description: 'Production AMI key' });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => standin.clearCalls());

type Promotions = Record<string, Record<string, { 'ami-id': string; 'snapshot-ids': string[] }>>;

/**
 * The run succeeded; `promotions` lists exactly the expected accounts and regions (account → region → key ARN), each
 * AMI is available, private and under that key in its account, the first account's outputs are as before, and the
 * job summary has one row per account and region.
 */
function expectFleetPromoted(run: Run, sourceAmiId: string, expected: Record<string, Record<string, string>>): Promotions {
  expect(run.error).toBe('');
  expect(run.main.code).toBe(0);
  expect(run.post.code).toBe(0);
  const { outputs, summary } = run.main;
  const promotions = JSON.parse(outputs.promotions ?? '{}') as Promotions;
  expect(Object.fromEntries(Object.entries(promotions).map(([account, regions]) => [account, Object.keys(regions)]))).toEqual(
    Object.fromEntries(Object.entries(expected).map(([account, keys]) => [account, Object.keys(keys)])),
  );
  for (const [account, keys] of Object.entries(expected)) {
    for (const [region, keyArn] of Object.entries(keys)) {
      const promoted = promotions[account]?.[region];
      const image = standin.image(account, region, promoted?.['ami-id'] ?? 'none');
      expect({ account, region, state: image?.state, public: image?.public, launchPermissions: image?.launchPermissions }).toEqual({
        account,
        region,
        state: 'available',
        public: false,
        launchPermissions: [],
      });
      expect(image?.tags[account]).toMatchObject({ 'promote-ami:role': 'promoted', 'promote-ami:source-ami-id': sourceAmiId });
      expect(image?.blockDevices.map((d) => d.snapshotId)).toEqual(promoted?.['snapshot-ids']);
      for (const snapshotId of promoted?.['snapshot-ids'] ?? []) {
        expect(standin.snapshot(account, region, snapshotId)).toMatchObject({ state: 'completed', encrypted: true, kmsKeyArn: keyArn, public: false, createVolumePermissions: [] });
      }
      expect(summary).toContain(`<td>${account}</td><td>${region}</td><td><code>${promoted?.['ami-id']}</code></td>`);
    }
  }
  // The outputs of one account describe the first target, as before.
  const first = Object.entries(promotions)[0]?.[1] ?? {};
  expect(outputs['target-account-id']).toBe(Object.keys(expected)[0]);
  expect(outputs['ami-id']).toBe(Object.values(first)[0]?.['ami-id']);
  expect(JSON.parse(outputs['ami-ids'] ?? '{}')).toEqual(Object.fromEntries(Object.entries(first).map(([region, p]) => [region, p['ami-id']])));
  expect(JSON.parse(outputs['snapshot-ids'] ?? '{}')).toEqual(Object.fromEntries(Object.entries(first).map(([region, p]) => [region, p['snapshot-ids']])));
  expect(outputs.reused).toBe('false');
  return promotions;
}

/** Nothing the run shared, granted or copied stays in the source account; the post step finds nothing to undo. */
function expectNothingLeft(run: Run, sourceAmiId: string, before: ReturnType<typeof accountView>): void {
  expect(intermediateCopies(standin, sourceAmiId)).toEqual([]);
  expect(accountView(standin, SOURCE)).toEqual(before);
  expect(standin.sharedWith(SOURCE, REGION, sourceAmiId)).toEqual({ image: [], snapshots: expect.any(Object) });
  for (const accounts of Object.values(standin.sharedWith(SOURCE, REGION, sourceAmiId).snapshots)) expect(accounts).toEqual([]);
  expect(run.post.log).toContain('Nothing to clean up');
}

describe('one run, three target accounts', () => {
  it(
    'target-role-arn with one role per line: every account gets both regions under its own alias/golden-ami',
    async () => {
      const before = accountView(standin, SOURCE);
      const run = await promote(
        standin,
        inputs({
          'source-ami-id': AMI_BY_LINES,
          'target-role-arn': `${DEFAULTS.targetRoleArn}\n${roleOf(THIRD)}\n\n  ${roleOf(FOURTH)}  \n`,
          'target-regions': `${REGION}, ${REGION2}`,
          'target-kms-key': DEFAULTS.targetKeyAlias,
        }),
      );
      const golden = (account: string, region: string) => kmsKeyArn(account, region, GOLDEN_KEY_IDS[account]?.[region] as string);
      expectFleetPromoted(run, AMI_BY_LINES, {
        [TARGET]: { [REGION]: targetKeyArn(REGION), [REGION2]: targetKeyArn(REGION2) },
        [THIRD]: { [REGION]: golden(THIRD, REGION), [REGION2]: golden(THIRD, REGION2) },
        [FOURTH]: { [REGION]: golden(FOURTH, REGION), [REGION2]: golden(FOURTH, REGION2) },
      });
      expectNothingLeft(run, AMI_BY_LINES, before);

      // The policies output: the first account's as before, the source key's statements for every role, each account's own.
      const policies = JSON.parse(run.main.outputs.policies ?? '{}') as {
        keyPolicyStatements: { Principal: { AWS: string } }[];
        targets: Record<string, { targetTrustPolicy: unknown }>;
      };
      expect(Object.keys(policies.targets)).toEqual([TARGET, THIRD, FOURTH]);
      expect([...new Set(policies.keyPolicyStatements.map((s) => s.Principal.AWS))]).toEqual([DEFAULTS.targetRoleArn, roleOf(THIRD), roleOf(FOURTH)]);
      expect(JSON.stringify(policies.targets[FOURTH]?.targetTrustPolicy)).toContain(`arn:aws:iam::${FOURTH}:oidc-provider/token.actions.githubusercontent.com`);
      expect(run.main.summary).toContain(`Target role in account ${FOURTH}: trust policy`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'targets: each account its own regions and key (an alias, a key ARN, the default EBS key), with grants on the source key retired after',
    async () => {
      const before = accountView(standin, SOURCE);
      const targets = [
        `- role-arn: ${DEFAULTS.targetRoleArn}`,
        `  regions: [${REGION}, ${REGION2}]`,
        `  kms-key: ${DEFAULTS.targetKeyAlias}`,
        `- role-arn: ${roleOf(THIRD)}`,
        `  regions: [${REGION2}]`,
        `  kms-key: ${THIRD_PROD_KEY}`,
        `- role-arn: ${roleOf(FOURTH)}`,
      ].join('\n');
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_BY_ENTRIES, 'target-role-arn': '', targets, 'key-access': 'grant' }));
      expectFleetPromoted(run, AMI_BY_ENTRIES, {
        [TARGET]: { [REGION]: targetKeyArn(REGION), [REGION2]: targetKeyArn(REGION2) },
        [THIRD]: { [REGION2]: THIRD_PROD_KEY },
        [FOURTH]: { [REGION]: standin.key(FOURTH, REGION, 'alias/aws/ebs')?.arn as string },
      });
      // Each target role got its own grant on the source key, and each was retired (the source view compares grants too).
      const grantees = standin.calls({ operation: 'CreateGrant', account: SOURCE, outcome: 'ok' }).map((call) => call.params.GranteePrincipal);
      expect([...new Set(grantees)].sort()).toEqual([DEFAULTS.targetRoleArn, roleOf(THIRD), roleOf(FOURTH)].sort());
      expectNothingLeft(run, AMI_BY_ENTRIES, before);
    },
    TEST_TIMEOUT_MS,
  );
});
