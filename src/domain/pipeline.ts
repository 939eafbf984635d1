import type { CopiedFrom } from '../aws/images.js';
import { forTarget, type PromotionContext, type TargetContext } from './context.js';
import type { ExistingPromotion } from './lookups/reuse.js';
import type { TargetKey } from './lookups/target-key.js';
import { planFrom, regionsToCopy, type PromotionPlan, type ReusePlan, type TargetPlan } from './plan.js';
import { grantAutoscalingAccess } from './preflight/autoscaling.js';
import { formatFinding } from './preflight/findings.js';
import { preflight, type PreflightResult } from './preflight/preflight.js';
import pLimit from 'p-limit';
import { copyInto, type TargetCopy } from './steps/copy.js';
import { copySnapshotsInto, readUefiData } from './steps/copy-snapshots.js';
import { finishImages, type FinishReport } from './steps/finish.js';
import { addKeyPolicyStatements, grantKeyAccess } from './steps/key-access.js';
import { reencrypt, type SharedImage } from './steps/reencrypt.js';
import { shareOnward, type OnwardShare } from './steps/share-onward.js';
import { shareWithTargets, type ShareReport } from './steps/share.js';
import { updateLaunchTemplates, type LaunchTemplateVersion } from './steps/launch-templates.js';
import { retireEarlier, type RetirementReport } from './steps/retire.js';

export interface RegionResult {
  region: string;
  imageId: string;
  snapshotIds: string[];
  /** The key of the copy as shown to the user. */
  key: string;
  /** Seconds the copy took; undefined for a reused AMI. */
  seconds?: number;
  reused: boolean;
  /** What EC2 reports the AMI was copied from. */
  copiedFrom?: CopiedFrom;
}

/** The promoted AMIs of one target account, region by region in the order of the inputs. */
export interface TargetResult {
  accountId: string;
  regions: RegionResult[];
}

/** A copy into one account and region that failed; the other copies went on. */
export interface CopyFailure {
  accountId: string;
  region: string;
  error: unknown;
}

/** A step after the copy (launch templates, retirement) that failed in one target account; the AMIs are promoted. */
export interface AfterCopyFailure {
  step: string;
  accountId: string;
  error: unknown;
}

export interface PromotionResult {
  sourceAccountId: string;
  /** The promoted AMIs, without the regions whose copy failed. */
  targets: TargetResult[];
  /** Copies that failed: the promotion is incomplete, and a re-run copies only these. */
  failures: CopyFailure[];
  /** True when every region of every target reused an earlier promotion. */
  reused: boolean;
  /** Lasting or temporary changes to keys (grants, key-policy statements), for the log and summary. */
  keyChanges: string[];
  reencryptedImageId?: string;
  /** What EC2 reports the intermediate copy was copied from. */
  reencryptedFrom?: CopiedFrom;
  share?: ShareReport;
  finish: FinishReport;
  /** share-with: the launch permissions of every promoted AMI for the recipients (kept: part of the result). */
  onward: OnwardShare[];
  /** launch-template: the version of each template that holds the promoted AMI, per account and region. */
  launchTemplates: LaunchTemplateVersion[];
  /** retire-previous: what was retired and kept, per account and region. */
  retirement: RetirementReport[];
  /** Launch templates or retirement that failed in an account: the promotion stands, the run fails. */
  afterCopyFailures: AfterCopyFailure[];
}

/** Every check, read-only, before the first change in any account; each finding is logged. */
export async function runPreflight(ctx: PromotionContext): Promise<PreflightResult> {
  return ctx.log.group('Preflight', async () => {
    const pre = await preflight(ctx);
    for (const finding of pre.findings) {
      const line = formatFinding(finding);
      if (finding.status === 'warning') ctx.log.warning(line);
      else ctx.log.info(line);
    }
    return pre;
  });
}

/** Gives every target role use of the source key as key-access says; key-policy changes go one after the other. */
async function giveKeyAccess(ctx: PromotionContext, plan: PromotionPlan): Promise<string[]> {
  const mode = ctx.request.keyAccess;
  if (mode === 'verify') {
    ctx.log.info(`The key policy and the target roles' IAM policies already allow the copy (checked before any change).`);
    return [];
  }
  if (mode === 'grant') {
    const results = await Promise.all(plan.targets.map(({ target }) => grantKeyAccess(forTarget(ctx, target), plan.sourceKey)));
    return results.flatMap((r) => r.changes);
  }
  const changes: string[] = [];
  for (const { target } of plan.targets) changes.push(...(await addKeyPolicyStatements(forTarget(ctx, target), plan.sourceKey)).changes);
  return changes;
}

