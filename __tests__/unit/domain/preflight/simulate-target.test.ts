import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { SimulatePrincipalPolicyCommand, type SimulatePrincipalPolicyCommandInput } from '@aws-sdk/client-iam';
import { simulateTargetRole } from '../../../../src/domain/preflight/simulate-target.js';
import {
  KEY_ARN,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SECOND_REGION,
  SOURCE_REGION,
  SOURCE_ROOT,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  awsError,
  buildContext,
  policyAllowingTargetRole,
  stubSimulation,
  targetKeyArn,
  type Fixture,
  type SimulatedVerdict,
  customerTargetKey, defaultTargetKey, awsManagedTargetKey, type RequestOverrides } from '../../../support/pipeline-fixtures.js';

const POLICY = JSON.stringify(policyAllowingTargetRole());
const context = (entries: Record<string, string>) => Object.entries(entries).map(([ContextKeyName, value]) => ({ ContextKeyName, ContextKeyValues: [value], ContextKeyType: 'string' }));
const ATTACH = context({ 'aws:RequestTag/promote-ami:role': 'promoted', 'ec2:CreateAction': 'CopyImage' });
const PROMOTED = context({ 'ec2:ResourceTag/promote-ami:role': 'promoted' });
const IMAGES = `arn:aws:ec2:${SOURCE_REGION}::image/*`;
const SNAPSHOTS = `arn:aws:ec2:${SOURCE_REGION}::snapshot/*`;
/** The EC2 simulations of a plain promotion: each on the ARN EC2 authorizes, with the keys it sends (label, input). */
const EC2_SIMULATIONS: [string, { ActionNames: string[]; ResourceArns: string[]; ContextEntries?: ReturnType<typeof context> }][] = [
  ['EC2 calls without resource-level permissions', { ActionNames: ['ec2:DescribeImages', 'ec2:DescribeSnapshots'], ResourceArns: ['*'], ContextEntries: context({ 'aws:RequestedRegion': SOURCE_REGION }) }],
  ['the copy of the shared AMI', { ActionNames: ['ec2:CopyImage'], ResourceArns: [`arn:aws:ec2:${SOURCE_REGION}::image/${SOURCE_AMI}`], ContextEntries: context({ 'ec2:Owner': SOURCE_ACCOUNT }) }],
  ["the copy of the shared AMI's snapshots", { ActionNames: ['ec2:CopyImage'], ResourceArns: [SNAPSHOTS] }],
  ['the new copies tagged at creation', { ActionNames: ['ec2:CopyImage', 'ec2:CreateTags'], ResourceArns: [IMAGES], ContextEntries: ATTACH }],
  ["the new copies' snapshots tagged at creation", { ActionNames: ['ec2:CopyImage', 'ec2:CreateTags'], ResourceArns: [SNAPSHOTS], ContextEntries: ATTACH }],
  ['the promoted AMIs', { ActionNames: ['ec2:DeregisterImage'], ResourceArns: [IMAGES], ContextEntries: PROMOTED }],
  ["the promoted AMIs' snapshots", { ActionNames: ['ec2:DeleteSnapshot'], ResourceArns: [SNAPSHOTS], ContextEntries: PROMOTED }],
];
const EC2_SENT = EC2_SIMULATIONS.map(([, input]) => ({ PolicySourceArn: TARGET_ROLE, ...input }));
const EC2_OK = EC2_SIMULATIONS.map(([label, input]) => ({ check: `The target role's IAM policy allows ${label}`, side: 'target', status: 'ok', detail: `${input.ActionNames.join(', ')} allowed.` }));
const N = EC2_SENT.length;
const SOURCE_KEY_ACTIONS = ['kms:DescribeKey', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant'];
const TARGET_KEY_ACTIONS = ['kms:DescribeKey', 'kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo'];
const EC2_CHECK = "The target role's IAM policy allows EC2 calls without resource-level permissions";
const SOURCE_KEY_CHECK = `The target role's IAM policy allows the source key ${KEY_ARN}`;

const viaEc2 = (region: string) => [
  { ContextKeyName: 'kms:ViaService', ContextKeyValues: [`ec2.${region}.amazonaws.com`], ContextKeyType: 'string' },
  { ContextKeyName: 'kms:CallerAccount', ContextKeyValues: [TARGET_ACCOUNT], ContextKeyType: 'string' },
  { ContextKeyName: 'kms:GrantIsForAWSResource', ContextKeyValues: ['true'], ContextKeyType: 'boolean' },
];
const parameterArn = (region: string, name: string) => `arn:aws:ssm:${region}:${TARGET_ACCOUNT}:parameter/${name}`;

function setup(request: RequestOverrides = {}, verdict?: SimulatedVerdict) {
  const fx = buildContext(request);
  const iam = stubSimulation(fx, verdict);
  return { fx, iam };
}

/** The inputs of every SimulatePrincipalPolicy call, in order, with undefined fields dropped. */
function sent(fx: Fixture): SimulatePrincipalPolicyCommandInput[] {
  return fx.sent
    .filter((c) => c.command === 'SimulatePrincipalPolicy')
    .map((c) => JSON.parse(JSON.stringify(c.input)) as SimulatePrincipalPolicyCommandInput);
}

const SLR_ARN = `arn:aws:iam::${TARGET_ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;

describe('simulate-target: what is simulated', () => {
  it('verify: the EC2 actions, then the source key with its key policy as resource policy, owner and caller, via EC2', async () => {
    const { fx, iam } = setup({ keyAccess: 'verify' });
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, [defaultTargetKey(SOURCE_REGION)]);
    expect(sent(fx)).toEqual([
      ...EC2_SENT,
      {
        PolicySourceArn: TARGET_ROLE,
        ActionNames: SOURCE_KEY_ACTIONS,
        ResourceArns: [KEY_ARN],
        ResourcePolicy: POLICY,
        ResourceOwner: SOURCE_ROOT,
        CallerArn: TARGET_ROLE,
        ContextEntries: viaEc2(SOURCE_REGION),
      },
    ]);
    // With the target account's credentials (IAM is global: the client of the source region), never the source's.
    expect(new Set(fx.sent.map((c) => `${c.side} ${c.service} ${c.region}`))).toEqual(new Set([`target iam ${SOURCE_REGION}`]));
    expect(iam).toHaveReceivedCommandTimes(SimulatePrincipalPolicyCommand, N + 1);
    expect(findings).toEqual([
      ...EC2_OK,
      { check: SOURCE_KEY_CHECK, side: 'target', status: 'ok', detail: `${SOURCE_KEY_ACTIONS.join(', ')} allowed.` },
    ]);
  });

  it('copy-method snapshots: CopySnapshot and RegisterImage on the ARNs and with the keys EC2 sends, never CopyImage', async () => {
    const { fx } = setup({ keyAccess: 'key-policy', copyMethod: 'snapshots' });
    await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    const tagged = (action: string) => context({ 'aws:RequestTag/promote-ami:role': 'promoted', 'ec2:CreateAction': action });
    expect(sent(fx).slice(0, N)).toEqual(
      [
        EC2_SIMULATIONS[0]?.[1],
        { ActionNames: ['ec2:CopySnapshot'], ResourceArns: [SNAPSHOTS] },
        { ActionNames: ['ec2:CopySnapshot', 'ec2:CreateTags'], ResourceArns: [SNAPSHOTS], ContextEntries: tagged('CopySnapshot') },
        { ActionNames: ['ec2:RegisterImage', 'ec2:CreateTags'], ResourceArns: [IMAGES], ContextEntries: tagged('RegisterImage') },
        { ActionNames: ['ec2:RegisterImage'], ResourceArns: [SNAPSHOTS], ContextEntries: PROMOTED },
        ...EC2_SIMULATIONS.slice(5).map(([, input]) => input),
      ].map((input) => ({ PolicySourceArn: TARGET_ROLE, ...input })),
    );
    expect(JSON.stringify(sent(fx))).not.toContain('ec2:CopyImage');
  });

  it('verify without a readable key policy: the source key against the identity policies alone', async () => {
    const { fx } = setup({ keyAccess: 'verify' });
    await simulateTargetRole(fx.ctx, KEY_ARN, undefined, []);
    expect(sent(fx)[N]).toEqual({ PolicySourceArn: TARGET_ROLE, ActionNames: SOURCE_KEY_ACTIONS, ResourceArns: [KEY_ARN], ContextEntries: viaEc2(SOURCE_REGION) });
  });

  it('key-policy: the source key against the identity policies alone (the key policy is about to change)', async () => {
    const { fx } = setup({ keyAccess: 'key-policy' });
    await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(sent(fx)).toEqual([
      ...EC2_SENT,
      { PolicySourceArn: TARGET_ROLE, ActionNames: SOURCE_KEY_ACTIONS, ResourceArns: [KEY_ARN], ContextEntries: viaEc2(SOURCE_REGION) },
    ]);
  });

  it('grant: no simulation of the source key (the grant needs no IAM policy)', async () => {
    const { fx } = setup({ keyAccess: 'grant' });
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(sent(fx)).toEqual(EC2_SENT);
    expect(findings).toEqual(EC2_OK);
  });

  it('the customer-managed target keys only, each via EC2 in its own region', async () => {
    const { fx } = setup({ keyAccess: 'grant', targetRegions: [SOURCE_REGION, SECOND_REGION, 'us-east-1'] });
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, [customerTargetKey(SOURCE_REGION), customerTargetKey(SECOND_REGION), awsManagedTargetKey('us-east-1'), defaultTargetKey('eu-north-1')]);
    expect(sent(fx).slice(N)).toEqual([
      { PolicySourceArn: TARGET_ROLE, ActionNames: TARGET_KEY_ACTIONS, ResourceArns: [targetKeyArn(SOURCE_REGION)], ContextEntries: viaEc2(SOURCE_REGION) },
      { PolicySourceArn: TARGET_ROLE, ActionNames: TARGET_KEY_ACTIONS, ResourceArns: [targetKeyArn(SECOND_REGION)], ContextEntries: viaEc2(SECOND_REGION) },
    ]);
    expect(findings.map((f) => f.check).slice(N - 1)).toEqual([
      EC2_OK.at(-1)?.check,
      `The target role's IAM policy allows the target key ${targetKeyArn(SOURCE_REGION)}`,
      `The target role's IAM policy allows the target key ${targetKeyArn(SECOND_REGION)}`,
    ]);
  });

  it.each([
    ['/golden/ami', 'golden/ami'],
    ['golden-ami', 'golden-ami'],
  ])('ssm-parameter %s: ssm:PutParameter on that parameter in every target region', async (ssmParameter, path) => {
    const { fx } = setup({ keyAccess: 'grant', ssmParameter, targetRegions: [SOURCE_REGION, SECOND_REGION] });
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(sent(fx).slice(N)).toEqual([
      { PolicySourceArn: TARGET_ROLE, ActionNames: ['ssm:PutParameter'], ResourceArns: [parameterArn(SOURCE_REGION, path)] },
      { PolicySourceArn: TARGET_ROLE, ActionNames: ['ssm:PutParameter'], ResourceArns: [parameterArn(SECOND_REGION, path)] },
    ]);
    expect(findings.map((f) => f.check).slice(N)).toEqual([`The target role's IAM policy allows the SSM parameter in ${SOURCE_REGION}`, `The target role's IAM policy allows the SSM parameter in ${SECOND_REGION}`]);
  });

  it('the finishing EC2 actions when deregistration protection or deprecation is asked for, on promoted AMIs', async () => {
    const { fx } = setup({ keyAccess: 'grant', deregistrationProtection: true, deprecateAfterDays: 30 });
    await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(sent(fx)[5]).toEqual({ ...EC2_SENT[5], ActionNames: ['ec2:DeregisterImage', 'ec2:EnableImageDeregistrationProtection', 'ec2:EnableImageDeprecation'] });
  });

  it('retire-previous and launch templates: the lineage tag on promoted AMIs, the template actions on launch-template ARNs', async () => {
    const { fx } = setup({ keyAccess: 'grant', lineage: 'web', retire: { mode: 'disable', keepPrevious: 0, keepIfLaunchedWithinDays: 0 }, launchTemplates: ['web'], launchTemplateDefault: true });
    await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(sent(fx)[0]?.ActionNames).toEqual(expect.arrayContaining(['ec2:DescribeImageReferences', 'ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions']));
    expect(sent(fx)[5]).toEqual({ ...EC2_SENT[5], ActionNames: ['ec2:DeregisterImage', 'ec2:DisableImage'], ContextEntries: [...PROMOTED, ...context({ 'ec2:ResourceTag/promote-ami:lineage': 'web' })] });
    expect(sent(fx)[N]).toEqual({
      PolicySourceArn: TARGET_ROLE,
      ActionNames: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'],
      ResourceArns: [`arn:aws:ec2:${SOURCE_REGION}:${TARGET_ACCOUNT}:launch-template/*`],
    });
  });

  it('autoscaling-access: grant adds the target role\'s own ListGrants and CreateGrant on each customer-managed target key', async () => {
    const { fx } = setup({ keyAccess: 'grant', autoscalingAccess: 'grant' });
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, [customerTargetKey(SOURCE_REGION), defaultTargetKey(SOURCE_REGION)]);
    expect(sent(fx).slice(N + 1)).toEqual([
      {
        PolicySourceArn: TARGET_ROLE,
        ActionNames: ['kms:ListGrants', 'kms:CreateGrant'],
        ResourceArns: [targetKeyArn(SOURCE_REGION)],
        // The generated policy allows CreateGrant only for the Auto Scaling service-linked role.
        ContextEntries: [{ ContextKeyName: 'kms:GranteePrincipal', ContextKeyValues: [SLR_ARN], ContextKeyType: 'string' }],
      },
    ]);
    expect(findings.at(-1)?.check).toBe(`The target role's IAM policy allows the Auto Scaling grant on the target key ${targetKeyArn(SOURCE_REGION)}`);
  });
});

