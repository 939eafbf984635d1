import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { PromotionError } from '../../../../src/aws/errors.js';
import { planFrom } from '../../../../src/domain/plan.js';
import { runPreflight } from '../../../../src/domain/pipeline.js';
import { missingFindings, preflight, preflightError, type PreflightFinding, type PreflightResult } from '../../../../src/domain/preflight/preflight.js';
import type { KeyAccessMode } from '../../../../src/domain/types.js';
import { autoScalingKeyStatements, targetRoleKeyStatements } from '../../../../src/policy/key-policy-statements.js';
import type { PolicyStatement } from '../../../../src/policy/policy-document.js';
import {
  KEY_ARN,
  OTHER_ACCOUNT,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  TARGET_ACCOUNT,
  TARGET_ALIAS,
  TARGET_ROLE,
  awsError,
  buildContext,
  image,
  keyMetadata,
  keyPolicy,
  policyAllowingTargetRole,
  policyAllowingTargetRoot,
  policyWithoutTarget,
  stubEarlierPromotion,
  stubSimulation,
  stubWorld,
  targetDefaultKeyArn,
  targetImageId,
  targetKeyArn,
  targetSnapshotIds,
  type Fixture,
  type SimulatedVerdict,
  targetRegionsOf,
  type WorldOptions,
  type RequestOverrides,
} from '../../../support/pipeline-fixtures.js';

const TWO_REGIONS = [SOURCE_REGION, SECOND_REGION];
const ALIAS = { kind: 'alias', aliasName: TARGET_ALIAS } as const;
const MODES: KeyAccessMode[] = ['verify', 'grant', 'key-policy'];
const ALL_KEY_ACTIONS = 'kms:DescribeKey, kms:Decrypt, kms:ReEncryptFrom, kms:CreateGrant';
const KEY_POLICY_CHECK = 'The source key policy lets the target role copy';
const PROBE_CHECK = 'The target role can reach the source key';
const SLR = `arn:aws:iam::${TARGET_ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
const json = (value: unknown) => JSON.stringify(value, null, 2);

function setup(request: RequestOverrides = {}, options: WorldOptions = {}, verdict?: SimulatedVerdict) {
  const fx = buildContext(request);
  const w = stubWorld(fx, options);
  const iam = stubSimulation(fx, verdict);
  return { fx, w, iam };
}

/** Findings without the refusal objects and accounts (checked on their own), for exact comparison. */
function rows(result: PreflightResult): Omit<PreflightFinding, 'error' | 'accountId'>[] {
  return result.findings.map(({ error: _error, accountId: _accountId, ...finding }) => finding);
}

function summary(result: PreflightResult): string[] {
  return result.findings.map((f) => `${f.status} ${f.side} ${f.check}`);
}

/** The findings of one check, without their accounts (checked on their own). */
function only(result: PreflightResult, check: string): PreflightFinding[] {
  return result.findings.filter((f) => f.check === check).map(({ accountId: _accountId, ...finding }) => finding);
}

function trail(fx: Fixture): string[] {
  return fx.sent.map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`);
}

/** Preflight reads only: nothing changed, nothing recorded, nothing waited for. */
/** The EC2 simulations of the target role (ec2-simulations.ts) for a plain promotion, with their actions. */
const EC2_SIMULATIONS = [
  ['EC2 calls without resource-level permissions', 'ec2:DescribeImages, ec2:DescribeSnapshots'],
  ['the copy of the shared AMI', 'ec2:CopyImage'],
  ["the copy of the shared AMI's snapshots", 'ec2:CopyImage'],
  ['the new copies tagged at creation', 'ec2:CopyImage, ec2:CreateTags'],
  ["the new copies' snapshots tagged at creation", 'ec2:CopyImage, ec2:CreateTags'],
  ['the promoted AMIs', 'ec2:DeregisterImage'],
  ["the promoted AMIs' snapshots", 'ec2:DeleteSnapshot'],
];

function expectReadOnly(fx: Fixture): void {
  expect(fx.mutations()).toEqual([]);
  expect(fx.sent.filter((c) => !/^(Describe|Get|List|Simulate)/.test(c.command))).toEqual([]);
  expect(fx.journal.entries()).toEqual([]);
  expect(fx.clock.sleeps).toEqual([]);
}

