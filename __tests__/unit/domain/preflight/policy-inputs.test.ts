import { describe, expect, it } from '@jest/globals';
import type { SourceImage, SourceSnapshot } from '../../../../src/domain/lookups/inspect.js';
import { accountOf, type PromotionContext, type Target } from '../../../../src/domain/context.js';
import { policiesForTargets, policyInputs } from '../../../../src/domain/preflight/policy-inputs.js';
import { preflight } from '../../../../src/domain/preflight/preflight.js';
import { generatePolicies } from '../../../../src/policy/generate.js';
import {
  KEY_ARN,
  KEY_ID,
  OTHER_ACCOUNT,
  OTHER_KEY_ARN,
  PROVENANCE,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  SOURCE_ROLE,
  TARGET_ACCOUNT,
  TARGET_ALIAS,
  TARGET_ROLE,
  buildContext,
  kmsArn,
  roleArn,
  stubSimulation,
  stubWorld,
  targetKeyArn,
  customerTargetKey, defaultTargetKey,
  preflightResult,
} from '../../../support/pipeline-fixtures.js';

const ALIAS_ARN = `arn:aws:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:alias/golden-build`;
const THIRD_KEY_ARN = `arn:aws:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:key/cccccccc-1111-2222-3333-444444444444`;


function snapshot(i: number, kmsKeyId?: string): SourceSnapshot {
  return { snapshotId: `snap-${i}`, deviceName: `/dev/xvd${'abcdef'[i]}`, encrypted: kmsKeyId !== undefined, kmsKeyId };
}

function sourceImage(snapshots: SourceSnapshot[]): SourceImage {
  return { imageId: SOURCE_AMI, region: SOURCE_REGION, ownerId: SOURCE_ACCOUNT, ownedBySource: true, name: 'golden', tags: [], snapshots, billingCodes: [], registration: { BlockDeviceMappings: [] } };
}

