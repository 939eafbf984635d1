import type { PolicyDocument, PolicyStatement } from '../../../src/policy/policy-document.js';

export const SOURCE_ACCOUNT = '111111111111';
export const TARGET_ACCOUNT = '222222222222';
export const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const OTHER_KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/0000aaaa-12ab-34cd-56ef-1234567890ab';
export const SOURCE_ROLE = 'arn:aws:iam::111111111111:role/ami-promotion-source';
export const TARGET_ROLE = 'arn:aws:iam::222222222222:role/ami-promotion-target';
export const TARGET_ROOT = 'arn:aws:iam::222222222222:root';
export const SOURCE_ROOT = 'arn:aws:iam::111111111111:root';

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
