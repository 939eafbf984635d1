import { CreateGrantCommand, ListGrantsCommand } from '@aws-sdk/client-kms';
import { AUTOSCALING_GRANT, AUTOSCALING_KEY_USE, grantOperations } from '../../policy/actions.js';
import { checkServiceLinkedRoleAccess } from '../../policy/key-access-check.js';
import { autoScalingServiceLinkedRoleArn } from '../../policy/key-policy-statements.js';
import { call } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';
import type { Finding } from './findings.js';
import type { TargetKey } from '../lookups/target-key.js';
import { readTargetKeyPolicy } from './target-key-policy.js';

const SLR_OPERATIONS = grantOperations([...AUTOSCALING_KEY_USE, AUTOSCALING_GRANT.action]);

function check(key: TargetKey): string {
  return `Auto Scaling can use the target key in ${key.region}`;
}

/**
 * Whether the target account's Auto Scaling service-linked role may use the customer-managed target
 * key (seed 003): without it, Auto Scaling groups fail to launch instances from the promoted AMI.
 */
export async function checkAutoscalingAccess(ctx: TargetContext, key: TargetKey): Promise<Finding | undefined> {
  if (!key.arn || key.keyManager !== 'CUSTOMER') return undefined;
  const { partition } = ctx.target.spec.role;
  const accountId = ctx.target.identity.accountId;
  const policy = await readTargetKeyPolicy(ctx, { region: key.region, arn: key.arn }, check(key), 'or set autoscaling-access: off');
  if (typeof policy !== 'string') return policy;
  const report = checkServiceLinkedRoleAccess(policy, { keyArn: key.arn, accountId, partition });
  if (report.ok && !report.grantRequired) return { check: check(key), side: 'target', status: 'ok', detail: `${autoScalingServiceLinkedRoleArn(partition, accountId)} may use ${key.arn}.` };
  return {
    check: check(key),
    side: 'target',
    status: 'warning',
    detail: `the key policy of ${key.arn} does not let ${autoScalingServiceLinkedRoleArn(partition, accountId)} use the key; Auto Scaling groups will fail to launch instances from the promoted AMI.`,
    fix: `Add these statements to the key policy of ${key.arn}:\n${JSON.stringify(report.statementsToAdd, null, 2)}\nor set autoscaling-access: grant to have the action create a grant for the role.`,
  };
}

/** autoscaling-access: grant — a lasting grant on the target key for the service-linked role, created once. */
export async function grantAutoscalingAccess(ctx: TargetContext, key: TargetKey): Promise<string | undefined> {
  if (!key.arn || key.keyManager !== 'CUSTOMER') return undefined;
  const keyArn = key.arn;
  const grantee = autoScalingServiceLinkedRoleArn(ctx.target.spec.role.partition, ctx.target.identity.accountId);
  const site = { ...siteOf(ctx.target, key.region), resource: keyArn };
  const kms = ctx.target.kms(key.region);
  const name = 'promote-ami-autoscaling';
  const existing = await call({ ...site, what: `Listing the grants of ${keyArn}`, action: 'kms:ListGrants' }, () => kms.send(new ListGrantsCommand({ KeyId: keyArn, GranteePrincipal: grantee })));
  if (existing.Grants?.some((g) => g.GranteePrincipal === grantee && SLR_OPERATIONS.every((op) => g.Operations?.includes(op)))) {
    ctx.log.info(`${grantee} already has a grant on ${keyArn}.`);
    return undefined;
  }
  await call({ ...site, what: `Granting ${grantee} use of ${keyArn}`, action: 'kms:CreateGrant' }, () =>
    kms.send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: grantee, Operations: SLR_OPERATIONS, Name: name })),
  );
  const change = `grant ${name} on ${keyArn} for ${grantee} (kept: Auto Scaling needs it to launch the AMI)`;
  ctx.log.info(`Created ${change}.`);
  return change;
}