describe('policyInputs', () => {
  it('fills in what the preflight resolved: the key ARN behind an alias ARN, per-region target keys, the other snapshot keys', () => {
    const shareWith = [{ kind: 'account' as const, accountId: '444455556666' }];
    const fx = buildContext({ kmsKey: kmsArn(ALIAS_ARN), targetRegions: [SOURCE_REGION, SECOND_REGION], keyAccess: 'grant', ssmParameter: '/golden/ami', shareWith });
    const pre = preflightResult(fx, {
      sourceKey: { arn: KEY_ARN, keyId: KEY_ID, accountId: SOURCE_ACCOUNT, region: SOURCE_REGION },
      sourceImage: sourceImage([snapshot(0, OTHER_KEY_ARN), snapshot(1, KEY_ARN), snapshot(2, THIRD_KEY_ARN), snapshot(3, OTHER_KEY_ARN), snapshot(4)]),
      keys: [customerTargetKey(SOURCE_REGION), defaultTargetKey(SECOND_REGION)],
    });
    expect(policyInputs(fx.ctx, pre, 'sts.amazonaws.com')).toEqual({
      partition: 'aws',
      autoscalingAccess: 'off',
      copyMethod: 'image',
      sourceAccountId: SOURCE_ACCOUNT,
      targetAccountId: TARGET_ACCOUNT,
      sourceRegion: SOURCE_REGION,
      targetRegions: [SOURCE_REGION, SECOND_REGION],
      kmsKeyArn: KEY_ARN,
      sourceRoleArn: SOURCE_ROLE,
      targetRoleArn: TARGET_ROLE,
      targetKeyArns: { [SOURCE_REGION]: targetKeyArn(SOURCE_REGION), [SECOND_REGION]: undefined },
      extraSourceKeyArns: [OTHER_KEY_ARN, THIRD_KEY_ARN],
      // Snapshots under other keys: an intermediate copy re-encrypts them.
      reencrypt: true,
      keyAccess: 'grant',
      ssmParameter: '/golden/ami',
      shareWith,
      launchTemplates: false,
      launchTemplateDefault: false,
      retire: 'none',
      lineage: undefined,
      deregistrationProtection: false,
      deprecation: false,
      repository: PROVENANCE.repository,
      audience: 'sts.amazonaws.com',
      roleChaining: false,
    });
  });

  it('with role-chaining, names the principal of the environment that assumes the roles', () => {
    const fx = buildContext();
    const inputs = policyInputs(fx.ctx, preflightResult(fx), 'sts.amazonaws.com', 'arn:aws:iam::999988887777:role/runner');
    expect(inputs).toMatchObject({ roleChaining: true, chainingPrincipalArn: 'arn:aws:iam::999988887777:role/runner' });
  });

  it('falls back to the input (even an alias ARN) and no keys when the preflight could not resolve them', () => {
    const fx = buildContext({ kmsKey: kmsArn(ALIAS_ARN), sourceRole: undefined });
    const inputs = policyInputs(fx.ctx, preflightResult(fx), 'custom-audience');
    expect(inputs).toMatchObject({ kmsKeyArn: ALIAS_ARN, targetKeyArns: {}, extraSourceKeyArns: [], sourceRoleArn: undefined, audience: 'custom-audience', keyAccess: 'verify' });
  });

  it('from a real preflight: the CMK is not an extra key, each other snapshot key appears once', async () => {
    const fx = buildContext({ targetKey: { kind: 'alias', aliasName: TARGET_ALIAS }, targetRegions: [SOURCE_REGION, SECOND_REGION] });
    stubWorld(fx, { encryption: 'other-cmk', dataVolumes: 2 });
    stubSimulation(fx);
    const pre = await preflight(fx.ctx);
    const inputs = policyInputs(fx.ctx, pre, 'sts.amazonaws.com');
    expect(inputs.kmsKeyArn).toBe(KEY_ARN);
    expect(inputs.extraSourceKeyArns).toEqual([OTHER_KEY_ARN]);
    expect(inputs.targetKeyArns).toEqual({ [SOURCE_REGION]: targetKeyArn(SOURCE_REGION), [SECOND_REGION]: targetKeyArn(SECOND_REGION) });
    // And the generated target policy names the resolved keys, never the alias.
    const policies = generatePolicies(inputs);
    const useTargetKeys = policies.targetRoleIamPolicy.Statement.find((s) => s.Sid === 'UseTheTargetKeys');
    expect(useTargetKeys?.Resource).toEqual([targetKeyArn(SOURCE_REGION), targetKeyArn(SECOND_REGION)]);
    expect(JSON.stringify(policies)).not.toContain(TARGET_ALIAS);
  });

  it('an AMI under the CMK only: no extra key', () => {
    const fx = buildContext();
    const pre = preflightResult(fx, { sourceImage: sourceImage([snapshot(0, KEY_ARN), snapshot(1, KEY_ARN)]) });
    expect(policyInputs(fx.ctx, pre, 'sts.amazonaws.com').extraSourceKeyArns).toEqual([]);
  });
});

