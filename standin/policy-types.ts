/** IAM policy documents as JSON values (identity policies, trust policies, key policies). */
export type PolicyValue = string | string[];

export type PolicyPrincipal = '*' | { AWS?: PolicyValue; Service?: PolicyValue; Federated?: PolicyValue };

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PolicyPrincipal;
  NotPrincipal?: PolicyPrincipal;
  Action?: PolicyValue;
  NotAction?: PolicyValue;
  Resource?: PolicyValue;
  NotResource?: PolicyValue;
  Condition?: Record<string, Record<string, PolicyValue | boolean>>;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export function statements(policy: PolicyDocument): PolicyStatement[] {
  return Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
}

export function toList(value: PolicyValue | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function policyOf(...statementList: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statementList };
}

export function allow(action: PolicyValue, resource: PolicyValue = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement {
  return { Effect: 'Allow', Action: action, Resource: resource, ...extra };
}

export function deny(action: PolicyValue, resource: PolicyValue = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement {
  return { Effect: 'Deny', Action: action, Resource: resource, ...extra };
}

export const ADMINISTRATOR_ACCESS: PolicyDocument = policyOf(allow('*'));

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_ISSUER = `https://${GITHUB_OIDC_HOST}`;

/**
 * A trust-policy statement letting an IAM principal (a role or user ARN, or an account's root) assume the role with
 * sts:AssumeRole: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
export function assumeRoleTrust(principalArn: string): PolicyStatement {
  return { Effect: 'Allow', Principal: { AWS: principalArn }, Action: 'sts:AssumeRole' };
}

/** A trust policy letting GitHub Actions OIDC tokens for `subjectPattern` assume the role. */
export function githubOidcTrust(accountId: string, subjectPattern: string, audience = 'sts.amazonaws.com'): PolicyDocument {
  return policyOf({
    Effect: 'Allow',
    Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: audience },
      StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: subjectPattern },
    },
  });
}

/** The key policy KMS gives a new customer-managed key: the account root may do everything. */
export function rootKeyPolicy(accountId: string): PolicyDocument {
  return policyOf({
    Sid: 'Enable IAM User Permissions',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${accountId}:root` },
    Action: 'kms:*',
    Resource: '*',
  });
}

export const KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
export const KEY_GRANT_ACTIONS = ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'];

/** Key-policy statements letting `principal` use the key and let AWS services (EC2) attach grants. */
export function keyUseStatements(principal: PolicyValue, sidPrefix = 'Allow'): PolicyStatement[] {
  return [
    { Sid: `${sidPrefix}UseOfTheKey`, Effect: 'Allow', Principal: { AWS: principal }, Action: KEY_USE_ACTIONS, Resource: '*' },
    {
      Sid: `${sidPrefix}AttachmentOfPersistentResources`,
      Effect: 'Allow',
      Principal: { AWS: principal },
      Action: KEY_GRANT_ACTIONS,
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ];
}

/** The policy of an AWS-managed key such as aws/ebs: usable only through `service` by its own account. */
export function awsManagedKeyPolicy(accountId: string, region: string, service = 'ec2'): PolicyDocument {
  return {
    Version: '2012-10-17',
    Id: `auto-${service}-2`,
    Statement: [
      {
        Sid: `Allow access through ${service.toUpperCase()} for all principals in the account that are authorized to use ${service.toUpperCase()}`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com`, 'kms:CallerAccount': accountId },
        },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  };
}
