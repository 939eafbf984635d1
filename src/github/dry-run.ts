import { findingPlace } from '../domain/preflight/findings.js';
import * as core from '@actions/core';
import { isSharableAsIs } from '../domain/lookups/inspect.js';
import { missingFindings, type PreflightResult } from '../domain/preflight/preflight.js';
import type { PromotionRequest } from '../domain/types.js';
import { autoScalingServiceLinkedRoleArn } from '../policy/key-policy-statements.js';

/** What a real run would do, from a preflight without missing findings. */
export function planLines(request: PromotionRequest, pre: PreflightResult): string[] {
  const targetKeys = pre.targetKeys ?? [];
  if (targetKeys.length > 0 && pre.existing.length === targetKeys.length) {
    return [`Every target region already has this promotion (${pre.existing.map((e) => `${e.region}: ${e.imageId}`).join(', ')}); a real run would only re-apply the finishing settings.`];
  }
  const source = pre.sourceImage;
  const key = pre.sourceKey;
  if (!source || !key) return [];
  const sharedAsIs = isSharableAsIs(source, key.arn);
  const lines = [
    sharedAsIs
      ? `Share ${source.imageId} as it is: every snapshot is already under ${key.arn}.`
      : `Re-encrypt ${source.imageId} with ${key.arn} in the source account (${request.sourceRegion}) as an intermediate copy.`,
    {
      verify: 'Key access: nothing to change; the key policy and the target role already allow the copy.',
      grant: `Key access: create a grant on ${key.arn} for ${request.targetRole.arn}, ${request.cleanup ? 'retired after the run' : 'kept (cleanup: false)'}.`,
      'key-policy': `Key access: add the missing statements for ${request.targetRole.arn} to the key policy of ${key.arn} (kept).`,
    }[request.keyAccess],
    `Share the AMI and its ${source.snapshots.length} snapshot(s) with account ${request.targetRole.accountId} only.`,
  ];
  for (const targetKey of targetKeys) {
    const existing = pre.existing.find((e) => e.region === targetKey.region);
    lines.push(existing ? `${targetKey.region}: reuse ${existing.imageId}.` : `${targetKey.region}: copy into account ${request.targetRole.accountId} under ${targetKey.display}.`);
  }
  if (request.autoscalingAccess === 'grant') {
    const role = autoScalingServiceLinkedRoleArn(request.targetRole.partition, request.targetRole.accountId);
    for (const targetKey of targetKeys) {
      if (targetKey.arn && targetKey.keyManager === 'CUSTOMER') lines.push(`Auto Scaling: create a grant on ${targetKey.arn} for ${role} unless it has one (kept).`);
    }
  }
  // Only what this run would leave behind: a grant only with key-access: grant, an intermediate copy only when re-encrypting.
  const temporary = ['the sharing', ...(request.keyAccess === 'grant' ? ['the grant'] : []), ...(sharedAsIs ? [] : ['the intermediate copy'])];
  const listed = temporary.length > 1 ? `${temporary.slice(0, -1).join(', ')} and ${temporary.at(-1)}` : (temporary[0] as string);
  lines.push(request.cleanup ? `Then remove ${listed}.` : `Then keep ${listed} (cleanup: false).`);
  return lines;
}

/** Logs and summarises the plan of a dry run; nothing was changed. Fails the step when something is missing. */
export function reportDryRun(request: PromotionRequest, pre: PreflightResult): void {
  const missing = missingFindings(pre);
  const lines = planLines(request, pre);
  core.summary.addHeading('AMI promotion: dry run', 2).addRaw('Nothing was changed in either account.', true);
  if (missing.length === 0) {
    core.info(`Dry run: nothing was changed. A real run would:\n${lines.map((l) => `- ${l}`).join('\n')}`);
    core.summary.addRaw('A real run would:', true).addList(lines);
    return;
  }
  const list = missing.map((f, i) => `${i + 1}. ${f.check} (${findingPlace(f, pre.accounts)}): ${f.detail}${f.fix ? `\n   Fix: ${f.fix}` : ''}`).join('\n');
  core.summary.addRaw(`A real run would stop: ${missing.length} thing(s) are missing (see the preflight table).`, true);
  core.setFailed(`Dry run: nothing was changed; ${missing.length} thing(s) must be fixed before a real run:\n${list}`);
}
