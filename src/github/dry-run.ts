import * as core from '@actions/core';
import { dryRunPlan } from '../domain/dry-run.js';
import { findingPlace } from '../domain/preflight/findings.js';
import { missingFindings, type PreflightResult } from '../domain/preflight/preflight.js';
import type { PromotionRequest } from '../domain/types.js';

/** Logs and summarises the plan of a dry run; nothing was changed. Fails the step when something is missing. */
export function reportDryRun(request: PromotionRequest, pre: PreflightResult): void {
  const missing = missingFindings(pre);
  const lines = dryRunPlan(request, pre);
  core.summary.addHeading('AMI promotion: dry run', 2).addRaw('Nothing was changed in any account.', true);
  if (missing.length === 0) {
    core.info(`Dry run: nothing was changed. A real run would:\n${lines.map((l) => `- ${l}`).join('\n')}`);
    core.summary.addRaw('A real run would:', true).addList(lines);
    return;
  }
  const list = missing.map((f, i) => `${i + 1}. ${f.check} (${findingPlace(f)}): ${f.detail}${f.fix ? `\n   Fix: ${f.fix}` : ''}`).join('\n');
  core.summary.addRaw(`A real run would stop: ${missing.length} thing(s) are missing (see the preflight table).`, true);
  core.setFailed(`Dry run: nothing was changed; ${missing.length} thing(s) must be fixed before a real run:\n${list}`);
}
