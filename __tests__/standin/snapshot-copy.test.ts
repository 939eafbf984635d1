/** CopySnapshot and RegisterImage in the destination account: what copy-method snapshots relies on. */
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CopySnapshotCommand,
  DeleteSnapshotCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  RegisterImageCommand,
  type RegisterImageCommandInput,
} from '@aws-sdk/client-ec2';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { deny, policyOf } from '../../standin/index.js';
import type { StandInOptions } from '../../standin/settings.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import type { WorldBuilder } from '../../standin/world.js';
import { assumeRole, clientsFor, expectAwsError, type Clients } from './test-helpers.js';

const { sourceAccount, targetAccount, region } = DEFAULTS;
const AMI = 'ami-0fedcba9876543210';
const ROOT = 'snap-0fedcba9876543210';
const DATA = 'snap-0fedcba9876543211';
const UEFI = 'QU1aTlVFRkk=';
const DURATION = 10_000;
const TARGET_KEY_ARN = `arn:aws:kms:${region}:${targetAccount}:key/${DEFAULTS.targetKeyIds[region]}`;
const PROMOTED = [{ Key: 'promote-ami:role', Value: 'promoted' }];

let standin: StandIn;
let source: Clients;
let target: Clients;

afterEach(() => standin.close());

/** A UEFI AMI with two CMK-encrypted snapshots shared (snapshots only, no launch permission) with the target. */
function world(): WorldBuilder {
  const w = defaultWorld();
  w.account(sourceAccount).image(region, {
    imageId: AMI,
    name: 'golden-uefi',
    architecture: 'arm64',
    snapshots: [
      { snapshotId: ROOT, kmsKey: DEFAULTS.sourceKeyAlias, sizeGiB: 20, volumeType: 'gp3', iops: 4000, throughput: 250 },
      { snapshotId: DATA, kmsKey: DEFAULTS.sourceKeyAlias, sizeGiB: 100, volumeType: 'io2', iops: 5000, deleteOnTermination: false },
    ],
    snapshotsSharedWith: [targetAccount],
    features: { bootMode: 'uefi', tpmSupport: 'v2.0', imdsSupport: 'v2.0', sriovNetSupport: 'simple', uefiData: UEFI },
    otherMappings: [{ DeviceName: '/dev/sdc', VirtualName: 'ephemeral0' }, { DeviceName: '/dev/sdd', NoDevice: '' }],
  });
  return w;
}

async function start(options: StandInOptions = {}, w = world()) {
  standin = await startStandIn(w, { copyDurationMs: DURATION, ...options });
  source = clientsFor(standin, region, standin.credentials(sourceAccount));
  target = clientsFor(standin, region, await assumeRole(standin));
}

const copy = (SourceSnapshotId: string, extra = {}) =>
  target.ec2.send(new CopySnapshotCommand({ SourceSnapshotId, SourceRegion: region, Encrypted: true, KmsKeyId: TARGET_KEY_ARN, TagSpecifications: [{ ResourceType: 'snapshot', Tags: PROMOTED }], ...extra }));

async function copiesCompleted(): Promise<[string, string]> {
  const root = (await copy(ROOT)).SnapshotId as string;
  const data = (await copy(DATA)).SnapshotId as string;
  standin.advanceTime(DURATION);
  return [root, data];
}

const registration = (root: string, data: string, extra: Partial<RegisterImageCommandInput> = {}): RegisterImageCommandInput => ({
  Name: 'golden-registered',
  Architecture: 'arm64',
  VirtualizationType: 'hvm',
  RootDeviceName: '/dev/xvda',
  EnaSupport: true,
  SriovNetSupport: 'simple',
  BootMode: 'uefi',
  TpmSupport: 'v2.0',
  ImdsSupport: 'v2.0',
  UefiData: UEFI,
  BlockDeviceMappings: [
    { DeviceName: '/dev/xvda', Ebs: { SnapshotId: root, VolumeSize: 20, VolumeType: 'gp3', Iops: 4000, Throughput: 250, DeleteOnTermination: true } },
    { DeviceName: '/dev/sdb', Ebs: { SnapshotId: data, VolumeSize: 100, VolumeType: 'io2', Iops: 5000, DeleteOnTermination: false } },
    { DeviceName: '/dev/sdc', VirtualName: 'ephemeral0' },
    { DeviceName: '/dev/sdd', NoDevice: '' },
  ],
  TagSpecifications: [{ ResourceType: 'image', Tags: PROMOTED }],
  ...extra,
});

