import { checkAutoscalingAccess } from './autoscaling.js';
import type { PromotionContext } from './context.js';
import { PromotionError, errorMessage, type ProblemDetails } from './errors.js';
import { findingPlace, type Accounts, type Finding } from './findings.js';
import { inspectImage, isSharableAsIs, type SourceImage } from './inspect.js';
import { denied, evaluateForTarget, readKeyPolicy, requireTargetIdentityAccess, unknowns } from './key-access.js';
import { findExistingPromotion, type ExistingPromotion } from './reuse.js';
import { simulateTargetRole } from './simulate-target.js';
import { inspectSourceKey, type SourceKey } from './source-key.js';
import { resolveTargetKey, type TargetKey } from './target-key.js';

export interface PreflightFinding extends Finding {
  /** The refusal behind a `missing` finding, thrown as it is when it is the only one. */
  error?: PromotionError;
}

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

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** A `missing` finding with the refusal that says where: the side's account and region. */
function missingFinding(check: string, details: Omit<ProblemDetails, 'what'>): PreflightFinding {
  return { check, side: details.side ?? 'source', status: 'missing', detail: details.why, fix: details.fix, error: new PromotionError({ what: check, ...details }) };
}

/** Runs a check; a PromotionError becomes a `missing` finding instead of ending the preflight. */
async function attempt<T>(findings: PreflightFinding[], check: string, side: Finding['side'], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof PromotionError)) throw error;
    findings.push({ check, side: error.details.side ?? side, status: 'missing', detail: error.details.why, fix: error.details.fix, error });
    return undefined;
  }
}

function keyPolicyFindings(ctx: PromotionContext, key: SourceKey, policy: string | undefined): PreflightFinding[] {
  const check = 'The source key policy lets the target role copy';
  const role = ctx.request.targetRole.arn;
  const place = { side: 'source' as const, accountId: key.accountId, region: key.region };
  if (policy === undefined) {
    // key-access: key-policy must read the policy to rewrite it: the run would stop there.
    if (ctx.request.keyAccess === 'key-policy') {
      return [
        missingFinding(check, {
          ...place,
          why: `the source role may not read the key policy of ${key.arn}; key-access: key-policy reads it and writes it back.`,
          fix: `Add this statement to the IAM policy of ${ctx.sourceIdentity.principalArn}:\n${json({ Effect: 'Allow', Action: ['kms:GetKeyPolicy', 'kms:PutKeyPolicy'], Resource: key.arn })}`,
        }),
      ];
    }
    return [{ check, side: 'source', status: 'unchecked', detail: `the source role may not read the key policy of ${key.arn}.`, fix: `Allow kms:GetKeyPolicy on ${key.arn} to the source role.` }];
  }
  let report;
  try {
    report = evaluateForTarget(ctx, key, policy);
  } catch (error) {
    return [{ check, side: 'source', status: 'unchecked', detail: `the key policy could not be evaluated (${errorMessage(error)}).` }];
  }
  const blocked = denied(report);
  if (blocked.length > 0) {
    return [
      missingFinding(check, {
        ...place,
        why: `the key policy explicitly denies the target role ${blocked.join(', ')}; an explicit Deny wins over every Allow and every grant.`,
        fix: `Remove or narrow that Deny statement in the key policy of ${key.arn} so that it does not apply to ${role}.`,
      }),
    ];
  }
  const findings: PreflightFinding[] = unknowns(report).map((u) => ({ check, side: 'source' as const, status: 'unchecked' as const, detail: `a condition could not be evaluated for ${u}.` }));
  const missing = report.actions.filter((a) => a.status === 'missing').map((a) => a.action);
  if (missing.length === 0) {
    findings.push({ check, side: 'source', status: 'ok', detail: `${role} may use ${key.arn} for EBS copies${report.needsIdentityPolicy ? ' (its own IAM policy must allow it too)' : ''}.` });
  } else if (ctx.request.keyAccess === 'verify') {
    findings.push(
      missingFinding(check, {
        ...place,
        why: `the key policy does not let ${role} (or its account) use the key for EBS copies: missing ${missing.join(', ')}.`,
        fix: `Add these statements to the key policy of ${key.arn}:\n${json(report.statementsToAdd)}\nor run with key-access: grant (a temporary grant) or key-access: key-policy (the action adds them).`,
      }),
    );
  } else {
    const how = ctx.request.keyAccess === 'grant' ? 'a temporary grant will allow' : 'the action will add statements for';
    findings.push({ check, side: 'source', status: 'ok', detail: `the key policy lacks ${missing.join(', ')}; ${how} it.` });
  }
  return findings;
}

