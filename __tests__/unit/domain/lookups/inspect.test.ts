import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImagesCommand, DescribeSnapshotsCommand, type Image } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { inspectImage, isSharableAsIs } from '../../../../src/domain/lookups/inspect.js';
import {
  KEY_ARN,
  OTHER_ACCOUNT,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  SOURCE_ROLE,
  SOURCE_TAGS,
  awsError,
  buildContext,
  image,
  snapshots,
  sourceSnapshotIds,
  type SourceEncryption,
} from '../../../support/pipeline-fixtures.js';

function setup(shape: Parameters<typeof image>[0] = {}, dataVolumes = 0) {
  const fx = buildContext();
  const ids = sourceSnapshotIds(dataVolumes);
  const ec2 = fx.source.ec2(SOURCE_REGION);
  ec2.on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).resolves({ Images: [image({ snapshotIds: ids, ...shape })] });
  ec2.on(DescribeSnapshotsCommand, { SnapshotIds: ids }).resolves({ Snapshots: snapshots(ids, shape.encryption ?? 'none') });
  return { fx, ec2, ids };
}

async function refusal(fx: ReturnType<typeof buildContext>): Promise<PromotionError> {
  const error = await inspectImage(fx.ctx).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PromotionError);
  const problem = error as PromotionError;
  expect(problem.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
  expect(problem.message).toContain(`(source account ${SOURCE_ACCOUNT}, ${SOURCE_REGION})`);
  expect(problem.message).toContain(SOURCE_AMI);
  expect(fx.mutations()).toEqual([]);
  return problem;
}

