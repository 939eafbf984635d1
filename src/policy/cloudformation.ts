/**
 * The CloudFormation templates of the two accounts (cloudformation/*.yaml, written by `npm run templates`): the roles
 * with the policies of generatePolicies, made with placeholders (`${Name}`) that become !Sub of the templates'
 * parameters, and the key-policy statements as outputs. Choices the generator makes from its inputs (trust by
 * environment, branch or role chaining; a target key or the default EBS key) are generated both ways and chosen with !If.
 */
import { GITHUB_OIDC_HOST } from '../aws/trust-policy.js';
import { sub, templateYaml } from './cloudformation-yaml.js';
import { generatePolicies, roleTrustPolicy, type PolicyInputs } from './generate.js';
import type { PolicyDocument, PolicyStatement } from './policy-document.js';

const ACCOUNT_ID = { Type: 'String', AllowedPattern: '^\\d{12}$', ConstraintDescription: 'a 12-digit AWS account ID' };
const KEY_ARN_PATTERN = '^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[a-zA-Z0-9-]+$';
const ROLE_NAME = { Type: 'String', AllowedPattern: '^[\\w+=,.@-]{1,64}$' };
const BOOLEAN = { Type: 'String', AllowedValues: ['true', 'false'] };

const PARAMETERS = {
  SourceAccountId: { ...ACCOUNT_ID, Description: 'The source (build) account, which owns the AMIs and the source key.' },
  TargetAccountId: { ...ACCOUNT_ID, Description: 'The target (production) account the AMIs are promoted into.' },
  SourceRegion: { Type: 'String', AllowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d$', Description: 'The region of the source AMIs and of the source key.' },
  SourceKeyArn: { Type: 'String', AllowedPattern: KEY_ARN_PATTERN, Description: 'Key ARN (not an alias) of the customer-managed key the AMIs are shared under (kms-key-arn).' },
  TargetKeyArn: {
    Type: 'String',
    Default: '',
    AllowedPattern: `^$|${KEY_ARN_PATTERN}`,
    Description: "Key ARN of the customer-managed key of the promoted AMIs in this region (target-kms-key); empty for the account's default EBS key.",
  },
  Repository: { Type: 'String', AllowedPattern: '^[\\w.-]+/[\\w.-]+$', Description: 'The GitHub repository (OWNER/REPO) whose workflow runs the action.' },
  Environment: {
    Type: 'String',
    Default: 'production',
    Description: "The GitHub environment whose jobs may assume the role (the token's sub repo:OWNER/REPO:environment:NAME). Ignored when Branch is set.",
  },
  Branch: {
    Type: 'String',
    Default: '',
    Description: 'Instead of Environment, for jobs without an environment: the branch whose jobs may assume the role (sub repo:OWNER/REPO:ref:refs/heads/BRANCH).',
  },
  SourceRoleName: { ...ROLE_NAME, Default: 'ami-promotion-source', Description: 'Name of the source role (source-role-arn).' },
  TargetRoleName: { ...ROLE_NAME, Default: 'ami-promotion-target', Description: 'Name of the target role (target-role-arn).' },
  CreateOidcProvider: {
    ...BOOLEAN,
    Default: 'true',
    Description: `Create the IAM OIDC identity provider ${GITHUB_OIDC_HOST}; false when the account has it already (an account has one per URL).`,
  },
  RoleChaining: {
    ...BOOLEAN,
    Default: 'false',
    Description: 'true for role-chaining: true, where the roles are assumed with sts:AssumeRole from credentials in the environment instead of an OIDC token.',
  },
  ChainingPrincipalArn: {
    Type: 'String',
    Default: '',
    AllowedPattern: '^$|^arn:aws[a-z-]*:iam::\\d{12}:(role|user)/.+$',
    Description: "With RoleChaining: the role or user of the credentials in the environment (an instance profile's role, a CI system's user); empty for the source account, whose IAM policies then decide.",
  },
} as const;

type ParameterName = keyof typeof PARAMETERS;

const CONDITIONS = {
  ShouldCreateOidcProvider: { 'Fn::Equals': [{ Ref: 'CreateOidcProvider' }, 'true'] },
  ScopeToBranch: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Branch' }, ''] }] },
  UseRoleChaining: { 'Fn::Equals': [{ Ref: 'RoleChaining' }, 'true'] },
  HasTargetKey: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'TargetKeyArn' }, ''] }] },
  HasChainingPrincipal: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ChainingPrincipalArn' }, ''] }] },
};

