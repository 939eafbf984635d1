import * as core from '@actions/core';
import type { Lineage, LineageLink } from '../domain/lineage.js';

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
export function addLineageSummary(lineages: Lineage[]): void {
  if (lineages.length === 0) return;
  const header = ['Account', 'Region', 'Source AMI', 'Intermediate copy', 'Promoted AMI'].map((data) => ({ data, header: true }));
  const rows = lineages.map((l) => [l.accountId, l.region, code(l.source), l.intermediate ? linkCell(l.intermediate) : 'none (shared as it is)', linkCell(l.promoted)]);
  core.summary.addHeading('Lineage', 3).addTable([header, ...rows]);
}
