/**
 * CopyImage, called in the destination account and region. The call checks visibility, storage
 * permission, name and idempotency; the KMS permissions EC2 needs on the caller's behalf are decided at
 * the start, and a copy that cannot use its keys turns `failed` later (the call itself succeeds).
 */
import type { CopyImageRequest, CopyImageResult } from '@aws-sdk/client-ec2';
import type { Caller } from '../auth/identity.js';
import { authorizeKeyUse } from '../auth/kms-access.js';
import { awsError } from '../errors.js';
import type { CopyJob, ImageState, KeyState, KmsCheck, SnapshotState } from '../state.js';
import { callerOf, required, type CallContext } from './context.js';
import { imageHidden } from './ec2-allowed-images.js';
import { authorizeCopy } from './ec2-copy-auth.js';
import { addTags, checkImageId, imageNotFound, imageVisibleTo, requestFingerprint, snapshotVisibleTo } from './ec2-common.js';

export const NAME = /^[a-zA-Z0-9().\-/_ '@[\]]{3,128}$/;
export const KMS_STATE_CODE = 'Client.InvalidKMSKey.InvalidState';

function keyProblem(key: KeyState): string | undefined {
  if (key.state === 'Disabled') return `${key.arn} is disabled`;
  if (key.state === 'PendingDeletion') return `${key.arn} is pending deletion`;
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT') {
    return `${key.arn} is not a symmetric encryption key (${key.keySpec})`;
  }
  return undefined;
}

interface CopyTarget {
  encrypted: boolean;
  /** Undefined for an unencrypted copy, or when the key could not be resolved. */
  key?: KeyState;
}

export interface CopyKeys {
  /** What each source snapshot (by id) is copied to. */
  destination: Map<string, CopyTarget>;
  /** The destination key reference when it could not be resolved. */
  unresolved?: string;
  usesDefaultKey: boolean;
}

export function chooseKeys(ctx: CallContext, input: Pick<CopyImageRequest, 'Encrypted' | 'KmsKeyId'>, sources: SnapshotState[]): CopyKeys {
  const { state } = ctx;
  const account = callerOf(ctx).accountId;
  const settings = state.settings(account, ctx.region);
  const wantEncrypted = input.Encrypted === true || settings.encryptionByDefault;
  const destination = new Map<string, CopyTarget>();
  let unresolved: string | undefined;
  let usesDefaultKey = false;
  const explicit = input.KmsKeyId ? state.resolveKey(account, ctx.region, input.KmsKeyId) : undefined;
  if (input.KmsKeyId && !explicit) unresolved = input.KmsKeyId;
  for (const snapshot of sources) {
    if (!snapshot.encrypted && !wantEncrypted) {
      destination.set(snapshot.snapshotId, { encrypted: false });
      continue;
    }
    if (input.KmsKeyId) {
      destination.set(snapshot.snapshotId, { encrypted: true, key: explicit });
      continue;
    }
    const sameHome = snapshot.ownerId === account && snapshot.region === ctx.region;
    if (snapshot.encrypted && sameHome && input.Encrypted !== true && snapshot.kmsKeyArn) {
      destination.set(snapshot.snapshotId, { encrypted: true, key: state.keys.get(snapshot.kmsKeyArn) });
      continue;
    }
    const fallback = state.ebsDefaultKey(account, ctx.region);
    usesDefaultKey = true;
    if (!fallback) unresolved = state.settings(account, ctx.region).ebsDefaultKmsKeyId ?? 'alias/aws/ebs';
    destination.set(snapshot.snapshotId, { encrypted: true, key: fallback });
  }
  return { destination, unresolved, usesDefaultKey };
}

