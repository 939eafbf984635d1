/** EC2 image operations: describe, attributes and sharing, deregistration, protection and deprecation. */
import type {
  DeregisterImageRequest,
  DeregisterImageResult,
  DescribeImageAttributeRequest,
  DescribeImagesRequest,
  DescribeImagesResult,
  DisableImageDeprecationRequest,
  DisableImageDeregistrationProtectionRequest,
  EnableImageDeprecationRequest,
  EnableImageDeregistrationProtectionRequest,
  ImageAttribute,
  LaunchPermission,
  ModifyImageAttributeRequest,
} from '@aws-sdk/client-ec2';
import { awsError } from '../errors.js';
import type { ImageState } from '../state.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';
import {
  ACCOUNT_ID,
  checkImageId,
  gate,
  imageNotFound,
  imageVisibleTo,
  notYetVisible,
  ownedImage,
  stamp,
  visibleImage,
} from './ec2-common.js';
import { imageHidden } from './ec2-allowed-images.js';
import { deleteAssociatedSnapshots } from './ec2-image-retirement.js';
import { imageFilterFields, imageView, matchesFilters } from './ec2-views.js';
import { ANY, imageResource } from './ec2-resources.js';

function isDeprecated(image: ImageState, now: number): boolean {
  return image.deprecationTime !== undefined && Date.parse(image.deprecationTime) <= now;
}

/**
 * Deprecated AMIs: their owner always sees them; other accounts see them by ID or with IncludeDeprecated
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-deprecate.html). Disabled AMIs appear only with
 * IncludeDisabled (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html), to their owner
 * alone since disabling removes every launch permission. Whether a disabled AMI asked for by ID without
 * IncludeDisabled is left out or answered with InvalidAMIID.NotFound is undocumented: it is left out here.
 */
async function describeImages(ctx: CallContext, input: DescribeImagesRequest): Promise<DescribeImagesResult> {
  const caller = callerOf(ctx);
  await gate(ctx, 'DescribeImages', ANY, input.DryRun);
  const state = ctx.state;
  const account = caller.accountId;
  const inRegion = [...state.images.values()].filter((i) => i.region === ctx.region && !notYetVisible(ctx, i));
  let images: ImageState[];
  if (input.ImageIds?.length) {
    input.ImageIds.forEach(checkImageId);
    const missing: string[] = [];
    images = [];
    for (const id of input.ImageIds) {
      const image = inRegion.find((i) => i.imageId === id && imageVisibleTo(state, i, account));
      if (image) images.push(image);
      else missing.push(id);
    }
    if (missing.length) throw imageNotFound(missing);
  } else {
    images = inRegion.filter((i) => imageVisibleTo(state, i, account));
    if (!input.IncludeDeprecated) images = images.filter((i) => i.ownerId === account || !isDeprecated(i, state.now()));
  }
  images = images.filter((i) => !imageHidden(state, i, account, ctx.region));
  if (!input.IncludeDisabled) images = images.filter((i) => i.state !== 'disabled');
  if (input.Owners?.length) {
    const owners = input.Owners.map((o) => (o === 'self' ? account : o));
    images = images.filter((i) => owners.includes(i.ownerId));
  }
  if (input.ExecutableUsers?.length) {
    images = images.filter((i) =>
      input.ExecutableUsers?.some((who) => {
        if (who === 'all') return i.launchPublic !== undefined;
        const id = who === 'self' ? account : who;
        return i.launchUserIds.has(id) || (who === 'self' && i.launchPublic !== undefined);
      }),
    );
  }
  const fields = imageFilterFields(state);
  images = images.filter((i) => matchesFilters(i, input.Filters, fields, (img) => img.tags.get(account)));
  return { Images: images.map((i) => imageView(state, i, account)) };
}

function launchPermissions(image: ImageState): LaunchPermission[] {
  return [
    ...[...image.launchUserIds.keys()].map((UserId) => ({ UserId })),
    ...(image.launchPublic ? [{ Group: 'all' as const }] : []),
    ...[...image.launchOrganizationArns.keys()].map((OrganizationArn) => ({ OrganizationArn })),
    ...[...image.launchOrganizationalUnitArns.keys()].map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
  ];
}

/**
 * DescribeImageAttribute uefiData (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImageAttribute.html).
 * UNDOCUMENTED in AWS: whether an account the AMI is shared with may read it; settings.uefiDataReadableByLaunchPermission
 * decides (the owner always may).
 */
function uefiDataFor(ctx: CallContext, image: ImageState): string | undefined {
  const owner = image.ownerId === callerOf(ctx).accountId;
  if (!owner && !ctx.settings.uefiDataReadableByLaunchPermission) throw awsError('AuthFailure', `Not authorized for image:${image.imageId}`);
  return image.features.uefiData;
}

