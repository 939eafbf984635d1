import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { CopyImageCommand, CreateTagsCommand, DescribeImagesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import type { SourceImage } from '../../../../src/domain/lookups/inspect.js';
import { LEASE_TIMING, leaseTag } from '../../../../src/domain/steps/lease.js';
import { reencrypt } from '../../../../src/domain/steps/reencrypt.js';
import type { SourceKey } from '../../../../src/domain/lookups/source-key.js';
import { clientToken, shortHash } from '../../../../src/domain/tokens.js';
import {
  INTERMEDIATE_AMI,
  KEY_ARN,
  KEY_ID,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  SOURCE_TAGS,
  START,
  awsError,
  buildContext,
  image,
  intermediateSnapshotIds,
  sourceSnapshotIds,
  stubCopyProgress,
  TARGET_ACCOUNT,
} from '../../../support/pipeline-fixtures.js';

const key: SourceKey = { arn: KEY_ARN, keyId: KEY_ID, accountId: SOURCE_ACCOUNT, region: SOURCE_REGION };
const snapshotIds = sourceSnapshotIds(2);
const copySnapshots = intermediateSnapshotIds(2);
/** The device names image() of the fixtures gives the copy's mappings. */
const copyDevices = { '/dev/xvda': copySnapshots[0], '/dev/xvdb': copySnapshots[1], '/dev/xvdc': copySnapshots[2] };
const source: SourceImage = {
  imageId: SOURCE_AMI,
  region: SOURCE_REGION,
  ownerId: SOURCE_ACCOUNT,
  ownedBySource: true,
  name: 'golden-base-2030.01.01',
  description: 'Golden base image',
  tags: SOURCE_TAGS,
  snapshots: snapshotIds.map((snapshotId, i) => ({ snapshotId, deviceName: `/dev/xvd${'abc'[i]}`, encrypted: false })),
  platformDetails: 'Linux/UNIX',
  billingCodes: [],
  registration: { BlockDeviceMappings: [] },
};

const MARKERS = [
  { Key: 'promote-ami:role', Value: 'intermediate' },
  { Key: 'promote-ami:source-ami-id', Value: SOURCE_AMI },
  { Key: 'promote-ami:source-account', Value: SOURCE_ACCOUNT },
  { Key: 'promote-ami:source-region', Value: SOURCE_REGION },
  { Key: 'promote-ami:kms-key', Value: KEY_ARN },
];

function setup(overrides: Parameters<typeof buildContext>[0] = {}, pendingPolls = 2) {
  const fx = buildContext(overrides);
  const ec2 = fx.source.ec2(SOURCE_REGION);
  ec2.on(DescribeImagesCommand, { Owners: ['self'] }).resolves({ Images: [] });
  ec2.on(CopyImageCommand).resolves({ ImageId: INTERMEDIATE_AMI });
  ec2.on(CreateTagsCommand).resolves({});
  stubCopyProgress(ec2, INTERMEDIATE_AMI, copySnapshots, pendingPolls);
  return { fx, ec2, lease: leaseTag(fx.ctx) };
}

describe('re-encrypting in the source account', () => {
  it('shares the AMI as it is when no copy is needed, without any call', async () => {
    const { fx } = setup();
    await expect(reencrypt(fx.ctx, { ...source, snapshots: source.snapshots.map((s) => ({ ...s, encrypted: true, kmsKeyId: KEY_ARN })) }, key, false)).resolves.toEqual({
      imageId: SOURCE_AMI,
      snapshotIds,
      intermediate: false,
      deviceSnapshots: {},
    });
    expect(fx.sent).toEqual([]);
    expect(fx.journal.entries()).toEqual([]);
  });

  it('copies the AMI under the CMK in the source account and region, tagged as its intermediate copy with this run\'s lease, and waits for it', async () => {
    const { fx, ec2, lease } = setup();
    const result = await reencrypt(fx.ctx, source, key, true);

    expect(result).toEqual({ imageId: INTERMEDIATE_AMI, snapshotIds: copySnapshots, intermediate: true, deviceSnapshots: copyDevices });
    expect(ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      Owners: ['self'],
      Filters: [
        { Name: 'tag:promote-ami:role', Values: ['intermediate'] },
        { Name: 'tag:promote-ami:source-ami-id', Values: [SOURCE_AMI] },
        { Name: 'tag:promote-ami:kms-key', Values: [KEY_ARN] },
        { Name: 'state', Values: ['available', 'pending'] },
      ],
    });
    expect(ec2).toHaveReceivedCommandTimes(CopyImageCommand, 1);
    const tags = [...SOURCE_TAGS, ...MARKERS];
    const input = ec2.commandCalls(CopyImageCommand)[0]?.args[0].input;
    expect(input).toEqual({
      SourceImageId: SOURCE_AMI,
      SourceRegion: SOURCE_REGION,
      Name: expect.stringContaining(SOURCE_AMI),
      Description: expect.stringContaining(SOURCE_AMI),
      Encrypted: true,
      KmsKeyId: KEY_ARN,
      ClientToken: clientToken('intermediate', SOURCE_AMI, KEY_ARN, TARGET_ACCOUNT, '4242', '1', '1'),
      TagSpecifications: [
        { ResourceType: 'image', Tags: [...tags, lease] },
        { ResourceType: 'snapshot', Tags: tags },
      ],
    });
    expect(input?.ClientToken).toMatch(/^[0-9a-f]{64}$/);
    // Only the source account, only the source region.
    expect(new Set(fx.sent.map((c) => `${c.side} ${c.service} ${c.region}`))).toEqual(new Set([`source ec2 ${SOURCE_REGION}`]));
    // The wait reads the image, then only the snapshots' progress, then the image once the progress says the copy is done.
    expect(fx.sent.map((c) => c.command)).toEqual(['DescribeImages', 'CopyImage', 'DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeImages']);
    expect(ec2.commandCalls(DescribeImagesCommand).slice(1).map((c) => c.args[0].input)).toEqual([{ ImageIds: [INTERMEDIATE_AMI] }, { ImageIds: [INTERMEDIATE_AMI] }]);
    expect(lease).toEqual({ Key: 'promote-ami:lease:4242-1-' + lease.Key.slice(-10), Value: new Date(fx.ctx.deadline + 10 * 60_000).toISOString() });
    expect(fx.journal.entries()).toEqual([
      { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: [] },
      { kind: 'lease', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, key: lease.Key },
      { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: copySnapshots },
    ]);
    // The run made the copy with its lease: nothing to confirm, no pause.
    expect(fx.clock.sleeps.every((ms) => ms < LEASE_TIMING.settleMs)).toBe(true);
  });

  it('derives the same ClientToken from the same inputs, and another from other inputs', async () => {
    const tokens: string[] = [];
    for (const overrides of [{}, {}, { provenance: { runId: '5000' } }]) {
      const { fx, ec2 } = setup(overrides, 0);
      await reencrypt(fx.ctx, source, key, true);
      tokens.push(ec2.commandCalls(CopyImageCommand)[0]?.args[0].input.ClientToken as string);
    }
    const { fx, ec2 } = setup({}, 0);
    await reencrypt(fx.ctx, { ...source, imageId: 'ami-0fedcba9876543210' }, key, true);
    tokens.push(ec2.commandCalls(CopyImageCommand)[0]?.args[0].input.ClientToken as string);
    expect(tokens[0]).toBe(tokens[1]);
    expect(new Set(tokens).size).toBe(3);
  });

  it('tags the intermediate copy without the source tags when copy-tags is off', async () => {
    const { fx, ec2 } = setup({ copyTags: false }, 0);
    await reencrypt(fx.ctx, source, key, true);
    expect(ec2.commandCalls(CopyImageCommand)[0]?.args[0].input.TagSpecifications).toEqual([
      { ResourceType: 'image', Tags: [...MARKERS, leaseTag(fx.ctx)] },
      { ResourceType: 'snapshot', Tags: MARKERS },
    ]);
  });

  it('reuses an intermediate copy of the same source under the same key: leases it first, and confirms it after the settling time', async () => {
    const { fx, ec2, lease } = setup({}, 1);
    ec2.on(DescribeImagesCommand, { Owners: ['self'] }).resolves({ Images: [image({ imageId: INTERMEDIATE_AMI, state: 'pending', snapshotIds: copySnapshots })] });
    const result = await reencrypt(fx.ctx, source, key, true);
    expect(result).toEqual({ imageId: INTERMEDIATE_AMI, snapshotIds: copySnapshots, intermediate: true, deviceSnapshots: copyDevices });
    expect(ec2).toHaveReceivedCommandTimes(CopyImageCommand, 0);
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([{ Resources: [INTERMEDIATE_AMI], Tags: [lease] }]);
    // The lease is journaled before it is written; the copy is looked at again once the settling time has passed.
    expect(fx.journal.entries().map((e) => e.kind)).toEqual(['intermediate-copy', 'lease', 'intermediate-copy']);
    // Waiting: the image and its snapshots, then the snapshots completed and the image available; then the confirmation.
    expect(fx.sent.map((c) => c.command)).toEqual(['DescribeImages', 'CreateTags', 'DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeImages', 'DescribeImages']);
    expect(fx.clock.sleeps).toEqual([2_000, LEASE_TIMING.settleMs - 2_000]);
    expect(fx.log.messages('info')).toContain(`Reusing the intermediate copy ${INTERMEDIATE_AMI} of ${SOURCE_AMI} under ${KEY_ARN}.`);
  });

  it('fails with KMS as the probable cause when the copy turns failed, the copy journaled for cleanup', async () => {
    const { fx, ec2 } = setup();
    ec2
      .on(DescribeImagesCommand, { ImageIds: [INTERMEDIATE_AMI] })
      .resolves({ Images: [{ ...image({ imageId: INTERMEDIATE_AMI, state: 'failed' }), StateReason: { Code: 'Client.InvalidKMSKey', Message: 'Given key ID is not accessible' } }] });
    const error = (await reencrypt(fx.ctx, source, key, true).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
    expect(error.message).toContain('Given key ID is not accessible');
    expect(error.message).toContain(KEY_ARN);
    expect(error.message).toMatch(/KMS/);
    expect(fx.journal.entries()).toEqual([
      { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: [] },
      { kind: 'lease', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, key: leaseTag(fx.ctx).Key },
    ]);
  });

  it('uses the intermediate copy of a concurrent run that took the name after it looked', async () => {
    const { fx, ec2 } = setup({}, 1);
    ec2.on(CopyImageCommand).rejects(awsError('InvalidAMIName.Duplicate', 'AMI name promote-ami-... is already in use by AMI ' + INTERMEDIATE_AMI));
    ec2
      .on(DescribeImagesCommand, { Owners: ['self'] })
      .resolvesOnce({ Images: [] })
      .resolves({ Images: [image({ imageId: INTERMEDIATE_AMI, state: 'pending', snapshotIds: copySnapshots })] });
    const result = await reencrypt(fx.ctx, source, key, true);
    expect(result).toEqual({ imageId: INTERMEDIATE_AMI, snapshotIds: copySnapshots, intermediate: true, deviceSnapshots: copyDevices });
    expect(ec2).toHaveReceivedCommandTimes(CopyImageCommand, 1);
    expect(fx.journal.entries()).toEqual([
      { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: [] },
      { kind: 'lease', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, key: leaseTag(fx.ctx).Key },
      { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: copySnapshots },
    ]);
    expect(fx.log.messages('info')).toContain(`Reusing the intermediate copy ${INTERMEDIATE_AMI} of ${SOURCE_AMI} under ${KEY_ARN}, started by a concurrent run.`);
  });

  it('explains at once a name taken by an AMI that is no usable intermediate copy, and journals nothing', async () => {
    const { fx, ec2 } = setup({}, 1);
    const decoy = 'ami-0dddddddddddddddd1';
    ec2.on(CopyImageCommand).rejects(awsError('InvalidAMIName.Duplicate', `AMI name is already in use by AMI ${decoy}`));
    const name = `promote-ami-${SOURCE_AMI}-${shortHash(KEY_ARN)}`;
    ec2.on(DescribeImagesCommand, { Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }).resolves({ Images: [{ ...image({ imageId: decoy, tags: [] }), Name: name }] });
    const error = (await reencrypt(fx.ctx, source, key, true).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
    expect(error.details.why).toMatch(new RegExp(`^the source account already has an AMI named "promote-ami-${SOURCE_AMI}-[0-9a-f]{10}" that is not a usable intermediate copy \\(${decoy}, available; it may have failed\\)\\.$`));
    expect(error.details.fix).toBe(`Deregister ${decoy} in ${SOURCE_REGION} of account ${SOURCE_ACCOUNT}, then run the promotion again.`);
    expect(fx.clock.sleeps).toEqual([]);
    expect(fx.journal.entries()).toEqual([]);
  });

  it('gives up when the name stays taken for 2 minutes and no AMI with it shows', async () => {
    const { fx, ec2 } = setup({}, 1);
    ec2.on(CopyImageCommand).rejects(awsError('InvalidAMIName.Duplicate', 'AMI name is already in use'));
    const error = (await reencrypt(fx.ctx, source, key, true).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details.why).toMatch(/^the name "promote-ami-ami-0123456789abcdef0-[0-9a-f]{10}" stayed taken for 2 minutes, and no AMI with it showed/);
    expect(fx.clock.sleeps).toEqual([2_000, 4_000, 8_000, 16_000, 20_000, 20_000, 20_000, 20_000, 20_000]);
    expect(fx.journal.entries()).toEqual([]);
  });

  it('makes the copy once a removed copy no longer holds the name', async () => {
    const { fx, ec2 } = setup({}, 0);
    ec2.on(CopyImageCommand).rejectsOnce(awsError('InvalidAMIName.Duplicate', 'AMI name is already in use')).resolves({ ImageId: INTERMEDIATE_AMI });
    const result = await reencrypt(fx.ctx, source, key, true);
    expect(result.imageId).toBe(INTERMEDIATE_AMI);
    expect(fx.clock.sleeps[0]).toBe(2_000);
    expect(fx.log.messages('info')[0]).toMatch(/^No intermediate copy to take up or make yet: the name promote-ami-ami-0123456789abcdef0-[0-9a-f]{10} is taken/);
  });

  it('explains a denied CopyImage and journals nothing', async () => {
    const { fx, ec2 } = setup();
    ec2.on(CopyImageCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = (await reencrypt(fx.ctx, source, key, true).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain('"Action": "ec2:CopyImage"');
    expect(fx.journal.entries()).toEqual([]);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 0);
  });
});

describe('an intermediate copy another run removes (a job matrix: each run leases the copy it relies on)', () => {
  const SECOND = 'ami-0bbbbbbbbbbbbbbb2';
  const notFound = () => awsError('InvalidAMIID.NotFound', `The image id '[${INTERMEDIATE_AMI}]' does not exist`);
  const found = (state = 'available', tags = MARKERS) => ({ Images: [image({ imageId: INTERMEDIATE_AMI, state, snapshotIds: copySnapshots, tags })] });
  const going = { Key: 'promote-ami:going:9999-1-0123456789', Value: new Date(START + 5 * 60_000).toISOString() };

  it('a copy taken up that vanishes during the wait is made again, with a new ClientToken, saying why', async () => {
    const { fx, ec2 } = setup({}, 0);
    ec2.on(DescribeImagesCommand, { Owners: ['self'] }).resolvesOnce(found('pending')).resolves({ Images: [] });
    ec2.on(DescribeImagesCommand, { ImageIds: [INTERMEDIATE_AMI] }).resolvesOnce(found('pending')).rejects(notFound());
    ec2.on(CopyImageCommand).resolves({ ImageId: SECOND });
    stubCopyProgress(ec2, SECOND, copySnapshots, 0);
    const result = await reencrypt(fx.ctx, source, key, true);
    expect(result).toEqual({ imageId: SECOND, snapshotIds: copySnapshots, intermediate: true, deviceSnapshots: copyDevices });
    expect(ec2.commandCalls(CopyImageCommand)[0]?.args[0].input.ClientToken).toBe(clientToken('intermediate', SOURCE_AMI, KEY_ARN, TARGET_ACCOUNT, '4242', '1', '2'));
    expect(fx.log.messages('warning')).toEqual([
      `The intermediate copy ${INTERMEDIATE_AMI} was removed while this run relied on it, most probably by the cleanup of another run promoting ${SOURCE_AMI} ` +
        "(for example another job of a job matrix) that did not see this run's lease yet: taking up or making another one (attempt 2 of 3).",
    ]);
    // Both copies and both leases are journaled, the first copy as gone: cleanup does not wait for it to show.
    expect(fx.journal.entries().map((e) => `${e.kind} ${'imageId' in e ? e.imageId : ''}`)).toEqual([
      `intermediate-copy ${INTERMEDIATE_AMI}`,
      `lease ${INTERMEDIATE_AMI}`,
      `intermediate-gone ${INTERMEDIATE_AMI}`,
      `intermediate-copy ${SECOND}`,
      `lease ${SECOND}`,
      `intermediate-copy ${SECOND}`,
    ]);
  });

  it("waits while another run's cleanup has marked the copy as going, and uses it once the mark is taken away", async () => {
    const { fx, ec2 } = setup({}, 0);
    ec2.on(DescribeImagesCommand, { Owners: ['self'] }).resolves(found());
    ec2.on(DescribeImagesCommand, { ImageIds: [INTERMEDIATE_AMI] }).resolvesOnce(found()).resolvesOnce(found('available', [...MARKERS, going])).resolves(found());
    const result = await reencrypt(fx.ctx, source, key, true);
    expect(result.imageId).toBe(INTERMEDIATE_AMI);
    expect(ec2).toHaveReceivedCommandTimes(CopyImageCommand, 0);
    expect(fx.clock.sleeps).toEqual([LEASE_TIMING.settleMs, LEASE_TIMING.pollMs]);
    expect(fx.log.messages('info')).toContain(
      `The cleanup of another run is about to remove the intermediate copy ${INTERMEDIATE_AMI} (${going.Key} (until ${going.Value})): ` +
        "waiting until it has seen this run's lease or removed the copy.",
    );
  });

  it('makes a new copy when the cleanup that marked it goes on to deregister it', async () => {
    const { fx, ec2 } = setup({}, 0);
    ec2.on(DescribeImagesCommand, { Owners: ['self'] }).resolvesOnce(found()).resolves({ Images: [] });
    ec2.on(DescribeImagesCommand, { ImageIds: [INTERMEDIATE_AMI] }).resolvesOnce(found()).resolvesOnce(found('available', [...MARKERS, going])).rejects(notFound());
    ec2.on(CopyImageCommand).resolves({ ImageId: SECOND });
    stubCopyProgress(ec2, SECOND, copySnapshots, 0);
    expect((await reencrypt(fx.ctx, source, key, true)).imageId).toBe(SECOND);
    expect(fx.log.messages('warning')).toHaveLength(1);
  });

  it('a mark whose time has passed (its cleanup died) is no reason to wait', async () => {
    const { fx, ec2 } = setup({}, 0);
    const stale = { ...going, Value: new Date(START - 1).toISOString() };
    ec2.on(DescribeImagesCommand, { Owners: ['self'] }).resolves(found());
    ec2.on(DescribeImagesCommand, { ImageIds: [INTERMEDIATE_AMI] }).resolves(found('available', [...MARKERS, stale]));
    expect((await reencrypt(fx.ctx, source, key, true)).imageId).toBe(INTERMEDIATE_AMI);
    expect(fx.clock.sleeps).toEqual([LEASE_TIMING.settleMs]);
  });

  it('a copy gone between finding and leasing it: makes its own at once', async () => {
    const { fx, ec2 } = setup({}, 0);
    ec2.on(DescribeImagesCommand, { Owners: ['self'] }).resolvesOnce(found()).resolves({ Images: [] });
    ec2.on(CreateTagsCommand).rejects(notFound());
    expect((await reencrypt(fx.ctx, source, key, true)).imageId).toBe(INTERMEDIATE_AMI);
    expect(fx.sent.map((c) => c.command).slice(0, 3)).toEqual(['DescribeImages', 'CreateTags', 'CopyImage']);
  });

  it('fails after three copies were removed, saying that another run removed them and what to do', async () => {
    const { fx, ec2 } = setup({}, 0);
    const ids = ['ami-0ccccccccccccccc1', 'ami-0ccccccccccccccc2', 'ami-0ccccccccccccccc3'];
    ec2.on(CopyImageCommand).resolvesOnce({ ImageId: ids[0] }).resolvesOnce({ ImageId: ids[1] }).resolves({ ImageId: ids[2] });
    for (const id of ids) ec2.on(DescribeImagesCommand, { ImageIds: [id] }).resolvesOnce({ Images: [image({ imageId: id, state: 'pending', snapshotIds: copySnapshots })] }).rejects(notFound());
    const error = (await reencrypt(fx.ctx, source, key, true).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
    expect(error.details.why).toBe(
      `the intermediate copy was removed 3 times while this run waited for it (${ids.join(', ')}), most probably each time by the cleanup of another run ` +
        `promoting ${SOURCE_AMI} under the same key (for example another job of a job matrix) that did not see this run's lease yet: EC2 tags are eventually consistent.`,
    );
    expect(error.details.fix).toMatch(/^Re-run this job/);
    expect(fx.log.messages('warning')).toHaveLength(2);
  });

  it('a copy that turns failed is no removal: the failure is reported, nothing is made again', async () => {
    const { fx, ec2 } = setup({}, 0);
    ec2.on(DescribeImagesCommand, { ImageIds: [INTERMEDIATE_AMI] }).resolves({ Images: [{ ...image({ imageId: INTERMEDIATE_AMI, state: 'failed' }), StateReason: { Message: 'Given key ID is not accessible' } }] });
    await expect(reencrypt(fx.ctx, source, key, true)).rejects.toThrow('Given key ID is not accessible');
    expect(ec2).toHaveReceivedCommandTimes(CopyImageCommand, 1);
  });

  it('a cancellation during the wait ends the step at once, without looking for a new copy', async () => {
    const { fx, ec2 } = setup({}, 5);
    const reason = new Error('The job was cancelled (SIGTERM).');
    fx.clock.onSleep = () => fx.abort.abort(reason);
    await expect(reencrypt(fx.ctx, source, key, true)).rejects.toBe(reason);
    expect(ec2).toHaveReceivedCommandTimes(CopyImageCommand, 1);
  });
});
