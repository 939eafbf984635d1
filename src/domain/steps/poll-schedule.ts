/**
 * When to poll a running copy next, from the progress AWS reports for its snapshots.
 *
 * DescribeSnapshots reports each snapshot's Progress as a percentage and its State (pending | completed | error |
 * recoverable | recovering): https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Snapshot.html. The copy is
 * as far as its slowest snapshot. From the rate between the first progress seen and the latest, the schedule
 * estimates when the copy completes and polls just after that. AWS does not promise that progress rises linearly
 * (copies may jump, or sit at 99 % for a while), so the estimate only decides polls inside fixed bounds: never
 * sooner than MIN_DELAY_MS and never later than the maximum delay (15 s) after the previous poll, which bounds the
 * detection delay whatever the progress does. Estimates that turn out early back off, so a copy stuck near its end
 * is not polled every second. Without progress (a copy not visible yet, snapshots not started, progress not moving)
 * the delay backs off from the first delay by 1.5 up to the maximum.
 */
const FIRST_DELAY_MS = 2_000;
const MAX_DELAY_MS = 15_000;
const MIN_DELAY_MS = 1_000;
/** How long after the estimated completion to poll: the estimate from whole percents is rarely early. */
const AFTER_ESTIMATE_MS = 250;

interface ScheduleOptions {
  firstDelayMs?: number;
  maxDelayMs?: number;
}

interface Sample {
  atMs: number;
  percent: number;
}

/** The progress of the slowest of the snapshots ("87%"), or undefined when a snapshot reports none. */
export function slowestProgress(progress: (string | undefined)[]): number | undefined {
  if (progress.length === 0) return undefined;
  const percents = progress.map((p) => (p === undefined || p === '' ? Number.NaN : Number.parseFloat(p)));
  return percents.some(Number.isNaN) ? undefined : Math.min(...percents);
}

export class PollSchedule {
  private readonly maxDelayMs: number;
  private backoffMs: number;
  private first: Sample | undefined;
  /** The last delay aimed at the estimated completion (rather than at the maximum delay). */
  private aimed = false;
  /** Polls in a row that came at the estimate and found the copy still running. */
  private misses = 0;
  /** The estimated completion, in ms since waiting started. */
  private completionAtMs: number | undefined;

  constructor(options: ScheduleOptions = {}) {
    this.maxDelayMs = options.maxDelayMs ?? MAX_DELAY_MS;
    this.backoffMs = options.firstDelayMs ?? FIRST_DELAY_MS;
  }

  /** The next poll is the first one aimed at the estimated completion: reading the image alone may end the wait. */
  get expectsCompletion(): boolean {
    return this.aimed && this.misses === 0;
  }

  /**
   * The delay before the next poll, after a poll at `elapsedMs` (since waiting started) that saw `percent`; a poll
   * that saw no progress keeps the last estimate, or backs off while there is none.
   */
  next(elapsedMs: number, percent?: number): number {
    const remaining = this.remainingMs(elapsedMs, percent);
    if (remaining === undefined) {
      this.aimed = false;
      const delay = this.backoffMs;
      this.backoffMs = Math.min(Math.round(this.backoffMs * 1.5), this.maxDelayMs);
      return delay;
    }
    this.misses = this.aimed ? this.misses + 1 : 0;
    const floor = Math.min(this.maxDelayMs, MIN_DELAY_MS * 2 ** Math.max(0, this.misses - 1));
    const wanted = Math.round(remaining + AFTER_ESTIMATE_MS);
    this.aimed = wanted <= this.maxDelayMs;
    return Math.min(this.maxDelayMs, Math.max(floor, wanted));
  }

  private remainingMs(elapsedMs: number, percent: number | undefined): number | undefined {
    if (percent === undefined) return this.completionAtMs === undefined ? undefined : this.completionAtMs - elapsedMs;
    const remaining = this.estimate(elapsedMs, percent);
    if (remaining !== undefined) this.completionAtMs = elapsedMs + remaining;
    return remaining;
  }

  /** Time left at the average rate since the first progress seen; undefined until progress has moved. */
  private estimate(elapsedMs: number, percent: number): number | undefined {
    const first = this.first;
    if (!first) {
      this.first = { atMs: elapsedMs, percent };
      return percent >= 100 ? 0 : undefined;
    }
    if (percent >= 100) return 0;
    if (percent <= first.percent || elapsedMs <= first.atMs) return undefined;
    const perMs = (percent - first.percent) / (elapsedMs - first.atMs);
    return (100 - percent) / perMs;
  }
}
