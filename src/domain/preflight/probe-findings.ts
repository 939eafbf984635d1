import { unknownNotes } from '../../policy/explain-conditions.js';
import { targetRoleSourceKeyStatements } from '../../policy/generate.js';
import { targetRoleKeyStatements } from '../../policy/key-policy-statements.js';
import { copyVerdict, inferFromProbe, type KeyPolicyAssessment, type ProbeInference } from '../../policy/probe-inference.js';
import type { TargetContext } from '../context.js';
import type { PromotionError } from '../../aws/errors.js';
import { assessForTarget, identityAccessError, probeCannotPass } from '../steps/key-access.js';
import { probeTargetKeyAccess } from '../lookups/key-probe.js';
import { attempt, missingFinding, type PreflightFinding } from './preflight-finding.js';
import type { SourceKey } from '../lookups/source-key.js';

export const PROBE_CHECK = 'The target role can reach the source key';

const json = (value: unknown) => JSON.stringify(value, null, 2);

export interface ProbeFindings {
  probe: PreflightFinding[];
  /** Set when the probe settled the key-policy conditions the source account cannot check: why the copy is allowed. */
  settled?: string;
}

function refusal(error: PromotionError): PreflightFinding {
  return { check: PROBE_CHECK, side: 'target', status: 'missing', detail: error.details.why, fix: error.details.fix, error };
}

const probeWorks = (key: SourceKey): PreflightFinding => ({ check: PROBE_CHECK, side: 'target', status: 'ok', detail: `DescribeKey on ${key.arn} with the target credentials works.` });

/** A probe that passed settles the conditions on the role's organization (or tags) for the copy as well. */
function passedFindings(ctx: TargetContext, key: SourceKey, { copy }: KeyPolicyAssessment, inference: ProbeInference): ProbeFindings {
  const probe = [probeWorks(key)];
  if (copyVerdict(copy) !== 'unknown' || inference.verdict !== 'ok') return { probe };
  const conditions = unknownNotes(copy.actions.flatMap((a) => a.evaluation.conditions)).join('; ');
  return {
    probe,
    settled: `${ctx.target.spec.role.arn} may use ${key.arn} for EBS copies (its own IAM policy must allow it too): the key policy's conditions that the source account cannot check hold for the role, as its DescribeKey probe passed (${conditions}).`,
  };
}

/** A denied probe, where the key policy's conditions on the role's organization may be what denies it. */
function conditionalDenial(ctx: TargetContext, key: SourceKey, assessment: KeyPolicyAssessment, inference: ProbeInference, reason: string): PreflightFinding {
  const role = ctx.target.spec.role.arn;
  const account = ctx.target.identity.accountId;
  const conditions = unknownNotes(assessment.probe.conditions).join('; ');
  const why = `DescribeKey on ${key.arn} with the target credentials is denied (${reason}). The key policy allows ${role} only under conditions the source account cannot check: ${conditions}. Either account ${account} does not meet them, or the role's own IAM policy does not allow the key.`;
  const fix = `If account ${account} does not meet those conditions, add these statements to the key policy of ${key.arn} (or change the conditions to include it):\n${json(targetRoleKeyStatements(role, account))}\nOtherwise add these statements to the IAM policy of ${role}:\n${json(targetRoleSourceKeyStatements(key.arn))}`;
  if (inference.verdict === 'not-ok') return missingFinding(PROBE_CHECK, { side: 'target', accountId: account, region: key.region, why, fix });
  return { check: PROBE_CHECK, side: 'target', status: 'unchecked', detail: `${why} EC2's calls for the copy may still be allowed.`, fix };
}

/**
 * verify: the DescribeKey probe with the target credentials, made only when the key policy lets it pass, and
 * read together with the key policy: what it proves about conditions the source account cannot check.
 */
export async function probeFindings(
  ctx: TargetContext,
  key: SourceKey,
  keyPolicy: string | undefined,
  assessment: KeyPolicyAssessment | undefined,
  policyMissing: boolean,
): Promise<ProbeFindings> {
  const only = (probe: PreflightFinding[]): ProbeFindings => ({ probe });
  if (ctx.request.keyAccess !== 'verify') return only([]);
  // A key policy that lacks the role makes the probe fail too.
  if (policyMissing) {
    return only([{ check: PROBE_CHECK, side: 'target', status: 'unchecked', detail: 'not probed: DescribeKey cannot pass until the key policy allows the target role (see above).' }]);
  }
  const cannot = assessment && probeCannotPass(ctx, assessment);
  if (cannot) return only([{ check: PROBE_CHECK, side: 'target', status: 'unchecked', detail: `not probed: ${cannot}` }]);
  const failed: PreflightFinding[] = [];
  const result = await attempt(failed, PROBE_CHECK, 'target', () => probeTargetKeyAccess(ctx, key.arn));
  if (!result) return only(failed);
  if (!assessment || keyPolicy === undefined) {
    return only([result.ok ? probeWorks(key) : refusal(identityAccessError(ctx, key, result.reason))]);
  }
  const inference = inferFromProbe((assumptions) => assessForTarget(ctx, key, keyPolicy, assumptions), result.ok);
  if (result.ok) return passedFindings(ctx, key, assessment, inference);
  if (!inference.keyPolicyMayDeny) return only([refusal(identityAccessError(ctx, key, result.reason))]);
  return only([conditionalDenial(ctx, key, assessment, inference, result.reason)]);
}
