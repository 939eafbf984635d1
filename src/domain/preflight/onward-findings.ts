import { errorMessage } from '../../aws/errors.js';
import type { KeyAccessReport } from '../../policy/key-access-check.js';
import { checkRecipientLaunchAccess } from '../../policy/recipient-access.js';
import { recipientLabel, recipientsOf, type Recipient } from '../../policy/recipients.js';
import type { TargetContext } from '../context.js';
import type { TargetKey } from '../lookups/target-key.js';
import { missingFinding, type PreflightFinding } from './preflight-finding.js';
import { readTargetKeyPolicy } from './target-key-policy.js';

type CustomerKey = TargetKey & { arn: string };

interface Verdict {
  recipient: Recipient;
  report: KeyAccessReport;
}

const check = (region: string) => `The share-with recipients can use the target key in ${region}`;
const labels = (verdicts: Verdict[]) => verdicts.map((v) => recipientLabel(v.recipient)).join(', ');
const actionsWith = (v: Verdict, status: string) => v.report.actions.filter((a) => a.status === status);
const place = (ctx: TargetContext, region: string) => ({ side: 'target' as const, accountId: ctx.target.identity.accountId, region });

/**
 * "You can't share AMIs that are backed by snapshots that are encrypted with the default AWS managed key": other
 * accounts cannot use an AWS-managed key, whose key policy cannot be changed.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html
 */
function awsManagedFinding(ctx: TargetContext, key: TargetKey): PreflightFinding {
  const which = key.arn
    ? `${key.arn}, an AWS-managed key`
    : `the target account's default EBS key (${key.display}), which is the AWS-managed aws/ebs key unless the account chose another`;
  return missingFinding(check(key.region), {
    ...place(ctx, key.region),
    why: `the promoted AMI would be under ${which}. Accounts, organizations and OUs it is shared with cannot use an AWS-managed key (its key policy cannot be changed), so they could not launch the AMI.`,
    fix: `Set target-kms-key to a customer-managed key of account ${ctx.target.identity.accountId} in ${key.region} (for example alias/golden-ami) whose key policy lets the recipients use it, or remove share-with.`,
  });
}

function deniedFinding(ctx: TargetContext, key: CustomerKey, v: Verdict): PreflightFinding {
  const blocked = actionsWith(v, 'explicit-deny').map((a) => `${a.action} (statement ${a.evaluation.statements.join(', ')})`);
  return missingFinding(check(key.region), {
    ...place(ctx, key.region),
    why: `the key policy of ${key.arn} explicitly denies ${recipientLabel(v.recipient)} ${blocked.join(', ')}; an explicit Deny wins over every Allow.`,
    fix: `Remove or narrow that Deny statement in the key policy of ${key.arn} so that it does not apply to ${recipientLabel(v.recipient)}.`,
  });
}

function missingStatementsFinding(ctx: TargetContext, key: CustomerKey, missing: Verdict[]): PreflightFinding {
  const what = missing.map((v) => `${recipientLabel(v.recipient)} (${actionsWith(v, 'missing').map((a) => a.action).join(', ')})`);
  return missingFinding(check(key.region), {
    ...place(ctx, key.region),
    why: `the key policy of ${key.arn} does not let ${what.join('; ')} use the key, so they could not launch the shared AMI.`,
    fix: `Add these statements to the key policy of ${key.arn}:\n${JSON.stringify(missing.flatMap((v) => v.report.statementsToAdd), null, 2)}`,
  });
}

/** One finding per kind of verdict: ok, missing statements, explicit denies, conditions that cannot be evaluated. */
function verdictFindings(ctx: TargetContext, key: CustomerKey, verdicts: Verdict[]): PreflightFinding[] {
  const having = (status: string) => verdicts.filter((v) => actionsWith(v, status).length > 0);
  const findings: PreflightFinding[] = having('explicit-deny').map((v) => deniedFinding(ctx, key, v));
  const missing = having('missing').filter((v) => actionsWith(v, 'explicit-deny').length === 0);
  if (missing.length > 0) findings.push(missingStatementsFinding(ctx, key, missing));
  for (const v of having('unknown')) {
    const reasons = [...new Set(actionsWith(v, 'unknown').flatMap((a) => a.evaluation.unknownReasons))];
    findings.push({ check: check(key.region), side: 'target', status: 'unchecked', detail: `for ${recipientLabel(v.recipient)}, a condition could not be evaluated: ${reasons.join('; ')}.` });
  }
  const ok = verdicts.filter((v) => v.report.ok);
  if (ok.length > 0) {
    findings.push({ check: check(key.region), side: 'target', status: 'ok', detail: `${key.arn} lets ${labels(ok)} launch the shared AMI (their own IAM policies must allow the key too).` });
  }
  return findings;
}

async function keyFindings(ctx: TargetContext, key: TargetKey, recipients: Recipient[]): Promise<PreflightFinding[]> {
  if (!key.arn || key.keyManager !== 'CUSTOMER') return [awsManagedFinding(ctx, key)];
  const customer = { ...key, arn: key.arn };
  const policy = await readTargetKeyPolicy(ctx, customer, check(key.region), 'so that the preflight checks that the share-with recipients may use the key');
  if (typeof policy !== 'string') return [policy];
  const partition = ctx.target.spec.role.partition;
  try {
    const verdicts = recipients.map((recipient) => ({ recipient, report: checkRecipientLaunchAccess(policy, { keyArn: customer.arn, region: key.region, recipient, partition }) }));
    return verdictFindings(ctx, customer, verdicts);
  } catch (error) {
    return [{ check: check(key.region), side: 'target', status: 'unchecked', detail: `the key policy of ${key.arn} could not be evaluated (${errorMessage(error)}).` }];
  }
}

function otherPartitionFinding(ctx: TargetContext, region: string, recipients: Recipient[]): PreflightFinding | undefined {
  const partition = ctx.target.spec.role.partition;
  const elsewhere = recipients.flatMap((r) => (r.kind !== 'account' && r.partition !== partition ? [r.arn] : []));
  if (elsewhere.length === 0) return undefined;
  return missingFinding(check(region), {
    ...place(ctx, region),
    why: `share-with names ${elsewhere.join(', ')}, of another partition than the target account (${partition}); partitions are a hard boundary that principals of one cannot cross to use resources of another.`,
    fix: `Remove ${elsewhere.join(', ')} from share-with.`,
  });
}

/**
 * share-with: in every region of the target account, the promoted AMI's key must be customer-managed and its key policy
 * must let every recipient use it to launch the AMI (organizations and OUs through aws:PrincipalOrgID and
 * aws:PrincipalOrgPaths conditions). Organizations and OUs of another partition are refused: "You cannot use IAM
 * credentials from one partition to interact with resources in a different partition".
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html
 * https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
 */
export async function onwardSharingFindings(ctx: TargetContext, keys: TargetKey[]): Promise<PreflightFinding[]> {
  const recipients = recipientsOf(ctx.request.shareWith, ctx.target.identity.accountId);
  if (recipients.length === 0) return [];
  const elsewhere = otherPartitionFinding(ctx, keys[0]?.region ?? ctx.request.sourceRegion, recipients);
  if (elsewhere) return [elsewhere];
  return (await Promise.all(keys.map((key) => keyFindings(ctx, key, recipients)))).flat();
}