/** Every check before the first change, in every mode; each one a finding. Throws only on unexpected errors. */
export async function preflight(ctx: PromotionContext): Promise<PreflightResult> {
  const findings: PreflightFinding[] = [];
  const result: PreflightResult = { findings, existing: [], accounts: { source: ctx.sourceIdentity.accountId, target: ctx.targetIdentity.accountId } };
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
  for (const { own } of perRegion) findings.push(...own);
  const knownKeys = perRegion.flatMap(({ key }) => (key ? [key] : []));
  // The plan needs every region's key: with one missing there is nothing to plan with.
  if (knownKeys.length === request.targetRegions.length) result.targetKeys = knownKeys;
  const lookups = await Promise.all(
    knownKeys.map(async (key) => {
      const own: PreflightFinding[] = [];
      const existing = await attempt(own, `An earlier promotion in ${key.region}`, 'target', () => findExistingPromotion(ctx, key));
      return { existing, own };
    }),
  );
  for (const { own } of lookups) findings.push(...own);
  result.existing = lookups.flatMap(({ existing }) => (existing ? [existing] : []));
  for (const e of result.existing) findings.push({ check: `An earlier promotion in ${e.region}`, side: 'target', status: 'ok', detail: `${request.sourceAmiId} was already promoted as ${e.imageId}; it is reused.` });
  if (result.targetKeys && result.existing.length === result.targetKeys.length) return result;

  const [image, key] = await Promise.all([
    attempt(findings, 'The source AMI can be promoted', 'source', () => inspectImage(ctx)),
    attempt(findings, 'The source key can be shared', 'source', () => inspectSourceKey(ctx)),
  ]);
  result.sourceImage = image;
  result.sourceKey = key;
  if (image) {
    findings.push({ check: 'The source AMI can be promoted', side: 'source', status: 'ok', detail: `${image.imageId} "${image.name}" is available, EBS-backed, with ${image.snapshots.length} snapshot(s).` });
    if (image.billingCodes.length > 0 || /windows/i.test(image.platformDetails ?? '')) {
      findings.push({
        check: 'Billing product codes',
        side: 'source',
        status: 'warning',
        detail: `${image.platformDetails ?? 'the AMI'} carries billing codes (${image.billingCodes.join(', ') || 'platform'}); CopyImage keeps them, so instances from the promoted AMI are billed the same. Registering an image from copied snapshots would drop them: this action never does that.`,
      });
    }
  }
  if (key) findings.push({ check: 'The source key can be shared', side: 'source', status: 'ok', detail: `${key.arn} is customer-managed, symmetric and enabled.` });
  if (image && key) {
    findings.push({
      check: 'Re-encryption',
      side: 'source',
      status: 'ok',
      detail: isSharableAsIs(image, key.arn) ? 'not needed: the AMI is shared as it is.' : `an intermediate copy under ${key.arn} will be made in the source account.`,
    });
  }
  if (key) {
    result.keyPolicy = await readKeyPolicy(ctx, key, true);
    const policyFindings = keyPolicyFindings(ctx, key, result.keyPolicy);
    findings.push(...policyFindings);
    // A key policy that lacks the role makes the target-side checks fail too; they then test the IAM side alone.
    const policyAllows = !policyFindings.some((f) => f.status === 'missing');
    const probeCheck = 'The target role can reach the source key';
    if (request.keyAccess === 'verify' && !policyAllows) {
      findings.push({ check: probeCheck, side: 'target', status: 'unchecked', detail: 'not probed: DescribeKey cannot pass until the key policy allows the target role (see above).' });
    } else if (request.keyAccess === 'verify') {
      const probe = await attempt(findings, probeCheck, 'target', () => requireTargetIdentityAccess(ctx, key, 0).then(() => true));
      if (probe) findings.push({ check: probeCheck, side: 'target', status: 'ok', detail: `DescribeKey on ${key.arn} with the target credentials works.` });
    }
    const simulated = await simulateTargetRole(ctx, key.arn, policyAllows ? result.keyPolicy : undefined, knownKeys);
    findings.push(
      ...simulated.map((f) =>
        f.status === 'missing' ? missingFinding(f.check, { side: 'target', accountId: ctx.targetIdentity.accountId, why: f.detail, fix: f.fix ?? '' }) : f,
      ),
    );
  }
  if (request.autoscalingAccess !== 'off') {
    for (const finding of await Promise.all(knownKeys.map((targetKey) => checkAutoscalingAccess(ctx, targetKey)))) {
      if (finding) findings.push(request.autoscalingAccess === 'grant' && finding.status === 'warning' ? { ...finding, status: 'ok', detail: `${finding.detail} A grant for the role will be created.`, fix: undefined } : finding);
    }
  }
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
