import type { PromotionContext } from '../context.js';
import type { SourceImage } from '../lookups/inspect.js';
import { missingFinding, type PreflightFinding } from './preflight-finding.js';
import { intermediateTags, promotedTags } from '../provenance.js';
import { leaseTag } from '../steps/lease.js';
import type { SourceKey } from '../lookups/source-key.js';
import { TAG_LIMITS, characterCount } from '../tags.js';
import type { TargetKey } from '../lookups/target-key.js';
import type { Side, Tag } from '../types.js';

export const TAG_BUDGET_CHECK = "The tags fit EC2's limits";

/** A resource the promotion creates with tags (in CopyImage's TagSpecifications): an AMI and its snapshots. */
interface TaggedResource {
  what: 'the promoted AMI' | 'the intermediate copy';
  side: Side;
  accountId: string;
  region: string;
  tags: Tag[];
}

/** The regions of one target account that get a new copy. */
export interface NewCopies {
  accountId: string;
  keys: TargetKey[];
}

interface TagProblem {
  why: string;
  /** The tag that is too long; undefined when there are too many. */
  tag?: Tag;
}

const shorten = (text: string) => ([...text].length > 40 ? `${[...text].slice(0, 40).join('')}…` : text);

/** Why EC2 would refuse these tags, counted as EC2 counts them (mergeTags has left out aws: keys, which do not count). */
function tagProblem(tags: Tag[]): TagProblem | undefined {
  if (tags.length > TAG_LIMITS.perResource) return { why: `would get ${tags.length} tags; EC2 allows ${TAG_LIMITS.perResource} per resource` };
  const key = tags.find((t) => characterCount(t.Key) > TAG_LIMITS.keyLength);
  if (key) return { tag: key, why: `would get the tag key "${shorten(key.Key)}" of ${characterCount(key.Key)} characters; EC2 allows ${TAG_LIMITS.keyLength}` };
  const value = tags.find((t) => characterCount(t.Value) > TAG_LIMITS.valueLength);
  if (value) return { tag: value, why: `would get a value of ${characterCount(value.Value)} characters for the tag "${shorten(value.Key)}"; EC2 allows ${TAG_LIMITS.valueLength}` };
  return undefined;
}

function fixFor(ctx: PromotionContext, source: SourceImage, problem: TagProblem): string {
  const { request } = ctx;
  const copied = request.copyTags && source.tags.length > 0;
  if (!problem.tag) {
    const ways = [
      ...(copied ? [`set copy-tags: false (the source AMI has ${source.tags.length} tags of its own) or remove some from the source AMI`] : []),
      ...(request.tags.length > 0 ? [`pass fewer tags in the tags input (it has ${request.tags.length})`] : []),
    ];
    return `Make room: ${ways.join('; or ')}. EC2 allows ${TAG_LIMITS.perResource} tags per resource, this action's own promote-ami:* tags included.`;
  }
  const key = problem.tag.Key;
  if (request.tags.some((t) => t.Key === key)) return `Shorten the tag "${shorten(key)}" in the tags input.`;
  if (copied && source.tags.some((t) => t.Key === key)) return `Shorten the tag "${shorten(key)}" on the source AMI ${source.imageId}, or set copy-tags: false.`;
  return `The tag "${shorten(key)}" is one of this action's provenance tags: shorten the repository name or the server URL it is made of.`;
}

function taggedResources(ctx: PromotionContext, source: SourceImage, sourceKey: SourceKey | undefined, copies: NewCopies[]): TaggedResource[] {
  const promoted = copies.flatMap(({ accountId, keys }) =>
    keys.map((key): TaggedResource => ({ what: 'the promoted AMI', side: 'target', accountId, region: key.region, tags: promotedTags(ctx, source, key) })),
  );
  const intermediate: TaggedResource[] = sourceKey
    ? [{ what: 'the intermediate copy', side: 'source', accountId: ctx.source.identity.accountId, region: source.region, tags: [...intermediateTags(ctx, source, sourceKey), leaseTag(ctx)] }]
    : [];
  return [...intermediate, ...promoted];
}

/**
 * Every AMI and snapshot the promotion creates gets its tags in CopyImage, which fails as a whole (TagLimitExceeded,
 * or InvalidParameterValue for a key or value too long) when they break EC2's limits
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions). `sourceKey` is set when an
 * intermediate copy will be made; `copies` are the regions of each target account that get a new copy.
 */
export function tagBudgetFindings(ctx: PromotionContext, source: SourceImage, sourceKey: SourceKey | undefined, copies: NewCopies[]): PreflightFinding[] {
  const resources = taggedResources(ctx, source, sourceKey, copies);
  if (resources.length === 0) return [];
  const problems = new Map<string, { resource: TaggedResource; regions: string[]; problem: TagProblem }>();
  for (const resource of resources) {
    const problem = tagProblem(resource.tags);
    if (!problem) continue;
    const id = `${resource.accountId} ${resource.what} ${problem.why}`;
    const seen = problems.get(id);
    if (seen) seen.regions.push(resource.region);
    else problems.set(id, { resource, regions: [resource.region], problem });
  }
  if (problems.size === 0) {
    const targets = copies.map((c) => c.accountId);
    const where = (r: TaggedResource) => (r.side === 'target' && targets.length > 1 ? `${r.region} of ${r.accountId}` : r.region);
    const counts = resources.map((r) => `${r.what} in ${where(r)}: ${r.tags.length}`).join(', ');
    return [{ check: TAG_BUDGET_CHECK, side: 'target', accountId: targets.join(', '), status: 'ok', detail: `tags per AMI and per snapshot: ${counts} (EC2 allows ${TAG_LIMITS.perResource}).` }];
  }
  return [...problems.values()].map(({ resource, regions, problem }) =>
    missingFinding(TAG_BUDGET_CHECK, {
      side: resource.side,
      accountId: resource.accountId,
      region: regions.join(', '),
      why: `${resource.what} and its snapshots in ${regions.join(' and ')} ${problem.why}, so CopyImage would fail before copying anything.`,
      fix: fixFor(ctx, source, problem),
    }),
  );
}
