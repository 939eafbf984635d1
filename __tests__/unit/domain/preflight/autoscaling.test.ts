import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { CreateGrantCommand, GetKeyPolicyCommand, ListGrantsCommand } from '@aws-sdk/client-kms';
import { checkAutoscalingAccess, grantAutoscalingAccess } from '../../../../src/domain/preflight/autoscaling.js';
import { PromotionError } from '../../../../src/aws/errors.js';
import { promote, runPreflight } from '../../../../src/domain/pipeline.js';
import type { AutoscalingAccessMode } from '../../../../src/domain/types.js';
import type { PolicyStatement } from '../../../../src/policy/policy-document.js';
import {
  SECOND_REGION,
  SOURCE_REGION,
  TARGET_ACCOUNT,
  TARGET_ALIAS,
  TARGET_ROLE,
  TARGET_ROOT,
  awsError,
  buildContext,
  keyPolicy,
  stubWorld,
  targetKeyArn,
  customerTargetKey, defaultTargetKey, awsManagedTargetKey,
} from '../../../support/pipeline-fixtures.js';

const SLR = `arn:aws:iam::${TARGET_ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
const OPERATIONS = ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'DescribeKey', 'CreateGrant'];
const TWO_REGIONS = [SOURCE_REGION, SECOND_REGION];

/** Seed 003, example 1, with the real service-linked role ARN of the target account. */
const SEED_003_STATEMENTS: PolicyStatement[] = [
  {
    Sid: 'AllowServiceLinkedRoleUseOfTheCustomerManagedKey',
    Effect: 'Allow',
    Principal: { AWS: SLR },
    Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    Resource: '*',
  },
  {
    Sid: 'AllowServiceLinkedRoleAttachmentOfPersistentResources',
    Effect: 'Allow',
    Principal: { AWS: SLR },
    Action: ['kms:CreateGrant'],
    Resource: '*',
    Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  },
];
const TARGET_ROOT_STATEMENT: PolicyStatement = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: TARGET_ROOT }, Action: 'kms:*', Resource: '*' };


function setup(autoscalingAccess: AutoscalingAccessMode = 'check', regions = [SOURCE_REGION]) {
  return buildContext({ autoscalingAccess, targetRegions: regions, targetKey: { kind: 'alias', aliasName: TARGET_ALIAS } });
}

describe('autoscaling-access: check', () => {
  it('warns, with the seed-003 statements and the real service-linked role ARN, when the key policy does not name the role', async () => {
    const fx = setup('check', TWO_REGIONS);
    const kms = fx.target.kms(SECOND_REGION);
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(keyPolicy(TARGET_ROOT_STATEMENT)), PolicyName: 'default' });
    const arn = targetKeyArn(SECOND_REGION);
    await expect(checkAutoscalingAccess(fx.ctx, customerTargetKey(SECOND_REGION))).resolves.toEqual({
      check: `Auto Scaling can use the target key in ${SECOND_REGION}`,
      side: 'target',
      status: 'warning',
      detail: `the key policy of ${arn} does not let ${SLR} use the key; Auto Scaling groups will fail to launch instances from the promoted AMI.`,
      fix: `Add these statements to the key policy of ${arn}:\n${JSON.stringify(SEED_003_STATEMENTS, null, 2)}\nor set autoscaling-access: grant to have the action create a grant for the role.`,
    });
    // Read with the target credentials, in the key's region.
    expect(kms.commandCalls(GetKeyPolicyCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: arn, PolicyName: 'default' }]);
    expect(fx.sent.map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`)).toEqual([`target kms ${SECOND_REGION} GetKeyPolicy`]);
    expect(fx.mutations()).toEqual([]);
  });

  it('asks only for the grant statement when the key policy already lets the role use the key', async () => {
    const fx = setup();
    fx.target.kms(SOURCE_REGION).on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(keyPolicy(TARGET_ROOT_STATEMENT, SEED_003_STATEMENTS[0] as PolicyStatement)) });
    const finding = await checkAutoscalingAccess(fx.ctx, customerTargetKey(SOURCE_REGION));
    expect(finding?.status).toBe('warning');
    expect(finding?.fix).toContain(JSON.stringify([SEED_003_STATEMENTS[1]], null, 2));
    expect(finding?.fix).not.toContain('AllowServiceLinkedRoleUseOfTheCustomerManagedKey');
  });

  it('is ok when the key policy names the service-linked role', async () => {
    const fx = setup();
    fx.target.kms(SOURCE_REGION).on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(keyPolicy(TARGET_ROOT_STATEMENT, ...SEED_003_STATEMENTS)) });
    await expect(checkAutoscalingAccess(fx.ctx, customerTargetKey(SOURCE_REGION))).resolves.toEqual({
      check: `Auto Scaling can use the target key in ${SOURCE_REGION}`,
      side: 'target',
      status: 'ok',
      detail: `${SLR} may use ${targetKeyArn(SOURCE_REGION)}.`,
    });
  });

  it.each([
    ['the default EBS key', defaultTargetKey(SOURCE_REGION)],
    ['an AWS-managed key', awsManagedTargetKey(SOURCE_REGION)],
  ])('says nothing, and reads nothing, for %s', async (_, key) => {
    const fx = setup();
    await expect(checkAutoscalingAccess(fx.ctx, key)).resolves.toBeUndefined();
    expect(fx.sent).toEqual([]);
  });

  it('is unchecked when the target role may not read the key policy', async () => {
    const fx = setup();
    fx.target.kms(SOURCE_REGION).on(GetKeyPolicyCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:GetKeyPolicy'));
    const arn = targetKeyArn(SOURCE_REGION);
    await expect(checkAutoscalingAccess(fx.ctx, customerTargetKey(SOURCE_REGION))).resolves.toEqual({
      check: `Auto Scaling can use the target key in ${SOURCE_REGION}`,
      side: 'target',
      status: 'unchecked',
      detail: `the target role may not read the key policy of ${arn} (kms:GetKeyPolicy).`,
      fix: `Allow kms:GetKeyPolicy on ${arn} to ${TARGET_ROLE}, or set autoscaling-access: off.`,
    });
  });

  it('is unchecked, with the reason, when reading the key policy fails otherwise (it never ends the preflight)', async () => {
    const fx = setup();
    fx.target.kms(SOURCE_REGION).on(GetKeyPolicyCommand).rejects(awsError('KMSInternalException', 'Internal error'));
    await expect(checkAutoscalingAccess(fx.ctx, customerTargetKey(SOURCE_REGION))).resolves.toEqual({
      check: `Auto Scaling can use the target key in ${SOURCE_REGION}`,
      side: 'target',
      status: 'unchecked',
      detail: `the key policy of ${targetKeyArn(SOURCE_REGION)} could not be read (KMSInternalException: Internal error).`,
    });
  });
});

