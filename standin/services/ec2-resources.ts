/**
 * The resources EC2 calls are authorized on, with what the stand-in knows of them as condition keys (the SAR's
 * resource-type table for image, snapshot and launch-template:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-resources-for-iam-policies).
 * Tags are those the caller's account put on the resource (tags are per account in this stand-in). A resource that
 * does not exist (yet) is authorized by its ARN alone; the handler's lookup answers NotFound afterwards.
 */
import { resourceTagContext, type ConditionContext, type Ec2Resource } from '../auth/ec2-context.js';
import { imageArn, launchTemplateArn, snapshotArn } from '../arns.js';
import type { ImageState, LaunchTemplateState, SnapshotState } from '../state.js';
import { callerOf, type CallContext } from './context.js';

const bool = (value: boolean) => (value ? 'true' : 'false');

/** ec2:ImageID, ec2:ImageType, ec2:Owner, ec2:Public, ec2:RootDeviceType and the caller's tags. */
function imageFacts(image: ImageState, viewer: string): ConditionContext {
  return {
    ...resourceTagContext(image.tags.get(viewer)),
    'ec2:ImageID': image.imageId,
    'ec2:ImageType': 'machine',
    'ec2:Owner': image.ownerId,
    'ec2:Public': bool(image.launchPublic !== undefined),
    'ec2:RootDeviceType': image.rootDeviceType,
  };
}

/** ec2:SnapshotID, ec2:Owner, ec2:Encrypted, ec2:VolumeSize, ec2:SnapshotTime and the caller's tags. */
function snapshotFacts(snapshot: SnapshotState, viewer: string): ConditionContext {
  return {
    ...resourceTagContext(snapshot.tags.get(viewer)),
    'ec2:SnapshotID': snapshot.snapshotId,
    'ec2:Owner': snapshot.ownerId,
    'ec2:Encrypted': bool(snapshot.encrypted),
    'ec2:VolumeSize': String(snapshot.volumeSize),
    'ec2:SnapshotTime': snapshot.startTime.toISOString(),
  };
}

/** The image `imageId` in `region` (default: the call's) as a resource; its facts when it exists there. */
export function imageResource(ctx: CallContext, imageId: string, region = ctx.region, extra: ConditionContext = {}): Ec2Resource {
  const image = ctx.state.images.get(imageId);
  const facts = image && image.region === region ? imageFacts(image, callerOf(ctx).accountId) : {};
  return { arn: imageArn(region, imageId), type: 'image', context: { ...facts, ...extra } };
}

export function snapshotResource(ctx: CallContext, snapshotId: string, region = ctx.region, extra: ConditionContext = {}): Ec2Resource {
  const snapshot = ctx.state.snapshots.get(snapshotId);
  const facts = snapshot && snapshot.region === region ? snapshotFacts(snapshot, callerOf(ctx).accountId) : {};
  return { arn: snapshotArn(region, snapshotId), type: 'snapshot', context: { ...facts, ...extra } };
}

/** A launch template of the caller's (its tags), or the ARN `id` names when it has none. */
export function launchTemplateResource(ctx: CallContext, id: string, template: LaunchTemplateState | undefined): Ec2Resource {
  const arn = launchTemplateArn(callerOf(ctx).accountId, ctx.region, id);
  return { arn, type: 'launch-template', context: resourceTagContext(template?.tags) };
}

/** "*": the actions the SAR lists without a resource type. */
export const ANY: Ec2Resource[] = [{ arn: '*', context: {} }];
