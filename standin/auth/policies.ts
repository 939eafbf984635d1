/**
 * Policy evaluation, delegated to @cloud-copilot/iam-simulate (identity policies, resource/key policies,
 * trust policies, the same- and cross-account rules and conditions). No second evaluator lives here.
 */
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../policy-types.js';
import type { NamedPolicy } from './identity.js';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface EvaluationRequest {
  /** The request principal ARN (user, role, assumed-role session, or federated provider). */
  principal: string;
  action: string;
  resource: string;
  resourceAccount: string;
  identityPolicies: NamedPolicy[];
  resourcePolicy?: PolicyDocument;
  context: Record<string, string | string[]>;
}

export class PolicyEvaluationError extends Error {}

function simulation(request: EvaluationRequest): Simulation {
  return {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: request.context,
    },
    identityPolicies: request.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
  };
}

/** Evaluates a request with validation of policies, action, resource type and context keys. */
export async function evaluate(request: EvaluationRequest): Promise<Decision> {
  const result = await runSimulation(simulation(request), {});
  if (result.resultType === 'error') {
    throw new PolicyEvaluationError(
      `iam-simulate could not evaluate ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult;
}

const RESOURCE_TYPE_ERRORS = new Set(['no.resource.types', 'multiple.resource.types', 'must.use.wildcard']);

function asValidated(policy: PolicyDocument | undefined, name: string) {
  return policy && { __validated: true, policyDocument: policy, metadata: { name }, errors: [] };
}

/**
 * For SimulatePrincipalPolicy: IAM's simulator matches resource strings as given (no resource-type validation)
 * and answers implicitDeny for unknown actions.
 */
export async function evaluateAsSimulator(request: EvaluationRequest): Promise<Decision> {
  const result = await runSimulation(simulation(request), {});
  if (result.resultType !== 'error') return result.overallResult;
  const problem = result.errors.message;
  if (problem === 'invalid.action' || problem === 'invalid.service') return 'ImplicitlyDenied';
  if (!RESOURCE_TYPE_ERRORS.has(problem)) {
    throw new PolicyEvaluationError(`iam-simulate could not evaluate ${request.action}: ${JSON.stringify(result.errors)}`);
  }
  return runUnsafeSimulation({ ...simulation(request), resourcePolicy: asValidated(request.resourcePolicy, 'ResourcePolicy') }, {});
}

/** Validation problems of a policy used as a resource (key) policy; empty when it is valid. */
export async function resourcePolicyProblems(policy: unknown, accountId: string): Promise<string[]> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${accountId}:root`,
        action: 'kms:DescribeKey',
        resource: { resource: `arn:aws:kms:us-east-1:${accountId}:key/00000000-0000-0000-0000-000000000000`, accountId },
        contextVariables: {},
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    },
    {},
  );
  if (result.resultType !== 'error') return [];
  const errors = result.errors.resourcePolicyErrors ?? [];
  return errors.length ? errors.map((e) => e.message) : [result.errors.message];
}

/**
 * Evaluates a role trust policy for AssumeRoleWithWebIdentity. The provider's claim keys
 * (token.actions.githubusercontent.com:aud/:sub) are not in iam-simulate's per-action key list, so this
 * uses its unvalidated entry point with the policy marked as already validated.
 */
export function evaluateTrust(request: Omit<EvaluationRequest, 'identityPolicies'>): Decision {
  try {
    return runUnsafeSimulation(
      { ...simulation({ ...request, identityPolicies: [] }), resourcePolicy: asValidated(request.resourcePolicy, 'TrustPolicy') },
      {},
    );
  } catch (error) {
    throw new PolicyEvaluationError(`trust policy could not be evaluated: ${(error as Error).message}`);
  }
}
