/** Which account a call or a problem belongs to. */
export type Side = 'source' | 'target';

export interface ProblemDetails {
  /** What failed, e.g. "Copying ami-0123 into the target account". */
  what: string;
  side?: Side;
  accountId?: string;
  region?: string;
  /** Why it probably happened. */
  why: string;
  /** The exact fix: a statement to add, an input to change. */
  fix: string;
  cause?: unknown;
}

/** An error the user can act on: it says what failed, where, why, and how to fix it. */
export class PromotionError extends Error {
  readonly details: ProblemDetails;

  constructor(details: ProblemDetails) {
    super(formatProblem(details), { cause: details.cause });
    this.name = 'PromotionError';
    this.details = details;
  }
}

export function where(details: Pick<ProblemDetails, 'side' | 'accountId' | 'region'>): string {
  const parts: string[] = [];
  if (details.side) parts.push(details.accountId ? `${details.side} account ${details.accountId}` : `${details.side} account`);
  if (details.region) parts.push(details.region);
  return parts.join(', ');
}

export function formatProblem(details: ProblemDetails): string {
  const place = where(details);
  return `${details.what}${place ? ` (${place})` : ''} failed: ${details.why}\nFix: ${details.fix}`;
}

export function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
