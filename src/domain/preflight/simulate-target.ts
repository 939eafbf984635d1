import { identityPolicyFix } from '../../aws/explain.js';
import { SimulatePrincipalPolicyCommand, type ContextEntry, type EvaluationResult } from '@aws-sdk/client-iam';
import { isAccessDenied } from '../../aws/classify.js';
import type { TargetContext } from '../context.js';
import { errorMessage } from '../../aws/errors.js';
import type { Finding } from './findings.js';
import type { TargetKey } from '../lookups/target-key.js';
import { accountRootArn, ssmParameterArn } from '../../aws/arn.js';
import { AUTOSCALING_GRANT, COPY_READ_KEY, COPY_WRITE_KEY, TARGET_AUTOSCALING, TARGET_PUBLISH, ec2ViaService, requiredActions } from '../../policy/actions.js';
import { contextEntry, ec2Simulations, type Simulation } from './ec2-simulations.js';
import { autoScalingServiceLinkedRoleArn } from '../../policy/key-policy-statements.js';

/**
 * The keys EC2's calls on the role's behalf carry: kms:ViaService, kms:CallerAccount (the role's account) and,
 * on CreateGrant, kms:GrantIsForAWSResource.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
 */
function ec2Context(region: string, accountId: string): ContextEntry[] {
  return [contextEntry('kms:ViaService', ec2ViaService(region)), contextEntry('kms:CallerAccount', accountId), contextEntry('kms:GrantIsForAWSResource', 'true', 'boolean')];
}

/** Simulations of the target role's policies for everything the copy needs, with the source key policy as resource policy. */
function simulations(ctx: TargetContext, sourceKeyArn: string, sourceKeyPolicy: string | undefined, targetKeys: TargetKey[]): Simulation[] {
  const region = ctx.target.spec.regions[0] as string;
  const { partition } = ctx.target.spec.role;
  const { request } = ctx;
  const list = ec2Simulations(ctx).filter((sim) => sim.actions.length > 0);
  // A grant needs no identity policy; with key-policy the key policy is about to change, so only IAM is simulated.
  if (ctx.request.keyAccess !== 'grant') {
    const withPolicy = ctx.request.keyAccess === 'verify' && sourceKeyPolicy !== undefined;
    list.push({
      label: `the source key ${sourceKeyArn}`,
      actions: requiredActions(COPY_READ_KEY),
      resource: sourceKeyArn,
      resourcePolicy: withPolicy ? sourceKeyPolicy : undefined,
      resourceOwner: withPolicy ? accountRootArn(partition, ctx.request.kmsKey.accountId) : undefined,
      context: ec2Context(region, ctx.target.identity.accountId),
    });
  }
  for (const key of targetKeys) {
    if (key.arn && key.keyManager === 'CUSTOMER') {
      list.push({ label: `the target key ${key.arn}`, actions: requiredActions(COPY_WRITE_KEY), resource: key.arn, context: ec2Context(key.region, ctx.target.identity.accountId), ownAccountKey: true });
      // autoscaling-access: grant — the target role itself lists the grants and creates one (not for an AWS resource).
      if (request.autoscalingAccess === 'grant') {
        const grantee = autoScalingServiceLinkedRoleArn(partition, ctx.target.identity.accountId);
        list.push({
          label: `the Auto Scaling grant on the target key ${key.arn}`,
          actions: requiredActions([...TARGET_AUTOSCALING.grant, AUTOSCALING_GRANT]),
          resource: key.arn,
          context: [contextEntry('kms:GranteePrincipal', grantee)],
        });
      }
    }
  }
  if (ctx.request.ssmParameter) {
    for (const r of ctx.target.spec.regions) {
      const resource = ssmParameterArn(partition, r, ctx.target.identity.accountId, ctx.request.ssmParameter);
      list.push({ label: `the SSM parameter in ${r}`, actions: requiredActions([TARGET_PUBLISH]), resource, context: [] });
    }
  }
  return list;
}

/** The simulation itself is not allowed: nothing could be checked. */
const NOT_ALLOWED = Symbol('not allowed');

function denied(results: EvaluationResult[]): { implicit: string[]; explicit: string[] } {
  return {
    implicit: results.filter((r) => r.EvalDecision === 'implicitDeny').map((r) => r.EvalActionName ?? ''),
    explicit: results.filter((r) => r.EvalDecision === 'explicitDeny').map((r) => r.EvalActionName ?? ''),
  };
}

