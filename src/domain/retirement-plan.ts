import { PromotionError } from '../aws/errors.js';
import { siteOf, type TargetContext } from './context.js';
import { findEarlierPromotions, type EarlierPromotion } from './lookups/earlier-promotions.js';
import { findImageReferences, referenceLabel } from './lookups/image-references.js';
import type { RetireMode } from './types.js';

export interface KeptPromotion {
  image: EarlierPromotion;
  reason: string;
}

/** What retire-previous does in one target region: the earlier promotions it retires and those it keeps, with why. */
export interface RetirementPlan {
  region: string;
  retire: EarlierPromotion[];
  kept: KeptPromotion[];
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** How many referencing resources a reason names. */
const NAMED_REFERENCES = 3;

/**
 * The DeprecateAt of a retirement: the next whole minute. EC2 rounds DeprecateAt to the minute and refuses a time in
 * the past. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImageDeprecation.html
 */
export function deprecateAt(now: number): Date {
  return new Date((Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS);
}

/** The lineage whose earlier promotions retire-previous retires. */
function retiredLineage(ctx: TargetContext, region: string): string {
  const { lineage } = ctx.request;
  if (lineage) return lineage;
  throw new PromotionError({
    what: 'Retiring earlier promotions',
    ...siteOf(ctx.target, region),
    why: 'retire-previous needs a lineage to recognise earlier promotions, and none is set.',
    fix: 'Set the lineage input (for example to owner/name of the repository), or set retire-previous to none.',
  });
}

/** Why an image is left as it is, from what DescribeImages says of it; undefined when nothing does. */
function ownReason(ctx: TargetContext, image: EarlierPromotion, mode: RetireMode): string | undefined {
  const days = ctx.request.retire.keepIfLaunchedWithinDays;
  const now = ctx.clock.now();
  if (image.state !== 'available' && image.state !== 'disabled') return `not available (state ${image.state})`;
  if (image.state === 'disabled' && mode !== 'deregister') return 'already disabled';
  if (mode === 'deprecate' && image.deprecationTime && Date.parse(image.deprecationTime) <= deprecateAt(now).getTime()) return 'already deprecated';
  // DeregistrationProtection "indicates whether deregistration protection is enabled"; its values are not listed
  // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html). DescribeImages shows "disabled" when it is
  // off; anything else is taken as protected, a cooldown after turning it off included, during which the AMI cannot be
  // deregistered (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableImageDeregistrationProtection.html).
  if (image.deregistrationProtection && image.deregistrationProtection !== 'disabled') {
    return `protected from deregistration (${image.deregistrationProtection})`;
  }
  // LastLaunchedTime is reported up to 24 hours late. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html
  const launched = image.lastLaunchedTime ? Date.parse(image.lastLaunchedTime) : NaN;
  if (launched > now - days * DAY_MS) return `launched ${new Date(launched).toISOString().slice(0, 10)} (within ${days} days)`;
  return undefined;
}

/**
 * Only promotions made before this one are earlier ones: made before this run started and before this promotion's own
 * AMIs, so that promoting an old release again, or a concurrent run of the same lineage, never retires a newer AMI.
 */
function madeBefore(ctx: TargetContext, found: EarlierPromotion[], current: readonly string[]): number {
  const ours = found.filter((image) => current.includes(image.imageId)).map((image) => Date.parse(image.creationDate));
  return Math.min(ctx.started, ...ours.filter((time) => !Number.isNaN(time)));
}

function keepPreviousReason(keepPrevious: number): string {
  return keepPrevious === 1 ? 'the most recent earlier promotion (keep-previous)' : `one of the ${keepPrevious} most recent earlier promotions (keep-previous)`;
}

function referencedReason(labels: string[]): string {
  const more = labels.length - NAMED_REFERENCES;
  return `referenced by ${labels.slice(0, NAMED_REFERENCES).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * Which earlier promotions of the lineage in `region` retire-previous retires, and which it keeps: the keep-previous
 * most recent, those not available, already retired the same way, protected from deregistration, launched within
 * keep-if-launched-within-days, or still referenced. `current` (this promotion's AMIs) is never part of it. Only the
 * images past keep-previous that nothing else keeps are checked for references.
 */
export async function planRetirement(ctx: TargetContext, region: string, current: readonly string[]): Promise<RetirementPlan> {
  const { mode, keepPrevious } = ctx.request.retire;
  const found = await findEarlierPromotions(ctx, region, retiredLineage(ctx, region));
  const before = madeBefore(ctx, found, current);
  const newer = found.filter((image) => !current.includes(image.imageId) && !(Date.parse(image.creationDate) < before));
  const earlier = found.filter((image) => !current.includes(image.imageId) && !newer.includes(image));
  const counted = earlier.filter((image) => image.state === 'available' || image.state === 'disabled');
  const recent = new Set(counted.slice(0, keepPrevious));
  const kept: KeptPromotion[] = newer.map((image) => ({ image, reason: `made after this promotion (${image.creationDate}): a later release or a concurrent run's, never retired by this one` }));
  const candidates: EarlierPromotion[] = [];
  for (const image of earlier) {
    const reason = recent.has(image) ? keepPreviousReason(keepPrevious) : ownReason(ctx, image, mode);
    if (reason) kept.push({ image, reason });
    else candidates.push(image);
  }
  const references = await findImageReferences(ctx, region, candidates.map((image) => image.imageId));
  const retire: EarlierPromotion[] = [];
  for (const image of candidates) {
    const labels = (references.get(image.imageId) ?? []).map(referenceLabel);
    if (labels.length > 0) kept.push({ image, reason: referencedReason(labels) });
    else retire.push(image);
  }
  kept.sort((a, b) => found.indexOf(a.image) - found.indexOf(b.image));
  return { region, retire, kept };
}