async function describeImageAttribute(ctx: CallContext, input: DescribeImageAttributeRequest): Promise<ImageAttribute> {
  const imageId = required(input.ImageId, 'ImageId');
  const attribute = required(input.Attribute, 'Attribute');
  await gate(ctx, 'DescribeImageAttribute', [imageResource(ctx, imageId)], input.DryRun);
  const image = attribute === 'launchPermission' ? ownedImage(ctx, imageId) : visibleImage(ctx, imageId);
  switch (attribute) {
    case 'launchPermission':
      return { ImageId: imageId, LaunchPermissions: launchPermissions(image) };
    case 'description':
      return { ImageId: imageId, Description: { Value: image.description } };
    case 'blockDeviceMapping':
      return { ImageId: imageId, BlockDeviceMappings: imageView(ctx.state, image, callerOf(ctx).accountId).BlockDeviceMappings };
    case 'productCodes':
      return { ImageId: imageId, ProductCodes: image.productCodes.map((p) => ({ ProductCodeId: p.id, ProductCodeType: p.type })) };
    case 'deregistrationProtection':
      return { ImageId: imageId, DeregistrationProtection: { Value: image.deregistrationProtection } };
    case 'lastLaunchedTime':
      return { ImageId: imageId, LastLaunchedTime: { Value: image.lastLaunchedTime } };
    case 'bootMode':
      return { ImageId: imageId, BootMode: { Value: image.features.bootMode } };
    case 'tpmSupport':
      return { ImageId: imageId, TpmSupport: { Value: image.features.tpmSupport } };
    case 'imdsSupport':
      return { ImageId: imageId, ImdsSupport: { Value: image.features.imdsSupport } };
    case 'sriovNetSupport':
      return { ImageId: imageId, SriovNetSupport: { Value: image.features.sriovNetSupport } };
    case 'uefiData':
      return { ImageId: imageId, UefiData: { Value: uefiDataFor(ctx, image) } };
    default:
      throw awsError('InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`);
  }
}

function hasEncryptedSnapshots(ctx: CallContext, image: ImageState): boolean {
  return image.blockDevices.some((d) => ctx.state.snapshots.get(d.snapshotId)?.encrypted);
}

async function modifyImageAttribute(ctx: CallContext, input: ModifyImageAttributeRequest): Promise<object> {
  const imageId = required(input.ImageId, 'ImageId');
  await gate(ctx, 'ModifyImageAttribute', [imageResource(ctx, imageId)], input.DryRun);
  const image = ownedImage(ctx, imageId);
  const add: LaunchPermission[] = [...(input.LaunchPermission?.Add ?? [])];
  const remove: LaunchPermission[] = [...(input.LaunchPermission?.Remove ?? [])];
  if (input.OperationType) {
    const target = input.OperationType === 'add' ? add : input.OperationType === 'remove' ? remove : undefined;
    if (!target) throw awsError('InvalidParameterValue', `Value (${input.OperationType}) for parameter operationType is invalid.`);
    for (const UserId of input.UserIds ?? []) target.push({ UserId });
    for (const group of input.UserGroups ?? []) target.push({ Group: group as 'all' });
    for (const OrganizationArn of input.OrganizationArns ?? []) target.push({ OrganizationArn });
    for (const OrganizationalUnitArn of input.OrganizationalUnitArns ?? []) target.push({ OrganizationalUnitArn });
  }
  const description = input.Description?.Value ?? (input.Attribute === 'description' ? input.Value : undefined);
  if (add.length === 0 && remove.length === 0 && description === undefined) {
    throw awsError('MissingParameter', 'No attributes specified.');
  }
  for (const permission of [...add, ...remove]) {
    if (permission.UserId !== undefined && !ACCOUNT_ID.test(permission.UserId)) {
      throw awsError('InvalidAMIAttributeItemValue', `Invalid attribute item value "${permission.UserId}" for userId item type.`);
    }
    if (permission.Group !== undefined && permission.Group !== 'all') {
      throw awsError('InvalidAMIAttributeItemValue', `Invalid attribute item value "${permission.Group}" for group item type.`);
    }
  }
  // "A disabled AMI can't be shared" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/disable-an-ami.html); the
  // error code is undocumented.
  if (add.length > 0 && image.state === 'disabled') {
    throw awsError('InvalidParameterValue', `Image ${imageId} is disabled and cannot be shared. Enable it first.`);
  }
  if (add.some((p) => p.Group === 'all')) {
    if (hasEncryptedSnapshots(ctx, image)) {
      throw awsError('UnsupportedOperation', "Encrypted snapshots can't be shared publicly. Specify another snapshot.");
    }
    if (image.productCodes.some((p) => p.type === 'marketplace')) {
      throw awsError('UnsupportedOperation', 'Images with an AWS Marketplace product code cannot be made public.');
    }
  }
  const record = stamp(ctx);
  for (const p of add) {
    if (p.UserId && !image.launchUserIds.has(p.UserId)) image.launchUserIds.set(p.UserId, record);
    if (p.Group === 'all' && !image.launchPublic) image.launchPublic = record;
    if (p.OrganizationArn && !image.launchOrganizationArns.has(p.OrganizationArn)) image.launchOrganizationArns.set(p.OrganizationArn, record);
    if (p.OrganizationalUnitArn && !image.launchOrganizationalUnitArns.has(p.OrganizationalUnitArn)) {
      image.launchOrganizationalUnitArns.set(p.OrganizationalUnitArn, record);
    }
  }
  for (const p of remove) {
    if (p.UserId) image.launchUserIds.delete(p.UserId);
    if (p.Group === 'all') image.launchPublic = undefined;
    if (p.OrganizationArn) image.launchOrganizationArns.delete(p.OrganizationArn);
    if (p.OrganizationalUnitArn) image.launchOrganizationalUnitArns.delete(p.OrganizationalUnitArn);
  }
  if (description !== undefined) image.description = description;
  ctx.mutated = true;
  ctx.notes.launchPermission = { add, remove };
  return {};
}

async function deregisterImage(ctx: CallContext, input: DeregisterImageRequest): Promise<DeregisterImageResult> {
  const imageId = required(input.ImageId, 'ImageId');
  await gate(ctx, 'DeregisterImage', [imageResource(ctx, imageId)], input.DryRun);
  const image = ownedImage(ctx, imageId);
  if (image.deregistrationProtection !== 'disabled') {
    throw awsError(
      'OperationNotPermitted',
      `Image ${imageId} has deregistration protection enabled. Disable deregistration protection before deregistering the image.`,
    );
  }
  const state = ctx.state;
  if (image.copy && !image.copy.done) {
    image.copy.done = true;
    for (const device of image.blockDevices) {
      const snapshot = state.snapshots.get(device.snapshotId);
      if (snapshot?.copy === image.copy && snapshot.state === 'pending') {
        snapshot.state = 'error';
        snapshot.stateMessage = 'Copy cancelled: the image was deregistered';
      }
    }
  }
  state.images.delete(imageId);
  ctx.mutated = true;
  if (!input.DeleteAssociatedSnapshots) return { Return: true };
  return { Return: true, DeleteSnapshotResults: await deleteAssociatedSnapshots(ctx, image) };
}

async function setProtection(ctx: CallContext, input: EnableImageDeregistrationProtectionRequest, enable: boolean): Promise<object> {
  const imageId = required(input.ImageId, 'ImageId');
  const action = enable ? 'EnableImageDeregistrationProtection' : 'DisableImageDeregistrationProtection';
  await gate(ctx, action, [imageResource(ctx, imageId)], input.DryRun);
  const image = ownedImage(ctx, imageId);
  image.deregistrationProtection = enable ? (input.WithCooldown ? 'enabled-with-cooldown' : 'enabled-without-cooldown') : 'disabled';
  ctx.mutated = true;
  return { Return: image.deregistrationProtection };
}

const TEN_YEARS_MS = 10 * 366 * 24 * 3600 * 1000;

async function enableDeprecation(ctx: CallContext, input: EnableImageDeprecationRequest): Promise<object> {
  const imageId = required(input.ImageId, 'ImageId');
  const deprecateAt = required(input.DeprecateAt, 'DeprecateAt');
  await gate(ctx, 'EnableImageDeprecation', [imageResource(ctx, imageId)], input.DryRun);
  const image = ownedImage(ctx, imageId);
  const when = deprecateAt.getTime();
  const now = ctx.state.now();
  if (Number.isNaN(when) || when <= now) {
    throw awsError('InvalidParameterValue', 'The deprecation time must be in the future.');
  }
  if (when > now + TEN_YEARS_MS) {
    throw awsError('InvalidParameterValue', 'The deprecation time can be at most 10 years in the future.');
  }
  // "If you specify a value for seconds, Amazon EC2 rounds the seconds to the nearest minute."
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImageDeprecation.html
  const minute = new Date(Math.round(when / 60000) * 60000);
  image.deprecationTime = minute.toISOString();
  ctx.mutated = true;
  return { Return: true };
}

async function disableDeprecation(ctx: CallContext, input: DisableImageDeprecationRequest): Promise<object> {
  const imageId = required(input.ImageId, 'ImageId');
  await gate(ctx, 'DisableImageDeprecation', [imageResource(ctx, imageId)], input.DryRun);
  ownedImage(ctx, imageId).deprecationTime = undefined;
  ctx.mutated = true;
  return { Return: true };
}

export const imageOperations: Record<string, Handler> = {
  DescribeImages: op(describeImages),
  DescribeImageAttribute: op(describeImageAttribute),
  ModifyImageAttribute: op(modifyImageAttribute),
  DeregisterImage: op(deregisterImage),
  EnableImageDeregistrationProtection: op((ctx, input: EnableImageDeregistrationProtectionRequest) => setProtection(ctx, input, true)),
  DisableImageDeregistrationProtection: op((ctx, input: DisableImageDeregistrationProtectionRequest) =>
    setProtection(ctx, input, false),
  ),
  EnableImageDeprecation: op(enableDeprecation),
  DisableImageDeprecation: op(disableDeprecation),
};
