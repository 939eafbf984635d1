/** Disabled and deprecated AMIs, AMI names and EC2's tag limits, as the preflight relies on them. */
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CopyImageCommand,
  DescribeImagesCommand,
  ModifyImageAttributeCommand,
  type CopyImageCommandInput,
  type DescribeImagesCommandInput,
  type Tag,
} from '@aws-sdk/client-ec2';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import type { StandInOptions } from '../../standin/settings.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { assumeRole, clientsFor, expectAwsError, type Clients } from './test-helpers.js';
import type { ImageSpec, WorldBuilder } from '../../standin/world.js';

const { sourceAccount, targetAccount, region, sourceAmiId } = DEFAULTS;
const DISABLED_AMI = 'ami-0d15ab1ed0000000a';
const DEPRECATED_AMI = 'ami-0de9eca7ed000000b';
const ROCKET = '🚀';

let standin: StandIn;
let source: Clients;
let target: Clients;

afterEach(() => standin.close());

async function start(world: WorldBuilder = defaultWorld(), options: StandInOptions = {}) {
  standin = await startStandIn(world, { copyDurationMs: 300, ...options });
  source = clientsFor(standin, region, standin.credentials(sourceAccount));
  target = clientsFor(standin, region, await assumeRole(standin));
}

function withImage(spec: Partial<ImageSpec> & { imageId: string }): WorldBuilder {
  const world = defaultWorld();
  world.account(sourceAccount).image(region, { name: `image-${spec.imageId}`, sharedWith: [targetAccount], ...spec });
  return world;
}

const ids = async (clients: Clients, input: DescribeImagesCommandInput) =>
  ((await clients.ec2.send(new DescribeImagesCommand(input))).Images ?? []).map((i) => `${i.ImageId} ${i.State}`);

describe('a disabled AMI', () => {
  it('has no launch permissions, whatever the world says: disabling removes them', async () => {
    await start(withImage({ imageId: DISABLED_AMI, state: 'disabled', public: true }));
    expect(standin.image(sourceAccount, region, DISABLED_AMI)).toMatchObject({ state: 'disabled', public: false, launchPermissions: [] });
  });

  it('disabling an image through updateImage removes its launch permissions too', async () => {
    const world = withImage({ imageId: DISABLED_AMI });
    world.account(sourceAccount).updateImage(region, DISABLED_AMI, { state: 'disabled' });
    await start(world);
    expect(standin.sharedWith(sourceAccount, region, DISABLED_AMI).image).toEqual([]);
  });

  it('appears to its owner only with IncludeDisabled, by ID or in a listing', async () => {
    await start(withImage({ imageId: DISABLED_AMI, state: 'disabled' }));
    expect(await ids(source, { ImageIds: [DISABLED_AMI] })).toEqual([]);
    expect(await ids(source, { Owners: ['self'] })).toEqual([`${sourceAmiId} available`]);
    expect(await ids(source, { ImageIds: [DISABLED_AMI], IncludeDisabled: true })).toEqual([`${DISABLED_AMI} disabled`]);
    expect(await ids(source, { Owners: ['self'], Filters: [{ Name: 'state', Values: ['disabled'] }], IncludeDisabled: true })).toEqual([`${DISABLED_AMI} disabled`]);
  });

  it('is invisible to the account it was shared with, even with IncludeDisabled', async () => {
    await start(withImage({ imageId: DISABLED_AMI, state: 'disabled' }));
    await expectAwsError(target.ec2.send(new DescribeImagesCommand({ ImageIds: [DISABLED_AMI], IncludeDisabled: true })), 'InvalidAMIID.NotFound');
  });

  it('cannot be shared again', async () => {
    await start(withImage({ imageId: DISABLED_AMI, state: 'disabled' }));
    await expectAwsError(source.ec2.send(new ModifyImageAttributeCommand({ ImageId: DISABLED_AMI, LaunchPermission: { Add: [{ UserId: targetAccount }] } })), 'InvalidParameterValue');
    expect(standin.mutations()).toEqual([]);
  });

  it('cannot be copied by its owner (undocumented: IncorrectState), unless the stand-in is told it can', async () => {
    await start(withImage({ imageId: DISABLED_AMI, state: 'disabled' }));
    const copy = new CopyImageCommand({ SourceImageId: DISABLED_AMI, SourceRegion: region, Name: 'copy-of-disabled' });
    await expectAwsError(source.ec2.send(copy), 'IncorrectState');
    expect(standin.mutations()).toEqual([]);
    standin.configure({ disabledImagesCopyable: true });
    expect((await source.ec2.send(copy)).ImageId).toMatch(/^ami-/);
  });

  it('still holds its name: a copy under the same name is a duplicate', async () => {
    await start(withImage({ imageId: DISABLED_AMI, state: 'disabled', name: 'golden-old' }));
    await expectAwsError(source.ec2.send(new CopyImageCommand({ SourceImageId: sourceAmiId, SourceRegion: region, Name: 'golden-old' })), 'InvalidAMIName.Duplicate');
  });
});

