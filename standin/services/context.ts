/** What an operation handler gets: the caller, the region, the world, and a place to note what it did. */
import type { Caller } from '../auth/identity.js';
import type { CallLog, ServiceName } from '../calllog.js';
import { awsError } from '../errors.js';
import type { OidcIssuer } from '../oidc.js';
import type { StandInSettings } from '../settings.js';
import type { WorldState } from '../state.js';

export interface CallContext {
  service: ServiceName;
  operation: string;
  region: string;
  requestId: string;
  /** Undefined only for unsigned calls (AssumeRoleWithWebIdentity). */
  caller?: Caller;
  state: WorldState;
  settings: StandInSettings;
  log: CallLog;
  oidc: OidcIssuer;
  /** Handlers set this when they changed state. */
  mutated: boolean;
  /** Extra facts for the call log. */
  notes: Record<string, unknown>;
}

export type Handler = (ctx: CallContext, input: Record<string, unknown>) => Promise<object>;

/** Wraps a typed handler for the registry (inputs are decoded with the SDK's own input schema). */
export function op<I extends object>(handler: (ctx: CallContext, input: I) => Promise<object> | object): Handler {
  return async (ctx, input) => handler(ctx, input as I);
}

export function callerOf(ctx: CallContext): Caller {
  if (!ctx.caller) throw awsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  return ctx.caller;
}

export function required<T>(value: T | undefined | null, name: string, code = 'MissingParameter'): T {
  if (value === undefined || value === null || value === '') {
    throw awsError(code, `The request must contain the parameter ${name}`);
  }
  return value;
}
