import { describe, expect, it } from '@jest/globals';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { generatePolicies, type PolicyInputs } from '../../../src/policy/generate.js';
import { checkServiceLinkedRoleAccess, checkTargetCopyAccess } from '../../../src/policy/key-access-check.js';
import type { PolicyStatement } from '../../../src/policy/policy-document.js';
import { EXAMPLE_INPUTS, TARGET_KEY_ARN } from './example-inputs.js';
import { ACCOUNT_ROOT_ONLY, KEY_ARN, OTHER_KEY_ARN, SOURCE_ACCOUNT, SOURCE_ROLE, TARGET_ACCOUNT, TARGET_ROLE, policy } from './fixtures.js';

const FOR_AWS_RESOURCE = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
const TARGET_KEY_CENTRAL = 'arn:aws:kms:eu-central-1:222222222222:key/ef012345-ab12-cd34-ef56-abcdef123456';

const IMAGES = 'arn:aws:ec2:eu-west-1::image/*';
const SNAPSHOTS = 'arn:aws:ec2:eu-west-1::snapshot/*';
const tagged = (role: string) => ({ StringEquals: { 'ec2:ResourceTag/promote-ami:role': role } });
const NEVER_PUBLIC = { StringNotEquals: { 'ec2:Add/group': 'all' } };

const OWNED_BY_SOURCE = { StringEquals: { 'ec2:Owner': SOURCE_ACCOUNT } };

/** The README example's EC2 statements of the source role: ARNs and tag conditions wherever the SAR allows them. */
const SOURCE_EC2_STATEMENTS = [
  {
    Sid: 'DescribeImagesAndSnapshotsHaveNoResourceLevelPermissions',
    Effect: 'Allow',
    Action: ['ec2:DescribeImages', 'ec2:DescribeSnapshots'],
    Resource: '*',
    Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
  },
  { Sid: 'CopySourceAmisOfTheSourceAccount', Effect: 'Allow', Action: 'ec2:CopyImage', Resource: IMAGES, Condition: OWNED_BY_SOURCE },
  { Sid: 'CopyTheirSnapshotsWhichHaveNoOwnerKeyForCopyImage', Effect: 'Allow', Action: 'ec2:CopyImage', Resource: SNAPSHOTS },
  { Sid: 'MakeOnlyIntermediateCopiesTaggedAsSuch', Effect: 'Allow', Action: 'ec2:CopyImage', Resource: [IMAGES, SNAPSHOTS], Condition: { StringEquals: { 'aws:RequestTag/promote-ami:role': 'intermediate' } } },
  {
    Sid: 'TagTheIntermediateCopyOnlyAsCopyImageMakesIt',
    Effect: 'Allow',
    Action: 'ec2:CreateTags',
    Resource: [IMAGES, SNAPSHOTS],
    Condition: { StringEquals: { 'ec2:CreateAction': 'CopyImage', 'aws:RequestTag/promote-ami:role': 'intermediate' } },
  },
  {
    Sid: 'LeaseAndMarkOnlyIntermediateCopies',
    Effect: 'Allow',
    Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
    Resource: IMAGES,
    Condition: { ...tagged('intermediate'), 'ForAllValues:StringLike': { 'aws:TagKeys': ['promote-ami:lease:*', 'promote-ami:going:*'] } },
  },
  { Sid: 'ShareAndRemoveOnlyIntermediateCopies', Effect: 'Allow', Action: ['ec2:DeregisterImage', 'ec2:DescribeImageAttribute', 'ec2:ModifyImageAttribute'], Resource: IMAGES, Condition: tagged('intermediate') },
  {
    Sid: 'ShareAndDeleteOnlyIntermediateSnapshotsNeverPublicly',
    Effect: 'Allow',
    Action: ['ec2:DeleteSnapshot', 'ec2:DescribeSnapshotAttribute', 'ec2:ModifySnapshotAttribute'],
    Resource: SNAPSHOTS,
    Condition: { ...tagged('intermediate'), ...NEVER_PUBLIC },
  },
];

