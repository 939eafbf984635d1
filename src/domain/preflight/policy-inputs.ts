import type { PolicyInputs } from '../../policy/generate.js';
import type { TargetContext } from '../context.js';
import type { PreflightResult } from './preflight.js';

/** The generator's inputs for one target account, from the request and what the preflight discovered (resolved key ARNs). */
export function policyInputs(ctx: TargetContext, pre: PreflightResult, audience: string): PolicyInputs {
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
    keyAccess: request.keyAccess,
    autoscalingAccess: request.autoscalingAccess,
    ssmParameter: request.ssmParameter,
    shareWith: request.shareWith,
    repository: request.provenance.repository,
    audience,
  };
}
