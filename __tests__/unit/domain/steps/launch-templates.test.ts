import { describe, expect, it } from '@jest/globals';
import { CreateLaunchTemplateVersionCommand, DescribeLaunchTemplatesCommand, ModifyLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { VERSION_DESCRIPTION_MAX, updateLaunchTemplates, versionDescription } from '../../../../src/domain/steps/launch-templates.js';
import { stubTemplate } from '../../../support/launch-templates.js';
import {
  PROVENANCE,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  awsError,
  buildContext,
  targetImageId,
  type RequestOverrides,
} from '../../../support/pipeline-fixtures.js';

const region = SOURCE_REGION;
const AMI = targetImageId(region);
const image = { region, imageId: AMI };

function setup(overrides: RequestOverrides = {}) {
  return buildContext({ targetRegions: [region], launchTemplates: ['web'], ...overrides });
}

function createInputs(fx: ReturnType<typeof setup>, where = region) {
  return fx.target.ec2(where).commandCalls(CreateLaunchTemplateVersionCommand).map((c) => c.args[0].input);
}

describe('a launch template version with the promoted AMI', () => {
  it('is made from the default version with only the AMI changed, described and with a deterministic token', async () => {
    const fx = setup();
    const id = stubTemplate(fx, region, { name: 'web', defaultVersion: 4, latestVersion: 6 });
    await expect(updateLaunchTemplates(fx.ctx, [image])).resolves.toEqual([
      { accountId: TARGET_ACCOUNT, region, templateId: id, templateName: 'web', version: 7, created: true, isDefault: false },
    ]);
    const [input] = createInputs(fx);
    expect(input).toEqual({
      LaunchTemplateId: id,
      SourceVersion: '4',
      LaunchTemplateData: { ImageId: AMI },
      VersionDescription: `${AMI} promoted from ${SOURCE_AMI} (account ${SOURCE_ACCOUNT}, ${SOURCE_REGION}) by promote-encrypted-ami in ${PROVENANCE.runUrl}`,
      ClientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(fx.target.ec2(region).commandCalls(ModifyLaunchTemplateCommand)).toHaveLength(0);
    expect(fx.mutations()).toEqual([`target ec2 ${region} CreateLaunchTemplateVersion`]);
    expect(fx.log.messages('info')).toEqual([`Launch template ${id} (web) in ${region} of account ${TARGET_ACCOUNT}: made version 7 with ${AMI} from version 4.`]);
  });

  it('sends the same ClientToken for the same run, template and AMI, and another for another attempt, template or AMI', async () => {
    const token = async (overrides: RequestOverrides, name = 'web', imageId = AMI) => {
      const fx = setup({ launchTemplates: [name], ...overrides });
      stubTemplate(fx, region, { name });
      await updateLaunchTemplates(fx.ctx, [{ region, imageId }]);
      return createInputs(fx)[0]?.ClientToken;
    };
    const first = await token({});
    expect(first).toBeDefined();
    expect(first?.length).toBeLessThanOrEqual(128);
    expect(await token({})).toBe(first);
    expect(await token({ provenance: { ...PROVENANCE, runAttempt: '2' } })).not.toBe(first);
    expect(await token({}, 'api')).not.toBe(first);
    expect(await token({}, 'web', 'ami-0fffffffffffffff1')).not.toBe(first);
  });

  it('describes the run by repository@commit without a run URL, and keeps the description within 255 characters', () => {
    const withoutUrl = setup({ provenance: { repository: 'octo-org/golden-images', commitSha: 'abc123' } });
    expect(versionDescription(withoutUrl.ctx, AMI)).toBe(`${AMI} promoted from ${SOURCE_AMI} (account ${SOURCE_ACCOUNT}, ${SOURCE_REGION}) by promote-encrypted-ami in octo-org/golden-images@abc123`);
    const longUrl = `https://github.example.com/${'x'.repeat(300)}/actions/runs/4242`;
    const long = versionDescription(setup({ provenance: { ...PROVENANCE, runUrl: longUrl } }).ctx, AMI);
    expect(long).toHaveLength(VERSION_DESCRIPTION_MAX);
    expect(long.startsWith(`${AMI} promoted from ${SOURCE_AMI}`)).toBe(true);
    expect(long.endsWith('...')).toBe(true);
  });

  it('reuses a version that already holds the AMI (a promotion run again) and makes none', async () => {
    const fx = setup();
    const id = stubTemplate(fx, region, { name: 'web', defaultVersion: 4, latestVersion: 5, imageVersions: [{ version: 5, imageId: AMI }] });
    await expect(updateLaunchTemplates(fx.ctx, [image])).resolves.toEqual([
      { accountId: TARGET_ACCOUNT, region, templateId: id, templateName: 'web', version: 5, created: false, isDefault: false },
    ]);
    expect(fx.mutations()).toEqual([]);
    expect(fx.log.messages('info')).toEqual([`Launch template ${id} (web) in ${region} of account ${TARGET_ACCOUNT}: version 5 already holds ${AMI}, reused.`]);
  });

  it('makes the version the default only when launch-template-default asks for it', async () => {
    const fx = setup({ launchTemplateDefault: true });
    const id = stubTemplate(fx, region, { name: 'web', defaultVersion: 4, latestVersion: 6 });
    const [result] = await updateLaunchTemplates(fx.ctx, [image]);
    expect(result).toMatchObject({ version: 7, created: true, isDefault: true });
    expect(fx.target.ec2(region).commandCalls(ModifyLaunchTemplateCommand).map((c) => c.args[0].input)).toEqual([{ LaunchTemplateId: id, DefaultVersion: '7' }]);
    expect(fx.mutations()).toEqual([`target ec2 ${region} CreateLaunchTemplateVersion`, `target ec2 ${region} ModifyLaunchTemplate`]);
    expect(fx.log.messages('info')[0]).toMatch(/made version 7 with .* from version 4; made it the default\.$/);
  });

  it('makes a reused version the default when it is not yet, and leaves one that already is', async () => {
    const fx = setup({ launchTemplateDefault: true, launchTemplates: ['web', 'api'] });
    const web = stubTemplate(fx, region, { name: 'web', defaultVersion: 4, latestVersion: 5, imageVersions: [{ version: 5, imageId: AMI }] });
    stubTemplate(fx, region, { name: 'api', defaultVersion: 5, imageVersions: [{ version: 5, imageId: AMI }] });
    const results = await updateLaunchTemplates(fx.ctx, [image]);
    expect(results.map((r) => [r.templateName, r.version, r.created, r.isDefault])).toEqual([
      ['web', 5, false, true],
      ['api', 5, false, true],
    ]);
    expect(fx.target.ec2(region).commandCalls(ModifyLaunchTemplateCommand).map((c) => c.args[0].input)).toEqual([{ LaunchTemplateId: web, DefaultVersion: '5' }]);
    expect(fx.log.messages('info').find((line) => line.includes('(api)'))).toMatch(/version 5 already holds .*, reused; it is the default\.$/);
    expect(fx.log.messages('info').find((line) => line.includes('(web)'))).toMatch(/version 5 already holds .*, reused; made it the default\.$/);
  });

  it('updates every template in every region with that region\'s AMI and client', async () => {
    const regions = [SOURCE_REGION, SECOND_REGION];
    const fx = setup({ targetRegions: regions, launchTemplates: ['web', 'api'] });
    for (const r of regions) for (const name of ['web', 'api']) stubTemplate(fx, r, { name });
    const results = await updateLaunchTemplates(fx.ctx, regions.map((r) => ({ region: r, imageId: targetImageId(r) })));
    expect(results.map((r) => `${r.region} ${r.templateName} ${r.version}`)).toEqual([`${SOURCE_REGION} web 2`, `${SOURCE_REGION} api 2`, `${SECOND_REGION} web 2`, `${SECOND_REGION} api 2`]);
    for (const r of regions) expect(createInputs(fx, r).map((input) => input.LaunchTemplateData)).toEqual([{ ImageId: targetImageId(r) }, { ImageId: targetImageId(r) }]);
  });

  it('fails on a missing template naming it, the account, the region and the fix', async () => {
    const fx = setup();
    fx.target.ec2(region).on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateName.NotFoundException'));
    const error = (await updateLaunchTemplates(fx.ctx, [image]).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain(`Finding the launch template web (target account ${TARGET_ACCOUNT}, ${region}) failed`);
    expect(error.details.fix).toContain(`Create the launch template web in ${region} of account ${TARGET_ACCOUNT}`);
    expect(fx.mutations()).toEqual([]);
  });

  it('explains a denied CreateLaunchTemplateVersion with the template\'s ARN', async () => {
    const fx = setup();
    const id = stubTemplate(fx, region, { name: 'web' });
    fx.target.ec2(region).on(CreateLaunchTemplateVersionCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = (await updateLaunchTemplates(fx.ctx, [image]).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region });
    expect(error.details.why).toContain(`${TARGET_ROLE} may not call ec2:CreateLaunchTemplateVersion on arn:aws:ec2:${region}:${TARGET_ACCOUNT}:launch-template/${id}`);
    expect(error.details.fix).toContain(`"Resource": "arn:aws:ec2:${region}:${TARGET_ACCOUNT}:launch-template/${id}"`);
  });

  it('passes on the warnings EC2 returns about the new version', async () => {
    const fx = setup();
    const id = stubTemplate(fx, region, { name: 'web' });
    fx.target
      .ec2(region)
      .on(CreateLaunchTemplateVersionCommand)
      .resolves({ LaunchTemplateVersion: { VersionNumber: 2 }, Warning: { Errors: [{ Code: 'InvalidParameterCombination', Message: 'The instance type is not supported by the AMI.' }] } });
    await updateLaunchTemplates(fx.ctx, [image]);
    expect(fx.log.messages('warning')).toEqual([`Launch template ${id} (web) in ${region}, version 2: InvalidParameterCombination: The instance type is not supported by the AMI.`]);
  });
});
