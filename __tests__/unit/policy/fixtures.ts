import type { PolicyDocument, PolicyStatement } from '../../../src/policy/policy-document.js';
import { SOURCE_ROOT, TARGET_ROLE } from '../../support/accounts.js';

export { KEY_ARN, OTHER_KEY_ARN, SOURCE_ACCOUNT, SOURCE_ROLE, SOURCE_ROOT, TARGET_ACCOUNT, TARGET_ROLE, TARGET_ROOT } from '../../support/accounts.js';

export function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** Seed 000's key policy with its placeholders replaced: account A = source, role B = the target role. */
export const SEED_000_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Id: 'key-consolepolicy-3',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: SOURCE_ROOT },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'Allow access for Key Administrators',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:role/key-admin' },
      Action: [
        'kms:Create*',
        'kms:Describe*',
        'kms:Enable*',
        'kms:List*',
        'kms:Put*',
        'kms:Update*',
        'kms:Revoke*',
        'kms:Disable*',
        'kms:Get*',
        'kms:Delete*',
        'kms:TagResource',
        'kms:UntagResource',
        'kms:ScheduleKeyDeletion',
        'kms:CancelKeyDeletion',
        'kms:RotateKeyOnDemand',
      ],
      Resource: '*',
    },
    {
      Sid: 'Allow use of the key',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::111111111111:role/ami-builder', TARGET_ROLE] },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    },
    {
      Sid: 'Allow attachment of persistent resources',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::111111111111:role/ami-builder', TARGET_ROLE] },
      Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ],
};

/** The statement a key created in the console starts with: the account's IAM policies decide. */
export const ACCOUNT_ROOT_ONLY = (account: string): PolicyDocument =>
  policy({ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' });
