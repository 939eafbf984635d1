import * as core from '@actions/core';
import type { PromotionPlan, RegionResult } from '../domain/pipeline.js';
import type { PromotionRequest } from '../domain/types.js';

/** Logs and summarises what a real run would do; nothing was changed. */
export async function reportDryRun(request: PromotionRequest, plan: PromotionPlan | { allReused: RegionResult[] }): Promise<void> {
  const lines: string[] = [];
  if ('allReused' in plan) {
    lines.push(`Every target region already has this promotion (${plan.allReused.map((r) => `${r.region}: ${r.imageId}`).join(', ')}); a real run would change nothing.`);
  } else {
    const source = plan.sourceImage;
    lines.push(
      plan.reencrypt
        ? `Re-encrypt ${source.imageId} with ${plan.sourceKey.arn} in the source account (${request.sourceRegion}).`
        : `Share ${source.imageId} as it is: every snapshot is already under ${plan.sourceKey.arn}.`,
    );
    lines.push(
      {
        verify: 'Key access: the key policy and the target role already allow the copy (verified).',
        grant: `Key access: create a grant on ${plan.sourceKey.arn} for ${request.targetRole.arn}, retired after the run.`,
        'key-policy': `Key access: add the missing statements for ${request.targetRole.arn} to the key policy of ${plan.sourceKey.arn} (kept).`,
      }[request.keyAccess],
    );
    lines.push(`Share the AMI and its ${source.snapshots.length} snapshot(s) with account ${request.targetRole.accountId} only.`);
    for (const key of plan.targetKeys) {
      const existing = plan.existing.find((e) => e.region === key.region);
      lines.push(existing ? `${key.region}: reuse ${existing.imageId}.` : `${key.region}: copy into the target account under ${key.display}.`);
    }
    lines.push(request.cleanup ? 'Then remove the sharing, grant and intermediate copy.' : 'Then keep the sharing and grant (cleanup: false).');
  }
  await core.group('Dry run: the plan', async () => lines.forEach((line) => core.info(line)));
  core.summary.addHeading('AMI promotion (dry run)', 2).addRaw('Nothing was changed. A real run would:', true).addList(lines);
  await core.summary.write();
}
