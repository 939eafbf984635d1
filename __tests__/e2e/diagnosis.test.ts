/**
 * Issue 5: every mapped failure the stand-in can produce, diagnosed with the side, the account, the reason
 * and the fix; the dry run; the Auto Scaling access check and grant; the policies output applied as it is.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  DEFAULTS,
  TARGET_EC2_ACTIONS,
  allow,
  defaultWorld,
  policyOf,
  rootKeyPolicy,
  startStandIn,
  type PolicyDocument,
  type StandIn,
} from '../../standin/index.js';
import {
  AUTOSCALING_ROLE_ARN,
  FAST_COPY_MS,
  REGION,
  SOURCE,
  TARGET,
  TEST_TIMEOUT_MS,
  accountView,
  expectOnlyReads,
  expectPromoted,
  inputs,
  intermediateCopies,
  intermediateCopyId,
  okCalls,
  promote,
  targetKeyArn,
  worldView,
  expectNothingPublic,
} from './scenario.js';

const AMI = (n: number) => `ami-0d1a00000000000${n.toString(16).padStart(2, '0')}`;
const AMI_DRY = AMI(1);
const AMI_DENIED = AMI(2);
const AMI_DENIED_NODECODE = AMI(3);
const AMI_DUPLICATE = AMI(4);
const AMI_EXPIRED = AMI(5);
const AMI_THROTTLED = AMI(6);
const AMI_ASG_CHECK = AMI(7);
const AMI_ASG_GRANT = AMI(8);
const AMI_ASG_GRANT2 = AMI(9);
const AMI_GENERATED = AMI(10);
const AMI_LIMITED = AMI(11);
const DUPLICATE_NAME = 'golden-duplicate-name';
const DECOY_TARGET_AMI = 'ami-0d1a0000000000de1';
const KEY = DEFAULTS.sourceKeyArn;
const TARGET_KEY = targetKeyArn(REGION);

const SOURCE_POLICY = 'ami-promotion-source';
const SOURCE_EC2_ACTIONS = [
  'ec2:CopyImage',
  'ec2:CreateTags',
  'ec2:DeleteSnapshot',
  'ec2:DeleteTags',
  'ec2:DeregisterImage',
  'ec2:DescribeImageAttribute',
  'ec2:DescribeImages',
  'ec2:DescribeSnapshotAttribute',
  'ec2:DescribeSnapshots',
  'ec2:GetEbsDefaultKmsKeyId',
  'ec2:ModifyImageAttribute',
];

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  const source = world.account(SOURCE);
  for (let n = 1; n <= 10; n++) source.image(REGION, { imageId: AMI(n), name: n === 4 ? DUPLICATE_NAME : `golden-diagnosis-${n}` });
  // Already under the CMK: shared as it is, so the target copy is the first snapshot copy of the run.
  source.image(REGION, { imageId: AMI_LIMITED, name: 'golden-diagnosis-limited', snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }] });
  // An unrelated AMI of the target account with the name the promotion of AMI_DUPLICATE would take.
  world.account(TARGET).image(REGION, { imageId: DECOY_TARGET_AMI, name: DUPLICATE_NAME, snapshots: [{ kmsKey: DEFAULTS.targetKeyAlias }], tags: { Owner: 'another team' } });
  // The target role may read its keys' policies and grants (for the Auto Scaling check and grant).
  world
    .account(TARGET)
    .role(DEFAULTS.targetRoleName, { policies: { 'ami-promotion-autoscaling': policyOf(allow(['kms:GetKeyPolicy', 'kms:ListGrants', 'kms:CreateGrant'], `arn:aws:kms:*:${TARGET}:key/*`)) } });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => {
  standin.clearCalls();
  standin.setFaults({});
});

/** Replaces one role policy for the duration of `fn`. */
async function withRolePolicy<T>(account: string, role: string, name: string, policy: PolicyDocument | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = standin.state.account(account)?.roles.get(role)?.policies[name];
  standin.setRolePolicy(account, role, name, policy);
  try {
    return await fn();
  } finally {
    standin.setRolePolicy(account, role, name, saved);
  }
}

/** Replaces the source key's policy for the duration of `fn`. */
async function withKeyPolicy<T>(policy: PolicyDocument, fn: () => Promise<T>): Promise<T> {
  const saved = standin.key(SOURCE, REGION, KEY)?.policy as PolicyDocument;
  standin.setKeyPolicy(SOURCE, REGION, KEY, policy);
  try {
    return await fn();
  } finally {
    standin.setKeyPolicy(SOURCE, REGION, KEY, saved);
  }
}

