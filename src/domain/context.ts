import type { AccountClients } from '../aws/clients.js';
import type { CallerIdentity } from './lookups/identity.js';
import type { Journal } from './journal.js';
import type { PromotionRequest, TargetSpec } from './types.js';

/** Where the domain writes progress; the GitHub layer maps it to core.info/warning/group. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Time and sleeping, injectable so tests do not wait. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** What a run shares across accounts: where it logs, its clock, its cancel signal and its deadline. */
export interface RunEnv {
  log: Logger;
  clock: Clock;
  /** Aborted when the job is cancelled; waits stop at once. */
  signal: AbortSignal;
  /** Epoch milliseconds at which the run started. */
  started: number;
  /** Epoch milliseconds at which all waiting stops (wait-timeout-minutes after the start). */
  deadline: number;
}

/** One account the promotion works in: its clients, who the action is there, and where its credentials come from. */
export interface Account extends AccountClients {
  readonly identity: CallerIdentity;
  /** A role the action assumes (and renews), or credentials an earlier step left in the environment. */
  readonly credentials: 'assumed' | 'environment';
}

/** A target account: its clients and identity, with the role, regions and key asked for. */
export interface Target extends Account {
  readonly spec: TargetSpec;
}

export interface PromotionContext extends RunEnv {
  request: PromotionRequest;
  source: Account;
  /** Every target account, in the order of the inputs. */
  targets: Target[];
  journal: Journal;
}

/** The context of the work for one target account. */
export interface TargetContext extends PromotionContext {
  target: Target;
}

export function forTarget(ctx: PromotionContext, target: Target): TargetContext {
  return { ...ctx, target };
}

/** The target account IDs, in the order of the inputs. */
export function targetAccountIds(ctx: Pick<PromotionContext, 'targets'>): string[] {
  return ctx.targets.map((target) => target.identity.accountId);
}

/** Where a call runs: the account's side, ID, principal and credentials, and the region, for every message about it. */
export function siteOf(account: Account, region: string) {
  const { side, accountId, principalArn } = account.identity;
  return { side, accountId, region, principal: principalArn, credentials: account.credentials };
}

/** The clients of an account together with who the action is there. */
export function accountOf(clients: AccountClients, identity: CallerIdentity, credentials: Account['credentials'] = 'assumed'): Account {
  return { ...clients, identity, credentials };
}
