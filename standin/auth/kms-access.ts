/**
 * Who may use a KMS key: the key policy and the caller's IAM policies (evaluated together by
 * iam-simulate, which applies KMS's same- and cross-account rules), then grants. An explicit deny wins.
 */
import type { KeyState, WorldState } from '../state.js';
import { principalContext } from './access.js';
import { findGrant } from './grants.js';
import type { Caller } from './identity.js';
import { evaluate, type Decision } from './policies.js';

export interface KmsAccessSettings {
  grantPropagationMs: number;
  /** Whether, for EC2's calls during a cross-account copy, a grant alone (no key-policy statement) suffices. */
  grantSufficesForCrossAccountCopy: boolean;
}

export interface KeyUseRequest {
  caller: Caller;
  key: KeyState;
  /** For example kms:Decrypt. */
  action: string;
  /** Set for the calls EC2 makes on the caller's behalf: the region of the EC2 endpoint. */
  viaEc2Region?: string;
  grantTokens?: string[];
  context?: Record<string, string | string[]>;
}

export interface KeyUseResult {
  allowed: boolean;
  decision: Decision;
  by?: 'policy' | 'grant';
  grantId?: string;
}

const GRANT_ACTIONS = new Set(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']);

/**
 * The condition keys of a KMS request: the caller's global keys (organization included when it has one),
 * kms:CallerAccount (the caller's account), and for EC2's calls on the caller's behalf kms:ViaService (EC2's
 * endpoint) and, on grant operations, kms:GrantIsForAWSResource = true. A direct call carries no kms:ViaService.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
 */
export function kmsContext(request: KeyUseRequest): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {
    ...principalContext(request.caller, request.key.region),
    'kms:CallerAccount': request.caller.accountId,
    ...request.context,
  };
  if (request.viaEc2Region) context['kms:ViaService'] = `ec2.${request.viaEc2Region}.amazonaws.com`;
  if (GRANT_ACTIONS.has(request.action)) context['kms:GrantIsForAWSResource'] = request.viaEc2Region ? 'true' : 'false';
  return context;
}

export async function authorizeKeyUse(state: WorldState, settings: KmsAccessSettings, request: KeyUseRequest): Promise<KeyUseResult> {
  const { caller, key, action } = request;
  const decision = await evaluate({
    principal: caller.arn,
    action,
    resource: key.arn,
    resourceAccount: key.accountId,
    identityPolicies: caller.policies,
    resourcePolicy: key.policy,
    context: kmsContext(request),
  });
  if (decision === 'Allowed') return { allowed: true, decision, by: 'policy' };
  if (decision === 'ExplicitlyDenied') return { allowed: false, decision };
  const crossAccountCopy = request.viaEc2Region !== undefined && caller.accountId !== key.accountId;
  if (crossAccountCopy && !settings.grantSufficesForCrossAccountCopy) return { allowed: false, decision };
  const grant = findGrant(state, key, caller, action.slice('kms:'.length), {
    propagationMs: settings.grantPropagationMs,
    grantTokens: request.grantTokens,
  });
  return grant ? { allowed: true, decision, by: 'grant', grantId: grant.grantId } : { allowed: false, decision };
}

export function kmsDeniedMessage(caller: Caller, action: string, key: KeyState, decision: Decision): string {
  const why =
    decision === 'ExplicitlyDenied'
      ? 'with an explicit deny in a resource-based policy'
      : `because no resource-based policy allows the ${action} action`;
  return `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${key.arn} ${why}`;
}
