import { PromotionError } from '../../aws/errors.js';
import { forTarget, type PromotionContext, type Target, type TargetContext } from '../context.js';
import { inspectImage, isSharableAsIs, type SourceImage } from '../lookups/inspect.js';
import { inspectSourceKey, type SourceKey } from '../lookups/source-key.js';
import type { TargetKey } from '../lookups/target-key.js';
import { promotedName } from '../provenance.js';
import { readKeyPolicy } from '../lookups/key-policy.js';
import { allowedImagesFindings } from './allowed-images.js';
import { checkAutoscalingAccess } from './autoscaling.js';
import { findingPlace, placed } from './findings.js';
import { launchTemplateFindings } from './launch-template-findings.js';
import { nameCheck, nameFinding } from './name-check.js';
import { retirementFindings } from './retirement-findings.js';
import { onwardSharingFindings } from './onward-findings.js';
import { attempt, type PreflightFinding } from './preflight-finding.js';
import { SOURCE_IMAGE_CHECK, sourceImageFindings } from './source-image-findings.js';
import { sourceKeyFindings } from './source-key-findings.js';
import { tagBudgetFindings } from './tag-budget.js';
import { fullyPromoted, lookUpTarget, type TargetLookup } from './target-keys.js';

export type { PreflightFinding };

/** What the preflight found in one target account. */
export interface TargetPreflight extends TargetLookup {
  target: Target;
}

export interface PreflightResult {
  findings: PreflightFinding[];
  targets: TargetPreflight[];
  sourceImage?: SourceImage;
  sourceKey?: SourceKey;
  /** The source key policy, when the source role may read it. */
  keyPolicy?: string;
}

/** Whether every region of every target account already has this promotion: nothing to share or copy. */
export function everythingPromoted(pre: Pick<PreflightResult, 'targets'>): boolean {
  return pre.targets.every(fullyPromoted);
}

/** The checks of what follows the copy in one target account, for new and reused AMIs alike. */
async function afterCopyFindings(ctx: TargetContext, lookup: TargetLookup): Promise<PreflightFinding[]> {
  const current = (region: string) => lookup.existing.filter((e) => e.region === region).map((e) => e.imageId);
  const [onward, templates, retirement] = await Promise.all([onwardSharingFindings(ctx, lookup.knownKeys), launchTemplateFindings(ctx), retirementFindings(ctx, current)]);
  return [...onward, ...templates, ...retirement];
}

