import type { Clock, Logger } from '../context.js';
import type { AccountClients } from '../../aws/clients.js';
import type { Journal } from '../journal.js';
import type { Side } from '../types.js';

/** One account cleanup works in: its clients, and for messages its ID and role (named in each fix). */
export interface CleanupAccount {
  clients: AccountClients;
  accountId?: string;
  roleArn?: string;
}

export interface CleanupContext {
  source: CleanupAccount;
  /** Every target account, in the order of the inputs. */
  targets: CleanupAccount[];
  journal: Journal;
  log: Logger;
  /** Waits for resources AWS does not show yet (eventual consistency); tests pass a fake clock. */
  clock: Clock;
  /** Optional: stops those waits (the main step's cancellation). */
  signal?: AbortSignal;
}

/** One resource cleanup dealt with. */
export interface CleanupItem {
  /** e.g. "launch permission of account 222222222222 on ami-0123" */
  what: string;
  side: Side;
  accountId?: string;
  region: string;
}

export interface RemovedItem extends CleanupItem {
  /** True when it was already gone (counts as done). */
  alreadyGone?: boolean;
  /** Set when cleanup looked for a resource this run had just created before taking it as gone. */
  note?: string;
}

export interface KeptItem extends CleanupItem {
  /** Why it was left in place on purpose. */
  reason: string;
}

export interface FailedItem extends CleanupItem {
  /** The full message: what failed, where, why and the fix. */
  message: string;
  why: string;
  fix: string;
}

export interface CleanupReport {
  /** Set when there was nothing to undo, saying why; nothing was called then. */
  nothingToDo?: string;
  removed: RemovedItem[];
  kept: KeptItem[];
  failed: FailedItem[];
}
