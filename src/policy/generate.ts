import type { AutoscalingAccessMode, KeyAccessMode } from '../domain/types.js';
import { autoScalingKeyStatements, autoScalingServiceLinkedRoleArn, targetRoleKeyStatements } from './key-policy-statements.js';
import type { PolicyDocument, PolicyStatement } from './policy-document.js';

export interface PolicyInputs {
  partition: string;
  sourceAccountId: string;
  targetAccountId: string;
  sourceRegion: string;
  targetRegions: string[];
  /** The resolved key ARN of the customer-managed key the AMI is shared under. */
  kmsKeyArn: string;
  /** Not needed by any policy: the source IAM policy goes on this role, or on the environment's credentials. */
  sourceRoleArn?: string;
  targetRoleArn: string;
  /** Target region → key ARN; undefined (or no entry) for the target account's default aws/ebs key. */
  targetKeyArns: Record<string, string | undefined>;
  /** Customer-managed keys, other than kmsKeyArn, of the source AMI's snapshots. */
  extraSourceKeyArns: string[];
  keyAccess: KeyAccessMode;
  autoscalingAccess: AutoscalingAccessMode;
  ssmParameter?: string;
  /** owner/name of the repository allowed to assume the target role; OWNER/REPO when unknown. */
  repository?: string;
  audience: string;
}

export interface GeneratedPolicies {
  sourceRoleIamPolicy: PolicyDocument;
  /** For the key policy of kmsKeyArn. */
  keyPolicyStatements: PolicyStatement[];
  targetRoleIamPolicy: PolicyDocument;
  targetTrustPolicy: PolicyDocument;
  /** For the key policy of each customer-managed target key; empty when every target uses aws/ebs. */
  autoscalingKeyStatements: PolicyStatement[];
}

const SOURCE_EC2_ACTIONS = [
  'ec2:CopyImage',
  'ec2:CreateTags',
  'ec2:DeleteSnapshot',
  'ec2:DeregisterImage',
  'ec2:DescribeImageAttribute',
  'ec2:DescribeImages',
  'ec2:DescribeSnapshotAttribute',
  'ec2:DescribeSnapshots',
  'ec2:GetEbsDefaultKmsKeyId',
  'ec2:ModifyImageAttribute',
  'ec2:ModifySnapshotAttribute',
];

const TARGET_EC2_ACTIONS = [
  'ec2:CopyImage',
  'ec2:CreateTags',
  'ec2:DeleteSnapshot',
  'ec2:DeregisterImage',
  'ec2:DescribeImages',
  'ec2:DescribeSnapshots',
  'ec2:EnableImageDeprecation',
  'ec2:EnableImageDeregistrationProtection',
  'ec2:GetEbsDefaultKmsKeyId',
];

const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
const FOR_AWS_RESOURCE = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };

