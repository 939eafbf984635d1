import type { Clock, Logger } from '../context.js';

/**
 * How long after its creation a "not found" answer for a resource this run created is not taken as proof that it is
 * gone. EC2 is eventually consistent: a command on a resource just created may answer that it does not exist, and
 * AWS recommends repeating the Describe call with exponential backoff, from a couple of seconds up to a few minutes
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). KMS grants likewise take "usually less
 * than five minutes" to be available throughout KMS (https://docs.aws.amazon.com/kms/latest/APIReference/API_RevokeGrant.html).
 * Three minutes, so that the post step of a cancelled job ends within GitHub's 5-minute cancellation timeout
 * (https://docs.github.com/en/actions/reference/workflow-cancellation-reference).
 */
const VISIBILITY_WINDOW_MS = 3 * 60_000;
/** All of cleanup's waiting for new resources ends this long after cleanup starts (same 5-minute limit). */
const CLEANUP_WAIT_MS = 4 * 60_000;
const FIRST_DELAY_MS = 2_000;
const MAX_DELAY_MS = 20_000;

/** The answer of a call whose resource does not exist; `note` says how long cleanup looked for a new one. */
export class Gone {
  static readonly instance = new Gone();
  constructor(readonly note?: string) {}
}

/** A resource this run created, not found yet when cleanup's time ran out, so not known to be gone. */
export class NotSeenInTime extends Error {
  constructor(
    readonly resourceId: string,
    readonly ageSeconds: number,
  ) {
    super(`${resourceId} was not found ${ageSeconds} s after this run created it`);
    this.name = 'NotSeenInTime';
  }
}

/** A resource to look for: its ID, and when this run created it (undefined: not created by this run, or unknown). */
export interface Sought {
  id: string;
  what: string;
  createdAt?: number;
}

/** Looks again, with backoff, for resources this run created a moment ago and AWS does not show yet. */
export class Lookout {
  private readonly deadline: number;
  /**
   * Resources seen, or looked for until the window passed: a later "not found" for them is final at once (a resource
   * seen has propagated; another run may have removed it since, as the last user of a shared intermediate copy does).
   */
  private readonly settled = new Set<string>();

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly signal?: AbortSignal,
  ) {
    this.deadline = clock.now() + CLEANUP_WAIT_MS;
  }

  /**
   * Runs `attempt` until it finds the resource. Gone is final for a resource older than the window or of unknown
   * age; for a newer one the attempt is repeated until the window has passed since its creation, then Gone says so.
   * Throws NotSeenInTime when cleanup's time runs out first.
   */
  async untilFound<T>(sought: Sought, attempt: () => Promise<T | Gone>): Promise<T | Gone> {
    let delay = FIRST_DELAY_MS;
    let waited = false;
    for (;;) {
      const result = await attempt();
      if (!(result instanceof Gone)) this.settled.add(sought.id);
      if (!(result instanceof Gone) || sought.createdAt === undefined || this.settled.has(sought.id)) return result;
      const now = this.clock.now();
      const windowEnd = sought.createdAt + VISIBILITY_WINDOW_MS;
      if (now >= windowEnd) {
        this.settled.add(sought.id);
        return waited ? new Gone(`not seen within ${VISIBILITY_WINDOW_MS / 1000} s of its creation`) : result;
      }
      const age = Math.round((now - sought.createdAt) / 1000);
      if (now >= this.deadline) throw new NotSeenInTime(sought.id, age);
      const wait = Math.min(delay, windowEnd - now, this.deadline - now);
      this.log.info(
        `${sought.what} was not found ${age} s after this run created it; AWS may not show a new resource for a few minutes (eventual consistency): looking again in ${Math.ceil(wait / 1000)} s.`,
      );
      await this.clock.sleep(wait, this.signal);
      waited = true;
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
