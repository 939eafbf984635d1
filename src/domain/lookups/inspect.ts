import { DescribeImagesCommand, DescribeSnapshotsCommand, type BlockDeviceMapping, type Image } from '@aws-sdk/client-ec2';
import { call, explainAwsError } from '../../aws/explain.js';
import { siteOf, type PromotionContext } from '../context.js';
import { PromotionError, errorName } from '../../aws/errors.js';
import { snapshotIdsOf } from '../../aws/images.js';
import { userTags } from '../tags.js';
import type { Tag } from '../types.js';

export interface SourceSnapshot {
  snapshotId: string;
  deviceName: string;
  encrypted: boolean;
  /** Key ARN of an encrypted snapshot, when the source account can see it. */
  kmsKeyId?: string;
}

/**
 * What RegisterImage needs to make the same AMI from copies of its snapshots (copy-method snapshots), as DescribeImages
 * shows it: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html. UEFI data is not in DescribeImages
 * (DescribeImageAttribute uefiData, read when registering).
 */
const REGISTRATION_KEYS = [
  'Architecture',
  'VirtualizationType',
  'RootDeviceName',
  'EnaSupport',
  'SriovNetSupport',
  'BootMode',
  'TpmSupport',
  'ImdsSupport',
  'KernelId',
  'RamdiskId',
] as const satisfies readonly (keyof Image)[];

export type RegistrationAttributes = Pick<Image, (typeof REGISTRATION_KEYS)[number]> & { BlockDeviceMappings: BlockDeviceMapping[] };

export interface SourceImage {
  imageId: string;
  region: string;
  ownerId: string;
  ownedBySource: boolean;
  name: string;
  description?: string;
  tags: Tag[];
  snapshots: SourceSnapshot[];
  platformDetails?: string;
  billingCodes: string[];
  /** The operation and billing code of the AMI ("RunInstances" for Linux/UNIX without a licence billed through the AMI). */
  usageOperation?: string;
  /** Every attribute RegisterImage takes, for copy-method snapshots. */
  registration: RegistrationAttributes;
  /** When the owner deprecated (or will deprecate) the AMI; a deprecated AMI can still be copied by its ID. */
  deprecationTime?: string;
}

function refuse(ctx: PromotionContext, why: string, fix: string): never {
  throw new PromotionError({
    what: `Inspecting ${ctx.request.sourceAmiId}`,
    side: 'source',
    accountId: ctx.source.identity.accountId,
    region: ctx.request.sourceRegion,
    why,
    fix,
  });
}

/**
 * A disabled AMI cannot be launched or shared until its owner re-enables it (only the owner sees it at all), so
 * neither sharing it as it is nor promoting a copy of it is what its owner wants.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/disable-an-ami.html
 */
function refuseDisabled(ctx: PromotionContext): never {
  const { request } = ctx;
  const sourceIdentity = ctx.source.identity;
  refuse(
    ctx,
    `the AMI is disabled: AWS does not let a disabled AMI be launched or shared until its owner re-enables it.`,
    `Re-enable it in account ${sourceIdentity.accountId}: aws ec2 enable-image --image-id ${request.sourceAmiId} --region ${request.sourceRegion}; then run the promotion again.`,
  );
}

async function describeImage(ctx: PromotionContext): Promise<Image | undefined> {
  const { request } = ctx;
  try {
    // A disabled AMI is left out of DescribeImages unless asked for; a deprecated one is returned by its ID anyway.
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html
    const response = await ctx.source.ec2(request.sourceRegion).send(new DescribeImagesCommand({ ImageIds: [request.sourceAmiId], IncludeDisabled: true }));
    return response.Images?.[0];
  } catch (error) {
    if (/^InvalidAMIID\./.test(errorName(error))) return undefined;
    throw explainAwsError(error, { ...siteOf(ctx.source, request.sourceRegion), what: `Describing ${request.sourceAmiId}`, action: 'ec2:DescribeImages' });
  }
}

async function snapshotKeys(ctx: PromotionContext, image: Image, ownedBySource: boolean): Promise<Map<string, { encrypted: boolean; kmsKeyId?: string }>> {
  const ids = snapshotIdsOf(image);
  const keys = new Map<string, { encrypted: boolean; kmsKeyId?: string }>();
  if (ids.length === 0) return keys;
  try {
    const response = await ctx.source.ec2(ctx.request.sourceRegion).send(new DescribeSnapshotsCommand({ SnapshotIds: ids }));
    for (const s of response.Snapshots ?? []) if (s.SnapshotId) keys.set(s.SnapshotId, { encrypted: Boolean(s.Encrypted), kmsKeyId: s.KmsKeyId });
  } catch (error) {
    // Snapshots of an AMI shared from another account may be invisible; it is copied in any case.
    if (ownedBySource) {
      throw explainAwsError(error, { ...siteOf(ctx.source, ctx.request.sourceRegion), what: `Describing the snapshots of ${image.ImageId}`, action: 'ec2:DescribeSnapshots' });
    }
  }
  return keys;
}

/** Whether the AMI's owner shared it with the source account explicitly (not only publicly). */
async function sharedWithSource(ctx: PromotionContext): Promise<boolean> {
  const { request } = ctx;
  const response = await call(
    { ...siteOf(ctx.source, request.sourceRegion), what: `Checking that ${request.sourceAmiId} is shared with the source account`, action: 'ec2:DescribeImages' },
    () => ctx.source.ec2(request.sourceRegion).send(new DescribeImagesCommand({ ImageIds: [request.sourceAmiId], ExecutableUsers: ['self'] })),
  );
  return (response.Images ?? []).some((image) => image.ImageId === request.sourceAmiId);
}

