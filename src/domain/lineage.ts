import type { CopiedFrom } from '../aws/images.js';
import type { PromotionResult, RegionResult } from './pipeline.js';
import type { PromotionRequest } from './types.js';

/** One link of a promoted AMI's lineage: an AMI and whether EC2's own record of its source agrees. */
export interface LineageLink {
  imageId: string;
  /** What EC2 reports about where the AMI was copied from, compared with what the run copied it from. */
  check: 'verified' | 'not reported' | 'differs' | 'earlier run';
  reported?: CopiedFrom;
}

/** source AMI → intermediate copy (when one was made) → promoted AMI, for one account and region. */
export interface Lineage {
  accountId: string;
  region: string;
  source: string;
  intermediate?: LineageLink;
  promoted: LineageLink;
}

function link(imageId: string, reported: CopiedFrom | undefined, expected: { imageId: string; region: string }): LineageLink {
  if (!reported) return { imageId, check: 'not reported' };
  const agrees = reported.imageId === expected.imageId && (reported.region === undefined || reported.region === expected.region);
  return { imageId, check: agrees ? 'verified' : 'differs', reported };
}

function promotedLink(request: PromotionRequest, result: PromotionResult, region: RegionResult): LineageLink {
  // A reused AMI was copied by an earlier run, from that run's intermediate copy (gone by now) or the source itself.
  if (region.reused) {
    const fromSource = region.copiedFrom?.imageId === request.sourceAmiId;
    return { imageId: region.imageId, check: fromSource ? 'verified' : region.copiedFrom ? 'earlier run' : 'not reported', reported: region.copiedFrom };
  }
  const shared = result.reencryptedImageId ?? request.sourceAmiId;
  return link(region.imageId, region.copiedFrom, { imageId: shared, region: request.sourceRegion });
}

/**
 * The lineage of every promoted AMI, each link checked against SourceImageId and SourceImageRegion, which EC2 sets
 * on the AMIs CopyImage makes. https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-ancestry.html
 */
export function lineageOf(request: PromotionRequest, result: PromotionResult): Lineage[] {
  const intermediate = result.reencryptedImageId
    ? link(result.reencryptedImageId, result.reencryptedFrom, { imageId: request.sourceAmiId, region: request.sourceRegion })
    : undefined;
  return result.targets.flatMap((target) =>
    target.regions.map((region) => ({
      accountId: target.accountId,
      region: region.region,
      source: request.sourceAmiId,
      intermediate: region.reused ? undefined : intermediate,
      promoted: promotedLink(request, result, region),
    })),
  );
}
