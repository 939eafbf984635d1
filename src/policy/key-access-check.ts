import { parseKmsArn, parseRoleArn, type KmsKeyArn } from '../aws/arn.js';
import { AUTOSCALING_KEY_USE, COPY_READ_KEY, EBS_GRANT, ec2ViaService, type Need } from './actions.js';
import { evaluateKeyPolicy, type Assumptions, type ContextValue, type KeyPolicyEvaluation, type KeyRequest } from './evaluate.js';
import {
  autoScalingExternalAccountKeyStatements,
  autoScalingKeyStatements,
  autoScalingServiceLinkedRoleArn,
  targetRoleKeyStatements,
} from './key-policy-statements.js';
import type { PolicyStatement } from './policy-document.js';

export type ActionStatus = 'ok' | 'missing' | 'explicit-deny' | 'unknown';

export interface ActionAccess {
  action: string;
  status: ActionStatus;
  evaluation: KeyPolicyEvaluation;
}

export interface KeyAccessReport {
  principalArn: string;
  /** Every action is ok. */
  ok: boolean;
  actions: ActionAccess[];
  /** Some action is allowed only together with the principal's own IAM policy. */
  needsIdentityPolicy: boolean;
  /** Key-policy statements that would allow the missing actions, with the real ARNs; empty when nothing is missing. */
  statementsToAdd: PolicyStatement[];
}

export interface ServiceLinkedRoleAccessReport extends KeyAccessReport {
  /** The key is in another account: that account must also create a grant for its service-linked role. */
  grantRequired: boolean;
}

export interface RequiredAction {
  action: string;
  context: Record<string, ContextValue>;
  /** Position, in the statements to add, of the statement that allows the action. */
  grantedBy: number;
}

/** Another kms:ViaService value the calls may carry instead, where AWS does not document which one. */
interface OtherVia {
  value: string;
  reason: string;
}

export interface Check {
  policy: string | object;
  principalArn: string;
  principalAccount: string;
  keyArn: string;
  required: RequiredAction[];
  /** Whether a statement naming only the principal's account is enough. */
  accountIsEnough: boolean;
  statements: PolicyStatement[];
  unknownKeys?: Record<string, string>;
  assumptions?: Assumptions;
  otherVia?: OtherVia;
}

function status(evaluation: KeyPolicyEvaluation, accountIsEnough: boolean): ActionStatus {
  switch (evaluation.decision) {
    case 'allow':
      return accountIsEnough || evaluation.allowedBy === 'principal' ? 'ok' : 'missing';
    case 'implicit-deny':
      return 'missing';
    default:
      return evaluation.decision;
  }
}

/** Unknown when the two possible requests are decided differently. */
function eitherOf(first: KeyPolicyEvaluation, second: KeyPolicyEvaluation, reason: string): KeyPolicyEvaluation {
  if (first.decision === second.decision) return first;
  return {
    decision: 'unknown',
    needsIdentityPolicy: false,
    statements: [...new Set([...first.statements, ...second.statements])],
    unknownReasons: [reason],
    conditions: [...first.conditions, ...second.conditions],
  };
}

function evaluateRequired(check: Check, { action, context }: RequiredAction): KeyPolicyEvaluation {
  const request: KeyRequest = {
    principalArn: check.principalArn,
    principalAccount: check.principalAccount,
    action,
    resourceArn: check.keyArn,
    context,
    unknownKeys: check.unknownKeys,
    assumptions: check.assumptions,
  };
  const evaluation = evaluateKeyPolicy(check.policy, request);
  if (!check.otherVia || context['kms:ViaService'] === undefined) return evaluation;
  const other = evaluateKeyPolicy(check.policy, { ...request, context: { ...context, 'kms:ViaService': check.otherVia.value } });
  return eitherOf(evaluation, other, check.otherVia.reason);
}

export function runCheck(check: Check): KeyAccessReport {
  const results = check.required.map((required) => {
    const evaluation = evaluateRequired(check, required);
    return { grantedBy: required.grantedBy, access: { action: required.action, status: status(evaluation, check.accountIsEnough), evaluation } };
  });
  const missing = new Set(results.filter(({ access }) => access.status === 'missing').map(({ grantedBy }) => grantedBy));
  const actions = results.map(({ access }) => access);
  return {
    principalArn: check.principalArn,
    ok: actions.every((access) => access.status === 'ok'),
    actions,
    needsIdentityPolicy: actions.some((access) => access.status === 'ok' && access.evaluation.needsIdentityPolicy),
    statementsToAdd: check.statements.filter((_, index) => missing.has(index)),
  };
}

function parseKeyArn(keyArn: string): KmsKeyArn {
  const key = parseKmsArn(keyArn);
  if (typeof key === 'string') throw new TypeError(`${keyArn} is not a KMS key ARN: ${key}.`);
  return key;
}

const ec2Via = (region: string) => ({ 'kms:ViaService': ec2ViaService(region) });

function parseTargetRole(roleArn: string) {
  const role = parseRoleArn(roleArn);
  if (typeof role === 'string') throw new TypeError(`${roleArn} is not a role ARN: ${role}.`);
  return role;
}

/**
 * What the source account cannot know about a role of another account: its organization
 * (aws:PrincipalOrgID, aws:PrincipalOrgPaths are in the request only when the account belongs to one).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
 */
