import { describe, expect, it } from '@jest/globals';
import { DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { defaultVersionData, findLaunchTemplate, versionWithImage } from '../../../../src/domain/lookups/launch-templates.js';
import { OLD_AMI, stubTemplate, templateId } from '../../../support/launch-templates.js';
import { SECOND_REGION, SOURCE_REGION, TARGET_ACCOUNT, TARGET_ROLE, awsError, buildContext, targetImageId } from '../../../support/pipeline-fixtures.js';

const region = SOURCE_REGION;
const AMI = targetImageId(region);

function setup() {
  return buildContext({ targetRegions: [SOURCE_REGION, SECOND_REGION], launchTemplates: ['web'] });
}

async function failure(promise: Promise<unknown>): Promise<PromotionError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PromotionError);
  return error as PromotionError;
}

describe('finding a launch template', () => {
  it('finds it by name, and by ID (lt-…), with its default and latest version', async () => {
    const fx = setup();
    const id = stubTemplate(fx, region, { name: 'web', defaultVersion: 3, latestVersion: 5 });
    const expected = { templateId: id, templateName: 'web', defaultVersion: 3, latestVersion: 5 };
    await expect(findLaunchTemplate(fx.ctx, region, 'web')).resolves.toEqual(expected);
    await expect(findLaunchTemplate(fx.ctx, region, id)).resolves.toEqual(expected);
    expect(fx.commands('target', 'ec2', region)).toEqual([
      ['DescribeLaunchTemplates', { LaunchTemplateNames: ['web'] }],
      ['DescribeLaunchTemplates', { LaunchTemplateIds: [id] }],
    ]);
  });

  it('says which name is missing, in which account and region, and the fix', async () => {
    const fx = setup();
    fx.target.ec2(SECOND_REGION).on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.'));
    const error = await failure(findLaunchTemplate(fx.ctx, SECOND_REGION, 'web'));
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SECOND_REGION, what: 'Finding the launch template web' });
    expect(error.details.why).toBe(
      `account ${TARGET_ACCOUNT} has no launch template with the name web in ${SECOND_REGION} (InvalidLaunchTemplateName.NotFoundException). Launch templates are regional: each target region needs its own.`,
    );
    expect(error.details.fix).toBe(`Create the launch template web in ${SECOND_REGION} of account ${TARGET_ACCOUNT}, or remove it from launch-template, or check that ${SECOND_REGION} belongs in target-regions.`);
  });

  it('explains that an ID names a template of one region only', async () => {
    const fx = setup();
    const id = templateId('web', region);
    fx.target.ec2(SECOND_REGION).on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateId.NotFound'));
    const error = await failure(findLaunchTemplate(fx.ctx, SECOND_REGION, id));
    expect(error.details.why).toContain(`has no launch template with the ID ${id} in ${SECOND_REGION}`);
    expect(error.details.fix).toContain('A launch template ID names a template of one region only: with several target regions, name the template by its name');
  });

  it('takes an empty answer as missing, and names a malformed name as such', async () => {
    const fx = setup();
    fx.target.ec2(region).on(DescribeLaunchTemplatesCommand, { LaunchTemplateNames: ['gone'] }).resolves({ LaunchTemplates: [] });
    fx.target.ec2(region).on(DescribeLaunchTemplatesCommand, { LaunchTemplateNames: ['x'] }).rejects(awsError('InvalidLaunchTemplateName.MalformedException', 'The specified launch template name is invalid.'));
    expect((await failure(findLaunchTemplate(fx.ctx, region, 'gone'))).details.why).toBe(
      `account ${TARGET_ACCOUNT} has no launch template with the name gone in ${region}. Launch templates are regional: each target region needs its own.`,
    );
    expect((await failure(findLaunchTemplate(fx.ctx, region, 'x'))).details.why).toBe('"x" is not a valid launch template name (InvalidLaunchTemplateName.MalformedException: The specified launch template name is invalid.).');
  });

  it('names the action and the target role when the role may not describe launch templates', async () => {
    const fx = setup();
    fx.target.ec2(region).on(DescribeLaunchTemplatesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = await failure(findLaunchTemplate(fx.ctx, region, 'web'));
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region });
    expect(error.details.why).toContain(`${TARGET_ROLE} may not call ec2:DescribeLaunchTemplates`);
    expect(error.details.fix).toContain(`Add this statement to the IAM policy of ${TARGET_ROLE}`);
    expect(error.details.fix).toContain('"Action": "ec2:DescribeLaunchTemplates"');
  });
});

describe('the versions of a launch template', () => {
  it('reads the default version by its number', async () => {
    const fx = setup();
    const id = stubTemplate(fx, region, { name: 'web', defaultVersion: 3, defaultData: { ImageId: 'resolve:ssm:/golden/ami', InstanceType: 'm7g.large' } });
    const template = await findLaunchTemplate(fx.ctx, region, 'web');
    await expect(defaultVersionData(fx.ctx, region, template)).resolves.toEqual({ ImageId: 'resolve:ssm:/golden/ami', InstanceType: 'm7g.large' });
    expect(fx.target.ec2(region).commandCalls(DescribeLaunchTemplateVersionsCommand).map((c) => c.args[0].input)).toEqual([{ LaunchTemplateId: id, Versions: ['3'] }]);
  });

  it('finds a version with the AMI by the image-id filter: the default one first', async () => {
    const fx = setup();
    const id = stubTemplate(fx, region, { name: 'web', defaultVersion: 4, latestVersion: 6, imageVersions: [{ version: 4, imageId: AMI }, { version: 6, imageId: AMI }] });
    const template = await findLaunchTemplate(fx.ctx, region, 'web');
    await expect(versionWithImage(fx.ctx, region, template, AMI)).resolves.toEqual({ version: 4, isDefault: true });
    expect(fx.target.ec2(region).commandCalls(DescribeLaunchTemplateVersionsCommand).map((c) => c.args[0].input)).toEqual([
      { LaunchTemplateId: id, Filters: [{ Name: 'image-id', Values: [AMI] }] },
    ]);
  });

  it('else the newest after the default, and never one older than the default', async () => {
    const fx = setup();
    stubTemplate(fx, region, { name: 'web', defaultVersion: 4, latestVersion: 7, imageVersions: [{ version: 2, imageId: AMI }, { version: 5, imageId: AMI }, { version: 7, imageId: AMI }] });
    stubTemplate(fx, region, { name: 'api', defaultVersion: 4, latestVersion: 4, imageVersions: [{ version: 2, imageId: AMI }, { version: 3, imageId: OLD_AMI }] });
    const web = await findLaunchTemplate(fx.ctx, region, 'web');
    const api = await findLaunchTemplate(fx.ctx, region, 'api');
    await expect(versionWithImage(fx.ctx, region, web, AMI)).resolves.toEqual({ version: 7, isDefault: false });
    await expect(versionWithImage(fx.ctx, region, api, AMI)).resolves.toBeUndefined();
  });
});
