import { describe, expect, it } from '@jest/globals';
import { evaluateKeyPolicy, type KeyRequest } from '../../../src/policy/evaluate.js';
import { PolicyFormatError, type PolicyStatement } from '../../../src/policy/policy-document.js';
import {
  ACCOUNT_ROOT_ONLY,
  KEY_ARN,
  OTHER_KEY_ARN,
  SEED_000_POLICY,
  SOURCE_ACCOUNT,
  SOURCE_ROLE,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  TARGET_ROOT,
  policy,
} from './fixtures.js';

const targetDecrypt: KeyRequest = {
  principalArn: TARGET_ROLE,
  principalAccount: TARGET_ACCOUNT,
  action: 'kms:Decrypt',
  resourceArn: KEY_ARN,
};

function allow(fields: Partial<PolicyStatement>): PolicyStatement {
  return { Effect: 'Allow', Principal: { AWS: TARGET_ROLE }, Action: 'kms:*', Resource: '*', ...fields };
}

function deny(fields: Partial<PolicyStatement>): PolicyStatement {
  return { ...allow(fields), Effect: 'Deny' };
}

function decide(statements: PolicyStatement[], request: Partial<KeyRequest> = {}) {
  return evaluateKeyPolicy(policy(...statements), { ...targetDecrypt, ...request });
}

describe('evaluateKeyPolicy: how a principal is allowed', () => {
  it('allows the account root as an account delegation that needs the IAM policy too', () => {
    expect(evaluateKeyPolicy(ACCOUNT_ROOT_ONLY(TARGET_ACCOUNT), targetDecrypt)).toEqual({
      decision: 'allow',
      allowedBy: 'account',
      needsIdentityPolicy: true,
      statements: ['Enable IAM User Permissions'],
      unknownReasons: [],
      conditions: [],
    });
  });

  it('treats a bare 12-digit account id like the account root', () => {
    expect(decide([allow({ Principal: { AWS: TARGET_ACCOUNT } })])).toMatchObject({ decision: 'allow', allowedBy: 'account' });
  });

  it('needs the IAM policy in every cross-account allow, even when the role is named', () => {
    expect(decide([allow({ Sid: 'Role' })])).toMatchObject({ decision: 'allow', allowedBy: 'principal', needsIdentityPolicy: true, statements: ['Role'] });
  });

  it('does not need the IAM policy when the key policy names a role of its own account', () => {
    const result = decide([allow({ Principal: { AWS: [SOURCE_ROLE] } })], { principalArn: SOURCE_ROLE, principalAccount: SOURCE_ACCOUNT });
    expect(result).toMatchObject({ decision: 'allow', allowedBy: 'principal', needsIdentityPolicy: false });
  });

  it('needs the IAM policy in the key account when only the account root is named', () => {
    const result = evaluateKeyPolicy(ACCOUNT_ROOT_ONLY(SOURCE_ACCOUNT), { ...targetDecrypt, principalArn: SOURCE_ROLE, principalAccount: SOURCE_ACCOUNT });
    expect(result).toMatchObject({ decision: 'allow', allowedBy: 'account', needsIdentityPolicy: true });
  });

  it('prefers the role statement when both the role and its account are allowed, and lists both', () => {
    const result = decide([allow({ Sid: 'Account', Principal: { AWS: TARGET_ROOT } }), allow({ Sid: 'Role' })]);
    expect(result).toMatchObject({ allowedBy: 'principal', statements: ['Account', 'Role'] });
  });

  it('accepts "*" and {"AWS": "*"} as every principal', () => {
    expect(decide([allow({ Principal: '*' })])).toMatchObject({ decision: 'allow', allowedBy: 'principal' });
    expect(decide([allow({ Principal: { AWS: '*' } })])).toMatchObject({ decision: 'allow', allowedBy: 'principal' });
  });

  it('does not match other roles, other accounts or non-AWS principals', () => {
    const principals: PolicyStatement['Principal'][] = [
      { AWS: 'arn:aws:iam::222222222222:role/other' },
      { AWS: 'arn:aws:iam::333333333333:root' },
      { AWS: 'arn:aws:sts::222222222222:assumed-role/ami-promotion-target/session' },
      { Service: 'ec2.amazonaws.com' },
    ];
    for (const principal of principals) {
      expect(decide([allow({ Principal: principal })]).decision).toBe('implicit-deny');
    }
  });

  it('names statements without a Sid by their position', () => {
    expect(decide([allow({ Action: 'kms:Encrypt' }), allow({})]).statements).toEqual(['#1']);
  });
});