describe('preflight: a promotion that can go ahead', () => {
  it('reports every check ok, in order, reading each account with its own credentials', async () => {
    const { fx, iam } = setup();
    const result = await preflight(fx.ctx);

    expect(rows(result)).toEqual([
      { check: `The target key in ${SOURCE_REGION}`, side: 'target', status: 'ok', detail: `copies will use ${targetDefaultKeyArn(SOURCE_REGION)} (default EBS key).` },
      { check: 'The source AMI can be promoted', side: 'source', status: 'ok', detail: `${SOURCE_AMI} "golden-base-2030.01.01" is available, EBS-backed, with 1 snapshot(s).` },
      { check: 'The source key can be shared', side: 'source', status: 'ok', detail: `${KEY_ARN} is customer-managed, symmetric and enabled.` },
      { check: 'Re-encryption', side: 'source', status: 'ok', detail: `an intermediate copy under ${KEY_ARN} will be made in the source account.` },
      { check: `The AMI name is free in ${SOURCE_REGION}`, side: 'target', status: 'ok', detail: `account ${TARGET_ACCOUNT} has no AMI named "golden-base-2030.01.01" in ${SOURCE_REGION}.` },
      {
        check: "The tags fit EC2's limits",
        side: 'target',
        status: 'ok',
        detail: `tags per AMI and per snapshot: the intermediate copy in ${SOURCE_REGION}: 8, the promoted AMI in ${SOURCE_REGION}: 10 (EC2 allows 50).`,
      },
      { check: KEY_POLICY_CHECK, side: 'source', status: 'ok', detail: `${TARGET_ROLE} may use ${KEY_ARN} for EBS copies (its own IAM policy must allow it too).` },
      { check: PROBE_CHECK, side: 'target', status: 'ok', detail: `DescribeKey on ${KEY_ARN} with the target credentials works.` },
      ...EC2_SIMULATIONS.map(([label, actions]) => ({ check: `The target role's IAM policy allows ${label}`, side: 'target', status: 'ok', detail: `${actions} allowed.` })),
      { check: `The target role's IAM policy allows the source key ${KEY_ARN}`, side: 'target', status: 'ok', detail: `${ALL_KEY_ACTIONS} allowed.` },
    ]);
    expect(missingFindings(result)).toEqual([]);
    expect(trail(fx)).toEqual([
      `target ec2 ${SOURCE_REGION} GetEbsDefaultKmsKeyId`,
      `target ec2 ${SOURCE_REGION} DescribeImages`,
      `source ec2 ${SOURCE_REGION} DescribeImages`,
      `source kms ${SOURCE_REGION} DescribeKey`,
      `source kms ${SOURCE_REGION} GetKeyPolicy`,
      `target ec2 ${SOURCE_REGION} GetAllowedImagesSettings`,
      `source ec2 ${SOURCE_REGION} DescribeSnapshots`,
      // The key checks go on while the snapshots are described and the AMI name is looked up.
      `target kms ${SOURCE_REGION} DescribeKey`,
      `target iam ${SOURCE_REGION} SimulatePrincipalPolicy`,
      `target ec2 ${SOURCE_REGION} DescribeImages`,
      // One simulation per EC2 resource, then the source key.
      ...[...EC2_SIMULATIONS.slice(1), 'the source key'].map(() => `target iam ${SOURCE_REGION} SimulatePrincipalPolicy`),
    ]);
    expect(fx.source.kms(SOURCE_REGION).commandCalls(GetKeyPolicyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ARN, PolicyName: 'default' });
    expect(fx.target.kms(SOURCE_REGION).commandCalls(DescribeKeyCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: KEY_ARN }]);
    expect(iam).toHaveReceivedCommandTimes(GetKeyPolicyCommand, 0);
    expect(result).toMatchObject({
      keyPolicy: JSON.stringify(policyAllowingTargetRole()),
      sourceKey: { arn: KEY_ARN, accountId: SOURCE_ACCOUNT, region: SOURCE_REGION },
      sourceImage: { imageId: SOURCE_AMI, ownedBySource: true },
      targets: [{ existing: [], keys: [{ region: SOURCE_REGION, label: 'default' }] }],
    });
    expectReadOnly(fx);
  });

  it('says no re-encryption is needed for an AMI of the source account already under the CMK', async () => {
    const { fx } = setup({}, { encryption: 'cmk' });
    const result = await preflight(fx.ctx);
    expect(only(result, 'Re-encryption')).toEqual([{ check: 'Re-encryption', side: 'source', status: 'ok', detail: 'not needed: the AMI is shared as it is.' }]);
  });

  it('logs each finding in runPreflight, warnings as warnings, inside a Preflight group', async () => {
    const { fx } = setup({}, {}, (action) => (action === 'ec2:DescribeImages' ? 'implicitDeny' : undefined));
    fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).resolves({ Images: [{ ...image(), PlatformDetails: 'Windows' }] });
    const result = await runPreflight(fx.ctx);
    expect(fx.log.messages('group')).toEqual(['Preflight']);
    expect(fx.log.messages('warning')).toEqual([expect.stringMatching(/^\[warning\] Billing product codes \(source account 111111111111\): Windows carries billing codes/)]);
    expect(fx.log.messages('info')).toHaveLength(result.findings.length - 1);
    expect(fx.log.messages('info')).toContain(
      `[missing] The target role's IAM policy allows EC2 calls without resource-level permissions (target account ${TARGET_ACCOUNT}): ec2:DescribeImages on * is not allowed.\n  Fix: Add this statement to the IAM policy of ${TARGET_ROLE}:\n${json({ Effect: 'Allow', Action: ['ec2:DescribeImages'], Resource: '*' })}`,
    );
  });
});

