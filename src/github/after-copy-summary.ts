import * as core from '@actions/core';
import { escape } from './summary.js';
import { lineageOf, type Lineage, type LineageLink } from '../domain/lineage.js';
import type { PromotionResult } from '../domain/pipeline.js';
import type { PromotionRequest } from '../domain/types.js';
import type { LaunchTemplateVersion } from '../domain/steps/launch-templates.js';
import type { RetirementReport } from '../domain/steps/retire.js';

const code = (text: string) => `<code>${text}</code>`;

function linkCell(link: LineageLink): string {
  const reported = link.reported ? `${link.reported.imageId}${link.reported.region ? ` (${link.reported.region})` : ''}` : '';
  const check = {
    verified: 'verified (SourceImageId)',
    'not reported': 'EC2 reports no source',
    differs: `EC2 reports ${reported}`,
    'earlier run': `copied by an earlier run from ${reported}`,
  }[link.check];
  return `${code(link.imageId)}<br>${check}`;
}

/** Source AMI → intermediate copy → promoted AMI, per account and region, as EC2 records it. */
function addLineageSummary(lineages: Lineage[]): void {
  if (lineages.length === 0) return;
  const header = ['Account', 'Region', 'Source AMI', 'Intermediate copy', 'Promoted AMI'].map((data) => ({ data, header: true }));
  const rows = lineages.map((l) => [l.accountId, l.region, code(l.source), l.intermediate ? linkCell(l.intermediate) : 'none (shared as it is)', linkCell(l.promoted)]);
  core.summary.addHeading('Lineage', 3).addTable([header, ...rows]);
}

/** launch-template-versions: account ID → region → template ID → version number. */
export function launchTemplateVersionsOutput(versions: LaunchTemplateVersion[]): Record<string, Record<string, Record<string, number>>> {
  const output: Record<string, Record<string, Record<string, number>>> = {};
  for (const v of versions) {
    const regions = (output[v.accountId] ??= {});
    (regions[v.region] ??= {})[v.templateId] = v.version;
  }
  return output;
}

/** One row per launch template version that holds a promoted AMI. */
export function addLaunchTemplateSummary(versions: LaunchTemplateVersion[]): void {
  if (versions.length === 0) return;
  const header = ['Account', 'Region', 'Launch template', 'Version', 'Note'].map((data) => ({ data, header: true }));
  const rows = versions.map((v) => [
    v.accountId,
    v.region,
    `${code(v.templateId)} (${v.templateName})`,
    String(v.version),
    `${v.created ? 'made by this run' : 'already there (re-run)'}${v.isDefault ? ', default version' : ''}`,
  ]);
  core.summary.addHeading('Launch templates', 3).addTable([header, ...rows]);
}

/** retired: every earlier promotion retired, with its account, region and what was done. */
export function retiredOutput(reports: RetirementReport[]): { 'account-id': string; region: string; 'ami-id': string; action: string }[] {
  return reports.flatMap((r) => r.retired.map((image) => ({ 'account-id': r.accountId, region: r.region, 'ami-id': image.imageId, action: image.action })));
}

/** One row per earlier promotion retired or kept, with how to undo it or why it was kept. */
export function addRetirementSummary(reports: RetirementReport[]): void {
  if (reports.length === 0) return;
  const header = ['Account', 'Region', 'AMI', 'Result', 'Detail'].map((data) => ({ data, header: true }));
  const rows = reports.flatMap((r) => [
    ...r.retired.map((image) => {
      const snapshots = image.snapshotsKept.map((s) => `${code(s.snapshotId)} not deleted: ${escape(s.reason)}`);
      const detail = [image.undo ? `Undo: ${code(escape(image.undo))}` : 'not reversible', ...snapshots].join('<br>');
      return [r.accountId, r.region, `${code(image.imageId)} ${escape(image.name)}`, image.action, detail];
    }),
    ...r.kept.map((k) => [r.accountId, r.region, `${code(k.imageId)} ${escape(k.name)}`, 'kept', escape(k.reason)]),
  ]);
  const summary = core.summary.addHeading('Earlier promotions', 3);
  if (rows.length === 0) summary.addRaw('No earlier promotion of this lineage in the target accounts and regions.', true);
  else summary.addTable([header, ...rows]);
}

/** What the promotion did after the copy: launch templates, retirement and the lineage of each promoted AMI. */
export function addAfterCopySummary(request: PromotionRequest, result: PromotionResult): void {
  addLaunchTemplateSummary(result.launchTemplates);
  if (request.retire.mode !== 'none') addRetirementSummary(result.retirement);
  addLineageSummary(lineageOf(request, result));
}