async function checkKey(
  ctx: CallContext,
  caller: Caller,
  key: KeyState,
  role: 'source' | 'destination',
  imageId: string,
): Promise<{ checks: KmsCheck[]; allowed: boolean }> {
  const groups = role === 'source' ? ctx.settings.copyKeyRequirements.source : ctx.settings.copyKeyRequirements.destination;
  const checks: KmsCheck[] = [];
  let allowed = true;
  // EC2's calls on the caller's behalf carry kms:ViaService and kms:CallerAccount (see kmsContext).
  const viaEc2Region = role === 'source' && ctx.settings.sourceKeyViaServiceRegion === 'copy' ? ctx.region : key.region;
  for (const alternatives of groups) {
    let groupAllowed = false;
    for (const action of alternatives) {
      const result = await authorizeKeyUse(ctx.state, ctx.settings, { caller, key, action, viaEc2Region });
      checks.push({ keyArn: key.arn, operation: action, role, allowed: result.allowed, by: result.by, reason: result.decision });
      ctx.log.add({
        time: new Date(ctx.state.now()).toISOString(),
        service: 'kms',
        operation: action.slice('kms:'.length),
        region: key.region,
        account: caller.accountId,
        principal: caller.arn,
        params: { KeyId: key.arn, ViaService: `ec2.${viaEc2Region}.amazonaws.com`, ForImage: imageId, Role: role },
        outcome: result.allowed ? 'ok' : 'error',
        errorCode: result.allowed ? undefined : 'AccessDeniedException',
        httpStatus: result.allowed ? 200 : 400,
        mutation: false,
        internal: true,
        notes: { by: result.by, decision: result.decision },
      });
      if (result.allowed) {
        groupAllowed = true;
        break;
      }
    }
    if (!groupAllowed) allowed = false;
  }
  return { checks, allowed };
}

/** Decides at the start of a copy whether EC2 can use the keys for the caller; returns the failure if not. */
export async function decideKms(
  ctx: CallContext,
  caller: Caller,
  sources: SnapshotState[],
  keys: CopyKeys,
  imageId: string,
): Promise<{ checks: KmsCheck[]; failure?: { code: string; message: string } }> {
  const checks: KmsCheck[] = [];
  let failure: { code: string; message: string } | undefined;
  const fail = (message: string) => (failure ??= { code: KMS_STATE_CODE, message: `AMI snapshot copy failed with error: ${message}` });
  const notAccessible = keys.usesDefaultKey
    ? 'Given key ID is not accessible. You must have DescribeKey permissions on the default CMK.'
    : 'Given key ID is not accessible';

  const targets = [...keys.destination.values()].filter((t) => t.encrypted);
  const destinationKeys = new Set(targets.map((t) => t.key).filter((k): k is KeyState => k !== undefined));
  if (targets.some((t) => t.key === undefined)) fail(notAccessible);
  for (const key of destinationKeys) {
    if (key.region !== ctx.region) fail(notAccessible);
    const problem = keyProblem(key);
    if (problem) fail(`The KMS key provided is in an incorrect state (${problem})`);
    const result = await checkKey(ctx, caller, key, 'destination', imageId);
    checks.push(...result.checks);
    if (!result.allowed) fail(notAccessible);
  }
  const sourceKeys = new Map<string, KeyState | undefined>();
  for (const s of sources) if (s.encrypted && s.kmsKeyArn) sourceKeys.set(s.kmsKeyArn, ctx.state.keys.get(s.kmsKeyArn));
  for (const [arn, key] of sourceKeys) {
    if (!key) {
      fail(`The KMS key ${arn} used to encrypt the source snapshot is not accessible`);
      continue;
    }
    const problem = keyProblem(key);
    if (problem) fail(`The KMS key used to encrypt the source snapshot is in an incorrect state (${problem})`);
    const result = await checkKey(ctx, caller, key, 'source', imageId);
    checks.push(...result.checks);
    if (!result.allowed) fail(`The KMS key ${arn} used to encrypt the source snapshot is not accessible`);
  }
  return { checks, failure };
}

const characters = (text: string) => [...text].length;

/**
 * EC2's tag limits, checked on each TagSpecification before anything is created: 50 user tags per resource (aws:
 * keys do not count), keys up to 128 and values up to 256 Unicode characters (code points), any character allowed.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions; TagLimitExceeded:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html. The code for a key or value too long
 * is undocumented: InvalidParameterValue, EC2's code for a parameter value it does not accept.
 */
export function checkTagLimits(specs: CopyImageRequest['TagSpecifications'], maxKeyLength: number): void {
  for (const spec of specs ?? []) {
    const tags = spec.Tags ?? [];
    const counted = tags.filter((t) => !t.Key?.toLowerCase().startsWith('aws:'));
    if (counted.length > 50) {
      throw awsError('TagLimitExceeded', `The maximum number of tags for a resource (50) would be exceeded: ${counted.length} tags for ${spec.ResourceType ?? 'the resource'}.`);
    }
    for (const tag of tags) {
      if (characters(tag.Key ?? '') > maxKeyLength) {
        throw awsError('InvalidParameterValue', `Tag key exceeds the maximum length of ${maxKeyLength} characters: ${tag.Key ?? ''}`);
      }
      if (characters(tag.Value ?? '') > 256) {
        throw awsError('InvalidParameterValue', `Tag value exceeds the maximum length of 256 characters for the tag ${tag.Key ?? ''}.`);
      }
    }
  }
}