describe('a deprecated AMI', () => {
  const past = '2020-01-01T00:00:00.000Z';

  it('is seen by its owner always, by others by ID or with IncludeDeprecated, and is still copied by ID', async () => {
    await start(withImage({ imageId: DEPRECATED_AMI, deprecationTime: past }));
    expect(await ids(source, { Owners: ['self'] })).toContain(`${DEPRECATED_AMI} available`);
    expect(await ids(target, { ExecutableUsers: ['self'] })).not.toContain(`${DEPRECATED_AMI} available`);
    expect(await ids(target, { ExecutableUsers: ['self'], IncludeDeprecated: true })).toContain(`${DEPRECATED_AMI} available`);
    const [image] = (await target.ec2.send(new DescribeImagesCommand({ ImageIds: [DEPRECATED_AMI] }))).Images ?? [];
    expect(image).toMatchObject({ ImageId: DEPRECATED_AMI, DeprecationTime: past });
    expect((await target.ec2.send(new CopyImageCommand({ SourceImageId: DEPRECATED_AMI, SourceRegion: region, Name: 'from-deprecated' }))).ImageId).toMatch(/^ami-/);
  });
});

describe("CopyImage and EC2's tag limits", () => {
  const tags = (n: number): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
  const copy = (imageTags: Tag[], snapshotTags: Tag[] = []): CopyImageCommandInput => ({
    SourceImageId: sourceAmiId,
    SourceRegion: region,
    Name: 'tagged-copy',
    TagSpecifications: [
      { ResourceType: 'image', Tags: imageTags },
      { ResourceType: 'snapshot', Tags: snapshotTags },
    ],
  });

  it('accepts 50 tags per resource and refuses 51 on the image or on the snapshots with TagLimitExceeded, creating nothing', async () => {
    await start();
    const refused = await expectAwsError(source.ec2.send(new CopyImageCommand(copy(tags(51)))), 'TagLimitExceeded');
    expect(refused.message).toContain('51 tags for image');
    await expectAwsError(source.ec2.send(new CopyImageCommand(copy(tags(50), tags(51)))), 'TagLimitExceeded');
    expect(standin.mutations()).toEqual([]);
    const { ImageId } = await source.ec2.send(new CopyImageCommand(copy(tags(50), tags(50))));
    expect(Object.keys(standin.image(sourceAccount, region, ImageId as string)?.tags[sourceAccount] ?? {})).toHaveLength(50);
  });

  it('counts Unicode characters: 128 emoji make a key, 256 a value; one more is InvalidParameterValue', async () => {
    await start();
    await expectAwsError(source.ec2.send(new CopyImageCommand(copy([{ Key: ROCKET.repeat(129), Value: 'x' }]))), 'InvalidParameterValue');
    await expectAwsError(source.ec2.send(new CopyImageCommand(copy([{ Key: 'note', Value: ROCKET.repeat(257) }]))), 'InvalidParameterValue');
    expect(standin.mutations()).toEqual([]);
    const { ImageId } = await source.ec2.send(new CopyImageCommand(copy([{ Key: ROCKET.repeat(128), Value: ROCKET.repeat(256) }])));
    expect(standin.image(sourceAccount, region, ImageId as string)?.tags[sourceAccount]).toEqual({ [ROCKET.repeat(128)]: ROCKET.repeat(256) });
  });

  it('with maxTagKeyLength 127 (the API reference) refuses a key of 128 characters', async () => {
    await start(defaultWorld(), { maxTagKeyLength: 127 });
    await expectAwsError(source.ec2.send(new CopyImageCommand(copy([{ Key: 'k'.repeat(128), Value: 'x' }]))), 'InvalidParameterValue');
    expect((await source.ec2.send(new CopyImageCommand(copy([{ Key: 'k'.repeat(127), Value: 'x' }])))).ImageId).toMatch(/^ami-/);
  });
});
