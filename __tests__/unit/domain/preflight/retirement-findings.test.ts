import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImageReferencesCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { retirementFindings } from '../../../../src/domain/preflight/retirement-findings.js';
import type { RetirePolicy } from '../../../../src/domain/types.js';
import { SECOND_REGION, SOURCE_REGION, TARGET_ACCOUNT, TARGET_ROLE, awsError, buildContext } from '../../../support/pipeline-fixtures.js';
import { LINEAGE, promotion, stubPromotions, stubReferences } from '../../../support/retirement-fixtures.js';

const REUSED = 'ami-000000000000reuse';
const RECENT = 'ami-00000000000recent';
const OLD = 'ami-0000000000000old1';
const USED = 'ami-0000000000000used';
const INSTANCE = `arn:aws:ec2:${SOURCE_REGION}:${TARGET_ACCOUNT}:instance/i-0123456789abcdef0`;

function context(retire: Partial<RetirePolicy> = {}) {
  return buildContext({ lineage: LINEAGE, targetRegions: [SOURCE_REGION, SECOND_REGION], retire: { mode: 'deregister', keepPrevious: 1, keepIfLaunchedWithinDays: 30, ...retire } });
}

const denied = (action: string) => awsError('UnauthorizedOperation', `You are not authorized to perform this operation. User: ${TARGET_ROLE} is not authorized to perform: ${action}`);

describe('retire-previous in the preflight', () => {
  it('makes no call and no finding with retire-previous none', async () => {
    const fx = buildContext({ lineage: LINEAGE });
    await expect(retirementFindings(fx.ctx, () => [])).resolves.toEqual([]);
    expect(fx.sent).toEqual([]);
  });

  it('says per region what would be retired and what kept, with why, without changing anything', async () => {
    const fx = context();
    stubPromotions(fx, SOURCE_REGION, [
      promotion(REUSED, '2029-12-31'),
      promotion(RECENT, '2029-12-01'),
      promotion(USED, '2029-08-01'),
      promotion(OLD, '2029-06-01'),
    ]);
    stubReferences(fx, SOURCE_REGION, [{ ImageId: USED, ResourceType: 'ec2:Instance', Arn: INSTANCE }]);
    stubPromotions(fx, SECOND_REGION, []);
    const findings = await retirementFindings(fx.ctx, (region) => (region === SOURCE_REGION ? [REUSED] : []));
    expect(findings).toEqual([
      {
        check: `retire-previous (deregister) in ${SOURCE_REGION}`,
        side: 'target',
        accountId: TARGET_ACCOUNT,
        status: 'ok',
        detail:
          `would deregister (with its snapshots) ${OLD} (golden-base-2029-06-01) in ${SOURCE_REGION}; ` +
          `would keep ${RECENT} (golden-base-2029-12-01): the most recent earlier promotion (keep-previous); ` +
          `${USED} (golden-base-2029-08-01): referenced by ${INSTANCE} (instance).`,
      },
      { check: `retire-previous (deregister) in ${SECOND_REGION}`, side: 'target', accountId: TARGET_ACCOUNT, status: 'ok', detail: `no earlier promotion of the lineage ${LINEAGE} in ${SECOND_REGION}.` },
    ]);
    expect(fx.mutations()).toEqual([]);
  });

  it('turns a denied DescribeImageReferences into a missing finding with the identity-policy fix, and goes on with the other regions', async () => {
    const fx = context({ mode: 'disable', keepPrevious: 0 });
    stubPromotions(fx, SOURCE_REGION, [promotion(OLD, '2029-06-01')]);
    fx.target.ec2(SOURCE_REGION).on(DescribeImageReferencesCommand).rejects(denied('ec2:DescribeImageReferences'));
    stubPromotions(fx, SECOND_REGION, [promotion(OLD, '2029-06-01')]);
    stubReferences(fx, SECOND_REGION);
    const [missing, ok] = await retirementFindings(fx.ctx, () => []);
    expect(missing).toMatchObject({ check: `retire-previous (disable) in ${SOURCE_REGION}`, side: 'target', accountId: TARGET_ACCOUNT, status: 'missing' });
    expect(missing?.detail).toContain('ec2:DescribeImageReferences');
    expect(missing?.fix).toContain(`Add this statement to the IAM policy of ${TARGET_ROLE}`);
    expect(missing?.fix).toContain('"Action": "ec2:DescribeImageReferences"');
    expect(ok).toMatchObject({ status: 'ok', detail: `would disable ${OLD} (golden-base-2029-06-01) in ${SECOND_REGION}.` });
  });

  it('turns a denied DescribeImages into a missing finding', async () => {
    const fx = context({ mode: 'deprecate' });
    for (const region of [SOURCE_REGION, SECOND_REGION]) fx.target.ec2(region).on(DescribeImagesCommand).rejects(denied('ec2:DescribeImages'));
    const findings = await retirementFindings(fx.ctx, () => []);
    expect(findings.map((f) => [f.check, f.status])).toEqual([
      [`retire-previous (deprecate) in ${SOURCE_REGION}`, 'missing'],
      [`retire-previous (deprecate) in ${SECOND_REGION}`, 'missing'],
    ]);
    expect(findings[0]?.fix).toContain('"Action": "ec2:DescribeImages"');
  });
});