const OTHER_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/ami-promotion-target`;

/** The fixture's context with a second target account, OTHER_ACCOUNT, copying into the second region under its default key. */
function withSecondTarget(fx: ReturnType<typeof buildContext>): PromotionContext {
  const spec = { role: roleArn(OTHER_ROLE), regions: [SECOND_REGION], key: { kind: 'default' as const } };
  const identity = { side: 'target' as const, accountId: OTHER_ACCOUNT, arn: `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/ami-promotion-target/s`, principalArn: OTHER_ROLE };
  const other: Target = { ...accountOf(fx.target.clients, identity), spec };
  return { ...fx.ctx, request: { ...fx.request, targets: [...fx.request.targets, spec] }, targets: [fx.ctx.target, other] };
}

describe('policiesForTargets', () => {
  it('one target account: the policies of generatePolicies, unchanged, and the same under targets', () => {
    const fx = buildContext({ keyAccess: 'grant' });
    const pre = preflightResult(fx, { keys: [customerTargetKey(SOURCE_REGION)] });
    const one = generatePolicies(policyInputs(fx.ctx, pre, 'sts.amazonaws.com'));
    expect(policiesForTargets(fx.ctx, pre, 'sts.amazonaws.com')).toEqual({
      ...one,
      targets: {
        [TARGET_ACCOUNT]: {
          targetRoleIamPolicy: one.targetRoleIamPolicy,
          targetTrustPolicy: one.targetTrustPolicy,
          autoscalingKeyStatements: one.autoscalingKeyStatements,
          keyPolicyStatements: one.keyPolicyStatements,
        },
      },
    });
  });

  it('two target accounts: the first as before at the top, the source policy and key statements for both roles, each account its own', () => {
    const fx = buildContext({ keyAccess: 'grant' });
    const pre = preflightResult(fx, { keys: [customerTargetKey(SOURCE_REGION)] });
    const ctx = withSecondTarget(fx);
    const policies = policiesForTargets(ctx, pre, 'sts.amazonaws.com');
    const first = generatePolicies(policyInputs(fx.ctx, pre, 'sts.amazonaws.com'));
    const second = generatePolicies(policyInputs({ ...ctx, target: ctx.targets[1] as Target }, pre, 'sts.amazonaws.com'));

    expect(policies.targetRoleIamPolicy).toEqual(first.targetRoleIamPolicy);
    expect(policies.targetTrustPolicy).toEqual(first.targetTrustPolicy);
    expect(policies.keyPolicyStatements).toEqual([...first.keyPolicyStatements, ...second.keyPolicyStatements]);
    expect(policies.keyPolicyStatements.map((s) => s.Principal)).toEqual([{ AWS: TARGET_ROLE }, { AWS: TARGET_ROLE }, { AWS: OTHER_ROLE }, { AWS: OTHER_ROLE }]);

    // The source role may grant each target role use of the key; every other statement once; Sids unique.
    const grants = policies.sourceRoleIamPolicy.Statement.filter((s) => s.Condition?.StringEquals?.['kms:GranteePrincipal']);
    expect(grants.map((s) => [s.Sid, s.Condition?.StringEquals?.['kms:GranteePrincipal']])).toEqual([
      ['GrantTheTargetRoleUseOfTheSharedKey', TARGET_ROLE],
      [`GrantTheTargetRoleUseOfTheSharedKey${OTHER_ACCOUNT}`, OTHER_ROLE],
    ]);
    expect(policies.sourceRoleIamPolicy.Statement).toHaveLength(first.sourceRoleIamPolicy.Statement.length + 1);
    const sids = policies.sourceRoleIamPolicy.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);

    expect(Object.keys(policies.targets)).toEqual([TARGET_ACCOUNT, OTHER_ACCOUNT]);
    expect(policies.targets[OTHER_ACCOUNT]).toEqual({
      targetRoleIamPolicy: second.targetRoleIamPolicy,
      targetTrustPolicy: second.targetTrustPolicy,
      autoscalingKeyStatements: [],
      keyPolicyStatements: second.keyPolicyStatements,
    });
    expect(JSON.stringify(policies.targets[OTHER_ACCOUNT]?.targetTrustPolicy)).toContain(`arn:aws:iam::${OTHER_ACCOUNT}:oidc-provider/`);
    expect(policies.targets[TARGET_ACCOUNT]?.autoscalingKeyStatements).toEqual(first.autoscalingKeyStatements);
  });

  it('two target accounts with key-access verify: the source policy of one target', () => {
    const fx = buildContext();
    const pre = preflightResult(fx);
    const policies = policiesForTargets(withSecondTarget(fx), pre, 'sts.amazonaws.com');
    expect(policies.sourceRoleIamPolicy).toEqual(generatePolicies(policyInputs(fx.ctx, pre, 'sts.amazonaws.com')).sourceRoleIamPolicy);
  });
});