describe('autoscaling-access: grant', () => {
  it('creates a grant for the service-linked role with the target credentials in the key\'s region', async () => {
    const fx = setup('grant', TWO_REGIONS);
    const kms = fx.target.kms(SECOND_REGION);
    kms.on(ListGrantsCommand).resolves({ Grants: [], Truncated: false });
    kms.on(CreateGrantCommand).resolves({ GrantId: 'grant-slr', GrantToken: 'token' });
    const arn = targetKeyArn(SECOND_REGION);
    const change = await grantAutoscalingAccess(fx.ctx, customerTargetKey(SECOND_REGION));
    expect(kms.commandCalls(ListGrantsCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: arn, GranteePrincipal: SLR }]);
    expect(kms.commandCalls(CreateGrantCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: arn, GranteePrincipal: SLR, Operations: OPERATIONS, Name: 'promote-ami-autoscaling' }]);
    expect(fx.sent.map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`)).toEqual([`target kms ${SECOND_REGION} ListGrants`, `target kms ${SECOND_REGION} CreateGrant`]);
    expect(change).toBe(`grant promote-ami-autoscaling on ${arn} for ${SLR} (kept: Auto Scaling needs it to launch the AMI)`);
    // Kept after the run: nothing for cleanup to undo.
    expect(fx.journal.entries()).toEqual([]);
  });

  it('does not create it again when ListGrants shows it exists', async () => {
    const fx = setup('grant');
    const kms = fx.target.kms(SOURCE_REGION);
    kms.on(ListGrantsCommand).resolves({ Grants: [{ GrantId: 'grant-slr', KeyId: targetKeyArn(SOURCE_REGION), GranteePrincipal: SLR, Operations: [...OPERATIONS].reverse() as never, Name: 'promote-ami-autoscaling' }] });
    kms.on(CreateGrantCommand).resolves({ GrantId: 'grant-slr-2' });
    await expect(grantAutoscalingAccess(fx.ctx, customerTargetKey(SOURCE_REGION))).resolves.toBeUndefined();
    expect(kms).toHaveReceivedCommandTimes(CreateGrantCommand, 0);
    expect(fx.log.messages('info')).toEqual([`${SLR} already has a grant on ${targetKeyArn(SOURCE_REGION)}.`]);
  });

  it('creates it when the existing grant lacks some operations', async () => {
    const fx = setup('grant');
    const kms = fx.target.kms(SOURCE_REGION);
    kms.on(ListGrantsCommand).resolves({ Grants: [{ GrantId: 'old', GranteePrincipal: SLR, Operations: ['Decrypt', 'DescribeKey'] }] });
    kms.on(CreateGrantCommand).resolves({ GrantId: 'grant-slr' });
    await grantAutoscalingAccess(fx.ctx, customerTargetKey(SOURCE_REGION));
    expect(kms).toHaveReceivedCommandTimes(CreateGrantCommand, 1);
  });

  it('does nothing for the default EBS key or an AWS-managed key', async () => {
    const fx = setup('grant');
    await expect(grantAutoscalingAccess(fx.ctx, defaultTargetKey(SOURCE_REGION))).resolves.toBeUndefined();
    await expect(grantAutoscalingAccess(fx.ctx, awsManagedTargetKey(SOURCE_REGION))).resolves.toBeUndefined();
    expect(fx.sent).toEqual([]);
  });

  it('explains a denied CreateGrant: target account, region, the action and the key', async () => {
    const fx = setup('grant');
    const kms = fx.target.kms(SOURCE_REGION);
    kms.on(ListGrantsCommand).resolves({ Grants: [] });
    kms.on(CreateGrantCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:CreateGrant'));
    const error = (await grantAutoscalingAccess(fx.ctx, customerTargetKey(SOURCE_REGION)).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(error.details.fix).toContain(`"Action": "kms:CreateGrant"`);
    expect(error.details.fix).toContain(`"Resource": "${targetKeyArn(SOURCE_REGION)}"`);
  });
});

describe('autoscaling-access in a whole promotion', () => {
  function world(autoscalingAccess: AutoscalingAccessMode) {
    const fx = setup(autoscalingAccess, TWO_REGIONS);
    stubWorld(fx);
    for (const region of TWO_REGIONS) {
      const kms = fx.target.kms(region);
      kms.on(GetKeyPolicyCommand, { KeyId: targetKeyArn(region) }).resolves({ Policy: JSON.stringify(keyPolicy(TARGET_ROOT_STATEMENT)) });
      kms.on(ListGrantsCommand).resolves({ Grants: [] });
      kms.on(CreateGrantCommand).resolves({ GrantId: `grant-${region}` });
    }
    return fx;
  }
  const autoscalingCalls = (fx: ReturnType<typeof world>) =>
    fx.sent.filter((c) => c.side === 'target' && c.service === 'kms' && ['GetKeyPolicy', 'ListGrants', 'CreateGrant'].includes(c.command)).map((c) => `${c.region} ${c.command}`);

  it('off: not a single Auto Scaling call', async () => {
    const fx = world('off');
    await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(autoscalingCalls(fx)).toEqual([]);
  });

  it('check: reads the key policies, warns, and grants nothing', async () => {
    const fx = world('check');
    await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(autoscalingCalls(fx).sort()).toEqual([`${SECOND_REGION} GetKeyPolicy`, `${SOURCE_REGION} GetKeyPolicy`]);
    expect(fx.log.messages('warning').filter((m) => m.includes('Auto Scaling can use the target key'))).toHaveLength(2);
  });

  it('grant: one grant per region after the copies, reported as a kept change', async () => {
    const fx = world('grant');
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(autoscalingCalls(fx).filter((c) => !c.endsWith('GetKeyPolicy')).sort()).toEqual([
      `${SECOND_REGION} CreateGrant`,
      `${SECOND_REGION} ListGrants`,
      `${SOURCE_REGION} CreateGrant`,
      `${SOURCE_REGION} ListGrants`,
    ]);
    const order = fx.sent.map((c) => `${c.side} ${c.command}`);
    expect(order.indexOf('target CreateGrant')).toBeGreaterThan(order.lastIndexOf('target CopyImage'));
    expect(result.keyChanges).toEqual(TWO_REGIONS.map((r) => `grant promote-ami-autoscaling on ${targetKeyArn(r)} for ${SLR} (kept: Auto Scaling needs it to launch the AMI)`));
  });
});
