import { identityPolicyFix } from '../../aws/explain.js';
import { conditionFixes, denialNotes, exclusionNotes } from '../../policy/explain-conditions.js';
import type { KeyAccessReport } from '../../policy/key-access-check.js';
import { copyVerdict, type KeyPolicyAssessment } from '../../policy/probe-inference.js';
import type { TargetContext } from '../context.js';
import { errorMessage } from '../../aws/errors.js';
import { assessForTarget } from '../steps/key-access.js';
import { missingFinding, type PreflightFinding } from './preflight-finding.js';
import { probeFindings } from './probe-findings.js';
import { simulateTargetRole } from './simulate-target.js';
import type { SourceKey } from '../lookups/source-key.js';
import type { TargetKey } from '../lookups/target-key.js';

const json = (value: unknown) => JSON.stringify(value, null, 2);
const KEY_POLICY_CHECK = 'The source key policy lets the target role copy';

/** Who the copy's KMS requests come from, for the condition notes. */
const copyRequests = (ctx: TargetContext) => `EC2's calls for the copy (on behalf of ${ctx.target.spec.role.arn})`;

function unreadableFindings(ctx: TargetContext, key: SourceKey): PreflightFinding[] {
  // key-access: key-policy must read the policy to rewrite it: the run would stop there.
  if (ctx.request.keyAccess === 'key-policy') {
    return [
      missingFinding(KEY_POLICY_CHECK, {
        side: 'source',
        accountId: key.accountId,
        region: key.region,
        why: `the source role may not read the key policy of ${key.arn}; key-access: key-policy reads it and writes it back.`,
        fix: identityPolicyFix(ctx.source.identity.principalArn, ['kms:GetKeyPolicy', 'kms:PutKeyPolicy'], key.arn),
      }),
    ];
  }
  return [{ check: KEY_POLICY_CHECK, side: 'source', status: 'unchecked', detail: `the source role may not read the key policy of ${key.arn}.`, fix: `Allow kms:GetKeyPolicy on ${key.arn} to the source role.` }];
}

function explicitDenyFinding(ctx: TargetContext, key: SourceKey, report: KeyAccessReport): PreflightFinding | undefined {
  const blocked = report.actions.filter((a) => a.status === 'explicit-deny');
  if (blocked.length === 0) return undefined;
  const list = blocked.map((a) => `${a.action} (statement ${a.evaluation.statements.join(', ')})`).join(', ');
  const notes = denialNotes(blocked.flatMap((a) => a.evaluation.conditions), copyRequests(ctx));
  return missingFinding(KEY_POLICY_CHECK, {
    side: 'source',
    accountId: key.accountId,
    region: key.region,
    why: `the key policy explicitly denies the target role ${list}${notes.length > 0 ? `: ${notes.join('; ')}` : ''}; an explicit Deny wins over every Allow and every grant.`,
    fix: `Remove or narrow that Deny statement in the key policy of ${key.arn} so that it does not apply to ${ctx.target.spec.role.arn}.`,
  });
}

/** One unchecked finding per set of reasons, naming the actions they concern. */
function unknownFindings(report: KeyAccessReport): PreflightFinding[] {
  const byReasons = new Map<string, string[]>();
  for (const a of report.actions.filter((action) => action.status === 'unknown')) {
    const reasons = a.evaluation.unknownReasons.join('; ');
    byReasons.set(reasons, [...(byReasons.get(reasons) ?? []), a.action]);
  }
  return [...byReasons].map(([reasons, actions]) => ({
    check: KEY_POLICY_CHECK,
    side: 'source',
    status: 'unchecked',
    detail: `a condition could not be evaluated for ${actions.join(', ')}: ${reasons}.`,
  }));
}

