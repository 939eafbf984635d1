import { PromotionError, type ProblemDetails } from '../../aws/errors.js';
import type { Finding } from './findings.js';

export interface PreflightFinding extends Finding {
  /** The refusal behind a `missing` finding, thrown as it is when it is the only one. */
  error?: PromotionError;
}

/** A `missing` finding with the refusal that says where: the side's account and region. */
export function missingFinding(check: string, details: Omit<ProblemDetails, 'what'>): PreflightFinding {
  return { check, side: details.side ?? 'source', accountId: details.accountId, status: 'missing', detail: details.why, fix: details.fix, error: new PromotionError({ what: check, ...details }) };
}

/** Runs a check; a PromotionError becomes a `missing` finding instead of ending the preflight. */
export async function attempt<T>(findings: PreflightFinding[], check: string, side: Finding['side'], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof PromotionError)) throw error;
    findings.push({ check, side: error.details.side ?? side, accountId: error.details.accountId, status: 'missing', detail: error.details.why, fix: error.details.fix, error });
    return undefined;
  }
}
