/** Identity-policy checks for API calls (EC2, SSM, IAM, STS) and the errors each service answers with. */
import { awsError, type AwsError } from '../errors.js';
import { encodeAuthorizationMessage } from './authorization-message.js';
import { ec2RequestContext, type Ec2Resource } from './ec2-context.js';
import type { Caller } from './identity.js';
import { evaluate, type Decision } from './policies.js';

/**
 * The global condition keys of a signed request by the caller. aws:PrincipalOrgID and aws:PrincipalOrgPaths
 * (multivalued) are in the request only when the caller's account belongs to an organization.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
 */
export function principalContext(caller: Caller, region: string): Record<string, string | string[]> {
  return {
    'aws:PrincipalArn': caller.principalArn,
    'aws:PrincipalAccount': caller.accountId,
    'aws:RequestedRegion': region,
    'aws:userid': caller.userId,
    ...(caller.organization ? { 'aws:PrincipalOrgID': caller.organization.id, 'aws:PrincipalOrgPaths': [caller.organization.path] } : {}),
  };
}

/** Whether the caller's own IAM policies allow `action` on `resource` (a resource in the caller's account). */
export function identityDecision(
  caller: Caller,
  action: string,
  resource: string,
  region: string,
  context: Record<string, string | string[]> = {},
): Promise<Decision> {
  return evaluate({
    principal: caller.arn,
    action,
    resource,
    resourceAccount: caller.accountId,
    identityPolicies: caller.policies,
    context: { ...principalContext(caller, region), ...context },
  });
}

export function denialReason(decision: Decision, kind: 'identity' | 'resource'): string {
  return decision === 'ExplicitlyDenied'
    ? `with an explicit deny in ${kind === 'identity' ? 'an identity-based' : 'a resource-based'} policy`
    : `because no ${kind === 'identity' ? 'identity-based' : 'resource-based'} policy allows the`;
}

function deniedText(caller: Caller, action: string, resource: string, decision: Decision): string {
  const why = decision === 'ExplicitlyDenied' ? denialReason(decision, 'identity') : `${denialReason(decision, 'identity')} ${action} action`;
  return `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

/**
 * EC2: each resource the call is authorized on, in order, with the condition keys EC2 puts in the context for it
 * (see ec2-context.ts) and ec2:Region; the first one refused is UnauthorizedOperation with an encoded authorization
 * message naming the action, that resource and the context.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 */
export async function authorizeEc2(caller: Caller, action: string, resources: Ec2Resource[], region: string, keys: 'sar' | 'resource-type'): Promise<void> {
  for (const resource of resources) {
    const { decision, context } = await ec2Decision(caller, action, resource, region, keys);
    if (decision === 'Allowed') continue;
    const encoded = encodeAuthorizationMessage({
      allowed: false,
      explicitDeny: decision === 'ExplicitlyDenied',
      action,
      resource: resource.arn,
      principal: { id: caller.userId, arn: caller.arn },
      conditions: { ...principalContext(caller, region), ...context },
    });
    throw awsError(
      'UnauthorizedOperation',
      `You are not authorized to perform this operation. ${deniedText(caller, action, resource.arn, decision)}. Encoded authorization failure message: ${encoded}`,
      403,
    );
  }
}

/** The decision on one EC2 resource (e.g. for DeregisterImage's snapshot deletions, which report rather than fail). */
export async function ec2Decision(
  caller: Caller,
  action: string,
  resource: Ec2Resource,
  region: string,
  keys: 'sar' | 'resource-type',
): Promise<{ decision: Decision; context: Record<string, string | string[]> }> {
  const context = { ...ec2RequestContext(action.slice('ec2:'.length), resource, keys), 'ec2:Region': region };
  return { decision: await identityDecision(caller, action, resource.arn, region, context), context };
}

/** SSM, IAM and STS: AccessDenied(Exception) naming the action. */
export async function authorizeApi(
  caller: Caller,
  action: string,
  resource: string,
  region: string,
  code: 'AccessDenied' | 'AccessDeniedException',
): Promise<void> {
  const decision = await identityDecision(caller, action, resource, region);
  if (decision !== 'Allowed') throw accessDenied(code, deniedText(caller, action, resource, decision));
}

export function accessDenied(code: string, message: string): AwsError {
  return awsError(code, message, code === 'AccessDeniedException' ? 400 : 403);
}
