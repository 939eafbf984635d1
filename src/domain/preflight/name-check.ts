import { DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { call } from '../../aws/explain.js';
import { siteOf } from '../site.js';
import type { PromotionContext } from '../context.js';
import { missingFinding, type PreflightFinding } from './preflight-finding.js';
import { ROLE_PROMOTED, TAG, tagValue } from '../tags.js';
import type { TargetKey } from '../lookups/target-key.js';

export function nameCheck(region: string): string {
  return `The AMI name is free in ${region}`;
}

/** Why an AMI of the target account carrying this source's provenance is not reused; undefined for any other AMI. */
function notReusedBecause(ctx: PromotionContext, image: Image, key: TargetKey): string | undefined {
  const tags = image.Tags;
  if (tagValue(tags, TAG.role) !== ROLE_PROMOTED || tagValue(tags, TAG.sourceAmiId) !== ctx.request.sourceAmiId) return undefined;
  const label = tagValue(tags, TAG.kmsKey);
  if (label !== key.label) return `it is a promotion of the same source AMI under another key (${label ?? 'none'}), so it is not reused`;
  if (tagValue(tags, TAG.sourceRegion) !== ctx.request.sourceRegion) return 'it is a promotion of an AMI with the same ID from another region, so it is not reused';
  return `it is a promotion of the same source AMI that is ${image.State ?? 'not available'}, so it is not reused`;
}

/**
 * CopyImage fails with InvalidAMIName.Duplicate when the account already owns an AMI of that name in the region
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html). The lookup runs only in regions
 * without a reusable earlier promotion, and includes disabled AMIs, which DescribeImages leaves out by default but
 * which still hold their names (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html).
 */
export async function nameFinding(ctx: PromotionContext, key: TargetKey, name: string): Promise<PreflightFinding> {
  const { region } = key;
  const site = siteOf(ctx, 'target', region);
  const account = ctx.targetIdentity.accountId;
  const response = await call({ what: `Looking for an AMI named "${name}"`, ...site, action: 'ec2:DescribeImages' }, () =>
    ctx.target.ec2(region).send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }], IncludeDisabled: true })),
  );
  const holder = response.Images?.find((image) => image.ImageId && image.Name === name);
  if (!holder) return { check: nameCheck(region), side: 'target', status: 'ok', detail: `account ${account} has no AMI named "${name}" in ${region}.` };
  const because = notReusedBecause(ctx, holder, key);
  return missingFinding(nameCheck(region), {
    ...site,
    why: `account ${account} already has ${holder.ImageId} named "${name}" in ${region}${because ? ` (${because})` : ''}; AMI names are unique per account and region, so CopyImage would fail with InvalidAMIName.Duplicate.`,
    fix: `Set the ami-name input to a name not used yet, for example with the release number in it (ami-name: ${name}-\${{ github.run_number }}), or deregister ${holder.ImageId} in ${region} of account ${account} if it is no longer needed.`,
  });
}
