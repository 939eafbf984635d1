import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { copiedFrom, snapshotIdsOf, type CopiedFrom } from '../../aws/images.js';
import { call } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';
import { reuseFilters } from '../provenance.js';
import type { TargetKey } from './target-key.js';

export interface ExistingPromotion {
  region: string;
  imageId: string;
  snapshotIds: string[];
  /** What EC2 reports this earlier promotion was copied from (an intermediate copy may be gone by now). */
  copiedFrom?: CopiedFrom;
}

/** An available AMI in the target account and region carrying this action's provenance for the same source and key. */
export async function findExistingPromotion(ctx: TargetContext, key: TargetKey): Promise<ExistingPromotion | undefined> {
  const response = await call(
    {
      what: `Looking for an earlier promotion of ${ctx.request.sourceAmiId}`,
      ...siteOf(ctx.target, key.region),
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
    copiedFrom: copiedFrom(newest),
  };
}
