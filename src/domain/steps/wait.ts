import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client, type Image, type Snapshot } from '@aws-sdk/client-ec2';
import { call } from '../../aws/explain.js';
import { snapshotIdsOf } from '../../aws/images.js';
import type { Clock, Logger } from '../context.js';
import { PromotionError, errorName } from '../../aws/errors.js';
import { PollSchedule, slowestProgress } from './poll-schedule.js';
import type { Side } from '../types.js';

export interface ImageToWaitFor {
  /** For the log, e.g. "target copy in eu-central-1". */
  label: string;
  side: Side;
  accountId: string;
  region: string;
  imageId: string;
  ec2: EC2Client;
  principal?: string;
  credentials?: 'assumed' | 'environment';
  /** Key the copy encrypts with, named in the failure explanation. */
  keyDescription?: string;
  /** The copy was found by DescribeImages already (another run's): not found now means removed, not "not visible yet". */
  seen?: boolean;
}

export interface WaitOptions {
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  /** Epoch milliseconds after which waiting stops. */
  deadline: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** EC2 is eventually consistent: a copy just started may be invisible to DescribeImages for a while. */
const NOT_VISIBLE_MS = 2 * 60_000;

/**
 * KMS problems rarely fail CopyImage itself: the copy turns `failed` later. A reason that names the key is
 * certainly KMS; any other failed copy is still most probably KMS.
 */
function probableKmsCause(reason: string, target: ImageToWaitFor, copyFailed = true): string {
  const needs =
    `the source AMI's key or ${target.keyDescription ?? 'the destination key'}. The copying role needs kms:DescribeKey, kms:Decrypt, ` +
    'kms:ReEncrypt* and kms:CreateGrant on the source key (allowed by both the key policy and its IAM policy), and ' +
    'kms:DescribeKey, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncrypt* and kms:CreateGrant on the destination key.';
  if (/key|kms|cmk|grant|decrypt/i.test(reason)) {
    return ` This is a KMS permission problem: the ${target.side} principal (or EC2 acting for it) could not use ${needs}`;
  }
  if (!copyFailed) return '';
  return ` The probable cause is KMS: the ${target.side} principal (or EC2 acting for it) may not be able to use ${needs}`;
}

function failure(target: ImageToWaitFor, why: string, fix: string): PromotionError {
  return new PromotionError({ what: `Waiting for the ${target.label} ${target.imageId}`, side: target.side, accountId: target.accountId, region: target.region, why, fix });
}

function progressOf(snapshots: Snapshot[]): string {
  if (snapshots.length === 0) return 'snapshots not started';
  return snapshots.map((s) => `${s.SnapshotId} ${s.Progress || '0%'}`).join(', ');
}

/** A request the cancellation aborted ends the wait with the cancellation, not as an AWS error. */
function unlessCancelled(signal: AbortSignal) {
  return (error: unknown): never => {
    throw signal.aborted ? signal.reason : error;
  };
}

type Site = Pick<ImageToWaitFor, 'side' | 'accountId' | 'region' | 'principal' | 'credentials'>;

/** The image as DescribeImages shows it now; undefined while it is not visible (a new copy) or once it is gone. */
async function describeImage(target: ImageToWaitFor, site: Site, signal: AbortSignal): Promise<Image | undefined> {
  const response = await call({ ...site, what: `Describing ${target.imageId}`, action: 'ec2:DescribeImages' }, () =>
    target.ec2.send(new DescribeImagesCommand({ ImageIds: [target.imageId] }), { abortSignal: signal }).catch((error: unknown) => {
      if (errorName(error) === 'InvalidAMIID.NotFound') return { Images: [] };
      throw error;
    }),
  ).catch(unlessCancelled(signal));
  return response.Images?.[0];
}

/** The snapshots of the copy as DescribeSnapshots shows them now; those not visible yet (or gone) are left out. */
async function describeSnapshots(target: ImageToWaitFor, site: Site, snapshotIds: string[], signal: AbortSignal): Promise<Snapshot[]> {
  const response = await call({ ...site, what: `Describing the snapshots of ${target.imageId}`, action: 'ec2:DescribeSnapshots' }, () =>
    target.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }), { abortSignal: signal }).catch((error: unknown) => {
      // The snapshots of a copy just started may not be visible yet: no progress this time.
      if (errorName(error) === 'InvalidSnapshot.NotFound') return { Snapshots: [] };
      throw error;
    }),
  ).catch(unlessCancelled(signal));
  return response.Snapshots ?? [];
}

function snapshotFailed(target: ImageToWaitFor, broken: Snapshot): PromotionError {
  const reason = broken.StateMessage ?? 'snapshot copy failed';
  return failure(target, `snapshot ${broken.SnapshotId} of the copy is in state error: ${reason}.${probableKmsCause(reason, target)}`, 'Fix the cause above and run the promotion again; the failed copy is removed by cleanup.');
}

const ENDED = ['failed', 'error', 'invalid', 'deregistered', 'disabled'];

