import {
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  paginateDescribeLaunchTemplateVersions,
  type ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { isNotFound } from '../../aws/classify.js';
import { PromotionError, errorMessage, errorName } from '../../aws/errors.js';
import { call, explainAwsError } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';

/** A launch template of the target account in one region. */
export interface LaunchTemplate {
  templateId: string;
  templateName: string;
  defaultVersion: number;
  latestVersion: number;
}

/** A version of a launch template. */
export interface TemplateVersion {
  version: number;
  isDefault: boolean;
}

/** The launch-template input accepts only IDs of the form lt- and 17 hexadecimal digits, and no name starting with lt-. */
function isLaunchTemplateId(nameOrId: string): boolean {
  return nameOrId.startsWith('lt-');
}

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html */
const MALFORMED = new Set(['InvalidLaunchTemplateId.Malformed', 'InvalidLaunchTemplateName.MalformedException']);

function missingTemplate(ctx: TargetContext, region: string, nameOrId: string, error?: unknown): PromotionError {
  const account = ctx.target.identity.accountId;
  const kind = isLaunchTemplateId(nameOrId) ? 'ID' : 'name';
  const why = MALFORMED.has(errorName(error))
    ? `"${nameOrId}" is not a valid launch template ${kind} (${errorName(error)}: ${errorMessage(error)}).`
    : `account ${account} has no launch template with the ${kind} ${nameOrId} in ${region}${error ? ` (${errorName(error)})` : ''}. Launch templates are regional: each target region needs its own.`;
  const byId = kind === 'ID' ? ' A launch template ID names a template of one region only: with several target regions, name the template by its name (the same in every region).' : '';
  return new PromotionError({
    what: `Finding the launch template ${nameOrId}`,
    ...siteOf(ctx.target, region),
    why,
    fix: `Create the launch template ${nameOrId} in ${region} of account ${account}, or remove it from launch-template, or check that ${region} belongs in target-regions.${byId}`,
    cause: error,
  });
}

/**
 * A launch template by name or ID (lt-…), with its default and latest version. DescribeLaunchTemplates answers a name
 * or ID that does not exist with InvalidLaunchTemplateName.NotFoundException or InvalidLaunchTemplateId.NotFound (an
 * empty answer is taken the same way). https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplates.html
 */
export async function findLaunchTemplate(ctx: TargetContext, region: string, nameOrId: string): Promise<LaunchTemplate> {
  const input = isLaunchTemplateId(nameOrId) ? { LaunchTemplateIds: [nameOrId] } : { LaunchTemplateNames: [nameOrId] };
  let found;
  try {
    found = (await ctx.target.ec2(region).send(new DescribeLaunchTemplatesCommand(input))).LaunchTemplates?.[0];
  } catch (error) {
    if (isNotFound(error, 'launchTemplate') || MALFORMED.has(errorName(error))) throw missingTemplate(ctx, region, nameOrId, error);
    throw explainAwsError(error, { ...siteOf(ctx.target, region), what: `Finding the launch template ${nameOrId}`, action: 'ec2:DescribeLaunchTemplates' });
  }
  if (!found?.LaunchTemplateId) throw missingTemplate(ctx, region, nameOrId);
  return {
    templateId: found.LaunchTemplateId,
    templateName: found.LaunchTemplateName ?? nameOrId,
    defaultVersion: found.DefaultVersionNumber ?? 1,
    latestVersion: found.LatestVersionNumber ?? 1,
  };
}

export function templateLabel(template: LaunchTemplate): string {
  return `${template.templateId} (${template.templateName})`;
}

/**
 * The launch parameters of the template's default version. An ImageId given as an SSM parameter reads
 * "resolve:ssm:…" unless ResolveAlias is asked for.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplateVersions.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ResponseLaunchTemplateData.html
 */
export async function defaultVersionData(ctx: TargetContext, region: string, template: LaunchTemplate): Promise<ResponseLaunchTemplateData> {
  const site = { ...siteOf(ctx.target, region), what: `Reading version ${template.defaultVersion} of the launch template ${templateLabel(template)}`, action: 'ec2:DescribeLaunchTemplateVersions' };
  const response = await call(site, () =>
    ctx.target.ec2(region).send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: template.templateId, Versions: [String(template.defaultVersion)] })),
  );
  return response.LaunchTemplateVersions?.[0]?.LaunchTemplateData ?? {};
}

/**
 * A version of the template whose ImageId is this AMI (filter image-id), for a promotion run again: the default
 * version, else the newest one after the default. An older version with the AMI is not taken: making it the default
 * would undo the changes made since.
 */
export async function versionWithImage(ctx: TargetContext, region: string, template: LaunchTemplate, imageId: string): Promise<TemplateVersion | undefined> {
  const site = { ...siteOf(ctx.target, region), what: `Looking for a version of the launch template ${templateLabel(template)} with ${imageId}`, action: 'ec2:DescribeLaunchTemplateVersions' };
  const versions = await call(site, async () => {
    const found: TemplateVersion[] = [];
    const pages = paginateDescribeLaunchTemplateVersions(
      { client: ctx.target.ec2(region) },
      { LaunchTemplateId: template.templateId, Filters: [{ Name: 'image-id', Values: [imageId] }] },
    );
    for await (const page of pages) {
      for (const v of page.LaunchTemplateVersions ?? []) {
        if (v.VersionNumber !== undefined && v.LaunchTemplateData?.ImageId === imageId) found.push({ version: v.VersionNumber, isDefault: v.DefaultVersion === true });
      }
    }
    return found;
  });
  const usable = versions.filter((v) => v.isDefault || v.version > template.defaultVersion);
  return usable.find((v) => v.isDefault) ?? usable.sort((a, b) => b.version - a.version)[0];
}
