import { CopyImageCommand, DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { call } from '../../aws/explain.js';
import { siteOf, targetAccountIds, type PromotionContext } from '../context.js';
import { PromotionError, errorName } from '../../aws/errors.js';
import { copiedFrom, snapshotIdsOf, type CopiedFrom } from '../../aws/images.js';
import type { SourceImage } from '../lookups/inspect.js';
import type { SourceKey } from '../lookups/source-key.js';
import { intermediateTags } from '../provenance.js';
import { ROLE_INTERMEDIATE, TAG, tagValue } from '../tags.js';
import { clientToken, shortHash } from '../tokens.js';
import { confirmLease, currentImage, leaseTag, takeLease } from './lease.js';
import { waitForImage } from './wait.js';

export interface SharedImage {
  imageId: string;
  snapshotIds: string[];
  /** True when this is an intermediate copy made (or found) by the action, false for the source AMI itself. */
  intermediate: boolean;
  /** The intermediate copy's source as EC2 reports it. */
  copiedFrom?: CopiedFrom;
  /** The snapshot of each device name (copy-method snapshots registers the target AMI with the same mappings). */
  deviceSnapshots: Record<string, string>;
}

/** Device name → snapshot ID of an image's EBS mappings. */
function deviceSnapshotsOf(mappings: readonly { DeviceName?: string; Ebs?: { SnapshotId?: string } }[]): Record<string, string> {
  return Object.fromEntries(mappings.flatMap((m) => (m.DeviceName && m.Ebs?.SnapshotId ? [[m.DeviceName, m.Ebs.SnapshotId]] : [])));
}

/** An intermediate copy of the same source under the same key, left by a concurrent or earlier run. */
async function findIntermediate(ctx: PromotionContext, key: SourceKey): Promise<Image | undefined> {
  const { request } = ctx;
  const response = await call(
    {
      what: 'Looking for an intermediate copy',
      ...siteOf(ctx.source, request.sourceRegion),
      action: 'ec2:DescribeImages',
    },
    () =>
      ctx.source.ec2(request.sourceRegion).send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [
            { Name: `tag:${TAG.role}`, Values: [ROLE_INTERMEDIATE] },
            { Name: `tag:${TAG.sourceAmiId}`, Values: [request.sourceAmiId] },
            { Name: `tag:${TAG.kmsKey}`, Values: [key.arn] },
            { Name: 'state', Values: ['available', 'pending'] },
          ],
        }),
      ),
  );
  return response.Images?.find((image) => image.ImageId);
}

/** The name of the intermediate copy: one per source and key, so that a second CopyImage at the same time fails (InvalidAMIName.Duplicate). */
function intermediateName(source: SourceImage, key: SourceKey): string {
  return `promote-ami-${source.imageId}-${shortHash(key.arn)}`.slice(0, 128);
}

/**
 * Starts the intermediate copy with this run's lease among its tags; undefined when its name is taken (a concurrent
 * run's copy, or a removed copy whose name AWS has not freed yet). `attempt` counts the copies this run made or took
 * up: a new ClientToken for each, since a replayed one would return the removed copy.
 */
async function startIntermediateCopy(ctx: PromotionContext, source: SourceImage, key: SourceKey, attempt: number): Promise<string | undefined> {
  const { request } = ctx;
  const region = request.sourceRegion;
  const tags = intermediateTags(ctx, source, key);
  const lease = leaseTag(ctx);
  const { runId, runAttempt } = request.provenance;
  const response = await call({ ...siteOf(ctx.source, region), what: `Re-encrypting ${source.imageId} with ${key.arn}`, action: 'ec2:CopyImage' }, () =>
    ctx.source
      .ec2(region)
      .send(
        new CopyImageCommand({
          SourceImageId: source.imageId,
          SourceRegion: region,
          Name: intermediateName(source, key),
          Description: `Re-encrypted copy of ${source.imageId} for promotion (temporary)`,
          Encrypted: true,
          KmsKeyId: key.arn,
          ClientToken: clientToken('intermediate', source.imageId, key.arn, targetAccountIds(ctx).join(','), runId, runAttempt, String(attempt)),
          TagSpecifications: [
            { ResourceType: 'image', Tags: [...tags, lease] },
            { ResourceType: 'snapshot', Tags: tags },
          ],
        }),
      )
      .catch((error: unknown) => {
        if (errorName(error) === 'InvalidAMIName.Duplicate') return undefined;
        throw error;
      }),
  );
  const imageId = response?.ImageId;
  if (imageId) {
    ctx.journal.record({ kind: 'intermediate-copy', region, imageId, snapshotIds: [] });
    ctx.journal.record({ kind: 'lease', region, imageId, key: lease.Key });
    ctx.log.info(`Re-encrypting ${source.imageId} with ${key.arn} as ${imageId}.`);
  }
  return imageId;
}

