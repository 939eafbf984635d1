import { parseKmsArn, parseRoleArn, type KmsKeyArn } from '../aws/arn.js';
import { evaluateKeyPolicy, type ContextValue, type KeyPolicyEvaluation } from './evaluate.js';
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

interface RequiredAction {
  action: string;
  context: Record<string, ContextValue>;
  /** Position, in the statements to add, of the statement that allows the action. */
  grantedBy: number;
}

interface Check {
  policy: string | object;
  principalArn: string;
  principalAccount: string;
  keyArn: string;
  required: RequiredAction[];
  /** Whether a statement naming only the principal's account is enough. */
  accountIsEnough: boolean;
  statements: PolicyStatement[];
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

function runCheck(check: Check): KeyAccessReport {
  const results = check.required.map(({ action, context, grantedBy }) => {
    const evaluation = evaluateKeyPolicy(check.policy, {
      principalArn: check.principalArn,
      principalAccount: check.principalAccount,
      action,
      resourceArn: check.keyArn,
      context,
    });
    return { grantedBy, access: { action, status: status(evaluation, check.accountIsEnough), evaluation } };
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

const ec2Via = (region: string) => ({ 'kms:ViaService': `ec2.${region}.amazonaws.com` });

export interface TargetCopyAccessOptions {
  keyArn: string;
  roleArn: string;
  /** Region whose EC2 copies the AMI; EC2 calls KMS on the role's behalf from there. */
  region: string;
}

/**
 * Whether the key policy lets the target role copy AMIs encrypted under the key across accounts:
 * EC2, on the role's behalf, describes the key, decrypts and re-encrypts from it, and creates grants
 * for the copied snapshots.
 */
export function checkTargetCopyAccess(policy: string | object, { keyArn, roleArn, region }: TargetCopyAccessOptions): KeyAccessReport {
  const role = parseRoleArn(roleArn);
  if (typeof role === 'string') throw new TypeError(`${roleArn} is not a role ARN: ${role}.`);
  const via = ec2Via(region);
  return runCheck({
    policy,
    principalArn: roleArn,
    principalAccount: role.accountId,
    keyArn,
    required: [
      { action: 'kms:DescribeKey', context: via, grantedBy: 0 },
      { action: 'kms:Decrypt', context: via, grantedBy: 0 },
      { action: 'kms:ReEncryptFrom', context: via, grantedBy: 0 },
      { action: 'kms:CreateGrant', context: { ...via, 'kms:GrantIsForAWSResource': true }, grantedBy: 1 },
    ],
    accountIsEnough: true,
    statements: targetRoleKeyStatements(roleArn, role.accountId),
  });
}

export interface ServiceLinkedRoleAccessOptions {
  keyArn: string;
  /** The account of the Auto Scaling groups. */
  accountId: string;
  partition: string;
}

const SERVICE_LINKED_ROLE_USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'];

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
      ...SERVICE_LINKED_ROLE_USE.map((action) => ({ action, context: via, grantedBy: 0 })),
      { action: 'kms:CreateGrant', context: crossAccount ? {} : { ...via, 'kms:GrantIsForAWSResource': true }, grantedBy: 1 },
    ],
    accountIsEnough: crossAccount,
    statements: crossAccount ? autoScalingExternalAccountKeyStatements(partition, accountId) : autoScalingKeyStatements(partition, accountId),
  });
  return { ...report, grantRequired: crossAccount };
}