describe('inspecting the source AMI', () => {
  it('reads the AMI and its snapshots with source credentials in the source region, and nothing else', async () => {
    const { fx, ec2, ids } = setup({}, 2);
    const result = await inspectImage(fx.ctx);
    expect(fx.sent.map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`)).toEqual([
      `source ec2 ${SOURCE_REGION} DescribeImages`,
      `source ec2 ${SOURCE_REGION} DescribeSnapshots`,
    ]);
    // Disabled AMIs are left out unless asked for: the refusal can then say why.
    expect(ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({ ImageIds: [SOURCE_AMI], IncludeDisabled: true });
    expect(ec2.commandCalls(DescribeSnapshotsCommand)[0]?.args[0].input).toEqual({ SnapshotIds: ids });
    expect(result).toEqual({
      imageId: SOURCE_AMI,
      region: SOURCE_REGION,
      ownerId: SOURCE_ACCOUNT,
      ownedBySource: true,
      name: 'golden-base-2030.01.01',
      description: 'Golden base image',
      tags: SOURCE_TAGS,
      snapshots: [
        { snapshotId: ids[0], deviceName: '/dev/xvda', encrypted: false, kmsKeyId: undefined },
        { snapshotId: ids[1], deviceName: '/dev/xvdb', encrypted: false, kmsKeyId: undefined },
        { snapshotId: ids[2], deviceName: '/dev/xvdc', encrypted: false, kmsKeyId: undefined },
      ],
      platformDetails: 'Linux/UNIX',
      billingCodes: [],
      usageOperation: undefined,
      registration: {
        Architecture: 'x86_64',
        VirtualizationType: 'hvm',
        RootDeviceName: '/dev/xvda',
        BlockDeviceMappings: image({ snapshotIds: ids }).BlockDeviceMappings,
        EnaSupport: undefined,
        SriovNetSupport: undefined,
        BootMode: undefined,
        TpmSupport: undefined,
        ImdsSupport: undefined,
        KernelId: undefined,
        RamdiskId: undefined,
      },
      deprecationTime: undefined,
    });
  });

  it.each<[SourceEncryption, boolean]>([
    ['none', false],
    ['aws-ebs', false],
    ['other-cmk', false],
    ['cmk', true],
  ])('with snapshots encrypted %s, owned by the source account, sharable as it is: %s', async (encryption, sharable) => {
    const { fx } = setup({ encryption }, 1);
    const result = await inspectImage(fx.ctx);
    expect(result.snapshots.every((s) => s.encrypted === (encryption !== 'none'))).toBe(true);
    expect(isSharableAsIs(result, KEY_ARN)).toBe(sharable);
  });

  it('is not sharable as it is when only some snapshots are under the CMK', async () => {
    const fx = buildContext();
    const ids = sourceSnapshotIds(1);
    const ec2 = fx.source.ec2(SOURCE_REGION);
    ec2.on(DescribeImagesCommand).resolves({ Images: [image({ snapshotIds: ids, encryption: 'cmk' })] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [...snapshots([ids[0] as string], 'cmk'), ...snapshots([ids[1] as string], 'aws-ebs')] });
    const result = await inspectImage(fx.ctx);
    expect(isSharableAsIs(result, KEY_ARN)).toBe(false);
  });

  it('accepts an AMI shared from another account whose snapshots it cannot see, and never shares it as it is', async () => {
    const fx = buildContext();
    const ids = sourceSnapshotIds(1);
    const ec2 = fx.source.ec2(SOURCE_REGION);
    ec2.on(DescribeImagesCommand).resolves({ Images: [image({ snapshotIds: ids, encryption: 'cmk', ownerId: OTHER_ACCOUNT })] });
    ec2.on(DescribeSnapshotsCommand).rejects(awsError('InvalidSnapshot.NotFound', `The snapshot '${ids[0]}' does not exist.`));
    const result = await inspectImage(fx.ctx);
    expect(result.ownerId).toBe(OTHER_ACCOUNT);
    expect(result.ownedBySource).toBe(false);
    expect(result.snapshots.map((s) => s.snapshotId)).toEqual(ids);
    expect(result.snapshots.every((s) => s.encrypted)).toBe(true);
    expect(isSharableAsIs(result, KEY_ARN)).toBe(false);
    // Even if its snapshots were visibly under the CMK: the source account cannot share what it does not own.
    expect(isSharableAsIs({ ...result, snapshots: result.snapshots.map((s) => ({ ...s, kmsKeyId: KEY_ARN })) }, KEY_ARN)).toBe(false);
  });

  it('explains a denied DescribeSnapshots on its own AMI with the IAM statement', async () => {
    const { fx, ec2 } = setup();
    ec2.on(DescribeSnapshotsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const problem = await refusal(fx);
    expect(problem.message).toContain('"Action": "ec2:DescribeSnapshots"');
    expect(problem.message).toContain(SOURCE_ROLE);
  });

  it('explains a denied DescribeImages with the IAM statement', async () => {
    const { fx, ec2 } = setup();
    ec2.on(DescribeImagesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const problem = await refusal(fx);
    expect(problem.message).toContain('"Action": "ec2:DescribeImages"');
  });
});

describe('refusing what AWS would refuse', () => {
  it.each([
    ['InvalidAMIID.NotFound', () => Promise.reject(awsError('InvalidAMIID.NotFound', `The image id '[${SOURCE_AMI}]' does not exist`))],
    ['InvalidAMIID.Unavailable', () => Promise.reject(awsError('InvalidAMIID.Unavailable', 'The image is no longer available'))],
    ['an empty answer (not visible to the source account)', () => Promise.resolve({ Images: [] })],
  ])('an AMI that does not exist or is not visible: %s', async (_, answer) => {
    const fx = buildContext();
    fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand).callsFake(answer);
    const problem = await refusal(fx);
    expect(problem.details.why).toContain(`cannot see ${SOURCE_AMI}`);
    expect(problem.details.fix).toContain(`share the AMI with account ${SOURCE_ACCOUNT}`);
  });

  it('a pending AMI', async () => {
    const { fx } = setup({ state: 'pending' });
    const problem = await refusal(fx);
    expect(problem.details.why).toContain('pending');
    expect(problem.details.fix).toContain('Wait until the AMI is available');
  });

  it('a failed AMI, with its reason', async () => {
    const fx = buildContext();
    fx.source
      .ec2(SOURCE_REGION)
      .on(DescribeImagesCommand)
      .resolves({ Images: [{ ...image({ state: 'failed' }), StateReason: { Code: 'Server.InternalError', Message: 'Internal error while creating the image' } }] });
    const problem = await refusal(fx);
    expect(problem.details.why).toContain('failed');
    expect(problem.details.why).toContain('Internal error while creating the image');
  });

  it('an instance-store AMI', async () => {
    const fx = buildContext();
    const instanceStore: Image = { ...image(), RootDeviceType: 'instance-store', BlockDeviceMappings: [{ DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' }] };
    fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand).resolves({ Images: [instanceStore] });
    const problem = await refusal(fx);
    expect(problem.details.why).toContain('instance-store');
    expect(problem.details.why).toContain('EBS-backed');
  });

  it('an AMI with a Marketplace product code', async () => {
    const fx = buildContext();
    fx.source
      .ec2(SOURCE_REGION)
      .on(DescribeImagesCommand)
      .resolves({ Images: [{ ...image({ ownerId: OTHER_ACCOUNT }), ProductCodes: [{ ProductCodeId: 'cvfpd9ti8d54s1sln1udhxv7h', ProductCodeType: 'marketplace' }] }] });
    const problem = await refusal(fx);
    expect(problem.details.why).toContain('cvfpd9ti8d54s1sln1udhxv7h');
    expect(problem.details.why).toContain('Marketplace');
  });

  it('an EBS AMI without snapshots', async () => {
    const fx = buildContext();
    fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand).resolves({ Images: [{ ...image(), BlockDeviceMappings: [] }] });
    const problem = await refusal(fx);
    expect(problem.details.why).toContain('no EBS snapshots');
  });
});

describe('the source AMI state', () => {
  it('refuses a disabled AMI with the command that re-enables it', async () => {
    const { fx } = setup({ state: 'disabled' });
    const problem = await refusal(fx);
    expect(problem.details.why).toBe('the AMI is disabled: AWS does not let a disabled AMI be launched or shared until its owner re-enables it.');
    expect(problem.details.fix).toBe(`Re-enable it in account ${SOURCE_ACCOUNT}: aws ec2 enable-image --image-id ${SOURCE_AMI} --region ${SOURCE_REGION}; then run the promotion again.`);
    expect(fx.sent.map((c) => c.command)).toEqual(['DescribeImages']);
  });

  it('says that an AMI its owner disabled is invisible to the accounts it was shared with', async () => {
    const fx = buildContext();
    fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand).resolves({ Images: [] });
    const problem = await refusal(fx);
    expect(problem.details.why).toContain('or its owner disabled it (which ends its sharing)');
  });

  it('returns the deprecation time of a deprecated AMI, which is still promoted', async () => {
    const fx = buildContext();
    const ids = sourceSnapshotIds();
    const ec2 = fx.source.ec2(SOURCE_REGION);
    ec2.on(DescribeImagesCommand).resolves({ Images: [{ ...image({ snapshotIds: ids }), DeprecationTime: '2029-06-01T00:00:00.000Z' }] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: snapshots(ids, 'none') });
    await expect(inspectImage(fx.ctx)).resolves.toMatchObject({ imageId: SOURCE_AMI, deprecationTime: '2029-06-01T00:00:00.000Z' });
  });
});