describe('dry-run', () => {
  it(
    'with everything in place: changes nothing in either account, prints the plan and exits 0',
    async () => {
      const before = worldView(standin);
      const { main, post, error } = await promote(
        standin,
        inputs({ 'source-ami-id': AMI_DRY, 'dry-run': 'true', 'key-access': 'grant', 'target-kms-key': DEFAULTS.targetKeyAlias }),
      );
      expect(error).toBe('');
      expect(main.code).toBe(0);
      expectOnlyReads(standin);
      expect(worldView(standin)).toEqual(before);
      expect(main.log).toContain('Dry run: nothing was changed. A real run would:');
      expect(main.log).toContain(`- Re-encrypt ${AMI_DRY} with ${KEY} in the source account (${REGION}) as an intermediate copy.`);
      expect(main.log).toContain(`- Key access: create a grant on ${KEY} for ${DEFAULTS.targetRoleArn}, retired after the run.`);
      expect(main.log).toContain(`- Share the AMI and its 1 snapshot(s) with account ${TARGET} only.`);
      expect(main.log).toContain(`- ${REGION}: copy into account ${TARGET} under ${TARGET_KEY}.`);
      expect(main.log).toContain('- Then remove the sharing, the grant and the intermediate copy.');
      expect(main.summary).toContain('AMI promotion: dry run');
      expect(main.summary).toContain('Nothing was changed in any account.');
      expect(main.summary).toContain('Preflight');
      expect(main.outputs['ami-id']).toBeUndefined();
      expect(main.outputs.policies).toBeDefined();
      expect(post.code).toBe(0);
      expect(post.log).toContain('Nothing to clean up: the main step made no change in AWS.');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'with things missing on both sides: changes nothing and exits 1 with the list of what is missing',
    async () => {
      const before = worldView(standin);
      const noCopyImage = policyOf(allow(TARGET_EC2_ACTIONS.filter((a) => a !== 'ec2:CopyImage')));
      const { main, error } = await withKeyPolicy(rootKeyPolicy(SOURCE), () =>
        withRolePolicy(TARGET, DEFAULTS.targetRoleName, 'ami-promotion-ec2', noCopyImage, () =>
          promote(standin, inputs({ 'source-ami-id': AMI_DRY, 'dry-run': 'true' })),
        ),
      );
      expect(main.code).toBe(1);
      expectOnlyReads(standin);
      expect(worldView(standin)).toEqual(before);
      expect(error).toMatch(/^Dry run: nothing was changed; \d+ thing\(s\) must be fixed before a real run:\n1\. /);
      expect(error).toContain(`The source key policy lets the target role copy (source account ${DEFAULTS.sourceAccount}): the key policy does not let ${DEFAULTS.targetRoleArn}`);
      expect(error).toContain(`Fix: Add these statements to the key policy of ${KEY}`);
      expect(error).toMatch(/The target role's IAM policy allows the copy of the shared AMI \(target account \d{12}\): ec2:CopyImage on arn:aws:ec2:eu-west-1::image\/ami-[0-9a-f]+ is not allowed/);
      expect(error).toContain(`Add this statement to the IAM policy of ${DEFAULTS.targetRoleArn}`);
      expect(main.summary).toContain('A real run would stop');
    },
    TEST_TIMEOUT_MS,
  );
});

describe('AccessDenied / UnauthorizedOperation on the source side', () => {
  const withoutModifySnapshot = (decode: boolean) =>
    policyOf(allow(SOURCE_EC2_ACTIONS), allow(['kms:*'], `arn:aws:kms:*:${SOURCE}:key/*`), allow(decode ? ['kms:ListAliases', 'sts:DecodeAuthorizationMessage'] : ['kms:ListAliases']));

  async function denied(sourceAmiId: string, decode: boolean) {
    const before = accountView(standin, SOURCE);
    const run = await withRolePolicy(SOURCE, DEFAULTS.sourceRoleName, SOURCE_POLICY, withoutModifySnapshot(decode), () =>
      promote(standin, inputs({ 'source-ami-id': sourceAmiId })),
    );
    expect(run.main.code).toBe(1);
    expect(run.error).toContain(`(source account ${SOURCE}, ${REGION}) failed`);
    expect(run.error).toContain('ec2:ModifySnapshotAttribute');
    expect(run.error).toMatch(/Fix: Add this statement to the IAM policy of /);
    expect(run.error).toContain('"Action": "ec2:ModifySnapshotAttribute"');
    // Cleanup removed the launch permission and the intermediate copy.
    expect(accountView(standin, SOURCE)).toEqual(before);
    expect(intermediateCopies(standin, sourceAmiId)).toEqual([]);
    expect(run.post.code).toBe(0);
    return run;
  }

  it(
    'ec2:ModifySnapshotAttribute missing from the source role: the decoded authorization message names the action, the side and the fix',
    async () => {
      const { error } = await denied(AMI_DENIED, true);
      expect(error).toContain('decoded from AWS');
      expect(okCalls(standin, 'DecodeAuthorizationMessage', SOURCE)).toHaveLength(1);
      expect(error).toMatch(/no policy allows \S+ ec2:ModifySnapshotAttribute on arn:aws:ec2:eu-west-1:?\d*:snapshot\/snap-[0-9a-f]+/);
      // The fix names the role to change, not the STS session of the decoded message.
      expect(error).toContain(`Add this statement to the IAM policy of ${DEFAULTS.sourceRoleArn}`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'without sts:DecodeAuthorizationMessage: still names the action, the side and the fix, and says how to see the decoded reason',
    async () => {
      const { error } = await denied(AMI_DENIED_NODECODE, false);
      expect(error).toContain(`${DEFAULTS.sourceRoleArn} may not call ec2:ModifySnapshotAttribute`);
      expect(error).toContain('allow sts:DecodeAuthorizationMessage');
      expect(error).toContain(`Add this statement to the IAM policy of ${DEFAULTS.sourceRoleArn}`);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('failures during the copy', () => {
  it(
    'InvalidAMIName.Duplicate: an unrelated AMI of the target account has the name; the fix says to set ami-name, and that AMI is untouched',
    async () => {
      const before = worldView(standin);
      const decoy = standin.image(TARGET, REGION, DECOY_TARGET_AMI);
      const { main, post, error } = await promote(standin, inputs({ 'source-ami-id': AMI_DUPLICATE, 'target-kms-key': DEFAULTS.targetKeyAlias }));
      expect(main.code).toBe(1);
      // The preflight finds the name taken, before any change (see preflight-refusals.test.ts).
      expect(error).toContain(`(target account ${TARGET}, ${REGION}) failed: account ${TARGET} already has ${DECOY_TARGET_AMI} named "${DUPLICATE_NAME}" in ${REGION}`);
      expect(error).toMatch(/Fix: Set the ami-name input to a name not used yet/);
      expectOnlyReads(standin);
      expect(standin.image(TARGET, REGION, DECOY_TARGET_AMI)).toEqual(decoy);
      expect(standin.calls().filter((c) => JSON.stringify(c.params).includes(DECOY_TARGET_AMI))).toEqual([]);
      expect(worldView(standin)).toEqual(before);
      expect(post.code).toBe(0);

      // Re-run (a new attempt) with ami-name set: the same promotion goes through.
      standin.clearCalls();
      const renamed = await promote(standin, inputs({ 'source-ami-id': AMI_DUPLICATE, 'target-kms-key': DEFAULTS.targetKeyAlias, 'ami-name': `${DUPLICATE_NAME}-2` }), {
        env: { GITHUB_RUN_ATTEMPT: '2' },
      });
      expectPromoted(standin, renamed, { sourceAmiId: AMI_DUPLICATE, regions: [REGION], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: true });
      expect(standin.image(TARGET, REGION, renamed.main.outputs['ami-id'] as string)?.name).toBe(`${DUPLICATE_NAME}-2`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'expired credentials: source credentials from an earlier step expire during the wait; the message says so and how to avoid it',
    async () => {
      // Source credentials as configure-aws-credentials would leave them: a 15-minute session in the environment.
      const sts = new STSClient({ region: REGION, endpoint: standin.url, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
      const { Credentials: c } = await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: DEFAULTS.sourceRoleArn,
          RoleSessionName: 'configure-aws-credentials',
          WebIdentityToken: standin.issueToken({ aud: 'sts.amazonaws.com' }),
          DurationSeconds: 900,
        }),
      );
      let advanced = false;
      const expired = await promote(standin, inputs({ 'source-ami-id': AMI_EXPIRED, 'source-role-arn': '' }), {
        env: { AWS_ACCESS_KEY_ID: c?.AccessKeyId ?? '', AWS_SECRET_ACCESS_KEY: c?.SecretAccessKey ?? '', AWS_SESSION_TOKEN: c?.SessionToken ?? '' },
        onLog: (log) => {
          // 16 minutes pass while the intermediate copy runs.
          if (!advanced && /intermediate copy ami-[0-9a-f]+: pending/.test(log)) {
            advanced = true;
            standin.advanceTime(16 * 60_000);
          }
        },
      });
      expect(advanced).toBe(true);
      expect(expired.main.code).toBe(1);
      expect(expired.error).toContain(`(source account ${SOURCE}, ${REGION}) failed: the source credentials expired (ExpiredToken).`);
      expect(expired.error).toContain('cannot be renewed here: set source-role-arn instead, so that the action assumes the source role');
      expect(standin.calls({ errorCode: 'ExpiredToken' }).length).toBeGreaterThan(0);
      // Neither main nor post can clean up with expired credentials: the post step fails.
      expect(expired.post.code).toBe(1);
      // The run's lease on the intermediate copy and the copy itself.
      expect(expired.post.errors.join('\n')).toContain(`Cleanup could not undo 2 change(s)`);
      expect(expired.post.errors.join('\n')).toMatch(/aws ec2 delete-tags --region \S+ --resources ami-[0-9a-f]+ --tags Key=promote-ami:lease:/);
      expect(expired.post.errors.join('\n')).toContain(intermediateCopyId(expired.main.log) as string);
      // The post step says why and how to remove the intermediate copy by hand.
      expect(expired.post.errors.join('\n')).toMatch(/source credentials expired/);
      expect(expired.post.errors.join('\n')).toContain(`aws ec2 deregister-image --region ${REGION} --image-id ${intermediateCopyId(expired.main.log) ?? 'none'}`);
    },
    TEST_TIMEOUT_MS,
  );


  it(
    'throttling that outlasts the retries (100 % EC2 throttling, AWS_MAX_ATTEMPTS=2): the message says throttling and how to proceed',
    async () => {
      standin.setFaults({ seed: 3, throttleRate: 1, services: ['ec2'] });
      const { main, post, error } = await promote(standin, inputs({ 'source-ami-id': AMI_THROTTLED }), { env: { AWS_MAX_ATTEMPTS: '2' } });
      standin.setFaults({});
      expect(main.code).toBe(1);
      expect(standin.calls({ fault: true }).length).toBeGreaterThan(0);
      expect(standin.mutations()).toEqual([]);
      expect(error).toContain('AWS kept throttling the requests after every retry (RequestLimitExceeded)');
      expect(error).toContain('target account');
      expect(error).toContain('Re-run the job when the account is less busy, or raise AWS_MAX_ATTEMPTS');
      expect(post.code).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'throttling that outlasts the retries (100 % throttling of every service, AWS_MAX_ATTEMPTS=2): the message says throttling and how to proceed',
    async () => {
      standin.setFaults({ seed: 3, throttleRate: 1 });
      const { main, error } = await promote(standin, inputs({ 'source-ami-id': AMI_THROTTLED }), { env: { AWS_MAX_ATTEMPTS: '2' } });
      standin.setFaults({});
      expect(main.code).toBe(1);
      expect(error).toMatch(/throttl/i);
      expect(error).toContain('AWS_MAX_ATTEMPTS');
      expect(error).not.toContain('Check the role ARN input');
    },
    TEST_TIMEOUT_MS,
  );
});

describe('copy limits', () => {
  it(
    'ResourceLimitExceeded: the target copy is refused for too many concurrent copies; the message says so and the sharing is removed',
    async () => {
      const before = accountView(standin, SOURCE);
      standin.configure({ maxConcurrentSnapshotCopies: 0 });
      try {
        const { main, post, error } = await promote(standin, inputs({ 'source-ami-id': AMI_LIMITED }));
        expect(main.code).toBe(1);
        expect(error).toContain(`Copying ${AMI_LIMITED} into the target account (target account ${TARGET}, ${REGION}) failed: too many copies are running in ${REGION}`);
        expect(error).toContain('Fix: Re-run when other copies have finished, or promote to fewer regions at a time.');
        expect(accountView(standin, SOURCE)).toEqual(before);
        expect(post.code).toBe(0);
      } finally {
        standin.configure({ maxConcurrentSnapshotCopies: 20 });
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe('Auto Scaling access to the target key', () => {
  it(
    'check (the default): a warning annotation with the statements to add when the Auto Scaling service-linked role may not use the key',
    async () => {
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_ASG_CHECK, 'target-kms-key': DEFAULTS.targetKeyAlias }));
      expectPromoted(standin, run, { sourceAmiId: AMI_ASG_CHECK, regions: [REGION], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: true });
      const warning = run.main.warnings.find((w) => w.includes('Auto Scaling'));
      expect(warning).toBeDefined();
      expect(warning).toContain(`[warning] Auto Scaling can use the target key in ${REGION} (target account ${DEFAULTS.targetAccount})`);
      expect(warning).toContain(`the key policy of ${TARGET_KEY} does not let ${AUTOSCALING_ROLE_ARN} use the key`);
      expect(warning).toContain(`Add these statements to the key policy of ${TARGET_KEY}`);
      expect(warning).toContain('autoscaling-access: grant');
      expect(okCalls(standin, 'CreateGrant', TARGET)).toEqual([]);
      const policies = JSON.parse(run.main.outputs.policies ?? '{}') as { autoscalingKeyStatements: unknown[] };
      expect(JSON.stringify(policies.autoscalingKeyStatements)).toContain(AUTOSCALING_ROLE_ARN);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'grant: a lasting grant on the target key for the service-linked role, created once over two promotions',
    async () => {
      const given = { 'target-kms-key': DEFAULTS.targetKeyAlias, 'autoscaling-access': 'grant' };
      const first = await promote(standin, inputs({ ...given, 'source-ami-id': AMI_ASG_GRANT }));
      expectPromoted(standin, first, { sourceAmiId: AMI_ASG_GRANT, regions: [REGION], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: true });
      expect(first.main.warnings.filter((w) => w.includes('Auto Scaling'))).toEqual([]);
      expect(first.main.summary).toContain(`Key access: grant promote-ami-autoscaling on ${TARGET_KEY} for ${AUTOSCALING_ROLE_ARN}`);
      const second = await promote(standin, inputs({ ...given, 'source-ami-id': AMI_ASG_GRANT2 }));
      expect(second.main.code).toBe(0);
      expect(second.main.log).toContain(`${AUTOSCALING_ROLE_ARN} already has a grant on ${TARGET_KEY}`);
      const created = okCalls(standin, 'CreateGrant', TARGET).filter((c) => !c.internal);
      expect(created).toHaveLength(1);
      expect(created[0]?.params).toMatchObject({ KeyId: TARGET_KEY, GranteePrincipal: AUTOSCALING_ROLE_ARN });
      const grants = standin.grants(TARGET, REGION, TARGET_KEY).filter((g) => g.granteePrincipal === AUTOSCALING_ROLE_ARN);
      expect(grants).toHaveLength(1);
      expect(grants[0]?.operations).toEqual(expect.arrayContaining(['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKeyWithoutPlaintext', 'DescribeKey', 'CreateGrant']));
    },
    TEST_TIMEOUT_MS * 2,
  );
});

describe('the policies output', () => {
  it(
    'applied as it is (source role, key-policy statements, target role) lets the promotion with autoscaling-access grant succeed',
    async () => {
      const given = inputs({ 'source-ami-id': AMI_GENERATED, 'target-kms-key': DEFAULTS.targetKeyAlias, 'autoscaling-access': 'grant' });
      const dry = await promote(standin, { ...given, 'dry-run': 'true' });
      const policies = JSON.parse(dry.main.outputs.policies ?? '{}') as {
        sourceRoleIamPolicy: PolicyDocument;
        targetRoleIamPolicy: PolicyDocument;
        keyPolicyStatements: PolicyDocument['Statement'];
      };
      const source = standin.state.account(SOURCE)?.roles.get(DEFAULTS.sourceRoleName);
      const target = standin.state.account(TARGET)?.roles.get(DEFAULTS.targetRoleName);
      const saved = { source: { ...source?.policies }, target: { ...target?.policies } };
      if (!source || !target) throw new Error('roles missing');
      source.policies = { generated: policies.sourceRoleIamPolicy };
      target.policies = { generated: policies.targetRoleIamPolicy };
      try {
        const key = rootKeyPolicy(SOURCE);
        const run = await withKeyPolicy({ ...key, Statement: [...(key.Statement as object[]), ...(policies.keyPolicyStatements as object[])] } as PolicyDocument, () =>
          promote(standin, given),
        );
        expectPromoted(standin, run, { sourceAmiId: AMI_GENERATED, regions: [REGION], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: true });
      } finally {
        source.policies = saved.source;
        target.policies = saved.target;
      }
    },
    TEST_TIMEOUT_MS,
  );
});