type ConditionName = keyof typeof CONDITIONS;

const AUDIENCE = 'sts.amazonaws.com';
const POLICY_NAME = 'promote-encrypted-ami';
const ROLE_ARN = (account: string, name: string) => `arn:\${AWS::Partition}:iam::${account}:role/\${${name}}`;

/** The generator's inputs with placeholders: the templates serve every release, re-encrypted or shared as it is. */
function placeholderInputs(side: 'source' | 'target'): PolicyInputs {
  const sourceAccountId = side === 'source' ? '${AWS::AccountId}' : '${SourceAccountId}';
  const targetAccountId = side === 'target' ? '${AWS::AccountId}' : '${TargetAccountId}';
  return {
    partition: '${AWS::Partition}',
    sourceAccountId,
    targetAccountId,
    sourceRegion: side === 'source' ? '${AWS::Region}' : '${SourceRegion}',
    targetRegions: ['${AWS::Region}'],
    kmsKeyArn: '${SourceKeyArn}',
    sourceRoleArn: ROLE_ARN(sourceAccountId, 'SourceRoleName'),
    targetRoleArn: ROLE_ARN(targetAccountId, 'TargetRoleName'),
    targetKeyArns: { '${AWS::Region}': '${TargetKeyArn}' },
    extraSourceKeyArns: [],
    keyAccess: 'verify',
    autoscalingAccess: 'check',
    repository: '${Repository}',
    audience: AUDIENCE,
  };
}

const ifThen = (condition: ConditionName, then: unknown, otherwise: unknown) => ({ 'Fn::If': [condition, then, otherwise] });

/** The provider's ARN, from the stack's own provider when it makes one (so that the role waits for it). */
function withProvider(policy: PolicyDocument): unknown {
  const statements = policy.Statement.map((statement) => {
    const federated = statement.Principal !== '*' ? statement.Principal?.Federated : undefined;
    if (typeof federated !== 'string') return sub(statement);
    return { ...(sub(statement) as object), Principal: { Federated: ifThen('ShouldCreateOidcProvider', { Ref: 'GitHubOidcProvider' }, sub(federated)) } };
  });
  return { ...policy, Statement: statements };
}

/** The role's trust: role chaining (from the principal given, else the source account), or the OIDC tokens of the branch, or of the environment. */
function trust(inputs: PolicyInputs, accountId: string): unknown {
  const oidc = (subject: PolicyInputs['subject']) => withProvider(roleTrustPolicy({ ...inputs, subject }, accountId));
  const chaining = (chainingPrincipalArn: string | undefined) => sub(roleTrustPolicy({ ...inputs, roleChaining: true, chainingPrincipalArn }, accountId));
  return ifThen(
    'UseRoleChaining',
    ifThen('HasChainingPrincipal', chaining('${ChainingPrincipalArn}'), chaining(undefined)),
    ifThen('ScopeToBranch', oidc({ branch: '${Branch}' }), oidc({ environment: '${Environment}' })),
  );
}

/**
 * GitHub's identity provider without thumbprints: IAM verifies GitHub through its library of trusted root CAs
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateOpenIDConnectProviderThumbprint.html), and
 * ThumbprintList is optional (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-oidcprovider.html).
 */
function oidcProvider() {
  return {
    Type: 'AWS::IAM::OIDCProvider',
    Condition: 'ShouldCreateOidcProvider',
    Properties: { Url: `https://${GITHUB_OIDC_HOST}`, ClientIdList: [AUDIENCE] },
  };
}

function role(roleName: ParameterName, description: string, assumeRolePolicy: unknown, policy: unknown) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: { Ref: roleName },
      Description: description,
      AssumeRolePolicyDocument: assumeRolePolicy,
      Policies: [{ PolicyName: POLICY_NAME, PolicyDocument: policy }],
    },
  };
}