describe('preflight: the source AMI', () => {
  it.each([
    ['a Windows AMI', { PlatformDetails: 'Windows' }, 'Windows carries billing codes (platform)'],
    ['an AMI with billing product codes', { PlatformDetails: 'Red Hat Enterprise Linux', ProductCodes: [{ ProductCodeId: 'bc-1234abcd', ProductCodeType: 'devpay' as const }] }, 'Red Hat Enterprise Linux carries billing codes (bc-1234abcd)'],
  ])('warns that %s keeps its billing codes', async (_, extra, detail) => {
    const { fx } = setup();
    fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).resolves({ Images: [{ ...image(), ...extra }] });
    const result = await preflight(fx.ctx);
    expect(only(result, 'Billing product codes')).toEqual([
      {
        check: 'Billing product codes',
        side: 'source',
        status: 'warning',
        detail: `${detail}; CopyImage keeps them, so instances from the promoted AMI are billed the same. Registering an image from copied snapshots would drop them: copy-method snapshots refuses such AMIs.`,
      },
    ]);
    expect(missingFindings(result)).toEqual([]);
  });

  it.each([
    ['Windows', { PlatformDetails: 'Windows', UsageOperation: 'RunInstances:0002' }, 'the platform Windows (usage operation RunInstances:0002), whose licence is billed through the AMI'],
    ['Red Hat', { PlatformDetails: 'Red Hat Enterprise Linux', UsageOperation: 'RunInstances:0010' }, 'the platform Red Hat Enterprise Linux (usage operation RunInstances:0010), whose licence is billed through the AMI'],
    ['SUSE without a usage operation', { PlatformDetails: 'SUSE Linux' }, 'the platform SUSE Linux (usage operation unknown), whose licence is billed through the AMI'],
    ['product codes', { ProductCodes: [{ ProductCodeId: 'bc-1234abcd', ProductCodeType: 'devpay' as const }] }, 'product code(s) bc-1234abcd'],
  ])('refuses, with copy-method snapshots and before any change, a source with %s', async (_, extra, carries) => {
    const { fx } = setup({ copyMethod: 'snapshots' });
    fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).resolves({ Images: [{ ...image(), ...extra }] });
    const result = await preflight(fx.ctx);
    expect(missingFindings(result)).toEqual([
      expect.objectContaining({
        check: 'The source AMI can be registered from its snapshots',
        side: 'source',
        detail: `${SOURCE_AMI} carries ${carries}. AWS ties these to the AMI, not to its snapshots: an AMI registered from copies of the snapshots (copy-method snapshots) would lose them, and instances launched from it would run without the licence or billing.`,
        fix: 'Promote this AMI with copy-method image (CopyImage keeps the billing information), or promote an AMI without a licence billed through it.',
      }),
    ]);
    expect(fx.sent.filter((c) => !/^(Describe|Get|List|Simulate)/.test(c.command))).toEqual([]);
  });

  it('accepts a Linux/UNIX AMI (usage operation RunInstances) with copy-method snapshots', async () => {
    const { fx } = setup({ copyMethod: 'snapshots' });
    fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).resolves({ Images: [{ ...image(), UsageOperation: 'RunInstances' }] });
    const result = await preflight(fx.ctx);
    expect(missingFindings(result)).toEqual([]);
    expect(only(result, 'Billing product codes')).toEqual([]);
  });

  it('warns that a deprecated AMI is promoted all the same, with its deprecation time; a future deprecation is no warning', async () => {
    const { fx } = setup();
    const deprecated = (DeprecationTime: string) => fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).resolves({ Images: [{ ...image(), DeprecationTime }] });
    deprecated('2029-12-31T23:59:00.000Z');
    const result = await preflight(fx.ctx);
    expect(only(result, 'The source AMI is deprecated')).toEqual([
      {
        check: 'The source AMI is deprecated',
        side: 'source',
        status: 'warning',
        detail: `${SOURCE_AMI} was deprecated at 2029-12-31T23:59:00.000Z. AWS still copies a deprecated AMI by its ID, so it is promoted; check that this is the image you mean to release.`,
      },
    ]);
    expect(missingFindings(result)).toEqual([]);
    expect(() => planFrom(result)).not.toThrow();
    deprecated('2030-01-01T00:01:00.000Z');
    expect(only(await preflight(fx.ctx), 'The source AMI is deprecated')).toEqual([]);
  });

  it('gives no billing warning for a Linux AMI without product codes', async () => {
    const { fx } = setup();
    expect(only(await preflight(fx.ctx), 'Billing product codes')).toEqual([]);
  });

  it('marks a public AMI of another account, not shared with the source account, as missing', async () => {
    const { fx } = setup({}, { ownerId: OTHER_ACCOUNT });
    const sourceEc2 = fx.source.ec2(SOURCE_REGION);
    sourceEc2.on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI], ExecutableUsers: ['self'] }).resolves({ Images: [] });
    const result = await preflight(fx.ctx);
    const [finding, ...others] = missingFindings(result);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      check: 'The source AMI can be promoted',
      side: 'source',
      status: 'missing',
      detail: `${SOURCE_AMI} belongs to account ${OTHER_ACCOUNT} and is public, but neither owned by nor shared with account ${SOURCE_ACCOUNT}.`,
      fix: `Promote an AMI of your own: build it in account ${SOURCE_ACCOUNT} (for example from this public AMI), or have account ${OTHER_ACCOUNT} share it with account ${SOURCE_ACCOUNT}.`,
    });
    expect(finding?.error?.message).toContain(`(source account ${SOURCE_ACCOUNT}, ${SOURCE_REGION})`);
    expect(sourceEc2.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input)).toEqual([
      { ImageIds: [SOURCE_AMI], IncludeDisabled: true },
      { ImageIds: [SOURCE_AMI], ExecutableUsers: ['self'] },
    ]);
    expect(only(result, 'Re-encryption')).toEqual([]);
    expectReadOnly(fx);
  });

  it('accepts an AMI of another account that is shared with the source account', async () => {
    const { fx } = setup({}, { ownerId: OTHER_ACCOUNT });
    const result = await preflight(fx.ctx);
    expect(missingFindings(result)).toEqual([]);
    expect(only(result, 'The source AMI can be promoted')[0]?.status).toBe('ok');
  });

  it('marks an AMI that is not available as missing, and still checks the key', async () => {
    const { fx } = setup();
    fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).resolves({ Images: [image({ state: 'pending' })] });
    const result = await preflight(fx.ctx);
    expect(summary(result).filter((s) => !s.startsWith('ok'))).toEqual(['missing source The source AMI can be promoted']);
    expect(only(result, 'The source AMI can be promoted')[0]).toMatchObject({ detail: 'the AMI is pending, not available.', fix: 'Wait until the AMI is available, then run the promotion again.' });
    expect(only(result, KEY_POLICY_CHECK)[0]?.status).toBe('ok');
  });
});

