/**
 * Allowed AMIs, an account setting per region. GetAllowedImagesSettings answers State (disabled | audit-mode |
 * enabled), ImageCriteria and ManagedBy (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetAllowedImagesSettings.html).
 * `enabled`: only AMIs matching the criteria are discoverable; `audit-mode`: nothing is restricted, each AMI shows
 * ImageAllowed true or false; "the AMIs created by your account will always be discoverable and usable"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableAllowedImagesSettings.html). The criteria modelled
 * are image providers only: account IDs, `aws-marketplace` (an AMI with a marketplace product code), `amazon` and
 * `aws-backup-vault` (no AMI of the stand-in is AWS's or AWS Backup's), `none` (the account's own AMIs only)
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ImageCriterion.html).
 */
import type { GetAllowedImagesSettingsRequest, GetAllowedImagesSettingsResult } from '@aws-sdk/client-ec2';
import type { ImageState, WorldState } from '../state.js';
import { callerOf, op, type CallContext, type Handler } from './context.js';
import { gate } from './ec2-common.js';
import { ANY } from './ec2-resources.js';

function providerMatches(provider: string, image: ImageState): boolean {
  if (provider === 'aws-marketplace') return image.productCodes.some((p) => p.type === 'marketplace');
  return provider === image.ownerId;
}

/**
 * Whether an AMI is allowed in an account and region: undefined while Allowed AMIs is disabled (DescribeImages then
 * shows no ImageAllowed), otherwise true for the account's own AMIs and for those a criterion's providers match.
 */
export function imageAllowed(state: WorldState, image: ImageState, accountId: string, region: string): boolean | undefined {
  const settings = state.settings(accountId, region).allowedImages;
  if (!settings || settings.state === 'disabled') return undefined;
  if (image.ownerId === accountId) return true;
  return settings.imageCriteria.some((criterion) => criterion.imageProviders.some((provider) => providerMatches(provider, image)));
}

/** Whether Allowed AMIs is enabled (not only auditing) and hides this AMI from the account. */
export function imageHidden(state: WorldState, image: ImageState, accountId: string, region: string): boolean {
  return state.settings(accountId, region).allowedImages?.state === 'enabled' && imageAllowed(state, image, accountId, region) === false;
}

async function getAllowedImagesSettings(ctx: CallContext, input: GetAllowedImagesSettingsRequest): Promise<GetAllowedImagesSettingsResult> {
  await gate(ctx, 'GetAllowedImagesSettings', ANY, input.DryRun);
  const settings = ctx.state.settings(callerOf(ctx).accountId, ctx.region).allowedImages;
  return {
    State: settings?.state ?? 'disabled',
    ImageCriteria: settings?.imageCriteria.map((c) => ({ ImageProviders: [...c.imageProviders] })),
    ManagedBy: 'account',
  };
}

export const allowedImagesOperations: Record<string, Handler> = {
  GetAllowedImagesSettings: op(getAllowedImagesSettings),
};
