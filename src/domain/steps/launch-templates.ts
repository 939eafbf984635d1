import { CreateLaunchTemplateVersionCommand, ModifyLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import { launchTemplateArn } from '../../aws/arn.js';
import { call } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';
import { findLaunchTemplate, templateLabel, versionWithImage, type LaunchTemplate, type TemplateVersion } from '../lookups/launch-templates.js';
import { clientToken } from '../tokens.js';
import type { FinishedImage } from './finish.js';

/** A version of a launch template that holds a promoted AMI: part of the result, never removed by cleanup. */
export interface LaunchTemplateVersion {
  accountId: string;
  region: string;
  templateId: string;
  templateName: string;
  version: number;
  /** False when a version with the AMI already existed (a promotion run again). */
  created: boolean;
  isDefault: boolean;
}

/** VersionDescription: "Length Constraints: Maximum length of 255" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateVersion.html). */
export const VERSION_DESCRIPTION_MAX = 255;

/** What the new version says about itself: the promoted AMI, where it comes from and the run that made it. */
export function versionDescription(ctx: TargetContext, imageId: string): string {
  const { request } = ctx;
  const { runUrl, repository, commitSha } = request.provenance;
  const run = runUrl ?? (repository ? `${repository}@${commitSha ?? 'unknown commit'}` : undefined);
  const text = `${imageId} promoted from ${request.sourceAmiId} (account ${ctx.source.identity.accountId}, ${request.sourceRegion}) by promote-encrypted-ami${run ? ` in ${run}` : ''}`;
  return text.length > VERSION_DESCRIPTION_MAX ? `${text.slice(0, VERSION_DESCRIPTION_MAX - 3)}...` : text;
}

function templateSite(ctx: TargetContext, region: string, template: LaunchTemplate, what: string, action: string) {
  const resource = launchTemplateArn(ctx.target.spec.role.partition, region, ctx.target.identity.accountId, template.templateId);
  return { ...siteOf(ctx.target, region), what, action, resource };
}

/**
 * A version of the default version with only the ImageId changed: "If you specify this parameter, the new version
 * inherits the launch parameters from the source version"; the ClientToken ("Maximum 128 ASCII characters") makes a
 * retry of the same attempt return the same version.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html
 */
async function createVersion(ctx: TargetContext, region: string, template: LaunchTemplate, imageId: string): Promise<number> {
  const { runId, runAttempt } = ctx.request.provenance;
  const site = templateSite(ctx, region, template, `Making a version of the launch template ${templateLabel(template)} with ${imageId}`, 'ec2:CreateLaunchTemplateVersion');
  const response = await call(site, async () => {
    const answer = await ctx.target.ec2(region).send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: template.templateId,
        SourceVersion: String(template.defaultVersion),
        LaunchTemplateData: { ImageId: imageId },
        VersionDescription: versionDescription(ctx, imageId),
        ClientToken: clientToken('launch-template-version', runId, runAttempt, template.templateId, imageId),
      }),
    );
    if (answer.LaunchTemplateVersion?.VersionNumber === undefined) throw new Error('EC2 returned no version number.');
    return { version: answer.LaunchTemplateVersion.VersionNumber, warnings: answer.Warning?.Errors ?? [] };
  });
  for (const warning of response.warnings) {
    ctx.log.warning(`Launch template ${templateLabel(template)} in ${region}, version ${response.version}: ${warning.Code ?? 'warning'}: ${warning.Message ?? ''}`);
  }
  return response.version;
}

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyLaunchTemplate.html (SetDefaultVersion; DefaultVersion in the SDK). */
async function makeDefault(ctx: TargetContext, region: string, template: LaunchTemplate, version: number): Promise<void> {
  const site = templateSite(ctx, region, template, `Making version ${version} the default of the launch template ${templateLabel(template)}`, 'ec2:ModifyLaunchTemplate');
  await call(site, () => ctx.target.ec2(region).send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: template.templateId, DefaultVersion: String(version) })));
}

function logLine(template: LaunchTemplate, region: string, imageId: string, found: TemplateVersion | undefined, result: LaunchTemplateVersion): string {
  const what = found ? `version ${result.version} already holds ${imageId}, reused` : `made version ${result.version} with ${imageId} from version ${template.defaultVersion}`;
  const isDefault = result.isDefault ? (found?.isDefault ? '; it is the default' : '; made it the default') : '';
  return `Launch template ${templateLabel(template)} in ${region} of account ${result.accountId}: ${what}${isDefault}.`;
}

async function updateTemplate(ctx: TargetContext, { region, imageId }: FinishedImage, nameOrId: string): Promise<LaunchTemplateVersion> {
  const template = await findLaunchTemplate(ctx, region, nameOrId);
  const found = await versionWithImage(ctx, region, template, imageId);
  const version = found?.version ?? (await createVersion(ctx, region, template, imageId));
  const isDefault = found?.isDefault === true || ctx.request.launchTemplateDefault;
  if (isDefault && !found?.isDefault) await makeDefault(ctx, region, template, version);
  const result: LaunchTemplateVersion = {
    accountId: ctx.target.identity.accountId,
    region,
    templateId: template.templateId,
    templateName: template.templateName,
    version,
    created: !found,
    isDefault,
  };
  ctx.log.info(logLine(template, region, imageId, found, result));
  return result;
}

/**
 * launch-template: in every region, a version of each template with the promoted AMI of that region, made the default
 * when launch-template-default asks for it. Nothing is deleted and nothing is journaled: the versions are part of the
 * result.
 */
export async function updateLaunchTemplates(ctx: TargetContext, images: FinishedImage[]): Promise<LaunchTemplateVersion[]> {
  const work = images.flatMap((image) => ctx.request.launchTemplates.map((nameOrId) => updateTemplate(ctx, image, nameOrId)));
  return Promise.all(work);
}
