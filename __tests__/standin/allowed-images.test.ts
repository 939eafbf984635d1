/** Allowed AMIs: GetAllowedImagesSettings, what DescribeImages shows and hides, and the allowedAmisBlockCopy switch. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { CopyImageCommand, DescribeImagesCommand, GetAllowedImagesSettingsCommand } from '@aws-sdk/client-ec2';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { allow, deny, policyOf } from '../../standin/policy-types.js';
import type { StandInOptions } from '../../standin/settings.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import type { AllowedImagesConfig } from '../../standin/world.js';
import { clientsFor, expectAwsError, type Clients } from './test-helpers.js';

const { sourceAccount, targetAccount, region, sourceAmiId } = DEFAULTS;
const OWN = 'ami-0eeeeeeeeeeeeeee5';
const OTHER_VENDOR = '333333333333';

let standin: StandIn;
let target: Clients;

afterEach(() => standin.close());

async function start(allowed: AllowedImagesConfig | undefined, options: StandInOptions = {}) {
  const world = defaultWorld();
  world.account(sourceAccount).updateImage(region, sourceAmiId, { sharedWith: [targetAccount], snapshotsSharedWith: [targetAccount] });
  world.account(targetAccount).image(region, { imageId: OWN, name: 'own-image' });
  world.account(targetAccount).user('noSettings', { policies: { ec2: policyOf(allow('ec2:*'), deny('ec2:GetAllowedImagesSettings')) } });
  if (allowed) world.account(targetAccount).allowedImages(region, allowed);
  standin = await startStandIn(world, { copyDurationMs: 50, ...options });
  target = clientsFor(standin, region, standin.credentials(targetAccount, 'admin'));
}

const listed = async () =>
  ((await target.ec2.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] }))).Images ?? [])
    .concat((await target.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? [])
    .map((i) => `${i.ImageId} ${String(i.ImageAllowed)}`)
    .sort();

describe('GetAllowedImagesSettings', () => {
  it('answers disabled for an account that never set it', async () => {
    await start(undefined);
    expect(await target.ec2.send(new GetAllowedImagesSettingsCommand({}))).toMatchObject({ State: 'disabled', ManagedBy: 'account' });
  });

  it('answers the state and the image criteria', async () => {
    await start({ state: 'enabled', imageCriteria: [{ imageProviders: ['amazon', OTHER_VENDOR] }] });
    const settings = await target.ec2.send(new GetAllowedImagesSettingsCommand({}));
    expect(settings).toMatchObject({ State: 'enabled', ImageCriteria: [{ ImageProviders: ['amazon', OTHER_VENDOR] }], ManagedBy: 'account' });
  });

  it('is UnauthorizedOperation without ec2:GetAllowedImagesSettings', async () => {
    await start(undefined);
    const denied = clientsFor(standin, region, standin.credentials(targetAccount, 'noSettings'));
    await expectAwsError(denied.ec2.send(new GetAllowedImagesSettingsCommand({})), 'UnauthorizedOperation');
  });
});

describe('DescribeImages under Allowed AMIs', () => {
  it('disabled: shows every AMI, without ImageAllowed', async () => {
    await start(undefined);
    expect(await listed()).toEqual([`${sourceAmiId} undefined`, `${OWN} undefined`]);
  });

  it('enabled: hides a shared AMI no criterion allows, asked for by ID or not; own AMIs stay', async () => {
    await start({ state: 'enabled', imageCriteria: [{ imageProviders: [OTHER_VENDOR] }] });
    expect(await listed()).toEqual([`${OWN} true`]);
    expect((await target.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }))).Images).toEqual([]);
  });

  it('enabled: shows a shared AMI whose owner a criterion names', async () => {
    await start({ state: 'enabled', imageCriteria: [{ imageProviders: [OTHER_VENDOR] }, { imageProviders: [sourceAccount] }] });
    expect(await listed()).toEqual([`${sourceAmiId} true`, `${OWN} true`]);
  });

  it('audit-mode: shows everything and marks what enabled would hide', async () => {
    await start({ state: 'audit-mode', imageCriteria: [{ imageProviders: ['none'] }] });
    expect(await listed()).toEqual([`${sourceAmiId} false`, `${OWN} true`]);
  });

  it('follows setAllowedImages at run time', async () => {
    await start(undefined);
    standin.setAllowedImages(targetAccount, region, { state: 'enabled', imageCriteria: [{ imageProviders: ['none'] }] });
    expect(await listed()).toEqual([`${OWN} true`]);
    expect(standin.allowedImages(targetAccount, region)?.state).toBe('enabled');
  });
});

describe('CopyImage of a shared AMI Allowed AMIs does not allow (UNDOCUMENTED: switch allowedAmisBlockCopy)', () => {
  const copy = () => target.ec2.send(new CopyImageCommand({ SourceImageId: sourceAmiId, SourceRegion: region, Name: 'promoted-copy' }));
  const notAllowed: AllowedImagesConfig = { state: 'enabled', imageCriteria: [{ imageProviders: [OTHER_VENDOR] }] };

  it('goes ahead by default', async () => {
    await start(notAllowed);
    const { ImageId } = await copy();
    expect(standin.image(targetAccount, region, ImageId ?? '')).toMatchObject({ sourceImageId: sourceAmiId });
  });

  it('answers InvalidAMIID.NotFound with allowedAmisBlockCopy', async () => {
    await start(notAllowed, { allowedAmisBlockCopy: true });
    await expectAwsError(copy(), 'InvalidAMIID.NotFound');
    expect(standin.mutations()).toEqual([]);
  });

  it('goes ahead with allowedAmisBlockCopy when the AMI is allowed, or only audited', async () => {
    await start({ state: 'audit-mode', imageCriteria: [{ imageProviders: [OTHER_VENDOR] }] }, { allowedAmisBlockCopy: true });
    expect((await copy()).ImageId).toMatch(/^ami-/);
  });
});