describe('preflight: the source key and its policy for the target role', () => {
  it('marks a key that is not customer-managed as missing, and evaluates no key policy', async () => {
    const { fx } = setup();
    fx.source.kms(SOURCE_REGION).on(DescribeKeyCommand, { KeyId: KEY_ARN }).resolves({ KeyMetadata: keyMetadata({ KeyManager: 'AWS' }) });
    const result = await preflight(fx.ctx);
    expect(summary(result).filter((s) => !s.startsWith('ok'))).toEqual(['missing source The source key can be shared']);
    expect(only(result, KEY_POLICY_CHECK)).toEqual([]);
    // The policy of a key ARN is read while the key is described (read-only), and not evaluated.
    expect(fx.source.kms(SOURCE_REGION)).toHaveReceivedCommandTimes(GetKeyPolicyCommand, 1);
  });

  it('a source key that does not exist is one missing finding: the key policy read at once fails too, unheard', async () => {
    const { fx } = setup();
    const unheard: unknown[] = [];
    const listen = (reason: unknown) => unheard.push(reason);
    process.on('unhandledRejection', listen);
    try {
      const notFound = awsError('NotFoundException', `Key '${KEY_ARN}' does not exist`);
      fx.source.kms(SOURCE_REGION).on(DescribeKeyCommand, { KeyId: KEY_ARN }).rejects(notFound);
      fx.source.kms(SOURCE_REGION).on(GetKeyPolicyCommand).rejects(notFound);
      const result = await preflight(fx.ctx);
      await new Promise((resolve) => setImmediate(resolve));
      expect(summary(result).filter((s) => !s.startsWith('ok'))).toEqual(['missing source The source key can be shared']);
      expect(result.keyPolicy).toBeUndefined();
      expect(unheard).toEqual([]);
    } finally {
      process.off('unhandledRejection', listen);
    }
  });

  it('verify: a key policy without the target is missing, with the statements to add (real ARNs) and the other modes', async () => {
    const { fx } = setup({ keyAccess: 'verify' }, { policy: policyWithoutTarget() });
    const result = await preflight(fx.ctx);
    const [finding, ...others] = only(result, KEY_POLICY_CHECK);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      side: 'source',
      status: 'missing',
      detail: `the key policy does not let ${TARGET_ROLE} (or its account) use the key for EBS copies: missing ${ALL_KEY_ACTIONS}.`,
      fix: `Add these statements to the key policy of ${KEY_ARN}:\n${json(targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT))}\nor run with key-access: grant (a temporary grant) or key-access: key-policy (the action adds them).`,
    });
    expect(finding?.error).toBeInstanceOf(PromotionError);
    expect(finding?.error?.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
    expect(missingFindings(result).map(({ accountId: _accountId, ...f }) => f)).toEqual([finding]);
    expectReadOnly(fx);
  });

  it('verify: asks only for the statement that is missing', async () => {
    const [use, grant] = targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT);
    const { fx } = setup({}, { policy: keyPolicy(...policyWithoutTarget().Statement, use) });
    const [finding] = only(await preflight(fx.ctx), KEY_POLICY_CHECK);
    expect(finding?.detail).toContain('missing kms:CreateGrant.');
    expect(finding?.fix).toContain(json([grant]));
    expect(finding?.fix).not.toContain(use.Sid as string);
  });

  it('verify: a key policy that names only the target account is ok, reminding that the IAM policy must allow it too', async () => {
    const { fx } = setup({}, { policy: policyAllowingTargetRoot() });
    expect(only(await preflight(fx.ctx), KEY_POLICY_CHECK)).toEqual([
      { check: KEY_POLICY_CHECK, side: 'source', status: 'ok', detail: `${TARGET_ROLE} may use ${KEY_ARN} for EBS copies (its own IAM policy must allow it too).` },
    ]);
  });

  it.each([
    ['grant', 'a temporary grant will allow it.'],
    ['key-policy', 'the action will add statements for it.'],
  ] as const)('%s: a key policy without the target is ok, saying how the run will allow it', async (keyAccess, how) => {
    const { fx } = setup({ keyAccess }, { policy: policyWithoutTarget() });
    const result = await preflight(fx.ctx);
    expect(only(result, KEY_POLICY_CHECK)).toEqual([{ check: KEY_POLICY_CHECK, side: 'source', status: 'ok', detail: `the key policy lacks ${ALL_KEY_ACTIONS}; ${how}` }]);
    expect(missingFindings(result)).toEqual([]);
    expectReadOnly(fx);
  });

  it.each(MODES)('%s: an explicit Deny for the target role is missing, whatever the mode', async (keyAccess) => {
    const deny: PolicyStatement = { Sid: 'DenyProduction', Effect: 'Deny', Principal: { AWS: TARGET_ROLE }, Action: 'kms:Decrypt', Resource: '*' };
    const { fx } = setup({ keyAccess }, { policy: keyPolicy(...policyAllowingTargetRole().Statement, deny) });
    const result = await preflight(fx.ctx);
    const [finding, ...others] = only(result, KEY_POLICY_CHECK);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      side: 'source',
      status: 'missing',
      detail: 'the key policy explicitly denies the target role kms:Decrypt (statement DenyProduction); an explicit Deny wins over every Allow and every grant.',
      fix: `Remove or narrow that Deny statement in the key policy of ${KEY_ARN} so that it does not apply to ${TARGET_ROLE}.`,
    });
    expect(finding?.error?.message).toContain(`(source account ${SOURCE_ACCOUNT}, ${SOURCE_REGION})`);
    expectReadOnly(fx);
  });

  it.each(['verify', 'grant'] as const)('%s: a key policy the source role may not read is unchecked, saying which permission to allow', async (keyAccess) => {
    const { fx } = setup({ keyAccess });
    fx.source.kms(SOURCE_REGION).on(GetKeyPolicyCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:GetKeyPolicy'));
    const result = await preflight(fx.ctx);
    expect(only(result, KEY_POLICY_CHECK)).toEqual([
      {
        check: KEY_POLICY_CHECK,
        side: 'source',
        status: 'unchecked',
        detail: `the source role may not read the key policy of ${KEY_ARN}.`,
        fix: `Allow kms:GetKeyPolicy on ${KEY_ARN} to the source role.`,
      },
    ]);
    expect(result.keyPolicy).toBeUndefined();
    expect(missingFindings(result)).toEqual([]);
  });

  it('key-policy: a key policy the source role may not read is missing, since the run must read and rewrite it', async () => {
    const { fx } = setup({ keyAccess: 'key-policy' });
    fx.source.kms(SOURCE_REGION).on(GetKeyPolicyCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:GetKeyPolicy'));
    const result = await preflight(fx.ctx);
    const [finding, ...others] = only(result, KEY_POLICY_CHECK);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ side: 'source', status: 'missing', detail: `the source role may not read the key policy of ${KEY_ARN}; key-access: key-policy reads it and writes it back.` });
    expect(finding?.fix).toContain('"kms:GetKeyPolicy"');
    expect(finding?.fix).toContain('"kms:PutKeyPolicy"');
    expect(finding?.fix).toContain(`"Resource": "${KEY_ARN}"`);
    expect(finding?.error?.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
  });
});

