/** CopyImage in the destination account: checks made by the call, asynchronous completion, and KMS failures. */
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CopyImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  GetEbsDefaultKmsKeyIdCommand,
  type CopyImageCommandInput,
  type Image,
} from '@aws-sdk/client-ec2';
import { CreateGrantCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DecodeAuthorizationMessageCommand } from '@aws-sdk/client-sts';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { deny, policyOf } from '../../standin/index.js';
import type { StandInOptions } from '../../standin/settings.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { assumeRole, clientsFor, expectAwsError, type Clients } from './test-helpers.js';
import type { WorldBuilder } from '../../standin/world.js';

const { sourceAccount, targetAccount, region, sourceAmiId } = DEFAULTS;
const ENC_AMI = 'ami-0fedcba9876543210';
const ENC_SNAP = 'snap-0fedcba9876543210';
const DURATION = 10_000;
const TARGET_KEY_ARN = `arn:aws:kms:${region}:${targetAccount}:key/${DEFAULTS.targetKeyIds[region]}`;

let standin: StandIn;
let source: Clients;
let target: Clients;

afterEach(() => standin.close());

/** The default world plus a CMK-encrypted source AMI shared (image and snapshot) with the target account. */
function encryptedWorld(): WorldBuilder {
  const world = defaultWorld();
  world.account(sourceAccount).image(region, {
    imageId: ENC_AMI,
    name: 'golden-encrypted',
    description: 'encrypted golden image',
    snapshots: [{ snapshotId: ENC_SNAP, kmsKey: DEFAULTS.sourceKeyAlias, sizeGiB: 20 }],
    sharedWith: [targetAccount],
    tags: { Team: 'platform' },
  });
  return world;
}

async function start(world: WorldBuilder, options: StandInOptions = {}) {
  standin = await startStandIn(world, { copyDurationMs: DURATION, ...options });
  source = clientsFor(standin, region, standin.credentials(sourceAccount));
  target = clientsFor(standin, region, await assumeRole(standin));
}

const copyInput = (extra: Partial<CopyImageCommandInput> = {}): CopyImageCommandInput => ({
  SourceImageId: ENC_AMI,
  SourceRegion: region,
  Name: 'golden-promoted',
  Encrypted: true,
  KmsKeyId: DEFAULTS.targetKeyAlias,
  ...extra,
});

async function describe1(clients: Clients, imageId: string): Promise<Image> {
  const image = (await clients.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0];
  if (!image) throw new Error(`no ${imageId}`);
  return image;
}

async function snapshotOf(clients: Clients, image: Image) {
  const id = image.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
  return (await clients.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }))).Snapshots?.[0];
}

/** Copies, lets the copy run to its end, and returns the image as DescribeImages shows it. */
async function copyToEnd(input: CopyImageCommandInput = copyInput()): Promise<Image> {
  const { ImageId } = await target.ec2.send(new CopyImageCommand(input));
  expect(ImageId).toMatch(/^ami-[0-9a-f]{17}$/);
  standin.advanceTime(DURATION);
  return describe1(target, ImageId ?? '');
}