function missingActionsFinding(ctx: TargetContext, key: SourceKey, report: KeyAccessReport): PreflightFinding {
  const missing = report.actions.filter((a) => a.status === 'missing');
  const actions = missing.map((a) => a.action).join(', ');
  if (ctx.request.keyAccess !== 'verify') {
    const how = ctx.request.keyAccess === 'grant' ? 'a temporary grant will allow' : 'the action will add statements for';
    return { check: KEY_POLICY_CHECK, side: 'source', status: 'ok', detail: `the key policy lacks ${actions}; ${how} it.` };
  }
  const conditions = missing.flatMap((a) => a.evaluation.conditions);
  const notes = exclusionNotes(conditions, copyRequests(ctx));
  const fixes = conditionFixes(conditions);
  const add = `${fixes.length > 0 ? `In the key policy of ${key.arn}, ${fixes.join('; ')}; or add these statements to it` : `Add these statements to the key policy of ${key.arn}`}`;
  return missingFinding(KEY_POLICY_CHECK, {
    side: 'source',
    accountId: key.accountId,
    region: key.region,
    why: `the key policy does not let ${ctx.target.spec.role.arn} (or its account) use the key for EBS copies: missing ${actions}${notes.length > 0 ? `: ${notes.join('; ')}` : ''}.`,
    fix: `${add}:\n${json(report.statementsToAdd)}\nor run with key-access: grant (a temporary grant) or key-access: key-policy (the action adds them).`,
  });
}

/** The key policy evaluated for the target role's copy; conditions that decide it are named with the request's values. */
function keyPolicyFindings(ctx: TargetContext, key: SourceKey, { copy }: KeyPolicyAssessment): PreflightFinding[] {
  const denied = explicitDenyFinding(ctx, key, copy);
  if (denied) return [denied];
  const findings = unknownFindings(copy);
  if (copy.actions.some((a) => a.status === 'missing')) {
    findings.push(missingActionsFinding(ctx, key, copy));
  } else if (findings.length === 0) {
    const role = ctx.target.spec.role.arn;
    findings.push({ check: KEY_POLICY_CHECK, side: 'source', status: 'ok', detail: `${role} may use ${key.arn} for EBS copies${copy.needsIdentityPolicy ? ' (its own IAM policy must allow it too)' : ''}.` });
  }
  return findings;
}

function assess(ctx: TargetContext, key: SourceKey, policy: string): KeyPolicyAssessment | string {
  try {
    return assessForTarget(ctx, key, policy);
  } catch (error) {
    return errorMessage(error);
  }
}

function policyFindingsOf(ctx: TargetContext, key: SourceKey, keyPolicy: string | undefined, assessment: KeyPolicyAssessment | string | undefined): PreflightFinding[] {
  if (keyPolicy === undefined || assessment === undefined) return unreadableFindings(ctx, key);
  if (typeof assessment === 'string') return [{ check: KEY_POLICY_CHECK, side: 'source', status: 'unchecked', detail: `the key policy could not be evaluated (${assessment}).` }];
  return keyPolicyFindings(ctx, key, assessment);
}

/** The source key policy (undefined: unreadable) evaluated for the target role, the target role's DescribeKey probe and its simulation. */
export async function sourceKeyFindings(ctx: TargetContext, key: SourceKey, knownKeys: TargetKey[], keyPolicy: string | undefined): Promise<PreflightFinding[]> {
  const assessment = keyPolicy === undefined ? undefined : assess(ctx, key, keyPolicy);
  const evaluated = typeof assessment === 'object' ? assessment : undefined;
  const policyFindings = policyFindingsOf(ctx, key, keyPolicy, assessment);
  // The simulator gets the key policy only when it alone decides the copy: conditions it cannot know would fail.
  const certain = evaluated !== undefined && copyVerdict(evaluated.copy) === 'ok';
  const [probed, simulated] = await Promise.all([
    probeFindings(ctx, key, keyPolicy, evaluated, policyFindings.some((f) => f.status === 'missing')),
    simulateTargetRole(ctx, key.arn, certain ? keyPolicy : undefined, knownKeys),
  ]);
  const settled: PreflightFinding[] | undefined = probed.settled ? [{ check: KEY_POLICY_CHECK, side: 'source', status: 'ok', detail: probed.settled }] : undefined;
  const findings = [
    ...(settled ?? policyFindings),
    ...probed.probe,
    ...simulated.map((f) =>
      f.status === 'missing' ? missingFinding(f.check, { side: 'target', accountId: ctx.target.identity.accountId, why: f.detail, fix: f.fix ?? '' }) : f,
    ),
  ];
  return findings;
}