describe('preflight: the target-side DescribeKey probe', () => {
  it('verify: probes the source key with target credentials in the key region', async () => {
    const { fx } = setup({ targetRegions: [SECOND_REGION] });
    const result = await preflight(fx.ctx);
    expect(only(result, PROBE_CHECK)).toEqual([{ check: PROBE_CHECK, side: 'target', status: 'ok', detail: `DescribeKey on ${KEY_ARN} with the target credentials works.` }]);
    expect(fx.target.kms(SOURCE_REGION).commandCalls(DescribeKeyCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: KEY_ARN }]);
    expect(fx.target.kms(SECOND_REGION)).toHaveReceivedCommandTimes(DescribeKeyCommand, 0);
  });

  it('verify: a denied probe is missing on the target side, with the IAM statements for the target role', async () => {
    const { fx } = setup();
    fx.target
      .kms(SOURCE_REGION)
      .on(DescribeKeyCommand, { KeyId: KEY_ARN })
      .rejects(awsError('AccessDeniedException', `User: ${TARGET_ROLE} is not authorized to perform: kms:DescribeKey on resource: ${KEY_ARN}`));
    const result = await preflight(fx.ctx);
    const [finding, ...others] = missingFindings(result);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ check: PROBE_CHECK, side: 'target', status: 'missing' });
    expect(finding?.detail).toContain('the target role cannot reach the source key (AccessDeniedException');
    expect(finding?.fix).toContain(`Add these statements to the IAM policy of ${TARGET_ROLE}:`);
    expect(finding?.fix).toContain(`"Resource": "${KEY_ARN}"`);
    expect(finding?.error?.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(fx.clock.sleeps).toEqual([]);
  });

  it('verify: a key policy without the target is the one missing thing; the probe is skipped and the simulation tests IAM alone', async () => {
    const { fx } = setup({}, { policy: policyWithoutTarget() });
    const result = await preflight(fx.ctx);
    expect(missingFindings(result).map((f) => f.check)).toEqual([KEY_POLICY_CHECK]);
    expect(only(result, PROBE_CHECK)).toEqual([
      { check: PROBE_CHECK, side: 'target', status: 'unchecked', detail: 'not probed: DescribeKey cannot pass until the key policy allows the target role (see above).' },
    ]);
    expect(fx.target.kms(SOURCE_REGION)).toHaveReceivedCommandTimes(DescribeKeyCommand, 0);
    const simulations = fx.target.iam(SOURCE_REGION).commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
    const sourceKeySimulation = simulations.find((input) => input.ActionNames?.includes('kms:ReEncryptFrom'));
    expect(sourceKeySimulation?.ResourceArns).toEqual([KEY_ARN]);
    expect(sourceKeySimulation?.ResourcePolicy).toBeUndefined();
  });

  it.each(['grant', 'key-policy'] as const)('%s: no probe (the access is given by the run itself)', async (keyAccess) => {
    const { fx } = setup({ keyAccess });
    const result = await preflight(fx.ctx);
    expect(only(result, PROBE_CHECK)).toEqual([]);
    expect(fx.target.kms(SOURCE_REGION)).toHaveReceivedCommandTimes(DescribeKeyCommand, 0);
  });
});

