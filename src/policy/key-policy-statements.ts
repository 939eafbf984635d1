import { accountRootArn } from '../aws/arn.js';
import { EBS_GRANT, EBS_KEY_USE, GRANT_FOR_AWS_RESOURCE, sortedActions } from './actions.js';
import type { PolicyStatement } from './policy-document.js';

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
