import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { call, siteOf } from '../../aws/explain.js';
import { snapshotIdsOf } from '../../aws/images.js';
import type { PromotionContext } from '../context.js';
import { reuseFilters } from '../provenance.js';
import type { TargetKey } from './target-key.js';

export interface ExistingPromotion {
  region: string;
  imageId: string;
  snapshotIds: string[];
}

/** Step 0: an available AMI in the target region carrying this action's provenance for the same source and key. */
export async function findExistingPromotion(ctx: PromotionContext, key: TargetKey): Promise<ExistingPromotion | undefined> {
  const response = await call(
    {
      what: `Looking for an earlier promotion of ${ctx.request.sourceAmiId}`,
      ...siteOf(ctx, 'target', key.region),
      action: 'ec2:DescribeImages',
    },
    () => ctx.target.ec2(key.region).send(new DescribeImagesCommand({ Owners: ['self'], Filters: reuseFilters(ctx, key) })),
  );
  const newest = (response.Images ?? [])
    .filter((image) => image.ImageId)
    .sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
  if (!newest?.ImageId) return undefined;
  return {
    region: key.region,
    imageId: newest.ImageId,
    snapshotIds: snapshotIdsOf(newest),
  };
}
