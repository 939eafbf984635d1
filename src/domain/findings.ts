import type { Side } from './types.js';

/** One preflight check: a log line and a row of the job summary. */
export interface Finding {
  check: string;
  side: Side;
  status: 'ok' | 'missing' | 'unchecked' | 'warning';
  detail: string;
  fix?: string;
}

export function formatFinding(finding: Finding): string {
  return `[${finding.status}] ${finding.check} (${finding.side} account): ${finding.detail}${finding.fix ? `\n  Fix: ${finding.fix}` : ''}`;
}
