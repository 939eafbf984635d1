import { GetAllowedImagesSettingsCommand, type GetAllowedImagesSettingsResult, type ImageCriterion } from '@aws-sdk/client-ec2';
import { isAccessDenied } from '../../aws/classify.js';
import { errorMessage } from '../../aws/errors.js';
import { andList } from '../../aws/text.js';
import type { TargetContext } from '../context.js';
import type { PreflightFinding } from './preflight-finding.js';

/**
 * Allowed AMIs, an account setting per region: when `enabled`, only AMIs that match one of its criteria are
 * discoverable and usable in the account (DescribeImages leaves the others out); `audit-mode` only reports. AMIs the
 * account owns are always allowed, so the promoted AMI never is affected; the shared AMI, owned by the source account, is.
 * What CopyImage does with a shared AMI that is not allowed is not documented.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-allowed-amis.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetAllowedImagesSettings.html
 */
const CHECK = 'Allowed AMIs';

/** The conditions of a criterion besides its image providers, which the preflight cannot judge for an AMI not yet shared. */
function otherConditions(criterion: ImageCriterion): string[] {
  return Object.entries(criterion).flatMap(([name, value]) => (name !== 'ImageProviders' && value !== undefined && (!Array.isArray(value) || value.length > 0) ? [name] : []));
}

/** The CLI command that adds a criterion for the source account to the existing ones (the call replaces them all). */
function addProviderCommand(region: string, criteria: ImageCriterion[], sourceAccountId: string): string {
  const next = [...criteria, { ImageProviders: [sourceAccountId] }];
  return `aws ec2 replace-image-criteria-in-allowed-images-settings --region ${region} --image-criteria '${JSON.stringify(next)}'`;
}

function enabledFinding(ctx: TargetContext, region: string, settings: GetAllowedImagesSettingsResult): PreflightFinding {
  const source = ctx.source.identity.accountId;
  const target = ctx.target.identity.accountId;
  const owned = `The promoted AMI belongs to account ${target} and is always allowed there.`;
  const criteria = settings.ImageCriteria ?? [];
  const matching = criteria.filter((c) => c.ImageProviders?.includes(source));
  if (matching.some((c) => otherConditions(c).length === 0)) {
    return { check: CHECK, side: 'target', status: 'ok', detail: `enabled in ${region}; its criteria allow AMIs of the source account ${source}, so the shared AMI can be copied. ${owned}` };
  }
  if (matching.length > 0) {
    const conditions = andList([...new Set(matching.flatMap(otherConditions))]);
    return { check: CHECK, side: 'target', status: 'unchecked', detail: `enabled in ${region}; the criteria that name the source account ${source} also set ${conditions}, which the preflight cannot judge for the AMI before it is shared. ${owned}` };
  }
  const declarative = settings.ManagedBy === 'declarative-policy';
  return {
    check: CHECK,
    side: 'target',
    status: 'warning',
    detail:
      `enabled in ${region}, and no criterion allows AMIs of the source account ${source}: the shared AMI is not discoverable in account ${target}. ` +
      `AWS does not document whether CopyImage of such an AMI is refused; if the copy fails with InvalidAMIID.NotFound, this is why. ${owned}`,
    fix: declarative
      ? `The setting is managed by a declarative policy of your organization: add ${source} to its image providers for ${region}.`
      : `Allow AMIs of account ${source} in ${region}: ${addProviderCommand(region, criteria, source)}`,
  };
}

async function regionFinding(ctx: TargetContext, region: string): Promise<PreflightFinding | undefined> {
  let settings: GetAllowedImagesSettingsResult;
  try {
    settings = await ctx.target.ec2(region).send(new GetAllowedImagesSettingsCommand({}));
  } catch (error) {
    const why = isAccessDenied(error) ? `the target role may not read it (ec2:GetAllowedImagesSettings)` : errorMessage(error);
    return { check: CHECK, side: 'target', status: 'unchecked', detail: `could not read the setting in ${region}: ${why}. When it is enabled without allowing AMIs of account ${ctx.source.identity.accountId}, the shared AMI is hidden from the target account.` };
  }
  if (settings.State === 'enabled') return enabledFinding(ctx, region, settings);
  if (settings.State === 'audit-mode') {
    return { check: CHECK, side: 'target', status: 'ok', detail: `audit mode in ${region}: nothing is restricted. The promoted AMI belongs to account ${ctx.target.identity.accountId} and is always allowed there.` };
  }
  return undefined;
}

/** One finding per region to copy into where Allowed AMIs is on (or cannot be read); none where it is off. */
export async function allowedImagesFindings(ctx: TargetContext, regions: string[]): Promise<PreflightFinding[]> {
  const findings = await Promise.all(regions.map((region) => regionFinding(ctx, region)));
  return findings.filter((f): f is PreflightFinding => f !== undefined);
}
