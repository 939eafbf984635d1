import { describe, expect, it } from '@jest/globals';
import { lineageOf } from '../../../src/domain/lineage.js';
import type { PromotionResult, RegionResult } from '../../../src/domain/pipeline.js';
import { INTERMEDIATE_AMI, SECOND_REGION, SOURCE_ACCOUNT, SOURCE_AMI, SOURCE_REGION, TARGET_ACCOUNT, defaultRequest } from '../../support/pipeline-fixtures.js';

const request = defaultRequest();

function region(name: string, shape: Partial<RegionResult>): RegionResult {
  return { region: name, imageId: `ami-0${name.length}000000000000000`.slice(0, 21), snapshotIds: [], key: 'default', reused: false, ...shape };
}

function result(regions: RegionResult[], extra: Partial<PromotionResult> = {}): PromotionResult {
  return { sourceAccountId: SOURCE_ACCOUNT, targets: [{ accountId: TARGET_ACCOUNT, regions }], failures: [], reused: false, keyChanges: [], finish: { protectedImages: [], ssmParameters: [] }, onward: [], launchTemplates: [], retirement: [], afterCopyFailures: [], ...extra };
}

describe('the lineage of each promoted AMI', () => {
  it('verifies source → intermediate → promoted with what EC2 reports', () => {
    const regions = [region(SOURCE_REGION, { copiedFrom: { imageId: INTERMEDIATE_AMI, region: SOURCE_REGION } }), region(SECOND_REGION, { copiedFrom: { imageId: INTERMEDIATE_AMI, region: SOURCE_REGION } })];
    const [first, second] = lineageOf(request, result(regions, { reencryptedImageId: INTERMEDIATE_AMI, reencryptedFrom: { imageId: SOURCE_AMI, region: SOURCE_REGION } }));
    expect(first).toMatchObject({ accountId: TARGET_ACCOUNT, region: SOURCE_REGION, source: SOURCE_AMI, intermediate: { imageId: INTERMEDIATE_AMI, check: 'verified' }, promoted: { check: 'verified' } });
    expect(second?.promoted.check).toBe('verified');
  });

  it('checks the promoted AMI against the source itself when no intermediate copy was made', () => {
    const [only] = lineageOf(request, result([region(SOURCE_REGION, { copiedFrom: { imageId: SOURCE_AMI, region: SOURCE_REGION } })]));
    expect(only?.intermediate).toBeUndefined();
    expect(only?.promoted.check).toBe('verified');
  });

  it('says when EC2 reports another source, or none', () => {
    const [differs, silent] = lineageOf(request, result([
      region(SOURCE_REGION, { copiedFrom: { imageId: 'ami-0ffffffffffffffff', region: SOURCE_REGION } }),
      region(SECOND_REGION, {}),
    ]));
    expect(differs?.promoted).toMatchObject({ check: 'differs', reported: { imageId: 'ami-0ffffffffffffffff' } });
    expect(silent?.promoted.check).toBe('not reported');
  });

  it('marks a reused AMI copied from an earlier run’s intermediate copy as such', () => {
    const [reused] = lineageOf(request, result([region(SOURCE_REGION, { reused: true, copiedFrom: { imageId: 'ami-0eeeeeeeeeeeeeeee', region: SOURCE_REGION } })], { reencryptedImageId: INTERMEDIATE_AMI }));
    expect(reused?.intermediate).toBeUndefined();
    expect(reused?.promoted.check).toBe('earlier run');
  });
});