describe('a successful cross-account copy', () => {
  it('starts pending with snapshot progress rising, and completes under the target key with the given tags', async () => {
    await start(encryptedWorld());
    const { ImageId = '' } = await target.ec2.send(
      new CopyImageCommand(
        copyInput({
          TagSpecifications: [
            { ResourceType: 'image', Tags: [{ Key: 'promoted-from', Value: ENC_AMI }] },
            { ResourceType: 'snapshot', Tags: [{ Key: 'promoted-from', Value: ENC_SNAP }] },
          ],
        }),
      ),
    );
    let image = await describe1(target, ImageId);
    expect(image).toMatchObject({ State: 'pending', OwnerId: targetAccount, Name: 'golden-promoted', SourceImageId: ENC_AMI });
    let snapshot = await snapshotOf(target, image);
    expect(snapshot).toMatchObject({ State: 'pending', Progress: '0%', Encrypted: true, KmsKeyId: TARGET_KEY_ARN, VolumeSize: 20 });
    const [copyCall] = standin.calls({ operation: 'CopyImage' });
    const note = copyCall?.notes?.copy as { imageId: string; snapshotIds: string[]; completeAt: string };
    expect(note).toMatchObject({ imageId: ImageId, snapshotIds: [snapshot?.SnapshotId] });
    const completesIn = Date.parse(note.completeAt) - Date.parse(copyCall?.time ?? '');
    expect(completesIn).toBeLessThanOrEqual(DURATION);
    expect(completesIn).toBeGreaterThan(DURATION - 1000);

    standin.advanceTime(DURATION / 2);
    snapshot = await snapshotOf(target, image);
    expect(snapshot?.State).toBe('pending');
    expect(Number.parseInt(snapshot?.Progress ?? '', 10)).toBeGreaterThanOrEqual(45);
    expect(Number.parseInt(snapshot?.Progress ?? '', 10)).toBeLessThan(60);
    expect((await describe1(target, ImageId)).State).toBe('pending');

    standin.advanceTime(DURATION / 2);
    image = await describe1(target, ImageId);
    expect(image.State).toBe('available');
    expect(image.Tags).toEqual([{ Key: 'promoted-from', Value: ENC_AMI }]);
    expect(image.BlockDeviceMappings?.[0]?.Ebs).toMatchObject({ Encrypted: true, KmsKeyId: TARGET_KEY_ARN });
    snapshot = await snapshotOf(target, image);
    expect(snapshot).toMatchObject({ State: 'completed', Progress: '100%', Tags: [{ Key: 'promoted-from', Value: ENC_SNAP }] });
    expect(snapshot?.Description).toContain(`from SourceAmi ${ENC_AMI}`);

    const checks = standin.calls({ internal: true });
    expect(checks.every((c) => c.outcome === 'ok' && c.principal?.includes(':assumed-role/ami-promotion-target/'))).toBe(true);
    expect(checks.find((c) => c.operation === 'Decrypt')?.params).toMatchObject({
      KeyId: DEFAULTS.sourceKeyArn,
      ViaService: `ec2.${region}.amazonaws.com`,
      Role: 'source',
    });
    expect(checks.filter((c) => c.params.KeyId === TARGET_KEY_ARN).map((c) => c.operation)).toEqual([
      'DescribeKey',
      'GenerateDataKeyWithoutPlaintext',
      'ReEncryptTo',
      'CreateGrant',
    ]);
    expect(standin.mutations({ service: 'ec2' }).map((c) => c.operation)).toEqual(['CopyImage']);
  });

  it('Encrypted without KmsKeyId uses the account default aws/ebs key, created on demand', async () => {
    const world = defaultWorld();
    world.account(sourceAccount).updateImage(region, sourceAmiId, { sharedWith: [targetAccount], snapshotsSharedWith: [targetAccount] });
    await start(world);
    expect(standin.key(targetAccount, region, 'alias/aws/ebs')).toBeDefined();
    const { KmsKeyId } = await target.ec2.send(new GetEbsDefaultKmsKeyIdCommand({}));
    expect(KmsKeyId).toBe(standin.key(targetAccount, region, 'alias/aws/ebs')?.arn);
    for (const [form, expected] of [
      ['alias-arn', `arn:aws:kms:${region}:${targetAccount}:alias/aws/ebs`],
      ['alias-name', 'alias/aws/ebs'],
    ] as const) {
      standin.configure({ ebsDefaultKeyIdForm: form });
      const named = (await target.ec2.send(new GetEbsDefaultKmsKeyIdCommand({}))).KmsKeyId ?? '';
      expect(named).toBe(expected);
      expect((await target.kms.send(new DescribeKeyCommand({ KeyId: named }))).KeyMetadata?.KeyManager).toBe('AWS');
    }
    const image = await copyToEnd({ SourceImageId: sourceAmiId, SourceRegion: region, Name: 'from-plain', Encrypted: true });
    expect(image.State).toBe('available');
    const ebsKey = standin.key(targetAccount, region, 'alias/aws/ebs');
    expect(ebsKey?.keyManager).toBe('AWS');
    expect(image.BlockDeviceMappings?.[0]?.Ebs).toMatchObject({ Encrypted: true, KmsKeyId: ebsKey?.arn });
  });

  it('an unencrypted copy stays unencrypted; CopyImageTags copies only the caller’s own tags', async () => {
    await start(defaultWorld());
    const own = await source.ec2.send(
      new CopyImageCommand({ SourceImageId: sourceAmiId, SourceRegion: region, Name: 'same-account', CopyImageTags: true }),
    );
    standin.advanceTime(DURATION);
    const copied = await describe1(source, own.ImageId ?? '');
    expect(copied.BlockDeviceMappings?.[0]?.Ebs?.Encrypted).toBe(false);
    expect(copied.Tags?.map((t) => t.Key).sort()).toEqual(['Name', 'Team']);

    standin.state.images.get(sourceAmiId)?.launchUserIds.set(targetAccount, { addedBy: 'test', addedAt: '' });
    standin.state.snapshots.get(DEFAULTS.sourceSnapshotId)?.createVolumeUserIds.set(targetAccount, { addedBy: 'test', addedAt: '' });
    const foreign = await copyToEnd({ SourceImageId: sourceAmiId, SourceRegion: region, Name: 'foreign', CopyImageTags: true });
    expect(foreign.State).toBe('available');
    expect(foreign.Tags).toBeUndefined();
  });
});