/** A copy that has ended without becoming available (or vanished after it was seen). */
function endedBadly(target: ImageToWaitFor, image: Image | undefined): PromotionError {
  const reason = image?.StateReason?.Message ?? (image ? `state ${image.State}` : 'the image disappeared');
  return failure(target, `the copy ended ${image?.State ?? 'deregistered'}: ${reason}.${probableKmsCause(reason, target, image?.State === 'failed')}`, 'Fix the cause above and run the promotion again; the failed copy is removed by cleanup.');
}

function notFound(target: ImageToWaitFor, waitedMs: number): PromotionError {
  return failure(
    target,
    `the copy ${target.imageId} was not found (DescribeImages did not return it for ${Math.round(waitedMs / 1000)} s).`,
    'Run the promotion again; if it happens again, check that nothing deregisters new AMIs in this account and region.',
  );
}

function timedOut(target: ImageToWaitFor, image: Image, snapshots: Snapshot[]): PromotionError {
  return failure(
    target,
    `it was still ${image.State} (${progressOf(snapshots)}) when wait-timeout-minutes ran out.`,
    'Raise wait-timeout-minutes (large volumes and cross-region copies take long), or set copy-completion-minutes for a time-based copy.',
  );
}

/**
 * DescribeImages at least every this many polls while DescribeSnapshots shows the copy running. EC2's documentation
 * does not say that a copy's AMI turns `available` only after all its snapshots completed, nor that a failed copy
 * always shows its snapshots in `error` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Snapshot.html): so the image itself is read too, and a
 * `failed` copy is seen within this many polls (3 x 15 s at most).
 */
const IMAGE_EVERY = 3;

/**
 * One copy being watched. While its snapshots are pending a poll needs only DescribeSnapshots (progress, state,
 * error); DescribeImages comes first (the snapshot IDs, and whether the image is visible at all), at least every
 * IMAGE_EVERY polls, once every snapshot completed, and whenever a snapshot is in error or not found.
 */
class CopyWatch {
  image: Image | undefined;
  snapshots: Snapshot[] = [];
  private seen: boolean;
  private sinceImage = 0;
  private recheck = true;
  private snapshotsDone = false;
  private sampled = false;

  constructor(
    private readonly target: ImageToWaitFor,
    private readonly site: Site,
    private readonly signal: AbortSignal,
  ) {
    this.seen = target.seen ?? false;
  }

  /**
   * One poll; true once the image is available. Throws once the copy ended badly. `imageOnly`: the copy is expected
   * to be complete, so the image is read first and alone (its snapshots only when the image is needed to find them).
   */
  async poll(imageOnly: boolean): Promise<boolean> {
    this.sampled = false;
    const needImage = this.recheck || this.snapshotsDone || !this.image || snapshotIdsOf(this.image).length === 0;
    const imageDue = needImage || imageOnly || this.sinceImage >= IMAGE_EVERY - 1;
    if (imageDue && (await this.readImage())) return true;
    if (!imageDue) this.sinceImage++;
    const snapshotIds = this.image ? snapshotIdsOf(this.image) : [];
    if (snapshotIds.length === 0 || this.snapshotsDone || (imageDue && !needImage)) return false;
    this.snapshots = await describeSnapshots(this.target, this.site, snapshotIds, this.signal);
    this.sampled = true;
    const vanished = this.snapshots.length < snapshotIds.length;
    const broken = this.snapshots.find((s) => s.State === 'error');
    this.snapshotsDone = !vanished && this.snapshots.every((s) => s.State === 'completed');
    if ((broken || this.snapshotsDone) && !imageDue && (await this.readImage())) return true;
    if (broken) throw snapshotFailed(this.target, broken);
    this.recheck = vanished;
    return false;
  }

  /** The slowest snapshot's progress in percent, when this poll read every snapshot's. */
  progress(): number | undefined {
    if (this.snapshotsDone) return 100;
    if (!this.sampled) return undefined;
    const ids = this.image ? snapshotIdsOf(this.image) : [];
    return this.snapshots.length === ids.length ? slowestProgress(this.snapshots.map((s) => s.Progress)) : undefined;
  }

  /** Reads the image; true when it is available. Not visible is fine for a new copy, a failure once it was seen. */
  private async readImage(): Promise<boolean> {
    const image = await describeImage(this.target, this.site, this.signal);
    this.sinceImage = 0;
    this.recheck = false;
    if (!image && !this.seen) return false;
    this.seen = true;
    if (!image || ENDED.includes(image.State ?? '')) throw endedBadly(this.target, image);
    this.image = image;
    return image.State === 'available';
  }
}

