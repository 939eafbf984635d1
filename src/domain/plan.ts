import type { Target } from './context.js';
import { isSharableAsIs, type SourceImage } from './lookups/inspect.js';
import type { ExistingPromotion } from './lookups/reuse.js';
import type { SourceKey } from './lookups/source-key.js';
import type { TargetKey } from './lookups/target-key.js';
import { everythingPromoted, missingFindings, preflightError, type PreflightResult } from './preflight/preflight.js';

/** One target account's part of the plan: the key of every region, and the regions that already have the promotion. */
export interface TargetPlan {
  target: Target;
  keys: TargetKey[];
  existing: ExistingPromotion[];
}

export interface PromotionPlan {
  sourceImage: SourceImage;
  sourceKey: SourceKey;
  reencrypt: boolean;
  targets: TargetPlan[];
}

/** Every region of every target already has the promotion: only the finishing touches are applied again. */
export interface ReusePlan {
  targets: TargetPlan[];
}

/** The regions of a target account that get a new copy. */
export function regionsToCopy(plan: TargetPlan): TargetKey[] {
  return plan.keys.filter((key) => !plan.existing.some((e) => e.region === key.region));
}

/** The plan from a preflight without missing findings; throws the refusal otherwise. */
export function planFrom(pre: PreflightResult): PromotionPlan | ReusePlan {
  const missing = missingFindings(pre);
  if (missing.length > 0) throw preflightError(missing);
  // Without missing findings every target has the key of every region.
  const targets = pre.targets.map(({ target, keys, existing }) => ({ target, keys: keys as TargetKey[], existing }));
  if (everythingPromoted(pre)) return { targets };
  const sourceImage = pre.sourceImage as SourceImage;
  const sourceKey = pre.sourceKey as SourceKey;
  return { sourceImage, sourceKey, reencrypt: !isSharableAsIs(sourceImage, sourceKey.arn), targets };
}