describe('checks the CopyImage call itself makes', () => {
  it('copies across regions, and refuses copies beyond the concurrent-copy limit', async () => {
    await start(encryptedWorld(), { maxConcurrentSnapshotCopies: 1 });
    const central = clientsFor(standin, 'eu-central-1', await assumeRole(standin));
    const { ImageId = '' } = await central.ec2.send(new CopyImageCommand(copyInput({ Name: 'to-frankfurt' })));
    await expectAwsError(central.ec2.send(new CopyImageCommand(copyInput({ Name: 'second' }))), 'ResourceLimitExceeded');
    await expectAwsError(target.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId] })), 'InvalidAMIID.NotFound');
    standin.advanceTime(DURATION);
    const image = await describe1(central, ImageId);
    expect(image).toMatchObject({ State: 'available', SourceImageId: ENC_AMI, SourceImageRegion: region });
    expect(image.BlockDeviceMappings?.[0]?.Ebs?.KmsKeyId).toBe(
      `arn:aws:kms:eu-central-1:${targetAccount}:key/${DEFAULTS.targetKeyIds['eu-central-1']}`,
    );
    expect(standin.calls({ internal: true, operation: 'Decrypt' })[0]?.params.ViaService).toBe(`ec2.${region}.amazonaws.com`);
    await central.ec2.send(new CopyImageCommand(copyInput({ Name: 'second' })));
  });

  it('refuses without createVolumePermission on the snapshots: no permission to access the storage', async () => {
    const world = encryptedWorld();
    world.account(sourceAccount).updateImage(region, ENC_AMI, { snapshotsSharedWith: [] });
    await start(world);
    const error = await expectAwsError(target.ec2.send(new CopyImageCommand(copyInput())), 'InvalidRequest');
    expect(error.message).toBe('You do not have permission to access the storage of this ami');
    expect(standin.images(targetAccount, region)).toEqual([]);
  });

  it('refuses an image the caller cannot see, and Marketplace images of another account', async () => {
    const world = encryptedWorld();
    world.account(sourceAccount).updateImage(region, ENC_AMI, { sharedWith: [] });
    world.account(sourceAccount).image(region, {
      imageId: 'ami-00000000000000a01',
      name: 'marketplace',
      productCodes: [{ id: 'abcdefghijklmnopqrstuvwxy', type: 'marketplace' }],
      sharedWith: [targetAccount],
    });
    await start(world);
    await expectAwsError(target.ec2.send(new CopyImageCommand(copyInput())), 'InvalidAMIID.NotFound');
    await expectAwsError(target.ec2.send(new CopyImageCommand(copyInput({ SourceImageId: 'ami-00000000000000a01' }))), 'InvalidRequest');
  });

  it('is idempotent per ClientToken and refuses the same token with other parameters', async () => {
    await start(encryptedWorld());
    const first = await target.ec2.send(new CopyImageCommand(copyInput({ ClientToken: 'token-1' })));
    const again = await target.ec2.send(new CopyImageCommand(copyInput({ ClientToken: 'token-1' })));
    expect(again.ImageId).toBe(first.ImageId);
    expect(standin.images(targetAccount, region)).toHaveLength(1);
    await expectAwsError(
      target.ec2.send(new CopyImageCommand(copyInput({ ClientToken: 'token-1', Description: 'other' }))),
      'IdempotentParameterMismatch',
    );
    expect(standin.mutations({ operation: 'CopyImage' })).toHaveLength(1);
    expect(standin.calls({ operation: 'CopyImage' })).toHaveLength(3);
  });

  it('refuses a name already used in the account and region', async () => {
    await start(encryptedWorld());
    const first = await target.ec2.send(new CopyImageCommand(copyInput()));
    const error = await expectAwsError(target.ec2.send(new CopyImageCommand(copyInput())), 'InvalidAMIName.Duplicate');
    expect(error.message).toContain(first.ImageId ?? 'missing');
    await expectAwsError(target.ec2.send(new CopyImageCommand(copyInput({ Name: 'x' }))), 'InvalidAMIName.Malformed');
  });

  it('validates KmsKeyId without Encrypted, tag resource types and time-based copy durations', async () => {
    await start(encryptedWorld());
    await expectAwsError(target.ec2.send(new CopyImageCommand(copyInput({ Encrypted: undefined }))), 'InvalidParameterDependency');
    await expectAwsError(
      target.ec2.send(new CopyImageCommand(copyInput({ TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'a', Value: 'b' }] }] }))),
      'InvalidParameterValue',
    );
    await expectAwsError(target.ec2.send(new CopyImageCommand(copyInput({ SnapshotCopyCompletionDurationMinutes: 20 }))), 'InvalidParameterValue');
    const image = await copyToEnd(copyInput({ SnapshotCopyCompletionDurationMinutes: 15 }));
    expect((await snapshotOf(target, image))?.CompletionDurationMinutes).toBe(15);
  });

  it('DryRun answers DryRunOperation when allowed and UnauthorizedOperation (decodable) when not', async () => {
    await start(encryptedWorld());
    await expectAwsError(target.ec2.send(new CopyImageCommand(copyInput({ DryRun: true }))), 'DryRunOperation');
    expect(standin.images(targetAccount, region)).toEqual([]);
    standin.setRolePolicy(targetAccount, DEFAULTS.targetRoleName, 'ami-promotion-ec2', undefined);
    const error = await expectAwsError(target.ec2.send(new CopyImageCommand(copyInput({ DryRun: true }))), 'UnauthorizedOperation');
    const encoded = /Encoded authorization failure message: (\S+)$/.exec(error.message)?.[1] ?? '';
    const decoded = await target.sts.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
    expect(JSON.parse(decoded.DecodedMessage ?? '{}')).toMatchObject({
      allowed: false,
      explicitDeny: false,
      context: { action: 'ec2:CopyImage', resource: `arn:aws:ec2:${region}::image/${ENC_AMI}`, principal: { arn: expect.stringContaining('assumed-role/ami-promotion-target') } },
    });
  });
});

