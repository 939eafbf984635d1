import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client, type Image, type Snapshot } from '@aws-sdk/client-ec2';
import { call } from '../../aws/explain.js';
import { snapshotIdsOf } from '../../aws/images.js';
import type { Clock, Logger } from '../context.js';
import { PromotionError, errorName } from '../../aws/errors.js';
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

const FIRST_DELAY_MS = 2_000;
const MAX_DELAY_MS = 30_000;
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

/** The image's snapshots, to report progress; a snapshot in `error` fails the wait. */
async function describeSnapshots(target: ImageToWaitFor, site: Site, image: Image, signal: AbortSignal): Promise<Snapshot[]> {
  const snapshotIds = snapshotIdsOf(image);
  if (snapshotIds.length === 0) return [];
  const response = await call({ ...site, what: `Describing the snapshots of ${target.imageId}`, action: 'ec2:DescribeSnapshots' }, () =>
    target.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }), { abortSignal: signal }).catch((error: unknown) => {
      // The snapshots of a copy just started may not be visible yet: no progress this time.
      if (errorName(error) === 'InvalidSnapshot.NotFound') return { Snapshots: [] };
      throw error;
    }),
  ).catch(unlessCancelled(signal));
  const snapshots = response.Snapshots ?? [];
  const broken = snapshots.find((s) => s.State === 'error');
  if (broken) {
    const reason = broken.StateMessage ?? 'snapshot copy failed';
    throw failure(target, `snapshot ${broken.SnapshotId} of the copy is in state error: ${reason}.${probableKmsCause(reason, target)}`, 'Fix the cause above and run the promotion again; the failed copy is removed by cleanup.');
  }
  return snapshots;
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
 * Polls one image until it is available: one DescribeImages and at most one DescribeSnapshots per poll,
 * fast at first and backing off to a bounded interval. Fails on `failed`, on a snapshot in `error`, and
 * at the deadline.
 */
export async function waitForImage(target: ImageToWaitFor, options: WaitOptions): Promise<Image> {
  const { clock, log, signal } = options;
  const site = { side: target.side, accountId: target.accountId, region: target.region, principal: target.principal, credentials: target.credentials };
  let delay = options.firstDelayMs ?? FIRST_DELAY_MS;
  const maxDelay = options.maxDelayMs ?? MAX_DELAY_MS;
  const started = clock.now();
  let lastReport = '';
  let seen = target.seen ?? false;
  for (;;) {
    signal.throwIfAborted();
    const image = await describeImage(target, site, signal);
    if (image?.State === 'available') {
      log.info(`${target.label} ${target.imageId} is available after ${Math.round((clock.now() - started) / 1000)} s.`);
      return image;
    }
    const invisible = !image && !seen;
    if (invisible && (clock.now() - started >= NOT_VISIBLE_MS || options.deadline <= clock.now())) throw notFound(target, clock.now() - started);
    if (!invisible) {
      seen = true;
      if (!image || ENDED.includes(image.State ?? '')) throw endedBadly(target, image);
      const snapshots = await describeSnapshots(target, site, image, signal);
      const report = `${target.label} ${target.imageId}: ${image.State}, ${progressOf(snapshots)}`;
      if (report !== lastReport) log.info(report);
      lastReport = report;
      if (options.deadline - clock.now() <= 0) throw timedOut(target, image, snapshots);
    }
    await clock.sleep(Math.min(delay, options.deadline - clock.now()), signal);
    delay = Math.min(Math.round(delay * 1.5), maxDelay);
  }
}
