import type { PromotionContext } from './context.js';
import { copyToTargets } from './steps/copy.js';
import { finishImages, type FinishReport } from './steps/finish.js';
import { grantAutoscalingAccess } from './preflight/autoscaling.js';
import { formatFinding } from './preflight/findings.js';
import { isSharableAsIs, type SourceImage } from './lookups/inspect.js';
import { addKeyPolicyStatements, grantKeyAccess, type KeyAccessResult } from './steps/key-access.js';
import { missingFindings, preflight, preflightError, type PreflightResult } from './preflight/preflight.js';
import { reencrypt } from './steps/reencrypt.js';
import type { ExistingPromotion } from './lookups/reuse.js';
import { shareWithTarget, type ShareReport } from './steps/share.js';
import type { SourceKey } from './lookups/source-key.js';
import type { TargetKey } from './lookups/target-key.js';

export interface RegionResult {
  region: string;
  imageId: string;
  snapshotIds: string[];
  /** The key of the copy as shown to the user. */
  key: string;
  /** Seconds the copy took; undefined for a reused AMI. */
  seconds?: number;
  reused: boolean;
}

export interface PromotionPlan {
  sourceImage: SourceImage;
  sourceKey: SourceKey;
  reencrypt: boolean;
  targetKeys: TargetKey[];
  /** Regions that already have this promotion. */
  existing: ExistingPromotion[];
}

export interface PromotionResult {
  sourceAccountId: string;
  targetAccountId: string;
  regions: RegionResult[];
  /** True when every region reused an earlier promotion. */
  reused: boolean;
  /** Lasting or temporary changes to keys (grants, key-policy statements), for the log and summary. */
  keyChanges: string[];
  reencryptedImageId?: string;
  sharedImageId?: string;
  share?: ShareReport;
  finish?: FinishReport;
}

async function grantAutoscaling(ctx: PromotionContext, keys: TargetKey[]): Promise<string[]> {
  const changes = await Promise.all(keys.map((key) => grantAutoscalingAccess(ctx, key)));
  return changes.filter((c): c is string => c !== undefined);
}

function reusedRegion(existing: ExistingPromotion, key: TargetKey): RegionResult {
  return { region: existing.region, imageId: existing.imageId, snapshotIds: existing.snapshotIds, key: key.display, reused: true };
}

/** The plan from a preflight without missing findings; throws the refusal otherwise. */
export function planFrom(pre: PreflightResult): PromotionPlan | { allReused: RegionResult[] } {
  const missing = missingFindings(pre);
  if (missing.length > 0) throw preflightError(missing, pre.accounts);
  const targetKeys = pre.targetKeys as TargetKey[];
  if (pre.existing.length === targetKeys.length) {
    return { allReused: pre.existing.map((e) => reusedRegion(e, targetKeys.find((k) => k.region === e.region) as TargetKey)) };
  }
  const sourceImage = pre.sourceImage as SourceImage;
  const sourceKey = pre.sourceKey as SourceKey;
  return {
    sourceImage,
    sourceKey,
    reencrypt: !isSharableAsIs(sourceImage, sourceKey.arn),
    targetKeys,
    existing: pre.existing,
  };
}

/** Step 0 and step 1: every check, read-only, before the first change in either account. */
export async function runPreflight(ctx: PromotionContext): Promise<PreflightResult> {
  return ctx.log.group('Preflight', async () => {
    const pre = await preflight(ctx);
    for (const finding of pre.findings) {
      const line = formatFinding(finding, pre.accounts);
      if (finding.status === 'warning') ctx.log.warning(line);
      else ctx.log.info(line);
    }
    return pre;
  });
}

/** Steps 2 to 7: the changes, each recorded in the journal as soon as it succeeds. */
async function executePlan(ctx: PromotionContext, plan: PromotionPlan): Promise<PromotionResult> {
  const { log, request } = ctx;
  const shared = await log.group('Re-encrypt', () => reencrypt(ctx, plan.sourceImage, plan.sourceKey, plan.reencrypt));
  const keyAccess = await log.group('Key access', async (): Promise<KeyAccessResult> => {
    if (request.keyAccess === 'grant') return grantKeyAccess(ctx, plan.sourceKey);
    if (request.keyAccess === 'key-policy') return addKeyPolicyStatements(ctx, plan.sourceKey);
    log.info(`The key policy and the target role's IAM policy already allow the copy (checked before any change).`);
    return { changes: [] };
  });
  const share = await log.group('Share', () => shareWithTarget(ctx, shared));
  const missing = plan.targetKeys.filter((key) => !plan.existing.some((e) => e.region === key.region));
  const copies = await log.group('Copy into the target account', () => copyToTargets(ctx, plan.sourceImage, shared, missing));
  const autoscaling = request.autoscalingAccess === 'grant' ? await log.group('Auto Scaling access', () => grantAutoscaling(ctx, plan.targetKeys)) : [];
  const finish = await log.group('Finish', () => finishImages(ctx, [...copies, ...plan.existing]));
  const regions = plan.targetKeys.map((key): RegionResult => {
    const copy = copies.find((c) => c.region === key.region);
    if (copy) return { region: key.region, imageId: copy.imageId, snapshotIds: copy.snapshotIds, key: key.display, seconds: copy.seconds, reused: false };
    return reusedRegion(plan.existing.find((e) => e.region === key.region) as ExistingPromotion, key);
  });
  return {
    sourceAccountId: ctx.sourceIdentity.accountId,
    targetAccountId: ctx.targetIdentity.accountId,
    regions,
    reused: false,
    keyChanges: [...keyAccess.changes, ...autoscaling],
    reencryptedImageId: shared.intermediate ? shared.imageId : undefined,
    sharedImageId: shared.imageId,
    share,
    finish,
  };
}

/** Executes a plan; an all-reused plan only re-applies the finishing touches, which are idempotent. */
export async function promoteWith(ctx: PromotionContext, plan: PromotionPlan | { allReused: RegionResult[] }): Promise<PromotionResult> {
  if ('allReused' in plan) {
    const finish = await ctx.log.group('Finish', () => finishImages(ctx, plan.allReused));
    return { sourceAccountId: ctx.sourceIdentity.accountId, targetAccountId: ctx.targetIdentity.accountId, regions: plan.allReused, reused: true, keyChanges: [], finish };
  }
  return executePlan(ctx, plan);
}

/** The whole promotion: preflight (read-only), then the changes. Cleanup is the caller's: it runs on success and failure alike. */
export async function promote(ctx: PromotionContext): Promise<PromotionResult> {
  return promoteWith(ctx, planFrom(await runPreflight(ctx)));
}
