import { andList } from '../aws/text.js';
import { autoScalingServiceLinkedRoleArn } from '../policy/key-policy-statements.js';
import { recipientId } from '../policy/recipients.js';
import { isSharableAsIs, type SourceImage } from './lookups/inspect.js';
import type { SourceKey } from './lookups/source-key.js';
import { everythingPromoted, type PreflightResult, type TargetPreflight } from './preflight/preflight.js';
import { RETIREMENT_CHECK } from './preflight/retirement-findings.js';
import type { PromotionRequest } from './types.js';

function keyAccessLine(request: PromotionRequest, key: SourceKey, roles: string): string {
  return {
    verify: 'Key access: nothing to change; the key policy and the target roles already allow the copy.',
    grant: `Key access: create a grant on ${key.arn} for ${roles}, ${request.cleanup ? 'retired after the run' : 'kept (cleanup: false)'}.`,
    'key-policy': `Key access: add the missing statements for ${roles} to the key policy of ${key.arn} (kept).`,
  }[request.keyAccess];
}

/** Per region of one target account: reuse or copy, then the Auto Scaling grants. */
function targetLines(request: PromotionRequest, { target, knownKeys, existing }: TargetPreflight): string[] {
  const accountId = target.identity.accountId;
  const lines = knownKeys.map((key) => {
    const reused = existing.find((e) => e.region === key.region);
    if (reused) return `${key.region}: reuse ${reused.imageId} in account ${accountId}.`;
    return request.copyMethod === 'snapshots'
      ? `${key.region}: copy every snapshot into account ${accountId} under ${key.display} (CopySnapshot), then register the AMI from the copies with the source's attributes (RegisterImage).`
      : `${key.region}: copy into account ${accountId} under ${key.display}.`;
  });
  if (request.autoscalingAccess === 'grant') {
    const role = autoScalingServiceLinkedRoleArn(target.spec.role.partition, accountId);
    for (const key of knownKeys) {
      if (key.arn && key.keyManager === 'CUSTOMER') lines.push(`Auto Scaling: create a grant on ${key.arn} for ${role} unless it has one (kept).`);
    }
  }
  return lines;
}

/** share-with and launch-template: what follows the copy, on new and reused AMIs alike. */
function onwardLines(request: PromotionRequest): string[] {
  const lines: string[] = [];
  if (request.shareWith.length > 0) lines.push(`Let ${andList(request.shareWith.map(recipientId))} launch the promoted AMI in every target region (launch permissions, kept).`);
  if (request.launchTemplates.length > 0) {
    const made = request.launchTemplateDefault ? 'and make it the default version' : 'leaving the default version as it is';
    lines.push(`Give the launch template${request.launchTemplates.length > 1 ? 's' : ''} ${andList(request.launchTemplates)} a version with the promoted AMI in every target account and region, ${made} (kept).`);
  }
  return lines;
}

/** retire-previous: what the preflight found each region would retire and keep, with why. */
function retirementLines(pre: PreflightResult): string[] {
  return pre.findings.filter((f) => f.check.startsWith(RETIREMENT_CHECK) && f.status === 'ok').map((f) => `Earlier promotions in account ${f.accountId}: ${f.detail}`);
}

function changeLines(request: PromotionRequest, pre: PreflightResult, source: SourceImage, key: SourceKey): string[] {
  const sharedAsIs = isSharableAsIs(source, key.arn);
  const roles = andList(pre.targets.map((t) => t.target.spec.role.arn));
  const accounts = andList(pre.targets.map((t) => t.target.identity.accountId));
  const lines = [
    sharedAsIs
      ? `Share ${source.imageId} as it is: every snapshot is already under ${key.arn}.`
      : `Re-encrypt ${source.imageId} with ${key.arn} in the source account (${request.sourceRegion}) as an intermediate copy.`,
    keyAccessLine(request, key, roles),
    request.copyMethod === 'snapshots'
      ? `Share its ${source.snapshots.length} snapshot(s) with account ${accounts} only (copy-method snapshots: no launch permission on the AMI).`
      : `Share the AMI and its ${source.snapshots.length} snapshot(s) with account ${accounts} only.`,
    ...pre.targets.flatMap((t) => targetLines(request, t)),
    ...onwardLines(request),
    ...retirementLines(pre),
  ];
  // Only what this run would leave behind: a grant only with key-access: grant, an intermediate copy only when re-encrypting.
  const temporary = ['the sharing', ...(request.keyAccess === 'grant' ? ['the grant'] : []), ...(sharedAsIs ? [] : ['the intermediate copy'])];
  lines.push(request.cleanup ? `Then remove ${andList(temporary)}.` : `Then keep ${andList(temporary)} (cleanup: false).`);
  return lines;
}

/** What a real run would do, from a preflight without missing findings. */
export function dryRunPlan(request: PromotionRequest, pre: PreflightResult): string[] {
  if (everythingPromoted(pre)) {
    const reused = pre.targets.flatMap((t) => t.existing.map((e) => `${e.region}: ${e.imageId}`));
    return [`Every target region already has this promotion (${reused.join(', ')}); a real run would only re-apply the finishing settings.`, ...onwardLines(request), ...retirementLines(pre)];
  }
  if (!pre.sourceImage || !pre.sourceKey) return [];
  return changeLines(request, pre, pre.sourceImage, pre.sourceKey);
}
