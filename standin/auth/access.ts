/** Identity-policy checks for API calls (EC2, SSM, IAM, STS) and the errors each service answers with. */
import { awsError, type AwsError } from '../errors.js';
import { encodeAuthorizationMessage } from './authorization-message.js';
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

/** EC2: UnauthorizedOperation with an encoded authorization message. */
export async function authorizeEc2(caller: Caller, action: string, resource: string, region: string): Promise<void> {
  const decision = await identityDecision(caller, action, resource, region);
  if (decision === 'Allowed') return;
  const encoded = encodeAuthorizationMessage({
    allowed: false,
    explicitDeny: decision === 'ExplicitlyDenied',
    action,
    resource,
    principal: { id: caller.userId, arn: caller.arn },
    conditions: principalContext(caller, region),
  });
  throw awsError(
    'UnauthorizedOperation',
    `You are not authorized to perform this operation. ${deniedText(caller, action, resource, decision)}. Encoded authorization failure message: ${encoded}`,
    403,
  );
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