/** Name checks of the regions that get a new copy, in parallel; a failed lookup is a finding of its own. */
async function nameFindings(ctx: TargetContext, image: SourceImage, keys: TargetKey[]): Promise<PreflightFinding[]> {
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

async function autoscalingFindings(ctx: TargetContext, keys: TargetKey[]): Promise<PreflightFinding[]> {
  const mode = ctx.request.autoscalingAccess;
  if (mode === 'off') return [];
  const findings = await Promise.all(keys.map((targetKey) => checkAutoscalingAccess(ctx, targetKey)));
  return findings.flatMap((finding) => {
    if (!finding) return [];
    return mode === 'grant' && finding.status === 'warning' ? [{ ...finding, status: 'ok' as const, detail: `${finding.detail} A grant for the role will be created.`, fix: undefined }] : [finding];
  });
}

/** The source AMI and key, looked up in parallel; each promise settles as soon as its own lookup is done. */
function sourceLookups(ctx: PromotionContext, findings: PreflightFinding[]) {
  const image = attempt(findings, SOURCE_IMAGE_CHECK, 'source', () => inspectImage(ctx));
  const key = attempt(findings, 'The source key can be shared', 'source', () => inspectSourceKey(ctx));
  // A key ARN input is read at once; an alias ARN once it is resolved (GetKeyPolicy takes no alias). The early read
  // counts only when the key is found: a key that does not exist fails both, and the key's finding says so.
  const input = ctx.request.kmsKey;
  const early = input.kind === 'key' ? readKeyPolicy(ctx, input, true) : undefined;
  early?.catch(() => undefined);
  return { image, key, keyPolicy: key.then((k) => (k ? (early ?? readKeyPolicy(ctx, k, true)) : undefined)) };
}

/** What the source AMI and key mean for the promotion. */
function sourceFindingsOf(ctx: PromotionContext, image: SourceImage | undefined, key: SourceKey | undefined): { findings: PreflightFinding[]; reencrypt?: boolean } {
  const findings: PreflightFinding[] = [];
  if (image) findings.push(...sourceImageFindings(image, ctx.clock.now(), ctx.request.copyMethod));
  if (key) findings.push({ check: 'The source key can be shared', side: 'source', status: 'ok', detail: `${key.arn} is customer-managed, symmetric and enabled.` });
  const reencrypt = image && key ? !isSharableAsIs(image, key.arn) : undefined;
  if (reencrypt !== undefined && key) {
    findings.push({ check: 'Re-encryption', side: 'source', status: 'ok', detail: reencrypt ? `an intermediate copy under ${key.arn} will be made in the source account.` : 'not needed: the AMI is shared as it is.' });
  }
  return { findings, reencrypt };
}

type SourceLookups = ReturnType<typeof sourceLookups>;

/** The checks of one target account that need the source AMI or key, each started as soon as what it needs is known. */
async function targetChecks(ctx: TargetContext, lookup: TargetLookup, source: SourceLookups) {
  const keyChecks = async () => {
    const [key, policy] = await Promise.all([source.key, source.keyPolicy]);
    return key ? sourceKeyFindings(ctx, key, lookup.knownKeys, policy) : [];
  };
  const [names, keyFindings, autoscaling, allowed] = await Promise.all([
    source.image.then((image) => (image ? nameFindings(ctx, image, lookup.toCopy) : [])),
    keyChecks(),
    autoscalingFindings(ctx, lookup.knownKeys),
    // Allowed AMIs concerns the shared AMI CopyImage reads; copy-method snapshots registers an AMI the target owns, always allowed.
    allowedImagesFindings(ctx, ctx.request.copyMethod === 'snapshots' ? [] : lookup.toCopy.map((k) => k.region)),
  ]);
  const accounts = { source: ctx.source.identity.accountId, target: ctx.target.identity.accountId };
  return { names: placed(accounts, names), access: placed(accounts, [...keyFindings, ...autoscaling, ...allowed]) };
}

/** Every check before the first change, in every account, in every mode; each one a finding. Throws only on unexpected errors. */
export async function preflight(ctx: PromotionContext): Promise<PreflightResult> {
  const source = ctx.source.identity.accountId;
  const targets = await Promise.all(ctx.targets.map(async (target) => ({ target, ...(await lookUpTarget(forTarget(ctx, target))) })));
  // share-with and launch templates concern reused AMIs too: checked before the early return.
  const afterCopy = await Promise.all(targets.map((t) => afterCopyFindings(forTarget(ctx, t.target), t)));
  const lookupFindings = targets.flatMap((t, i) => placed({ source, target: t.target.identity.accountId }, [...t.findings, ...(afterCopy[i] ?? [])]));
  const result: PreflightResult = { findings: lookupFindings, targets };
  if (everythingPromoted(result)) return result;

  // The source role is assumed only now: its failure is one error, not a finding for each source lookup.
  await ctx.source.connect();
  const lookupFailures: PreflightFinding[] = [];
  const lookups = sourceLookups(ctx, lookupFailures);
  const perTarget = await Promise.all(targets.map((t) => targetChecks(forTarget(ctx, t.target), t, lookups)));
  const [image, key, keyPolicy] = await Promise.all([lookups.image, lookups.key, lookups.keyPolicy]);
  const { findings: sourceFindings, reencrypt } = sourceFindingsOf(ctx, image, key);
  Object.assign(result, { sourceImage: image, sourceKey: key, keyPolicy });
  const copies = targets.map((t) => ({ accountId: t.target.identity.accountId, keys: t.toCopy }));
  result.findings = [
    ...lookupFindings,
    ...placed({ source }, [...lookupFailures, ...sourceFindings]),
    ...perTarget.flatMap((t) => t.names),
    ...(image ? placed({ source }, tagBudgetFindings(ctx, image, reencrypt ? key : undefined, copies)) : []),
    ...perTarget.flatMap((t) => t.access),
  ];
  return result;
}

export function missingFindings(result: Pick<PreflightResult, 'findings'>): PreflightFinding[] {
  return result.findings.filter((f) => f.status === 'missing');
}

/** The error for a preflight with missing findings: the refusal itself when there is one, else all of them, grouped by account. */
export function preflightError(missing: PreflightFinding[]): PromotionError {
  if (missing.length === 1 && missing[0]?.error) return missing[0].error;
  const byAccount = new Map<string, PreflightFinding[]>();
  for (const finding of missing) byAccount.set(findingPlace(finding), [...(byAccount.get(findingPlace(finding)) ?? []), finding]);
  const ordered = [...byAccount.values()].flat();
  const sections = [...byAccount].map(([place, findings]) => `In the ${place}:\n${findings.map((f) => `${ordered.indexOf(f) + 1}. ${f.check}: ${f.detail}`).join('\n')}`);
  return new PromotionError({
    what: 'The preflight checks',
    why: `${missing.length} thing(s) are missing.\n${sections.join('\n')}`,
    fix: ordered.map((f, i) => `${i + 1}. ${f.fix ?? 'see above'}`).join('\n'),
  });
}
