import { CreateGrantCommand, GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { targetRoleSourceKeyStatements } from '../policy/generate.js';
import { checkTargetCopyAccess, type KeyAccessReport } from '../policy/key-access-check.js';
import type { PolicyStatement } from '../policy/policy-document.js';
import { call, explainAwsError, isAccessDenied, siteOf } from './aws-errors.js';
import type { PromotionContext } from './context.js';
import { PromotionError } from './errors.js';
import { waitForTargetKeyAccess, probeTargetKeyAccess } from './key-probe.js';
import type { SourceKey } from './source-key.js';
import { shortHash } from './tokens.js';

export interface KeyAccessResult {
  /** What this run changed on the key, for the log and summary. */
  changes: string[];
}

const GRANT_OPERATIONS = ['Decrypt', 'DescribeKey', 'CreateGrant', 'ReEncryptFrom'] as const;
const GRANT_WAIT_MS = 5 * 60_000;
const POLICY_WAIT_MS = 2 * 60_000;

type PolicyDocument = { Statement?: PolicyStatement | PolicyStatement[] } & Record<string, unknown>;

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The key policy text; undefined when the source principal may not read it and `tolerateDenied` is set. */
export async function readKeyPolicy(ctx: PromotionContext, key: SourceKey, tolerateDenied: boolean): Promise<string | undefined> {
  try {
    const response = await ctx.source.kms(key.region).send(new GetKeyPolicyCommand({ KeyId: key.arn, PolicyName: 'default' }));
    return response.Policy ?? '{}';
  } catch (error) {
    if (tolerateDenied && isAccessDenied(error)) return undefined;
    throw explainAwsError(error, {
      what: `Reading the key policy of ${key.arn}`,
      ...siteOf(ctx, 'source', key.region),
      action: 'kms:GetKeyPolicy',
      resource: key.arn,
    });
  }
}

/** The key policy checked for the target role's EBS copy in every target region. */
export function evaluateForTarget(ctx: PromotionContext, key: SourceKey, policy: string): KeyAccessReport {
  const reports = ctx.request.targetRegions.map((region) => checkTargetCopyAccess(policy, { keyArn: key.arn, roleArn: ctx.request.targetRole.arn, region }));
  return reports.find((report) => !report.ok) ?? (reports[0] as KeyAccessReport);
}

export function denied(report: KeyAccessReport): string[] {
  return report.actions.filter((a) => a.status === 'explicit-deny').map((a) => `${a.action} (statement ${a.evaluation.statements.join(', ')})`);
}

export function unknowns(report: KeyAccessReport): string[] {
  return report.actions.filter((a) => a.status === 'unknown').map((a) => `${a.action}: ${a.evaluation.unknownReasons.join('; ')}`);
}

export async function requireTargetIdentityAccess(ctx: PromotionContext, key: SourceKey, waitMs: number): Promise<void> {
  const probe = waitMs > 0 ? await waitForTargetKeyAccess(ctx, key.arn, waitMs) : await probeTargetKeyAccess(ctx, key.arn);
  if (probe.ok) return;
  throw new PromotionError({
    what: `Checking that the target role may use ${key.arn}`,
    side: 'target',
    accountId: ctx.targetIdentity.accountId,
    region: key.region,
    why: `the target role cannot reach the source key (${probe.reason}). Across accounts, the role's own IAM policy must allow the key as well as the key policy.`,
    fix: `Add these statements to the IAM policy of ${ctx.request.targetRole.arn}:\n${json(targetRoleSourceKeyStatements(key.arn))}`,
  });
}

/** key-access: grant — a grant on the CMK for the target role, retired by cleanup. */
export async function grantKeyAccess(ctx: PromotionContext, key: SourceKey): Promise<KeyAccessResult> {
  const { request, sourceIdentity, targetIdentity } = ctx;
  const grantName = `promote-ami-${request.provenance.runId ?? 'local'}-${targetIdentity.accountId}-${shortHash(request.sourceAmiId)}`;
  const response = await call(
    {
      what: `Creating a grant on ${key.arn} for ${request.targetRole.arn}`,
      ...siteOf(ctx, 'source', key.region),
      action: 'kms:CreateGrant',
      resource: key.arn,
    },
    () =>
      ctx.source.kms(key.region).send(
        new CreateGrantCommand({
          KeyId: key.arn,
          GranteePrincipal: request.targetRole.arn,
          RetiringPrincipal: sourceIdentity.principalArn,
          Operations: [...GRANT_OPERATIONS],
          Name: grantName,
        }),
      ),
  );
  const grantId = response.GrantId as string;
  ctx.journal.record({ kind: 'grant', region: key.region, keyArn: key.arn, grantId, grantName });
  ctx.log.info(`Granted ${request.targetRole.arn} ${GRANT_OPERATIONS.join(', ')} on ${key.arn} (grant ${grantName}); waiting until it takes effect.`);
  await requireTargetIdentityAccess(ctx, key, GRANT_WAIT_MS);
  return { changes: [`grant ${grantName} on ${key.arn} (retired by cleanup)`] };
}

/** key-access: key-policy — adds the missing statements for the target role, keeping every other statement as it is. */
export async function addKeyPolicyStatements(ctx: PromotionContext, key: SourceKey): Promise<KeyAccessResult> {
  const site = {
    ...siteOf(ctx, 'source', key.region),
    resource: key.arn,
  };
  const policy = (await readKeyPolicy(ctx, key, false)) as string;
  // Read again right before writing it back; an explicit Deny was refused by the preflight.
  const report = evaluateForTarget(ctx, key, policy);
  const result: KeyAccessResult = { changes: [] };
  if (report.statementsToAdd.length === 0) {
    ctx.log.info(`The key policy of ${key.arn} already allows ${ctx.request.targetRole.arn}; not changed.`);
  } else {
    const document = JSON.parse(policy) as PolicyDocument;
    const existing = document.Statement === undefined ? [] : Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    const sids = new Set(existing.map((s) => s.Sid));
    // A statement id already taken (e.g. by a statement for an earlier role) gets a distinct one: dropping the
    // statement would leave the access missing, and the existing statement is never changed.
    const added = report.statementsToAdd.map((s) => (sids.has(s.Sid) ? { ...s, Sid: `${s.Sid}${shortHash(ctx.request.targetRole.arn)}` } : s));
    document.Statement = [...existing, ...added];
    await call({ ...site, what: `Adding statements for ${ctx.request.targetRole.arn} to the key policy of ${key.arn}`, action: 'kms:PutKeyPolicy' }, () =>
      ctx.source.kms(key.region).send(new PutKeyPolicyCommand({ KeyId: key.arn, PolicyName: 'default', Policy: JSON.stringify(document, null, 2) })),
    );
    for (const statement of added) ctx.journal.record({ kind: 'key-policy-statement', region: key.region, keyArn: key.arn, sid: statement.Sid ?? '' });
    const change = `key policy of ${key.arn}: added ${added.map((s) => s.Sid).join(', ')} for ${ctx.request.targetRole.arn} (kept after the run)`;
    ctx.log.warning(`Changed the ${change}.`);
    result.changes.push(change);
  }
  await requireTargetIdentityAccess(ctx, key, POLICY_WAIT_MS);
  return result;
}
