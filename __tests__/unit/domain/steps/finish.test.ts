import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { EnableImageDeprecationCommand, EnableImageDeregistrationProtectionCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { PromotionError } from '../../../../src/aws/errors.js';
import { finishImages } from '../../../../src/domain/steps/finish.js';
import { SECOND_REGION, SOURCE_REGION, START, TARGET_ACCOUNT, awsError, buildContext, targetImageId } from '../../../support/pipeline-fixtures.js';

const regions = [SOURCE_REGION, SECOND_REGION];
const images = regions.map((region) => ({ region, imageId: targetImageId(region) }));
const DAY = 86_400_000;

function setup(overrides: Parameters<typeof buildContext>[0] = {}) {
  const fx = buildContext({ targetRegions: regions, ...overrides });
  for (const region of regions) {
    fx.target.ec2(region).on(EnableImageDeregistrationProtectionCommand).resolves({ Return: 'true' });
    fx.target.ec2(region).on(EnableImageDeprecationCommand).resolves({ Return: true });
    fx.target.ssm(region).on(PutParameterCommand).resolves({ Version: 3 });
  }
  return fx;
}

describe('finishing the promoted AMIs', () => {
  it('does nothing when nothing is asked for', async () => {
    const fx = setup();
    await expect(finishImages(fx.ctx, images)).resolves.toEqual({ protectedImages: [], ssmParameters: [] });
    expect(fx.sent).toEqual([]);
  });

  it('turns on deregistration protection in each region with that region\'s client', async () => {
    const fx = setup({ deregistrationProtection: true });
    const report = await finishImages(fx.ctx, images);
    for (const { region, imageId } of images) {
      expect(fx.target.ec2(region).commandCalls(EnableImageDeregistrationProtectionCommand).map((c) => c.args[0].input)).toEqual([{ ImageId: imageId }]);
    }
    expect(report.protectedImages.sort()).toEqual(images.map((i) => i.imageId).sort());
    expect(fx.sent.map((c) => c.command)).toEqual(['EnableImageDeregistrationProtection', 'EnableImageDeregistrationProtection']);
  });

  it('sets the deprecation time deprecate-after-days from now', async () => {
    const fx = setup({ deprecateAfterDays: 30 });
    const report = await finishImages(fx.ctx, images);
    const expected = new Date(START + 30 * DAY);
    expect(report.deprecateAt).toEqual(expected);
    for (const { region, imageId } of images) {
      expect(fx.target.ec2(region).commandCalls(EnableImageDeprecationCommand).map((c) => c.args[0].input)).toEqual([{ ImageId: imageId, DeprecateAt: expected }]);
    }
    expect(fx.sent.map((c) => c.command)).toEqual(['EnableImageDeprecation', 'EnableImageDeprecation']);
  });

  it('rounds the deprecation time up to the minute', async () => {
    const fx = setup({ deprecateAfterDays: 1 });
    fx.clock.advance(12_345);
    const report = await finishImages(fx.ctx, images);
    expect(report.deprecateAt).toEqual(new Date(START + DAY + 60_000));
  });

  it('writes the AMI id to the SSM parameter in each region with that region\'s SSM client', async () => {
    const fx = setup({ ssmParameter: '/golden/ami/latest' });
    const report = await finishImages(fx.ctx, images);
    for (const { region, imageId } of images) {
      expect(fx.target.ssm(region).commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([
        { Name: '/golden/ami/latest', Value: imageId, Type: 'String', DataType: 'aws:ec2:image', Overwrite: true },
      ]);
    }
    expect(report.ssmParameters.sort()).toEqual(regions.map((r) => `${r}:/golden/ami/latest`).sort());
    expect(fx.sent.every((c) => c.side === 'target' && c.service === 'ssm')).toBe(true);
  });

  it('explains a denied PutParameter with the parameter ARN', async () => {
    const fx = setup({ ssmParameter: '/golden/ami/latest' });
    fx.target.ssm(SECOND_REGION).on(PutParameterCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: ssm:PutParameter'));
    const error = (await finishImages(fx.ctx, images).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SECOND_REGION });
    expect(error.details.fix).toContain(`arn:aws:ssm:${SECOND_REGION}:${TARGET_ACCOUNT}:parameter/golden/ami/latest`);
  });
});
