/**
 * What retiring earlier promotions relies on: DescribeImageReferences, DisableImage / EnableImage, DeregisterImage with
 * DeleteAssociatedSnapshots, deregistration protection, deprecation times, LastLaunchedTime and SourceImageId.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CopyImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImageReferencesCommand,
  DescribeImagesCommand,
  DisableImageCommand,
  EnableImageCommand,
  EnableImageDeprecationCommand,
  EnableImageDeregistrationProtectionCommand,
  type DescribeImageReferencesCommandInput,
} from '@aws-sdk/client-ec2';
import { instanceArn, launchTemplateArn, parameterArn } from '../../standin/arns.js';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { allow, deny, policyOf } from '../../standin/policy-types.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import type { WorldBuilder } from '../../standin/world.js';
import { clientsFor, expectAwsError, type Clients } from './test-helpers.js';

const { sourceAccount, targetAccount, region, sourceAmiId } = DEFAULTS;
const OLD = 'ami-0aaaaaaaaaaaaaaa1';
const OTHER = 'ami-0ccccccccccccccc3';
const TEMPLATE = 'lt-0123456789abcdef0';

let standin: StandIn;
let admin: Clients;

afterEach(() => standin.close());

function targetWorld(): WorldBuilder {
  const world = defaultWorld();
  world
    .account(targetAccount)
    .image(region, { imageId: OLD, name: 'golden-old', snapshots: [{ snapshotId: 'snap-0aaaaaaaaaaaaaaa1' }, { snapshotId: 'snap-0aaaaaaaaaaaaaaa2' }] })
    .image(region, { imageId: OTHER, name: 'other', snapshots: [{ snapshotId: 'snap-0ccccccccccccccc3' }] })
    .user('retirer', { policies: { ec2: policyOf(allow('ec2:*'), deny('ec2:DeleteSnapshot')) } });
  return world;
}

async function start(world = targetWorld(), options: Parameters<typeof startStandIn>[1] = {}) {
  standin = await startStandIn(world, { copyDurationMs: 50, ...options });
  admin = clientsFor(standin, region, standin.credentials(targetAccount, 'admin'));
}

describe('DescribeImageReferences', () => {
  function referencingWorld(): WorldBuilder {
    const world = targetWorld();
    world
      .account(targetAccount)
      .instance(region, { instanceId: 'i-0123456789abcdef0', imageId: OLD, state: 'running' })
      .instance(region, { instanceId: 'i-0fedcba9876543210', imageId: OLD, state: 'terminated' })
      .parameter(region, '/golden/current', OLD, 'aws:ec2:image')
      .launchTemplate(region, {
        launchTemplateId: TEMPLATE,
        name: 'web',
        versions: [{ imageId: OLD }, ...Array.from({ length: 10 }, () => ({ imageId: OTHER }))],
      });
    return world;
  }
  const references = async (input: Omit<DescribeImageReferencesCommandInput, 'ImageIds'>) =>
    ((await admin.ec2.send(new DescribeImageReferencesCommand({ ImageIds: [OLD], ...input }))).ImageReferences ?? [])
      .map((r) => `${r.ResourceType} ${r.Arn}`)
      .sort();

  it('finds instances in any state, launch templates within the 10 latest versions and SSM parameters', async () => {
    await start(referencingWorld());
    expect(await references({ IncludeAllResourceTypes: true })).toEqual([
      `ec2:Instance ${instanceArn(targetAccount, region, 'i-0123456789abcdef0')}`,
      `ec2:Instance ${instanceArn(targetAccount, region, 'i-0fedcba9876543210')}`,
      `ssm:Parameter ${parameterArn(targetAccount, region, '/golden/current')}`,
    ]);
  });

  it('looks deeper into launch templates with version-depth', async () => {
    await start(referencingWorld());
    const deep = [{ ResourceType: 'ec2:LaunchTemplate' as const, ResourceTypeOptions: [{ OptionName: 'version-depth' as const, OptionValues: ['11'] }] }];
    expect(await references({ ResourceTypes: deep })).toEqual([`ec2:LaunchTemplate ${launchTemplateArn(targetAccount, region, TEMPLATE)}`]);
  });

  it('leaves out terminated instances when state-name asks for live ones', async () => {
    await start(referencingWorld());
    const live = [{ ResourceType: 'ec2:Instance' as const, ResourceTypeOptions: [{ OptionName: 'state-name' as const, OptionValues: ['running', 'stopped'] }] }];
    expect(await references({ ResourceTypes: live })).toEqual([`ec2:Instance ${instanceArn(targetAccount, region, 'i-0123456789abcdef0')}`]);
  });

  it('sees only the caller account, and needs ImageIds (at most 10) and a resource type', async () => {
    await start(referencingWorld());
    const source = clientsFor(standin, region, standin.credentials(sourceAccount));
    expect((await source.ec2.send(new DescribeImageReferencesCommand({ ImageIds: [OLD], IncludeAllResourceTypes: true }))).ImageReferences).toEqual([]);
    await expectAwsError(admin.ec2.send(new DescribeImageReferencesCommand({ ImageIds: [OLD] })), 'MissingParameter');
    const eleven = Array.from({ length: 11 }, () => OLD);
    await expectAwsError(admin.ec2.send(new DescribeImageReferencesCommand({ ImageIds: eleven, IncludeAllResourceTypes: true })), 'InvalidParameterValue');
  });

  it('is UnauthorizedOperation without ec2:DescribeImageReferences', async () => {
    const world = referencingWorld();
    world.account(targetAccount).user('reader', { policies: { ec2: policyOf(allow('ec2:Describe*'), deny('ec2:DescribeImageReferences')) } });
    await start(world);
    const reader = clientsFor(standin, region, standin.credentials(targetAccount, 'reader'));
    await expectAwsError(reader.ec2.send(new DescribeImageReferencesCommand({ ImageIds: [OLD], IncludeAllResourceTypes: true })), 'UnauthorizedOperation');
  });
});

describe('DisableImage and EnableImage', () => {
  it('disabling removes the launch permissions for good; enabling makes the AMI available again', async () => {
    const world = targetWorld();
    world.account(targetAccount).updateImage(region, OLD, { sharedWith: [sourceAccount] });
    await start(world);
    await admin.ec2.send(new DisableImageCommand({ ImageId: OLD }));
    expect(standin.image(targetAccount, region, OLD)).toMatchObject({ state: 'disabled', launchPermissions: [] });
    await admin.ec2.send(new EnableImageCommand({ ImageId: OLD }));
    expect(standin.image(targetAccount, region, OLD)).toMatchObject({ state: 'available', launchPermissions: [] });
  });

  it('only the owner may disable, and only with ec2:DisableImage', async () => {
    const world = targetWorld();
    world.account(targetAccount).user('noDisable', { policies: { ec2: policyOf(allow('ec2:*'), deny('ec2:DisableImage')) } });
    await start(world);
    const source = clientsFor(standin, region, standin.credentials(sourceAccount));
    await expectAwsError(source.ec2.send(new DisableImageCommand({ ImageId: OLD })), 'InvalidAMIID.NotFound');
    const denied = clientsFor(standin, region, standin.credentials(targetAccount, 'noDisable'));
    await expectAwsError(denied.ec2.send(new DisableImageCommand({ ImageId: OLD })), 'UnauthorizedOperation');
    expect(standin.image(targetAccount, region, OLD)?.state).toBe('available');
  });
});

describe('DeregisterImage with DeleteAssociatedSnapshots', () => {
  it('deletes free snapshots, skips one another AMI uses and answers client-error for a locked one', async () => {
    const world = targetWorld();
    world.account(targetAccount).image(region, { imageId: 'ami-0ddddddddddddddd4', name: 'sharing-a-snapshot', snapshots: [] });
    world.account(targetAccount).findImage(region, 'ami-0ddddddddddddddd4').blockDevices.push({
      deviceName: '/dev/xvda', snapshotId: 'snap-0aaaaaaaaaaaaaaa2', volumeType: 'gp3', deleteOnTermination: true,
    });
    await start(world);
    standin.setSnapshotLocked(targetAccount, region, 'snap-0ccccccccccccccc3', true);
    const old = await admin.ec2.send(new DeregisterImageCommand({ ImageId: OLD, DeleteAssociatedSnapshots: true }));
    expect(old.DeleteSnapshotResults).toEqual([
      { SnapshotId: 'snap-0aaaaaaaaaaaaaaa1', ReturnCode: 'success' },
      { SnapshotId: 'snap-0aaaaaaaaaaaaaaa2', ReturnCode: 'skipped' },
    ]);
    const locked = await admin.ec2.send(new DeregisterImageCommand({ ImageId: OTHER, DeleteAssociatedSnapshots: true }));
    expect(locked.DeleteSnapshotResults).toEqual([{ SnapshotId: 'snap-0ccccccccccccccc3', ReturnCode: 'client-error' }]);
    expect(standin.snapshots(targetAccount, region).map((s) => s.snapshotId).sort()).toEqual(['snap-0aaaaaaaaaaaaaaa2', 'snap-0ccccccccccccccc3']);
    // DeleteSnapshot refuses it too, until it is unlocked.
    await expectAwsError(admin.ec2.send(new DeleteSnapshotCommand({ SnapshotId: 'snap-0ccccccccccccccc3' })), 'SnapshotLocked');
    standin.setSnapshotLocked(targetAccount, region, 'snap-0ccccccccccccccc3', false);
    await admin.ec2.send(new DeleteSnapshotCommand({ SnapshotId: 'snap-0ccccccccccccccc3' }));
    expect(standin.snapshot(targetAccount, region, 'snap-0ccccccccccccccc3')).toBeUndefined();
  });

  it('answers missing-permissions without ec2:DeleteSnapshot, and deregisters the AMI all the same', async () => {
    await start();
    const retirer = clientsFor(standin, region, standin.credentials(targetAccount, 'retirer'));
    const result = await retirer.ec2.send(new DeregisterImageCommand({ ImageId: OTHER, DeleteAssociatedSnapshots: true }));
    expect(result.DeleteSnapshotResults).toEqual([{ SnapshotId: 'snap-0ccccccccccccccc3', ReturnCode: 'missing-permissions' }]);
    expect(standin.image(targetAccount, region, OTHER)).toBeUndefined();
    expect(standin.snapshot(targetAccount, region, 'snap-0ccccccccccccccc3')).toBeDefined();
  });

  it('is refused while deregistration protection is on', async () => {
    await start();
    await admin.ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: OLD, WithCooldown: true }));
    const images = await admin.ec2.send(new DescribeImagesCommand({ ImageIds: [OLD] }));
    expect(images.Images?.[0]?.DeregistrationProtection).toBe('enabled-with-cooldown');
    await expectAwsError(admin.ec2.send(new DeregisterImageCommand({ ImageId: OLD, DeleteAssociatedSnapshots: true })), 'OperationNotPermitted');
    expect(standin.image(targetAccount, region, OLD)).toBeDefined();
  });
});

describe('image attributes', () => {
  it('EnableImageDeprecation rounds to the nearest minute and refuses the past', async () => {
    await start();
    const at = new Date(standin.now() + 3 * 86_400_000);
    at.setUTCSeconds(40, 0);
    await admin.ec2.send(new EnableImageDeprecationCommand({ ImageId: OLD, DeprecateAt: at }));
    const rounded = new Date(at);
    rounded.setUTCSeconds(60, 0);
    expect(standin.image(targetAccount, region, OLD)?.deprecationTime).toBe(rounded.toISOString());
    await expectAwsError(admin.ec2.send(new EnableImageDeprecationCommand({ ImageId: OLD, DeprecateAt: new Date(standin.now() - 60_000) })), 'InvalidParameterValue');
  });

  it('LastLaunchedTime is seeded per image and answered by DescribeImages and DescribeImageAttribute', async () => {
    const world = targetWorld();
    world.account(targetAccount).updateImage(region, OLD, { lastLaunchedTime: '2026-02-01T10:00:00Z' });
    await start(world);
    const [image] = (await admin.ec2.send(new DescribeImagesCommand({ ImageIds: [OLD, OTHER] }))).Images ?? [];
    expect(image?.LastLaunchedTime).toBe('2026-02-01T10:00:00Z');
    const attribute = await admin.ec2.send(new DescribeImageAttributeCommand({ ImageId: OLD, Attribute: 'lastLaunchedTime' }));
    expect(attribute.LastLaunchedTime?.Value).toBe('2026-02-01T10:00:00Z');
    standin.setLastLaunchedTime(targetAccount, region, OTHER, '2026-03-01T00:00:00Z');
    expect(standin.image(targetAccount, region, OTHER)?.lastLaunchedTime).toBe('2026-03-01T00:00:00Z');
  });

  it('CopyImage sets SourceImageId and SourceImageRegion on the intermediate copy and on the copies made from it', async () => {
    await start();
    const source = clientsFor(standin, region, standin.credentials(sourceAccount));
    const intermediate = await source.ec2.send(new CopyImageCommand({ SourceImageId: sourceAmiId, SourceRegion: region, Name: 'intermediate' }));
    const intermediateId = intermediate.ImageId ?? '';
    standin.advanceTime(100);
    const second = clientsFor(standin, DEFAULTS.secondRegion, standin.credentials(sourceAccount));
    const copy = await second.ec2.send(new CopyImageCommand({ SourceImageId: intermediateId, SourceRegion: region, Name: 'regional' }));
    const [first] = (await source.ec2.send(new DescribeImagesCommand({ ImageIds: [intermediateId] }))).Images ?? [];
    expect(first).toMatchObject({ SourceImageId: sourceAmiId, SourceImageRegion: region });
    const [regional] = (await second.ec2.send(new DescribeImagesCommand({ ImageIds: [copy.ImageId ?? ''] }))).Images ?? [];
    expect(regional).toMatchObject({ SourceImageId: intermediateId, SourceImageRegion: region });
  });
});