describe('copies that cannot use their keys fail later, with a StateReason', () => {
  async function expectFailed(messagePart: string): Promise<Image> {
    const { ImageId = '' } = await target.ec2.send(new CopyImageCommand(copyInput()));
    expect(standin.calls({ operation: 'CopyImage' }).at(-1)?.outcome).toBe('ok');
    expect((await describe1(target, ImageId)).State).toBe('pending');
    standin.advanceTime(DURATION);
    const image = await describe1(target, ImageId);
    expect(image.State).toBe('failed');
    expect(image.StateReason?.Code).toBe('Client.InvalidKMSKey.InvalidState');
    expect(image.StateReason?.Message).toContain('AMI snapshot copy failed with error:');
    expect(image.StateReason?.Message).toContain(messagePart);
    const snapshot = await snapshotOf(target, image);
    expect(snapshot?.State).toBe('error');
    expect(snapshot?.StateMessage).toContain(messagePart);
    return image;
  }

  it('when the source key policy does not name the target', async () => {
    const world = encryptedWorld();
    world.account(sourceAccount).removeKeyStatements(region, DEFAULTS.sourceKeyAlias, ...DEFAULTS.targetKeyStatementSids);
    await start(world);
    await expectFailed(`The KMS key ${DEFAULTS.sourceKeyArn} used to encrypt the source snapshot is not accessible`);
    expect(standin.calls({ internal: true, outcome: 'error' }).map((c) => c.operation)).toEqual(
      expect.arrayContaining(['DescribeKey', 'Decrypt', 'ReEncryptFrom', 'CreateGrant']),
    );
  });

  it('when the target role’s IAM policy does not allow the source key', async () => {
    await start(encryptedWorld());
    standin.setRolePolicy(targetAccount, DEFAULTS.targetRoleName, 'ami-promotion-source-key', undefined);
    await expectFailed('used to encrypt the source snapshot is not accessible');
  });

  it('when the target role is explicitly denied the source key', async () => {
    await start(encryptedWorld());
    standin.setRolePolicy(targetAccount, DEFAULTS.targetRoleName, 'deny', policyOf(deny('kms:*', DEFAULTS.sourceKeyArn)));
    await expectFailed('used to encrypt the source snapshot is not accessible');
  });

  it('when the destination key is disabled, asymmetric, or in another region', async () => {
    const world = encryptedWorld();
    world.account(targetAccount).key(region, { alias: 'alias/rsa', keySpec: 'RSA_2048' });
    await start(world);
    standin.setKeyState(targetAccount, region, DEFAULTS.targetKeyAlias, 'Disabled');
    await expectFailed('The KMS key provided is in an incorrect state');
    await expectFailed2('alias/rsa', 'not a symmetric encryption key');
    const otherRegionKey = `arn:aws:kms:eu-central-1:${targetAccount}:key/${DEFAULTS.targetKeyIds['eu-central-1']}`;
    await expectFailed2(otherRegionKey, 'Given key ID is not accessible');
  });

  async function expectFailed2(kmsKeyId: string, messagePart: string) {
    const name = `copy-${standin.calls({ operation: 'CopyImage' }).length}`;
    const image = await copyToEnd(copyInput({ KmsKeyId: kmsKeyId, Name: name }));
    expect(image.State).toBe('failed');
    expect(image.StateReason?.Message).toContain(messagePart);
  }

  it('names the default CMK when the account default key is not usable', async () => {
    const world = encryptedWorld();
    world
      .account(targetAccount)
      .key(region, { alias: 'alias/ebs-default', extraStatements: [deny('kms:*', '*', { Principal: { AWS: DEFAULTS.targetRoleArn } })] })
      .ebsDefaultKey(region, 'alias/ebs-default');
    await start(world);
    const image = await copyToEnd(copyInput({ KmsKeyId: undefined }));
    expect(image.State).toBe('failed');
    expect(image.StateReason?.Message).toBe(
      'Client.InvalidKMSKey.InvalidState: AMI snapshot copy failed with error: Given key ID is not accessible. You must have DescribeKey permissions on the default CMK.',
    );
  });

  it('a doomed copy stays pending until the failure delay', async () => {
    const world = encryptedWorld();
    world.account(sourceAccount).removeKeyStatements(region, DEFAULTS.sourceKeyAlias, ...DEFAULTS.targetKeyStatementSids);
    await start(world, { copyFailureDelayMs: 8000 });
    const { ImageId = '' } = await target.ec2.send(new CopyImageCommand(copyInput()));
    standin.advanceTime(7000);
    expect((await describe1(target, ImageId)).State).toBe('pending');
    standin.advanceTime(1000);
    expect((await describe1(target, ImageId)).State).toBe('failed');
  });
});

