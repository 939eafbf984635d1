// Cross-checks evaluateKeyPolicy against @cloud-copilot/iam-simulate (AGPL-3.0, used by tests only).
import { describe, expect, it } from '@jest/globals';
import { runSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import { evaluateKeyPolicy, type KeyPolicyEvaluation } from '../../../src/policy/evaluate.js';
import type { PolicyDocument, PolicyStatement } from '../../../src/policy/policy-document.js';
import {
  ACCOUNT_ROOT_ONLY,
  KEY_ARN,
  OTHER_KEY_ARN,
  SEED_000_POLICY,
  SOURCE_ACCOUNT,
  SOURCE_ROLE,
  SOURCE_ROOT,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  TARGET_ROOT,
  policy,
} from './fixtures.js';

interface Case {
  name: string;
  policy: PolicyDocument;
  action: string;
  /** The target role unless set. */
  principal?: 'source' | 'target';
  context?: Record<string, string | boolean | string[]>;
  expected: KeyPolicyEvaluation['decision'];
}

const VIA_EC2 = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };
const FOR_AWS_RESOURCE = { 'kms:GrantIsForAWSResource': true };

const allow = (fields: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { AWS: TARGET_ROLE },
  Action: 'kms:*',
  Resource: '*',
  ...fields,
});
const deny = (fields: Partial<PolicyStatement> = {}): PolicyStatement => ({ ...allow(fields), Effect: 'Deny' });
const anyone = (Condition: PolicyStatement['Condition']) => policy(allow({ Principal: '*', Condition }));

