import type { FinishingFeatures } from '../../policy/ec2-statements.js';
import { generatePolicies, type GeneratedPolicies, type PolicyInputs } from '../../policy/generate.js';
import type { PromotionRequest } from '../types.js';
import type { PolicyDocument } from '../../policy/policy-document.js';
import { forTarget, type PromotionContext, type TargetContext } from '../context.js';
import { isSharableAsIs } from '../lookups/inspect.js';
import type { PreflightResult } from './preflight.js';

/** What the request asks the target role to do after the copy, as the generator's inputs say it. */
export function finishingFeatures(request: PromotionRequest): FinishingFeatures {
  return {
    shareWith: request.shareWith,
    launchTemplates: request.launchTemplates.length > 0,
    launchTemplateDefault: request.launchTemplateDefault,
    retire: request.retire.mode,
    deregistrationProtection: request.deregistrationProtection,
    deprecation: request.deprecateAfterDays !== undefined,
  };
}

/**
 * The generator's inputs for one target account, from the request and what the preflight discovered (resolved key ARNs).
 * `chainedFrom`: with role-chaining, the principal of the credentials in the environment that assume the roles.
 */
export function policyInputs(ctx: TargetContext, pre: PreflightResult, audience: string, chainedFrom?: string): PolicyInputs {
  const { request, target } = ctx;
  const keys = pre.targets.find((t) => t.target.identity.accountId === target.identity.accountId)?.knownKeys ?? [];
  const kmsKeyArn = pre.sourceKey?.arn ?? request.kmsKey.arn;
  const snapshotKeys = (pre.sourceImage?.snapshots ?? []).flatMap((s) => (s.kmsKeyId && s.kmsKeyId !== kmsKeyArn ? [s.kmsKeyId] : []));
  return {
    partition: target.spec.role.partition,
    sourceAccountId: ctx.source.identity.accountId,
    targetAccountId: target.identity.accountId,
    sourceRegion: request.sourceRegion,
    targetRegions: target.spec.regions,
    kmsKeyArn,
    sourceRoleArn: request.sourceRole?.arn,
    targetRoleArn: target.spec.role.arn,
    targetKeyArns: Object.fromEntries(keys.map((k) => [k.region, k.arn])),
    extraSourceKeyArns: [...new Set(snapshotKeys)],
    reencrypt: pre.sourceImage && pre.sourceKey ? !isSharableAsIs(pre.sourceImage, pre.sourceKey.arn) : undefined,
    keyAccess: request.keyAccess,
    autoscalingAccess: request.autoscalingAccess,
    ssmParameter: request.ssmParameter,
    ...finishingFeatures(request),
    lineage: request.lineage,
    copyMethod: request.copyMethod,
    repository: request.provenance.repository,
    audience,
    roleChaining: chainedFrom !== undefined,
    chainingPrincipalArn: chainedFrom,
  };
}

/** What one target account needs: its role's policies, the Auto Scaling statements of its keys, the source key's statements for its role. */
export type TargetPolicies = Pick<GeneratedPolicies, 'targetRoleIamPolicy' | 'targetTrustPolicy' | 'autoscalingKeyStatements' | 'keyPolicyStatements'>;

/**
 * The policies of the first target account, as for a promotion to that account alone, except that the source role's
 * policy and the source key's statements serve every target; `targets` has each target account's own.
 */
export interface FleetPolicies extends GeneratedPolicies {
  targets: Record<string, TargetPolicies>;
}

/**
 * One source-role policy for every target: the first target's statements, then each other target's statements that
 * differ (such as a grant to that target's role), their Sid suffixed with the account, since in IAM a Sid is unique
 * within a policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
 */
function sourcePolicyForEvery(policies: { accountId: string; policy: PolicyDocument }[]): PolicyDocument {
  const [first, ...others] = policies.map(({ accountId, policy }) => ({ accountId, statements: policy.Statement }));
  const statements = [...(first?.statements ?? [])];
  const known = new Set(statements.map((s) => JSON.stringify(s)));
  for (const { accountId, statements: theirs } of others) {
    for (const statement of theirs.filter((s) => !known.has(JSON.stringify(s)))) {
      known.add(JSON.stringify(statement));
      statements.push(statement.Sid === undefined ? statement : { ...statement, Sid: `${statement.Sid}${accountId}` });
    }
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** The policies a promotion to every target account needs (generatePolicies once per target account). */
export function policiesForTargets(ctx: PromotionContext, pre: PreflightResult, audience: string, chainedFrom?: string): FleetPolicies {
  const each = ctx.targets.map((target) => ({
    accountId: target.identity.accountId,
    policies: generatePolicies(policyInputs(forTarget(ctx, target), pre, audience, chainedFrom)),
  }));
  const [first] = each;
  if (!first) throw new Error('A promotion has at least one target account.');
  return {
    ...first.policies,
    sourceRoleIamPolicy: sourcePolicyForEvery(each.map(({ accountId, policies }) => ({ accountId, policy: policies.sourceRoleIamPolicy }))),
    keyPolicyStatements: each.flatMap(({ policies }) => policies.keyPolicyStatements),
    targets: Object.fromEntries(
      each.map(({ accountId, policies: p }) => [
        accountId,
        { targetRoleIamPolicy: p.targetRoleIamPolicy, targetTrustPolicy: p.targetTrustPolicy, autoscalingKeyStatements: p.autoscalingKeyStatements, keyPolicyStatements: p.keyPolicyStatements },
      ]),
    ),
  };
}