describe('evaluateKeyPolicy: Effect, NotPrincipal, Action and Resource', () => {
  it('lets an explicit Deny win over an Allow', () => {
    expect(decide([allow({ Sid: 'Use' }), deny({ Sid: 'NoDecrypt', Action: 'kms:Decrypt' })])).toEqual({
      decision: 'explicit-deny',
      needsIdentityPolicy: false,
      statements: ['NoDecrypt'],
      unknownReasons: [],
      conditions: [],
    });
  });

  it('is an implicit deny when no statement applies', () => {
    expect(decide([allow({ Action: 'kms:Encrypt' })])).toEqual({ decision: 'implicit-deny', needsIdentityPolicy: false, statements: [], unknownReasons: [], conditions: [] });
  });

  it('applies a Deny with NotPrincipal to everyone except the listed role or account', () => {
    const everyone = allow({ Principal: '*' });
    expect(decide([everyone, deny({ Principal: undefined, NotPrincipal: { AWS: TARGET_ROLE } })]).decision).toBe('allow');
    expect(decide([everyone, deny({ Principal: undefined, NotPrincipal: { AWS: TARGET_ROOT } })]).decision).toBe('allow');
    expect(decide([everyone, deny({ Principal: undefined, NotPrincipal: { AWS: SOURCE_ROLE } })]).decision).toBe('explicit-deny');
  });

  it('applies an Allow with NotPrincipal to every principal not listed', () => {
    expect(decide([allow({ Principal: undefined, NotPrincipal: { AWS: SOURCE_ROLE } })])).toMatchObject({ decision: 'allow', allowedBy: 'principal' });
    expect(decide([allow({ Principal: undefined, NotPrincipal: { AWS: TARGET_ROLE } })]).decision).toBe('implicit-deny');
  });

  it('matches action wildcards case-insensitively', () => {
    expect(decide([allow({ Action: 'kms:ReEncrypt*' })], { action: 'kms:ReEncryptFrom' }).decision).toBe('allow');
    expect(decide([allow({ Action: 'kms:Describe*' })], { action: 'kms:DescribeKey' }).decision).toBe('allow');
    expect(decide([allow({ Action: 'KMS:decrypt' })]).decision).toBe('allow');
    expect(decide([allow({ Action: 'kms:Decrypt?' })]).decision).toBe('implicit-deny');
    expect(decide([allow({ Action: '*' })]).decision).toBe('allow');
  });

  it('applies NotAction to every action but the listed ones', () => {
    const statements = [allow({ Action: undefined, NotAction: ['kms:Decrypt', 'kms:Put*'] })];
    expect(decide(statements).decision).toBe('implicit-deny');
    expect(decide(statements, { action: 'kms:PutKeyPolicy' }).decision).toBe('implicit-deny');
    expect(decide(statements, { action: 'kms:DescribeKey' }).decision).toBe('allow');
    expect(decide([allow({}), deny({ Action: undefined, NotAction: 'kms:Describe*' })]).decision).toBe('explicit-deny');
  });

  it('matches Resource and NotResource against the key ARN', () => {
    expect(decide([allow({ Resource: KEY_ARN })]).decision).toBe('allow');
    expect(decide([allow({ Resource: [OTHER_KEY_ARN] })]).decision).toBe('implicit-deny');
    expect(decide([allow({ Resource: 'arn:aws:kms:*:111111111111:key/*' })]).decision).toBe('allow');
    expect(decide([allow({ Resource: undefined, NotResource: KEY_ARN })]).decision).toBe('implicit-deny');
    expect(decide([allow({ Resource: undefined, NotResource: OTHER_KEY_ARN })]).decision).toBe('allow');
  });

  it('evaluates seed 000: the target role may use the key and create grants for AWS resources only', () => {
    const request = (action: string, context: KeyRequest['context'] = {}) => evaluateKeyPolicy(SEED_000_POLICY, { ...targetDecrypt, action, context });
    expect(request('kms:Decrypt')).toMatchObject({ decision: 'allow', allowedBy: 'principal', needsIdentityPolicy: true, statements: ['Allow use of the key'] });
    expect(request('kms:CreateGrant', { 'kms:GrantIsForAWSResource': true })).toMatchObject({
      decision: 'allow',
      statements: ['Allow attachment of persistent resources'],
    });
    expect(request('kms:CreateGrant', { 'kms:GrantIsForAWSResource': false }).decision).toBe('implicit-deny');
    expect(request('kms:PutKeyPolicy').decision).toBe('implicit-deny');
  });

  it('accepts the policy as the JSON string GetKeyPolicy returns', () => {
    expect(evaluateKeyPolicy(JSON.stringify(SEED_000_POLICY), targetDecrypt).decision).toBe('allow');
  });

  it('accepts a single statement object instead of an array', () => {
    expect(evaluateKeyPolicy({ Version: '2012-10-17', Statement: allow({}) }, targetDecrypt).decision).toBe('allow');
  });
});

