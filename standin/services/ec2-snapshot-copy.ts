/**
 * CopySnapshot, called in the destination account and region
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html): the source snapshot must be visible
 * to the caller (its own, or shared by createVolumePermission); "Copies of encrypted EBS snapshots remain encrypted";
 * KmsKeyId needs Encrypted; "To copy an encrypted snapshot that has been shared from another account, you must have
 * permissions for the KMS key used to encrypt the snapshot". As with CopyImage, the KMS permissions EC2 needs are
 * decided at the start and a copy that cannot use its keys turns `error` later (the call succeeds). UNDOCUMENTED in
 * AWS: the StateMessage of such a snapshot (the CopyImage one is used).
 * Authorization: ec2:CopySnapshot on the source snapshot (in the source region) and on the new snapshot (with the
 * request's tags), and ec2:CreateTags with ec2:CreateAction = CopySnapshot for TagSpecifications
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
 */
import type { CopySnapshotRequest, CopySnapshotResult } from '@aws-sdk/client-ec2';
import { requestTagContext, type Ec2Resource } from '../auth/ec2-context.js';
import { snapshotArn } from '../arns.js';
import { awsError } from '../errors.js';
import type { CopyJob, SnapshotState } from '../state.js';
import { callerOf, required, type CallContext } from './context.js';
import { checkCopyLimits, checkTagLimits, chooseKeys, decideKms } from './ec2-copy.js';
import { addTags, checkSnapshotId, gate, snapshotNotFound, snapshotVisibleTo } from './ec2-common.js';
import { snapshotResource } from './ec2-resources.js';

function validate(ctx: CallContext, input: CopySnapshotRequest): { sourceId: string; sourceRegion: string } {
  const sourceId = required(input.SourceSnapshotId, 'SourceSnapshotId');
  const sourceRegion = required(input.SourceRegion, 'SourceRegion');
  checkSnapshotId(sourceId);
  if (input.KmsKeyId && input.Encrypted !== true) {
    throw awsError('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
  }
  const minutes = input.CompletionDurationMinutes;
  if (minutes !== undefined && (minutes < 15 || minutes > 2880 || minutes % 15 !== 0)) {
    throw awsError('InvalidParameterValue', `Value (${minutes}) for parameter CompletionDurationMinutes is invalid. It must be a multiple of 15 between 15 and 2880.`);
  }
  for (const spec of input.TagSpecifications ?? []) {
    if (spec.ResourceType !== 'snapshot') throw awsError('InvalidParameterValue', `'${spec.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`);
  }
  checkTagLimits(input.TagSpecifications, ctx.settings.maxTagKeyLength);
  return { sourceId, sourceRegion };
}

/** Authorizes the copy (and its tagging at creation), then answers DryRun. */
async function authorize(ctx: CallContext, input: CopySnapshotRequest, sourceId: string, sourceRegion: string, snapshotId: string): Promise<void> {
  const tags = (input.TagSpecifications ?? []).flatMap((s) => s.Tags ?? []);
  const request = requestTagContext(tags);
  const created: Ec2Resource = { arn: snapshotArn(ctx.region, snapshotId), type: 'snapshot', context: request };
  const source = snapshotResource(ctx, sourceId, sourceRegion, ctx.settings.copySourceRequestTags ? request : {});
  await gate(ctx, 'CopySnapshot', [source, created], tags.length ? false : input.DryRun);
  if (tags.length) await gate(ctx, 'CreateTags', [{ ...created, context: { ...request, 'ec2:CreateAction': 'CopySnapshot' } }], input.DryRun);
}

export async function copySnapshot(ctx: CallContext, input: CopySnapshotRequest): Promise<CopySnapshotResult> {
  const caller = callerOf(ctx);
  const { state } = ctx;
  const { sourceId, sourceRegion } = validate(ctx, input);
  const snapshotId = state.newSnapshotId();
  await authorize(ctx, input, sourceId, sourceRegion, snapshotId);
  const source = state.snapshots.get(sourceId);
  if (!source || source.region !== sourceRegion || !snapshotVisibleTo(source, caller.accountId)) throw snapshotNotFound(sourceId);
  if (source.state !== 'completed') throw awsError('IncorrectState', `Snapshot ${sourceId} is not in a state that allows copying (${source.state}).`);
  checkCopyLimits(ctx, 1, 0);
  const keys = chooseKeys(ctx, input, [source]);
  const { checks, failure } = await decideKms(ctx, caller, [source], keys, snapshotId);
  const now = state.now();
  const duration = ctx.settings.copyDurationMs;
  const job: CopyJob = {
    sourceImageId: sourceId,
    sourceRegion,
    startedAt: now,
    completeAt: now + duration,
    failAt: failure ? now + Math.min(duration, ctx.settings.copyFailureDelayMs ?? duration / 2) : undefined,
    failure,
    checks,
    completionDurationMinutes: input.CompletionDurationMinutes,
    done: false,
    snapshotOnly: true,
  };
  const target = keys.destination.get(sourceId) ?? { encrypted: false };
  const snapshot: SnapshotState = {
    snapshotId,
    ownerId: caller.accountId,
    region: ctx.region,
    volumeSize: source.volumeSize,
    encrypted: target.encrypted,
    kmsKeyArn: target.key?.arn,
    state: 'pending',
    description: input.Description ?? `[Copied ${sourceId} from ${sourceRegion}]`,
    startTime: new Date(now),
    createVolumeUserIds: new Map(),
    tags: new Map(),
    copy: job,
  };
  const tags = (input.TagSpecifications ?? []).flatMap((s) => s.Tags ?? []);
  if (tags.length) addTags(snapshot.tags, caller.accountId, tags);
  state.snapshots.set(snapshotId, snapshot);
  ctx.mutated = true;
  ctx.notes.kms = failure ? `fails: ${failure.message}` : 'ok';
  return { SnapshotId: snapshotId, Tags: tags.length ? tags : undefined };
}