/**
 * The copies into every target account and region, at most max-parallel-copies at a time. A failed copy does not
 * stop the others: each one is awaited, and the failures are returned with their account and region.
 */
async function copyEverywhere(ctx: PromotionContext, plan: PromotionPlan, shared: SharedImage): Promise<{ copies: TargetCopy[][]; failures: CopyFailure[] }> {
  const limit = pLimit(ctx.request.maxParallelCopies);
  const jobs = plan.targets.flatMap((t, index) => regionsToCopy(t).map((key) => ({ index, key, target: t.target })));
  const bySnapshots = ctx.request.copyMethod === 'snapshots' ? { image: plan.sourceImage, shared, uefiData: await readUefiData(ctx, shared) } : undefined;
  const copy = (target: TargetContext, key: TargetKey) => (bySnapshots ? copySnapshotsInto(target, bySnapshots, key) : copyInto(target, plan.sourceImage, shared, key));
  const settled = await Promise.allSettled(jobs.map((job) => limit(() => copy(forTarget(ctx, job.target), job.key))));
  // A cancellation is not a failed copy: it ends the run as it is.
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const copies: TargetCopy[][] = plan.targets.map(() => []);
  const failures: CopyFailure[] = [];
  settled.forEach((result, i) => {
    const job = jobs[i] as (typeof jobs)[number];
    if (result.status === 'fulfilled') copies[job.index]?.push(result.value);
    else failures.push({ accountId: job.target.identity.accountId, region: job.key.region, error: result.reason });
  });
  return { copies, failures };
}

async function grantAutoscaling(ctx: PromotionContext, plans: TargetPlan[]): Promise<string[]> {
  const changes = await Promise.all(plans.flatMap(({ target, keys }) => keys.map((key) => grantAutoscalingAccess(forTarget(ctx, target), key))));
  return changes.filter((c): c is string => c !== undefined);
}

function regionResult(key: TargetKey, copy: TargetCopy | undefined, existing: ExistingPromotion[]): RegionResult {
  if (copy) return { region: key.region, imageId: copy.imageId, snapshotIds: copy.snapshotIds, key: key.display, seconds: copy.seconds, reused: false, copiedFrom: copy.copiedFrom };
  const reused = existing.find((e) => e.region === key.region) as ExistingPromotion;
  return { region: key.region, imageId: reused.imageId, snapshotIds: reused.snapshotIds, key: key.display, reused: true, copiedFrom: reused.copiedFrom };
}

/** The promoted AMI of every account and region, new or reused; the regions whose copy failed are left out. */
function targetResults(plans: TargetPlan[], copies: TargetCopy[][] = []): TargetResult[] {
  return plans.map((plan, i) => {
    const copied = copies[i] ?? [];
    const promoted = plan.keys.filter((key) => copied.some((c) => c.region === key.region) || plan.existing.some((e) => e.region === key.region));
    return {
      accountId: plan.target.identity.accountId,
      regions: promoted.map((key) => regionResult(key, copied.find((c) => c.region === key.region), plan.existing)),
    };
  });
}

/** Deregistration protection, deprecation and SSM parameters on every promoted AMI, new or reused (all idempotent). */
async function finishEverywhere(ctx: PromotionContext, plans: TargetPlan[], results: TargetResult[]): Promise<FinishReport> {
  const reports = await Promise.all(plans.map((plan, i) => finishImages(forTarget(ctx, plan.target), results[i]?.regions ?? [])));
  return { deprecateAt: reports[0]?.deprecateAt, protectedImages: reports.flatMap((r) => r.protectedImages), ssmParameters: reports.flatMap((r) => r.ssmParameters) };
}

