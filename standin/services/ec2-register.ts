/**
 * RegisterImage of an EBS-backed AMI from snapshots (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html):
 * Name required and unique per account and region; the snapshots of the mappings must be the caller's or shared with
 * it; "If you specify an Amazon EBS volume using the ID of an Amazon EBS snapshot, you can't specify the encryption
 * state of the volume"; defaults: Architecture i386, VirtualizationType paravirtual; BootMode, TpmSupport, UefiData,
 * ImdsSupport, SriovNetSupport and EnaSupport as given; TagSpecifications only for the image. The new AMI carries no
 * billing product code unless BillingProducts is given, which "Your account must be authorized to specify": it is
 * Linux/UNIX (RunInstances) to billing. Instance-store registration (ImageLocation) is not modelled.
 * UNDOCUMENTED in AWS: the error codes of a mapping with both a snapshot and an encryption state, of a root device
 * without a snapshot and of a snapshot not completed (InvalidParameterCombination, InvalidBlockDeviceMapping,
 * IncorrectState here); the AMI is available at once (AWS shows it pending for a short while).
 * Authorization: ec2:RegisterImage on the new image (with the request's tags) and on each snapshot, ec2:CreateTags
 * with ec2:CreateAction = RegisterImage for TagSpecifications (Service Authorization Reference for EC2:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
 */
import type { BlockDeviceMapping, RegisterImageRequest, RegisterImageResult } from '@aws-sdk/client-ec2';
import { requestTagContext, type Ec2Resource } from '../auth/ec2-context.js';
import { imageArn } from '../arns.js';
import { awsError } from '../errors.js';
import { LINUX_BILLING, type BlockDeviceState, type ImageState, type SnapshotState } from '../state.js';
import { callerOf, required, type CallContext } from './context.js';
import { NAME, checkTagLimits } from './ec2-copy.js';
import { addTags, checkSnapshotId, gate, snapshotNotFound, snapshotVisibleTo } from './ec2-common.js';
import { snapshotResource } from './ec2-resources.js';

function validate(ctx: CallContext, input: RegisterImageRequest): string {
  const name = required(input.Name, 'Name');
  if (!NAME.test(name)) throw awsError('InvalidAMIName.Malformed', `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`);
  if (input.ImageLocation) throw awsError('UnsupportedOperation', 'The stand-in does not model instance-store AMIs (ImageLocation).');
  if (input.BillingProducts?.length) throw awsError('AuthFailure', 'Your account is not authorized to specify billing product codes.');
  for (const spec of input.TagSpecifications ?? []) {
    if (spec.ResourceType !== 'image') throw awsError('InvalidParameterValue', `'${spec.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`);
  }
  checkTagLimits(input.TagSpecifications, ctx.settings.maxTagKeyLength);
  const mappings = input.BlockDeviceMappings ?? [];
  for (const m of mappings) {
    if (m.Ebs?.SnapshotId && (m.Ebs.Encrypted !== undefined || m.Ebs.KmsKeyId !== undefined)) {
      throw awsError('InvalidParameterCombination', `The encryption state of ${m.DeviceName ?? 'a volume'} cannot be specified with a snapshot.`);
    }
  }
  const root = mappings.find((m) => m.DeviceName === input.RootDeviceName);
  if (!root?.Ebs?.SnapshotId) throw awsError('InvalidBlockDeviceMapping', `The root device ${input.RootDeviceName ?? '(none)'} has no snapshot mapping.`);
  return name;
}

/** Each mapped snapshot, visible to the caller and completed. */
function mappedSnapshots(ctx: CallContext, mappings: BlockDeviceMapping[]): Map<string, SnapshotState> {
  const found = new Map<string, SnapshotState>();
  for (const id of mappings.flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []))) {
    checkSnapshotId(id);
    const snapshot = ctx.state.snapshots.get(id);
    if (!snapshot || snapshot.region !== ctx.region || !snapshotVisibleTo(snapshot, callerOf(ctx).accountId)) throw snapshotNotFound(id);
    if (snapshot.state !== 'completed') throw awsError('IncorrectState', `Snapshot ${id} is not completed (${snapshot.state}).`);
    found.set(id, snapshot);
  }
  return found;
}