describe('evaluateKeyPolicy: conditions', () => {
  const withCondition = (Condition: PolicyStatement['Condition'], context: KeyRequest['context'] = {}) =>
    decide([allow({ Principal: '*', Condition })], { context }).decision;

  it('fills kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalArn and aws:PrincipalIsAWSService from the request', () => {
    expect(withCondition({ Bool: { 'aws:PrincipalIsAWSService': 'false' } })).toBe('allow');
    expect(withCondition({ StringEquals: { 'kms:CallerAccount': TARGET_ACCOUNT } })).toBe('allow');
    expect(withCondition({ StringEquals: { 'kms:CallerAccount': '333333333333' } })).toBe('implicit-deny');
    expect(withCondition({ StringEquals: { 'aws:PrincipalAccount': [SOURCE_ACCOUNT, TARGET_ACCOUNT] } })).toBe('allow');
    expect(withCondition({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/ami-*' } })).toBe('allow');
    expect(withCondition({ ArnEquals: { 'aws:PrincipalArn': SOURCE_ROLE } })).toBe('implicit-deny');
  });

  it('requires every key and operator (AND) and any of the values (OR)', () => {
    const via = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };
    const condition = {
      StringEquals: { 'kms:CallerAccount': TARGET_ACCOUNT, 'kms:ViaService': ['ec2.eu-central-1.amazonaws.com', 'ec2.eu-west-1.amazonaws.com'] },
      Bool: { 'kms:GrantIsForAWSResource': true },
    };
    expect(withCondition(condition, { ...via, 'kms:GrantIsForAWSResource': 'true' })).toBe('allow');
    expect(withCondition(condition, { ...via, 'kms:GrantIsForAWSResource': false })).toBe('implicit-deny');
    expect(withCondition(condition, { 'kms:GrantIsForAWSResource': true })).toBe('implicit-deny');
  });

  it('compares Bool values given as strings or booleans, case-insensitively', () => {
    expect(withCondition({ Bool: { 'kms:GrantIsForAWSResource': 'True' } }, { 'kms:GrantIsForAWSResource': true })).toBe('allow');
    expect(withCondition({ Bool: { 'kms:GrantIsForAWSResource': false } }, { 'kms:GrantIsForAWSResource': 'false' })).toBe('allow');
    expect(withCondition({ Bool: { 'kms:GrantIsForAWSResource': true } })).toBe('implicit-deny');
  });

  it('treats condition keys case-insensitively', () => {
    expect(withCondition({ StringEquals: { 'KMS:ViaService': 'ec2.eu-west-1.amazonaws.com' } }, { 'kms:viaservice': 'ec2.eu-west-1.amazonaws.com' })).toBe('allow');
  });

  it('supports the string operators', () => {
    const via = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };
    expect(withCondition({ StringLike: { 'kms:ViaService': 'ec2.*.amazonaws.com' } }, via)).toBe('allow');
    expect(withCondition({ StringLike: { 'kms:ViaService': 'EC2.*' } }, via)).toBe('implicit-deny');
    expect(withCondition({ StringNotLike: { 'kms:ViaService': 'rds.*' } }, via)).toBe('allow');
    expect(withCondition({ StringEqualsIgnoreCase: { 'kms:ViaService': 'EC2.EU-WEST-1.AMAZONAWS.COM' } }, via)).toBe('allow');
    expect(withCondition({ StringNotEqualsIgnoreCase: { 'kms:ViaService': 'EC2.EU-WEST-1.AMAZONAWS.COM' } }, via)).toBe('implicit-deny');
    expect(withCondition({ StringNotEquals: { 'kms:ViaService': ['rds.eu-west-1.amazonaws.com', 'ec2.eu-west-1.amazonaws.com'] } }, via)).toBe('implicit-deny');
  });

  it('makes negated operators true and others false when the key is absent', () => {
    expect(withCondition({ StringNotEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } })).toBe('allow');
    expect(withCondition({ ArnNotLike: { 'aws:PrincipalArn': SOURCE_ROLE } })).toBe('allow');
    expect(withCondition({ ArnNotEquals: { 'aws:PrincipalArn': TARGET_ROLE } })).toBe('implicit-deny');
    expect(withCondition({ StringLike: { 'kms:ViaService': '*' } })).toBe('implicit-deny');
  });

  it('makes ...IfExists true when the key is absent and normal when it is present', () => {
    expect(withCondition({ StringEqualsIfExists: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } })).toBe('allow');
    expect(withCondition({ StringEqualsIfExists: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } }, { 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' })).toBe('implicit-deny');
    expect(withCondition({ BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' } }, { 'kms:GrantIsForAWSResource': true })).toBe('allow');
  });

  it('tests presence with Null', () => {
    expect(withCondition({ Null: { 'kms:ViaService': 'true' } })).toBe('allow');
    expect(withCondition({ Null: { 'kms:ViaService': 'false' } })).toBe('implicit-deny');
    expect(withCondition({ Null: { 'kms:ViaService': false } }, { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' })).toBe('allow');
  });

  it('supports numeric and date comparisons', () => {
    const context = { 'kms:RecipientAttestation:ImageSha384': '3', 'aws:CurrentTime': '2026-06-01T00:00:00Z' };
    expect(withCondition({ NumericLessThan: { 'kms:RecipientAttestation:ImageSha384': '4' } }, context)).toBe('allow');
    expect(withCondition({ NumericGreaterThanEquals: { 'kms:RecipientAttestation:ImageSha384': 4 } }, context)).toBe('implicit-deny');
    expect(withCondition({ NumericEquals: { 'kms:RecipientAttestation:ImageSha384': 'three' } }, context)).toBe('implicit-deny');
    expect(withCondition({ NumericNotEquals: { 'kms:RecipientAttestation:ImageSha384': '5' } }, context)).toBe('allow');
    expect(withCondition({ NumericEquals: { 'kms:RecipientAttestation:ImageSha384': '0' } }, { 'kms:RecipientAttestation:ImageSha384': '' })).toBe('implicit-deny');
    expect(withCondition({ DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, context)).toBe('allow');
    expect(withCondition({ DateGreaterThan: { 'aws:CurrentTime': '1893456000' } }, context)).toBe('implicit-deny');
    expect(withCondition({ DateLessThan: { 'aws:CurrentTime': '1893456000' } }, context)).toBe('allow');
  });

  it('applies ForAnyValue and ForAllValues to multi-valued keys', () => {
    const operations = { 'kms:GrantOperations': ['Decrypt', 'DescribeKey'] };
    expect(withCondition({ 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'DescribeKey', 'Encrypt'] } }, operations)).toBe('allow');
    expect(withCondition({ 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt'] } }, operations)).toBe('implicit-deny');
    expect(withCondition({ 'ForAnyValue:StringEquals': { 'kms:GrantOperations': ['Decrypt'] } }, operations)).toBe('allow');
    expect(withCondition({ 'ForAnyValue:StringEquals': { 'kms:GrantOperations': ['Encrypt'] } }, operations)).toBe('implicit-deny');
    expect(withCondition({ 'ForAnyValue:StringNotEquals': { 'kms:GrantOperations': ['Decrypt'] } }, operations)).toBe('allow');
    expect(withCondition({ 'ForAllValues:StringNotEquals': { 'kms:GrantOperations': ['Decrypt'] } }, operations)).toBe('implicit-deny');
    expect(withCondition({ 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt'] } }, { 'kms:GrantOperations': [] })).toBe('allow');
    expect(withCondition({ 'ForAnyValue:StringEquals': { 'kms:GrantOperations': ['Decrypt'] } }, { 'kms:GrantOperations': [] })).toBe('implicit-deny');
  });
});

describe('evaluateKeyPolicy: the condition keys of a copy, with the conditions behind each decision', () => {
  const VIA_EC2 = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };
  const ORG_UNKNOWN = { 'aws:PrincipalOrgID': 'the organization of account 222222222222 cannot be read from the source account' };
  const only = (Condition: PolicyStatement['Condition'], request: Partial<KeyRequest> = {}) => decide([allow({ Sid: 'Only', Principal: '*', Condition })], request);

  it('kms:ViaService: allows EC2 of the region, denies a direct call (no ViaService) and another region, with the value each carries', () => {
    const condition = { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } };
    expect(only(condition, { context: VIA_EC2 })).toMatchObject({
      decision: 'allow',
      conditions: [{ statement: 'Only', key: 'kms:ViaService', request: ['ec2.eu-west-1.amazonaws.com'], result: 'match' }],
    });
    expect(only(condition)).toMatchObject({
      decision: 'implicit-deny',
      conditions: [{ statement: 'Only', key: 'kms:ViaService', values: ['ec2.eu-west-1.amazonaws.com'], request: 'absent', result: 'no-match' }],
    });
    expect(only(condition, { context: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } })).toMatchObject({
      decision: 'implicit-deny',
      conditions: [{ request: ['ec2.us-east-1.amazonaws.com'], result: 'no-match' }],
    });
  });

  it('kms:CallerAccount: the principal\'s account, allowed or not, named in the conditions', () => {
    expect(only({ StringEquals: { 'kms:CallerAccount': TARGET_ACCOUNT } }).decision).toBe('allow');
    expect(only({ StringEquals: { 'kms:CallerAccount': SOURCE_ACCOUNT } })).toMatchObject({
      decision: 'implicit-deny',
      conditions: [{ key: 'kms:CallerAccount', values: [SOURCE_ACCOUNT], request: [TARGET_ACCOUNT], result: 'no-match' }],
    });
  });

  it('aws:PrincipalArn: the role ARN, not the session', () => {
    expect(only({ ArnEquals: { 'aws:PrincipalArn': TARGET_ROLE } }).decision).toBe('allow');
    expect(only({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/builder-*' } })).toMatchObject({
      decision: 'implicit-deny',
      conditions: [{ key: 'aws:PrincipalArn', request: [TARGET_ROLE], result: 'no-match' }],
    });
  });

  it('kms:GrantIsForAWSResource: true for EC2\'s grants, absent from a direct CreateGrant', () => {
    const condition = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
    expect(only(condition, { action: 'kms:CreateGrant', context: { ...VIA_EC2, 'kms:GrantIsForAWSResource': true } }).decision).toBe('allow');
    expect(only(condition, { action: 'kms:CreateGrant' })).toMatchObject({ decision: 'implicit-deny', conditions: [{ request: 'absent', result: 'no-match' }] });
  });

  it('aws:PrincipalOrgID: decided when the value is given, unknown with the caller\'s reason when it cannot be known', () => {
    const condition = { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } };
    expect(only(condition, { context: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }).decision).toBe('allow');
    expect(only(condition, { context: { 'aws:PrincipalOrgID': 'o-otherorg1' } })).toMatchObject({ decision: 'implicit-deny', conditions: [{ request: ['o-otherorg1'] }] });
    expect(only(condition, { unknownKeys: ORG_UNKNOWN })).toMatchObject({
      decision: 'unknown',
      unknownReasons: ['Only: aws:PrincipalOrgID: the organization of account 222222222222 cannot be read from the source account'],
      conditions: [{ key: 'aws:PrincipalOrgID', values: ['o-a1b2c3d4e5'], request: 'unknown', result: 'unknown' }],
    });
  });

  it('aws:PrincipalOrgPaths: a multivalued key compared with ForAnyValue, or unknown', () => {
    const condition = { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/*' } };
    expect(only(condition, { context: { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/'] } }).decision).toBe('allow');
    expect(only(condition, { context: { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'] } }).decision).toBe('implicit-deny');
    expect(only(condition).decision).toBe('unknown');
  });

  it('uses an assumed result for a condition it cannot evaluate, by the condition\'s id', () => {
    const condition = { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } };
    const [check] = only(condition, { unknownKeys: ORG_UNKNOWN }).conditions;
    expect(check?.id).toBe('stringequals aws:principalorgid ["o-a1b2c3d4e5"]');
    expect(only(condition, { assumptions: new Map([[check?.id as string, true]]) }).decision).toBe('allow');
    expect(only(condition, { assumptions: new Map([[check?.id as string, false]]) }).decision).toBe('implicit-deny');
    // An assumption never overrides a condition that can be evaluated.
    const account = { StringEquals: { 'kms:CallerAccount': SOURCE_ACCOUNT } };
    expect(only(account, { assumptions: new Map([['stringequals kms:calleraccount ["111111111111"]', true]]) }).decision).toBe('implicit-deny');
  });

  it('lists the conditions of a Deny that applies, with the values the request carries', () => {
    const denyDirect = deny({ Sid: 'OnlyThroughServices', Principal: '*', Condition: { Null: { 'kms:ViaService': 'true' } } });
    expect(decide([allow({}), denyDirect])).toMatchObject({
      decision: 'explicit-deny',
      statements: ['OnlyThroughServices'],
      conditions: [{ statement: 'OnlyThroughServices', operator: 'Null', key: 'kms:ViaService', request: 'absent', result: 'match' }],
    });
    expect(decide([allow({}), denyDirect], { context: VIA_EC2 }).decision).toBe('allow');
  });

  it('lists only the failing conditions of statements that name the principal, action and key on an implicit deny', () => {
    const result = decide([
      allow({ Sid: 'OtherRole', Principal: { AWS: SOURCE_ROLE }, Condition: { StringEquals: { 'kms:CallerAccount': SOURCE_ACCOUNT } } }),
      allow({ Sid: 'Ebs', Principal: '*', Condition: { StringEquals: { 'kms:CallerAccount': SOURCE_ACCOUNT, 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } } }),
    ], { context: VIA_EC2 });
    expect(result.conditions.map((c) => `${c.statement} ${c.key}`)).toEqual(['Ebs kms:CallerAccount']);
  });
});

describe('evaluateKeyPolicy: what it cannot evaluate', () => {
  it('is unknown when a condition key is not in the request context, and says which', () => {
    const result = decide([allow({ Sid: 'Org', Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } })]);
    expect(result).toEqual({
      decision: 'unknown',
      needsIdentityPolicy: false,
      statements: ['Org'],
      unknownReasons: ['Org: aws:PrincipalOrgID: not in the request context'],
      conditions: [
        {
          statement: 'Org',
          id: 'stringequals aws:principalorgid ["o-abc"]',
          operator: 'StringEquals',
          key: 'aws:PrincipalOrgID',
          values: ['o-abc'],
          request: 'unknown',
          result: 'unknown',
          reason: 'aws:PrincipalOrgID: not in the request context',
        },
      ],
    });
  });

  it('is unknown for an operator it does not support', () => {
    const result = decide([allow({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })]);
    expect(result.unknownReasons).toEqual(['#0: condition operator IpAddress (on aws:SourceIp) is not supported']);
  });

  it('is unknown for a policy variable in a condition value', () => {
    const result = decide([allow({ Condition: { StringEquals: { 'kms:CallerAccount': '${aws:PrincipalAccount}' } } })]);
    expect(result).toMatchObject({ decision: 'unknown', unknownReasons: ['#0: condition StringEquals on kms:CallerAccount uses a policy variable'] });
  });

  it('is unknown when a Deny might apply, even though an Allow does', () => {
    const result = decide([allow({ Sid: 'Use' }), deny({ Sid: 'OutsideNetwork', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })]);
    expect(result).toMatchObject({ decision: 'unknown', statements: ['OutsideNetwork'] });
  });

  it('still decides when another condition of the same statement rules it out', () => {
    const condition = { StringEquals: { 'aws:PrincipalOrgID': 'o-abc', 'kms:CallerAccount': '333333333333' } };
    expect(decide([allow({ Principal: '*', Condition: condition })]).decision).toBe('implicit-deny');
  });

  it('uses a condition key it would not know when the caller supplies it', () => {
    const condition = { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } };
    expect(decide([allow({ Condition: condition })], { context: { 'aws:PrincipalOrgID': 'o-abc' } }).decision).toBe('allow');
  });
});

describe('evaluateKeyPolicy: malformed input', () => {
  it('rejects what KMS would not accept as a key policy', () => {
    expect(() => evaluateKeyPolicy('{"Statement": [', targetDecrypt)).toThrow(PolicyFormatError);
    expect(() => evaluateKeyPolicy({ Version: '2012-10-17' }, targetDecrypt)).toThrow('The key policy has no Statement.');
    expect(() => evaluateKeyPolicy(policy({ ...allow({}), Effect: 'allow' as 'Allow' }), targetDecrypt)).toThrow('Statement 0 Effect must be "Allow" or "Deny".');
    expect(() => evaluateKeyPolicy(policy(allow({ NotAction: 'kms:Encrypt' })), targetDecrypt)).toThrow('Statement 0 must have exactly one of Action and NotAction.');
    expect(() => evaluateKeyPolicy(policy(allow({ Resource: undefined })), targetDecrypt)).toThrow('Statement 0 must have exactly one of Resource and NotResource.');
    expect(() => evaluateKeyPolicy(policy(allow({ Principal: undefined })), targetDecrypt)).toThrow('Statement 0 must have exactly one of Principal and NotPrincipal.');
  });

  it('rejects a request whose resource is not a key ARN', () => {
    expect(() => evaluateKeyPolicy(policy(allow({})), { ...targetDecrypt, resourceArn: '*' })).toThrow(TypeError);
  });
});
