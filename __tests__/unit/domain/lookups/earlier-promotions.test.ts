import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { findEarlierPromotions } from '../../../../src/domain/lookups/earlier-promotions.js';
import { OTHER_ACCOUNT, SECOND_REGION, SOURCE_REGION, TARGET_ACCOUNT, awsError, buildContext } from '../../../support/pipeline-fixtures.js';
import { LINEAGE, lineageTags, promotion, stubPromotions } from '../../../support/retirement-fixtures.js';

describe('finding earlier promotions of a lineage', () => {
  it('asks for the account’s own AMIs with the two provenance tags, disabled and deprecated ones included, in that region with the target credentials', async () => {
    const fx = buildContext({ targetRegions: [SOURCE_REGION, SECOND_REGION] });
    stubPromotions(fx, SECOND_REGION, []);
    await expect(findEarlierPromotions(fx.ctx, SECOND_REGION, LINEAGE)).resolves.toEqual([]);
    expect(fx.commands('target', 'ec2', SECOND_REGION)).toEqual([
      [
        'DescribeImages',
        {
          Owners: ['self'],
          Filters: [
            { Name: 'tag:promote-ami:role', Values: ['promoted'] },
            { Name: 'tag:promote-ami:lineage', Values: [LINEAGE] },
          ],
          IncludeDisabled: true,
          IncludeDeprecated: true,
        },
      ],
    ]);
    expect(fx.sent).toHaveLength(1);
  });

  it('follows NextToken and returns every page, newest first by CreationDate', async () => {
    const fx = buildContext();
    fx.target
      .ec2(SOURCE_REGION)
      .on(DescribeImagesCommand)
      .resolvesOnce({ Images: [promotion('ami-00000000000000002', '2029-03-01'), promotion('ami-00000000000000001', '2029-01-01')], NextToken: 'page-2' })
      .resolvesOnce({ Images: [promotion('ami-00000000000000004', '2029-12-01'), promotion('ami-00000000000000003', '2029-06-01', { State: 'disabled', DeprecationTime: '2029-07-01T00:00:00.000Z' })] });
    const found = await findEarlierPromotions(fx.ctx, SOURCE_REGION, LINEAGE);
    expect(found.map((p) => p.imageId)).toEqual(['ami-00000000000000004', 'ami-00000000000000003', 'ami-00000000000000002', 'ami-00000000000000001']);
    expect(found[1]).toEqual({
      imageId: 'ami-00000000000000003',
      name: 'golden-base-2029-06-01',
      creationDate: '2029-06-01T12:00:00.000Z',
      state: 'disabled',
      deprecationTime: '2029-07-01T00:00:00.000Z',
      deregistrationProtection: 'disabled',
    });
    expect(fx.target.ec2(SOURCE_REGION).commandCalls(DescribeImagesCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
  });

  it('checks the tags and the owner of each image again: another lineage, another role, no tags or another owner is refused even when returned', async () => {
    const fx = buildContext();
    stubPromotions(fx, SOURCE_REGION, [
      promotion('ami-0000000000000good', '2029-01-01'),
      promotion('ami-000000000000other', '2029-01-02', { Tags: lineageTags('octo-org/other-images') }),
      promotion('ami-0000000000000role', '2029-01-03', { Tags: lineageTags(LINEAGE, 'intermediate') }),
      promotion('ami-00000000000notags', '2029-01-04', { Tags: undefined }),
      promotion('ami-0000000000000ownr', '2029-01-05', { OwnerId: OTHER_ACCOUNT }),
      promotion('ami-00000000000000gone', '2029-01-06', { State: 'deregistered' }),
    ]);
    const found = await findEarlierPromotions(fx.ctx, SOURCE_REGION, LINEAGE);
    expect(found.map((p) => p.imageId)).toEqual(['ami-0000000000000good']);
  });

  it('explains a denied DescribeImages: target account, region, action and the identity-policy fix', async () => {
    const fx = buildContext();
    fx.target.ec2(SOURCE_REGION).on(DescribeImagesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = (await findEarlierPromotions(fx.ctx, SOURCE_REGION, LINEAGE).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(error.details.what).toContain(LINEAGE);
    expect(error.message).toContain('"Action": "ec2:DescribeImages"');
  });
});