function validate(input: CopyImageRequest, maxTagKeyLength: number): { name: string; sourceImageId: string; sourceRegion: string } {
  const sourceImageId = required(input.SourceImageId, 'SourceImageId');
  const sourceRegion = required(input.SourceRegion, 'SourceRegion');
  const name = required(input.Name, 'Name');
  checkImageId(sourceImageId);
  if (!NAME.test(name)) {
    throw awsError(
      'InvalidAMIName.Malformed',
      `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`,
    );
  }
  if (input.KmsKeyId && input.Encrypted !== true) {
    throw awsError('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
  }
  const minutes = input.SnapshotCopyCompletionDurationMinutes;
  if (minutes !== undefined && (minutes < 15 || minutes > 2880 || minutes % 15 !== 0)) {
    throw awsError(
      'InvalidParameterValue',
      `Value (${minutes}) for parameter SnapshotCopyCompletionDurationMinutes is invalid. It must be a multiple of 15 between 15 and 2880.`,
    );
  }
  for (const spec of input.TagSpecifications ?? []) {
    if (spec.ResourceType !== 'image' && spec.ResourceType !== 'snapshot') {
      throw awsError('InvalidParameterValue', `'${spec.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`);
    }
  }
  checkTagLimits(input.TagSpecifications, maxTagKeyLength);
  return { name, sourceImageId, sourceRegion };
}

/** AWS limits concurrent copies per destination region: ResourceLimitExceeded beyond them. */
export function checkCopyLimits(ctx: CallContext, newSnapshots: number, newImages = 1): void {
  const account = callerOf(ctx).accountId;
  const running = (copy: CopyJob | undefined) => copy !== undefined && !copy.done;
  const images = [...ctx.state.images.values()].filter((i) => i.ownerId === account && i.region === ctx.region && running(i.copy));
  const snapshots = [...ctx.state.snapshots.values()].filter(
    (s) => s.ownerId === account && s.region === ctx.region && s.state === 'pending' && running(s.copy),
  );
  if (images.length + newImages > ctx.settings.maxConcurrentImageCopies) {
    throw awsError('ResourceLimitExceeded', `You have reached the maximum number of concurrent AMI copies (${ctx.settings.maxConcurrentImageCopies}) in ${ctx.region}.`);
  }
  if (snapshots.length + newSnapshots > ctx.settings.maxConcurrentSnapshotCopies) {
    throw awsError(
      'ResourceLimitExceeded',
      `You have reached the maximum number of concurrent snapshot copies (${ctx.settings.maxConcurrentSnapshotCopies}) in ${ctx.region}.`,
    );
  }
}

export async function copyImage(ctx: CallContext, input: CopyImageRequest): Promise<CopyImageResult> {
  const caller = callerOf(ctx);
  const { state } = ctx;
  const account = caller.accountId;
  const { name, sourceImageId, sourceRegion } = validate(input, ctx.settings.maxTagKeyLength);
  const planned = await authorizeCopy(ctx, input);

  const tokenKey = input.ClientToken ? `${account}/${ctx.region}/${input.ClientToken}` : undefined;
  const previous = tokenKey ? state.clientTokens.get(tokenKey) : undefined;
  if (previous) {
    if (previous.fingerprint !== requestFingerprint(input)) {
      throw awsError('IdempotentParameterMismatch', 'The client token you have provided is associated with a request with different parameters.');
    }
    ctx.notes.idempotentReplay = true;
    return { ImageId: previous.imageId };
  }

  const duplicate = [...state.images.values()].find((i) => i.ownerId === account && i.region === ctx.region && i.name === name);
  if (duplicate) throw awsError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${duplicate.imageId}`);

  const source = state.images.get(sourceImageId);
  if (!source || source.region !== sourceRegion || !imageVisibleTo(state, source, account)) throw imageNotFound([sourceImageId]);
  if (ctx.settings.allowedAmisBlockCopy && imageHidden(state, source, account, ctx.region)) throw imageNotFound([sourceImageId]);
  const copyable = source.state === 'available' || (source.state === 'disabled' && ctx.settings.disabledImagesCopyable);
  if (!copyable) throw awsError('IncorrectState', `Image ${sourceImageId} is not in a state that allows copying (${source.state}).`);
  if (source.ownerId !== account && source.productCodes.some((p) => p.type === 'marketplace')) {
    throw awsError('InvalidRequest', 'Images with AWS Marketplace product codes cannot be copied to another AWS account.');
  }
  const sources = source.blockDevices.map((d) => state.snapshots.get(d.snapshotId));
  if (sources.some((s) => !s || !snapshotVisibleTo(s, account))) {
    throw awsError('InvalidRequest', 'You do not have permission to access the storage of this ami');
  }
  const sourceSnapshots = sources.filter((s): s is SnapshotState => s !== undefined);
  checkCopyLimits(ctx, sourceSnapshots.length);

  const imageId = planned.imageId;
  const keys = chooseKeys(ctx, input, sourceSnapshots);
  const { checks, failure } = await decideKms(ctx, caller, sourceSnapshots, keys, imageId);
  const now = state.now();
  const duration = ctx.settings.copyDurationMs;
  const job: CopyJob = {
    sourceImageId,
    sourceRegion,
    startedAt: now,
    completeAt: now + duration,
    failAt: failure ? now + Math.min(duration, ctx.settings.copyFailureDelayMs ?? duration / 2) : undefined,
    failure,
    checks,
    completionDurationMinutes: input.SnapshotCopyCompletionDurationMinutes,
    done: false,
  };

  const tagsFor = (type: 'image' | 'snapshot') =>
    (input.TagSpecifications ?? []).filter((s) => s.ResourceType === type).flatMap((s) => s.Tags ?? []);
  const created = new Date(now).toISOString();
  const blockDevices = source.blockDevices.map((device, index) => {
    const from = state.snapshots.get(device.snapshotId);
    const target = keys.destination.get(device.snapshotId) ?? { encrypted: false };
    const snapshotId = planned.snapshotIds[index] ?? state.newSnapshotId();
    const snapshot: SnapshotState = {
      snapshotId,
      ownerId: account,
      region: ctx.region,
      volumeSize: from?.volumeSize ?? device.volumeSize,
      encrypted: target.encrypted,
      kmsKeyArn: target.key?.arn,
      state: 'pending',
      description: `Copied for DestinationAmi ${imageId} from SourceAmi ${sourceImageId} for SourceSnapshot ${device.snapshotId}. Task created on ${created}.`,
      startTime: new Date(now),
      createVolumeUserIds: new Map(),
      tags: new Map(),
      copy: job,
    };
    const snapshotTags = tagsFor('snapshot');
    if (snapshotTags.length) addTags(snapshot.tags, account, snapshotTags);
    state.snapshots.set(snapshotId, snapshot);
    return { ...device, snapshotId };
  });
  const image: ImageState = {
    imageId,
    ownerId: account,
    region: ctx.region,
    name,
    description: input.Description ?? source.description,
    state: 'pending',
    blockDevices,
    rootDeviceName: source.rootDeviceName,
    rootDeviceType: source.rootDeviceType,
    architecture: source.architecture,
    virtualizationType: source.virtualizationType,
    enaSupport: source.enaSupport,
    // CopyImage keeps what the AMI carries besides its snapshots, billing included.
    features: { ...source.features },
    otherMappings: structuredClone(source.otherMappings),
    productCodes: source.productCodes.map((p) => ({ ...p })),
    launchUserIds: new Map(),
    launchOrganizationArns: new Map(),
    launchOrganizationalUnitArns: new Map(),
    tags: new Map(),
    deregistrationProtection: 'disabled',
    creationDate: created,
    sourceImageId,
    sourceRegion,
    copy: job,
  };
  const ownTags = input.CopyImageTags ? [...(source.tags.get(account) ?? new Map<string, string>())] : [];
  const imageTags = [...ownTags.map(([Key, Value]) => ({ Key, Value })), ...tagsFor('image')];
  if (imageTags.length) addTags(image.tags, account, imageTags);
  state.images.set(imageId, image);
  if (tokenKey) state.clientTokens.set(tokenKey, { fingerprint: requestFingerprint(input), imageId });
  ctx.mutated = true;
  ctx.notes.kms = failure ? `fails: ${failure.message}` : 'ok';
  ctx.notes.copy = { imageId, snapshotIds: blockDevices.map((d) => d.snapshotId), completeAt: new Date(job.completeAt).toISOString() };
  return { ImageId: imageId };
}