/** The README example's EC2 statements of the target role. */
const TARGET_EC2_STATEMENTS = [
  {
    Sid: 'DescribeCallsAndSettingsHaveNoResourceLevelPermissions',
    Effect: 'Allow',
    Action: ['ec2:DescribeImages', 'ec2:DescribeSnapshots', 'ec2:GetAllowedImagesSettings'],
    Resource: '*',
    Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
  },
  { Sid: 'CopyOnlyAmisOfTheSourceAccount', Effect: 'Allow', Action: 'ec2:CopyImage', Resource: IMAGES, Condition: { StringEquals: { 'ec2:Owner': SOURCE_ACCOUNT } } },
  { Sid: 'CopyTheirSnapshotsWhichHaveNoOwnerKeyForCopyImage', Effect: 'Allow', Action: 'ec2:CopyImage', Resource: SNAPSHOTS },
  { Sid: 'MakeOnlyCopiesTaggedAsPromoted', Effect: 'Allow', Action: 'ec2:CopyImage', Resource: [IMAGES, SNAPSHOTS], Condition: { StringEquals: { 'aws:RequestTag/promote-ami:role': 'promoted' } } },
  {
    Sid: 'TagTheCopiesOnlyAsCopyImageMakesThem',
    Effect: 'Allow',
    Action: 'ec2:CreateTags',
    Resource: [IMAGES, SNAPSHOTS],
    Condition: { StringEquals: { 'ec2:CreateAction': 'CopyImage', 'aws:RequestTag/promote-ami:role': 'promoted' } },
  },
  { Sid: 'RemoveOnlyCopiesTaggedAsPromoted', Effect: 'Allow', Action: ['ec2:DeleteSnapshot', 'ec2:DeregisterImage'], Resource: [IMAGES, SNAPSHOTS], Condition: tagged('promoted') },
];

const generate = (overrides: Partial<PolicyInputs>) => generatePolicies({ ...EXAMPLE_INPUTS, ...overrides });
const statement = (statements: PolicyStatement[], sid: string) => statements.find((s) => s.Sid === sid);
const sids = (statements: PolicyStatement[]) => statements.map((s) => s.Sid);

describe('generatePolicies for the README example', () => {
  const policies = generatePolicies(EXAMPLE_INPUTS);

  it('gives the source role EC2 in the source region, the shared key, and EC2 grants on it', () => {
    expect(policies.sourceRoleIamPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        ...SOURCE_EC2_STATEMENTS,
        {
          Sid: 'UseAndManageTheSharedKey',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GetKeyPolicy', 'kms:ReEncrypt*'],
          Resource: KEY_ARN,
        },
        { Sid: 'LetEc2CreateGrantsOnTheKeys', Effect: 'Allow', Action: 'kms:CreateGrant', Resource: KEY_ARN, Condition: FOR_AWS_RESOURCE },
      ],
    });
  });

  it('gives the target role use of the source and target keys, the copy, and nothing on other resources', () => {
    expect(policies.targetRoleIamPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'UseTheSharedSourceKey',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
          Resource: KEY_ARN,
        },
        {
          Sid: 'UseTheTargetKeys',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
          Resource: TARGET_KEY_ARN,
        },
        { Sid: 'LetEc2CreateGrantsOnTheKeys', Effect: 'Allow', Action: 'kms:CreateGrant', Resource: [KEY_ARN, TARGET_KEY_ARN], Condition: FOR_AWS_RESOURCE },
        ...TARGET_EC2_STATEMENTS,
        { Sid: 'CheckAutoScalingAccessToTheTargetKeys', Effect: 'Allow', Action: ['kms:GetKeyPolicy'], Resource: TARGET_KEY_ARN },
        { Sid: 'CheckOwnPermissionsInDryRun', Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: TARGET_ROLE },
      ],
    });
  });

  it('lets the target role check, or grant, Auto Scaling access to the target keys only as autoscaling-access asks', () => {
    const sids = (access: PolicyInputs['autoscalingAccess']) =>
      generatePolicies({ ...EXAMPLE_INPUTS, autoscalingAccess: access }).targetRoleIamPolicy.Statement.map((s) => s.Sid);
    expect(sids('off')).not.toContain('CheckAutoScalingAccessToTheTargetKeys');
    expect(sids('check')).toContain('CheckAutoScalingAccessToTheTargetKeys');
    expect(sids('check')).not.toContain('GrantAutoScalingUseOfTheTargetKeys');
    const granting = generatePolicies({ ...EXAMPLE_INPUTS, autoscalingAccess: 'grant' }).targetRoleIamPolicy.Statement;
    expect(statement(granting, 'CheckAutoScalingAccessToTheTargetKeys')?.Action).toEqual(['kms:GetKeyPolicy', 'kms:ListGrants']);
    const grant = statement(granting, 'GrantAutoScalingUseOfTheTargetKeys');
    expect(grant).toEqual({
      Sid: 'GrantAutoScalingUseOfTheTargetKeys',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: TARGET_KEY_ARN,
      Condition: { StringEquals: { 'kms:GranteePrincipal': 'arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling' } },
    });
  });

  it('names the target role in the key-policy statements', () => {
    expect(policies.keyPolicyStatements).toEqual([
      {
        Sid: 'AllowUseOfTheKeyForAmiPromotion222222222222',
        Effect: 'Allow',
        Principal: { AWS: TARGET_ROLE },
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
        Resource: '*',
      },
      {
        Sid: 'AllowAttachmentOfPersistentResourcesForAmiPromotion222222222222',
        Effect: 'Allow',
        Principal: { AWS: TARGET_ROLE },
        Action: ['kms:CreateGrant'],
        Resource: '*',
        Condition: FOR_AWS_RESOURCE,
      },
    ]);
  });

  it("trusts GitHub OIDC tokens of this repository's environment production only", () => {
    expect(policies.targetTrustPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'GitHubActionsOidc',
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': 'repo:OWNER/REPO:environment:production',
            },
          },
        },
      ],
    });
  });

  it('names the Auto Scaling service-linked role of the target account in the target-key statements', () => {
    const role = 'arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
    expect(policies.autoscalingKeyStatements).toEqual([
      {
        Sid: 'AllowServiceLinkedRoleUseOfTheCustomerManagedKey',
        Effect: 'Allow',
        Principal: { AWS: role },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
      },
      {
        Sid: 'AllowServiceLinkedRoleAttachmentOfPersistentResources',
        Effect: 'Allow',
        Principal: { AWS: role },
        Action: ['kms:CreateGrant'],
        Resource: '*',
        Condition: FOR_AWS_RESOURCE,
      },
    ]);
  });
});

