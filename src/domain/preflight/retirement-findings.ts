import type { TargetContext } from '../context.js';
import { planRetirement, type RetirementPlan } from '../retirement-plan.js';
import type { RetireMode } from '../types.js';
import { attempt, type PreflightFinding } from './preflight-finding.js';

/** The check of every retirement finding starts with this. */
export const RETIREMENT_CHECK = 'retire-previous';

const WOULD: Record<Exclude<RetireMode, 'none'>, string> = { deprecate: 'deprecate', disable: 'disable', deregister: 'deregister (with its snapshots)' };

const label = (image: { imageId: string; name: string }) => (image.name ? `${image.imageId} (${image.name})` : image.imageId);

function planDetail(plan: RetirementPlan, mode: Exclude<RetireMode, 'none'>, lineage: string | undefined): string {
  if (plan.retire.length === 0 && plan.kept.length === 0) return `no earlier promotion of the lineage ${lineage} in ${plan.region}.`;
  const retire = plan.retire.length > 0 ? `would ${WOULD[mode]} ${plan.retire.map(label).join(', ')}` : 'would retire nothing';
  const kept = plan.kept.map(({ image, reason }) => `${label(image)}: ${reason}`);
  return `${retire} in ${plan.region}${kept.length > 0 ? `; would keep ${kept.join('; ')}` : ''}.`;
}

/**
 * retire-previous in the preflight: one finding per target region, saying which earlier promotions the run would
 * retire and which it would keep, with why (what the dry run and the job summary show). A refused DescribeImages or
 * DescribeImageReferences becomes a `missing` finding with the identity-policy fix. Mode none makes no call.
 */
export async function retirementFindings(ctx: TargetContext, current: (region: string) => string[]): Promise<PreflightFinding[]> {
  const { mode } = ctx.request.retire;
  if (mode === 'none') return [];
  const perRegion = await Promise.all(
    ctx.target.spec.regions.map(async (region): Promise<PreflightFinding[]> => {
      const check = `${RETIREMENT_CHECK} (${mode}) in ${region}`;
      const failed: PreflightFinding[] = [];
      const plan = await attempt(failed, check, 'target', () => planRetirement(ctx, region, current(region)));
      return plan ? [{ check, side: 'target', accountId: ctx.target.identity.accountId, status: 'ok', detail: planDetail(plan, mode, ctx.request.lineage) }] : failed;
    }),
  );
  return perRegion.flat();
}