/** Refuses what AWS would refuse of the image itself: not visible, not available, not EBS-backed. */
function requireCopyableState(ctx: PromotionContext, image: Image | undefined): asserts image is Image & { ImageId: string } {
  const { request } = ctx;
  const account = ctx.source.identity.accountId;
  if (!image?.ImageId) {
    refuse(
      ctx,
      `the source account cannot see ${request.sourceAmiId} in ${request.sourceRegion}: it does not exist there, it is neither owned by nor shared with account ${account}, or its owner disabled it (which ends its sharing).`,
      `Check source-ami-id and source-region (AMIs are regional), or share the AMI with account ${account}.`,
    );
  }
  if (image.State === 'disabled') refuseDisabled(ctx);
  if (image.State !== 'available') {
    const reason = image.StateReason?.Message ? ` (${image.StateReason.Message})` : '';
    refuse(
      ctx,
      `the AMI is ${image.State}${reason}, not available.`,
      image.State === 'pending' ? 'Wait until the AMI is available, then run the promotion again.' : 'Promote an available AMI.',
    );
  }
  if (image.RootDeviceType !== 'ebs') {
    refuse(ctx, `the AMI is ${image.RootDeviceType ?? 'not EBS'}-backed; only EBS-backed AMIs can be shared and copied this way.`, 'Promote an EBS-backed AMI.');
  }
}

/** Refuses an AMI the source account may not pass on: public only, or carrying Marketplace codes. */
async function requireOurs(ctx: PromotionContext, image: Image, ownedBySource: boolean): Promise<void> {
  const { request } = ctx;
  const account = ctx.source.identity.accountId;
  const ownerId = image.OwnerId ?? '';
  if (!ownedBySource && !(await sharedWithSource(ctx))) {
    refuse(
      ctx,
      `${request.sourceAmiId} belongs to account ${ownerId} and is public, but neither owned by nor shared with account ${account}.`,
      `Promote an AMI of your own: build it in account ${account} (for example from this public AMI), or have account ${ownerId} share it with account ${account}.`,
    );
  }
  const marketplace = (image.ProductCodes ?? []).filter((p) => p.ProductCodeType === 'marketplace');
  if (marketplace.length > 0) {
    refuse(
      ctx,
      `the AMI carries AWS Marketplace product code(s) ${marketplace.map((p) => p.ProductCodeId).join(', ')}; AWS does not let another account copy Marketplace AMIs or AMIs derived from them.`,
      'Build the image from a base AMI without Marketplace product codes, or subscribe the target account to the product and build the image there.',
    );
  }
}

/** Every EBS snapshot of the image with its encryption, as the source account sees it. */
async function snapshotsOf(ctx: PromotionContext, image: Image, ownedBySource: boolean): Promise<SourceSnapshot[]> {
  const mappings = (image.BlockDeviceMappings ?? []).filter((m) => m.Ebs?.SnapshotId);
  if (mappings.length === 0) refuse(ctx, 'the AMI has no EBS snapshots.', 'Promote an EBS-backed AMI with at least one snapshot.');
  const keys = await snapshotKeys(ctx, image, ownedBySource);
  return mappings.map((m) => {
    const snapshotId = m.Ebs?.SnapshotId as string;
    const known = keys.get(snapshotId);
    return { snapshotId, deviceName: m.DeviceName ?? '', encrypted: known?.encrypted ?? Boolean(m.Ebs?.Encrypted), kmsKeyId: known?.kmsKeyId ?? m.Ebs?.KmsKeyId };
  });
}

function registrationAttributes(image: Image): RegistrationAttributes {
  const attributes = Object.fromEntries(REGISTRATION_KEYS.map((key) => [key, image[key]])) as Pick<Image, (typeof REGISTRATION_KEYS)[number]>;
  return { ...attributes, BlockDeviceMappings: image.BlockDeviceMappings ?? [] };
}

/** The AMI exists, is available, EBS-backed and copyable, with its snapshots and their keys. */
export async function inspectImage(ctx: PromotionContext): Promise<SourceImage> {
  const image = await describeImage(ctx);
  requireCopyableState(ctx, image);
  const ownerId = image.OwnerId ?? '';
  const ownedBySource = ownerId === ctx.source.identity.accountId;
  await requireOurs(ctx, image, ownedBySource);
  return {
    imageId: image.ImageId,
    region: ctx.request.sourceRegion,
    ownerId,
    ownedBySource,
    name: image.Name ?? image.ImageId,
    description: image.Description,
    tags: userTags(image.Tags),
    snapshots: await snapshotsOf(ctx, image, ownedBySource),
    platformDetails: image.PlatformDetails,
    billingCodes: (image.ProductCodes ?? []).flatMap((p) => (p.ProductCodeId ? [p.ProductCodeId] : [])),
    usageOperation: image.UsageOperation,
    registration: registrationAttributes(image),
    deprecationTime: image.DeprecationTime,
  };
}

/** The AMI can be shared as it is: the source account owns it and every snapshot is under the CMK. */
export function isSharableAsIs(image: SourceImage, cmkArn: string): boolean {
  return image.ownedBySource && image.snapshots.every((s) => s.encrypted && s.kmsKeyId === cmkArn);
}
