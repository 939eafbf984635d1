import type { Side } from '../types.js';

/** One preflight check: a log line and a row of the job summary. */
export interface Finding {
  check: string;
  side: Side;
  /** The account the check is about; the preflight sets it on every finding of an account's checks. */
  accountId?: string;
  status: 'ok' | 'missing' | 'unchecked' | 'warning';
  detail: string;
  fix?: string;
}

/** "source account 111122223333". */
export function findingPlace(finding: Finding): string {
  return `${finding.side} account${finding.accountId ? ` ${finding.accountId}` : ''}`;
}

export function formatFinding(finding: Finding): string {
  return `[${finding.status}] ${finding.check} (${findingPlace(finding)}): ${finding.detail}${finding.fix ? `\n  Fix: ${finding.fix}` : ''}`;
}

/** The accounts of a set of checks: the source account, and the target account they concern. */
export type CheckAccounts = { source: string; target?: string };

/** Findings that each name their account, by side (a finding that names one already keeps it). */
export function placed<T extends Finding>(accounts: CheckAccounts, findings: T[]): T[] {
  return findings.map((finding) => (finding.accountId || !accounts[finding.side] ? finding : { ...finding, accountId: accounts[finding.side] }));
}
