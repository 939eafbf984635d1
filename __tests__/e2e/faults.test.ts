/**
 * Faults: throttling and server errors the SDK retries through, and target copies that turn `failed` for
 * KMS reasons (the CopyImage call itself succeeds): the run fails with the StateReason and the probable KMS
 * cause, and leaves nothing behind in either account.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, defaultWorld, deny, startStandIn, type StandIn } from '../../standin/index.js';
import {
  FAST_COPY_MS,
  REGION,
  SOURCE,
  TARGET,
  TEST_TIMEOUT_MS,
  expectNothingPublic,
  expectPromoted,
  inputs,
  intermediateCopies,
  okCalls,
  promote,
  targetCopyId,
  targetKeyArn,
  worldView,
} from './scenario.js';

const AMI_FAULTS = 'ami-0fa000000000000a1';
const AMI_GRANT_ONLY = 'ami-0fa000000000000a2';
const AMI_BAD_DEST = 'ami-0fa000000000000a3';
const BROKEN_KEY_ID = 'b0b0b0b0-0000-4000-8000-0000000000b1';
const BROKEN_KEY = `arn:aws:kms:${REGION}:${TARGET}:key/${BROKEN_KEY_ID}`;
const TARGET_SOURCE_KEY_POLICY = 'ami-promotion-source-key';

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world
    .account(SOURCE)
    .image(REGION, { imageId: AMI_FAULTS, name: 'golden-faults', tags: { Team: 'platform' } })
    .image(REGION, { imageId: AMI_GRANT_ONLY, name: 'golden-grant-only' })
    .image(REGION, { imageId: AMI_BAD_DEST, name: 'golden-bad-destination' });
  // A target key EC2 cannot use for the target role: its policy denies the data keys the copy needs.
  world.account(TARGET).key(REGION, {
    keyId: BROKEN_KEY_ID,
    alias: 'alias/broken',
    extraStatements: [deny('kms:GenerateDataKeyWithoutPlaintext', '*', { Sid: 'NoDataKeysForTheRole', Principal: { AWS: DEFAULTS.targetRoleArn } })],
  });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => {
  standin.clearCalls();
  standin.setFaults({});
  standin.configure({ grantSufficesForCrossAccountCopy: true });
});

describe('transient faults', () => {
  it(
    '30 % throttling and 10 % HTTP 500 on every service: the retries get the promotion through',
    async () => {
      const before = worldView(standin);
      standin.setFaults({ seed: 7, throttleRate: 0.3, errorRate: 0.1 });
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_FAULTS, 'target-kms-key': DEFAULTS.targetKeyAlias }), { env: { AWS_MAX_ATTEMPTS: '12' } });
      standin.setFaults({});
      expectPromoted(standin, run, {
        sourceAmiId: AMI_FAULTS,
        regions: [REGION],
        keyArn: targetKeyArn,
        keyLabel: targetKeyArn,
        reencrypted: true,
        sourceTags: { Team: 'platform' },
      });
      const faults = standin.calls({ fault: true });
      expect(faults.filter((c) => c.fault === 'throttle').length).toBeGreaterThan(5);
      expect(faults.filter((c) => c.fault === 'error').length).toBeGreaterThan(1);
      expect(new Set(faults.map((c) => c.service)).size).toBeGreaterThanOrEqual(3);
      // Every change was made once: faults come before a change, retries do not repeat one.
      expect(okCalls(standin, 'CopyImage')).toHaveLength(2);
      expect(worldView(standin).source).toEqual(before.source);
    },
    TEST_TIMEOUT_MS * 2,
  );
});

describe('a target copy that fails', () => {
  /** The failure run: exit 1, then nothing left in either account but what was there before. */
  async function failedCopy(given: Record<string, string>) {
    const before = worldView(standin);
    const run = await promote(standin, inputs(given));
    expect(run.main.code).toBe(1);
    const copyId = targetCopyId(run.main.log);
    expect(copyId).toMatch(/^ami-[0-9a-f]{17}$/);
    // The failed copy was deregistered and its snapshots deleted; sharing, grant and intermediate copy removed.
    expect(standin.image(TARGET, REGION, copyId as string)).toBeUndefined();
    expect(worldView(standin)).toEqual(before);
    expect(intermediateCopies(standin, given['source-ami-id'])).toEqual([]);
    expect(standin.grants(SOURCE, REGION, DEFAULTS.sourceKeyArn)).toEqual([]);
    expect(okCalls(standin, 'DeregisterImage', TARGET).map((c) => c.params.ImageId)).toEqual([copyId]);
    expect(run.main.summary).toMatch(new RegExp(`<td>removed</td><td>unfinished copy ${copyId}</td>`));
    expect(run.post.code).toBe(0);
    expect(run.post.log).toContain('Nothing to clean up: the main step already removed');
    return { ...run, copyId: copyId as string };
  }

  it(
    'because the target role may use the source key only by the grant and EC2 does not accept a grant alone: StateReason and KMS cause named',
    async () => {
      standin.configure({ grantSufficesForCrossAccountCopy: false });
      const saved = standin.state.account(TARGET)?.roles.get(DEFAULTS.targetRoleName)?.policies[TARGET_SOURCE_KEY_POLICY];
      standin.setRolePolicy(TARGET, DEFAULTS.targetRoleName, TARGET_SOURCE_KEY_POLICY, undefined);
      try {
        const { error, copyId } = await failedCopy({ 'source-ami-id': AMI_GRANT_ONLY, 'key-access': 'grant' });
        expect(error).toContain(`Waiting for the target copy in ${REGION} ${copyId} (target account ${TARGET}, ${REGION}) failed`);
        expect(error).toContain(`AMI snapshot copy failed with error: The KMS key ${DEFAULTS.sourceKeyArn} used to encrypt the source snapshot is not accessible`);
        expect(error).toContain('This is a KMS permission problem');
        expect(error).toContain('kms:Decrypt');
        expect(error).toMatch(/Fix: /);
        // The grant existed during the run and was retired.
        expect(okCalls(standin, 'CreateGrant', SOURCE)).toHaveLength(1);
        expect(okCalls(standin, ['RetireGrant', 'RevokeGrant'], SOURCE)).toHaveLength(1);
      } finally {
        standin.setRolePolicy(TARGET, DEFAULTS.targetRoleName, TARGET_SOURCE_KEY_POLICY, saved);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'because the destination key is not usable by the target role: StateReason and KMS cause named',
    async () => {
      const { error, copyId } = await failedCopy({ 'source-ami-id': AMI_BAD_DEST, 'target-kms-key': 'alias/broken' });
      expect(error).toContain(`Waiting for the target copy in ${REGION} ${copyId} (target account ${TARGET}, ${REGION}) failed`);
      expect(error).toContain('AMI snapshot copy failed with error: Given key ID is not accessible');
      expect(error).toContain('This is a KMS permission problem');
      expect(error).toContain(BROKEN_KEY);
      expect(error).toContain('kms:GenerateDataKeyWithoutPlaintext');
    },
    TEST_TIMEOUT_MS,
  );
});
