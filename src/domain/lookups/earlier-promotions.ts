import { DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { call } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';
import { ROLE_PROMOTED, TAG, tagValue } from '../tags.js';

/** An earlier promotion of a lineage in one target account and region, as DescribeImages describes it. */
export interface EarlierPromotion {
  imageId: string;
  name: string;
  /** ISO time. */
  creationDate: string;
  /** available, disabled, pending, failed… */
  state: string;
  /** ISO time at which the AMI is (or was) deprecated. */
  deprecationTime?: string;
  /** ISO time of its last launch, which AWS reports up to 24 hours late. */
  lastLaunchedTime?: string;
  /** `disabled`, or how deregistration protection is on. */
  deregistrationProtection?: string;
}

/** The DescribeImages filters of the promoted AMIs of a lineage. */
function lineageFilters(lineage: string) {
  return [
    { Name: `tag:${TAG.role}`, Values: [ROLE_PROMOTED] },
    { Name: `tag:${TAG.lineage}`, Values: [lineage] },
  ];
}

/** Whether an image is the account's own promotion of the lineage, by its own tags: a filter alone is not trusted. */
function isPromotionOf(image: Image, lineage: string, accountId: string): image is Image & { ImageId: string } {
  return (
    Boolean(image.ImageId) &&
    image.OwnerId === accountId &&
    tagValue(image.Tags, TAG.role) === ROLE_PROMOTED &&
    tagValue(image.Tags, TAG.lineage) === lineage
  );
}

function toPromotion(image: Image & { ImageId: string }): EarlierPromotion {
  return {
    imageId: image.ImageId,
    name: image.Name ?? '',
    creationDate: image.CreationDate ?? '',
    state: image.State ?? 'unknown',
    ...(image.DeprecationTime ? { deprecationTime: image.DeprecationTime } : {}),
    ...(image.LastLaunchedTime ? { lastLaunchedTime: image.LastLaunchedTime } : {}),
    ...(image.DeregistrationProtection ? { deregistrationProtection: image.DeregistrationProtection } : {}),
  };
}

const created = (promotion: EarlierPromotion) => Date.parse(promotion.creationDate) || 0;

/**
 * Every AMI the target account owns in `region` that carries the provenance of the lineage, newest first (by
 * CreationDate), disabled and deprecated ones included: a disabled AMI appears in DescribeImages only with
 * IncludeDisabled (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableImage.html), a deprecated one is
 * left out for other accounts without IncludeDeprecated (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html).
 * An AMI deregistered a moment ago may still be listed, with state `deregistered`: it is left out.
 */
export async function findEarlierPromotions(ctx: TargetContext, region: string, lineage: string): Promise<EarlierPromotion[]> {
  const site = { what: `Looking for earlier promotions of the lineage ${lineage}`, ...siteOf(ctx.target, region), action: 'ec2:DescribeImages' };
  const images: Image[] = [];
  let token: string | undefined;
  do {
    const input = { Owners: ['self'], Filters: lineageFilters(lineage), IncludeDisabled: true, IncludeDeprecated: true, ...(token ? { NextToken: token } : {}) };
    const response = await call(site, () => ctx.target.ec2(region).send(new DescribeImagesCommand(input)));
    images.push(...(response.Images ?? []));
    token = response.NextToken;
  } while (token);
  const accountId = ctx.target.identity.accountId;
  return images
    .flatMap((image) => (isPromotionOf(image, lineage, accountId) && image.State !== 'deregistered' ? [toPromotion(image)] : []))
    .sort((a, b) => created(b) - created(a) || a.imageId.localeCompare(b.imageId));
}