async function authorize(ctx: CallContext, input: RegisterImageRequest, imageId: string): Promise<void> {
  const tags = (input.TagSpecifications ?? []).flatMap((s) => s.Tags ?? []);
  const request = requestTagContext(tags);
  const created: Ec2Resource = { arn: imageArn(ctx.region, imageId), type: 'image', context: request };
  const snapshots = (input.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [snapshotResource(ctx, m.Ebs.SnapshotId)] : []));
  await gate(ctx, 'RegisterImage', [created, ...snapshots], tags.length ? false : input.DryRun);
  if (tags.length) await gate(ctx, 'CreateTags', [{ ...created, context: { ...request, 'ec2:CreateAction': 'RegisterImage' } }], input.DryRun);
}

function blockDevice(m: BlockDeviceMapping, snapshot: SnapshotState): BlockDeviceState {
  const ebs = m.Ebs ?? {};
  const volumeSize = ebs.VolumeSize ?? snapshot.volumeSize;
  if (volumeSize < snapshot.volumeSize) throw awsError('InvalidBlockDeviceMapping', `Volume of size ${volumeSize} is smaller than snapshot ${snapshot.snapshotId}, expect size >= ${snapshot.volumeSize}`);
  return {
    deviceName: m.DeviceName ?? '',
    snapshotId: snapshot.snapshotId,
    volumeSize,
    volumeType: ebs.VolumeType ?? 'gp2',
    deleteOnTermination: ebs.DeleteOnTermination ?? true,
    iops: ebs.Iops,
    throughput: ebs.Throughput,
  };
}

export async function registerImage(ctx: CallContext, input: RegisterImageRequest): Promise<RegisterImageResult> {
  const caller = callerOf(ctx);
  const { state } = ctx;
  const name = validate(ctx, input);
  const imageId = state.newImageId();
  await authorize(ctx, input, imageId);
  const duplicate = [...state.images.values()].find((i) => i.ownerId === caller.accountId && i.region === ctx.region && i.name === name);
  if (duplicate) throw awsError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${duplicate.imageId}`);
  const mappings = input.BlockDeviceMappings ?? [];
  const snapshots = mappedSnapshots(ctx, mappings);
  const image: ImageState = {
    imageId,
    ownerId: caller.accountId,
    region: ctx.region,
    name,
    description: input.Description,
    state: 'available',
    blockDevices: mappings.flatMap((m) => (m.Ebs?.SnapshotId ? [blockDevice(m, snapshots.get(m.Ebs.SnapshotId) as SnapshotState)] : [])),
    otherMappings: structuredClone(mappings.filter((m) => !m.Ebs?.SnapshotId)),
    rootDeviceName: input.RootDeviceName as string,
    rootDeviceType: 'ebs',
    architecture: input.Architecture ?? 'i386',
    virtualizationType: input.VirtualizationType ?? 'paravirtual',
    enaSupport: input.EnaSupport ?? false,
    features: {
      ...LINUX_BILLING,
      sriovNetSupport: input.SriovNetSupport,
      bootMode: input.BootMode,
      tpmSupport: input.TpmSupport,
      imdsSupport: input.ImdsSupport,
      uefiData: input.UefiData,
    },
    productCodes: [],
    launchUserIds: new Map(),
    launchOrganizationArns: new Map(),
    launchOrganizationalUnitArns: new Map(),
    tags: new Map(),
    deregistrationProtection: 'disabled',
    creationDate: new Date(state.now()).toISOString(),
  };
  const tags = (input.TagSpecifications ?? []).flatMap((s) => s.Tags ?? []);
  if (tags.length) addTags(image.tags, caller.accountId, tags);
  state.images.set(imageId, image);
  ctx.mutated = true;
  return { ImageId: imageId };
}
