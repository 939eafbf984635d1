import { SimulatePrincipalPolicyCommand, type ContextEntry, type EvaluationResult } from '@aws-sdk/client-iam';
import { isAccessDenied } from './aws-errors.js';
import type { PromotionContext } from './context.js';
import { errorMessage } from './errors.js';
import type { Finding } from './findings.js';
import type { TargetKey } from './target-key.js';

export const TARGET_EC2_ACTIONS = ['ec2:CopyImage', 'ec2:DescribeImages', 'ec2:DescribeSnapshots', 'ec2:CreateTags', 'ec2:DeregisterImage', 'ec2:DeleteSnapshot'];
export const SOURCE_KEY_ACTIONS = ['kms:DescribeKey', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant'];
export const TARGET_KEY_ACTIONS = ['kms:DescribeKey', 'kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo', 'kms:Decrypt'];

interface Simulation {
  label: string;
  actions: string[];
  resource: string;
  resourcePolicy?: string;
  resourceOwner?: string;
  context: ContextEntry[];
}

function ec2Context(region: string): ContextEntry[] {
  return [
    { ContextKeyName: 'kms:ViaService', ContextKeyValues: [`ec2.${region}.amazonaws.com`], ContextKeyType: 'string' },
    { ContextKeyName: 'kms:GrantIsForAWSResource', ContextKeyValues: ['true'], ContextKeyType: 'boolean' },
  ];
}

function statementFor(actions: string[], resource: string): string {
  return JSON.stringify({ Effect: 'Allow', Action: actions, Resource: resource }, null, 2);
}

/** Simulations of the target role's policies for everything the copy needs, with the source key policy as resource policy. */
function simulations(ctx: PromotionContext, sourceKeyArn: string, sourceKeyPolicy: string | undefined, targetKeys: TargetKey[]): Simulation[] {
  const region = ctx.request.targetRegions[0] as string;
  const { partition } = ctx.request.targetRole;
  const list: Simulation[] = [{ label: 'EC2 copy actions', actions: TARGET_EC2_ACTIONS, resource: '*', context: [] }];
  // A grant needs no identity policy; with key-policy the key policy is about to change, so only IAM is simulated.
  if (ctx.request.keyAccess !== 'grant') {
    const withPolicy = ctx.request.keyAccess === 'verify' && sourceKeyPolicy !== undefined;
    list.push({
      label: `the source key ${sourceKeyArn}`,
      actions: SOURCE_KEY_ACTIONS,
      resource: sourceKeyArn,
      resourcePolicy: withPolicy ? sourceKeyPolicy : undefined,
      resourceOwner: withPolicy ? `arn:${partition}:iam::${ctx.request.kmsKey.accountId}:root` : undefined,
      context: ec2Context(region),
    });
  }
  for (const key of targetKeys) {
    if (key.arn && key.keyManager === 'CUSTOMER') {
      list.push({ label: `the target key ${key.arn}`, actions: TARGET_KEY_ACTIONS, resource: key.arn, context: ec2Context(key.region) });
    }
  }
  if (ctx.request.ssmParameter) {
    const name = ctx.request.ssmParameter.replace(/^\//, '');
    for (const r of ctx.request.targetRegions) {
      list.push({ label: `the SSM parameter in ${r}`, actions: ['ssm:PutParameter'], resource: `arn:${partition}:ssm:${r}:${ctx.targetIdentity.accountId}:parameter/${name}`, context: [] });
    }
  }
  return list;
}

function denied(results: EvaluationResult[]): { implicit: string[]; explicit: string[] } {
  return {
    implicit: results.filter((r) => r.EvalDecision === 'implicitDeny').map((r) => r.EvalActionName ?? ''),
    explicit: results.filter((r) => r.EvalDecision === 'explicitDeny').map((r) => r.EvalActionName ?? ''),
  };
}

/**
 * Target side: simulates the target role's identity policies (iam:SimulatePrincipalPolicy on itself) for the
 * copy. Without that permission, says what could not be checked.
 */
export async function simulateTargetRole(ctx: PromotionContext, sourceKeyArn: string, sourceKeyPolicy: string | undefined, targetKeys: TargetKey[]): Promise<Finding[]> {
  const role = ctx.request.targetRole.arn;
  const iam = ctx.target.iam(ctx.request.sourceRegion);
  const findings: Finding[] = [];
  for (const sim of simulations(ctx, sourceKeyArn, sourceKeyPolicy, targetKeys)) {
    const check = `The target role's IAM policy allows ${sim.label}`;
    let results: EvaluationResult[];
    try {
      results =
        (
          await iam.send(
            new SimulatePrincipalPolicyCommand({
              PolicySourceArn: role,
              ActionNames: sim.actions,
              ResourceArns: [sim.resource],
              ResourcePolicy: sim.resourcePolicy,
              ResourceOwner: sim.resourceOwner,
              CallerArn: sim.resourcePolicy ? role : undefined,
              ContextEntries: sim.context.length ? sim.context : undefined,
            }),
          )
        ).EvaluationResults ?? [];
    } catch (error) {
      const why = isAccessDenied(error) ? `the target role may not call iam:SimulatePrincipalPolicy on itself` : `the simulation failed (${errorMessage(error)})`;
      return [
        {
          check: "The target role's IAM policy (simulated)",
          side: 'target',
          status: 'unchecked',
          detail: `${why}; only the DescribeKey probe and the copy itself test the target role's IAM policy.`,
          fix: `To have it checked, allow iam:SimulatePrincipalPolicy on ${role} to that role.`,
        },
      ];
    }
    const { implicit, explicit } = denied(results);
    if (explicit.length > 0) {
      findings.push({ check, side: 'target', status: 'missing', detail: `an explicit Deny blocks ${explicit.join(', ')} on ${sim.resource}.`, fix: `Remove the Deny for these actions from the policies (or permissions boundary / SCP) of ${role}.` });
    } else if (implicit.length > 0) {
      findings.push({ check, side: 'target', status: 'missing', detail: `${implicit.join(', ')} on ${sim.resource} is not allowed.`, fix: `Add this statement to the IAM policy of ${role}:\n${statementFor(implicit, sim.resource)}` });
    } else {
      findings.push({ check, side: 'target', status: 'ok', detail: `${sim.actions.join(', ')} allowed.` });
    }
  }
  return findings;
}
