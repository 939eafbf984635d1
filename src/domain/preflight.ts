import { checkAutoscalingAccess } from './autoscaling.js';
import type { PromotionContext } from './context.js';
import { PromotionError } from './errors.js';
import { findingPlace, type Accounts } from './findings.js';
import { inspectImage, isSharableAsIs, type SourceImage } from './inspect.js';
import { attempt, type PreflightFinding } from './preflight-finding.js';
import { findExistingPromotion, type ExistingPromotion } from './reuse.js';
import { inspectSourceKey, type SourceKey } from './source-key.js';
import { sourceKeyFindings } from './source-key-findings.js';
import { resolveTargetKey, type TargetKey } from './target-key.js';

export type { PreflightFinding };

export interface PreflightResult {
  findings: PreflightFinding[];
  accounts: Accounts;
  sourceImage?: SourceImage;
  sourceKey?: SourceKey;
  targetKeys?: TargetKey[];
  existing: ExistingPromotion[];
  /** The source key policy, when the source role may read it. */
  keyPolicy?: string;
}

/** Every check before the first change, in every mode; each one a finding. Throws only on unexpected errors. */
export async function preflight(ctx: PromotionContext): Promise<PreflightResult> {
  const findings: PreflightFinding[] = [];
  const result: PreflightResult = { findings, existing: [], accounts: { source: ctx.sourceIdentity.accountId, target: ctx.targetIdentity.accountId } };
  const { request } = ctx;

  // Each region on its own, so that a key missing in several regions is reported for each of them.
  const perRegion = await Promise.all(
    request.targetRegions.map(async (region) => {
      const own: PreflightFinding[] = [];
      const key = await attempt(own, `The target key in ${region}`, 'target', () => resolveTargetKey(ctx, region));
      if (key) own.push({ check: `The target key in ${region}`, side: 'target', status: 'ok', detail: `copies will use ${key.display}.` });
      return { key, own };
    }),
  );
  for (const { own } of perRegion) findings.push(...own);
  const knownKeys = perRegion.flatMap(({ key }) => (key ? [key] : []));
  // The plan needs every region's key: with one missing there is nothing to plan with.
  if (knownKeys.length === request.targetRegions.length) result.targetKeys = knownKeys;
  const lookups = await Promise.all(
    knownKeys.map(async (key) => {
      const own: PreflightFinding[] = [];
      const existing = await attempt(own, `An earlier promotion in ${key.region}`, 'target', () => findExistingPromotion(ctx, key));
      return { existing, own };
    }),
  );
  for (const { own } of lookups) findings.push(...own);
  result.existing = lookups.flatMap(({ existing }) => (existing ? [existing] : []));
  for (const e of result.existing) findings.push({ check: `An earlier promotion in ${e.region}`, side: 'target', status: 'ok', detail: `${request.sourceAmiId} was already promoted as ${e.imageId}; it is reused.` });
  if (result.targetKeys && result.existing.length === result.targetKeys.length) return result;

  const [image, key] = await Promise.all([
    attempt(findings, 'The source AMI can be promoted', 'source', () => inspectImage(ctx)),
    attempt(findings, 'The source key can be shared', 'source', () => inspectSourceKey(ctx)),
  ]);
  result.sourceImage = image;
  result.sourceKey = key;
  if (image) {
    findings.push({ check: 'The source AMI can be promoted', side: 'source', status: 'ok', detail: `${image.imageId} "${image.name}" is available, EBS-backed, with ${image.snapshots.length} snapshot(s).` });
    if (image.billingCodes.length > 0 || /windows/i.test(image.platformDetails ?? '')) {
      findings.push({
        check: 'Billing product codes',
        side: 'source',
        status: 'warning',
        detail: `${image.platformDetails ?? 'the AMI'} carries billing codes (${image.billingCodes.join(', ') || 'platform'}); CopyImage keeps them, so instances from the promoted AMI are billed the same. Registering an image from copied snapshots would drop them: this action never does that.`,
      });
    }
  }
  if (key) findings.push({ check: 'The source key can be shared', side: 'source', status: 'ok', detail: `${key.arn} is customer-managed, symmetric and enabled.` });
  if (image && key) {
    findings.push({
      check: 'Re-encryption',
      side: 'source',
      status: 'ok',
      detail: isSharableAsIs(image, key.arn) ? 'not needed: the AMI is shared as it is.' : `an intermediate copy under ${key.arn} will be made in the source account.`,
    });
  }
  if (key) {
    const keyChecks = await sourceKeyFindings(ctx, key, knownKeys);
    result.keyPolicy = keyChecks.keyPolicy;
    findings.push(...keyChecks.findings);
  }
  if (request.autoscalingAccess !== 'off') {
    for (const finding of await Promise.all(knownKeys.map((targetKey) => checkAutoscalingAccess(ctx, targetKey)))) {
      if (finding) findings.push(request.autoscalingAccess === 'grant' && finding.status === 'warning' ? { ...finding, status: 'ok', detail: `${finding.detail} A grant for the role will be created.`, fix: undefined } : finding);
    }
  }
  return result;
}

export function missingFindings(result: PreflightResult): PreflightFinding[] {
  return result.findings.filter((f) => f.status === 'missing');
}

/** The error for a preflight with missing findings: the refusal itself when there is one, else all of them. */
export function preflightError(missing: PreflightFinding[], accounts: Accounts): PromotionError {
  if (missing.length === 1 && missing[0]?.error) return missing[0].error;
  return new PromotionError({
    what: 'The preflight checks',
    why: `${missing.length} thing(s) are missing:\n${missing.map((f, i) => `${i + 1}. ${f.check} (${findingPlace(f, accounts)}): ${f.detail}`).join('\n')}`,
    fix: missing.map((f, i) => `${i + 1}. ${f.fix ?? 'see above'}`).join('\n'),
  });
}
