import { CreateGrantCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { COPY_READ_KEY, actionsOf, grantOperations } from '../../policy/actions.js';
import type { Assumptions } from '../../policy/evaluate.js';
import { denialNotes, exclusionNotes, unknownNotes } from '../../policy/explain-conditions.js';
import { targetRoleSourceKeyStatements } from '../../policy/generate.js';
import { checkDirectDescribeKey, checkTargetCopyAccess, type KeyAccessReport } from '../../policy/key-access-check.js';
import type { PolicyStatement } from '../../policy/policy-document.js';
import { copyVerdict, type KeyPolicyAssessment } from '../../policy/probe-inference.js';
import { call } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';
import { PromotionError } from '../../aws/errors.js';
import { waitForTargetKeyAccess, probeTargetKeyAccess } from '../lookups/key-probe.js';
import { readKeyPolicy } from '../lookups/key-policy.js';
import type { SourceKey } from '../lookups/source-key.js';
import { shortHash } from '../tokens.js';

export interface KeyAccessResult {
  /** What this run changed on the key, for the log and summary. */
  changes: string[];
}

const GRANT_OPERATIONS = grantOperations(actionsOf(COPY_READ_KEY));
const GRANT_WAIT_MS = 5 * 60_000;
const POLICY_WAIT_MS = 2 * 60_000;

type PolicyDocument = { Statement?: PolicyStatement | PolicyStatement[] } & Record<string, unknown>;

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The key policy checked for the target role's EBS copy in every target region: a region it fails in, else one it cannot tell for. */
function evaluateForTarget(ctx: TargetContext, key: SourceKey, policy: string, assumptions?: Assumptions): KeyAccessReport {
  const reports = ctx.target.spec.regions.map((region) =>
    checkTargetCopyAccess(policy, { keyArn: key.arn, roleArn: ctx.target.spec.role.arn, region, assumptions }),
  );
  return reports.find((report) => copyVerdict(report) === 'not-ok') ?? reports.find((report) => !report.ok) ?? (reports[0] as KeyAccessReport);
}

/** The key policy for the target role: EC2's calls for the copy, and a DescribeKey by the role itself (the probe). */
export function assessForTarget(ctx: TargetContext, key: SourceKey, policy: string, assumptions?: Assumptions): KeyPolicyAssessment {
  return {
    copy: evaluateForTarget(ctx, key, policy, assumptions),
    probe: checkDirectDescribeKey(policy, { keyArn: key.arn, roleArn: ctx.target.spec.role.arn, assumptions }),
  };
}

/**
 * Why a DescribeKey probe with the target credentials can never pass, from the key policy; undefined when it
 * can. With key-access: grant the grant allows DescribeKey whatever the key policy says, unless it explicitly
 * denies it ("No AWS principal has any permissions to a KMS key unless that permission is provided explicitly
 * and never denied": https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html).
 */
export function probeCannotPass(ctx: TargetContext, { copy, probe }: KeyPolicyAssessment): string | undefined {
  const denied = probe.decision === 'explicit-deny' || (ctx.request.keyAccess !== 'grant' && probe.decision === 'implicit-deny');
  if (!denied) return undefined;
  const requests = `direct calls by ${ctx.target.spec.role.arn}`;
  const notes = probe.decision === 'explicit-deny' ? denialNotes(probe.conditions, requests) : exclusionNotes(probe.conditions, requests);
  const allowedBy = [...new Set(copy.actions.flatMap((a) => a.evaluation.statements))].map((s) => `"${s}"`).join(', ');
  const copyPart = copyVerdict(copy) === 'ok' ? `; the copy's calls through EC2 are allowed by statement ${allowedBy}` : '';
  return `DescribeKey with the target credentials is denied by the key policy${notes.length > 0 ? ` (${notes.join('; ')})` : ''}${copyPart}.`;
}

/** The refusal for a probe the role's IAM policy (or, when given, key-policy conditions that cannot be checked) may be what denies. */
export function identityAccessError(ctx: TargetContext, key: SourceKey, reason: string, assessment?: KeyPolicyAssessment): PromotionError {
  const unknown = assessment ? unknownNotes(assessment.probe.conditions) : [];
  const conditions = unknown.length > 0 ? ` The key policy allows it only under conditions the source account cannot check, which may be what denies it: ${unknown.join('; ')}.` : '';
  return new PromotionError({
    what: `Checking that the target role may use ${key.arn}`,
    side: 'target',
    accountId: ctx.target.identity.accountId,
    region: key.region,
    why: `the target role cannot reach the source key (${reason}). Across accounts, the role's own IAM policy must allow the key as well as the key policy.${conditions}`,
    fix: `Add these statements to the IAM policy of ${ctx.target.spec.role.arn}:\n${json(targetRoleSourceKeyStatements(key.arn))}`,
  });
}

function assessOrSkip(ctx: TargetContext, key: SourceKey, policy: string | undefined): KeyPolicyAssessment | undefined {
  try {
    return policy === undefined ? undefined : assessForTarget(ctx, key, policy);
  } catch {
    // A policy this evaluator cannot read says nothing about the probe: probe.
    return undefined;
  }
}

/**
 * Proves with the target credentials that the role can reach the key, waiting up to waitMs for a grant or a
 * key-policy change to take effect. With the key policy given, a probe that can never pass is not made.
 */
export async function requireTargetIdentityAccess(ctx: TargetContext, key: SourceKey, waitMs: number, policy?: string): Promise<void> {
  const assessment = assessOrSkip(ctx, key, policy);
  const cannot = assessment && probeCannotPass(ctx, assessment);
  if (cannot) {
    // The grant cannot be seen taking effect: "less than five minutes", usually seconds.
    // https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-eventual-consistency
    const grantNote = ctx.request.keyAccess === 'grant' ? ' Whether the grant has taken effect cannot be seen; grants usually do within seconds.' : '';
    ctx.log.info(`Not probing ${key.arn} with the target credentials: ${cannot}${grantNote}`);
    return;
  }
  const probe = waitMs > 0 ? await waitForTargetKeyAccess(ctx, key.arn, waitMs) : await probeTargetKeyAccess(ctx, key.arn);
  if (!probe.ok) throw identityAccessError(ctx, key, probe.reason, assessment);
}

/** key-access: grant — a grant on the CMK for the target role, retired by cleanup. */
export async function grantKeyAccess(ctx: TargetContext, key: SourceKey): Promise<KeyAccessResult> {
  const { request } = ctx;
  const role = ctx.target.spec.role;
  const grantName = `promote-ami-${request.provenance.runId ?? 'local'}-${ctx.target.identity.accountId}-${shortHash(request.sourceAmiId)}`;
  const response = await call(
    {
      what: `Creating a grant on ${key.arn} for ${role.arn}`,
      ...siteOf(ctx.source, key.region),
      action: 'kms:CreateGrant',
      resource: key.arn,
    },
    () =>
      ctx.source.kms(key.region).send(
        new CreateGrantCommand({
          KeyId: key.arn,
          GranteePrincipal: role.arn,
          RetiringPrincipal: ctx.source.identity.principalArn,
          Operations: GRANT_OPERATIONS,
          Name: grantName,
        }),
      ),
  );
  const grantId = response.GrantId as string;
  ctx.journal.record({ kind: 'grant', region: key.region, keyArn: key.arn, grantId, grantName });
  ctx.log.info(`Granted ${role.arn} ${GRANT_OPERATIONS.join(', ')} on ${key.arn} (grant ${grantName}); waiting until it takes effect.`);
  // The key policy only tells whether the probe can pass at all: without it, probe.
  const policy = await readKeyPolicy(ctx, key, true).catch(() => undefined);
  await requireTargetIdentityAccess(ctx, key, GRANT_WAIT_MS, policy);
  return { changes: [`grant ${grantName} on ${key.arn} (retired by cleanup)`] };
}

/** key-access: key-policy — adds the missing statements for the target role, keeping every other statement as it is. */
export async function addKeyPolicyStatements(ctx: TargetContext, key: SourceKey): Promise<KeyAccessResult> {
  const site = {
    ...siteOf(ctx.source, key.region),
    resource: key.arn,
  };
  const policy = (await readKeyPolicy(ctx, key, false)) as string;
  // Read again right before writing it back; an explicit Deny was refused by the preflight.
  const report = evaluateForTarget(ctx, key, policy);
  const result: KeyAccessResult = { changes: [] };
  let effective = policy;
  if (report.statementsToAdd.length === 0) {
    const unknown = unknownNotes(report.actions.flatMap((a) => a.evaluation.conditions));
    const how = unknown.length > 0 ? `may allow ${ctx.target.spec.role.arn} (under conditions the source account cannot check: ${unknown.join('; ')})` : `already allows ${ctx.target.spec.role.arn}`;
    ctx.log.info(`The key policy of ${key.arn} ${how}; not changed.`);
  } else {
    const document = JSON.parse(policy) as PolicyDocument;
    const existing = document.Statement === undefined ? [] : Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    const sids = new Set(existing.map((s) => s.Sid));
    // A statement id already taken (e.g. by a statement for an earlier role) gets a distinct one: dropping the
    // statement would leave the access missing, and the existing statement is never changed.
    const added = report.statementsToAdd.map((s) => (sids.has(s.Sid) ? { ...s, Sid: `${s.Sid}${shortHash(ctx.target.spec.role.arn)}` } : s));
    document.Statement = [...existing, ...added];
    effective = JSON.stringify(document, null, 2);
    await call({ ...site, what: `Adding statements for ${ctx.target.spec.role.arn} to the key policy of ${key.arn}`, action: 'kms:PutKeyPolicy' }, () =>
      ctx.source.kms(key.region).send(new PutKeyPolicyCommand({ KeyId: key.arn, PolicyName: 'default', Policy: effective })),
    );
    for (const statement of added) ctx.journal.record({ kind: 'key-policy-statement', region: key.region, keyArn: key.arn, sid: statement.Sid ?? '' });
    const change = `key policy of ${key.arn}: added ${added.map((s) => s.Sid).join(', ')} for ${ctx.target.spec.role.arn} (kept after the run)`;
    ctx.log.warning(`Changed the ${change}.`);
    result.changes.push(change);
  }
  await requireTargetIdentityAccess(ctx, key, POLICY_WAIT_MS, effective);
  return result;
}
