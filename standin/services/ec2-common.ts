/** EC2 building blocks: who sees which image or snapshot, lookups with EC2's errors, and the permission gate. */
import { authorizeEc2 } from '../auth/access.js';
import type { Ec2Resource } from '../auth/ec2-context.js';
import { awsError } from '../errors.js';
import type { ImageState, SnapshotState, WorldState } from '../state.js';
import { callerOf, type CallContext } from './context.js';

export const AMI_ID = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;
export const SNAPSHOT_ID = /^snap-[0-9a-f]{8}([0-9a-f]{9})?$/;
export const ACCOUNT_ID = /^\d{12}$/;

/**
 * An image is visible to its owner, to accounts with a launch permission, in a permitted organization or in a permitted
 * OU or below it, and to all when public. "When you share an AMI with an organization or an OU, all of the children
 * accounts gain access to the AMI" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/share-amis-with-organizations-and-OUs.html).
 */
export function imageVisibleTo(state: WorldState, image: ImageState, accountId: string): boolean {
  if (image.ownerId === accountId || image.launchPublic || image.launchUserIds.has(accountId)) return true;
  const account = state.account(accountId);
  if (!account?.organizationArn) return false;
  if (image.launchOrganizationArns.has(account.organizationArn)) return true;
  const path = account.organizationPath ?? '';
  return [...image.launchOrganizationalUnitArns.keys()].some((arn) => {
    const [, organizationId, ouId] = arn.split('/');
    return path.startsWith(`${organizationId}/`) && path.includes(`/${ouId}/`);
  });
}

/**
 * EC2 is eventually consistent: a resource just created may be answered as not existing for a while
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). Images and snapshots CopyImage made
 * less than settings.notFoundAfterCreateMs ago are not found yet.
 */
export function notYetVisible(ctx: CallContext, resource: ImageState | SnapshotState): boolean {
  return resource.copy !== undefined && ctx.state.now() - resource.copy.startedAt < ctx.settings.notFoundAfterCreateMs;
}

/** A snapshot is restorable by its owner, by accounts with createVolumePermission, and by all when public. */
export function snapshotVisibleTo(snapshot: SnapshotState, accountId: string): boolean {
  return snapshot.ownerId === accountId || snapshot.createVolumePublic !== undefined || snapshot.createVolumeUserIds.has(accountId);
}