describe('preflight: the target keys in each region', () => {
  it('resolves the alias in every region with that region\'s target client', async () => {
    const { fx } = setup({ targetRegions: TWO_REGIONS, targetKey: ALIAS });
    const result = await preflight(fx.ctx);
    expect(summary(result).slice(0, 2)).toEqual([`ok target The target key in ${SOURCE_REGION}`, `ok target The target key in ${SECOND_REGION}`]);
    for (const region of TWO_REGIONS) {
      expect(only(result, `The target key in ${region}`)[0]?.detail).toBe(`copies will use ${targetKeyArn(region)}.`);
      expect(fx.target.kms(region).commandCalls(DescribeKeyCommand, { KeyId: TARGET_ALIAS }).map((c) => c.args[0].input)).toEqual([{ KeyId: TARGET_ALIAS }]);
    }
    expect(result.targets[0]?.keys?.map((k) => [k.region, k.arn])).toEqual(TWO_REGIONS.map((r) => [r, targetKeyArn(r)]));
    expect(missingFindings(result)).toEqual([]);
  });

  it('marks a missing alias as missing in that region only, naming the region and the target account', async () => {
    const { fx } = setup({ targetRegions: TWO_REGIONS, targetKey: ALIAS });
    fx.target.kms(SECOND_REGION).on(DescribeKeyCommand, { KeyId: TARGET_ALIAS }).rejects(awsError('NotFoundException', `Alias ${TARGET_ALIAS} is not found.`));
    const result = await preflight(fx.ctx);
    expect(summary(result).filter((s) => s.includes('The target key in'))).toEqual([`ok target The target key in ${SOURCE_REGION}`, `missing target The target key in ${SECOND_REGION}`]);
    const [finding, ...others] = missingFindings(result);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      side: 'target',
      detail: `no key or alias ${TARGET_ALIAS} exists in ${SECOND_REGION} of the target account.`,
      fix: `Create the key (or the alias) in ${SECOND_REGION} of account ${TARGET_ACCOUNT}, or change target-kms-key / target-regions.`,
    });
    expect(finding?.error?.message).toContain(`(target account ${TARGET_ACCOUNT}, ${SECOND_REGION})`);
    // Not a complete set of keys: nothing to plan with.
    expect(result.targets[0]?.keys).toBeUndefined();
    expect(() => planFrom(result)).toThrow(finding?.error as PromotionError);
  });

  it('reports a missing alias in every region where it is missing', async () => {
    const { fx } = setup({ targetRegions: TWO_REGIONS, targetKey: ALIAS });
    for (const region of TWO_REGIONS) fx.target.kms(region).on(DescribeKeyCommand, { KeyId: TARGET_ALIAS }).rejects(awsError('NotFoundException', `Alias ${TARGET_ALIAS} is not found.`));
    const result = await preflight(fx.ctx);
    expect(missingFindings(result).map((f) => [f.check, f.error?.details.region])).toEqual([
      [`The target key in ${SOURCE_REGION}`, SOURCE_REGION],
      [`The target key in ${SECOND_REGION}`, SECOND_REGION],
    ]);
  });

  it('marks a denied lookup of an earlier promotion as missing instead of ending the preflight', async () => {
    const { fx } = setup({}, { policy: policyWithoutTarget() });
    fx.target.ec2(SOURCE_REGION).on(DescribeImagesCommand, { Owners: ['self'] }).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const result = await preflight(fx.ctx);
    expect(missingFindings(result).map((f) => `${f.side} ${f.check}`)).toEqual([`target An earlier promotion in ${SOURCE_REGION}`, `source ${KEY_POLICY_CHECK}`]);
    expect(missingFindings(result)[0]?.fix).toContain('"Action": "ec2:DescribeImages"');
  });
});

