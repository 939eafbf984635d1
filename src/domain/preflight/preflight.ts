import { checkAutoscalingAccess } from './autoscaling.js';
import type { PromotionContext } from '../context.js';
import { PromotionError } from '../../aws/errors.js';
import { findingPlace, type Accounts } from './findings.js';
import { inspectImage, isSharableAsIs, type SourceImage } from '../lookups/inspect.js';
import { nameCheck, nameFinding } from './name-check.js';
import { attempt, type PreflightFinding } from './preflight-finding.js';
import { promotedName } from '../provenance.js';
import { findExistingPromotion, type ExistingPromotion } from '../lookups/reuse.js';
import { inspectSourceKey, type SourceKey } from '../lookups/source-key.js';
import { sourceKeyFindings } from './source-key-findings.js';
import { SOURCE_IMAGE_CHECK, sourceImageFindings } from './source-image-findings.js';
import { tagBudgetFindings } from './tag-budget.js';
import { resolveTargetKey, type TargetKey } from '../lookups/target-key.js';

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

/**
 * The target key of every region, then an earlier promotion to reuse in each: regions in parallel. Returns the keys
 * found, and those of the regions that will get a new copy (looked up, nothing to reuse).
 */
async function targetKeysAndReuse(ctx: PromotionContext, result: PreflightResult): Promise<{ knownKeys: TargetKey[]; toCopy: TargetKey[] }> {
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
  for (const { own } of perRegion) result.findings.push(...own);
  const knownKeys = perRegion.flatMap(({ key }) => (key ? [key] : []));
  // The plan needs every region's key: with one missing there is nothing to plan with.
  if (knownKeys.length === request.targetRegions.length) result.targetKeys = knownKeys;
  const lookups = await Promise.all(
    knownKeys.map(async (key) => {
      const own: PreflightFinding[] = [];
      const existing = await attempt(own, `An earlier promotion in ${key.region}`, 'target', () => findExistingPromotion(ctx, key));
      return { key, existing, own };
    }),
  );
  for (const { own } of lookups) result.findings.push(...own);
  result.existing = lookups.flatMap(({ existing }) => (existing ? [existing] : []));
  for (const e of result.existing) result.findings.push({ check: `An earlier promotion in ${e.region}`, side: 'target', status: 'ok', detail: `${request.sourceAmiId} was already promoted as ${e.imageId}; it is reused.` });
  const toCopy = lookups.flatMap(({ key, existing, own }) => (existing || own.length > 0 ? [] : [key]));
  return { knownKeys, toCopy };
}

/** Name checks of the regions that get a new copy, in parallel; a failed lookup is a finding of its own. */
async function nameFindings(ctx: PromotionContext, image: SourceImage, keys: TargetKey[]): Promise<PreflightFinding[]> {
  const name = promotedName(ctx, image);
  const perRegion = await Promise.all(
    keys.map(async (key) => {
      const own: PreflightFinding[] = [];
      const finding = await attempt(own, nameCheck(key.region), 'target', () => nameFinding(ctx, key, name));
      return finding ? [finding] : own;
    }),
  );
  return perRegion.flat();
}

async function autoscalingFindings(ctx: PromotionContext, keys: TargetKey[]): Promise<PreflightFinding[]> {
  const mode = ctx.request.autoscalingAccess;
  if (mode === 'off') return [];
  const findings = await Promise.all(keys.map((targetKey) => checkAutoscalingAccess(ctx, targetKey)));
  return findings.flatMap((finding) => {
    if (!finding) return [];
    return mode === 'grant' && finding.status === 'warning' ? [{ ...finding, status: 'ok' as const, detail: `${finding.detail} A grant for the role will be created.`, fix: undefined }] : [finding];
  });
}

/** Every check before the first change, in every mode; each one a finding. Throws only on unexpected errors. */
export async function preflight(ctx: PromotionContext): Promise<PreflightResult> {
  const findings: PreflightFinding[] = [];
  const result: PreflightResult = { findings, existing: [], accounts: { source: ctx.sourceIdentity.accountId, target: ctx.targetIdentity.accountId } };
  const { knownKeys, toCopy } = await targetKeysAndReuse(ctx, result);
  if (result.targetKeys && result.existing.length === result.targetKeys.length) return result;

  const [image, key] = await Promise.all([
    attempt(findings, SOURCE_IMAGE_CHECK, 'source', () => inspectImage(ctx)),
    attempt(findings, 'The source key can be shared', 'source', () => inspectSourceKey(ctx)),
  ]);
  result.sourceImage = image;
  result.sourceKey = key;
  if (image) findings.push(...sourceImageFindings(image, ctx.clock.now()));
  if (key) findings.push({ check: 'The source key can be shared', side: 'source', status: 'ok', detail: `${key.arn} is customer-managed, symmetric and enabled.` });
  const reencrypt = image && key ? !isSharableAsIs(image, key.arn) : undefined;
  if (reencrypt !== undefined && key) {
    findings.push({ check: 'Re-encryption', side: 'source', status: 'ok', detail: reencrypt ? `an intermediate copy under ${key.arn} will be made in the source account.` : 'not needed: the AMI is shared as it is.' });
  }
  const [names, keyChecks, autoscaling] = await Promise.all([
    image ? nameFindings(ctx, image, toCopy) : [],
    key ? sourceKeyFindings(ctx, key, knownKeys) : undefined,
    autoscalingFindings(ctx, knownKeys),
  ]);
  findings.push(...names);
  if (image) findings.push(...tagBudgetFindings(ctx, image, reencrypt ? key : undefined, toCopy));
  result.keyPolicy = keyChecks?.keyPolicy;
  findings.push(...(keyChecks?.findings ?? []), ...autoscaling);
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
