import type { TargetContext } from '../context.js';
import { earlierPromotions, promotionUnder, type ExistingPromotion } from '../lookups/reuse.js';
import { resolveTargetKey, type TargetKey } from '../lookups/target-key.js';
import { attempt, type PreflightFinding } from './preflight-finding.js';

/** What the preflight found in one target account: its keys and the earlier promotions it can reuse. */
export interface TargetLookup {
  /** The key of every region; undefined when one is missing (there is nothing to plan with then). */
  keys?: TargetKey[];
  /** The keys that were found, for the checks that go on regardless. */
  knownKeys: TargetKey[];
  existing: ExistingPromotion[];
  /** The regions that get a new copy: key found, looked up, nothing to reuse. */
  toCopy: TargetKey[];
  findings: PreflightFinding[];
}

interface RegionLookup {
  key?: TargetKey;
  existing?: ExistingPromotion;
  keyFindings: PreflightFinding[];
  reuseFindings: PreflightFinding[];
}

/** The target key of one region and the earlier promotions there, looked up at once. */
async function lookUpRegion(ctx: TargetContext, region: string): Promise<RegionLookup> {
  const keyFindings: PreflightFinding[] = [];
  const reuseFindings: PreflightFinding[] = [];
  const check = `The target key in ${region}`;
  const [key, candidates] = await Promise.all([
    attempt(keyFindings, check, 'target', () => resolveTargetKey(ctx.target, region)),
    attempt(reuseFindings, `An earlier promotion in ${region}`, 'target', () => earlierPromotions(ctx, region)),
  ]);
  if (key) keyFindings.push({ check, side: 'target', status: 'ok', detail: `copies will use ${key.display}.` });
  return { key, existing: key && candidates ? promotionUnder(candidates, key) : undefined, keyFindings, reuseFindings };
}

/** The target key and an earlier promotion to reuse in every region of one account, regions in parallel. */
export async function lookUpTarget(ctx: TargetContext): Promise<TargetLookup> {
  const lookups = await Promise.all(ctx.target.spec.regions.map((region) => lookUpRegion(ctx, region)));
  const knownKeys = lookups.flatMap(({ key }) => (key ? [key] : []));
  const existing = lookups.flatMap(({ existing }) => (existing ? [existing] : []));
  const findings = [...lookups.flatMap((l) => l.keyFindings), ...lookups.flatMap((l) => l.reuseFindings)];
  for (const e of existing) {
    findings.push({ check: `An earlier promotion in ${e.region}`, side: 'target', status: 'ok', detail: `${ctx.request.sourceAmiId} was already promoted as ${e.imageId}; it is reused.` });
  }
  return {
    keys: knownKeys.length === ctx.target.spec.regions.length ? knownKeys : undefined,
    knownKeys,
    existing,
    toCopy: lookups.flatMap(({ key, existing, reuseFindings }) => (key && !existing && reuseFindings.length === 0 ? [key] : [])),
    findings,
  };
}

/** Whether every region of the account already has this promotion: nothing to copy there. */
export function fullyPromoted(lookup: Pick<TargetLookup, 'keys' | 'existing'>): boolean {
  return lookup.keys !== undefined && lookup.existing.length === lookup.keys.length;
}
