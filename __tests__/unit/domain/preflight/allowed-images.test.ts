import { describe, expect, it } from '@jest/globals';
import { GetAllowedImagesSettingsCommand } from '@aws-sdk/client-ec2';
import { allowedImagesFindings } from '../../../../src/domain/preflight/allowed-images.js';
import { SECOND_REGION, SOURCE_ACCOUNT, SOURCE_REGION, TARGET_ACCOUNT, awsError, buildContext, type Fixture } from '../../../support/pipeline-fixtures.js';

function setup(settings: Record<string, unknown> | Error, region = SOURCE_REGION): Fixture {
  const fx = buildContext({ targetRegions: [SOURCE_REGION, SECOND_REGION] });
  for (const r of [SOURCE_REGION, SECOND_REGION]) fx.target.ec2(r).on(GetAllowedImagesSettingsCommand).resolves({ State: 'disabled' });
  const stub = fx.target.ec2(region).on(GetAllowedImagesSettingsCommand);
  if (settings instanceof Error) stub.rejects(settings);
  else stub.resolves(settings);
  return fx;
}

describe('the Allowed AMIs check', () => {
  it('says nothing where the setting is off', async () => {
    const fx = setup({ State: 'disabled' });
    await expect(allowedImagesFindings(fx.ctx, [SOURCE_REGION, SECOND_REGION])).resolves.toEqual([]);
  });

  it('warns, with the command that keeps the existing criteria, when no criterion allows the source account', async () => {
    const fx = setup({ State: 'enabled', ImageCriteria: [{ ImageProviders: ['amazon'] }], ManagedBy: 'account' });
    const [finding, ...others] = await allowedImagesFindings(fx.ctx, [SOURCE_REGION, SECOND_REGION]);
    expect(others).toEqual([]);
    expect(finding?.status).toBe('warning');
    expect(finding?.detail).toContain(`no criterion allows AMIs of the source account ${SOURCE_ACCOUNT}`);
    expect(finding?.detail).toContain(`always allowed`);
    expect(finding?.detail).toContain('does not document');
    expect(finding?.fix).toContain(`--region ${SOURCE_REGION}`);
    expect(finding?.fix).toContain(`'[{"ImageProviders":["amazon"]},{"ImageProviders":["${SOURCE_ACCOUNT}"]}]'`);
  });

  it('names the declarative policy when the organization manages the setting', async () => {
    const fx = setup({ State: 'enabled', ImageCriteria: [], ManagedBy: 'declarative-policy' });
    const [finding] = await allowedImagesFindings(fx.ctx, [SOURCE_REGION]);
    expect(finding?.fix).toContain('declarative policy');
    expect(finding?.fix).not.toContain('replace-image-criteria');
  });

  it('is ok when a criterion allows the source account without other conditions', async () => {
    const fx = setup({ State: 'enabled', ImageCriteria: [{ ImageProviders: ['amazon', SOURCE_ACCOUNT] }] });
    const [finding] = await allowedImagesFindings(fx.ctx, [SOURCE_REGION]);
    expect(finding).toMatchObject({ status: 'ok', side: 'target' });
  });

  it('cannot judge a criterion that adds conditions to the source account', async () => {
    const fx = setup({ State: 'enabled', ImageCriteria: [{ ImageProviders: [SOURCE_ACCOUNT], ImageNames: ['golden-*'], CreationDateCondition: { MaximumDaysSinceCreated: 30 } }] });
    const [finding] = await allowedImagesFindings(fx.ctx, [SOURCE_REGION]);
    expect(finding?.status).toBe('unchecked');
    expect(finding?.detail).toContain('ImageNames and CreationDateCondition');
  });

  it('reports audit mode as restricting nothing', async () => {
    const fx = setup({ State: 'audit-mode' }, SECOND_REGION);
    const [finding] = await allowedImagesFindings(fx.ctx, [SOURCE_REGION, SECOND_REGION]);
    expect(finding).toMatchObject({ status: 'ok' });
    expect(finding?.detail).toContain(`audit mode in ${SECOND_REGION}`);
    expect(finding?.detail).toContain(TARGET_ACCOUNT);
  });

  it('is unchecked, naming the action, when the role may not read the setting', async () => {
    const fx = setup(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const [finding] = await allowedImagesFindings(fx.ctx, [SOURCE_REGION]);
    expect(finding?.status).toBe('unchecked');
    expect(finding?.detail).toContain('ec2:GetAllowedImagesSettings');
  });
});
