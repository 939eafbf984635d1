import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import {
  CopySnapshotCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  RegisterImageCommand,
  type RegisterImageCommandInput,
  type BlockDeviceMapping,
  type Image,
} from '@aws-sdk/client-ec2';
import { copySnapshotsInto, readUefiData, targetMappings, type SnapshotSource } from '../../../../src/domain/steps/copy-snapshots.js';
import { PromotionError } from '../../../../src/aws/errors.js';
import type { SourceImage } from '../../../../src/domain/lookups/inspect.js';
import {
  INTERMEDIATE_AMI,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  SOURCE_TAGS,
  TARGET_ACCOUNT,
  awsError,
  buildContext,
  customerTargetKey,
  defaultTargetKey,
  expectedProvenanceTags,
  targetImageId,
  targetKeyArn,
} from '../../../support/pipeline-fixtures.js';

const SHARED = ['snap-0aaaaaaaaaaaaaaa1', 'snap-0aaaaaaaaaaaaaaa2'];
const COPIES = ['snap-0ccccccccccccccc1', 'snap-0ccccccccccccccc2'];
const UEFI = 'QU1aTlVFRkk=';

/** A UEFI AMI with every attribute RegisterImage takes, and every kind of mapping. */
const MAPPINGS: BlockDeviceMapping[] = [
  { DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-0source000000001', VolumeSize: 20, VolumeType: 'gp3', Iops: 4000, Throughput: 250, DeleteOnTermination: true, Encrypted: true } },
  { DeviceName: '/dev/xvdb', Ebs: { SnapshotId: 'snap-0source000000002', VolumeSize: 100, VolumeType: 'io2', Iops: 5000, DeleteOnTermination: false, Encrypted: true } },
  { DeviceName: '/dev/xvdc', Ebs: { VolumeSize: 50, VolumeType: 'st1', DeleteOnTermination: true, Encrypted: true, KmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/source' } },
  { DeviceName: '/dev/xvdd', Ebs: { VolumeSize: 10, VolumeType: 'gp2', DeleteOnTermination: true } },
  { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' },
  { DeviceName: '/dev/sdc', NoDevice: '' },
];

const ATTRIBUTES = {
  Architecture: 'arm64',
  VirtualizationType: 'hvm',
  RootDeviceName: '/dev/xvda',
  EnaSupport: true,
  SriovNetSupport: 'simple',
  BootMode: 'uefi',
  TpmSupport: 'v2.0',
  ImdsSupport: 'v2.0',
  KernelId: undefined,
  RamdiskId: undefined,
} as const;

const image: SourceImage = {
  imageId: SOURCE_AMI,
  region: SOURCE_REGION,
  ownerId: SOURCE_ACCOUNT,
  ownedBySource: true,
  name: 'golden-base-2030.01.01',
  description: 'Golden base image',
  tags: SOURCE_TAGS,
  snapshots: [],
  billingCodes: [],
  usageOperation: 'RunInstances',
  registration: { ...ATTRIBUTES, BlockDeviceMappings: MAPPINGS },
};
const source: SnapshotSource = {
  image,
  shared: { imageId: INTERMEDIATE_AMI, snapshotIds: SHARED, intermediate: true, deviceSnapshots: { '/dev/xvda': SHARED[0] as string, '/dev/xvdb': SHARED[1] as string } },
  uefiData: UEFI,
};

/** The target's view of the registered AMI: what RegisterImage was given, as DescribeImages shows it. */
function registered(input: RegisterImageCommandInput, state: Image['State']): Image {
  const { Name, Description, BlockDeviceMappings, Architecture, VirtualizationType, RootDeviceName, EnaSupport, SriovNetSupport, BootMode, TpmSupport, ImdsSupport } = input;
  return { ImageId: targetImageId(SOURCE_REGION), State: state, Name, Description, BlockDeviceMappings, Architecture, VirtualizationType: VirtualizationType as Image['VirtualizationType'], RootDeviceName, EnaSupport, SriovNetSupport, BootMode, TpmSupport, ImdsSupport };
}

function setup(pendingPolls = 1, overrides: Parameters<typeof buildContext>[0] = {}) {
  const fx = buildContext({ copyMethod: 'snapshots', ...overrides });
  const ec2 = fx.target.ec2(SOURCE_REGION);
  let copied = 0;
  ec2.on(CopySnapshotCommand).callsFake(() => Promise.resolve({ SnapshotId: COPIES[copied++] }));
  let polls = 0;
  ec2.on(DescribeSnapshotsCommand, { SnapshotIds: COPIES }).callsFake(() => {
    polls++;
    const done = polls > pendingPolls;
    return Promise.resolve({ Snapshots: COPIES.map((SnapshotId) => ({ SnapshotId, State: done ? 'completed' : 'pending', Progress: done ? '100%' : '40%' })) });
  });
  ec2.on(RegisterImageCommand).resolves({ ImageId: targetImageId(SOURCE_REGION) });
  ec2.on(DescribeImagesCommand, { ImageIds: [targetImageId(SOURCE_REGION)] }).callsFake(() => {
    const input = ec2.commandCalls(RegisterImageCommand)[0]?.args[0].input as RegisterImageCommandInput;
    return Promise.resolve({ Images: [registered(input, 'available')] });
  });
  return { fx, ec2 };
}

describe('copy-method snapshots: copying the snapshots and registering the AMI in the target', () => {
  it('copies every shared snapshot under the target key, tagged as promoted, and journals each copy as it starts', async () => {
    const { fx, ec2 } = setup();
    const key = customerTargetKey(SOURCE_REGION);
    await copySnapshotsInto(fx.ctx, source, key);
    const tags = [...SOURCE_TAGS, ...expectedProvenanceTags(targetKeyArn(SOURCE_REGION))];
    expect(ec2.commandCalls(CopySnapshotCommand).map((c) => c.args[0].input)).toEqual(
      SHARED.map((SourceSnapshotId, i) => ({
        SourceSnapshotId,
        SourceRegion: SOURCE_REGION,
        Encrypted: true,
        KmsKeyId: targetKeyArn(SOURCE_REGION),
        Description: `${['/dev/xvda', '/dev/xvdb'][i]} of golden-base-2030.01.01, promoted from ${SOURCE_AMI} (account ${SOURCE_ACCOUNT}, ${SOURCE_REGION})`,
        CompletionDurationMinutes: undefined,
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
      })),
    );
    expect(fx.journal.entries().map(({ at: _at, ...entry }) => entry)).toEqual([
      { kind: 'target-snapshot-copy', accountId: TARGET_ACCOUNT, region: SOURCE_REGION, snapshotId: COPIES[0], sourceSnapshotId: SHARED[0] },
      { kind: 'target-snapshot-copy', accountId: TARGET_ACCOUNT, region: SOURCE_REGION, snapshotId: COPIES[1], sourceSnapshotId: SHARED[1] },
      { kind: 'target-copy', accountId: TARGET_ACCOUNT, region: SOURCE_REGION, imageId: targetImageId(SOURCE_REGION) },
      { kind: 'target-copy-done', accountId: TARGET_ACCOUNT, region: SOURCE_REGION, imageId: targetImageId(SOURCE_REGION) },
    ]);
  });

  it('registers the AMI only once every copy completed, with every attribute of the source AMI, its UEFI data and the promoted tags', async () => {
    const { fx, ec2 } = setup(2);
    const key = customerTargetKey(SOURCE_REGION);
    const result = await copySnapshotsInto(fx.ctx, source, key);
    const order = fx.sent.map((c) => c.command);
    expect(order.lastIndexOf('DescribeSnapshots')).toBeLessThan(order.indexOf('RegisterImage'));
    expect(fx.log.messages('info')).toContain(`snapshot copies in ${SOURCE_REGION}: ${COPIES[0]} 40%, ${COPIES[1]} 40%`);
    const input = ec2.commandCalls(RegisterImageCommand)[0]?.args[0].input;
    expect(input).toEqual({
      ...ATTRIBUTES,
      Name: 'golden-base-2030.01.01',
      Description: 'Golden base image',
      UefiData: UEFI,
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { SnapshotId: COPIES[0], VolumeSize: 20, VolumeType: 'gp3', Iops: 4000, Throughput: 250, DeleteOnTermination: true } },
        { DeviceName: '/dev/xvdb', Ebs: { SnapshotId: COPIES[1], VolumeSize: 100, VolumeType: 'io2', Iops: 5000, Throughput: undefined, DeleteOnTermination: false } },
        { DeviceName: '/dev/xvdc', Ebs: { VolumeSize: 50, VolumeType: 'st1', Iops: undefined, Throughput: undefined, DeleteOnTermination: true, Encrypted: true, KmsKeyId: targetKeyArn(SOURCE_REGION) } },
        { DeviceName: '/dev/xvdd', Ebs: { VolumeSize: 10, VolumeType: 'gp2', Iops: undefined, Throughput: undefined, DeleteOnTermination: true } },
        { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' },
        { DeviceName: '/dev/sdc', NoDevice: '' },
      ],
      TagSpecifications: [{ ResourceType: 'image', Tags: [...SOURCE_TAGS, ...expectedProvenanceTags(targetKeyArn(SOURCE_REGION))] }],
    });
    expect(result).toMatchObject({ region: SOURCE_REGION, imageId: targetImageId(SOURCE_REGION), snapshotIds: COPIES, key });
  });

  it('lets the default key encrypt the copies (no KmsKeyId) and passes copy-completion-minutes to each copy', async () => {
    const { fx, ec2 } = setup(0, { copyCompletionMinutes: 30 });
    await copySnapshotsInto(fx.ctx, source, defaultTargetKey(SOURCE_REGION));
    const input = ec2.commandCalls(CopySnapshotCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ Encrypted: true, KmsKeyId: undefined, CompletionDurationMinutes: 30 });
  });

  it('fails on a snapshot copy in error with a KMS explanation, before registering anything; the copies are journaled for cleanup', async () => {
    const { fx, ec2 } = setup();
    ec2.on(DescribeSnapshotsCommand, { SnapshotIds: COPIES }).resolves({
      Snapshots: [
        { SnapshotId: COPIES[0], State: 'error', StateMessage: 'Given key ID is not accessible' },
        { SnapshotId: COPIES[1], State: 'pending', Progress: '10%' },
      ],
    });
    const error = (await copySnapshotsInto(fx.ctx, source, customerTargetKey(SOURCE_REGION)).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details.why).toMatch(/^snapshot snap-0ccccccccccccccc1 of the copy is in state error: Given key ID is not accessible\. This is a KMS permission problem/);
    expect(ec2.commandCalls(RegisterImageCommand)).toHaveLength(0);
    expect(fx.journal.entries().map((e) => e.kind)).toEqual(['target-snapshot-copy', 'target-snapshot-copy']);
  });

  it('explains a shared snapshot the target no longer sees (its sharing removed during the run), with nothing registered', async () => {
    const { fx, ec2 } = setup(0);
    ec2.on(CopySnapshotCommand).rejects(awsError('InvalidSnapshot.NotFound', `The snapshot '${SHARED[0]}' does not exist.`));
    const error = (await copySnapshotsInto(fx.ctx, source, customerTargetKey(SOURCE_REGION)).catch((e: unknown) => e)) as PromotionError;
    expect(error.details).toMatchObject({ action: 'ec2:CopySnapshot', side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(error.details.why).toContain(`its createVolumePermission for account ${TARGET_ACCOUNT} was removed during the run`);
    expect(ec2.commandCalls(RegisterImageCommand)).toHaveLength(0);
    expect(fx.journal.entries()).toEqual([]);
  });

  it('explains a name already taken in the target when registering', async () => {
    const { fx, ec2 } = setup(0);
    ec2.on(RegisterImageCommand).rejects(awsError('InvalidAMIName.Duplicate', 'AMI name golden-base-2030.01.01 is already in use by AMI ami-0123'));
    const error = (await copySnapshotsInto(fx.ctx, source, customerTargetKey(SOURCE_REGION)).catch((e: unknown) => e)) as PromotionError;
    expect(error.details).toMatchObject({ action: 'ec2:RegisterImage', why: `the target account already has an AMI named "golden-base-2030.01.01" in ${SOURCE_REGION}.` });
  });
});

describe('reading the UEFI data in the source account', () => {
  it('reads DescribeImageAttribute uefiData of the shared AMI with source credentials; none is undefined', async () => {
    const fx = buildContext({ copyMethod: 'snapshots' });
    const ec2 = fx.source.ec2(SOURCE_REGION);
    ec2.on(DescribeImageAttributeCommand, { ImageId: INTERMEDIATE_AMI, Attribute: 'uefiData' }).resolvesOnce({ UefiData: { Value: UEFI } }).resolves({});
    await expect(readUefiData(fx.ctx, source.shared)).resolves.toBe(UEFI);
    await expect(readUefiData(fx.ctx, source.shared)).resolves.toBeUndefined();
    expect(fx.sent.map((c) => `${c.side} ${c.region} ${c.command}`)).toEqual([`source ${SOURCE_REGION} DescribeImageAttribute`, `source ${SOURCE_REGION} DescribeImageAttribute`]);
  });
});

describe('targetMappings', () => {
  it('keeps mappings in order and never sets the encryption of a volume from a snapshot', () => {
    const mapped = targetMappings(MAPPINGS, { '/dev/xvda': 'snap-1', '/dev/xvdb': 'snap-2' }, customerTargetKey(SOURCE_REGION));
    expect(mapped.map((m) => m.DeviceName)).toEqual(MAPPINGS.map((m) => m.DeviceName));
    const withSnapshots = mapped.filter((m) => m.Ebs?.SnapshotId);
    expect(withSnapshots.map((m) => [m.DeviceName, m.Ebs?.SnapshotId])).toEqual([
      ['/dev/xvda', 'snap-1'],
      ['/dev/xvdb', 'snap-2'],
    ]);
    expect(withSnapshots.every((m) => m.Ebs?.Encrypted === undefined && m.Ebs?.KmsKeyId === undefined)).toBe(true);
  });
});
