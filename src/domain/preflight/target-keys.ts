import type { TargetContext } from '../context.js';
import { findExistingPromotion, type ExistingPromotion } from '../lookups/reuse.js';
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

/** Each region on its own, so that a key missing in several regions is reported for each of them. */
async function keysOf(ctx: TargetContext, findings: PreflightFinding[]): Promise<TargetKey[]> {
  const perRegion = await Promise.all(
    ctx.target.spec.regions.map(async (region) => {
      const own: PreflightFinding[] = [];
      const check = `The target key in ${region}`;
      const key = await attempt(own, check, 'target', () => resolveTargetKey(ctx.target, region));
      if (key) own.push({ check, side: 'target', status: 'ok', detail: `copies will use ${key.display}.` });
      return { key, own };
    }),
  );
  findings.push(...perRegion.flatMap(({ own }) => own));
  return perRegion.flatMap(({ key }) => (key ? [key] : []));
}

/** The target key of every region of one account, then an earlier promotion to reuse in each: regions in parallel. */
export async function lookUpTarget(ctx: TargetContext): Promise<TargetLookup> {
  const findings: PreflightFinding[] = [];
  const knownKeys = await keysOf(ctx, findings);
  const lookups = await Promise.all(
    knownKeys.map(async (key) => {
      const own: PreflightFinding[] = [];
      const existing = await attempt(own, `An earlier promotion in ${key.region}`, 'target', () => findExistingPromotion(ctx, key));
      return { key, existing, own };
    }),
  );
  findings.push(...lookups.flatMap(({ own }) => own));
  const existing = lookups.flatMap(({ existing }) => (existing ? [existing] : []));
  for (const e of existing) {
    findings.push({ check: `An earlier promotion in ${e.region}`, side: 'target', status: 'ok', detail: `${ctx.request.sourceAmiId} was already promoted as ${e.imageId}; it is reused.` });
  }
  return {
    keys: knownKeys.length === ctx.target.spec.regions.length ? knownKeys : undefined,
    knownKeys,
    existing,
    toCopy: lookups.flatMap(({ key, existing, own }) => (existing || own.length > 0 ? [] : [key])),
    findings,
  };
}

/** Whether every region of the account already has this promotion: nothing to copy there. */
export function fullyPromoted(lookup: Pick<TargetLookup, 'keys' | 'existing'>): boolean {
  return lookup.keys !== undefined && lookup.existing.length === lookup.keys.length;
}