describe('preflight: earlier promotions', () => {
  it('stops after the target side when every region already has the promotion: not a single source call', async () => {
    const fx = buildContext({ targetRegions: TWO_REGIONS, targetKey: ALIAS, autoscalingAccess: 'check' });
    stubWorld(fx);
    for (const region of TWO_REGIONS) stubEarlierPromotion(fx, region, targetImageId(region), targetSnapshotIds(region));
    const result = await preflight(fx.ctx);
    expect(rows(result)).toEqual([
      { check: `The target key in ${SOURCE_REGION}`, side: 'target', status: 'ok', detail: `copies will use ${targetKeyArn(SOURCE_REGION)}.` },
      { check: `The target key in ${SECOND_REGION}`, side: 'target', status: 'ok', detail: `copies will use ${targetKeyArn(SECOND_REGION)}.` },
      { check: `An earlier promotion in ${SOURCE_REGION}`, side: 'target', status: 'ok', detail: `${SOURCE_AMI} was already promoted as ${targetImageId(SOURCE_REGION)}; it is reused.` },
      { check: `An earlier promotion in ${SECOND_REGION}`, side: 'target', status: 'ok', detail: `${SOURCE_AMI} was already promoted as ${targetImageId(SECOND_REGION)}; it is reused.` },
    ]);
    expect(fx.sent.filter((c) => c.side === 'source')).toEqual([]);
    // The source role is not even assumed.
    expect(fx.source.connections).toBe(0);
    expect(fx.sent.filter((c) => c.service === 'iam')).toEqual([]);
    expect(result.targets[0]?.existing).toEqual(TWO_REGIONS.map((region) => ({ region, imageId: targetImageId(region), snapshotIds: targetSnapshotIds(region) })));
    expect(result.sourceImage).toBeUndefined();
    expect(result.sourceKey).toBeUndefined();
    expect(planFrom(result)).toEqual({
      targets: [{ target: fx.ctx.target, keys: result.targets[0]?.keys, existing: result.targets[0]?.existing }],
    });
    expectReadOnly(fx);
  });

  it('checks the source when only some regions have the promotion', async () => {
    const { fx } = setup({ targetRegions: TWO_REGIONS });
    stubEarlierPromotion(fx, SECOND_REGION, targetImageId(SECOND_REGION), targetSnapshotIds(SECOND_REGION));
    const result = await preflight(fx.ctx);
    expect(result.targets[0]?.existing.map((e) => e.region)).toEqual([SECOND_REGION]);
    expect(only(result, `An earlier promotion in ${SECOND_REGION}`)[0]?.status).toBe('ok');
    expect(only(result, 'The source AMI can be promoted')[0]?.status).toBe('ok');
    expect(fx.source.connections).toBe(1);
    expect(fx.source.ec2(SOURCE_REGION)).toHaveReceivedCommandWith(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] });
  });
});

