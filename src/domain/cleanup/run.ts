import { isNotFound, type ResourceKind } from '../../aws/classify.js';
import { PromotionError, where } from '../../aws/errors.js';
import { call as explainedCall, explainAwsError, type CallSite } from '../../aws/explain.js';
import type { CleanupAccount, CleanupContext, CleanupItem, CleanupReport } from './report.js';
import { Gone, Lookout, NotSeenInTime, type Sought } from './visibility.js';
import type { Side } from '../types.js';

/** One AWS call of cleanup: enough to say what failed, where, and how to fix it. */
export interface Call {
  /** Sentence subject, e.g. "Removing the launch permission of account 2222 from ami-1". */
  what: string;
  side: Side;
  region: string;
  /** IAM actions the call needs. */
  actions: string[];
  /** The resource the IAM statement can name (the KMS key of a grant); EC2 calls: none ("*"). */
  resource?: string;
  /** The CLI command that does the same by hand, with the same side's credentials. */
  manual: string;
}

/** One cleanup: the report it builds, and how it sends calls and explains their failures (with the shared explainer). */
export class CleanupRun {
  /**
   * `created`: when this run created each resource (image, snapshot or grant ID), from the journal. `target`: the
   * target account this run works in (the first by default; see forTarget).
   */
  constructor(
    readonly ctx: CleanupContext,
    private readonly created: ReadonlyMap<string, number>,
    readonly report: CleanupReport = { removed: [], kept: [], failed: [] },
    readonly target: CleanupAccount = ctx.targets[0] ?? { clients: ctx.source.clients },
    private readonly lookout = new Lookout(ctx.clock, ctx.log, ctx.signal),
  ) {}

  /** The same cleanup, in the target account of `accountId` (the first one when unknown, as in journals of one target). */
  forTarget(accountId: string | undefined): CleanupRun {
    const target = this.ctx.targets.find((t) => t.accountId === accountId) ?? this.target;
    return new CleanupRun(this.ctx, this.created, this.report, target, this.lookout);
  }

  side(side: Side): CleanupAccount {
    return side === 'source' ? this.ctx.source : this.target;
  }

  /** A resource to look for; `createdWith` names the resource created together with it (a copy's snapshots: the copy). */
  sought(id: string, what: string, createdWith = id): Sought {
    return { id, what, createdAt: this.created.get(id) ?? this.created.get(createdWith) };
  }

  item(what: string, side: Side, region: string): CleanupItem {
    const accountId = this.side(side).accountId;
    return { what, side, region, ...(accountId ? { accountId } : {}) };
  }

  private place(item: CleanupItem): string {
    return where({ side: item.side, accountId: item.accountId, region: item.region });
  }

  /** Records a removal; `gone` when it was already gone. */
  removed(item: CleanupItem, gone?: Gone): void {
    const note = gone?.note;
    this.report.removed.push(gone ? { ...item, alreadyGone: true, ...(note ? { note } : {}) } : item);
    this.ctx.log.info(
      gone ? `Already gone: ${item.what} (${this.place(item)})${note ? `: ${note}` : ''}` : `Removed ${item.what} (${this.place(item)})`,
    );
  }

  kept(item: CleanupItem, reason: string): void {
    this.report.kept.push({ ...item, reason });
    this.ctx.log.info(`Kept ${item.what} (${this.place(item)}): ${reason}`);
  }

  failed(item: CleanupItem, error: unknown): void {
    const problem =
      error instanceof PromotionError
        ? error
        : this.problem({ what: `Removing ${item.what}`, side: item.side, region: item.region, actions: [], manual: '' }, error);
    const { why, fix } = problem.details;
    this.report.failed.push({ ...item, message: problem.message, why, fix });
    this.ctx.log.info(`Could not remove ${item.what} (${this.place(item)}): ${why}`);
  }

  /** Where `call` runs, for the shared explainer: the account, the role, and where the credentials come from. */
  private site(call: Call): CallSite {
    const { accountId, roleArn } = this.side(call.side);
    return {
      what: call.what,
      side: call.side,
      accountId,
      region: call.region,
      action: call.actions,
      resource: call.resource,
      principal: roleArn,
      credentials: roleArn ? 'assumed' : 'environment',
    };
  }

  /** What cleanup adds to every fix: the command that does the same by hand. */
  private byHand(call: Call): string | undefined {
    return call.manual ? `Or do it by hand with ${call.side} account credentials: ${call.manual}` : undefined;
  }

  /** Explains why `call` failed and the fix, with the command to do it by hand. */
  problem(call: Call, error: unknown): PromotionError {
    if (!(error instanceof NotSeenInTime)) return explainAwsError(error, this.site(call), this.byHand(call));
    return new PromotionError({
      what: call.what,
      side: call.side,
      accountId: this.side(call.side).accountId,
      region: call.region,
      why: `${error.message}, and AWS may take a few minutes to show a new resource (eventual consistency); cleanup's time ran out before it could tell whether it exists.`,
      fix: `Check whether ${error.resourceId} still exists in ${call.region}, and if it does remove it with ${call.side} account credentials: ${call.manual}`,
      cause: error,
    });
  }

  /** Sends one call; a "not found" answer for a resource of kind `gone` resolves to Gone, anything else throws a PromotionError. */
  send<T>(call: Call, fn: () => Promise<T>, gone?: ResourceKind): Promise<T | Gone> {
    const attempt = async (): Promise<T | Gone> => {
      try {
        return await fn();
      } catch (error) {
        if (gone && isNotFound(error, gone)) return Gone.instance;
        throw error;
      }
    };
    return explainedCall(this.site(call), attempt, this.byHand(call));
  }

  /** Runs `attempt` until it finds `sought`, which AWS may not show yet if this run created it a moment ago. */
  async untilFound<T>(call: Call, sought: Sought, attempt: () => Promise<T | Gone>): Promise<T | Gone> {
    try {
      return await this.lookout.untilFound(sought, attempt);
    } catch (error) {
      if (error instanceof NotSeenInTime) throw this.problem(call, error);
      throw error;
    }
  }

  /** `send`, looking again while a resource this run created a moment ago answers "not found". */
  sendUntilFound<T>(call: Call, sought: Sought, fn: () => Promise<T>, gone: ResourceKind): Promise<T | Gone> {
    return this.untilFound(call, sought, () => this.send(call, fn, gone));
  }
}
