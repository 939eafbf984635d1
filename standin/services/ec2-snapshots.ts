/** EC2 snapshot operations: describe, createVolumePermission sharing, deletion. */
import type {
  CreateVolumePermission,
  DeleteSnapshotRequest,
  DescribeSnapshotAttributeRequest,
  DescribeSnapshotAttributeResult,
  DescribeSnapshotsRequest,
  DescribeSnapshotsResult,
  ModifySnapshotAttributeRequest,
} from '@aws-sdk/client-ec2';
import { awsError } from '../errors.js';
import type { SnapshotState } from '../state.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';
import {
  ACCOUNT_ID,
  checkSnapshotId,
  gate,
  imageUsing,
  notYetVisible,
  ownedSnapshot,
  snapshotNotFound,
  snapshotVisibleTo,
  stamp,
} from './ec2-common.js';
import { matchesFilters, snapshotFilterFields, snapshotView } from './ec2-views.js';
import { ANY, snapshotResource } from './ec2-resources.js';

async function describeSnapshots(ctx: CallContext, input: DescribeSnapshotsRequest): Promise<DescribeSnapshotsResult> {
  const account = callerOf(ctx).accountId;
  await gate(ctx, 'DescribeSnapshots', ANY, input.DryRun);
  const state = ctx.state;
  const inRegion = [...state.snapshots.values()].filter((s) => s.region === ctx.region && !notYetVisible(ctx, s));
  let snapshots: SnapshotState[];
  if (input.SnapshotIds?.length) {
    input.SnapshotIds.forEach(checkSnapshotId);
    snapshots = input.SnapshotIds.map((id) => {
      const found = inRegion.find((s) => s.snapshotId === id && snapshotVisibleTo(s, account));
      if (!found) throw snapshotNotFound(id);
      return found;
    });
  } else {
    snapshots = inRegion.filter((s) => snapshotVisibleTo(s, account));
  }
  if (input.OwnerIds?.length) {
    const owners = input.OwnerIds.map((o) => (o === 'self' ? account : o));
    snapshots = snapshots.filter((s) => owners.includes(s.ownerId));
  }
  if (input.RestorableByUserIds?.length) {
    const users = input.RestorableByUserIds.map((u) => (u === 'self' ? account : u));
    snapshots = snapshots.filter((s) =>
      users.some((u) => s.ownerId === u || s.createVolumeUserIds.has(u) || (u === 'all' && s.createVolumePublic)),
    );
  }
  const fields = snapshotFilterFields(state);
  snapshots = snapshots.filter((s) => matchesFilters(s, input.Filters, fields, (snap) => snap.tags.get(account)));
  return { Snapshots: snapshots.map((s) => snapshotView(state, s, account)) };
}

async function describeSnapshotAttribute(
  ctx: CallContext,
  input: DescribeSnapshotAttributeRequest,
): Promise<DescribeSnapshotAttributeResult> {
  const snapshotId = required(input.SnapshotId, 'SnapshotId');
  await gate(ctx, 'DescribeSnapshotAttribute', [snapshotResource(ctx, snapshotId)], input.DryRun);
  const snapshot = ownedSnapshot(ctx, snapshotId);
  if (input.Attribute === 'productCodes') return { SnapshotId: snapshotId, ProductCodes: [] };
  if (input.Attribute !== 'createVolumePermission') {
    throw awsError('InvalidParameterValue', `Value (${input.Attribute ?? ''}) for parameter attribute is invalid.`);
  }
  const permissions: CreateVolumePermission[] = [
    ...[...snapshot.createVolumeUserIds.keys()].map((UserId) => ({ UserId })),
    ...(snapshot.createVolumePublic ? [{ Group: 'all' as const }] : []),
  ];
  return { SnapshotId: snapshotId, CreateVolumePermissions: permissions };
}

function permissionChanges(input: ModifySnapshotAttributeRequest): { add: CreateVolumePermission[]; remove: CreateVolumePermission[] } {
  const add: CreateVolumePermission[] = [...(input.CreateVolumePermission?.Add ?? [])];
  const remove: CreateVolumePermission[] = [...(input.CreateVolumePermission?.Remove ?? [])];
  if (input.OperationType) {
    const target = input.OperationType === 'add' ? add : remove;
    for (const UserId of input.UserIds ?? []) target.push({ UserId });
    for (const group of input.GroupNames ?? []) target.push({ Group: group as 'all' });
  }
  return { add, remove };
}

