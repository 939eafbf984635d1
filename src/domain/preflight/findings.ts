import type { Side } from '../types.js';

/** One preflight check: a log line and a row of the job summary. */
export interface Finding {
  check: string;
  side: Side;
  status: 'ok' | 'missing' | 'unchecked' | 'warning';
  detail: string;
  fix?: string;
}

export type Accounts = Record<Side, string>;

/** "source account 111122223333". */
export function findingPlace(finding: Finding, accounts: Accounts): string {
  return `${finding.side} account ${accounts[finding.side]}`;
}

export function formatFinding(finding: Finding, accounts: Accounts): string {
  return `[${finding.status}] ${finding.check} (${findingPlace(finding, accounts)}): ${finding.detail}${finding.fix ? `\n  Fix: ${finding.fix}` : ''}`;
}