function oneOrMany(list: string[]): string | string[] {
  return list.length === 1 ? (list[0] as string) : list;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function ebsGrantStatement(keyArns: string[]): PolicyStatement {
  return { Sid: 'LetEc2CreateGrantsOnTheKeys', Effect: 'Allow', Action: 'kms:CreateGrant', Resource: oneOrMany(keyArns), Condition: FOR_AWS_RESOURCE };
}

function sourceRoleIamPolicy(inputs: PolicyInputs, extraKeys: string[]): PolicyDocument {
  const keyActions = [
    'kms:Decrypt',
    'kms:DescribeKey',
    'kms:Encrypt',
    'kms:GenerateDataKey*',
    'kms:GetKeyPolicy',
    'kms:ListGrants',
    ...(inputs.keyAccess === 'key-policy' ? ['kms:PutKeyPolicy'] : []),
    'kms:ReEncrypt*',
    'kms:RetireGrant',
    'kms:RevokeGrant',
  ];
  const statements: PolicyStatement[] = [
    {
      Sid: 'ReadReencryptAndShareTheAmi',
      Effect: 'Allow',
      Action: SOURCE_EC2_ACTIONS,
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': inputs.sourceRegion } },
    },
    { Sid: 'UseAndManageTheSharedKey', Effect: 'Allow', Action: keyActions, Resource: inputs.kmsKeyArn },
  ];
  if (extraKeys.length > 0) {
    statements.push({
      Sid: 'ReadTheSourceSnapshotKeys',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncryptFrom'],
      Resource: oneOrMany(extraKeys),
    });
  }
  statements.push(ebsGrantStatement([inputs.kmsKeyArn, ...extraKeys]));
  if (inputs.keyAccess === 'grant') {
    statements.push({
      Sid: 'GrantTheTargetRoleUseOfTheSharedKey',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: inputs.kmsKeyArn,
      Condition: { StringEquals: { 'kms:GranteePrincipal': inputs.targetRoleArn } },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

function parameterArn(inputs: PolicyInputs, region: string, name: string): string {
  return `arn:${inputs.partition}:ssm:${region}:${inputs.targetAccountId}:parameter/${name.replace(/^\//, '')}`;
}

function sourceKeyUseStatement(keyArn: string): PolicyStatement {
  return { Sid: 'UseTheSharedSourceKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'], Resource: keyArn };
}

/** What the target role's own IAM policy needs for the source key alone (named in refusals of a missing one). */
export function targetRoleSourceKeyStatements(keyArn: string): PolicyStatement[] {
  return [sourceKeyUseStatement(keyArn), ebsGrantStatement([keyArn])];
}

function targetRoleIamPolicy(inputs: PolicyInputs, targetKeys: string[]): PolicyDocument {
  const statements: PolicyStatement[] = [sourceKeyUseStatement(inputs.kmsKeyArn)];
  if (targetKeys.length > 0) {
    statements.push({
      Sid: 'UseTheTargetKeys',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
      Resource: oneOrMany(targetKeys),
    });
  }
  statements.push(
    ebsGrantStatement([inputs.kmsKeyArn, ...targetKeys]),
    { Sid: 'ResolveKeyAliases', Effect: 'Allow', Action: 'kms:ListAliases', Resource: '*' },
    { Sid: 'CopyTheAmi', Effect: 'Allow', Action: TARGET_EC2_ACTIONS, Resource: '*' },
  );
  if (targetKeys.length > 0 && inputs.autoscalingAccess !== 'off') {
    statements.push({ Sid: 'CheckAutoScalingAccessToTheTargetKeys', Effect: 'Allow', Action: ['kms:GetKeyPolicy', 'kms:ListGrants'], Resource: oneOrMany(targetKeys) });
  }
  if (targetKeys.length > 0 && inputs.autoscalingAccess === 'grant') {
    statements.push({
      Sid: 'GrantAutoScalingUseOfTheTargetKeys',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: oneOrMany(targetKeys),
      Condition: { StringEquals: { 'kms:GranteePrincipal': autoScalingServiceLinkedRoleArn(inputs.partition, inputs.targetAccountId) } },
    });
  }
  const { ssmParameter } = inputs;
  if (ssmParameter !== undefined) {
    statements.push({
      Sid: 'PublishThePromotedAmiId',
      Effect: 'Allow',
      Action: 'ssm:PutParameter',
      Resource: oneOrMany(inputs.targetRegions.map((region) => parameterArn(inputs, region, ssmParameter))),
    });
  }
  statements.push({ Sid: 'CheckOwnPermissionsInDryRun', Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: inputs.targetRoleArn });
  return { Version: '2012-10-17', Statement: statements };
}

function targetTrustPolicy(inputs: PolicyInputs): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GitHubActionsOidc',
        Effect: 'Allow',
        Principal: { Federated: `arn:${inputs.partition}:iam::${inputs.targetAccountId}:oidc-provider/${GITHUB_OIDC_HOST}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: inputs.audience },
          StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: `repo:${inputs.repository ?? 'OWNER/REPO'}:*` },
        },
      },
    ],
  };
}

/** The IAM policies, trust policy and key-policy statements a promotion needs, with the real ARNs, in a stable order. */
export function generatePolicies(inputs: PolicyInputs): GeneratedPolicies {
  const extraKeys = unique(inputs.extraSourceKeyArns.filter((arn) => arn !== inputs.kmsKeyArn)).sort();
  const targetKeys = unique(inputs.targetRegions.flatMap((region) => inputs.targetKeyArns[region] ?? []));
  return {
    sourceRoleIamPolicy: sourceRoleIamPolicy(inputs, extraKeys),
    keyPolicyStatements: targetRoleKeyStatements(inputs.targetRoleArn, inputs.targetAccountId),
    targetRoleIamPolicy: targetRoleIamPolicy(inputs, targetKeys),
    targetTrustPolicy: targetTrustPolicy(inputs),
    autoscalingKeyStatements: targetKeys.length > 0 ? autoScalingKeyStatements(inputs.partition, inputs.targetAccountId) : [],
  };
}