describe('CopySnapshot', () => {
  it('copies a snapshot shared by createVolumePermission under the target key, pending with rising progress, then completed, tagged', async () => {
    await start();
    const { SnapshotId, Tags } = await copy(ROOT);
    expect(Tags).toEqual(PROMOTED);
    standin.advanceTime(DURATION / 2);
    const pending = (await target.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [SnapshotId as string] }))).Snapshots?.[0];
    expect(pending).toMatchObject({ State: 'pending', Progress: '50%', Encrypted: true, KmsKeyId: TARGET_KEY_ARN, OwnerId: targetAccount, VolumeSize: 20, Tags: PROMOTED });
    standin.advanceTime(DURATION / 2);
    const done = (await target.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [SnapshotId as string] }))).Snapshots?.[0];
    expect(done).toMatchObject({ State: 'completed', Progress: '100%' });
  });

  it('refuses a snapshot not shared with the caller (InvalidSnapshot.NotFound) and KmsKeyId without Encrypted', async () => {
    const w = world();
    w.account(sourceAccount).updateImage(region, AMI, { snapshotsSharedWith: [] });
    await start({}, w);
    await expectAwsError(copy(ROOT), 'InvalidSnapshot.NotFound');
    await expectAwsError(copy(ROOT, { Encrypted: undefined }), 'InvalidParameterDependency');
  });

  it('turns the copy to error later when the target role may not use the source key (the call succeeds)', async () => {
    await start({ copyKeyRequirements: { source: [['kms:Sign']], destination: [] } });
    const { SnapshotId } = await copy(ROOT);
    standin.advanceTime(DURATION);
    const snapshot = (await target.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [SnapshotId as string] }))).Snapshots?.[0];
    expect(snapshot).toMatchObject({ State: 'error', StateMessage: expect.stringMatching(/not accessible/) });
  });

  it('authorizes ec2:CopySnapshot and ec2:CreateTags with ec2:CreateAction CopySnapshot for the tags', async () => {
    await start();
    standin.setRolePolicy(targetAccount, DEFAULTS.targetRoleName, 'deny-tagging', policyOf(deny(['ec2:CreateTags'], '*', { Condition: { StringEquals: { 'ec2:CreateAction': 'CopySnapshot' } } })));
    await expectAwsError(copy(ROOT), 'UnauthorizedOperation');
    await expect(copy(ROOT, { TagSpecifications: undefined })).resolves.toMatchObject({ SnapshotId: expect.stringMatching(/^snap-/) });
  });
});