const CASES: Case[] = [
  { name: 'account root only, cross-account', policy: ACCOUNT_ROOT_ONLY(TARGET_ACCOUNT), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'account root only, same account', policy: ACCOUNT_ROOT_ONLY(SOURCE_ACCOUNT), action: 'kms:Decrypt', principal: 'source', expected: 'allow' },
  { name: 'source account root only, target role', policy: ACCOUNT_ROOT_ONLY(SOURCE_ACCOUNT), action: 'kms:Decrypt', expected: 'implicit-deny' },
  { name: 'bare account id', policy: policy(allow({ Principal: { AWS: TARGET_ACCOUNT } })), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'role named, cross-account', policy: policy(allow()), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'role named, same account', policy: policy(allow({ Principal: { AWS: [SOURCE_ROLE] } })), action: 'kms:Decrypt', principal: 'source', expected: 'allow' },
  { name: 'other role named', policy: policy(allow({ Principal: { AWS: SOURCE_ROLE } })), action: 'kms:Decrypt', expected: 'implicit-deny' },
  { name: 'Principal "*"', policy: policy(allow({ Principal: '*' })), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'Principal {"AWS": "*"}, same account', policy: policy(allow({ Principal: { AWS: '*' } })), action: 'kms:Decrypt', principal: 'source', expected: 'allow' },
  { name: 'seed 000, Decrypt', policy: SEED_000_POLICY, action: 'kms:Decrypt', expected: 'allow' },
  { name: 'seed 000, ReEncryptFrom', policy: SEED_000_POLICY, action: 'kms:ReEncryptFrom', expected: 'allow' },
  { name: 'seed 000, CreateGrant for AWS resource', policy: SEED_000_POLICY, action: 'kms:CreateGrant', context: FOR_AWS_RESOURCE, expected: 'allow' },
  { name: 'seed 000, direct CreateGrant', policy: SEED_000_POLICY, action: 'kms:CreateGrant', context: { 'kms:GrantIsForAWSResource': false }, expected: 'implicit-deny' },
  { name: 'seed 000, PutKeyPolicy', policy: SEED_000_POLICY, action: 'kms:PutKeyPolicy', expected: 'implicit-deny' },
  { name: 'seed 000, source role through the account root', policy: SEED_000_POLICY, action: 'kms:PutKeyPolicy', principal: 'source', expected: 'allow' },
  { name: 'explicit Deny wins', policy: policy(allow(), deny({ Action: 'kms:Decrypt' })), action: 'kms:Decrypt', expected: 'explicit-deny' },
  { name: 'Deny of another action', policy: policy(allow(), deny({ Action: 'kms:Encrypt' })), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'Deny on the account root', policy: policy(allow(), deny({ Principal: { AWS: TARGET_ROOT } })), action: 'kms:Decrypt', expected: 'explicit-deny' },
  { name: 'NotAction allow, excluded action', policy: policy(allow({ Action: undefined, NotAction: 'kms:Decrypt' })), action: 'kms:Decrypt', expected: 'implicit-deny' },
  { name: 'NotAction allow, other action', policy: policy(allow({ Action: undefined, NotAction: 'kms:Decrypt' })), action: 'kms:DescribeKey', expected: 'allow' },
  { name: 'NotAction deny', policy: policy(allow(), deny({ Action: undefined, NotAction: 'kms:Describe*' })), action: 'kms:Decrypt', expected: 'explicit-deny' },
  { name: 'NotPrincipal deny exempting the role', policy: policy(allow({ Principal: '*' }), deny({ Principal: undefined, NotPrincipal: { AWS: TARGET_ROLE } })), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'NotPrincipal deny exempting the account', policy: policy(allow({ Principal: '*' }), deny({ Principal: undefined, NotPrincipal: { AWS: TARGET_ROOT } })), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'NotPrincipal deny exempting another role', policy: policy(allow({ Principal: '*' }), deny({ Principal: undefined, NotPrincipal: { AWS: [SOURCE_ROLE, SOURCE_ROOT] } })), action: 'kms:Decrypt', expected: 'explicit-deny' },
  { name: 'NotPrincipal allow, same account', policy: policy(allow({ Principal: undefined, NotPrincipal: { AWS: TARGET_ROLE } })), action: 'kms:Decrypt', principal: 'source', expected: 'allow' },
  { name: 'ReEncrypt* wildcard', policy: policy(allow({ Action: 'kms:ReEncrypt*' })), action: 'kms:ReEncryptFrom', expected: 'allow' },
  { name: 'Describe* wildcard', policy: policy(allow({ Action: ['kms:Describe*'] })), action: 'kms:DescribeKey', expected: 'allow' },
  { name: 'action name case', policy: policy(allow({ Action: 'KMS:DECRYPT' })), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'Resource is the key', policy: policy(allow({ Resource: KEY_ARN })), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'Resource is another key', policy: policy(allow({ Resource: OTHER_KEY_ARN })), action: 'kms:Decrypt', expected: 'implicit-deny' },
  { name: 'Resource wildcard', policy: policy(allow({ Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*' })), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'NotResource', policy: policy(allow({ Resource: undefined, NotResource: OTHER_KEY_ARN })), action: 'kms:Decrypt', expected: 'allow' },
  { name: '* with kms:CallerAccount', policy: anyone({ StringEquals: { 'kms:CallerAccount': TARGET_ACCOUNT } }), action: 'kms:Decrypt', expected: 'allow' },
  { name: '* with another kms:CallerAccount', policy: anyone({ StringEquals: { 'kms:CallerAccount': SOURCE_ACCOUNT } }), action: 'kms:Decrypt', expected: 'implicit-deny' },
  {
    name: 'aws/ebs-style: CallerAccount and ViaService',
    policy: anyone({ StringEquals: { 'kms:CallerAccount': TARGET_ACCOUNT, 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } }),
    action: 'kms:Decrypt',
    context: VIA_EC2,
    expected: 'allow',
  },
  { name: 'ViaService required, direct call', policy: anyone({ StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } }), action: 'kms:Decrypt', expected: 'implicit-deny' },
  { name: 'ViaService StringLike', policy: anyone({ StringLike: { 'kms:ViaService': 'ec2.*.amazonaws.com' } }), action: 'kms:Decrypt', context: VIA_EC2, expected: 'allow' },
  { name: 'ViaService values are ORed', policy: anyone({ StringEquals: { 'kms:ViaService': ['rds.eu-west-1.amazonaws.com', 'ec2.eu-west-1.amazonaws.com'] } }), action: 'kms:Decrypt', context: VIA_EC2, expected: 'allow' },
  { name: 'StringNotEquals, key absent', policy: anyone({ StringNotEquals: { 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' } }), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'StringNotLike, key present', policy: anyone({ StringNotLike: { 'kms:ViaService': 'ec2.*' } }), action: 'kms:Decrypt', context: VIA_EC2, expected: 'implicit-deny' },
  { name: 'StringEqualsIgnoreCase', policy: anyone({ StringEqualsIgnoreCase: { 'kms:ViaService': 'EC2.EU-WEST-1.AMAZONAWS.COM' } }), action: 'kms:Decrypt', context: VIA_EC2, expected: 'allow' },
  { name: 'StringEqualsIfExists, key absent', policy: anyone({ StringEqualsIfExists: { 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' } }), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'StringEqualsIfExists, key differs', policy: anyone({ StringEqualsIfExists: { 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' } }), action: 'kms:Decrypt', context: VIA_EC2, expected: 'implicit-deny' },
  { name: 'Null true, key absent', policy: anyone({ Null: { 'kms:ViaService': 'true' } }), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'Null false, key absent', policy: anyone({ Null: { 'kms:ViaService': 'false' } }), action: 'kms:Decrypt', expected: 'implicit-deny' },
  { name: 'GrantIsForAWSResource true (boolean in policy)', policy: policy(allow({ Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } })), action: 'kms:CreateGrant', context: FOR_AWS_RESOURCE, expected: 'allow' },
  { name: 'GrantIsForAWSResource false', policy: policy(allow({ Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } })), action: 'kms:CreateGrant', context: { 'kms:GrantIsForAWSResource': 'false' }, expected: 'implicit-deny' },
  { name: 'BoolIfExists on a grant', policy: policy(allow({ Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' } } })), action: 'kms:CreateGrant', context: FOR_AWS_RESOURCE, expected: 'allow' },
  { name: 'two operators, one fails', policy: anyone({ Bool: { 'kms:GrantIsForAWSResource': 'true' }, StringEquals: { 'kms:CallerAccount': SOURCE_ACCOUNT } }), action: 'kms:CreateGrant', context: FOR_AWS_RESOURCE, expected: 'implicit-deny' },
  { name: 'ArnLike aws:PrincipalArn', policy: anyone({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/ami-*' } }), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'ArnEquals aws:PrincipalArn, other role', policy: anyone({ ArnEquals: { 'aws:PrincipalArn': SOURCE_ROLE } }), action: 'kms:Decrypt', expected: 'implicit-deny' },
  { name: 'ArnNotEquals in a Deny', policy: policy(allow({ Principal: '*' }), deny({ Principal: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': TARGET_ROLE } } })), action: 'kms:Decrypt', expected: 'allow' },
  { name: 'ArnNotLike in a Deny, other role', policy: policy(allow({ Principal: '*' }), deny({ Principal: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': SOURCE_ROLE } } })), action: 'kms:Decrypt', expected: 'explicit-deny' },
  { name: 'aws:PrincipalAccount', policy: anyone({ StringEquals: { 'aws:PrincipalAccount': [SOURCE_ACCOUNT, TARGET_ACCOUNT] } }), action: 'kms:Decrypt', expected: 'allow' },
  {
    name: 'ForAllValues:StringEquals on grant operations',
    policy: policy(allow({ Condition: { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'DescribeKey', 'ReEncryptFrom'] } } })),
    action: 'kms:CreateGrant',
    context: { 'kms:GrantOperations': ['Decrypt', 'DescribeKey'] },
    expected: 'allow',
  },
  {
    name: 'ForAllValues:StringEquals, one operation not listed',
    policy: policy(allow({ Condition: { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt'] } } })),
    action: 'kms:CreateGrant',
    context: { 'kms:GrantOperations': ['Decrypt', 'Encrypt'] },
    expected: 'implicit-deny',
  },
  {
    name: 'ForAnyValue:StringLike on grant operations',
    policy: policy(allow({ Condition: { 'ForAnyValue:StringLike': { 'kms:GrantOperations': 'ReEncrypt*' } } })),
    action: 'kms:CreateGrant',
    context: { 'kms:GrantOperations': ['Decrypt', 'ReEncryptFrom'] },
    expected: 'allow',
  },
  {
    name: 'ForAnyValue:StringNotEquals on grant operations',
    policy: policy(allow({ Condition: { 'ForAnyValue:StringNotEquals': { 'kms:GrantOperations': ['Decrypt'] } } })),
    action: 'kms:CreateGrant',
    context: { 'kms:GrantOperations': ['Decrypt'] },
    expected: 'implicit-deny',
  },
  {
    name: 'data-perimeter Deny outside the accounts, except AWS services',
    policy: policy(
      allow({ Principal: '*' }),
      deny({ Principal: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': SOURCE_ACCOUNT }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } } }),
    ),
    action: 'kms:Decrypt',
    expected: 'explicit-deny',
  },
  { name: 'aws:PrincipalOrgID supplied', policy: anyone({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }), action: 'kms:Decrypt', context: { 'aws:PrincipalOrgID': 'o-abc123' }, expected: 'allow' },
  { name: 'aws:PrincipalOrgID of another organization', policy: anyone({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }), action: 'kms:Decrypt', context: { 'aws:PrincipalOrgID': 'o-xyz789' }, expected: 'implicit-deny' },
  {
    name: 'aws:PrincipalOrgPaths under the OU',
    policy: anyone({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/r-ab12/ou-ab12-22222222/*' } }),
    action: 'kms:Decrypt',
    context: { 'aws:PrincipalOrgPaths': ['o-abc123/r-ab12/ou-ab12-22222222/'] },
    expected: 'allow',
  },
  {
    name: 'aws:PrincipalOrgPaths in another OU',
    policy: anyone({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/r-ab12/ou-ab12-22222222/*' } }),
    action: 'kms:Decrypt',
    context: { 'aws:PrincipalOrgPaths': ['o-abc123/r-ab12/ou-ab12-11111111/'] },
    expected: 'implicit-deny',
  },
  { name: 'role allowed only through EC2, direct DescribeKey', policy: policy(allow({ Condition: { StringEquals: VIA_EC2 } })), action: 'kms:DescribeKey', expected: 'implicit-deny' },
  { name: 'role allowed only through EC2, EC2 DescribeKey', policy: policy(allow({ Condition: { StringEquals: VIA_EC2 } })), action: 'kms:DescribeKey', context: VIA_EC2, expected: 'allow' },
  {
    name: 'Deny of direct calls (Null kms:ViaService), direct',
    policy: policy(allow(), deny({ Principal: '*', Condition: { Null: { 'kms:ViaService': 'true' } } })),
    action: 'kms:DescribeKey',
    expected: 'explicit-deny',
  },
  {
    name: 'Deny of direct calls (Null kms:ViaService), through EC2',
    policy: policy(allow(), deny({ Principal: '*', Condition: { Null: { 'kms:ViaService': 'true' } } })),
    action: 'kms:DescribeKey',
    context: VIA_EC2,
    expected: 'allow',
  },
  {
    name: 'aws/ebs pattern for the source account, target role through EC2',
    policy: anyone({ StringEquals: { 'kms:CallerAccount': SOURCE_ACCOUNT, 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } }),
    action: 'kms:Decrypt',
    context: VIA_EC2,
    expected: 'implicit-deny',
  },
  { name: 'direct CreateGrant without GrantIsForAWSResource', policy: policy(allow({ Condition: { Bool: FOR_AWS_RESOURCE } })), action: 'kms:CreateGrant', expected: 'implicit-deny' },
];

/** Where the two legitimately differ: we report unknown, iam-simulate treats the missing key as absent. */
const UNKNOWN_CASES: (Case & { simulated: EvaluationResult })[] = [
  { name: 'aws:PrincipalOrgID not supplied', policy: anyone({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }), action: 'kms:Decrypt', expected: 'unknown', simulated: 'ImplicitlyDenied' },
  { name: 'aws:SourceIp in an Allow', policy: anyone({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), action: 'kms:Decrypt', expected: 'unknown', simulated: 'ImplicitlyDenied' },
  {
    name: 'aws:SourceIp in a Deny next to an Allow',
    policy: policy(allow(), deny({ Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })),
    action: 'kms:Decrypt',
    expected: 'unknown',
    simulated: 'ExplicitlyDenied',
  },
];

const ALLOW_ALL = { name: 'allow-all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };

function principalOf(testCase: Case) {
  return testCase.principal === 'source' ? { arn: SOURCE_ROLE, account: SOURCE_ACCOUNT } : { arn: TARGET_ROLE, account: TARGET_ACCOUNT };
}

async function simulate(testCase: Case, withIdentityPolicy: boolean): Promise<EvaluationResult> {
  const principal = principalOf(testCase);
  const context = Object.fromEntries(
    Object.entries({
      ...testCase.context,
      'aws:PrincipalArn': principal.arn,
      'aws:PrincipalAccount': principal.account,
      'kms:CallerAccount': principal.account,
      'aws:PrincipalIsAWSService': 'false',
    }).map(([key, value]) => [key, Array.isArray(value) ? value : String(value)]),
  );
  const result = await runSimulation(
    {
      request: { principal: principal.arn, action: testCase.action, resource: { resource: KEY_ARN, accountId: SOURCE_ACCOUNT }, contextVariables: context },
      identityPolicies: withIdentityPolicy ? [ALLOW_ALL] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // The helpers leave undefined members, which iam-simulate rejects: send the policy as KMS stores it.
      resourcePolicy: JSON.parse(JSON.stringify(testCase.policy)),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`iam-simulate rejected "${testCase.name}": ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

function evaluate(testCase: Case): KeyPolicyEvaluation {
  const principal = principalOf(testCase);
  return evaluateKeyPolicy(testCase.policy, {
    principalArn: principal.arn,
    principalAccount: principal.account,
    action: testCase.action,
    resourceArn: KEY_ARN,
    context: testCase.context ?? {},
  });
}

const SIMULATED: Record<Exclude<KeyPolicyEvaluation['decision'], 'unknown'>, EvaluationResult> = {
  allow: 'Allowed',
  'explicit-deny': 'ExplicitlyDenied',
  'implicit-deny': 'ImplicitlyDenied',
};

describe('evaluateKeyPolicy agrees with iam-simulate', () => {
  it('has a table covering every supported feature', () => {
    expect(CASES.length + UNKNOWN_CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('$name → $expected', async (testCase) => {
    const ours = evaluate(testCase);
    expect(ours.decision).toBe(testCase.expected);
    const decision = ours.decision as keyof typeof SIMULATED;
    // With an IAM policy that allows everything, only the key policy decides.
    expect(await simulate(testCase, true)).toBe(SIMULATED[decision]);
    // Without one, an allow survives only when the key policy alone suffices.
    const alone = ours.decision === 'allow' && ours.needsIdentityPolicy ? 'ImplicitlyDenied' : SIMULATED[decision];
    expect(await simulate(testCase, false)).toBe(alone);
  });

  it.each(UNKNOWN_CASES)('$name → unknown here, $simulated in iam-simulate', async (testCase) => {
    expect(evaluate(testCase).decision).toBe('unknown');
    expect(await simulate(testCase, true)).toBe(testCase.simulated);
  });
});