/** An intermediate copy this run leases: made by it (leased from the start) or by another run (leased at `leasedAt`). */
interface Held {
  imageId: string;
  made: boolean;
  leasedAt: number;
}

/** How long the name may stay taken without a usable copy showing before the run gives up. */
const NAME_TAKEN_MS = 2 * 60_000;
const FIRST_DELAY_MS = 2_000;
const MAX_DELAY_MS = 20_000;

/**
 * The AMI holding the intermediate copy's name when it is no usable intermediate copy of this source and key (another
 * AMI, or a copy that failed); undefined when none shows (a concurrent run's copy may not show yet) or while the holder
 * is usable or being deregistered.
 */
async function foreignHolder(ctx: PromotionContext, source: SourceImage, key: SourceKey): Promise<Image | undefined> {
  const region = ctx.request.sourceRegion;
  const name = intermediateName(source, key);
  const response = await call({ ...siteOf(ctx.source, region), what: `Looking for the AMI named ${name}`, action: 'ec2:DescribeImages' }, () =>
    ctx.source.ec2(region).send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] })),
  );
  const holder = response.Images?.find((image) => image.Name === name);
  if (!holder || holder.State === 'deregistered') return undefined;
  const ours =
    tagValue(holder.Tags, TAG.role) === ROLE_INTERMEDIATE && tagValue(holder.Tags, TAG.sourceAmiId) === source.imageId && tagValue(holder.Tags, TAG.kmsKey) === key.arn;
  return ours && (holder.State === 'available' || holder.State === 'pending') ? undefined : holder;
}

function nameTaken(ctx: PromotionContext, source: SourceImage, key: SourceKey, holder: Image | undefined): PromotionError {
  const region = ctx.request.sourceRegion;
  const name = intermediateName(source, key);
  return new PromotionError({
    ...siteOf(ctx.source, region),
    what: `Re-encrypting ${source.imageId} with ${key.arn}`,
    why: holder
      ? `the source account already has an AMI named "${name}" that is not a usable intermediate copy (${holder.ImageId}, ${holder.State ?? 'state unknown'}; it may have failed).`
      : `the name "${name}" stayed taken for ${NAME_TAKEN_MS / 60_000} minutes, and no AMI with it showed: an AMI deregistered a moment ago may still hold it (AWS does not document for how long).`,
    fix: holder
      ? `Deregister ${holder.ImageId} in ${region} of account ${ctx.source.identity.accountId}, then run the promotion again.`
      : 'Run the promotion again in a few minutes.',
  });
}

/** The intermediate copy of a concurrent or earlier run, leased; undefined when there is none (or it went before the lease). */
async function takeUp(ctx: PromotionContext, source: SourceImage, key: SourceKey, by: string): Promise<Held | undefined> {
  const imageId = (await findIntermediate(ctx, key))?.ImageId;
  if (!imageId) return undefined;
  ctx.journal.record({ kind: 'intermediate-copy', region: ctx.request.sourceRegion, imageId, snapshotIds: [] });
  const leasedAt = ctx.clock.now();
  if (!(await takeLease(ctx, imageId))) return undefined;
  ctx.log.info(`Reusing the intermediate copy ${imageId} of ${source.imageId} under ${key.arn}${by}.`);
  return { imageId, made: false, leasedAt };
}

/**
 * Takes up the intermediate copy of a concurrent or earlier run, or else makes one. When the name is taken but no
 * usable copy shows yet, looks again with backoff: only one intermediate copy exists at a time.
 */