/** share-with: launch permissions on every promoted AMI, new or reused; never journaled, so cleanup keeps them. */
async function shareOnwardEverywhere(ctx: PromotionContext, plans: TargetPlan[], results: TargetResult[]): Promise<OnwardShare[]> {
  if (ctx.request.shareWith.length === 0) return [];
  const shares = await ctx.log.group('Share onward', () => Promise.all(plans.map((plan, i) => shareOnward(forTarget(ctx, plan.target), results[i]?.regions ?? []))));
  return shares.flat();
}

type AfterCopy = Pick<PromotionResult, 'launchTemplates' | 'retirement' | 'afterCopyFailures'>;

/** One step after the copy in every target account at once; an account's failure does not stop the others. */
async function inEveryAccount<T>(ctx: PromotionContext, plans: TargetPlan[], results: TargetResult[], step: string, run: (ctx: TargetContext, images: RegionResult[]) => Promise<T[]>) {
  const settled = await ctx.log.group(step, () => Promise.allSettled(plans.map((plan, i) => run(forTarget(ctx, plan.target), results[i]?.regions ?? []))));
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const done = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ step, accountId: plans[i]?.target.identity.accountId ?? '', error: s.reason as unknown }] : []));
  return { done, failures };
}

/**
 * launch-template, then retire-previous (once the templates use the new AMI), where the promoted AMI is available;
 * neither is journaled: the versions and the retirement are part of the result.
 */
async function afterCopy(ctx: PromotionContext, plans: TargetPlan[], results: TargetResult[]): Promise<AfterCopy> {
  const { request } = ctx;
  const templates = request.launchTemplates.length > 0 ? await inEveryAccount(ctx, plans, results, 'Launch templates', updateLaunchTemplates) : { done: [], failures: [] };
  const retired = request.retire.mode !== 'none' ? await inEveryAccount(ctx, plans, results, 'Retire earlier promotions', retireEarlier) : { done: [], failures: [] };
  return { launchTemplates: templates.done, retirement: retired.done, afterCopyFailures: [...templates.failures, ...retired.failures] };
}

/** The changes, in order, each recorded in the journal as soon as it succeeds. */
async function executePlan(ctx: PromotionContext, plan: PromotionPlan): Promise<PromotionResult> {
  const { log } = ctx;
  const shared = await log.group('Re-encrypt', () => reencrypt(ctx, plan.sourceImage, plan.sourceKey, plan.reencrypt));
  const keyChanges = await log.group('Key access', () => giveKeyAccess(ctx, plan));
  const share = await log.group('Share', () => shareWithTargets(ctx, shared));
  const { copies, failures } = await log.group('Copy into the target accounts', () => copyEverywhere(ctx, plan, shared));
  const autoscaling = ctx.request.autoscalingAccess === 'grant' ? await log.group('Auto Scaling access', () => grantAutoscaling(ctx, plan.targets)) : [];
  const targets = targetResults(plan.targets, copies);
  const finish = await log.group('Finish', () => finishEverywhere(ctx, plan.targets, targets));
  const onward = await shareOnwardEverywhere(ctx, plan.targets, targets);
  const after = await afterCopy(ctx, plan.targets, targets);
  return {
    sourceAccountId: ctx.source.identity.accountId,
    targets,
    failures,
    reused: false,
    keyChanges: [...keyChanges, ...autoscaling],
    reencryptedImageId: shared.intermediate ? shared.imageId : undefined,
    reencryptedFrom: shared.intermediate ? shared.copiedFrom : undefined,
    share,
    finish,
    onward,
    ...after,
  };
}

/** Every region already promoted: only the finishing touches are applied again. */
async function finishReused(ctx: PromotionContext, plan: ReusePlan): Promise<PromotionResult> {
  const targets = targetResults(plan.targets);
  const finish = await ctx.log.group('Finish', () => finishEverywhere(ctx, plan.targets, targets));
  const onward = await shareOnwardEverywhere(ctx, plan.targets, targets);
  const after = await afterCopy(ctx, plan.targets, targets);
  return { sourceAccountId: ctx.source.identity.accountId, targets, failures: [], reused: true, keyChanges: [], finish, onward, ...after };
}

/** The promotion after its preflight: refused when something is missing, else the changes. Cleanup is the caller's. */
export async function promote(ctx: PromotionContext, pre: PreflightResult): Promise<PromotionResult> {
  const plan = planFrom(pre);
  return 'sourceImage' in plan ? executePlan(ctx, plan) : finishReused(ctx, plan);
}
