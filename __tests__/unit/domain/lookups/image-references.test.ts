import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImageReferencesCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { findImageReferences, referenceLabel } from '../../../../src/domain/lookups/image-references.js';
import { SOURCE_REGION, TARGET_ACCOUNT, awsError, buildContext } from '../../../support/pipeline-fixtures.js';
import { referenceBatches, stubReferences } from '../../../support/retirement-fixtures.js';

const ids = (count: number) => Array.from({ length: count }, (_, i) => `ami-${String(i).padStart(17, '0')}`);
const TEMPLATE = `arn:aws:ec2:${SOURCE_REGION}:${TARGET_ACCOUNT}:launch-template/lt-0123456789abcdef0`;

describe('finding what references images', () => {
  it('asks about at most 10 images a call, for instances in every state but terminated, launch templates, SSM parameters and Image Builder recipes', async () => {
    const fx = buildContext();
    stubReferences(fx, SOURCE_REGION, [{ ImageId: ids(23)[21], ResourceType: 'ec2:LaunchTemplate', Arn: TEMPLATE }]);
    const found = await findImageReferences(fx.ctx, SOURCE_REGION, ids(23));
    expect(referenceBatches(fx)).toEqual([ids(23).slice(0, 10), ids(23).slice(10, 20), ids(23).slice(20)]);
    expect([...found.keys()]).toEqual([ids(23)[21]]);
    expect(fx.target.ec2(SOURCE_REGION).commandCalls(DescribeImageReferencesCommand)[0]?.args[0].input.ResourceTypes).toEqual([
      { ResourceType: 'ec2:Instance', ResourceTypeOptions: [{ OptionName: 'state-name', OptionValues: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] }] },
      { ResourceType: 'ec2:LaunchTemplate' },
      { ResourceType: 'ssm:Parameter' },
      { ResourceType: 'imagebuilder:ImageRecipe' },
      { ResourceType: 'imagebuilder:ContainerRecipe' },
    ]);
  });

  it('makes no call for no image', async () => {
    const fx = buildContext();
    await expect(findImageReferences(fx.ctx, SOURCE_REGION, [])).resolves.toEqual(new Map());
    expect(fx.sent).toEqual([]);
  });

  it('follows NextToken and groups the references by image', async () => {
    const fx = buildContext();
    const [a = '', b = ''] = ids(2);
    fx.target
      .ec2(SOURCE_REGION)
      .on(DescribeImageReferencesCommand)
      .resolvesOnce({ ImageReferences: [{ ImageId: a, ResourceType: 'ec2:Instance', Arn: 'arn:i-1' }], NextToken: 'next' })
      .resolvesOnce({ ImageReferences: [{ ImageId: a, ResourceType: 'ssm:Parameter', Arn: 'arn:p' }, { ImageId: b, ResourceType: 'imagebuilder:ImageRecipe', Arn: 'arn:r' }] });
    const found = await findImageReferences(fx.ctx, SOURCE_REGION, [a, b]);
    expect(found.get(a)?.map((r) => r.Arn)).toEqual(['arn:i-1', 'arn:p']);
    expect(found.get(b)?.map((r) => r.Arn)).toEqual(['arn:r']);
    expect(fx.target.ec2(SOURCE_REGION).commandCalls(DescribeImageReferencesCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'next']);
  });

  it('labels each reference with its kind, and says how deep launch templates are checked', () => {
    expect(referenceLabel({ ResourceType: 'ec2:LaunchTemplate', Arn: TEMPLATE })).toBe(`${TEMPLATE} (launch template; its 10 most recent versions are checked)`);
    expect(referenceLabel({ ResourceType: 'ec2:Instance', Arn: 'arn:i' })).toBe('arn:i (instance)');
    expect(referenceLabel({ ResourceType: 'ssm:Parameter', Arn: 'arn:p' })).toBe('arn:p (SSM parameter)');
    expect(referenceLabel({ ResourceType: 'imagebuilder:ContainerRecipe', Arn: 'arn:c' })).toBe('arn:c (Image Builder container recipe)');
  });

  it('explains a denied DescribeImageReferences with the identity-policy fix', async () => {
    const fx = buildContext();
    fx.target.ec2(SOURCE_REGION).on(DescribeImageReferencesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = (await findImageReferences(fx.ctx, SOURCE_REGION, ids(1)).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(error.message).toContain('"Action": "ec2:DescribeImageReferences"');
  });
});
