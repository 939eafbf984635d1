import { DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { copiedFrom, snapshotIdsOf, type CopiedFrom } from '../../aws/images.js';
import { call } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';
import { reuseFilters } from '../provenance.js';
import { TAG, tagValue } from '../tags.js';
import type { TargetKey } from './target-key.js';

export interface ExistingPromotion {
  region: string;
  imageId: string;
  snapshotIds: string[];
  /** What EC2 reports this earlier promotion was copied from (an intermediate copy may be gone by now). */
  copiedFrom?: CopiedFrom;
}

/**
 * The available AMIs in the target account and region carrying this action's provenance for the same source, under any
 * key: asked while the target key is resolved, then narrowed to that key with promotionUnder.
 */
export async function earlierPromotions(ctx: TargetContext, region: string): Promise<Image[]> {
  const response = await call(
    {
      what: `Looking for an earlier promotion of ${ctx.request.sourceAmiId}`,
      ...siteOf(ctx.target, region),
      action: 'ec2:DescribeImages',
    },
    () => ctx.target.ec2(region).send(new DescribeImagesCommand({ Owners: ['self'], Filters: reuseFilters(ctx) })),
  );
  return response.Images ?? [];
}

/** The newest of `images` copied under `key` (its provenance tag), to reuse. */
export function promotionUnder(images: Image[], key: TargetKey): ExistingPromotion | undefined {
  const newest = images
    .filter((image) => image.ImageId && tagValue(image.Tags, TAG.kmsKey) === key.label)
    .sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
  if (!newest?.ImageId) return undefined;
  return {
    region: key.region,
    imageId: newest.ImageId,
    snapshotIds: snapshotIdsOf(newest),
    copiedFrom: copiedFrom(newest),
  };
}
