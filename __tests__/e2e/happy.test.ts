/**
 * Happy paths of the bundled action: every kind of source AMI, several volumes, several regions and the
 * target key by alias. One stand-in for the file; each test promotes its own source AMI.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, defaultWorld, startStandIn, type StandIn } from '../../standin/index.js';
import {
  FAST_COPY_MS,
  REGION,
  REGION2,
  SOURCE,
  TARGET,
  TEST_TIMEOUT_MS,
  accountView,
  expectNothingPublic,
  expectPromoted,
  inputs,
  okCalls,
  promote,
  targetKeyArn,
} from './scenario.js';

const AMI_EBS = 'ami-0e0000000000000e1';
const AMI_CMK = 'ami-0c0000000000000c1';
const AMI_MULTI = 'ami-0d0000000000000d1';
const AMI_REGIONS = 'ami-0f0000000000000f1';
const SOURCE_TAGS = { Name: 'golden-base', Team: 'platform' };

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world
    .account(SOURCE)
    .image(REGION, { imageId: AMI_EBS, name: 'golden-aws-ebs', description: 'under aws/ebs', snapshots: [{ encrypted: true }], tags: { Team: 'platform' } })
    .image(REGION, { imageId: AMI_CMK, name: 'golden-cmk', snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias, sizeGiB: 16 }], tags: { Team: 'platform' } })
    .image(REGION, {
      imageId: AMI_MULTI,
      name: 'golden-multi-volume',
      snapshots: [{ sizeGiB: 8 }, { encrypted: true, sizeGiB: 20, deviceName: '/dev/sdf' }, { kmsKey: DEFAULTS.sourceKeyAlias, sizeGiB: 50, deviceName: '/dev/sdg' }],
    })
    .image(REGION, { imageId: AMI_REGIONS, name: 'golden-two-regions', snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }] });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => standin.clearCalls());

const defaultKeyOf = (region: string) => standin.key(TARGET, region, 'alias/aws/ebs')?.arn ?? 'no aws/ebs key';

describe('a successful promotion', () => {
  it(
    'of an unencrypted AMI: re-encrypted with the CMK, copied under the target default EBS key, nothing left shared',
    async () => {
      const before = accountView(standin, SOURCE);
      const sharedBefore = standin.sharedWith(SOURCE, REGION, DEFAULTS.sourceAmiId);
      const run = await promote(standin, inputs());
      expectPromoted(standin, run, {
        sourceAmiId: DEFAULTS.sourceAmiId,
        regions: [REGION],
        keyArn: defaultKeyOf,
        keyLabel: () => 'default',
        reencrypted: true,
        sourceTags: SOURCE_TAGS,
      });
      // The intermediate copy was shared with the target only, then unshared and deleted with its snapshots.
      const intermediate = run.main.outputs['reencrypted-ami-id'] as string;
      const shares = okCalls(standin, 'ModifyImageAttribute', SOURCE).map((c) => c.params);
      expect(shares).toEqual([
        expect.objectContaining({ ImageId: intermediate, LaunchPermission: { Add: [{ UserId: TARGET }] } }),
        expect.objectContaining({ ImageId: intermediate, LaunchPermission: { Remove: [{ UserId: TARGET }] } }),
      ]);
      expect(accountView(standin, SOURCE)).toEqual(before);
      expect(standin.sharedWith(SOURCE, REGION, DEFAULTS.sourceAmiId)).toEqual(sharedBefore);
      // The re-encryption used the CMK.
      expect(okCalls(standin, 'CopyImage', SOURCE).map((c) => c.params)).toEqual([
        expect.objectContaining({ SourceImageId: DEFAULTS.sourceAmiId, Encrypted: true, KmsKeyId: DEFAULTS.sourceKeyArn }),
      ]);
      expect(standin.grants(SOURCE, REGION, DEFAULTS.sourceKeyArn)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'of an AMI under aws/ebs: re-encrypted with the CMK (aws/ebs snapshots cannot be shared), copied under alias/golden-ami',
    async () => {
      const before = accountView(standin, SOURCE);
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_EBS, 'target-kms-key': DEFAULTS.targetKeyAlias }));
      expectPromoted(standin, run, {
        sourceAmiId: AMI_EBS,
        regions: [REGION],
        keyArn: targetKeyArn,
        keyLabel: targetKeyArn,
        reencrypted: true,
        sourceTags: { Team: 'platform' },
      });
      expect(accountView(standin, SOURCE)).toEqual(before);
      // The snapshots under aws/ebs themselves were never shared.
      expect(okCalls(standin, 'ModifySnapshotAttribute', SOURCE).every((c) => c.params.SnapshotId !== standin.image(SOURCE, REGION, AMI_EBS)?.blockDevices[0]?.snapshotId)).toBe(true);
      expect(standin.image(TARGET, REGION, run.main.outputs['ami-id'] as string)?.description).toBe('under aws/ebs');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'of an AMI already under the CMK: shared as it is (no intermediate copy), and unshared afterwards',
    async () => {
      const before = accountView(standin, SOURCE);
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_CMK, 'target-kms-key': DEFAULTS.targetKeyAlias }));
      expectPromoted(standin, run, {
        sourceAmiId: AMI_CMK,
        regions: [REGION],
        keyArn: targetKeyArn,
        keyLabel: targetKeyArn,
        reencrypted: false,
        sourceTags: { Team: 'platform' },
      });
      expect(okCalls(standin, 'CopyImage', SOURCE)).toEqual([]);
      const snapshotId = standin.image(SOURCE, REGION, AMI_CMK)?.blockDevices[0]?.snapshotId;
      expect(okCalls(standin, 'ModifyImageAttribute', SOURCE).map((c) => c.params.ImageId)).toEqual([AMI_CMK, AMI_CMK]);
      expect(okCalls(standin, 'ModifySnapshotAttribute', SOURCE).map((c) => c.params.SnapshotId)).toEqual([snapshotId, snapshotId]);
      expect(standin.sharedWith(SOURCE, REGION, AMI_CMK)).toEqual({ image: [], snapshots: { [snapshotId as string]: [] } });
      expect(accountView(standin, SOURCE)).toEqual(before);
      expect(run.main.log).toContain('sharing it as it is');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'of an AMI with two data volumes (unencrypted root, aws/ebs and CMK data volumes): every volume copied under the target key',
    async () => {
      const before = accountView(standin, SOURCE);
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_MULTI, 'target-kms-key': DEFAULTS.targetKeyAlias }));
      const promoted = expectPromoted(standin, run, {
        sourceAmiId: AMI_MULTI,
        regions: [REGION],
        keyArn: targetKeyArn,
        keyLabel: targetKeyArn,
        reencrypted: true,
        devices: ['/dev/xvda', '/dev/sdf', '/dev/sdg'],
      });
      expect(promoted.snapshotIds[REGION]).toHaveLength(3);
      expect(promoted.snapshotIds[REGION]?.map((id) => standin.snapshot(TARGET, REGION, id)?.volumeSize)).toEqual([8, 20, 50]);
      // Three volume permissions added and removed on the intermediate copy's snapshots.
      const volumeShares = okCalls(standin, 'ModifySnapshotAttribute', SOURCE).map((c) => c.params.CreateVolumePermission);
      expect(volumeShares.filter((p) => JSON.stringify(p).includes('Add'))).toHaveLength(3);
      expect(volumeShares.filter((p) => JSON.stringify(p).includes('Remove'))).toHaveLength(3);
      expect(accountView(standin, SOURCE)).toEqual(before);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'to two target regions with the target key by alias (alias/golden-ami resolved in each region)',
    async () => {
      const before = accountView(standin, SOURCE);
      const run = await promote(
        standin,
        inputs({ 'source-ami-id': AMI_REGIONS, 'target-regions': `${REGION}, ${REGION2}`, 'target-kms-key': DEFAULTS.targetKeyAlias }),
      );
      const promoted = expectPromoted(standin, run, {
        sourceAmiId: AMI_REGIONS,
        regions: [REGION, REGION2],
        keyArn: targetKeyArn,
        keyLabel: targetKeyArn,
        reencrypted: false,
      });
      expect(promoted.amiIds[REGION]).not.toBe(promoted.amiIds[REGION2]);
      const copies = okCalls(standin, 'CopyImage', TARGET);
      expect(copies.map((c) => c.region).sort()).toEqual([REGION2, REGION].sort());
      for (const copy of copies) expect(copy.params).toMatchObject({ SourceImageId: AMI_REGIONS, SourceRegion: REGION, Encrypted: true, KmsKeyId: targetKeyArn(copy.region) });
      expect(accountView(standin, SOURCE)).toEqual(before);
    },
    TEST_TIMEOUT_MS,
  );
});
