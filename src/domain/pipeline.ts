import type { PromotionContext } from './context.js';
import { copyToTargets } from './copy.js';
import { finishImages, type FinishReport } from './finish.js';
import { inspectImage, isSharableAsIs, type SourceImage } from './inspect.js';
import { addKeyPolicyStatements, grantKeyAccess, verifyKeyAccess, type KeyAccessResult } from './key-access.js';
import { reencrypt } from './reencrypt.js';
import { findExistingPromotion, type ExistingPromotion } from './reuse.js';
import { shareWithTarget, type ShareReport } from './share.js';
import { inspectSourceKey, type SourceKey } from './source-key.js';
import { resolveTargetKeys, type TargetKey } from './target-key.js';

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
  keyAccess: KeyAccessResult;
}

export interface PromotionResult {
  sourceAccountId: string;
  targetAccountId: string;
  regions: RegionResult[];
  /** True when every region reused an earlier promotion. */
  reused: boolean;
  plan?: PromotionPlan;
  reencryptedImageId?: string;
  sharedImageId?: string;
  share?: ShareReport;
  finish?: FinishReport;
}

function reusedRegion(existing: ExistingPromotion, key: TargetKey): RegionResult {
  return { region: existing.region, imageId: existing.imageId, snapshotIds: existing.snapshotIds, key: key.display, reused: true };
}

/** Step 0 and step 1: everything read-only, before the first change in either account. */
export async function planPromotion(ctx: PromotionContext): Promise<PromotionPlan | { allReused: RegionResult[] }> {
  const { log } = ctx;
  const targetKeys = await log.group('Target keys and earlier promotions', async () => {
    const keys = await resolveTargetKeys(ctx);
    for (const key of keys) log.info(`${key.region}: copies will use ${key.display}.`);
    return keys;
  });
  const found = await Promise.all(targetKeys.map((key) => findExistingPromotion(ctx, key)));
  const existing = found.filter((e): e is ExistingPromotion => e !== undefined);
  for (const e of existing) log.info(`${e.region}: ${ctx.request.sourceAmiId} was already promoted as ${e.imageId}; reusing it.`);
  if (existing.length === targetKeys.length) {
    return { allReused: existing.map((e, i) => reusedRegion(e, targetKeys[i] as TargetKey)) };
  }
  return log.group('Inspect', async () => {
    const [sourceImage, sourceKey] = await Promise.all([inspectImage(ctx), inspectSourceKey(ctx)]);
    const needsCopy = !isSharableAsIs(sourceImage, sourceKey.arn);
    log.info(
      `${sourceImage.imageId} "${sourceImage.name}" (owner ${sourceImage.ownerId}): ` +
        sourceImage.snapshots.map((s) => `${s.snapshotId} ${s.encrypted ? `encrypted with ${s.kmsKeyId ?? 'an unknown key'}` : 'unencrypted'}`).join('; '),
    );
    log.info(`Key ${sourceKey.arn}: customer-managed, symmetric, enabled.`);
    log.info(needsCopy ? `It will be re-encrypted with ${sourceKey.arn} in the source account first.` : 'It can be shared as it is.');
    const keyAccess = ctx.request.keyAccess === 'verify' ? await verifyKeyAccess(ctx, sourceKey) : { changes: [], warnings: [] };
    for (const warning of keyAccess.warnings) log.warning(warning);
    return { sourceImage, sourceKey, reencrypt: needsCopy, targetKeys, existing, keyAccess };
  });
}

/** Steps 2 to 7: the changes, each recorded in the journal as soon as it succeeds. */
export async function executePlan(ctx: PromotionContext, plan: PromotionPlan): Promise<PromotionResult> {
  const { log, request } = ctx;
  const shared = await log.group('Re-encrypt', () => reencrypt(ctx, plan.sourceImage, plan.sourceKey, plan.reencrypt));
  const keyAccess = await log.group('Key access', async () => {
    if (request.keyAccess === 'grant') return grantKeyAccess(ctx, plan.sourceKey);
    if (request.keyAccess === 'key-policy') return addKeyPolicyStatements(ctx, plan.sourceKey);
    log.info(`The key policy and the target role's IAM policy already allow the copy (checked before any change).`);
    return plan.keyAccess;
  });
  const share = await log.group('Share', () => shareWithTarget(ctx, shared));
  const missing = plan.targetKeys.filter((key) => !plan.existing.some((e) => e.region === key.region));
  const copies = await log.group('Copy into the target account', () => copyToTargets(ctx, plan.sourceImage, shared, missing));
  const finish = await log.group('Finish', () => finishImages(ctx, copies));
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
    plan: { ...plan, keyAccess },
    reencryptedImageId: shared.intermediate ? shared.imageId : undefined,
    sharedImageId: shared.imageId,
    share,
    finish,
  };
}

/** The whole promotion: plan (read-only), then execute. Cleanup is the caller's: it runs on success and failure alike. */
export async function promote(ctx: PromotionContext): Promise<PromotionResult> {
  const plan = await planPromotion(ctx);
  if ('allReused' in plan) {
    return { sourceAccountId: ctx.sourceIdentity.accountId, targetAccountId: ctx.targetIdentity.accountId, regions: plan.allReused, reused: true };
  }
  return executePlan(ctx, plan);
}
