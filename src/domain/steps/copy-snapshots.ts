/**
 * copy-method snapshots: AWS's procedure for an encrypted AMI shared by its snapshots only. The target account copies
 * each shared snapshot under its own key (CopySnapshot) and registers a new AMI from the copies (RegisterImage) with
 * every attribute of the source.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html
 */
import { CopySnapshotCommand, DescribeImageAttributeCommand, RegisterImageCommand, type BlockDeviceMapping } from '@aws-sdk/client-ec2';
import { call } from '../../aws/explain.js';
import { snapshotIdsOf } from '../../aws/images.js';
import { siteOf, type PromotionContext, type TargetContext } from '../context.js';
import type { SourceImage } from '../lookups/inspect.js';
import type { TargetKey } from '../lookups/target-key.js';
import { promotedDescription, promotedName, promotedTags } from '../provenance.js';
import type { Tag } from '../types.js';
import { copyStartError, type TargetCopy } from './copy.js';
import type { SharedImage } from './reencrypt.js';
import { waitForImage, waitForSnapshots } from './wait.js';

/** What every target registers its AMI from: the source's attributes, the shared snapshots and the UEFI data. */
export interface SnapshotSource {
  image: SourceImage;
  shared: SharedImage;
  /** DescribeImageAttribute uefiData of the shared AMI; undefined when it has none. */
  uefiData?: string;
}

/**
 * The UEFI variable store is not in DescribeImages; DescribeImageAttribute uefiData gives it, and RegisterImage's
 * UefiData makes "an exact copy of your variable store"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImageAttribute.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetInstanceUefiData.html). AWS does not document
 * whether an account the AMI is not shared with by launch permission may read it, so the source account reads it from
 * the AMI it shares (its own: the source AMI or the intermediate copy) and passes it on.
 */
export async function readUefiData(ctx: PromotionContext, shared: SharedImage): Promise<string | undefined> {
  const region = ctx.request.sourceRegion;
  const response = await call({ ...siteOf(ctx.source, region), what: `Reading the UEFI data of ${shared.imageId}`, action: 'ec2:DescribeImageAttribute' }, () =>
    ctx.source.ec2(region).send(new DescribeImageAttributeCommand({ ImageId: shared.imageId, Attribute: 'uefiData' })),
  );
  return response.UefiData?.Value || undefined;
}

/**
 * The source's mappings for RegisterImage in the target: snapshots replaced by their copies, with size, type, IOPS,
 * throughput and delete-on-termination; "you can't specify the encryption state of the volume" of a snapshot (the copy
 * is under the target key); empty volumes encrypted under the target key when the source's are encrypted; ephemeral
 * (VirtualName) and NoDevice mappings as they are.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_BlockDeviceMapping.html
 */
export function targetMappings(mappings: readonly BlockDeviceMapping[], copies: Record<string, string>, key: TargetKey): BlockDeviceMapping[] {
  return mappings.map(({ DeviceName, VirtualName, NoDevice, Ebs }) => {
    if (!Ebs) return { DeviceName, ...(VirtualName !== undefined ? { VirtualName } : {}), ...(NoDevice !== undefined ? { NoDevice } : {}) };
    const { VolumeSize, VolumeType, Iops, Throughput, DeleteOnTermination, SnapshotId, Encrypted } = Ebs;
    const volume = { DeleteOnTermination, VolumeSize, VolumeType, Iops, Throughput };
    if (SnapshotId) return { DeviceName, Ebs: { ...volume, SnapshotId: copies[DeviceName ?? ''] } };
    return { DeviceName, Ebs: { ...volume, ...(Encrypted ? { Encrypted: true, KmsKeyId: key.arn } : {}) } };
  });
}

