import { isAccessDenied, isExpired } from '../../aws/explain.js';
import type { CleanupContext, CleanupItem, CleanupReport, CleanupSide } from './report.js';
import { Gone, Lookout, NotSeenInTime, type Sought } from './visibility.js';
import { PromotionError, errorMessage, errorName, where, type ProblemDetails } from '../../aws/errors.js';
import type { Side } from '../types.js';

/** One AWS call of cleanup: enough to say what failed, where, and how to fix it. */
export interface Call {
  /** Sentence subject, e.g. "Removing the launch permission of account 2222 from ami-1". */
  what: string;
  side: Side;
  region: string;
  /** IAM actions the call needs. */
  actions: string[];
  /** The CLI command that does the same by hand, with the same side's credentials. */
  manual: string;
}


/** One cleanup: the report it builds, how it explains failures, and how it sends calls. */
export class CleanupRun {
  readonly report: CleanupReport = { removed: [], kept: [], failed: [] };
  private readonly lookout: Lookout;

  /** `created`: when this run created each resource (image, snapshot or grant ID), from the journal. */
  constructor(
    readonly ctx: CleanupContext,
    private readonly created: ReadonlyMap<string, number>,
  ) {
    this.lookout = new Lookout(ctx.clock, ctx.log, ctx.signal);
  }

  side(side: Side): CleanupSide {
    return this.ctx.sides?.[side] ?? {};
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

  /** Turns an AWS error into a PromotionError saying the probable reason and the fix. */
  problem(call: Call, error: unknown): PromotionError {
    const name = errorName(error);
    const message = errorMessage(error);
    const { accountId, roleArn } = this.side(call.side);
    const role = `the ${call.side} role${roleArn ? ` ${roleArn}` : ''}`;
    const byHand = call.manual ? ` Or do it by hand with ${call.side} account credentials: ${call.manual}` : '';
    const details: ProblemDetails = { what: call.what, side: call.side, accountId, region: call.region, why: '', fix: '', cause: error };
    if (error instanceof PromotionError) {
      // The session itself failed (for example the OIDC token or AssumeRoleWithWebIdentity).
      details.why = error.details.why;
      details.fix = `${error.details.fix}${byHand}`;
    } else if (error instanceof NotSeenInTime) {
      details.why = `${message}, and AWS may take a few minutes to show a new resource (eventual consistency); cleanup's time ran out before it could tell whether it exists.`;
      details.fix = `Check whether ${error.resourceId} still exists in ${call.region}, and if it does remove it with ${call.side} account credentials: ${call.manual}`;
    } else if (isAccessDenied(error) || /not authorized|access ?denied/i.test(message)) {
      details.why = `${role} is not allowed to call ${call.actions.join(' and ')} (${name || 'AccessDenied'}: ${message}).`;
      details.fix = `Allow ${call.actions.join(' and ')} on ${role}${call.side === 'source' && call.actions.some((a) => a.startsWith('kms:')) ? ' (in its IAM policy and in the key policy)' : ''}.${byHand}`;
    } else if (isExpired(error)) {
      details.why = `the ${call.side} credentials expired (${name}: ${message}).`;
      details.fix =
        call.side === 'source' && !roleArn
          ? `Credentials from an earlier configure-aws-credentials step cannot be renewed here: set source-role-arn so that the action assumes the source role with the OIDC token in both steps.${byHand}`
          : `Re-run the job to retry with fresh credentials.${byHand}`;
    } else if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
      details.why = `no ${call.side} credentials were available (${message}).`;
      details.fix =
        call.side === 'source'
          ? `Set source-role-arn, or keep the source credentials of an earlier configure-aws-credentials step available to the post step.${byHand}`
          : `Check target-role-arn and that the job has permissions: id-token: write.${byHand}`;
    } else if (name === 'InvalidSnapshot.InUse') {
      details.why = `the snapshot is still used by an AMI (${message}).`;
      details.fix = `Deregister the AMI that uses it, then delete the snapshot.${byHand}`;
    } else if (name === 'KMSInvalidStateException') {
      details.why = `the key is disabled or pending deletion (${message}).`;
      details.fix = `Enable the key, then remove the grant.${byHand}`;
    } else {
      details.why = `${name || 'error'}: ${message}`;
      details.fix = `Run the action again to retry.${byHand}`;
    }
    return new PromotionError(details);
  }

  /** Sends one call; `gone` error codes resolve to Gone, anything else throws a PromotionError. */
  async send<T>(call: Call, fn: () => Promise<T>, gone: ReadonlySet<string> = new Set()): Promise<T | Gone> {
    try {
      return await fn();
    } catch (error) {
      if (gone.has(errorName(error))) return Gone.instance;
      throw this.problem(call, error);
    }
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
  sendUntilFound<T>(call: Call, sought: Sought, fn: () => Promise<T>, gone: ReadonlySet<string>): Promise<T | Gone> {
    return this.untilFound(call, sought, () => this.send(call, fn, gone));
  }
}
