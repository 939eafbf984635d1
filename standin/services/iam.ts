/** IAM: SimulatePrincipalPolicy (evaluated with iam-simulate against the principal's identity policies) and GetRole. */
import type {
  EvaluationResult,
  GetRoleRequest,
  GetRoleResponse,
  SimulatePolicyResponse,
  SimulatePrincipalPolicyRequest,
} from '@aws-sdk/client-iam';
import { authorizeApi } from '../auth/access.js';
import type { NamedPolicy } from '../auth/identity.js';
import { evaluateAsSimulator, PolicyEvaluationError } from '../auth/policies.js';
import { parseArn, roleArn } from '../arns.js';
import { awsError } from '../errors.js';
import type { PolicyDocument } from '../policy-types.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';

const DECISION = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' } as const;

function policiesOf(ctx: CallContext, arn: string): NamedPolicy[] {
  const parsed = parseArn(arn);
  const account = parsed ? ctx.state.account(parsed.account) : undefined;
  const [kind, ...rest] = parsed?.resource.split('/') ?? [];
  const name = rest[rest.length - 1] ?? '';
  const entity = kind === 'role' ? account?.roles.get(name) : kind === 'user' ? account?.users.get(name) : undefined;
  if (!parsed || !entity) throw awsError('NoSuchEntity', `The entity ${arn} cannot be found.`, 404);
  return Object.entries(entity.policies).map(([policyName, policy]) => ({ name: policyName, policy }));
}

/** A resource policy that defers to the account's identity policies, as when none is simulated. */
function identityOnly(accountId: string): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: '*', Resource: '*' }] };
}

async function simulatePrincipalPolicy(ctx: CallContext, input: SimulatePrincipalPolicyRequest): Promise<SimulatePolicyResponse> {
  const source = required(input.PolicySourceArn, 'PolicySourceArn', 'ValidationError');
  const actions = required(input.ActionNames, 'ActionNames', 'ValidationError');
  await authorizeApi(callerOf(ctx), 'iam:SimulatePrincipalPolicy', source, ctx.region, 'AccessDenied');
  const identityPolicies = policiesOf(ctx, source);
  const principalAccount = parseArn(source)?.account ?? '';
  let resourcePolicy: PolicyDocument | undefined;
  if (input.ResourcePolicy) {
    try {
      resourcePolicy = JSON.parse(input.ResourcePolicy) as PolicyDocument;
    } catch {
      throw awsError('MalformedPolicyDocument', 'The resource policy is not valid JSON.');
    }
  }
  const context: Record<string, string | string[]> = {};
  for (const entry of input.ContextEntries ?? []) {
    if (!entry.ContextKeyName) continue;
    const values = entry.ContextKeyValues ?? [];
    context[entry.ContextKeyName] = entry.ContextKeyType?.endsWith('List') ? values : (values[0] ?? '');
  }
  const results: EvaluationResult[] = [];
  for (const action of actions) {
    for (const resource of input.ResourceArns?.length ? input.ResourceArns : ['*']) {
      const owner = input.ResourceOwner ? parseArn(input.ResourceOwner)?.account : undefined;
      // Without a ResourcePolicy, IAM's simulator evaluates the identity policies alone.
      const resourceAccount = resourcePolicy ? (owner ?? (parseArn(resource)?.account || principalAccount)) : principalAccount;
      let decision: keyof typeof DECISION;
      try {
        decision = await evaluateAsSimulator({
          principal: input.CallerArn ?? source,
          action,
          resource,
          resourceAccount,
          identityPolicies,
          resourcePolicy: resourcePolicy ?? identityOnly(principalAccount),
          context: { 'aws:PrincipalArn': source, 'aws:PrincipalAccount': principalAccount, ...context },
        });
      } catch (error) {
        if (error instanceof PolicyEvaluationError) throw awsError('InvalidInput', error.message);
        throw error;
      }
      results.push({ EvalActionName: action, EvalResourceName: resource, EvalDecision: DECISION[decision], MissingContextValues: [] });
    }
  }
  return { EvaluationResults: results, IsTruncated: false };
}

async function getRole(ctx: CallContext, input: GetRoleRequest): Promise<GetRoleResponse> {
  const caller = callerOf(ctx);
  const name = required(input.RoleName, 'RoleName', 'ValidationError');
  await authorizeApi(caller, 'iam:GetRole', roleArn(caller.accountId, name), ctx.region, 'AccessDenied');
  const role = ctx.state.account(caller.accountId)?.roles.get(name);
  if (!role) throw awsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  return {
    Role: {
      Path: '/',
      RoleName: role.name,
      RoleId: role.roleId,
      Arn: roleArn(caller.accountId, role.name),
      CreateDate: new Date('2026-01-01T00:00:00Z'),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(role.trustPolicy)),
      MaxSessionDuration: role.maxSessionDuration,
    },
  };
}

export const iamOperations: Record<string, Handler> = {
  SimulatePrincipalPolicy: op(simulatePrincipalPolicy),
  GetRole: op(getRole),
};