describe('simulate-target: verdicts', () => {
  it('implicitDeny: missing, with an IAM statement naming exactly the denied actions and the resource', async () => {
    const { fx } = setup({ keyAccess: 'verify' }, (action, resource) => (resource === KEY_ARN && ['kms:Decrypt', 'kms:CreateGrant'].includes(action) ? 'implicitDeny' : undefined));
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(findings).toEqual([
      ...EC2_OK,
      {
        check: SOURCE_KEY_CHECK,
        side: 'target',
        status: 'missing',
        detail: `kms:Decrypt, kms:CreateGrant on ${KEY_ARN} is not allowed.`,
        fix: `Add this statement to the IAM policy of ${TARGET_ROLE}:\n${JSON.stringify({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:CreateGrant'], Resource: KEY_ARN }, null, 2)}`,
      },
    ]);
  });

  it('implicitDeny on a customer-managed target key: only a warning, since the key policy of the role\'s own account may allow it', async () => {
    const target = targetKeyArn(SOURCE_REGION);
    const { fx } = setup({ keyAccess: 'grant' }, (action, resource) => (resource === target && action === 'kms:ReEncryptTo' ? 'implicitDeny' : undefined));
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, [customerTargetKey(SOURCE_REGION)]);
    expect(findings.find((f) => f.check.includes(target))).toEqual({
      check: `The target role's IAM policy allows the target key ${target}`,
      side: 'target',
      status: 'warning',
      detail: `kms:ReEncryptTo on ${target} is not allowed by the role's IAM policy; the copy still works if the key's own policy names the role.`,
      fix: `Add this statement to the IAM policy of ${TARGET_ROLE}:\n${JSON.stringify({ Effect: 'Allow', Action: ['kms:ReEncryptTo'], Resource: target }, null, 2)}`,
    });
  });

  it('explicitDeny: missing, saying a Deny blocks it', async () => {
    const { fx } = setup({ keyAccess: 'grant' }, (action) => (action === 'ec2:DescribeImages' ? 'explicitDeny' : undefined));
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(findings.filter((f) => f.status !== 'ok')).toEqual([
      {
        check: EC2_CHECK,
        side: 'target',
        status: 'missing',
        detail: 'an explicit Deny blocks ec2:DescribeImages on *.',
        fix: `Remove the Deny for these actions from the policies (or permissions boundary / SCP) of ${TARGET_ROLE}.`,
      },
    ]);
  });

  it('an explicit Deny and a missing Allow together: both reported', async () => {
    const { fx } = setup({ keyAccess: 'grant' }, (action) => (action === 'ec2:DescribeImages' ? 'explicitDeny' : action === 'ec2:DescribeSnapshots' ? 'implicitDeny' : undefined));
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(findings.filter((f) => f.status !== 'ok').map((f) => [f.status, f.detail])).toEqual([
      ['missing', 'an explicit Deny blocks ec2:DescribeImages on *.'],
      ['missing', 'ec2:DescribeSnapshots on * is not allowed.'],
    ]);
    expect(findings[1]?.fix).toContain(JSON.stringify({ Effect: 'Allow', Action: ['ec2:DescribeSnapshots'], Resource: '*' }, null, 2));
  });

  it('a missing ssm:PutParameter names the parameter ARN of that region', async () => {
    const { fx } = setup({ keyAccess: 'grant', ssmParameter: '/golden/ami', targetRegions: [SOURCE_REGION, SECOND_REGION] }, (action, resource) =>
      action === 'ssm:PutParameter' && resource.includes(SECOND_REGION) ? 'implicitDeny' : undefined,
    );
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(findings.filter((f) => f.status === 'missing')).toEqual([
      {
        check: `The target role's IAM policy allows the SSM parameter in ${SECOND_REGION}`,
        side: 'target',
        status: 'missing',
        detail: `ssm:PutParameter on ${parameterArn(SECOND_REGION, 'golden/ami')} is not allowed.`,
        fix: `Add this statement to the IAM policy of ${TARGET_ROLE}:\n${JSON.stringify({ Effect: 'Allow', Action: ['ssm:PutParameter'], Resource: parameterArn(SECOND_REGION, 'golden/ami') }, null, 2)}`,
      },
    ]);
  });
});

