import type { ResponseLaunchTemplateData } from '@aws-sdk/client-ec2';
import type { TargetContext } from '../context.js';
import { defaultVersionData, findLaunchTemplate, templateLabel, type LaunchTemplate } from '../lookups/launch-templates.js';
import { attempt, type PreflightFinding } from './preflight-finding.js';

export function launchTemplateCheck(nameOrId: string, region: string): string {
  return `The launch template ${nameOrId} can get a version with the promoted AMI in ${region}`;
}

const SSM_REFERENCE = 'resolve:ssm:';

/**
 * A default version that takes its AMI from an SSM parameter ("resolve:ssm:…") follows the parameter; the new version
 * holds the AMI ID itself. https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-launch-template.html#use-an-ssm-parameter-instead-of-an-ami-id
 */
function ssmWarning(ctx: TargetContext, check: string, template: LaunchTemplate, data: ResponseLaunchTemplateData): PreflightFinding | undefined {
  const reference = data.ImageId;
  if (!reference?.startsWith(SSM_REFERENCE)) return undefined;
  return {
    check,
    side: 'target',
    status: 'warning',
    detail: `version ${template.defaultVersion} of ${templateLabel(template)} takes its AMI from the SSM parameter ${reference.slice(SSM_REFERENCE.length)} (${reference}); the new version will hold the promoted AMI's ID itself instead and no longer follow the parameter.`,
    fix: ctx.request.ssmParameter
      ? `To keep the template following the parameter, remove ${template.templateName} from launch-template: ssm-parameter already writes the promoted AMI's ID to ${ctx.request.ssmParameter}.`
      : `To keep the template following the parameter, remove ${template.templateName} from launch-template and set ssm-parameter to that parameter's name: the action then writes the promoted AMI's ID to it.`,
  };
}

/**
 * "Snapshots applied to the block device mapping are ignored when creating a new version unless they are explicitly
 * included." https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html
 */
function snapshotWarning(check: string, template: LaunchTemplate, data: ResponseLaunchTemplateData): PreflightFinding | undefined {
  const snapshots = (data.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [`${m.DeviceName ?? '?'}: ${m.Ebs.SnapshotId}`] : []));
  if (snapshots.length === 0) return undefined;
  return {
    check,
    side: 'target',
    status: 'warning',
    detail: `version ${template.defaultVersion} of ${templateLabel(template)} maps volumes from snapshots (${snapshots.join(', ')}); CreateLaunchTemplateVersion does not carry snapshots over to a new version unless they are given again, so the new version's volumes will not come from them.`,
    fix: `If those volumes must be made from the snapshots, give the mappings again in a version made by hand from the new one, or put the snapshots in the AMI's own block device mappings instead.`,
  };
}

async function templateFindings(ctx: TargetContext, nameOrId: string, region: string): Promise<PreflightFinding[]> {
  const check = launchTemplateCheck(nameOrId, region);
  const findings: PreflightFinding[] = [];
  const template = await attempt(findings, check, 'target', () => findLaunchTemplate(ctx, region, nameOrId));
  const data = template && (await attempt(findings, check, 'target', () => defaultVersionData(ctx, region, template)));
  if (!template || !data) return findings;
  const makeDefault = ctx.request.launchTemplateDefault ? ' (and made the default)' : '';
  findings.push({
    check,
    side: 'target',
    status: 'ok',
    detail: `${templateLabel(template)} in ${region}: default version ${template.defaultVersion}; a new version with the promoted AMI will be made${makeDefault}.`,
  });
  return [...findings, ...[ssmWarning(ctx, check, template, data), snapshotWarning(check, template, data)].filter((f) => f !== undefined)];
}

/**
 * launch-template: every template must exist in every region of the target account, and the target role must be able
 * to read it. A missing template or a denied read is `missing`, with the fix.
 */
export async function launchTemplateFindings(ctx: TargetContext): Promise<PreflightFinding[]> {
  const { regions } = ctx.target.spec;
  const checks = ctx.request.launchTemplates.flatMap((nameOrId) => regions.map((region) => templateFindings(ctx, nameOrId, region)));
  return (await Promise.all(checks)).flat();
}