describe('a grant instead of a key-policy statement (grantSufficesForCrossAccountCopy)', () => {
  async function grantOnlyCopy(grantSuffices: boolean): Promise<Image> {
    const world = encryptedWorld();
    world.account(sourceAccount).removeKeyStatements(region, DEFAULTS.sourceKeyAlias, ...DEFAULTS.targetKeyStatementSids);
    await start(world, { grantSufficesForCrossAccountCopy: grantSuffices });
    await source.kms.send(
      new CreateGrantCommand({
        KeyId: DEFAULTS.sourceKeyArn,
        GranteePrincipal: DEFAULTS.targetRoleArn,
        Operations: ['Decrypt', 'DescribeKey', 'CreateGrant', 'ReEncryptFrom'],
        Name: 'ami-promotion',
      }),
    );
    // The grant works for the target's direct KMS calls either way.
    const described = await target.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyArn }));
    expect(described.KeyMetadata?.Arn).toBe(DEFAULTS.sourceKeyArn);
    return copyToEnd();
  }

  it('lets the copy succeed when switched on (the default)', async () => {
    const image = await grantOnlyCopy(true);
    expect(image.State).toBe('available');
    expect(standin.calls({ internal: true }).filter((c) => c.notes?.by === 'grant').map((c) => c.operation)).toEqual(
      expect.arrayContaining(['DescribeKey', 'Decrypt', 'CreateGrant']),
    );
  });

  it('makes the copy fail when switched off', async () => {
    const image = await grantOnlyCopy(false);
    expect(image.State).toBe('failed');
    expect(image.StateReason?.Message).toContain('used to encrypt the source snapshot is not accessible');
  });
});