describe('simulate-target: when the simulation cannot run', () => {
  it('AccessDenied: one unchecked finding that says how to enable the check, after a single call', async () => {
    const { fx, iam } = setup({ keyAccess: 'verify', targetKey: { kind: 'alias', aliasName: 'alias/golden-ami' }, ssmParameter: 'x' });
    iam.on(SimulatePrincipalPolicyCommand).rejects(awsError('AccessDenied', `User: ${TARGET_ROLE} is not authorized to perform: iam:SimulatePrincipalPolicy`));
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, [customerTargetKey(SOURCE_REGION)]);
    expect(findings).toEqual([
      {
        check: "The target role's IAM policy (simulated)",
        side: 'target',
        status: 'unchecked',
        detail: "the target role may not call iam:SimulatePrincipalPolicy on itself; only the DescribeKey probe and the copy itself test the target role's IAM policy.",
        fix: `To have it checked, allow iam:SimulatePrincipalPolicy on ${TARGET_ROLE} to that role.`,
      },
    ]);
    expect(iam).toHaveReceivedCommandTimes(SimulatePrincipalPolicyCommand, 1);
  });

  it('a simulator that refuses the key policy as resource policy: the identity policies are simulated alone', async () => {
    const { fx, iam } = setup({ keyAccess: 'verify' }, (action) => (action === 'kms:ReEncryptFrom' ? 'implicitDeny' : undefined));
    iam.on(SimulatePrincipalPolicyCommand, { ResourcePolicy: POLICY }).rejects(awsError('InvalidInput', 'Invalid CallerArn: must be an IAM user'));
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(sent(fx).slice(N)).toEqual([
      { PolicySourceArn: TARGET_ROLE, ActionNames: SOURCE_KEY_ACTIONS, ResourceArns: [KEY_ARN], ResourcePolicy: POLICY, ResourceOwner: SOURCE_ROOT, CallerArn: TARGET_ROLE, ContextEntries: viaEc2(SOURCE_REGION) },
      { PolicySourceArn: TARGET_ROLE, ActionNames: SOURCE_KEY_ACTIONS, ResourceArns: [KEY_ARN], ContextEntries: viaEc2(SOURCE_REGION) },
    ]);
    expect(findings[N]).toMatchObject({
      check: SOURCE_KEY_CHECK,
      status: 'missing',
      detail: `kms:ReEncryptFrom on ${KEY_ARN} is not allowed (its IAM policy alone: the simulator refused the key policy as resource policy: Invalid CallerArn: must be an IAM user).`,
    });
  });

  it('another failure of one simulation: that one is unchecked, the findings before and after it are kept', async () => {
    const { fx, iam } = setup({ keyAccess: 'key-policy', ssmParameter: 'x' }, (action) => (action === 'ec2:DescribeImages' ? 'implicitDeny' : undefined));
    iam.on(SimulatePrincipalPolicyCommand, { ResourceArns: [KEY_ARN] }).rejects(awsError('ServiceFailure', 'Internal error'));
    const findings = await simulateTargetRole(fx.ctx, KEY_ARN, POLICY, []);
    expect(findings.map((f) => `${f.status} ${f.check}`)).toEqual([`missing ${EC2_CHECK}`, ...EC2_OK.slice(1).map((f) => `ok ${f.check}`), `unchecked ${SOURCE_KEY_CHECK}`, `ok The target role's IAM policy allows the SSM parameter in ${SOURCE_REGION}`]);
    expect(findings[N]?.detail).toBe('the simulation failed (Internal error).');
  });
});
