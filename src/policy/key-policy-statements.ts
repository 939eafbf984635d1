import { accountRootArn } from '../aws/arn.js';
import { EBS_GRANT, EBS_KEY_USE, GRANT_FOR_AWS_RESOURCE, sortedActions } from './actions.js';
import type { ConditionBlock, PolicyStatement, PrincipalBlock } from './policy-document.js';
import type { Recipient } from './recipients.js';

export function autoScalingServiceLinkedRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
}

/** Statement ids carry the target account so that several target accounts can share one key. */
export function targetRoleKeyStatements(targetRoleArn: string, targetAccountId: string): [PolicyStatement, PolicyStatement] {
  return [
    {
      Sid: `AllowUseOfTheKeyForAmiPromotion${targetAccountId}`,
      Effect: 'Allow',
      Principal: { AWS: targetRoleArn },
      Action: sortedActions(EBS_KEY_USE),
      Resource: '*',
    },
    {
      Sid: `AllowAttachmentOfPersistentResourcesForAmiPromotion${targetAccountId}`,
      Effect: 'Allow',
      Principal: { AWS: targetRoleArn },
      Action: [EBS_GRANT.action],
      Resource: '*',
      Condition: GRANT_FOR_AWS_RESOURCE,
    },
  ];
}

const KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/** Auto Scaling's key-policy statements when the key is in the Auto Scaling group's own account (seed 003, example 1). */
export function autoScalingKeyStatements(partition: string, accountId: string): [PolicyStatement, PolicyStatement] {
  const role = autoScalingServiceLinkedRoleArn(partition, accountId);
  return [
    {
      Sid: 'AllowServiceLinkedRoleUseOfTheCustomerManagedKey',
      Effect: 'Allow',
      Principal: { AWS: role },
      Action: KEY_USE_ACTIONS,
      Resource: '*',
    },
    {
      Sid: 'AllowServiceLinkedRoleAttachmentOfPersistentResources',
      Effect: 'Allow',
      Principal: { AWS: role },
      Action: ['kms:CreateGrant'],
      Resource: '*',
      Condition: GRANT_FOR_AWS_RESOURCE,
    },
  ];
}

/**
 * Auto Scaling's key-policy statements when the key is in another account (seed 003, example 2): the
 * key policy allows the account, which then creates a grant for its service-linked role itself.
 */
export function autoScalingExternalAccountKeyStatements(partition: string, accountId: string): [PolicyStatement, PolicyStatement] {
  const root = accountRootArn(partition, accountId);
  return [
    {
      Sid: `AllowExternalAccount${accountId}UseOfTheCustomerManagedKey`,
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: KEY_USE_ACTIONS,
      Resource: '*',
    },
    {
      Sid: `AllowAttachmentOfPersistentResourcesInExternalAccount${accountId}`,
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: ['kms:CreateGrant'],
      Resource: '*',
    },
  ];
}

/**
 * aws:PrincipalOrgPaths pattern of every account in an OU or below it, wherever the OU sits in the organization: the
 * paths are o-ORG/r-ROOT/ou-…/…/, one OU ID per level.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
 */
export function ouPathPattern(organizationId: string, ouId: string): string {
  return `${organizationId}/*/${ouId}/*`;
}

/**
 * Who a recipient's statements name: an account by its root (its IAM policies decide who in it may use the key); an
 * organization or OU as every principal ("*") whose account is in it (aws:PrincipalOrgID, aws:PrincipalOrgPaths).
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html
 */
function recipientScope(recipient: Recipient, partition: string): { principal: PrincipalBlock; condition: ConditionBlock; name: string } {
  if (recipient.kind === 'account') return { principal: { AWS: accountRootArn(partition, recipient.accountId) }, condition: {}, name: recipient.accountId };
  const organization = { StringEquals: { 'aws:PrincipalOrgID': recipient.organizationId } };
  if (recipient.kind === 'organization') return { principal: '*', condition: organization, name: recipient.organizationId };
  return {
    principal: '*',
    condition: { ...organization, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ouPathPattern(recipient.organizationId, recipient.ouId) } },
    name: recipient.ouId,
  };
}

/**
 * The target key-policy statements that let a recipient of the shared AMI launch it: EBS's key use, and grants for
 * the volumes EC2 creates. Statement ids carry the recipient (letters and digits only).
 */
export function recipientKeyStatements(recipient: Recipient, partition: string): [PolicyStatement, PolicyStatement] {
  const { principal, condition, name } = recipientScope(recipient, partition);
  const id = name.replace(/[^A-Za-z0-9]/g, '');
  const scoped = Object.keys(condition).length > 0 ? { Condition: condition } : {};
  return [
    { Sid: `AllowLaunchOfTheSharedAmiBy${id}`, Effect: 'Allow', Principal: principal, Action: sortedActions(EBS_KEY_USE), Resource: '*', ...scoped },
    {
      Sid: `AllowAttachmentOfPersistentResourcesForTheSharedAmiBy${id}`,
      Effect: 'Allow',
      Principal: principal,
      Action: [EBS_GRANT.action],
      Resource: '*',
      Condition: { ...condition, ...GRANT_FOR_AWS_RESOURCE },
    },
  ];
}