/** What a wait watches: one poll, what it says in the log, and when waiting can no longer end well. */
interface Watched<T> {
  /** One poll; the result once done. `expectsCompletion`: the schedule aimed this poll at the estimated completion. */
  poll(expectsCompletion: boolean): Promise<T | undefined>;
  /** The slowest snapshot's progress in percent, when this poll read every snapshot's. */
  progress(): number | undefined;
  /** The progress line for the log; undefined while there is nothing to show. */
  report(): string | undefined;
  /** Throws when waiting cannot end well any more: not visible for too long, or the deadline passed. */
  giveUp(waitedMs: number, pastDeadline: boolean): void;
  /** The log line once done, after `seconds`. */
  doneLine(seconds: number): string;
}

/** Polls until `watched` is done, when its snapshots' progress says completion is likely (see PollSchedule). */
async function pollUntilDone<T>(watched: Watched<T>, options: WaitOptions): Promise<T> {
  const { clock, log, signal } = options;
  const schedule = new PollSchedule({ firstDelayMs: options.firstDelayMs, maxDelayMs: options.maxDelayMs });
  const started = clock.now();
  let lastReport: string | undefined;
  for (;;) {
    signal.throwIfAborted();
    const polledAt = clock.now() - started;
    const done = await watched.poll(schedule.expectsCompletion);
    if (done !== undefined) {
      log.info(watched.doneLine(Math.round((clock.now() - started) / 1000)));
      return done;
    }
    const report = watched.report();
    if (report !== undefined && report !== lastReport) log.info(report);
    lastReport = report ?? lastReport;
    watched.giveUp(clock.now() - started, options.deadline <= clock.now());
    await clock.sleep(Math.min(schedule.next(polledAt, watched.progress()), options.deadline - clock.now()), signal);
  }
}

const siteOfTarget = (target: Site): Site => ({ side: target.side, accountId: target.accountId, region: target.region, principal: target.principal, credentials: target.credentials });

/**
 * Polls one image until it is available, with one call per poll while its snapshots are pending. Fails on a `failed`
 * copy, on a snapshot in `error`, on a copy that never shows or disappears, and at the deadline.
 */
export async function waitForImage(target: ImageToWaitFor, options: WaitOptions): Promise<Image> {
  const watch = new CopyWatch(target, siteOfTarget(target), options.signal);
  return pollUntilDone<Image>(
    {
      poll: async (expectsCompletion) => ((await watch.poll(expectsCompletion)) ? (watch.image as Image) : undefined),
      progress: () => watch.progress(),
      report: () => watch.image && `${target.label} ${target.imageId}: ${watch.image.State}, ${progressOf(watch.snapshots)}`,
      giveUp: (waitedMs, pastDeadline) => {
        if (!watch.image && (waitedMs >= NOT_VISIBLE_MS || pastDeadline)) throw notFound(target, waitedMs);
        if (watch.image && pastDeadline) throw timedOut(target, watch.image, watch.snapshots);
      },
      doneLine: (seconds) => `${target.label} ${target.imageId} is available after ${seconds} s.`,
    },
    options,
  );
}

/** Snapshot copies made without an image (CopySnapshot), watched together: `what` names them in messages. */
export type SnapshotsToWaitFor = Omit<ImageToWaitFor, 'imageId' | 'seen'> & { snapshotIds: string[] };

/**
 * Polls snapshot copies until every one is `completed`, with the same schedule, progress log and failure explanations
 * as waitForImage. A copy just started may not be visible yet (InvalidSnapshot.NotFound):
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
 */
export async function waitForSnapshots(target: SnapshotsToWaitFor, options: WaitOptions): Promise<Snapshot[]> {
  const named: ImageToWaitFor = { ...target, imageId: target.snapshotIds.join(', ') };
  let snapshots: Snapshot[] = [];
  const all = () => snapshots.length === target.snapshotIds.length;
  return pollUntilDone<Snapshot[]>(
    {
      poll: async () => {
        snapshots = await describeSnapshots(named, siteOfTarget(target), target.snapshotIds, options.signal);
        const broken = snapshots.find((s) => s.State === 'error');
        if (broken) throw snapshotFailed(named, broken);
        return all() && snapshots.every((s) => s.State === 'completed') ? snapshots : undefined;
      },
      progress: () => (all() ? slowestProgress(snapshots.map((s) => s.Progress)) : undefined),
      report: () => `${target.label}: ${progressOf(snapshots)}`,
      giveUp: (waitedMs, pastDeadline) => {
        if (!all() && waitedMs >= NOT_VISIBLE_MS) {
          throw failure(named, `DescribeSnapshots did not return every snapshot copy for ${Math.round(waitedMs / 1000)} s.`, 'Run the promotion again; if it happens again, check that nothing deletes new snapshots in this account and region.');
        }
        if (pastDeadline) {
          throw failure(named, `the snapshot copies were still running (${progressOf(snapshots)}) when wait-timeout-minutes ran out.`, 'Raise wait-timeout-minutes (large volumes and cross-region copies take long), or set copy-completion-minutes for a time-based copy.');
        }
      },
      doneLine: (seconds) => `${target.label} ${named.imageId} completed after ${seconds} s.`,
    },
    options,
  );
}
