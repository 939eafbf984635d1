import type { PromotionContext } from './context.js';
import { errorMessage } from './errors.js';
import { denied, evaluateForTarget, readKeyPolicy, requireTargetIdentityAccess, unknowns } from './key-access.js';
import { attempt, missingFinding, type PreflightFinding } from './preflight-finding.js';
import { simulateTargetRole } from './simulate-target.js';
import type { SourceKey } from './source-key.js';
import type { TargetKey } from './target-key.js';

const json = (value: unknown) => JSON.stringify(value, null, 2);

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

/** The source key policy evaluated for the target role, the target role's DescribeKey probe and its simulation. */
export async function sourceKeyFindings(ctx: PromotionContext, key: SourceKey, knownKeys: TargetKey[]): Promise<{ findings: PreflightFinding[]; keyPolicy?: string }> {
  const { request } = ctx;
  const findings: PreflightFinding[] = [];
  const keyPolicy = await readKeyPolicy(ctx, key, true);
  const policyFindings = keyPolicyFindings(ctx, key, keyPolicy);
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
  const simulated = await simulateTargetRole(ctx, key.arn, policyAllows ? keyPolicy : undefined, knownKeys);
  findings.push(
    ...simulated.map((f) =>
      f.status === 'missing' ? missingFinding(f.check, { side: 'target', accountId: ctx.targetIdentity.accountId, why: f.detail, fix: f.fix ?? '' }) : f,
    ),
  );
  return { findings, keyPolicy };
}
