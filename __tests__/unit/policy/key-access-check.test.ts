import { describe, expect, it } from '@jest/globals';
import { checkDirectDescribeKey, checkServiceLinkedRoleAccess, checkTargetCopyAccess, type KeyAccessReport } from '../../../src/policy/key-access-check.js';
import type { PolicyDocument, PolicyStatement } from '../../../src/policy/policy-document.js';
import {
  ACCOUNT_ROOT_ONLY,
  KEY_ARN,
  SEED_000_POLICY,
  SOURCE_ACCOUNT,
  SOURCE_ROLE,
  SOURCE_ROOT,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  TARGET_ROOT,
  policy,
} from './fixtures.js';

const target = { keyArn: KEY_ARN, roleArn: TARGET_ROLE, region: 'eu-west-1' };
const COPY_ACTIONS = ['kms:DescribeKey', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant'];

const TARGET_USE_STATEMENT: PolicyStatement = {
  Sid: 'AllowUseOfTheKeyForAmiPromotion222222222222',
  Effect: 'Allow',
  Principal: { AWS: TARGET_ROLE },
  Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
  Resource: '*',
};
const TARGET_GRANT_STATEMENT: PolicyStatement = {
  Sid: 'AllowAttachmentOfPersistentResourcesForAmiPromotion222222222222',
  Effect: 'Allow',
  Principal: { AWS: TARGET_ROLE },
  Action: ['kms:CreateGrant'],
  Resource: '*',
  Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
};

const statuses = (report: KeyAccessReport) => Object.fromEntries(report.actions.map(({ action, status }) => [action, status]));
const allStatus = (actions: string[], status: string) => Object.fromEntries(actions.map((action) => [action, status]));
const withStatements = (document: PolicyDocument, statements: PolicyStatement[]) => policy(...document.Statement, ...statements);

describe('checkTargetCopyAccess', () => {
  it('is ok when the key policy allows the target account root, and says IAM must allow it too', () => {
    const report = checkTargetCopyAccess(ACCOUNT_ROOT_ONLY(TARGET_ACCOUNT), target);
    expect(report).toMatchObject({ principalArn: TARGET_ROLE, ok: true, needsIdentityPolicy: true, statementsToAdd: [] });
    expect(statuses(report)).toEqual(allStatus(COPY_ACTIONS, 'ok'));
    expect(report.actions.every(({ evaluation }) => evaluation.allowedBy === 'account')).toBe(true);
  });

  it('reports every action missing, and the two statements to add, when nothing allows the target', () => {
    const report = checkTargetCopyAccess(ACCOUNT_ROOT_ONLY(SOURCE_ACCOUNT), target);
    expect(report.ok).toBe(false);
    expect(report.needsIdentityPolicy).toBe(false);
    expect(statuses(report)).toEqual(allStatus(COPY_ACTIONS, 'missing'));
    expect(report.statementsToAdd).toEqual([TARGET_USE_STATEMENT, TARGET_GRANT_STATEMENT]);
  });

  it('is ok once the statements it asks for are added', () => {
    const before = ACCOUNT_ROOT_ONLY(SOURCE_ACCOUNT);
    const after = withStatements(before, checkTargetCopyAccess(before, target).statementsToAdd);
    expect(checkTargetCopyAccess(after, target)).toMatchObject({ ok: true, needsIdentityPolicy: true, statementsToAdd: [] });
  });

  it('is ok for seed 000, which names the target role in its use and persistent-resource statements', () => {
    const report = checkTargetCopyAccess(SEED_000_POLICY, target);
    expect(report).toMatchObject({ ok: true, needsIdentityPolicy: true, statementsToAdd: [] });
    expect(report.actions.map(({ evaluation }) => evaluation.statements)).toEqual([
      ['Allow use of the key'],
      ['Allow use of the key'],
      ['Allow use of the key'],
      ['Allow attachment of persistent resources'],
    ]);
  });

  it('asks only for the persistent-resource statement when CreateGrant is allowed for direct calls only', () => {
    const document = policy(
      { Effect: 'Allow', Principal: { AWS: TARGET_ROLE }, Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncrypt*'], Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: TARGET_ROLE }, Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': false } } },
    );
    const report = checkTargetCopyAccess(document, target);
    expect(statuses(report)).toEqual({ ...allStatus(COPY_ACTIONS, 'ok'), 'kms:CreateGrant': 'missing' });
    expect(report.statementsToAdd).toEqual([TARGET_GRANT_STATEMENT]);
  });

  it('reports an explicit Deny and proposes nothing for it', () => {
    const document = withStatements(SEED_000_POLICY, [
      { Sid: 'NoGrants', Effect: 'Deny', Principal: '*', Action: 'kms:CreateGrant', Resource: '*' },
    ]);
    const report = checkTargetCopyAccess(document, target);
    expect(statuses(report)).toEqual({ ...allStatus(COPY_ACTIONS, 'ok'), 'kms:CreateGrant': 'explicit-deny' });
    expect(report).toMatchObject({ ok: false, statementsToAdd: [] });
  });

  it('follows NotAction: everything but CreateGrant is allowed', () => {
    const document = policy({ Effect: 'Allow', Principal: { AWS: TARGET_ROOT }, NotAction: 'kms:CreateGrant', Resource: '*' });
    const report = checkTargetCopyAccess(document, target);
    expect(statuses(report)).toEqual({ ...allStatus(COPY_ACTIONS, 'ok'), 'kms:CreateGrant': 'missing' });
    expect(report.statementsToAdd).toEqual([TARGET_GRANT_STATEMENT]);
  });

  it('follows NotPrincipal: a Deny for everyone outside the source account denies the target role', () => {
    const document = withStatements(SEED_000_POLICY, [
      { Effect: 'Deny', NotPrincipal: { AWS: [SOURCE_ROOT, SOURCE_ROLE] }, Action: 'kms:*', Resource: '*' },
    ]);
    expect(statuses(checkTargetCopyAccess(document, target))).toEqual(allStatus(COPY_ACTIONS, 'explicit-deny'));
  });

  it('accepts a wildcard principal narrowed to the target account with kms:CallerAccount', () => {
    const document = policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': TARGET_ACCOUNT } } });
    const report = checkTargetCopyAccess(document, target);
    expect(report).toMatchObject({ ok: true, needsIdentityPolicy: true });
    expect(report.actions.every(({ evaluation }) => evaluation.allowedBy === 'principal')).toBe(true);
  });

  const viaOnly = (endpoint: string) =>
    policy({ Sid: 'ViaEc2', Effect: 'Allow', Principal: { AWS: TARGET_ROLE }, Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': endpoint } } });

  it('evaluates kms:ViaService for EC2 of the copy region, which is the key region here', () => {
    expect(checkTargetCopyAccess(viaOnly('ec2.eu-west-1.amazonaws.com'), target).ok).toBe(true);
    const report = checkTargetCopyAccess(viaOnly('ec2.us-east-1.amazonaws.com'), target);
    expect(statuses(report)).toEqual(allStatus(COPY_ACTIONS, 'missing'));
    expect(report.actions[0]?.evaluation.conditions).toEqual([
      expect.objectContaining({ statement: 'ViaEc2', key: 'kms:ViaService', values: ['ec2.us-east-1.amazonaws.com'], request: ['ec2.eu-west-1.amazonaws.com'], result: 'no-match' }),
    ]);
  });

  it('is unknown for a copy into another region when the policy allows only one of the two EC2 endpoints', () => {
    const report = checkTargetCopyAccess(viaOnly('ec2.eu-west-1.amazonaws.com'), { ...target, region: 'eu-central-1' });
    expect(statuses(report)).toEqual(allStatus(COPY_ACTIONS, 'unknown'));
    expect(report.actions[0]?.evaluation.unknownReasons).toEqual([
      'kms:ViaService: for a copy into eu-central-1 of snapshots under a key in eu-west-1, AWS does not document whether EC2 calls the key as ec2.eu-west-1.amazonaws.com or ec2.eu-central-1.amazonaws.com, and the key policy allows only one of them',
    ]);
    const both = policy({ ...viaOnly('').Statement[0], Condition: { StringEquals: { 'kms:ViaService': ['ec2.eu-west-1.amazonaws.com', 'ec2.eu-central-1.amazonaws.com'] } } } as PolicyStatement);
    expect(checkTargetCopyAccess(both, { ...target, region: 'eu-central-1' }).ok).toBe(true);
    expect(statuses(checkTargetCopyAccess(viaOnly('ec2.us-east-1.amazonaws.com'), { ...target, region: 'eu-central-1' }))).toEqual(allStatus(COPY_ACTIONS, 'missing'));
  });

  it('accepts the aws/ebs pattern for the target account: everyone, through EC2, with kms:CallerAccount', () => {
    const ebsStyle = policy({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': TARGET_ACCOUNT, 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } },
    });
    expect(checkTargetCopyAccess(ebsStyle, target).ok).toBe(true);
    expect(checkDirectDescribeKey(ebsStyle, target).decision).toBe('implicit-deny');
  });

  it('is unknown, proposing nothing, when the policy depends on the role\'s organization, and says why', () => {
    const document = policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } });
    const report = checkTargetCopyAccess(document, target);
    expect(statuses(report)).toEqual(allStatus(COPY_ACTIONS, 'unknown'));
    expect(report).toMatchObject({ ok: false, statementsToAdd: [] });
    expect(report.actions[0]?.evaluation.unknownReasons).toEqual(['#0: aws:PrincipalOrgID: the organization of account 222222222222 cannot be read from the source account']);
    const paths = policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/*' } } });
    expect(checkTargetCopyAccess(paths, target).actions[0]?.evaluation.unknownReasons).toEqual([
      '#0: aws:PrincipalOrgPaths: the organizational units of account 222222222222 cannot be read from the source account',
    ]);
  });

  it('decides an organization condition when told how it turns out (assumptions, by condition id)', () => {
    const document = policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } });
    const id = checkTargetCopyAccess(document, target).actions[0]?.evaluation.conditions[0]?.id as string;
    expect(checkTargetCopyAccess(document, { ...target, assumptions: new Map([[id, true]]) }).ok).toBe(true);
    expect(statuses(checkTargetCopyAccess(document, { ...target, assumptions: new Map([[id, false]]) }))).toEqual(allStatus(COPY_ACTIONS, 'missing'));
  });

  it('rejects a role ARN that is not one', () => {
    expect(() => checkTargetCopyAccess(SEED_000_POLICY, { ...target, roleArn: TARGET_ROOT })).toThrow(TypeError);
  });
});

describe('checkDirectDescribeKey (the probe)', () => {
  it('carries no kms:ViaService: a policy allowing the role only through EC2 denies it, naming the condition', () => {
    const document = policy({
      Sid: 'ViaEc2',
      Effect: 'Allow',
      Principal: { AWS: TARGET_ROLE },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } },
    });
    const probe = checkDirectDescribeKey(document, target);
    expect(probe.decision).toBe('implicit-deny');
    expect(probe.conditions).toEqual([expect.objectContaining({ statement: 'ViaEc2', key: 'kms:ViaService', request: 'absent', result: 'no-match' })]);
    expect(checkDirectDescribeKey(SEED_000_POLICY, target).decision).toBe('allow');
  });

  it('is unknown on an organization condition, as the copy is', () => {
    const document = policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } });
    expect(checkDirectDescribeKey(document, target).decision).toBe('unknown');
  });
});

describe('checkServiceLinkedRoleAccess', () => {
  const TARGET_KEY = 'arn:aws:kms:eu-west-1:222222222222:key/5678efab-12ab-34cd-56ef-1234567890ab';
  const SERVICE_LINKED_ROLE = 'arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
  const SLR_ACTIONS = [
    'kms:Encrypt',
    'kms:Decrypt',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext',
    'kms:DescribeKey',
    'kms:CreateGrant',
  ];
  // Seed 003, example 1, for the target account.
  const SEED_003_EXAMPLE_1: PolicyStatement[] = [
    {
      Sid: 'AllowServiceLinkedRoleUseOfTheCustomerManagedKey',
      Effect: 'Allow',
      Principal: { AWS: SERVICE_LINKED_ROLE },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    },
    {
      Sid: 'AllowServiceLinkedRoleAttachmentOfPersistentResources',
      Effect: 'Allow',
      Principal: { AWS: SERVICE_LINKED_ROLE },
      Action: ['kms:CreateGrant'],
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ];
  const sameAccount = { keyArn: TARGET_KEY, accountId: TARGET_ACCOUNT, partition: 'aws' };

  it('does not count the account root: the service-linked role has no IAM policy for customer keys', () => {
    const report = checkServiceLinkedRoleAccess(ACCOUNT_ROOT_ONLY(TARGET_ACCOUNT), sameAccount);
    expect(report).toMatchObject({ principalArn: SERVICE_LINKED_ROLE, ok: false, grantRequired: false });
    expect(statuses(report)).toEqual(allStatus(SLR_ACTIONS, 'missing'));
    expect(report.statementsToAdd).toEqual(SEED_003_EXAMPLE_1);
  });

  it('is ok with the statements of seed 003, example 1', () => {
    const report = checkServiceLinkedRoleAccess(withStatements(ACCOUNT_ROOT_ONLY(TARGET_ACCOUNT), SEED_003_EXAMPLE_1), sameAccount);
    expect(report).toMatchObject({ ok: true, needsIdentityPolicy: false, statementsToAdd: [], grantRequired: false });
  });

  it('asks for the persistent-resource statement when only use of the key is allowed', () => {
    const document = withStatements(ACCOUNT_ROOT_ONLY(TARGET_ACCOUNT), [SEED_003_EXAMPLE_1[0] as PolicyStatement]);
    const report = checkServiceLinkedRoleAccess(document, sameAccount);
    expect(statuses(report)).toEqual({ ...allStatus(SLR_ACTIONS, 'ok'), 'kms:CreateGrant': 'missing' });
    expect(report.statementsToAdd).toEqual([SEED_003_EXAMPLE_1[1]]);
  });

  it('uses the partition in the service-linked role ARN', () => {
    const report = checkServiceLinkedRoleAccess(ACCOUNT_ROOT_ONLY(TARGET_ACCOUNT), { ...sameAccount, partition: 'aws-us-gov' });
    expect(report.principalArn).toBe('arn:aws-us-gov:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling');
  });

  describe('for a key in another account (seed 003, example 2)', () => {
    const crossAccount = { keyArn: KEY_ARN, accountId: TARGET_ACCOUNT, partition: 'aws' };
    const EXAMPLE_2: PolicyStatement[] = [
      {
        Sid: 'AllowExternalAccount222222222222UseOfTheCustomerManagedKey',
        Effect: 'Allow',
        Principal: { AWS: TARGET_ROOT },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
      },
      {
        Sid: 'AllowAttachmentOfPersistentResourcesInExternalAccount222222222222',
        Effect: 'Allow',
        Principal: { AWS: TARGET_ROOT },
        Action: ['kms:CreateGrant'],
        Resource: '*',
      },
    ];

    it('asks for the statements that allow the account, and a grant', () => {
      const report = checkServiceLinkedRoleAccess(ACCOUNT_ROOT_ONLY(SOURCE_ACCOUNT), crossAccount);
      expect(report).toMatchObject({ ok: false, grantRequired: true, statementsToAdd: EXAMPLE_2 });
    });

    it('is ok, still needing the grant, once the account is allowed', () => {
      const report = checkServiceLinkedRoleAccess(withStatements(ACCOUNT_ROOT_ONLY(SOURCE_ACCOUNT), EXAMPLE_2), crossAccount);
      expect(report).toMatchObject({ ok: true, needsIdentityPolicy: true, grantRequired: true, statementsToAdd: [] });
    });

    it('does not accept a CreateGrant limited to AWS resources: the account creates the grant itself', () => {
      const limited = policy(...ACCOUNT_ROOT_ONLY(SOURCE_ACCOUNT).Statement, EXAMPLE_2[0] as PolicyStatement, {
        ...(EXAMPLE_2[1] as PolicyStatement),
        Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
      });
      expect(statuses(checkServiceLinkedRoleAccess(limited, crossAccount))['kms:CreateGrant']).toBe('missing');
    });
  });
});