export function checkImageId(imageId: string): void {
  if (!AMI_ID.test(imageId)) throw awsError('InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
}

export function checkSnapshotId(snapshotId: string): void {
  if (!SNAPSHOT_ID.test(snapshotId)) {
    throw awsError('InvalidSnapshotID.Malformed', `Invalid id: "${snapshotId}" (expecting "snap-...")`);
  }
}

export function imageNotFound(ids: string[]): Error {
  return awsError('InvalidAMIID.NotFound', `The image id '[${ids.join(', ')}]' does not exist`);
}

export function snapshotNotFound(id: string): Error {
  return awsError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
}

/** An image in `region` the caller can see, or InvalidAMIID.NotFound. */
export function visibleImage(ctx: CallContext, imageId: string, region = ctx.region): ImageState {
  checkImageId(imageId);
  const image = ctx.state.images.get(imageId);
  if (!image || image.region !== region || !imageVisibleTo(ctx.state, image, callerOf(ctx).accountId) || notYetVisible(ctx, image)) {
    throw imageNotFound([imageId]);
  }
  return image;
}

/** An image the caller owns; a visible one owned by someone else is AuthFailure. */
export function ownedImage(ctx: CallContext, imageId: string): ImageState {
  const image = visibleImage(ctx, imageId);
  if (image.ownerId !== callerOf(ctx).accountId) throw awsError('AuthFailure', `Not authorized for image:${imageId}`);
  return image;
}

export function visibleSnapshot(ctx: CallContext, snapshotId: string): SnapshotState {
  checkSnapshotId(snapshotId);
  const snapshot = ctx.state.snapshots.get(snapshotId);
  if (!snapshot || snapshot.region !== ctx.region || !snapshotVisibleTo(snapshot, callerOf(ctx).accountId) || notYetVisible(ctx, snapshot)) {
    throw snapshotNotFound(snapshotId);
  }
  return snapshot;
}

export function ownedSnapshot(ctx: CallContext, snapshotId: string): SnapshotState {
  const snapshot = visibleSnapshot(ctx, snapshotId);
  if (snapshot.ownerId !== callerOf(ctx).accountId) throw awsError('AuthFailure', `Not authorized for snapshot:${snapshotId}`);
  return snapshot;
}

/** IAM check for `ec2:<action>` on each resource (ANY for "*"), then the DryRun answer when the caller asked for one. */
export async function gate(ctx: CallContext, action: string, resources: Ec2Resource[], dryRun: boolean | undefined): Promise<void> {
  await authorizeEc2(callerOf(ctx), `ec2:${action}`, resources, ctx.region, ctx.settings.ec2ConditionKeys);
  if (dryRun) throw awsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
}

/** The tags one account has put on a resource. */
export function tagsFor(tags: Map<string, Map<string, string>>, accountId: string): { Key: string; Value: string }[] | undefined {
  const own = tags.get(accountId);
  if (!own || own.size === 0) return undefined;
  return [...own].map(([Key, Value]) => ({ Key, Value }));
}

/**
 * CreateTags (and CopyImage's TagSpecifications) add or overwrite the tags one account puts on a resource; at most 50
 * user tags per resource, aws: keys being reserved: TagLimitExceeded beyond, before anything changes
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTags.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions).
 */
export function addTags(tags: Map<string, Map<string, string>>, accountId: string, add: { Key?: string; Value?: string }[]): void {
  let own = tags.get(accountId);
  if (!own) tags.set(accountId, (own = new Map()));
  for (const tag of add) {
    if (!tag.Key) throw awsError('InvalidParameterValue', 'Tag keys must not be empty');
    if (tag.Key.toLowerCase().startsWith('aws:')) {
      throw awsError('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`);
    }
  }
  const count = new Set([...own.keys(), ...add.map((tag) => tag.Key as string)]).size;
  if (count > 50) throw awsError('TagLimitExceeded', `The maximum number of tags for a resource (50) would be exceeded: ${count} tags.`);
  for (const tag of add) own.set(tag.Key as string, tag.Value ?? '');
}

/**
 * DeleteTags (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteTags.html): a key without a value deletes
 * the tag whatever its value; with a value (the empty string included) only when the value is the same; no tags at all
 * deletes every user tag. A key the resource does not have is no error: undocumented, but AWS answers so
 * (https://github.com/aws/aws-cli/issues/138).
 */
export function removeTags(tags: Map<string, Map<string, string>>, accountId: string, remove: { Key?: string; Value?: string }[] | undefined): void {
  const own = tags.get(accountId);
  if (!own) return;
  if (remove === undefined) {
    own.clear();
    return;
  }
  for (const tag of remove) {
    if (!tag.Key) throw awsError('InvalidParameterValue', 'Tag keys must not be empty');
    if (tag.Value === undefined || own.get(tag.Key) === tag.Value) own.delete(tag.Key);
  }
}

/** Whether a snapshot is used by a registered image. */
export function imageUsing(state: WorldState, snapshotId: string): ImageState | undefined {
  return [...state.images.values()].find((image) => image.blockDevices.some((d) => d.snapshotId === snapshotId));
}

export function stamp(ctx: CallContext): { addedBy: string; addedAt: string } {
  return { addedBy: callerOf(ctx).arn, addedAt: new Date(ctx.state.now()).toISOString() };
}

/** What ClientToken idempotency compares: the request without its token and DryRun, keys sorted. */
export function requestFingerprint(input: object): string {
  const rest: Record<string, unknown> = { ...input };
  delete rest.ClientToken;
  delete rest.DryRun;
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object' && !(value instanceof Date)
        ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
        : value;
  return JSON.stringify(canonical(rest));
}