describe('generatePolicies for other inputs', () => {
  it('adds kms:PutKeyPolicy only with key-access: key-policy; the grant is retired as its retiring principal, with no permission', () => {
    const actions = (keyAccess: PolicyInputs['keyAccess']) =>
      statement(generate({ keyAccess }).sourceRoleIamPolicy.Statement, 'UseAndManageTheSharedKey')?.Action;
    expect(actions('key-policy')).toContain('kms:PutKeyPolicy');
    expect(actions('verify')).not.toContain('kms:PutKeyPolicy');
    expect(actions('grant')).not.toContain('kms:PutKeyPolicy');
    for (const mode of ['verify', 'grant', 'key-policy'] as const) expect(actions(mode)).not.toEqual(expect.arrayContaining(['kms:RetireGrant']));
    expect(actions('grant')).not.toContain('kms:RevokeGrant');
  });

  it('lets the source role grant the shared key to the target role itself with key-access: grant', () => {
    const source = generate({ keyAccess: 'grant' }).sourceRoleIamPolicy.Statement;
    expect(source.at(-1)).toEqual({
      Sid: 'GrantTheTargetRoleUseOfTheSharedKey',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: KEY_ARN,
      Condition: { StringEquals: { 'kms:GranteePrincipal': TARGET_ROLE } },
    });
    expect(statement(generate({}).sourceRoleIamPolicy.Statement, 'GrantTheTargetRoleUseOfTheSharedKey')).toBeUndefined();
  });

  it('lets the source role read the other customer keys of the source snapshots, once each, in order', () => {
    const third = 'arn:aws:kms:eu-west-1:111111111111:key/ffff0000-12ab-34cd-56ef-1234567890ab';
    const source = generate({ extraSourceKeyArns: [third, OTHER_KEY_ARN, KEY_ARN, third] }).sourceRoleIamPolicy.Statement;
    expect(statement(source, 'ReadTheSourceSnapshotKeys')).toEqual({
      Sid: 'ReadTheSourceSnapshotKeys',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncryptFrom'],
      Resource: [OTHER_KEY_ARN, third],
    });
    expect(statement(source, 'LetEc2CreateGrantsOnTheKeys')?.Resource).toEqual([KEY_ARN, OTHER_KEY_ARN, third]);
  });

  it('leaves out the target-key statements when every region uses the default aws/ebs key', () => {
    const policies = generate({ targetKeyArns: {} });
    expect(sids(policies.targetRoleIamPolicy.Statement)).toEqual([
      'UseTheSharedSourceKey',
      'LetEc2CreateGrantsOnTheKeys',
      ...TARGET_EC2_STATEMENTS.map((s) => s.Sid),
      'CheckOwnPermissionsInDryRun',
    ]);
    expect(statement(policies.targetRoleIamPolicy.Statement, 'LetEc2CreateGrantsOnTheKeys')?.Resource).toBe(KEY_ARN);
    expect(policies.autoscalingKeyStatements).toEqual([]);
  });

  it('lists the target keys in target-region order and writes the SSM parameter in every region', () => {
    const policies = generate({
      targetRegions: ['eu-central-1', 'us-east-1', 'eu-west-1'],
      targetKeyArns: { 'eu-west-1': TARGET_KEY_ARN, 'eu-central-1': TARGET_KEY_CENTRAL, 'us-east-1': undefined },
      ssmParameter: '/golden-ami/latest',
    });
    const target = policies.targetRoleIamPolicy.Statement;
    expect(statement(target, 'UseTheTargetKeys')?.Resource).toEqual([TARGET_KEY_CENTRAL, TARGET_KEY_ARN]);
    expect(statement(target, 'PublishThePromotedAmiId')).toEqual({
      Sid: 'PublishThePromotedAmiId',
      Effect: 'Allow',
      Action: 'ssm:PutParameter',
      Resource: [
        'arn:aws:ssm:eu-central-1:222222222222:parameter/golden-ami/latest',
        'arn:aws:ssm:us-east-1:222222222222:parameter/golden-ami/latest',
        'arn:aws:ssm:eu-west-1:222222222222:parameter/golden-ami/latest',
      ],
    });
    expect(sids(target).indexOf('PublishThePromotedAmiId')).toBe(sids(target).indexOf('CheckOwnPermissionsInDryRun') - 1);
  });

  it('adds the launch-template statements only when asked for, on the launch templates of the account in the target regions', () => {
    const target = (overrides: Partial<PolicyInputs>) => generate({ targetRegions: ['eu-west-1', 'us-east-1'], ...overrides }).targetRoleIamPolicy.Statement;
    expect(sids(target({}))).not.toContain('PutThePromotedAmiInLaunchTemplates');
    expect(statement(target({ launchTemplates: true }), 'PutThePromotedAmiInLaunchTemplates')).toEqual({
      Sid: 'PutThePromotedAmiInLaunchTemplates',
      Effect: 'Allow',
      Action: 'ec2:CreateLaunchTemplateVersion',
      Resource: ['arn:aws:ec2:eu-west-1:222222222222:launch-template/*', 'arn:aws:ec2:us-east-1:222222222222:launch-template/*'],
    });
    expect(statement(target({ launchTemplates: true, launchTemplateDefault: true }), 'PutThePromotedAmiInLaunchTemplates')?.Action).toEqual(['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate']);
    expect(statement(target({ launchTemplates: true }), 'DescribeCallsAndSettingsHaveNoResourceLevelPermissions')).toMatchObject({
      Action: expect.arrayContaining(['ec2:DescribeLaunchTemplateVersions', 'ec2:DescribeLaunchTemplates']),
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } },
    });
  });

  it('retires only promoted AMIs of the lineage; deregistering adds nothing to what cleanup already has', () => {
    const retire = (mode: PolicyInputs['retire'], more: Partial<PolicyInputs> = {}) => generate({ retire: mode, lineage: 'web', ...more }).targetRoleIamPolicy.Statement;
    const lineage = { StringEquals: { 'ec2:ResourceTag/promote-ami:role': 'promoted', 'ec2:ResourceTag/promote-ami:lineage': 'web' } };
    expect(sids(retire('none'))).not.toContain('RetireOnlyEarlierPromotionsOfTheLineage');
    expect(statement(retire('disable'), 'RetireOnlyEarlierPromotionsOfTheLineage')).toEqual({ Sid: 'RetireOnlyEarlierPromotionsOfTheLineage', Effect: 'Allow', Action: 'ec2:DisableImage', Resource: IMAGES, Condition: lineage });
    expect(statement(retire('deprecate'), 'RetireOnlyEarlierPromotionsOfTheLineage')?.Action).toBe('ec2:EnableImageDeprecation');
    expect(sids(retire('deprecate', { deprecation: true }))).not.toContain('RetireOnlyEarlierPromotionsOfTheLineage');
    expect(sids(retire('deregister'))).not.toContain('RetireOnlyEarlierPromotionsOfTheLineage');
    expect(statement(retire('deregister'), 'DescribeCallsAndSettingsHaveNoResourceLevelPermissions')?.Action).toContain('ec2:DescribeImageReferences');
  });

  it('protects and deprecates only promoted AMIs, and only when asked for', () => {
    expect(sids(generate({}).targetRoleIamPolicy.Statement)).not.toContain('FinishAndShareOnlyPromotedAmis');
    expect(statement(generate({ deregistrationProtection: true, deprecation: true }).targetRoleIamPolicy.Statement, 'FinishAndShareOnlyPromotedAmis')).toEqual({
      Sid: 'FinishAndShareOnlyPromotedAmis',
      Effect: 'Allow',
      Action: ['ec2:EnableImageDeprecation', 'ec2:EnableImageDeregistrationProtection'],
      Resource: IMAGES,
      Condition: tagged('promoted'),
    });
  });

  it('gives the source role the intermediate copy when the AMI is re-encrypted, its own AMIs shared as they are when not, both when unknown', () => {
    const source = (reencrypt: boolean | undefined) => sids(generate({ reencrypt }).sourceRoleIamPolicy.Statement);
    expect(source(true)).toContain('MakeOnlyIntermediateCopiesTaggedAsSuch');
    expect(source(true)).not.toContain('ShareSourceAmisOfTheSourceAccount');
    expect(source(false)).toEqual(expect.arrayContaining(['ShareSourceAmisOfTheSourceAccount', 'ShareSourceSnapshotsOfTheSourceAccountNeverPublicly']));
    expect(source(false)).not.toContain('CopySourceAmisOfTheSourceAccount');
    expect(source(undefined)).toEqual(expect.arrayContaining(['ShareSourceAmisOfTheSourceAccount', 'MakeOnlyIntermediateCopiesTaggedAsSuch']));
    const shareAsIs = statement(generate({ reencrypt: false }).sourceRoleIamPolicy.Statement, 'ShareSourceSnapshotsOfTheSourceAccountNeverPublicly');
    expect(shareAsIs?.Condition).toEqual({ StringEquals: { 'ec2:Owner': SOURCE_ACCOUNT }, ...NEVER_PUBLIC });
  });

  it('lets the target role name the default EBS key only where a target region uses it', () => {
    const reads = (targetKeyArns: PolicyInputs['targetKeyArns']) => statement(generate({ targetKeyArns }).targetRoleIamPolicy.Statement, 'DescribeCallsAndSettingsHaveNoResourceLevelPermissions')?.Action;
    expect(reads({})).toContain('ec2:GetEbsDefaultKmsKeyId');
    expect(reads(EXAMPLE_INPUTS.targetKeyArns)).not.toContain('ec2:GetEbsDefaultKmsKeyId');
  });

  it('keeps every Sid unique within each policy, for every combination of the optional inputs', () => {
    for (const retire of ['none', 'deprecate', 'disable', 'deregister'] as const) {
      const all = generate({ retire, lineage: 'web', launchTemplates: true, launchTemplateDefault: true, deprecation: true, deregistrationProtection: true, keyAccess: 'grant', autoscalingAccess: 'grant', ssmParameter: '/x', shareWith: [{ kind: 'account', accountId: '444455556666' }] });
      for (const document of [all.sourceRoleIamPolicy, all.targetRoleIamPolicy]) expect(new Set(sids(document.Statement)).size).toBe(document.Statement.length);
    }
  });

  it('uses the partition, the audience, and a placeholder when the repository is unknown', () => {
    const trust = generate({ partition: 'aws-cn', audience: 'my-audience', repository: undefined }).targetTrustPolicy.Statement[0];
    expect(trust?.Principal).toEqual({ Federated: 'arn:aws-cn:iam::222222222222:oidc-provider/token.actions.githubusercontent.com' });
    expect(trust?.Condition).toEqual({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'my-audience', 'token.actions.githubusercontent.com:sub': 'repo:OWNER/REPO:environment:production' },
    });
  });

  it('scopes the trust to the given environment, or to a branch for jobs without an environment', () => {
    const sub = (subject: PolicyInputs['subject']) =>
      (generate({ repository: 'acme/images', subject }).targetTrustPolicy.Statement[0]?.Condition?.StringEquals as Record<string, string>)['token.actions.githubusercontent.com:sub'];
    expect(sub({ environment: 'prod-eu' })).toBe('repo:acme/images:environment:prod-eu');
    expect(sub({ branch: 'main' })).toBe('repo:acme/images:ref:refs/heads/main');
    expect(sub(undefined)).toBe('repo:acme/images:environment:production');
  });

  it("with role-chaining, trusts the environment's principal with sts:AssumeRole instead of OIDC tokens", () => {
    const runner = 'arn:aws:iam::333333333333:role/ci-runner';
    expect(generate({ roleChaining: true, chainingPrincipalArn: runner }).targetTrustPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'RoleChainingPrincipal', Effect: 'Allow', Principal: { AWS: runner }, Action: 'sts:AssumeRole' }],
    });
  });

  it("with role-chaining and the environment's principal unknown, trusts the source account, which delegates to its IAM policies", () => {
    const trust = generate({ roleChaining: true }).targetTrustPolicy.Statement;
    expect(trust).toEqual([{ Sid: 'RoleChainingPrincipal', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SOURCE_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }]);
    expect(JSON.stringify(trust)).not.toContain('oidc-provider');
    expect(JSON.stringify(trust)).not.toContain(SOURCE_ROLE);
  });

  it('leaves the IAM and key policies as they are with role-chaining: only the trust changes', () => {
    const plain = generatePolicies(EXAMPLE_INPUTS);
    expect({ ...generate({ roleChaining: true }), targetTrustPolicy: plain.targetTrustPolicy }).toEqual(plain);
  });
});