/** Key-policy statements as an output: a JSON array to paste into the key's policy. */
function statementsOutput(description: string, statements: PolicyStatement[], condition?: ConditionName) {
  return { ...(condition ? { Condition: condition } : {}), Description: description, Value: sub(JSON.stringify(statements)) };
}

function template(description: string, parameters: ParameterName[], conditions: ConditionName[], resources: object, outputs: object) {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: description,
    Parameters: Object.fromEntries(parameters.map((name) => [name, PARAMETERS[name]])),
    Conditions: Object.fromEntries(conditions.map((name) => [name, CONDITIONS[name]])),
    Resources: resources,
    Outputs: outputs,
  };
}

/** The source account: its OIDC provider (optional), the source role, and the source key's statements for the target role. */
function sourceAccountTemplate(): object {
  const inputs = placeholderInputs('source');
  const policies = generatePolicies(inputs);
  return template(
    'promote-encrypted-ami: the source account - the source role and the statements for the source key policy.',
    ['TargetAccountId', 'SourceKeyArn', 'Repository', 'Environment', 'Branch', 'SourceRoleName', 'TargetRoleName', 'CreateOidcProvider', 'RoleChaining', 'ChainingPrincipalArn'],
    ['ShouldCreateOidcProvider', 'ScopeToBranch', 'UseRoleChaining', 'HasChainingPrincipal'],
    {
      GitHubOidcProvider: oidcProvider(),
      SourceRole: role('SourceRoleName', 'promote-encrypted-ami: reads, re-encrypts and shares the AMIs (source-role-arn).', trust(inputs, '${AWS::AccountId}'), sub(policies.sourceRoleIamPolicy)),
    },
    {
      SourceRoleArn: { Description: 'source-role-arn', Value: { 'Fn::GetAtt': ['SourceRole', 'Arn'] } },
      SourceKeyPolicyStatements: statementsOutput('Add these statements to the key policy of SourceKeyArn (key-access: verify).', policies.keyPolicyStatements),
    },
  );
}

/** The target account: its OIDC provider (optional), the target role, and the target key's statements for Auto Scaling. */
function targetAccountTemplate(): object {
  const inputs = placeholderInputs('target');
  const withKey = generatePolicies(inputs);
  const withoutKey = generatePolicies({ ...inputs, targetKeyArns: {} });
  return template(
    'promote-encrypted-ami: the target account - the target role, in the region of the stack.',
    [
      'SourceAccountId',
      'SourceRegion',
      'SourceKeyArn',
      'TargetKeyArn',
      'Repository',
      'Environment',
      'Branch',
      'TargetRoleName',
      'CreateOidcProvider',
      'RoleChaining',
      'ChainingPrincipalArn',
    ],
    ['ShouldCreateOidcProvider', 'ScopeToBranch', 'UseRoleChaining', 'HasChainingPrincipal', 'HasTargetKey'],
    {
      GitHubOidcProvider: oidcProvider(),
      TargetRole: role(
        'TargetRoleName',
        'promote-encrypted-ami: copies the shared AMIs into this account (target-role-arn).',
        trust(inputs, '${AWS::AccountId}'),
        ifThen('HasTargetKey', sub(withKey.targetRoleIamPolicy), sub(withoutKey.targetRoleIamPolicy)),
      ),
    },
    {
      TargetRoleArn: { Description: 'target-role-arn', Value: { 'Fn::GetAtt': ['TargetRole', 'Arn'] } },
      TargetKeyPolicyStatements: statementsOutput(
        'Add these statements to the key policy of TargetKeyArn, so that Auto Scaling can launch the promoted AMIs.',
        withKey.autoscalingKeyStatements,
        'HasTargetKey',
      ),
    },
  );
}

const HEADER = ' Generated by `npm run templates` from generatePolicies (src/policy/generate.ts): do not edit by hand.';

/** The templates' files: path under the repository → YAML. */
export function renderTemplates(): Record<string, string> {
  return {
    'cloudformation/source-account.yaml': templateYaml(sourceAccountTemplate(), HEADER),
    'cloudformation/target-account.yaml': templateYaml(targetAccountTemplate(), HEADER),
  };
}