describe('preflight: Auto Scaling', () => {
  function withTargetKeyPolicy(fx: Fixture, policy: object) {
    for (const region of targetRegionsOf(fx.request)) {
      fx.target.kms(region).on(GetKeyPolicyCommand, { KeyId: targetKeyArn(region) }).resolves({ Policy: JSON.stringify(policy), PolicyName: 'default' });
    }
  }
  const targetKeyPolicy = keyPolicy({ Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TARGET_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' });

  it('check: one warning per region whose key policy lacks the service-linked role', async () => {
    const { fx } = setup({ targetRegions: TWO_REGIONS, targetKey: ALIAS, autoscalingAccess: 'check' });
    withTargetKeyPolicy(fx, targetKeyPolicy);
    const result = await preflight(fx.ctx);
    const warnings = result.findings.filter((f) => f.status === 'warning');
    expect(warnings.map((f) => f.check)).toEqual(TWO_REGIONS.map((r) => `Auto Scaling can use the target key in ${r}`));
    expect(warnings[1]?.fix).toContain(json(autoScalingKeyStatements('aws', TARGET_ACCOUNT)));
    expect(warnings[1]?.fix).toContain(SLR);
    expect(missingFindings(result)).toEqual([]);
    expectReadOnly(fx);
  });

  it('grant: the same gap is ok, since the run creates the grant, and nothing is granted during the preflight', async () => {
    const { fx } = setup({ targetKey: ALIAS, autoscalingAccess: 'grant' });
    withTargetKeyPolicy(fx, targetKeyPolicy);
    const result = await preflight(fx.ctx);
    const [finding] = only(result, `Auto Scaling can use the target key in ${SOURCE_REGION}`);
    expect(finding).toMatchObject({ side: 'target', status: 'ok', fix: undefined });
    expect(finding?.detail).toMatch(/ A grant for the role will be created\.$/);
    expectReadOnly(fx);
  });

  it('off: the target key policy is not even read', async () => {
    const { fx } = setup({ targetKey: ALIAS, autoscalingAccess: 'off' });
    const result = await preflight(fx.ctx);
    expect(result.findings.filter((f) => f.check.startsWith('Auto Scaling'))).toEqual([]);
    expect(fx.target.kms(SOURCE_REGION)).toHaveReceivedCommandTimes(GetKeyPolicyCommand, 0);
  });
});

describe('preflight: several things missing at once', () => {
  it('reports all of them, and preflightError lists each one with its fix', async () => {
    const { fx } = setup(
      { targetRegions: TWO_REGIONS, targetKey: ALIAS },
      { policy: policyWithoutTarget() },
      (action) => (action === 'ec2:DescribeImages' ? 'implicitDeny' : undefined),
    );
    fx.target.kms(SECOND_REGION).on(DescribeKeyCommand, { KeyId: TARGET_ALIAS }).rejects(awsError('NotFoundException', `Alias ${TARGET_ALIAS} is not found.`));
    const result = await preflight(fx.ctx);
    const missing = missingFindings(result);
    expect(missing.map((f) => `${f.side} ${f.check}`)).toEqual([
      `target The target key in ${SECOND_REGION}`,
      `source ${KEY_POLICY_CHECK}`,
      "target The target role's IAM policy allows EC2 calls without resource-level permissions",
    ]);
    const error = preflightError(missing);
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details.what).toBe('The preflight checks');
    // Grouped by account, numbered across the groups; the fixes in the same order.
    expect(error.details.why).toBe(
      '3 thing(s) are missing.\n' +
        `In the target account ${TARGET_ACCOUNT}:\n` +
        `1. The target key in ${SECOND_REGION}: no key or alias ${TARGET_ALIAS} exists in ${SECOND_REGION} of the target account.\n` +
        `2. The target role's IAM policy allows EC2 calls without resource-level permissions: ec2:DescribeImages on * is not allowed.\n` +
        `In the source account ${SOURCE_ACCOUNT}:\n` +
        `3. ${KEY_POLICY_CHECK}: ${missing[1]?.detail}`,
    );
    expect(error.details.fix).toBe([missing[0], missing[2], missing[1]].map((f, i) => `${i + 1}. ${f?.fix}`).join('\n'));
    expect(error.details.fix).toContain(`3. Add these statements to the key policy of ${KEY_ARN}:\n${json(targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT))}`);
    expect(error.details.fix).toContain(`2. Add this statement to the IAM policy of ${TARGET_ROLE}:\n${json({ Effect: 'Allow', Action: ['ec2:DescribeImages'], Resource: '*' })}`);
    expect(error.message).toBe(`The preflight checks failed: ${error.details.why}\nFix: ${error.details.fix}`);
    expect(() => planFrom(result)).toThrow(error.message);
    expectReadOnly(fx);
  });

  it('a single missing thing is the original refusal, with its account and region', async () => {
    const { fx } = setup({}, { policy: policyWithoutTarget() });
    const result = await preflight(fx.ctx);
    const missing = missingFindings(result);
    expect(missing).toHaveLength(1);
    const error = preflightError(missing);
    expect(error).toBe(missing[0]?.error);
    expect(error.message).toMatch(new RegExp(`^${KEY_POLICY_CHECK} \\(source account ${SOURCE_ACCOUNT}, ${SOURCE_REGION}\\) failed: the key policy does not let`));
    let thrown: unknown;
    try {
      planFrom(result);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(error);
  });
});

describe('preflight: accounts', () => {
  it('every finding names its account: the source account for source checks, the target account for target checks', async () => {
    const { fx } = setup({ targetRegions: TWO_REGIONS, autoscalingAccess: 'check', targetKey: ALIAS }, { policy: policyWithoutTarget() });
    const result = await preflight(fx.ctx);
    expect(result.findings.length).toBeGreaterThan(5);
    for (const finding of result.findings) expect([finding.check, finding.accountId]).toEqual([finding.check, finding.side === 'source' ? SOURCE_ACCOUNT : TARGET_ACCOUNT]);
  });
});

describe('preflight changes nothing', () => {
  const scenarios: [string, RequestOverrides, WorldOptions][] = [
    ['verify, default target key', { keyAccess: 'verify' }, {}],
    ['verify, key policy without the target', { keyAccess: 'verify' }, { policy: policyWithoutTarget() }],
    ['grant, alias, Auto Scaling grant, two regions, SSM parameter', { keyAccess: 'grant', targetKey: ALIAS, autoscalingAccess: 'grant', targetRegions: TWO_REGIONS, ssmParameter: '/golden/ami' }, { policy: policyWithoutTarget() }],
    ['key-policy, alias, Auto Scaling check, under the CMK', { keyAccess: 'key-policy', targetKey: ALIAS, autoscalingAccess: 'check' }, { policy: policyWithoutTarget(), encryption: 'cmk' }],
    ['a shared AMI of another account', { deregistrationProtection: true, deprecateAfterDays: 30 }, { ownerId: OTHER_ACCOUNT, encryption: 'other-cmk' }],
  ];
  it.each(scenarios)('%s', async (_, request, options) => {
    const { fx } = setup(request, options);
    for (const region of targetRegionsOf(fx.request)) fx.target.kms(region).on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(keyPolicy()), PolicyName: 'default' });
    const result = await preflight(fx.ctx);
    expect(result.findings.length).toBeGreaterThan(0);
    expectReadOnly(fx);
  });
});
