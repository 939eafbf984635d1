import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { promotedTags, provenanceTags, reuseFilters } from '../../../../src/domain/provenance.js';
import { earlierPromotions, promotionUnder } from '../../../../src/domain/lookups/reuse.js';
import {
  SECOND_REGION,
  SOURCE_AMI,
  SOURCE_REGION,
  SOURCE_TAGS,
  TARGET_ACCOUNT,
  awsError,
  buildContext,
  image,
  targetImageId,
  targetKeyArn,
  targetSnapshotIds,
  customerTargetKey, defaultTargetKey, expectedProvenanceTags,
} from '../../../support/pipeline-fixtures.js';



describe('provenance tags', () => {
  it('name the source AMI, account and region, the target key, the repository, the commit and the run', () => {
    const fx = buildContext();
    expect(provenanceTags(fx.ctx, customerTargetKey(SOURCE_REGION))).toEqual(expectedProvenanceTags(targetKeyArn(SOURCE_REGION)));
    expect(provenanceTags(fx.ctx, defaultTargetKey(SOURCE_REGION))).toEqual(expectedProvenanceTags('default'));
  });

  it('put the source tags first, then the tags input, then provenance, later ones winning', () => {
    const fx = buildContext({ tags: [{ Key: 'team', Value: 'images' }, { Key: 'release', Value: '2030.01' }] });
    const source = { tags: [...SOURCE_TAGS, { Key: 'aws:cloudformation:stack-name', Value: 'x' }, { Key: 'promote-ami:role', Value: 'stale' }] };
    expect(promotedTags(fx.ctx, source as never, customerTargetKey(SOURCE_REGION))).toEqual([
      { Key: 'Name', Value: 'golden-base' },
      { Key: 'team', Value: 'images' },
      { Key: 'release', Value: '2030.01' },
      ...expectedProvenanceTags(targetKeyArn(SOURCE_REGION)),
    ]);
    const noCopy = buildContext({ copyTags: false, tags: [{ Key: 'release', Value: '2030.01' }] });
    expect(promotedTags(noCopy.ctx, source as never, customerTargetKey(SOURCE_REGION))).toEqual([{ Key: 'release', Value: '2030.01' }, ...expectedProvenanceTags(targetKeyArn(SOURCE_REGION))]);
  });
});

describe('finding an earlier promotion', () => {
  it('looks for available AMIs of its own carrying the provenance of the same source, under any key, with target credentials in that region', async () => {
    const fx = buildContext({ targetRegions: [SOURCE_REGION, SECOND_REGION] });
    const ec2 = fx.target.ec2(SECOND_REGION);
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    await expect(earlierPromotions(fx.ctx, SECOND_REGION)).resolves.toEqual([]);
    expect(ec2.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input)).toEqual([
      {
        Owners: ['self'],
        Filters: [
          { Name: 'tag:promote-ami:role', Values: ['promoted'] },
          { Name: 'tag:promote-ami:source-ami-id', Values: [SOURCE_AMI] },
          { Name: 'tag:promote-ami:source-region', Values: [SOURCE_REGION] },
          { Name: 'state', Values: ['available'] },
        ],
      },
    ]);
    expect(reuseFilters(fx.ctx)).toEqual(ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input.Filters);
    expect(fx.sent.map((c) => `${c.side} ${c.service} ${c.region}`)).toEqual([`target ec2 ${SECOND_REGION}`]);
  });

  it('keeps the newest AMI under the target key, with its snapshots; one under another key is not reused', async () => {
    const underKey = (key: string) => [{ Key: 'promote-ami:kms-key', Value: key }];
    const older = { ...image({ imageId: 'ami-0000000000000old1', ownerId: TARGET_ACCOUNT }), Tags: underKey('default'), CreationDate: '2029-01-01T00:00:00.000Z' };
    const newest = { ...image({ imageId: targetImageId(SOURCE_REGION), ownerId: TARGET_ACCOUNT, snapshotIds: targetSnapshotIds(SOURCE_REGION, 1) }), Tags: underKey('default'), CreationDate: '2029-06-01T00:00:00.000Z' };
    const otherKey = { ...image({ imageId: 'ami-0000000000000new9', ownerId: TARGET_ACCOUNT }), Tags: underKey(targetKeyArn(SOURCE_REGION)), CreationDate: '2029-07-01T00:00:00.000Z' };
    expect(promotionUnder([older, newest, otherKey], defaultTargetKey(SOURCE_REGION))).toEqual({
      region: SOURCE_REGION,
      imageId: targetImageId(SOURCE_REGION),
      snapshotIds: targetSnapshotIds(SOURCE_REGION, 1),
    });
    expect(promotionUnder([otherKey], customerTargetKey(SOURCE_REGION))?.imageId).toBe('ami-0000000000000new9');
    expect(promotionUnder([older, newest], customerTargetKey(SOURCE_REGION))).toBeUndefined();
  });

  it('explains a denied DescribeImages on the target side', async () => {
    const fx = buildContext();
    fx.target.ec2(SOURCE_REGION).on(DescribeImagesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = (await earlierPromotions(fx.ctx, SOURCE_REGION).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(error.message).toContain('"Action": "ec2:DescribeImages"');
  });
});
