/** Visibility and sharing of images and snapshots: launch permissions, createVolumePermission, public, tags. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  EnableImageDeprecationCommand,
  EnableImageDeregistrationProtectionCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { assumeRole, clientsFor, expectAwsError, type Clients } from './test-helpers.js';

const { sourceAccount, targetAccount, region, sourceAmiId, sourceSnapshotId } = DEFAULTS;
let standin: StandIn;
let source: Clients;
let target: Clients;

async function start(world = defaultWorld()) {
  standin = await startStandIn(world);
  source = clientsFor(standin, region, standin.credentials(sourceAccount));
  target = clientsFor(standin, region, await assumeRole(standin));
}

async function shareDefaultAmi() {
  await source.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, LaunchPermission: { Add: [{ UserId: targetAccount }] } }));
}

afterEach(() => standin.close());

describe('image visibility', () => {
  beforeEach(() => start());

  it('an unshared image is invisible to another account, then visible once shared', async () => {
    await expectAwsError(target.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] })), 'InvalidAMIID.NotFound');
    expect((await target.ec2.send(new DescribeImagesCommand({ Owners: [sourceAccount] }))).Images).toEqual([]);
    await shareDefaultAmi();
    const shared = await target.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }));
    expect(shared.Images?.[0]?.OwnerId).toBe(sourceAccount);
    const executable = await target.ec2.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] }));
    expect(executable.Images?.map((i) => i.ImageId)).toEqual([sourceAmiId]);
    expect((await target.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images).toEqual([]);
  });

  it("the owner's tags are invisible to the consumer, who sees only its own", async () => {
    await shareDefaultAmi();
    const seen = await target.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }));
    expect(seen.Images?.[0]?.Tags).toBeUndefined();
    await target.ec2.send(new CreateTagsCommand({ Resources: [sourceAmiId], Tags: [{ Key: 'seen-by', Value: 'target' }] }));
    expect((await target.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }))).Images?.[0]?.Tags).toEqual([
      { Key: 'seen-by', Value: 'target' },
    ]);
    const owner = await source.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }));
    expect(owner.Images?.[0]?.Tags?.map((t) => t.Key).sort()).toEqual(['Name', 'Team']);
  });

  it('CreateTags overwrites a value; DeleteTags deletes by key, by key and value, or all, and a missing key is no error', async () => {
    const tags = async () =>
      Object.fromEntries(((await source.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }))).Images?.[0]?.Tags ?? []).map((t) => [t.Key, t.Value]));
    await source.ec2.send(new CreateTagsCommand({ Resources: [sourceAmiId], Tags: [{ Key: 'lease:a', Value: '1' }, { Key: 'lease:b', Value: '' }] }));
    await source.ec2.send(new CreateTagsCommand({ Resources: [sourceAmiId], Tags: [{ Key: 'lease:a', Value: '2' }] }));
    expect(await tags()).toEqual({ Name: 'golden-base', Team: 'platform', 'lease:a': '2', 'lease:b': '' });
    await source.ec2.send(new DeleteTagsCommand({ Resources: [sourceAmiId], Tags: [{ Key: 'lease:a', Value: '1' }, { Key: 'lease:b', Value: 'x' }] }));
    expect(await tags()).toMatchObject({ 'lease:a': '2', 'lease:b': '' });
    await source.ec2.send(new DeleteTagsCommand({ Resources: [sourceAmiId], Tags: [{ Key: 'lease:a' }, { Key: 'lease:b', Value: '' }, { Key: 'never-set' }] }));
    expect(await tags()).toEqual({ Name: 'golden-base', Team: 'platform' });
    // The target account's own tags are its own: the owner's DeleteTags without tags leaves them.
    await shareDefaultAmi();
    await target.ec2.send(new CreateTagsCommand({ Resources: [sourceAmiId], Tags: [{ Key: 'seen-by', Value: 'target' }] }));
    await source.ec2.send(new DeleteTagsCommand({ Resources: [sourceAmiId] }));
    expect(await tags()).toEqual({});
    expect((await target.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }))).Images?.[0]?.Tags).toEqual([{ Key: 'seen-by', Value: 'target' }]);
    await expectAwsError(source.ec2.send(new DeleteTagsCommand({ Resources: ['ami-0000000000000dead'], Tags: [{ Key: 'x' }] })), 'InvalidAMIID.NotFound');
  });

  it('CreateTags refuses a 51st tag on a resource (TagLimitExceeded) and changes nothing', async () => {
    const many = Array.from({ length: 48 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await source.ec2.send(new CreateTagsCommand({ Resources: [sourceAmiId], Tags: many }));
    await expectAwsError(source.ec2.send(new CreateTagsCommand({ Resources: [sourceAmiId], Tags: [{ Key: 'one', Value: '1' }, { Key: 'two', Value: '2' }] })), 'TagLimitExceeded');
    await source.ec2.send(new CreateTagsCommand({ Resources: [sourceAmiId], Tags: [{ Key: 'k0', Value: 'overwritten' }] }));
    const tags = (await source.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }))).Images?.[0]?.Tags ?? [];
    expect(tags).toHaveLength(50);
    expect(tags.find((t) => t.Key === 'k0')?.Value).toBe('overwritten');
  });

  it('launch permissions record who added them; only the owner may read or change them', async () => {
    await shareDefaultAmi();
    const attribute = await source.ec2.send(new DescribeImageAttributeCommand({ ImageId: sourceAmiId, Attribute: 'launchPermission' }));
    expect(attribute.LaunchPermissions).toEqual([{ UserId: targetAccount }]);
    expect(standin.image(sourceAccount, region, sourceAmiId)?.launchPermissions).toEqual([
      { userId: targetAccount, addedBy: DEFAULTS.sourceAdmin.userArn, addedAt: expect.any(String) },
    ]);
    await expectAwsError(
      target.ec2.send(new DescribeImageAttributeCommand({ ImageId: sourceAmiId, Attribute: 'launchPermission' })),
      'AuthFailure',
    );
    // The target role has no ec2:ModifyImageAttribute; an administrator of the target account is not the owner.
    await expectAwsError(
      target.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, LaunchPermission: { Add: [{ Group: 'all' }] } })),
      'UnauthorizedOperation',
    );
    const targetAdmin = clientsFor(standin, region, standin.credentials(targetAccount));
    await expectAwsError(
      targetAdmin.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, LaunchPermission: { Add: [{ Group: 'all' }] } })),
      'AuthFailure',
    );
    expect(standin.isPublic(sourceAccount, region, sourceAmiId)).toBe(false);
    await source.ec2.send(
      new ModifyImageAttributeCommand({ ImageId: sourceAmiId, OperationType: 'remove', UserIds: [targetAccount], Attribute: 'launchPermission' }),
    );
    await expectAwsError(target.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] })), 'InvalidAMIID.NotFound');
    await expectAwsError(
      source.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, LaunchPermission: { Add: [{ UserId: '12345' }] } })),
      'InvalidAMIAttributeItemValue',
    );
  });

  it('filters: tag:KEY, tag-key, state and name wildcards; unknown filters are refused', async () => {
    const names = async (filters: { Name: string; Values: string[] }[]) =>
      ((await source.ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: filters }))).Images ?? []).map((i) => i.ImageId);
    expect(await names([{ Name: 'tag:Team', Values: ['platform'] }])).toEqual([sourceAmiId]);
    expect(await names([{ Name: 'tag:Team', Values: ['other'] }])).toEqual([]);
    expect(await names([{ Name: 'tag-key', Values: ['Name'] }])).toEqual([sourceAmiId]);
    expect(await names([{ Name: 'name', Values: ['golden-base-*'] }, { Name: 'state', Values: ['available'] }])).toEqual([sourceAmiId]);
    expect(await names([{ Name: 'name', Values: ['other-*'] }])).toEqual([]);
    await expectAwsError(
      source.ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })),
      'InvalidParameterValue',
    );
  });
});

describe('public sharing', () => {
  it('an unencrypted image can be made public; an encrypted one cannot', async () => {
    const world = defaultWorld();
    world.account(sourceAccount).image(region, { imageId: 'ami-0000000000000e001', name: 'encrypted', snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }] });
    await start(world);
    await source.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, LaunchPermission: { Add: [{ Group: 'all' }] } }));
    expect(standin.isPublic(sourceAccount, region, sourceAmiId)).toBe(true);
    expect((await target.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }))).Images?.[0]?.Public).toBe(true);

    const error = await expectAwsError(
      source.ec2.send(new ModifyImageAttributeCommand({ ImageId: 'ami-0000000000000e001', LaunchPermission: { Add: [{ Group: 'all' }] } })),
      'UnsupportedOperation',
    );
    expect(error.message).toMatch(/can't be shared publicly/);
    expect(standin.isPublic(sourceAccount, region, 'ami-0000000000000e001')).toBe(false);
    const snapshotId = standin.image(sourceAccount, region, 'ami-0000000000000e001')?.blockDevices[0]?.snapshotId ?? '';
    await expectAwsError(
      source.ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, CreateVolumePermission: { Add: [{ Group: 'all' }] } })),
      'UnsupportedOperation',
    );
    expect(standin.snapshot(sourceAccount, region, snapshotId)?.public).toBe(false);
    expect(standin.mutations({ operation: ['ModifyImageAttribute', 'ModifySnapshotAttribute'] })).toHaveLength(1);
  });
});

describe('snapshot sharing', () => {
  it('snapshots under aws/ebs cannot be shared with another account; CMK snapshots can', async () => {
    const world = defaultWorld();
    world
      .account(sourceAccount)
      .snapshot(region, { snapshotId: 'snap-00000000000000e01', kmsKey: 'alias/aws/ebs' })
      .snapshot(region, { snapshotId: 'snap-00000000000000c01', kmsKey: DEFAULTS.sourceKeyAlias });
    await start(world);
    const error = await expectAwsError(
      source.ec2.send(
        new ModifySnapshotAttributeCommand({
          SnapshotId: 'snap-00000000000000e01',
          Attribute: 'createVolumePermission',
          OperationType: 'add',
          UserIds: [targetAccount],
        }),
      ),
      'InvalidParameter',
    );
    expect(error.message).toBe("Snapshots encrypted with the AWS Managed CMK can't be shared. Specify another snapshot.");
    expect(standin.key(sourceAccount, region, 'alias/aws/ebs')?.keyManager).toBe('AWS');

    await source.ec2.send(
      new ModifySnapshotAttributeCommand({ SnapshotId: 'snap-00000000000000c01', CreateVolumePermission: { Add: [{ UserId: targetAccount }] } }),
    );
    const attribute = await source.ec2.send(
      new DescribeSnapshotAttributeCommand({ SnapshotId: 'snap-00000000000000c01', Attribute: 'createVolumePermission' }),
    );
    expect(attribute.CreateVolumePermissions).toEqual([{ UserId: targetAccount }]);
    const restorable = await target.ec2.send(new DescribeSnapshotsCommand({ RestorableByUserIds: ['self'] }));
    expect(restorable.Snapshots?.map((s) => [s.SnapshotId, s.Encrypted, s.KmsKeyId])).toEqual([
      ['snap-00000000000000c01', true, DEFAULTS.sourceKeyArn],
    ]);
    expect((await target.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots).toEqual([]);
    await expectAwsError(
      target.ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: 'snap-00000000000000c01', Attribute: 'createVolumePermission' })),
      'AuthFailure',
    );
  });
});

describe('deregistration, deletion, protection and deprecation', () => {
  beforeEach(() => start());

  it('a snapshot in use cannot be deleted; deregistering with DeleteAssociatedSnapshots removes both', async () => {
    await expectAwsError(source.ec2.send(new DeleteSnapshotCommand({ SnapshotId: sourceSnapshotId })), 'InvalidSnapshot.InUse');
    await source.ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: sourceAmiId }));
    expect((await source.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }))).Images?.[0]?.DeregistrationProtection).toBe(
      'enabled-without-cooldown',
    );
    await expectAwsError(source.ec2.send(new DeregisterImageCommand({ ImageId: sourceAmiId })), 'OperationNotPermitted');
    expect(standin.image(sourceAccount, region, sourceAmiId)).toBeDefined();

    standin.state.images.get(sourceAmiId)!.deregistrationProtection = 'disabled';
    const out = await source.ec2.send(new DeregisterImageCommand({ ImageId: sourceAmiId, DeleteAssociatedSnapshots: true }));
    expect(out.DeleteSnapshotResults).toEqual([{ SnapshotId: sourceSnapshotId, ReturnCode: 'success' }]);
    expect(standin.image(sourceAccount, region, sourceAmiId)).toBeUndefined();
    expect(standin.snapshot(sourceAccount, region, sourceSnapshotId)).toBeUndefined();
  });

  it('deprecation time is set in the future and hides the image from other accounts by default', async () => {
    await shareDefaultAmi();
    await expectAwsError(
      source.ec2.send(new EnableImageDeprecationCommand({ ImageId: sourceAmiId, DeprecateAt: new Date(standin.now() - 60000) })),
      'InvalidParameterValue',
    );
    const at = new Date(standin.now() + 600_000);
    await source.ec2.send(new EnableImageDeprecationCommand({ ImageId: sourceAmiId, DeprecateAt: at }));
    const deprecation = (await source.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }))).Images?.[0]?.DeprecationTime;
    expect(Date.parse(deprecation ?? '')).toBe(Math.round(at.getTime() / 60000) * 60000);
    standin.advanceTime(1200_000);
    expect((await target.ec2.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] }))).Images).toEqual([]);
    expect((await target.ec2.send(new DescribeImagesCommand({ ExecutableUsers: ['self'], IncludeDeprecated: true }))).Images).toHaveLength(1);
    expect((await target.ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }))).Images).toHaveLength(1);
  });
});
