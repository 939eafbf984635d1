import type { PolicyInputs } from '../../policy/generate.js';
import type { PromotionContext } from '../context.js';
import type { PreflightResult } from './preflight.js';

/** The generator's inputs from the request and what the preflight discovered (resolved key ARNs). */
export function policyInputs(ctx: PromotionContext, pre: PreflightResult, audience: string): PolicyInputs {
  const { request } = ctx;
  const kmsKeyArn = pre.sourceKey?.arn ?? request.kmsKey.arn;
  const snapshotKeys = (pre.sourceImage?.snapshots ?? []).flatMap((s) => (s.kmsKeyId && s.kmsKeyId !== kmsKeyArn ? [s.kmsKeyId] : []));
  return {
    partition: request.targetRole.partition,
    sourceAccountId: ctx.sourceIdentity.accountId,
    targetAccountId: ctx.targetIdentity.accountId,
    sourceRegion: request.sourceRegion,
    targetRegions: request.targetRegions,
    kmsKeyArn,
    sourceRoleArn: request.sourceRole?.arn,
    targetRoleArn: request.targetRole.arn,
    targetKeyArns: Object.fromEntries((pre.targetKeys ?? []).map((k) => [k.region, k.arn])),
    extraSourceKeyArns: [...new Set(snapshotKeys)],
    keyAccess: request.keyAccess,
    autoscalingAccess: request.autoscalingAccess,
    ssmParameter: request.ssmParameter,
    repository: request.provenance.repository,
    audience,
  };
}
