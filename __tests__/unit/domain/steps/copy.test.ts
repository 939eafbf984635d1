import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { CopyImageCommand, DescribeImagesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { copyInto, startTargetCopy } from '../../../../src/domain/steps/copy.js';
import { PromotionError } from '../../../../src/aws/errors.js';
import type { SourceImage } from '../../../../src/domain/lookups/inspect.js';
import { clientToken } from '../../../../src/domain/tokens.js';
import {
  INTERMEDIATE_AMI,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  SOURCE_TAGS,
  TARGET_ACCOUNT,
  awsError,
  buildContext,
  intermediateSnapshotIds,
  sourceSnapshotIds,
  stubCopyProgress,
  targetImageId,
  targetKeyArn,
  targetSnapshotIds,
  customerTargetKey, defaultTargetKey, expectedProvenanceTags,
} from '../../../support/pipeline-fixtures.js';

const regions = [SOURCE_REGION, SECOND_REGION];
const source: SourceImage = {
  imageId: SOURCE_AMI,
  region: SOURCE_REGION,
  ownerId: SOURCE_ACCOUNT,
  ownedBySource: true,
  name: 'golden-base-2030.01.01',
  description: 'Golden base image',
  tags: SOURCE_TAGS,
  snapshots: sourceSnapshotIds(1).map((snapshotId, i) => ({ snapshotId, deviceName: `/dev/xvd${'ab'[i]}`, encrypted: false })),
  billingCodes: [],
  registration: { BlockDeviceMappings: [] },
};
const shared = { imageId: INTERMEDIATE_AMI, snapshotIds: intermediateSnapshotIds(1), intermediate: true, deviceSnapshots: {} };


function setup(overrides: Parameters<typeof buildContext>[0] = {}, pendingPolls = 1) {
  const fx = buildContext({ targetRegions: regions, ...overrides });
  for (const region of regions) {
    const ec2 = fx.target.ec2(region);
    ec2.on(CopyImageCommand).resolves({ ImageId: targetImageId(region) });
    stubCopyProgress(ec2, targetImageId(region), targetSnapshotIds(region, 1), pendingPolls);
  }
  return fx;
}

describe('copying into the target account', () => {
  it('sends CopyImage with target credentials in the region, from the shared AMI in the source region, under the resolved key, tagged', async () => {
    const fx = setup({ tags: [{ Key: 'release', Value: '2030.01' }] });
    const key = customerTargetKey(SECOND_REGION);
    await expect(startTargetCopy(fx.ctx, source, shared, key)).resolves.toBe(targetImageId(SECOND_REGION));
    const tags = [...SOURCE_TAGS, { Key: 'release', Value: '2030.01' }, ...expectedProvenanceTags(targetKeyArn(SECOND_REGION))];
    expect(fx.target.ec2(SECOND_REGION).commandCalls(CopyImageCommand).map((c) => c.args[0].input)).toEqual([
      {
        SourceImageId: INTERMEDIATE_AMI,
        SourceRegion: SOURCE_REGION,
        Name: 'golden-base-2030.01.01',
        Description: 'Golden base image',
        Encrypted: true,
        KmsKeyId: targetKeyArn(SECOND_REGION),
        ClientToken: clientToken('promote', INTERMEDIATE_AMI, SECOND_REGION, targetKeyArn(SECOND_REGION), 'golden-base-2030.01.01', '4242', '1'),
        TagSpecifications: [
          { ResourceType: 'image', Tags: tags },
          { ResourceType: 'snapshot', Tags: tags },
        ],
      },
    ]);
    expect(fx.sent.map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`)).toEqual([`target ec2 ${SECOND_REGION} CopyImage`]);
  });

  it('leaves KmsKeyId out for the default key, and passes ami-name, ami-description and copy-completion-minutes', async () => {
    const fx = setup({ amiName: 'golden-2030', amiDescription: 'Golden, promoted', copyCompletionMinutes: 45, copyTags: false });
    await startTargetCopy(fx.ctx, source, shared, defaultTargetKey(SOURCE_REGION));
    const input = fx.target.ec2(SOURCE_REGION).commandCalls(CopyImageCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ Name: 'golden-2030', Description: 'Golden, promoted', Encrypted: true, SnapshotCopyCompletionDurationMinutes: 45 });
    expect(input?.KmsKeyId).toBeUndefined();
    expect(input?.TagSpecifications).toEqual([
      { ResourceType: 'image', Tags: expectedProvenanceTags('default') },
      { ResourceType: 'snapshot', Tags: expectedProvenanceTags('default') },
    ]);
  });

  it('explains a duplicate AMI name in the target account', async () => {
    const fx = setup();
    fx.target.ec2(SOURCE_REGION).on(CopyImageCommand).rejects(awsError('InvalidAMIName.Duplicate', 'AMI name golden-base-2030.01.01 is already in use by AMI ami-0123'));
    const error = (await startTargetCopy(fx.ctx, source, shared, defaultTargetKey(SOURCE_REGION)).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(error.details.why).toContain('"golden-base-2030.01.01"');
    expect(error.details.fix).toContain('ami-name');
  });

  it('explains the storage-permission error', async () => {
    const fx = setup();
    fx.target
      .ec2(SOURCE_REGION)
      .on(CopyImageCommand)
      .rejects(awsError('InvalidRequest', 'You do not have permission to access the storage of this ami'));
    const error = (await startTargetCopy(fx.ctx, source, shared, defaultTargetKey(SOURCE_REGION)).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details.why).toContain(`snapshots of ${INTERMEDIATE_AMI}`);
    expect(error.details.fix).toContain(`createVolumePermission for account ${TARGET_ACCOUNT}`);
  });

  it('explains too many concurrent copies', async () => {
    const fx = setup();
    fx.target.ec2(SOURCE_REGION).on(CopyImageCommand).rejects(awsError('ResourceLimitExceeded', 'You have reached the limit of concurrent snapshot copies'));
    const error = (await startTargetCopy(fx.ctx, source, shared, defaultTargetKey(SOURCE_REGION)).catch((e: unknown) => e)) as PromotionError;
    expect(error.details.why).toContain('too many copies');
  });

  it('names Allowed AMIs as a probable cause when the target account does not see the shared AMI', async () => {
    const fx = setup();
    fx.target.ec2(SOURCE_REGION).on(CopyImageCommand).rejects(awsError('InvalidAMIID.NotFound', `The image id '[${shared.imageId}]' does not exist`));
    const error = (await startTargetCopy(fx.ctx, source, shared, defaultTargetKey(SOURCE_REGION)).catch((e: unknown) => e)) as PromotionError;
    expect(error.details.why).toContain('InvalidAMIID.NotFound');
    expect(error.details.why).toContain(`Allowed AMIs setting in ${SOURCE_REGION} does not allow AMIs of account ${SOURCE_ACCOUNT}`);
    expect(error.details.fix).toContain('get-allowed-images-settings');
  });

  it('copies into one region with that region\'s client, journals the copy before and after the wait, and returns it', async () => {
    const fx = setup({}, 2);
    const copy = await copyInto(fx.ctx, source, shared, customerTargetKey(SECOND_REGION));
    expect(copy).toEqual({ region: SECOND_REGION, imageId: targetImageId(SECOND_REGION), snapshotIds: targetSnapshotIds(SECOND_REGION, 1), key: customerTargetKey(SECOND_REGION), seconds: expect.any(Number) });
    const ec2 = fx.target.ec2(SECOND_REGION);
    expect(ec2).toHaveReceivedCommandWith(CopyImageCommand, { SourceRegion: SOURCE_REGION, KmsKeyId: targetKeyArn(SECOND_REGION) });
    // The image first, then the snapshots' progress alone, then the image when the progress says the copy is done.
    expect(ec2.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input)).toEqual([1, 2].map(() => ({ ImageIds: [targetImageId(SECOND_REGION)] })));
    expect(ec2).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 2);
    expect(fx.journal.entries()).toEqual([
      { kind: 'target-copy', accountId: TARGET_ACCOUNT, region: SECOND_REGION, imageId: targetImageId(SECOND_REGION) },
      { kind: 'target-copy-done', accountId: TARGET_ACCOUNT, region: SECOND_REGION, imageId: targetImageId(SECOND_REGION) },
    ]);
  });

  it('does not start a copy that waited for its turn after a cancellation', async () => {
    const fx = setup();
    const reason = new Error('The job was cancelled (SIGTERM).');
    fx.abort.abort(reason);
    await expect(copyInto(fx.ctx, source, shared, customerTargetKey(SOURCE_REGION))).rejects.toBe(reason);
    expect(fx.target.ec2(SOURCE_REGION)).toHaveReceivedCommandTimes(CopyImageCommand, 0);
  });
});