describe('RegisterImage', () => {
  it('registers an AMI with every attribute given, its mappings in order, its UEFI data, Linux/UNIX billing and no source', async () => {
    await start();
    const [root, data] = await copiesCompleted();
    const { ImageId } = await target.ec2.send(new RegisterImageCommand(registration(root, data)));
    const image = (await target.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId as string] }))).Images?.[0];
    expect(image).toMatchObject({
      State: 'available',
      Name: 'golden-registered',
      Architecture: 'arm64',
      VirtualizationType: 'hvm',
      RootDeviceName: '/dev/xvda',
      RootDeviceType: 'ebs',
      EnaSupport: true,
      SriovNetSupport: 'simple',
      BootMode: 'uefi',
      TpmSupport: 'v2.0',
      ImdsSupport: 'v2.0',
      PlatformDetails: 'Linux/UNIX',
      UsageOperation: 'RunInstances',
      Tags: PROMOTED,
    });
    expect(image?.SourceImageId).toBeUndefined();
    expect(image?.BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: { SnapshotId: root, VolumeSize: 20, VolumeType: 'gp3', Iops: 4000, Throughput: 250, DeleteOnTermination: true, Encrypted: true, KmsKeyId: TARGET_KEY_ARN } },
      { DeviceName: '/dev/sdb', Ebs: { SnapshotId: data, VolumeSize: 100, VolumeType: 'io2', Iops: 5000, DeleteOnTermination: false, Encrypted: true, KmsKeyId: TARGET_KEY_ARN } },
      { DeviceName: '/dev/sdc', VirtualName: 'ephemeral0' },
      { DeviceName: '/dev/sdd', NoDevice: '' },
    ]);
    const uefi = await target.ec2.send(new DescribeImageAttributeCommand({ ImageId, Attribute: 'uefiData' }));
    expect(uefi.UefiData?.Value).toBe(UEFI);
    // A registered AMI's snapshots are in use.
    await expectAwsError(target.ec2.send(new DeleteSnapshotCommand({ SnapshotId: root })), 'InvalidSnapshot.InUse');
  });

  it('refuses a taken name, an encryption state given with a snapshot, a snapshot still pending and billing product codes', async () => {
    await start();
    const [root, data] = await copiesCompleted();
    await target.ec2.send(new RegisterImageCommand(registration(root, data)));
    await expectAwsError(target.ec2.send(new RegisterImageCommand(registration(root, data))), 'InvalidAMIName.Duplicate');
    const encrypted = registration(root, data, { Name: 'other' });
    encrypted.BlockDeviceMappings = [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: root, Encrypted: true } }];
    await expectAwsError(target.ec2.send(new RegisterImageCommand(encrypted)), 'InvalidParameterCombination');
    const pending = (await copy(ROOT)).SnapshotId as string;
    await expectAwsError(target.ec2.send(new RegisterImageCommand(registration(pending, data, { Name: 'third' }))), 'IncorrectState');
    await expectAwsError(target.ec2.send(new RegisterImageCommand(registration(root, data, { Name: 'fourth', BillingProducts: ['bp-6ba54002'] }))), 'AuthFailure');
  });

  it('authorizes ec2:RegisterImage on the snapshots it registers from, with their tags', async () => {
    await start();
    const [root, data] = await copiesCompleted();
    standin.setRolePolicy(targetAccount, DEFAULTS.targetRoleName, 'deny-untagged', policyOf(deny(['ec2:RegisterImage'], `arn:aws:ec2:${region}::snapshot/*`, { Condition: { StringNotEquals: { 'ec2:ResourceTag/promote-ami:role': 'promoted' } } })));
    await expect(target.ec2.send(new RegisterImageCommand(registration(root, data)))).resolves.toMatchObject({ ImageId: expect.stringMatching(/^ami-/) });
    const untagged = (await copy(ROOT, { TagSpecifications: undefined })).SnapshotId as string;
    standin.advanceTime(DURATION);
    await expectAwsError(target.ec2.send(new RegisterImageCommand(registration(untagged, data, { Name: 'untagged' }))), 'UnauthorizedOperation');
  });
});

describe('DescribeImageAttribute uefiData', () => {
  it('answers the owner; another account only when uefiDataReadableByLaunchPermission is on (undocumented in AWS)', async () => {
    const w = world();
    w.account(sourceAccount).updateImage(region, AMI, { sharedWith: [targetAccount] });
    await start({}, w);
    const owner = await source.ec2.send(new DescribeImageAttributeCommand({ ImageId: AMI, Attribute: 'uefiData' }));
    expect(owner.UefiData?.Value).toBe(UEFI);
    await expectAwsError(target.ec2.send(new DescribeImageAttributeCommand({ ImageId: AMI, Attribute: 'uefiData' })), 'AuthFailure');
    standin.configure({ uefiDataReadableByLaunchPermission: true });
    const shared = await target.ec2.send(new DescribeImageAttributeCommand({ ImageId: AMI, Attribute: 'uefiData' }));
    expect(shared.UefiData?.Value).toBe(UEFI);
  });
});
