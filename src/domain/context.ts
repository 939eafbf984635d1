import type { AccountClients } from '../aws/clients.js';
import type { CallerIdentity } from './lookups/identity.js';
import type { Journal } from './journal.js';
import type { PromotionRequest } from './types.js';

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

export interface PromotionContext {
  request: PromotionRequest;
  source: AccountClients;
  target: AccountClients;
  sourceIdentity: CallerIdentity;
  targetIdentity: CallerIdentity;
  journal: Journal;
  log: Logger;
  clock: Clock;
  /** Aborted when the job is cancelled; waits stop at once. */
  signal: AbortSignal;
  /** Epoch milliseconds at which all waiting stops (wait-timeout-minutes after the start). */
  deadline: number;
}
