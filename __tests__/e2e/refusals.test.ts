/**
 * What AWS would refuse is refused before the first change: each refusal leaves both accounts untouched
 * (only read calls in the stand-in's call log) and its message names the side, the account, the resource
 * and the fix.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, KMS_COPY_ACTIONS, allow, defaultWorld, policyOf, startStandIn, type StandIn } from '../../standin/index.js';
import { REGION, SOURCE, TARGET, TEST_TIMEOUT_MS, expectOnlyReads, inputs, kmsKeyArn, promote, worldView, expectNothingPublic } from './scenario.js';

const THIRD = '333333333333';
const AWS_KEY_ID = 'a0a0a0a0-0000-4000-8000-0000000000a1';
const RSA_KEY_ID = 'a0a0a0a0-0000-4000-8000-0000000000a2';
const DISABLED_KEY_ID = 'a0a0a0a0-0000-4000-8000-0000000000a3';
const BARE_KEY_ID = 'a0a0a0a0-0000-4000-8000-0000000000a4';
const AWS_KEY = kmsKeyArn(SOURCE, REGION, AWS_KEY_ID);
const RSA_KEY = kmsKeyArn(SOURCE, REGION, RSA_KEY_ID);
const DISABLED_KEY = kmsKeyArn(SOURCE, REGION, DISABLED_KEY_ID);
const BARE_KEY = kmsKeyArn(SOURCE, REGION, BARE_KEY_ID);
const FOREIGN_AMI = 'ami-0b0000000000000b1';
const MARKETPLACE_AMI = 'ami-0b0000000000000b2';
const TARGET_KEY_POLICY = 'ami-promotion-source-key';

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world
    .account(SOURCE)
    .key(REGION, { keyId: AWS_KEY_ID, alias: 'alias/aws/ebs', keyManager: 'AWS', description: 'Default key that protects my EBS volumes' })
    .key(REGION, { keyId: RSA_KEY_ID, alias: 'alias/rsa', keySpec: 'RSA_2048' })
    .key(REGION, { keyId: DISABLED_KEY_ID, alias: 'alias/disabled', state: 'Disabled' })
    .key(REGION, { keyId: BARE_KEY_ID, alias: 'alias/bare' });
  // The target role may use the bare key: only its key policy lacks the target.
  world.account(TARGET).role(DEFAULTS.targetRoleName, { policies: { 'bare-key': policyOf(allow(KMS_COPY_ACTIONS, BARE_KEY)) } });
  world
    .account(THIRD)
    .image(REGION, { imageId: FOREIGN_AMI, name: 'someone-elses-image' })
    .image(REGION, {
      imageId: MARKETPLACE_AMI,
      name: 'marketplace-product',
      productCodes: [{ id: 'abcdefghijklmnopqrstuvwxy', type: 'marketplace' }],
      sharedWith: [SOURCE],
    });
  standin = await startStandIn(world, { copyDurationMs: 300 });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => standin.clearCalls());

/** Runs the promotion, expects the refusal, and that nothing changed anywhere. */
async function refused(given: Record<string, string>, preflight = true): Promise<string> {
  const before = worldView(standin);
  const { main, post, error } = await promote(standin, inputs(given));
  // The job summary: the preflight table with the missing check and the policies, no promotion.
  expect(main.summary).not.toContain('<h2>AMI promotion</h2>');
  if (preflight) {
    expect(main.summary).toContain('Preflight');
    expect(main.summary).toContain('<td>missing</td>');
  }
  expect(main.code).toBe(1);
  expect(main.errors).toHaveLength(1);
  expect(main.outputs['ami-id']).toBeUndefined();
  expectOnlyReads(standin);
  expect(worldView(standin)).toEqual(before);
  expect(post.code).toBe(0);
  expect(post.log).toContain('Nothing to clean up: the main step made no change in AWS.');
  return error;
}