export function organizationUnknowns(accountId: string): Record<string, string> {
  return {
    'aws:PrincipalOrgID': `the organization of account ${accountId} cannot be read from the source account`,
    'aws:PrincipalOrgPaths': `the organizational units of account ${accountId} cannot be read from the source account`,
  };
}

/**
 * For a copy into another region than the key's, AWS does not document which EC2 endpoint calls the source
 * key (kms:ViaService): the key's region (as AWS's own aws/ebs policies, which allow only their own region's
 * EC2, suggest) or the copy's. Both are evaluated; a key policy that decides them differently is unknown.
 */
function otherViaFor(keyRegion: string, copyRegion: string): OtherVia | undefined {
  if (keyRegion === copyRegion) return undefined;
  const [key, copy] = [ec2ViaService(keyRegion), ec2ViaService(copyRegion)];
  return {
    value: key,
    reason: `kms:ViaService: for a copy into ${copyRegion} of snapshots under a key in ${keyRegion}, AWS does not document whether EC2 calls the key as ${key} or ${copy}, and the key policy allows only one of them`,
  };
}

/**
 * EC2's calls on a principal's behalf for EBS, with their context: CreateGrant for an AWS resource. The first
 * statement of the matching statement pair (targetRoleKeyStatements, recipientKeyStatements) allows the key use, the
 * second EC2's grants.
 */
export function ebsRequests(needs: readonly Need[], via: Record<string, ContextValue>): RequiredAction[] {
  return needs.map((need) =>
    need === EBS_GRANT ? { action: need.action, context: { ...via, 'kms:GrantIsForAWSResource': true }, grantedBy: 1 } : { action: need.action, context: via, grantedBy: 0 },
  );
}

export interface TargetCopyAccessOptions {
  keyArn: string;
  roleArn: string;
  /** Region whose EC2 copies the AMI; EC2 calls KMS on the role's behalf from there. */
  region: string;
  assumptions?: Assumptions;
}

/**
 * Whether the key policy lets the target role copy AMIs encrypted under the key across accounts:
 * EC2, on the role's behalf, describes the key, decrypts and re-encrypts from it, and creates grants
 * for the copied snapshots. Those calls carry kms:ViaService (EC2's endpoint) and kms:CallerAccount (the
 * role's account); the role's organization is unknown.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
 */
export function checkTargetCopyAccess(policy: string | object, { keyArn, roleArn, region, assumptions }: TargetCopyAccessOptions): KeyAccessReport {
  const role = parseTargetRole(roleArn);
  const via = ec2Via(region);
  return runCheck({
    policy,
    principalArn: roleArn,
    principalAccount: role.accountId,
    keyArn,
    unknownKeys: organizationUnknowns(role.accountId),
    assumptions,
    otherVia: otherViaFor(parseKeyArn(keyArn).region, region),
    required: ebsRequests(COPY_READ_KEY, via),
    accountIsEnough: true,
    statements: targetRoleKeyStatements(roleArn, role.accountId),
  });
}

/**
 * The key policy's decision for a DescribeKey the target role makes itself (the preflight's probe): a
 * direct call carries no kms:ViaService.
 */
export function checkDirectDescribeKey(policy: string | object, { keyArn, roleArn, assumptions }: Omit<TargetCopyAccessOptions, 'region'>): KeyPolicyEvaluation {
  const role = parseTargetRole(roleArn);
  return evaluateKeyPolicy(policy, {
    principalArn: roleArn,
    principalAccount: role.accountId,
    action: 'kms:DescribeKey',
    resourceArn: keyArn,
    unknownKeys: organizationUnknowns(role.accountId),
    assumptions,
  });
}

export interface ServiceLinkedRoleAccessOptions {
  keyArn: string;
  /** The account of the Auto Scaling groups. */
  accountId: string;
  partition: string;
}

/**
 * Whether Auto Scaling can launch instances with volumes encrypted under the key (seed 003). In the
 * key's own account the key policy must name the service-linked role, whose IAM policy cannot be
 * changed; from another account the key policy allows that account, which creates a grant for its
 * service-linked role with a direct (not AWS-resource) CreateGrant call.
 */
export function checkServiceLinkedRoleAccess(
  policy: string | object,
  { keyArn, accountId, partition }: ServiceLinkedRoleAccessOptions,
): ServiceLinkedRoleAccessReport {
  const key = parseKeyArn(keyArn);
  const crossAccount = key.accountId !== accountId;
  const via = ec2Via(key.region);
  const report = runCheck({
    policy,
    principalArn: autoScalingServiceLinkedRoleArn(partition, accountId),
    principalAccount: accountId,
    keyArn,
    required: [
      ...AUTOSCALING_KEY_USE.map((action) => ({ action, context: via, grantedBy: 0 })),
      { action: 'kms:CreateGrant', context: crossAccount ? {} : { ...via, 'kms:GrantIsForAWSResource': true }, grantedBy: 1 },
    ],
    accountIsEnough: crossAccount,
    statements: crossAccount ? autoScalingExternalAccountKeyStatements(partition, accountId) : autoScalingKeyStatements(partition, accountId),
  });
  return { ...report, grantRequired: crossAccount };
}