/** One SimulatePrincipalPolicy call for the role, with the key policy as resource policy when asked. */
async function simulate(ctx: TargetContext, sim: Simulation, withResourcePolicy: boolean): Promise<EvaluationResult[]> {
  const role = ctx.target.spec.role.arn;
  const response = await ctx.target.iam(ctx.request.sourceRegion).send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: role,
      ActionNames: sim.actions,
      ResourceArns: [sim.resource],
      ResourcePolicy: withResourcePolicy ? sim.resourcePolicy : undefined,
      ResourceOwner: withResourcePolicy ? sim.resourceOwner : undefined,
      CallerArn: withResourcePolicy ? role : undefined,
      ContextEntries: sim.context.length ? sim.context : undefined,
    }),
  );
  return response.EvaluationResults ?? [];
}

/** The results, with the key policy when the simulator takes it; a note says when it was evaluated without. */
async function results(ctx: TargetContext, sim: Simulation): Promise<{ results: EvaluationResult[]; note: string }> {
  try {
    return { results: await simulate(ctx, sim, sim.resourcePolicy !== undefined), note: '' };
  } catch (error) {
    // IAM's simulator takes a resource policy only with an IAM user as CallerArn: for a role it may refuse it.
    // The key policy is evaluated on its own; the identity policies alone are still worth simulating.
    if (sim.resourcePolicy === undefined || isAccessDenied(error)) throw error;
    return { results: await simulate(ctx, sim, false), note: ` (its IAM policy alone: the simulator refused the key policy as resource policy: ${errorMessage(error)})` };
  }
}

/** The findings of one simulation: explicit and implicit denies, or ok. */
function verdicts(role: string, sim: Simulation, evaluated: EvaluationResult[], note: string): Finding[] {
  const check = `The target role's IAM policy allows ${sim.label}`;
  const { implicit, explicit } = denied(evaluated);
  const findings: Finding[] = [];
  if (explicit.length > 0) {
    findings.push({ check, side: 'target', status: 'missing', detail: `an explicit Deny blocks ${explicit.join(', ')} on ${sim.resource}${note}.`, fix: `Remove the Deny for these actions from the policies (or permissions boundary / SCP) of ${role}.` });
  }
  if (implicit.length > 0) {
    const fix = identityPolicyFix(role, implicit, sim.resource);
    findings.push(
      sim.ownAccountKey
        ? { check, side: 'target', status: 'warning', detail: `${implicit.join(', ')} on ${sim.resource} is not allowed by the role's IAM policy${note}; the copy still works if the key's own policy names the role.`, fix }
        : { check, side: 'target', status: 'missing', detail: `${implicit.join(', ')} on ${sim.resource} is not allowed${note}.`, fix },
    );
  }
  if (findings.length === 0) findings.push({ check, side: 'target', status: 'ok', detail: `${sim.actions.join(', ')} allowed${note}.` });
  return findings;
}

async function findingsOf(ctx: TargetContext, sim: Simulation): Promise<Finding[] | typeof NOT_ALLOWED> {
  try {
    const { results: evaluated, note } = await results(ctx, sim);
    return verdicts(ctx.target.spec.role.arn, sim, evaluated, note);
  } catch (error) {
    if (isAccessDenied(error)) return NOT_ALLOWED;
    // One simulation failing says nothing about the others.
    return [{ check: `The target role's IAM policy allows ${sim.label}`, side: 'target', status: 'unchecked', detail: `the simulation failed (${errorMessage(error)}).` }];
  }
}

/**
 * Target side: simulates the target role's identity policies (iam:SimulatePrincipalPolicy on itself) for the
 * copy. Without that permission, says what could not be checked.
 */
export async function simulateTargetRole(ctx: TargetContext, sourceKeyArn: string, sourceKeyPolicy: string | undefined, targetKeys: TargetKey[]): Promise<Finding[]> {
  // The first one alone: when the role may not simulate at all, one denied call says so.
  const [first, ...rest] = simulations(ctx, sourceKeyArn, sourceKeyPolicy, targetKeys);
  const outcomes = [await findingsOf(ctx, first as Simulation)];
  if (outcomes[0] !== NOT_ALLOWED) outcomes.push(...(await Promise.all(rest.map((sim) => findingsOf(ctx, sim)))));
  if (!outcomes.includes(NOT_ALLOWED)) return (outcomes as Finding[][]).flat();
  return [
    {
      check: "The target role's IAM policy (simulated)",
      side: 'target',
      status: 'unchecked',
      detail: `the target role may not call iam:SimulatePrincipalPolicy on itself; only the DescribeKey probe and the copy itself test the target role's IAM policy.`,
      fix: `To have it checked, allow iam:SimulatePrincipalPolicy on ${ctx.target.spec.role.arn} to that role.`,
    },
  ];
}