describe('refused with zero mutations', () => {
  it(
    'an alias/aws/ebs ARN as kms-key-arn: an input error before any AWS call',
    async () => {
      const error = await refused({ 'kms-key-arn': `arn:aws:kms:${REGION}:${SOURCE}:alias/aws/ebs` }, false);
      expect(error).toContain('Input kms-key-arn:');
      expect(error).toContain('AWS-managed key (alias/aws/ebs)');
      expect(error).toContain('create a customer-managed symmetric key in the source account');
      expect(standin.calls()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'the key ARN of an AWS-managed key',
    async () => {
      const error = await refused({ 'kms-key-arn': AWS_KEY });
      expect(error).toContain(`Checking the key ${AWS_KEY} (source account ${SOURCE}, ${REGION}) failed`);
      expect(error).toContain('AWS-managed key');
      expect(error).toMatch(/Fix: Create a customer-managed symmetric encryption key/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'an asymmetric key',
    async () => {
      const error = await refused({ 'kms-key-arn': RSA_KEY });
      expect(error).toContain(`Checking the key ${RSA_KEY} (source account ${SOURCE}, ${REGION}) failed`);
      expect(error).toContain('RSA_2048');
      expect(error).toContain('symmetric');
      expect(error).toMatch(/Fix: Create a customer-managed symmetric encryption key/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a disabled key',
    async () => {
      const error = await refused({ 'kms-key-arn': DISABLED_KEY });
      expect(error).toContain(`Checking the key ${DISABLED_KEY} (source account ${SOURCE}, ${REGION}) failed: the key is Disabled.`);
      expect(error).toContain(`Fix: Enable it (aws kms enable-key --key-id ${DISABLED_KEY})`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'an AMI the source account neither owns nor can see',
    async () => {
      const error = await refused({ 'source-ami-id': FOREIGN_AMI });
      expect(error).toContain(`Inspecting ${FOREIGN_AMI} (source account ${SOURCE}, ${REGION}) failed`);
      expect(error).toContain(`the source account cannot see ${FOREIGN_AMI}`);
      expect(error).toMatch(new RegExp(`Fix: .*share the AMI with account ${SOURCE}`));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a Marketplace AMI shared from another account',
    async () => {
      const error = await refused({ 'source-ami-id': MARKETPLACE_AMI });
      expect(error).toContain(`Inspecting ${MARKETPLACE_AMI} (source account ${SOURCE}, ${REGION}) failed`);
      expect(error).toContain('Marketplace product code(s) abcdefghijklmnopqrstuvwxy');
      expect(error).toMatch(/Fix: Build the image from a base AMI without Marketplace product codes/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a key policy that lacks the target (key-access: verify)',
    async () => {
      const keyPolicyError = await refused({ 'kms-key-arn': BARE_KEY });
      expect(keyPolicyError).toContain(`source account ${SOURCE}`);
      // Only the key policy is to blame: the target role's IAM policy already allows the key.
      expect(keyPolicyError).not.toContain(`to the IAM policy of ${DEFAULTS.targetRoleArn}`);
      expect(keyPolicyError).toContain(`the key policy does not let ${DEFAULTS.targetRoleArn} (or its account) use the key`);
      expect(keyPolicyError).toContain(`Add these statements to the key policy of ${BARE_KEY}`);
      expect(keyPolicyError).toContain(`"AWS": "${DEFAULTS.targetRoleArn}"`);
      expect(keyPolicyError).toContain('key-access: grant');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a target role whose IAM policy does not allow the source key",
    async () => {
      const saved = standin.state.account(TARGET)?.roles.get(DEFAULTS.targetRoleName)?.policies[TARGET_KEY_POLICY];
      standin.setRolePolicy(TARGET, DEFAULTS.targetRoleName, TARGET_KEY_POLICY, undefined);
      try {
        const targetIamError = await refused({});
        expect(targetIamError).toContain(`target account ${TARGET}`);
        expect(targetIamError).toContain(DEFAULTS.sourceKeyArn);
        expect(targetIamError).toContain(`Add these statements to the IAM policy of ${DEFAULTS.targetRoleArn}`);
        expect(targetIamError).toMatch(new RegExp(`"Resource": "${DEFAULTS.sourceKeyArn}"`));
      } finally {
        standin.setRolePolicy(TARGET, DEFAULTS.targetRoleName, TARGET_KEY_POLICY, saved);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