async function holdIntermediate(ctx: PromotionContext, source: SourceImage, key: SourceKey, attempt: number): Promise<Held> {
  const started = ctx.clock.now();
  let delay = FIRST_DELAY_MS;
  for (;;) {
    const found = await takeUp(ctx, source, key, '');
    if (found) return found;
    const made = await startIntermediateCopy(ctx, source, key, attempt);
    if (made) return { imageId: made, made: true, leasedAt: ctx.clock.now() };
    const concurrent = await takeUp(ctx, source, key, ', started by a concurrent run');
    if (concurrent) return concurrent;
    const holder = await foreignHolder(ctx, source, key);
    if (holder || ctx.clock.now() - started >= NAME_TAKEN_MS) throw nameTaken(ctx, source, key, holder);
    ctx.log.info(
      `No intermediate copy to take up or make yet: the name ${intermediateName(source, key)} is taken (a concurrent run's copy may not show yet, ` +
        `or a removed copy may still hold the name), or the copy found was just removed. Looking again in ${Math.round(delay / 1000)} s.`,
    );
    await ctx.clock.sleep(delay, ctx.signal);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}

/**
 * The held copy once it is available and, when another run made it, confirmed (lease.ts); undefined when it was
 * removed meanwhile (deregistered, or vanished during the wait).
 */
async function usable(ctx: PromotionContext, held: Held, key: SourceKey): Promise<Image | undefined> {
  const region = ctx.request.sourceRegion;
  const { imageId } = held;
  try {
    const image = await waitForImage(
      { label: 'intermediate copy', ...siteOf(ctx.source, region), imageId, ec2: ctx.source.ec2(region), keyDescription: key.arn, seen: !held.made },
      { clock: ctx.clock, log: ctx.log, signal: ctx.signal, deadline: ctx.deadline },
    );
    return held.made ? image : await confirmLease(ctx, imageId, held.leasedAt);
  } catch (error) {
    if (ctx.signal.aborted || (await currentImage(ctx, imageId))) throw error;
    return undefined;
  }
}

/** How many intermediate copies a run makes or takes up when the one it relied on was removed by another run. */
const ATTEMPTS = 3;

function removedEachTime(ctx: PromotionContext, source: SourceImage, key: SourceKey, removed: string[]): PromotionError {
  return new PromotionError({
    ...siteOf(ctx.source, ctx.request.sourceRegion),
    what: `Re-encrypting ${source.imageId} with ${key.arn}`,
    why:
      `the intermediate copy was removed ${removed.length} times while this run waited for it (${removed.join(', ')}), most probably each time by the ` +
      `cleanup of another run promoting ${source.imageId} under the same key (for example another job of a job matrix) that did not see this run's ` +
      'lease yet: EC2 tags are eventually consistent.',
    fix: 'Re-run this job. If it happens again, start the jobs of the matrix further apart, or run fewer at once (max-parallel).',
  });
}

/**
 * A copy of the AMI in the source account under the CMK, unless the source account owns the AMI
 * and every snapshot is already under the CMK (then the AMI itself is shared). Several runs of the same source and
 * key share one copy, each under its own lease (lease.ts); a copy another run removed is made or taken up again.
 */
export async function reencrypt(ctx: PromotionContext, source: SourceImage, key: SourceKey, needed: boolean): Promise<SharedImage> {
  if (!needed) {
    ctx.log.info(`${source.imageId} is owned by the source account and every snapshot is under ${key.arn}: sharing it as it is.`);
    return { imageId: source.imageId, snapshotIds: source.snapshots.map((s) => s.snapshotId), intermediate: false, deviceSnapshots: deviceSnapshotsOf(source.registration.BlockDeviceMappings) };
  }
  const region = ctx.request.sourceRegion;
  const removed: string[] = [];
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const held = await holdIntermediate(ctx, source, key, attempt);
    const image = await usable(ctx, held, key);
    if (image) {
      const snapshotIds = snapshotIdsOf(image);
      ctx.journal.record({ kind: 'intermediate-copy', region, imageId: held.imageId, snapshotIds });
      return { imageId: held.imageId, snapshotIds, intermediate: true, copiedFrom: copiedFrom(image), deviceSnapshots: deviceSnapshotsOf(image.BlockDeviceMappings ?? []) };
    }
    removed.push(held.imageId);
    ctx.journal.record({ kind: 'intermediate-gone', region, imageId: held.imageId });
    if (attempt < ATTEMPTS) {
      ctx.log.warning(
        `The intermediate copy ${held.imageId} was removed while this run relied on it, most probably by the cleanup of another run promoting ` +
          `${source.imageId} (for example another job of a job matrix) that did not see this run's lease yet: ` +
          `taking up or making another one (attempt ${attempt + 1} of ${ATTEMPTS}).`,
      );
    }
  }
  throw removedEachTime(ctx, source, key, removed);
}