/**
 * ec2:Add/userId, ec2:Add/group, ec2:Remove/userId and ec2:Remove/group: the accounts and groups the call adds or
 * removes (the SAR, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html, lists them
 * for ModifySnapshotAttribute only, not for ModifyImageAttribute). Several values are
 * passed as a multivalued key: UNCONFIRMED in AWS.
 */
function permissionContext(add: CreateVolumePermission[], remove: CreateVolumePermission[]): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  const put = (key: string, values: (string | undefined)[]) => {
    const present = values.filter((v): v is string => v !== undefined);
    if (present.length) context[key] = present.length === 1 ? (present[0] as string) : present;
  };
  put('ec2:Add/userId', add.map((p) => p.UserId));
  put('ec2:Add/group', add.map((p) => p.Group));
  put('ec2:Remove/userId', remove.map((p) => p.UserId));
  put('ec2:Remove/group', remove.map((p) => p.Group));
  return context;
}

async function modifySnapshotAttribute(ctx: CallContext, input: ModifySnapshotAttributeRequest): Promise<object> {
  const snapshotId = required(input.SnapshotId, 'SnapshotId');
  const { add, remove } = permissionChanges(input);
  await gate(ctx, 'ModifySnapshotAttribute', [snapshotResource(ctx, snapshotId, ctx.region, permissionContext(add, remove))], input.DryRun);
  const snapshot = ownedSnapshot(ctx, snapshotId);
  if (input.Attribute !== undefined && input.Attribute !== 'createVolumePermission') {
    throw awsError('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid.`);
  }
  if (add.length === 0 && remove.length === 0) throw awsError('MissingParameter', 'No attributes specified.');
  for (const p of [...add, ...remove]) {
    if (p.UserId !== undefined && !ACCOUNT_ID.test(p.UserId)) {
      throw awsError('InvalidParameterValue', `Invalid value '${p.UserId}' for userId. It must be an AWS account id.`);
    }
    if (p.Group !== undefined && p.Group !== 'all') throw awsError('InvalidParameterValue', `Invalid value '${p.Group}' for group.`);
  }
  if (snapshot.encrypted) {
    if (add.some((p) => p.Group === 'all')) {
      throw awsError('UnsupportedOperation', "Encrypted snapshots can't be shared publicly. Specify another snapshot.");
    }
    const key = snapshot.kmsKeyArn ? ctx.state.keys.get(snapshot.kmsKeyArn) : undefined;
    if (key?.keyManager === 'AWS' && add.some((p) => p.UserId && p.UserId !== snapshot.ownerId)) {
      throw awsError('InvalidParameter', "Snapshots encrypted with the AWS Managed CMK can't be shared. Specify another snapshot.");
    }
  }
  const record = stamp(ctx);
  for (const p of add) {
    if (p.UserId && !snapshot.createVolumeUserIds.has(p.UserId)) snapshot.createVolumeUserIds.set(p.UserId, record);
    if (p.Group === 'all' && !snapshot.createVolumePublic) snapshot.createVolumePublic = record;
  }
  for (const p of remove) {
    if (p.UserId) snapshot.createVolumeUserIds.delete(p.UserId);
    if (p.Group === 'all') snapshot.createVolumePublic = undefined;
  }
  ctx.mutated = true;
  ctx.notes.createVolumePermission = { add, remove };
  return {};
}

async function deleteSnapshot(ctx: CallContext, input: DeleteSnapshotRequest): Promise<object> {
  const snapshotId = required(input.SnapshotId, 'SnapshotId');
  await gate(ctx, 'DeleteSnapshot', [snapshotResource(ctx, snapshotId)], input.DryRun);
  ownedSnapshot(ctx, snapshotId);
  const user = imageUsing(ctx.state, snapshotId);
  if (user) throw awsError('InvalidSnapshot.InUse', `The snapshot ${snapshotId} is currently in use by ${user.imageId}`);
  // "A locked snapshot can't be deleted": https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LockSnapshot.html
  // UNDOCUMENTED in AWS: the error code; the stand-in answers SnapshotLocked.
  if (ctx.state.snapshots.get(snapshotId)?.locked) throw awsError('SnapshotLocked', `The snapshot ${snapshotId} is locked and cannot be deleted.`);
  ctx.state.snapshots.delete(snapshotId);
  ctx.mutated = true;
  return {};
}

export const snapshotOperations: Record<string, Handler> = {
  DescribeSnapshots: op(describeSnapshots),
  DescribeSnapshotAttribute: op(describeSnapshotAttribute),
  ModifySnapshotAttribute: op(modifySnapshotAttribute),
  DeleteSnapshot: op(deleteSnapshot),
};
