import { describe, expect, it } from '@jest/globals';
import { DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { launchTemplateCheck, launchTemplateFindings } from '../../../../src/domain/preflight/launch-template-findings.js';
import { stubTemplate, templateId } from '../../../support/launch-templates.js';
import { SECOND_REGION, SOURCE_REGION, TARGET_ACCOUNT, TARGET_ROLE, awsError, buildContext, type RequestOverrides } from '../../../support/pipeline-fixtures.js';

const regions = [SOURCE_REGION, SECOND_REGION];

function setup(overrides: RequestOverrides = {}) {
  return buildContext({ targetRegions: regions, launchTemplates: ['web'], ...overrides });
}

describe('the preflight of launch-template', () => {
  it('is silent and reads nothing without launch-template', async () => {
    const fx = setup({ launchTemplates: [] });
    await expect(launchTemplateFindings(fx.ctx)).resolves.toEqual([]);
    expect(fx.sent).toEqual([]);
  });

  it('is ok for each template in each target region, read with that region\'s client', async () => {
    const fx = setup({ launchTemplates: ['web', 'api'] });
    for (const region of regions) {
      stubTemplate(fx, region, { name: 'web', defaultVersion: 3 });
      stubTemplate(fx, region, { name: 'api', defaultVersion: 1 });
    }
    const findings = await launchTemplateFindings(fx.ctx);
    expect(findings).toEqual(
      ['web', 'api'].flatMap((name) =>
        regions.map((region) => ({
          check: launchTemplateCheck(name, region),
          side: 'target',
          status: 'ok',
          detail: `${templateId(name, region)} (${name}) in ${region}: default version ${name === 'web' ? 3 : 1}; a new version with the promoted AMI will be made.`,
        })),
      ),
    );
    for (const region of regions) {
      expect(fx.commands('target', 'ec2', region).map(([command]) => command).sort()).toEqual(
        ['DescribeLaunchTemplateVersions', 'DescribeLaunchTemplateVersions', 'DescribeLaunchTemplates', 'DescribeLaunchTemplates'],
      );
    }
    expect(fx.mutations()).toEqual([]);
  });

  it('says that the new version will be made the default when launch-template-default asks for it', async () => {
    const fx = setup({ launchTemplateDefault: true, targetRegions: [SOURCE_REGION] });
    stubTemplate(fx, SOURCE_REGION, { name: 'web', defaultVersion: 2 });
    const [ok] = await launchTemplateFindings(fx.ctx);
    expect(ok?.detail).toBe(`${templateId('web', SOURCE_REGION)} (web) in ${SOURCE_REGION}: default version 2; a new version with the promoted AMI will be made (and made the default).`);
  });

  it('is missing where the template does not exist, naming account and region, and ok elsewhere', async () => {
    const fx = setup();
    stubTemplate(fx, SOURCE_REGION, { name: 'web' });
    fx.target.ec2(SECOND_REGION).on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateName.NotFoundException'));
    const [ok, missing] = await launchTemplateFindings(fx.ctx);
    expect(ok).toMatchObject({ status: 'ok', check: launchTemplateCheck('web', SOURCE_REGION) });
    expect(missing).toMatchObject({ check: launchTemplateCheck('web', SECOND_REGION), side: 'target', accountId: TARGET_ACCOUNT, status: 'missing' });
    expect(missing?.detail).toContain(`account ${TARGET_ACCOUNT} has no launch template with the name web in ${SECOND_REGION}`);
    expect(missing?.fix).toContain(`Create the launch template web in ${SECOND_REGION} of account ${TARGET_ACCOUNT}, or remove it from launch-template`);
    expect(missing?.error).toBeInstanceOf(PromotionError);
    expect(missing?.error?.details).toMatchObject({ region: SECOND_REGION, accountId: TARGET_ACCOUNT });
  });

  it('is missing when the target role may not read the template, with the statement to add', async () => {
    const fx = setup({ targetRegions: [SOURCE_REGION] });
    stubTemplate(fx, SOURCE_REGION, { name: 'web' });
    fx.target.ec2(SOURCE_REGION).on(DescribeLaunchTemplateVersionsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const findings = await launchTemplateFindings(fx.ctx);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'missing', side: 'target', accountId: TARGET_ACCOUNT });
    expect(findings[0]?.detail).toContain(`${TARGET_ROLE} may not call ec2:DescribeLaunchTemplateVersions`);
    expect(findings[0]?.fix).toContain(`Add this statement to the IAM policy of ${TARGET_ROLE}:`);
    expect(findings[0]?.fix).toContain('"Action": "ec2:DescribeLaunchTemplateVersions"');
    expect(findings[0]?.error?.details.region).toBe(SOURCE_REGION);
  });

  it('warns when the default version takes its AMI from an SSM parameter, suggesting ssm-parameter', async () => {
    const fx = setup({ targetRegions: [SOURCE_REGION] });
    stubTemplate(fx, SOURCE_REGION, { name: 'web', defaultVersion: 2, defaultData: { ImageId: 'resolve:ssm:/golden/ami:3' } });
    const [ok, warning] = await launchTemplateFindings(fx.ctx);
    expect(ok?.status).toBe('ok');
    expect(warning).toMatchObject({ check: launchTemplateCheck('web', SOURCE_REGION), side: 'target', status: 'warning' });
    expect(warning?.detail).toBe(
      `version 2 of ${templateId('web', SOURCE_REGION)} (web) takes its AMI from the SSM parameter /golden/ami:3 (resolve:ssm:/golden/ami:3); the new version will hold the promoted AMI's ID itself instead and no longer follow the parameter.`,
    );
    expect(warning?.fix).toBe(
      "To keep the template following the parameter, remove web from launch-template and set ssm-parameter to that parameter's name: the action then writes the promoted AMI's ID to it.",
    );
  });

  it('names the ssm-parameter already set in that warning', async () => {
    const fx = setup({ targetRegions: [SOURCE_REGION], ssmParameter: '/golden/ami' });
    stubTemplate(fx, SOURCE_REGION, { name: 'web', defaultData: { ImageId: 'resolve:ssm:/golden/ami' } });
    const [, warning] = await launchTemplateFindings(fx.ctx);
    expect(warning?.fix).toBe("To keep the template following the parameter, remove web from launch-template: ssm-parameter already writes the promoted AMI's ID to /golden/ami.");
  });

  it('warns when the default version maps volumes from snapshots, which a new version does not inherit', async () => {
    const fx = setup({ targetRegions: [SOURCE_REGION] });
    const BlockDeviceMappings = [
      { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20 } },
      { DeviceName: '/dev/xvdb', Ebs: { SnapshotId: 'snap-0123456789abcdef0' } },
    ];
    stubTemplate(fx, SOURCE_REGION, { name: 'web', defaultData: { ImageId: 'ami-0123456789abcdef0', BlockDeviceMappings } });
    const findings = await launchTemplateFindings(fx.ctx);
    expect(findings.map((f) => f.status)).toEqual(['ok', 'warning']);
    expect(findings[1]?.detail).toContain('maps volumes from snapshots (/dev/xvdb: snap-0123456789abcdef0); CreateLaunchTemplateVersion does not carry snapshots over');
  });
});
