import type { PromotionContext } from './context.js';
import type { SourceImage } from './lookups/inspect.js';
import type { SourceKey } from './lookups/source-key.js';
import { ROLE_INTERMEDIATE, ROLE_PROMOTED, TAG, mergeTags } from './tags.js';
import type { TargetKey } from './lookups/target-key.js';
import type { Tag } from './types.js';

/** The tags that identify a promoted AMI: what it was promoted from, under which key, by which run. */
export function provenanceTags(ctx: PromotionContext, key: TargetKey): Tag[] {
  const { request } = ctx;
  const tags: Tag[] = [
    { Key: TAG.role, Value: ROLE_PROMOTED },
    { Key: TAG.sourceAmiId, Value: request.sourceAmiId },
    { Key: TAG.sourceAccount, Value: ctx.source.identity.accountId },
    { Key: TAG.sourceRegion, Value: request.sourceRegion },
    { Key: TAG.kmsKey, Value: key.label },
  ];
  if (request.lineage) tags.push({ Key: TAG.lineage, Value: request.lineage });
  const { repository, commitSha, runUrl } = request.provenance;
  if (repository) tags.push({ Key: TAG.repository, Value: repository });
  if (commitSha) tags.push({ Key: TAG.commit, Value: commitSha });
  if (runUrl) tags.push({ Key: TAG.runUrl, Value: runUrl });
  return tags;
}

/** Tags of the promoted AMI and its snapshots: the source's own tags, the tags input, then provenance. */
export function promotedTags(ctx: PromotionContext, source: SourceImage | undefined, key: TargetKey): Tag[] {
  return mergeTags(ctx.request.copyTags && source ? source.tags : [], ctx.request.tags, provenanceTags(ctx, key));
}

/** Tags of the intermediate copy in the source account and its snapshots: the source's own tags, then what marks it as this action's. */
export function intermediateTags(ctx: PromotionContext, source: SourceImage, key: SourceKey): Tag[] {
  return mergeTags(ctx.request.copyTags ? source.tags : [], [
    { Key: TAG.role, Value: ROLE_INTERMEDIATE },
    { Key: TAG.sourceAmiId, Value: source.imageId },
    { Key: TAG.sourceAccount, Value: ctx.source.identity.accountId },
    { Key: TAG.sourceRegion, Value: source.region },
    { Key: TAG.kmsKey, Value: key.arn },
  ]);
}

/** The name of the promoted AMI in every target region: the ami-name input, else the source AMI's name. */
export function promotedName(ctx: PromotionContext, source: SourceImage): string {
  return ctx.request.amiName ?? source.name;
}

/** The description of the promoted AMI: the ami-description input, else the source AMI's, else where it comes from. */
export function promotedDescription(ctx: PromotionContext, source: SourceImage): string {
  const { request } = ctx;
  return request.amiDescription ?? source.description ?? `Promoted from ${source.imageId} (account ${ctx.source.identity.accountId}, ${request.sourceRegion})`;
}

/** The DescribeImages filters that find an earlier promotion of the same source under the same key. */
export function reuseFilters(ctx: PromotionContext) {
  return [
    { Name: `tag:${TAG.role}`, Values: [ROLE_PROMOTED] },
    { Name: `tag:${TAG.sourceAmiId}`, Values: [ctx.request.sourceAmiId] },
    { Name: `tag:${TAG.sourceRegion}`, Values: [ctx.request.sourceRegion] },
    { Name: 'state', Values: ['available'] },
  ];
}
