import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { CopyImageCommand, DescribeImagesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import type { SourceImage } from '../../../../src/domain/lookups/inspect.js';
import { reencrypt } from '../../../../src/domain/steps/reencrypt.js';
import type { SourceKey } from '../../../../src/domain/lookups/source-key.js';
import { clientToken } from '../../../../src/domain/tokens.js';
import {
  INTERMEDIATE_AMI,
  KEY_ARN,
  KEY_ID,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  SOURCE_TAGS,
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
  stubCopyProgress(ec2, INTERMEDIATE_AMI, copySnapshots, pendingPolls);
  return { fx, ec2 };
}

describe('re-encrypting in the source account', () => {
  it('shares the AMI as it is when no copy is needed, without any call', async () => {
    const { fx } = setup();
    await expect(reencrypt(fx.ctx, { ...source, snapshots: source.snapshots.map((s) => ({ ...s, encrypted: true, kmsKeyId: KEY_ARN })) }, key, false)).resolves.toEqual({
      imageId: SOURCE_AMI,
      snapshotIds,
      intermediate: false,
    });
    expect(fx.sent).toEqual([]);
    expect(fx.journal.entries()).toEqual([]);
  });

  it('copies the AMI under the CMK in the source account and region, tagged as its intermediate copy, and waits for it', async () => {
    const { fx, ec2 } = setup();
    const result = await reencrypt(fx.ctx, source, key, true);

    expect(result).toEqual({ imageId: INTERMEDIATE_AMI, snapshotIds: copySnapshots, intermediate: true });
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
      ClientToken: clientToken('intermediate', SOURCE_AMI, KEY_ARN, TARGET_ACCOUNT, '4242', '1'),
      TagSpecifications: [
        { ResourceType: 'image', Tags: tags },
        { ResourceType: 'snapshot', Tags: tags },
      ],
    });
    expect(input?.ClientToken).toMatch(/^[0-9a-f]{64}$/);
    // Only the source account, only the source region.
    expect(new Set(fx.sent.map((c) => `${c.side} ${c.service} ${c.region}`))).toEqual(new Set([`source ec2 ${SOURCE_REGION}`]));
    expect(fx.sent.map((c) => c.command)).toEqual(['DescribeImages', 'CopyImage', 'DescribeImages', 'DescribeSnapshots', 'DescribeImages', 'DescribeSnapshots', 'DescribeImages']);
    expect(ec2.commandCalls(DescribeImagesCommand).slice(1).map((c) => c.args[0].input)).toEqual([
      { ImageIds: [INTERMEDIATE_AMI] },
      { ImageIds: [INTERMEDIATE_AMI] },
      { ImageIds: [INTERMEDIATE_AMI] },
    ]);
    expect(fx.journal.entries()).toEqual([
      { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: [] },
      { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: copySnapshots },
    ]);
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
      { ResourceType: 'image', Tags: MARKERS },
      { ResourceType: 'snapshot', Tags: MARKERS },
    ]);
  });

  it('reuses an intermediate copy of the same source under the same key instead of copying again', async () => {
    const { fx, ec2 } = setup({}, 1);
    ec2.on(DescribeImagesCommand, { Owners: ['self'] }).resolves({ Images: [image({ imageId: INTERMEDIATE_AMI, state: 'pending', snapshotIds: copySnapshots })] });
    const result = await reencrypt(fx.ctx, source, key, true);
    expect(result).toEqual({ imageId: INTERMEDIATE_AMI, snapshotIds: copySnapshots, intermediate: true });
    expect(ec2).toHaveReceivedCommandTimes(CopyImageCommand, 0);
    expect(fx.journal.entries().map((e) => e.kind)).toEqual(['intermediate-copy', 'intermediate-copy']);
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
    expect(fx.journal.entries()).toEqual([{ kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: [] }]);
  });

  it('uses the intermediate copy of a concurrent run that took the name after it looked', async () => {
    const { fx, ec2 } = setup({}, 1);
    ec2.on(CopyImageCommand).rejects(awsError('InvalidAMIName.Duplicate', 'AMI name promote-ami-... is already in use by AMI ' + INTERMEDIATE_AMI));
    ec2
      .on(DescribeImagesCommand, { Owners: ['self'] })
      .resolvesOnce({ Images: [] })
      .resolves({ Images: [image({ imageId: INTERMEDIATE_AMI, state: 'pending', snapshotIds: copySnapshots })] });
    const result = await reencrypt(fx.ctx, source, key, true);
    expect(result).toEqual({ imageId: INTERMEDIATE_AMI, snapshotIds: copySnapshots, intermediate: true });
    expect(ec2).toHaveReceivedCommandTimes(CopyImageCommand, 1);
    expect(fx.journal.entries()).toEqual([
      { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: [] },
      { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: copySnapshots },
    ]);
  });

  it('explains a name taken by an AMI that is no usable intermediate copy', async () => {
    const { fx, ec2 } = setup({}, 1);
    ec2.on(CopyImageCommand).rejects(awsError('InvalidAMIName.Duplicate', 'AMI name is already in use'));
    const error = (await reencrypt(fx.ctx, source, key, true).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
    expect(error.details.fix).toContain('Deregister');
    expect(fx.journal.entries()).toEqual([]);
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
