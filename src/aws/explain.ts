import { PromotionError, errorMessage, errorName } from './errors.js';
import type { Side } from '../domain/types.js';

export interface CallSite {
  /** What the action was doing, e.g. "Sharing snapshot snap-0123 with account 222222222222". */
  what: string;
  side: Side;
  accountId?: string;
  region?: string;
  /** The IAM action of the call, e.g. ec2:ModifySnapshotAttribute. */
  action: string;
  /** The resource ARN the call acts on ("*" for EC2 calls that take no resource ARN). */
  resource?: string;
  /** The principal that made the call (role ARN), named in the fix. */
  principal?: string;
}

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'AuthFailure', 'Forbidden']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const THROTTLED = new Set(['RequestLimitExceeded', 'ThrottlingException', 'Throttling', 'TooManyRequestsException']);

export function isAccessDenied(error: unknown): boolean {
  return DENIED.has(errorName(error));
}

export function isExpired(error: unknown): boolean {
  return EXPIRED.has(errorName(error));
}

export function identityStatement(action: string, resource = '*'): string {
  return JSON.stringify({ Effect: 'Allow', Action: action, Resource: resource }, null, 2);
}

/** Turns an AWS SDK error into a PromotionError that says what failed, where, why, and the fix. */
export function explainAwsError(error: unknown, site: CallSite): PromotionError {
  if (error instanceof PromotionError) return error;
  const name = errorName(error);
  const message = errorMessage(error);
  const base = { what: site.what, side: site.side, accountId: site.accountId, region: site.region, cause: error };
  const who = site.principal ?? `the ${site.side} credentials`;
  if (DENIED.has(name)) {
    return new PromotionError({
      ...base,
      why: `${who} may not call ${site.action}${site.resource && site.resource !== '*' ? ` on ${site.resource}` : ''} (${name}: ${message}).`,
      fix: `Add this statement to the IAM policy of ${who}:\n${identityStatement(site.action, site.resource)}`,
    });
  }
  if (EXPIRED.has(name)) {
    return new PromotionError({
      ...base,
      why: `the ${site.side} credentials expired (${name}).`,
      fix: 'Re-run the job. If the source credentials come from an earlier configure-aws-credentials step, set source-role-arn instead so they are renewed.',
    });
  }
  if (THROTTLED.has(name)) {
    return new PromotionError({
      ...base,
      why: `AWS kept throttling the requests after every retry (${name}).`,
      fix: 'Re-run the job when the account is less busy, or raise AWS_MAX_ATTEMPTS in the job environment.',
    });
  }
  return new PromotionError({
    ...base,
    why: `${name || 'error'}: ${message}`,
    fix: 'See the AWS message above; re-run the job if the error was transient.',
  });
}

/** Runs one AWS call and explains its failure. */
export async function call<T>(site: CallSite, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw explainAwsError(error, site);
  }
}
