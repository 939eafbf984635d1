/**
 * The lease on a shared intermediate copy. Several runs (a job matrix) may use one intermediate copy at once, and EC2
 * offers no lock: tags, like everything in the EC2 API, are eventually consistent
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). So each run tags the copy with its own
 * lease (`promote-ami:lease:<holder>` = until when) before it relies on it, and its cleanup removes only that tag and
 * deregisters the copy only when no other run's lease and no other account's launch permission is left
 * (cleanup/intermediate.ts). A cleanup about to deregister first marks the copy as going
 * (`promote-ami:going:<holder>`) and looks once more; a run that took up a copy made by another run looks for such a
 * mark `settleMs` after writing its lease. Either the cleanup sees the lease or the run sees the mark, as long as a tag
 * shows everywhere within half of `settleMs`.
 */
import { CreateTagsCommand, DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { isNotFound } from '../../aws/classify.js';
import { PromotionError, errorName } from '../../aws/errors.js';
import { call } from '../../aws/explain.js';
import { siteOf, type PromotionContext } from '../context.js';
import { MARK } from '../tags.js';
import { shortHash } from '../tokens.js';
import type { Tag } from '../types.js';

export const LEASE_TIMING = {
  /** How long a run waits after writing its lease before it looks for a going mark; how long a cleanup that sees other users waits before it looks again. */
  settleMs: 10_000,
  /** How long a going mark holds: the time a cleanup takes from marking the copy to deregistering it. */
  goingMs: 60_000,
  /** A lease holds this long after the run's deadline (wait-timeout-minutes), for its cleanup. */
  afterDeadlineMs: 10 * 60_000,
  /** How often a run looks again while a cleanup of another run has marked the copy as going. */
  pollMs: 3_000,
} as const;

/** A lease or going mark of a run other than the one looking, still valid. */
export interface Mark {
  key: string;
  until: string;
}

/** The name of this run's lease and going mark: run ID, attempt, and a hash of its target accounts, regions and keys (jobs of one matrix differ there). */
export function holderOf(ctx: PromotionContext): string {
  const { runId, runAttempt } = ctx.request.provenance;
  const targets = JSON.stringify(ctx.targets.map((t) => [t.identity.accountId, t.spec.regions, t.spec.key]));
  return `${runId ?? 'run'}-${runAttempt ?? '1'}-${shortHash(targets)}`;
}

/** This run's lease tag: valid until its deadline plus the time its cleanup may take. */
export function leaseTag(ctx: PromotionContext): Tag {
  return { Key: `${MARK.lease}${holderOf(ctx)}`, Value: new Date(ctx.deadline + LEASE_TIMING.afterDeadlineMs).toISOString() };
}

/** The marks of one kind on an image that are still valid at `now`, other than `own` (a value that is no time has expired). */
export function activeMarks(tags: Image['Tags'], prefix: string, now: number, own: ReadonlySet<string> = new Set()): Mark[] {
  return (tags ?? []).flatMap(({ Key: key, Value: until }) =>
    key?.startsWith(prefix) && !own.has(key) && until !== undefined && Date.parse(until) > now ? [{ key, until }] : [],
  );
}

export function describeMarks(marks: readonly Mark[]): string {
  return marks.map((mark) => `${mark.key} (until ${mark.until})`).join(', ');
}

/** The image as its owner sees it now; undefined when it is gone (not found, or deregistered). */
export async function currentImage(ctx: PromotionContext, imageId: string): Promise<Image | undefined> {
  const region = ctx.request.sourceRegion;
  const response = await call({ ...siteOf(ctx.source, region), what: `Describing the intermediate copy ${imageId}`, action: 'ec2:DescribeImages' }, () =>
    ctx.source
      .ec2(region)
      .send(new DescribeImagesCommand({ ImageIds: [imageId] }), { abortSignal: ctx.signal })
      .catch((error: unknown) => {
        if (isNotFound(error, 'image')) return { Images: [] };
        throw error;
      }),
  );
  const image = response.Images?.find((candidate) => candidate.ImageId === imageId);
  return image && image.State !== 'deregistered' ? image : undefined;
}

/**
 * Tags a copy another run made with this run's lease, recorded in the journal first so that cleanup removes it even
 * after a cancellation. False when the copy is gone.
 */
export async function takeLease(ctx: PromotionContext, imageId: string): Promise<boolean> {
  const region = ctx.request.sourceRegion;
  const tag = leaseTag(ctx);
  const site = { ...siteOf(ctx.source, region), what: `Taking a lease on the intermediate copy ${imageId}`, action: 'ec2:CreateTags' };
  ctx.journal.record({ kind: 'lease', region, imageId, key: tag.Key });
  const sent = await call(site, () =>
    ctx.source
      .ec2(region)
      .send(new CreateTagsCommand({ Resources: [imageId], Tags: [tag] }), { abortSignal: ctx.signal })
      .then(() => true)
      .catch((error: unknown) => {
        if (isNotFound(error, 'image')) return false;
        if (errorName(error) !== 'TagLimitExceeded') throw error;
        throw new PromotionError({
          ...site,
          why: `${imageId} already has 50 tags: its own, the source AMI's (copy-tags) and one lease per run that uses it (${errorName(error)}).`,
          fix: 'Set copy-tags: false or remove tags from the source AMI, or run fewer jobs on this AMI at once (max-parallel in the matrix).',
          cause: error,
        });
      }),
  );
  if (sent) ctx.log.info(`Leased the intermediate copy ${imageId} as ${tag.Key} until ${tag.Value}.`);
  return sent;
}

/**
 * For a copy another run made: `settleMs` after the lease was written, the copy must exist and carry no valid going
 * mark. While a cleanup has marked it, that cleanup either deregisters it or, seeing this run's lease, takes the mark
 * away: waits for either. Returns the image, or undefined when the copy is gone.
 */
export async function confirmLease(ctx: PromotionContext, imageId: string, leasedAt: number): Promise<Image | undefined> {
  const settle = leasedAt + LEASE_TIMING.settleMs - ctx.clock.now();
  if (settle > 0) await ctx.clock.sleep(settle, ctx.signal);
  let told = false;
  for (;;) {
    const image = await currentImage(ctx, imageId);
    const going = activeMarks(image?.Tags, MARK.going, ctx.clock.now());
    if (!image || going.length === 0) return image;
    if (!told) {
      ctx.log.info(`The cleanup of another run is about to remove the intermediate copy ${imageId} (${describeMarks(going)}): waiting until it has seen this run's lease or removed the copy.`);
      told = true;
    }
    await ctx.clock.sleep(LEASE_TIMING.pollMs, ctx.signal);
  }
}

/**
 * For a call on the intermediate copy that failed because the copy is gone: says that another run's cleanup most
 * probably removed it (it did not see this run's lease in time).
 */
export function removedByAnotherRun(ctx: PromotionContext, imageId: string, what: string) {
  return (error: unknown): never => {
    const cause = error instanceof PromotionError ? error.details.cause : error;
    if (!isNotFound(cause, 'image')) throw error;
    throw new PromotionError({
      ...siteOf(ctx.source, ctx.request.sourceRegion),
      what,
      why:
        `the intermediate copy ${imageId} is gone (${errorName(cause)}): most probably the cleanup of another run promoting the same AMI ` +
        "(for example another job of a job matrix) removed it, not seeing this run's lease in time (EC2 tags are eventually consistent).",
      fix: 'Re-run this job: it makes or takes up a new intermediate copy. If it happens again, start the jobs of the matrix further apart.',
      cause: error,
    });
  };
}
