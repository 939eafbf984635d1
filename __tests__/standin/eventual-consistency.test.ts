/** The notFoundAfterCreateMs switch: a copy and its snapshots are not found for a while after CopyImage, as in EC2. */
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CopyImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { clientsFor, expectAwsError, type Clients } from './test-helpers.js';

const { sourceAccount, targetAccount, region, sourceAmiId } = DEFAULTS;
const WINDOW_MS = 5_000;

let standin: StandIn;
let source: Clients;

afterEach(() => standin.close());

async function start(notFoundAfterCreateMs?: number) {
  standin = await startStandIn(defaultWorld(), { copyDurationMs: 60_000, ...(notFoundAfterCreateMs === undefined ? {} : { notFoundAfterCreateMs }) });
  source = clientsFor(standin, region, standin.credentials(sourceAccount));
}

/** Re-encrypts the default source AMI in the source account; returns the new image and snapshot IDs (from the state). */
async function copy(): Promise<{ imageId: string; snapshotId: string }> {
  const { ImageId = '' } = await source.ec2.send(
    new CopyImageCommand({ SourceImageId: sourceAmiId, SourceRegion: region, Name: 'reencrypted', Encrypted: true, KmsKeyId: DEFAULTS.sourceKeyArn }),
  );
  const snapshotId = standin.image(sourceAccount, region, ImageId)?.blockDevices[0]?.snapshotId ?? '';
  expect(snapshotId).toMatch(/^snap-/);
  return { imageId: ImageId, snapshotId };
}

const listImages = async () => (await source.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images?.map((i) => i.ImageId);
const listSnapshots = async () => (await source.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots?.map((s) => s.SnapshotId);

describe('notFoundAfterCreateMs', () => {
  it('answers NotFound for a new copy and its snapshots, and leaves them out of listings, until the window has passed', async () => {
    await start(WINDOW_MS);
    const { imageId, snapshotId } = await copy();
    const ec2 = source.ec2;
    await expectAwsError(ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })), 'InvalidAMIID.NotFound');
    await expectAwsError(ec2.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' })), 'InvalidAMIID.NotFound');
    await expectAwsError(ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: targetAccount }] } })), 'InvalidAMIID.NotFound');
    await expectAwsError(ec2.send(new DeregisterImageCommand({ ImageId: imageId })), 'InvalidAMIID.NotFound');
    await expectAwsError(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })), 'InvalidSnapshot.NotFound');
    await expectAwsError(
      ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission', CreateVolumePermission: { Add: [{ UserId: targetAccount }] } })),
      'InvalidSnapshot.NotFound',
    );
    await expectAwsError(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })), 'InvalidSnapshot.NotFound');
    expect(await listImages()).not.toContain(imageId);
    expect(await listSnapshots()).not.toContain(snapshotId);
    // The source AMI of the world is not new: always found.
    expect(await listImages()).toContain(sourceAmiId);
    // The copy exists all the same, and nothing was changed by the refused calls.
    expect(standin.image(sourceAccount, region, imageId)).toMatchObject({ state: 'pending', launchPermissions: [] });

    standin.advanceTime(WINDOW_MS);
    const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0];
    expect(image).toMatchObject({ ImageId: imageId, State: 'pending' });
    expect(image?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId).toBe(snapshotId);
    expect((await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots?.[0]?.State).toBe('pending');
    expect(await listImages()).toContain(imageId);
    expect(await listSnapshots()).toContain(snapshotId);
    // A pending copy is stopped by deregistering it; its snapshots can then be deleted.
    await ec2.send(new DeregisterImageCommand({ ImageId: imageId }));
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    expect(standin.image(sourceAccount, region, imageId)).toBeUndefined();
    expect(standin.snapshot(sourceAccount, region, snapshotId)).toBeUndefined();
  });

  it('is off by default: a copy is found at once', async () => {
    await start();
    expect(standin.settings.notFoundAfterCreateMs).toBe(0);
    const { imageId, snapshotId } = await copy();
    expect((await source.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0]?.State).toBe('pending');
    expect((await source.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots).toHaveLength(1);
  });
});