describe('the generated policies do what they are for', () => {
  const policies = generatePolicies(EXAMPLE_INPUTS);

  it('make a key policy that only trusts its own account pass checkTargetCopyAccess', () => {
    const before = ACCOUNT_ROOT_ONLY(SOURCE_ACCOUNT);
    const options = { keyArn: KEY_ARN, roleArn: TARGET_ROLE, region: 'eu-west-1' };
    expect(checkTargetCopyAccess(before, options).ok).toBe(false);
    expect(checkTargetCopyAccess(policy(...before.Statement, ...policies.keyPolicyStatements), options).ok).toBe(true);
  });

  it('make a target key pass checkServiceLinkedRoleAccess', () => {
    const keyPolicy = policy(...ACCOUNT_ROOT_ONLY(TARGET_ACCOUNT).Statement, ...policies.autoscalingKeyStatements);
    expect(checkServiceLinkedRoleAccess(keyPolicy, { keyArn: TARGET_KEY_ARN, accountId: TARGET_ACCOUNT, partition: 'aws' }).ok).toBe(true);
  });

  // iam-simulate (test-only) checks the pair the way AWS combines them: the cross-account role needs both.
  it.each([
    ['kms:DescribeKey', {}],
    ['kms:Decrypt', {}],
    ['kms:ReEncryptFrom', {}],
    ['kms:GenerateDataKeyWithoutPlaintext', {}],
    ['kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true' }],
  ])('allow the target role %s on the source key, with the IAM policy and the key statements together', async (action, context) => {
    const simulate = async (identity: boolean, statements: PolicyStatement[]) => {
      const result = await runSimulation(
        {
          request: {
            principal: TARGET_ROLE,
            action,
            resource: { resource: KEY_ARN, accountId: SOURCE_ACCOUNT },
            contextVariables: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com', ...context },
          },
          identityPolicies: identity ? [{ name: 'target', policy: policies.targetRoleIamPolicy }] : [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: policy(...ACCOUNT_ROOT_ONLY(SOURCE_ACCOUNT).Statement, ...statements),
        },
        {},
      );
      return result.resultType === 'error' ? JSON.stringify(result.errors) : result.overallResult;
    };
    expect(await simulate(true, policies.keyPolicyStatements)).toBe('Allowed');
    expect(await simulate(false, policies.keyPolicyStatements)).toBe('ImplicitlyDenied');
    expect(await simulate(true, [])).toBe('ImplicitlyDenied');
  });
});