/** CopySnapshot of each shared snapshot under the target key, tagged as promoted; each copy journaled as it starts. */
async function copySnapshots(ctx: TargetContext, source: SnapshotSource, key: TargetKey, tags: Tag[]): Promise<Record<string, string>> {
  const { request } = ctx;
  const accountId = ctx.target.identity.accountId;
  const copies: Record<string, string> = {};
  for (const [device, sourceSnapshotId] of Object.entries(source.shared.deviceSnapshots)) {
    ctx.signal.throwIfAborted();
    const site = { what: `Copying snapshot ${sourceSnapshotId} (${device}) into the target account`, ...siteOf(ctx.target, key.region), action: 'ec2:CopySnapshot' };
    const response = await ctx.target
      .ec2(key.region)
      .send(
        new CopySnapshotCommand({
          SourceSnapshotId: sourceSnapshotId,
          SourceRegion: request.sourceRegion,
          Encrypted: true,
          KmsKeyId: key.arn,
          Description: `${device} of ${promotedName(ctx, source.image)}, promoted from ${source.image.imageId} (account ${ctx.source.identity.accountId}, ${request.sourceRegion})`.slice(0, 255),
          CompletionDurationMinutes: request.copyCompletionMinutes,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
        }),
      )
      .catch((error: unknown) => {
        throw copyStartError(ctx, source.shared.imageId, promotedName(ctx, source.image), site, error);
      });
    const snapshotId = response.SnapshotId as string;
    ctx.journal.record({ kind: 'target-snapshot-copy', accountId, region: key.region, snapshotId, sourceSnapshotId });
    copies[device] = snapshotId;
  }
  return copies;
}

/** RegisterImage from the copies with every attribute of the source AMI, tagged as the image path tags its copies. */
async function registerImage(ctx: TargetContext, source: SnapshotSource, key: TargetKey, copies: Record<string, string>, tags: Tag[]): Promise<string> {
  const name = promotedName(ctx, source.image);
  const site = { what: `Registering ${name} from the snapshot copies`, ...siteOf(ctx.target, key.region), action: 'ec2:RegisterImage' };
  const { BlockDeviceMappings, ...attributes } = source.image.registration;
  const response = await ctx.target
    .ec2(key.region)
    .send(
      new RegisterImageCommand({
        ...attributes,
        Name: name,
        Description: promotedDescription(ctx, source.image),
        BlockDeviceMappings: targetMappings(BlockDeviceMappings, copies, key),
        UefiData: source.uefiData,
        TagSpecifications: [{ ResourceType: 'image', Tags: tags }],
      }),
    )
    .catch((error: unknown) => {
      throw copyStartError(ctx, source.shared.imageId, name, site, error);
    });
  return response.ImageId as string;
}

/** The promotion into one region of a target account by its snapshots, from the first copy to the available AMI. */
export async function copySnapshotsInto(ctx: TargetContext, source: SnapshotSource, key: TargetKey): Promise<TargetCopy> {
  ctx.signal.throwIfAborted();
  const accountId = ctx.target.identity.accountId;
  const started = ctx.clock.now();
  const tags = promotedTags(ctx, source.image, key);
  const where = { ...siteOf(ctx.target, key.region), ec2: ctx.target.ec2(key.region), keyDescription: key.display };
  const wait = { clock: ctx.clock, log: ctx.log, signal: ctx.signal, deadline: ctx.deadline };
  const copies = await copySnapshots(ctx, source, key, tags);
  ctx.log.info(`Copying the snapshots of ${source.shared.imageId} into ${key.region} of ${accountId} under ${key.display}: ${Object.values(copies).join(', ')}.`);
  await waitForSnapshots({ label: `snapshot copies in ${key.region}`, ...where, snapshotIds: Object.values(copies) }, wait);
  const imageId = await registerImage(ctx, source, key, copies, tags);
  ctx.journal.record({ kind: 'target-copy', accountId, region: key.region, imageId });
  ctx.log.info(`Registered ${imageId} in ${key.region} of ${accountId} from the snapshot copies.`);
  const image = await waitForImage({ label: `registered AMI in ${key.region}`, ...where, imageId }, wait);
  ctx.journal.record({ kind: 'target-copy-done', accountId, region: key.region, imageId });
  return { region: key.region, imageId, snapshotIds: snapshotIdsOf(image), key, seconds: Math.round((ctx.clock.now() - started) / 1000) };
}
