import * as core from '@actions/core';
import type { CleanupReport } from '../domain/cleanup/report.js';
import { findingPlace, type Finding } from '../domain/preflight/findings.js';
import type { TargetPolicies } from '../domain/preflight/policy-inputs.js';
import type { PromotionResult } from '../domain/pipeline.js';
import type { PromotionRequest } from '../domain/types.js';
import type { GeneratedPolicies } from '../policy/generate.js';

export const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return 'reused';
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

/** The job summary of a promotion: one row per target account and region, then what was shared and changed. */
export function addPromotionSummary(request: PromotionRequest, result: PromotionResult): void {
  const header = ['Account', 'Region', 'AMI', 'Snapshots', 'Key', 'Time'].map((data) => ({ data, header: true }));
  const rows = result.targets.flatMap((t) =>
    t.regions.map((r) => [t.accountId, r.region, `<code>${r.imageId}</code>`, r.snapshotIds.map((s) => `<code>${s}</code>`).join('<br>'), escape(r.key), duration(r.seconds)]),
  );
  const failed = result.failures.map((f) => [f.accountId, f.region, 'failed', '—', '—', escape(f.error instanceof Error ? f.error.message.split('\n')[0] ?? '' : String(f.error))]);
  const details = [`Source: <code>${request.sourceAmiId}</code> in account ${result.sourceAccountId}, ${request.sourceRegion}`];
  if (result.reused) details.push('Every region already had this promotion: nothing was copied, shared or granted.');
  if (result.reencryptedImageId) details.push(`Re-encrypted with <code>${request.kmsKey.arn}</code> as <code>${result.reencryptedImageId}</code> (intermediate copy)`);
  if (result.share?.added.length) details.push(`Shared with the target accounts for the copy: ${result.share.added.map((id) => `<code>${id}</code>`).join(', ')}`);
  if (result.share?.alreadyShared.length) details.push(`Already shared before this run (left as is): ${result.share.alreadyShared.join(', ')}`);
  for (const change of result.keyChanges) details.push(`Key access: ${escape(change)}`);
  if (result.finish?.protectedImages.length) details.push('Deregistration protection: on');
  if (result.finish?.deprecateAt) details.push(`Deprecated from ${result.finish.deprecateAt.toISOString()}`);
  if (result.finish?.ssmParameters.length) details.push(`SSM parameter: ${result.finish.ssmParameters.join(', ')}`);
  for (const share of result.onward) {
    const added = share.added.length > 0 ? `added now: ${share.added.map(escape).join(', ')}` : 'nothing new';
    const already = share.already.length > 0 ? `; already: ${share.already.map(escape).join(', ')}` : '';
    details.push(`Shared onward (kept): <code>${share.imageId}</code> (${share.accountId}, ${share.region}), ${added}${already}`);
  }
  core.summary.addHeading('AMI promotion', 2).addTable([header, ...rows, ...failed]).addList(details);
}

/** One row per preflight check: ok / missing / unchecked / warning, with the fix. */
export function addPreflightSummary(findings: Finding[]): void {
  const header = ['Check', 'Account', 'Result', 'Detail and fix'].map((data) => ({ data, header: true }));
  const rows = findings.map((f) => [
    escape(f.check),
    findingPlace(f),
    f.status === 'unchecked' ? 'could not check' : f.status,
    escape(f.detail) + (f.fix ? `<br><b>Fix:</b> <pre>${escape(f.fix)}</pre>` : ''),
  ]);
  core.summary.addHeading('Preflight', 3).addTable([header, ...rows]);
}

/** The complete policies for these inputs, collapsed; with several target accounts, each account's own. */
export function addPoliciesSummary(policies: GeneratedPolicies & { targets?: Record<string, TargetPolicies> }): void {
  const block = (title: string, value: unknown) => `<details><summary>${title}</summary>\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n\n</details>`;
  const several = Object.entries(policies.targets ?? {});
  const targets: [string, TargetPolicies][] = several.length > 1 ? several.map(([accountId, p]) => [` in account ${accountId}`, p]) : [['', policies]];
  core.summary
    .addHeading('Policies for these inputs', 3)
    .addRaw(block('Source role: IAM policy', policies.sourceRoleIamPolicy), true)
    .addRaw(block(`Source key: key-policy statements for the target role${targets.length > 1 ? 's' : ''}`, policies.keyPolicyStatements), true);
  for (const [where, p] of targets) {
    core.summary.addRaw(block(`Target role${where}: IAM policy`, p.targetRoleIamPolicy), true).addRaw(block(`Target role${where}: trust policy`, p.targetTrustPolicy), true);
    if (p.autoscalingKeyStatements.length > 0) {
      core.summary.addRaw(block(`Target key${where}: statements for the Auto Scaling service-linked role`, p.autoscalingKeyStatements), true);
    }
  }
  if (policies.recipientKeyStatements.length > 0) {
    core.summary.addRaw(block('Target key: statements for the share-with recipients', policies.recipientKeyStatements), true);
  }
}

/** The job summary's "Cleanup" section: one row per item removed, kept or not removed. */
export function addCleanupSummary(report: CleanupReport): void {
  const place = (item: { side: string; accountId?: string; region: string }) =>
    `${item.side}${item.accountId ? ` ${item.accountId}` : ''}, ${item.region}`;
  const rows = [
    ...report.removed.map((item) => ['removed', item.what, place(item), item.alreadyGone ? `already gone${item.note ? ` (${item.note})` : ''}` : 'removed by this run']),
    ...report.kept.map((item) => ['kept', item.what, place(item), item.reason]),
    ...report.failed.map((item) => ['failed', item.what, place(item), `${item.why} Fix: ${item.fix}`]),
  ];
  // The toolkit writes an empty cell as an unclosed <td>: every cell has text.
  const header = ['Result', 'Item', 'Account, region', 'Detail'].map((data) => ({ data, header: true }));
  const summary = core.summary.addHeading('Cleanup', 3);
  if (rows.length === 0) summary.addRaw('Nothing was left to undo.', true);
  else summary.addTable([header, ...rows]);
}

/** Writes what was added to the job summary; a summary that cannot be written is a warning, never a failure. */
export async function writeSummary(): Promise<void> {
  try {
    await core.summary.write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
  }
}
