import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import type { Image } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../src/aws/errors.js';
import { deprecateAt, planRetirement, type RetirementPlan } from '../../../src/domain/retirement-plan.js';
import type { RetirePolicy } from '../../../src/domain/types.js';
import { SOURCE_REGION, START, TARGET_ACCOUNT, buildContext } from '../../support/pipeline-fixtures.js';
import { LINEAGE, promotion, referenceBatches, stubPromotions, stubReferences } from '../../support/retirement-fixtures.js';

const REGION = SOURCE_REGION;
const TEMPLATE = `arn:aws:ec2:${REGION}:${TARGET_ACCOUNT}:launch-template/lt-0123456789abcdef0`;

function context(retire: Partial<RetirePolicy> = {}) {
  return buildContext({ lineage: LINEAGE, retire: { mode: 'deregister', keepPrevious: 2, keepIfLaunchedWithinDays: 30, ...retire } });
}

const retired = (plan: RetirementPlan) => plan.retire.map((image) => image.imageId);
const kept = (plan: RetirementPlan) => plan.kept.map(({ image, reason }) => [image.imageId, reason]);

/** ami-…0001 created 2029-01-01, ami-…0002 on 2029-02-01, and so on. */
function monthly(count: number, extra: (i: number) => Partial<Image> = () => ({})): Image[] {
  return Array.from({ length: count }, (_, i) => promotion(`ami-${String(i + 1).padStart(17, '0')}`, `2029-${String(i + 1).padStart(2, '0')}-01`, extra(i + 1)));
}
const id = (n: number) => `ami-${String(n).padStart(17, '0')}`;
const RECENT = 'one of the 2 most recent earlier promotions (keep-previous)';

describe('planning retire-previous in one region', () => {
  it('keeps the keep-previous most recent by CreationDate, whatever order DescribeImages answers in, and checks only the older ones for references', async () => {
    const fx = context();
    const [one, two, three, four, five] = monthly(5) as [Image, Image, Image, Image, Image];
    stubPromotions(fx, REGION, [two, five, one, four, three]);
    stubReferences(fx, REGION);
    const plan = await planRetirement(fx.ctx, REGION, []);
    expect(kept(plan)).toEqual([
      [id(5), RECENT],
      [id(4), RECENT],
    ]);
    expect(retired(plan)).toEqual([id(3), id(2), id(1)]);
    expect(referenceBatches(fx)).toEqual([[id(3), id(2), id(1)]]);
    expect(plan.region).toBe(REGION);
  });

  it('never counts or touches the AMIs of this promotion', async () => {
    const fx = context({ keepPrevious: 1 });
    stubPromotions(fx, REGION, monthly(3));
    stubReferences(fx, REGION);
    const plan = await planRetirement(fx.ctx, REGION, [id(3)]);
    expect(kept(plan)).toEqual([[id(2), 'the most recent earlier promotion (keep-previous)']]);
    expect(retired(plan)).toEqual([id(1)]);
  });

  it('never retires an AMI made after this promotion: promoting an old release again keeps the newer ones', async () => {
    const fx = context({ keepPrevious: 0 });
    stubPromotions(fx, REGION, monthly(4));
    stubReferences(fx, REGION);
    // This run reuses the promotion of February: March and April are later releases.
    const plan = await planRetirement(fx.ctx, REGION, [id(2)]);
    expect(retired(plan)).toEqual([id(1)]);
    expect(kept(plan)).toEqual([
      [id(4), expect.stringContaining('made after this promotion (2029-04-01')],
      [id(3), expect.stringContaining('made after this promotion (2029-03-01')],
    ]);
  });

  it("never retires an AMI made after this run started, such as a concurrent run's", async () => {
    const fx = context({ keepPrevious: 0 });
    const concurrent = promotion(id(9), '2030-01-01');
    stubPromotions(fx, REGION, [...monthly(1), concurrent]);
    stubReferences(fx, REGION);
    const plan = await planRetirement(fx.ctx, REGION, []);
    expect(retired(plan)).toEqual([id(1)]);
    expect(kept(plan)).toEqual([[id(9), expect.stringContaining("a later release or a concurrent run's")]]);
  });

  it('keeps what is protected from deregistration, launched within the days, or referenced, each with its reason', async () => {
    const fx = context({ keepPrevious: 0, keepIfLaunchedWithinDays: 30 });
    stubPromotions(
      fx,
      REGION,
      monthly(5, (i) =>
        [
          {},
          { DeregistrationProtection: 'enabled-without-cooldown' },
          { LastLaunchedTime: '2029-12-20T08:00:00.000Z' },
          { LastLaunchedTime: '2029-11-20T08:00:00.000Z' },
          {},
        ][i - 1] ?? {},
      ),
    );
    stubReferences(fx, REGION, [{ ImageId: id(5), ResourceType: 'ec2:LaunchTemplate', Arn: TEMPLATE }]);
    const plan = await planRetirement(fx.ctx, REGION, []);
    expect(kept(plan)).toEqual([
      [id(5), `referenced by ${TEMPLATE} (launch template; its 10 most recent versions are checked)`],
      [id(3), 'launched 2029-12-20 (within 30 days)'],
      [id(2), 'protected from deregistration (enabled-without-cooldown)'],
    ]);
    expect(retired(plan)).toEqual([id(4), id(1)]);
    expect(referenceBatches(fx)).toEqual([[id(5), id(4), id(1)]]);
  });

  it('names three references and counts the others', async () => {
    const fx = context({ keepPrevious: 0 });
    stubPromotions(fx, REGION, monthly(1));
    stubReferences(
      fx,
      REGION,
      ['i-1', 'i-2', 'i-3', 'i-4', 'i-5'].map((instance) => ({ ImageId: id(1), ResourceType: 'ec2:Instance', Arn: `arn:aws:ec2:${REGION}:${TARGET_ACCOUNT}:instance/${instance}` })),
    );
    const plan = await planRetirement(fx.ctx, REGION, []);
    expect(plan.kept[0]?.reason).toBe(
      `referenced by arn:aws:ec2:${REGION}:${TARGET_ACCOUNT}:instance/i-1 (instance), arn:aws:ec2:${REGION}:${TARGET_ACCOUNT}:instance/i-2 (instance), arn:aws:ec2:${REGION}:${TARGET_ACCOUNT}:instance/i-3 (instance) and 2 more`,
    );
  });

  it('checks references in batches of at most 10 images', async () => {
    const fx = context({ keepPrevious: 0 });
    const images = Array.from({ length: 25 }, (_, i) => promotion(id(i + 1), `2029-01-${String(i + 1).padStart(2, '0')}`));
    stubPromotions(fx, REGION, images);
    stubReferences(fx, REGION);
    const plan = await planRetirement(fx.ctx, REGION, []);
    expect(referenceBatches(fx).map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(referenceBatches(fx).flat()).toEqual(retired(plan));
    expect(retired(plan)).toHaveLength(25);
  });

  it('keeps an AMI that is not available, without counting it among the most recent', async () => {
    const fx = context({ keepPrevious: 1 });
    stubPromotions(fx, REGION, [...monthly(2), promotion(id(9), '2029-12-01', { State: 'pending' })]);
    stubReferences(fx, REGION);
    const plan = await planRetirement(fx.ctx, REGION, []);
    expect(kept(plan)).toEqual([
      [id(9), 'not available (state pending)'],
      [id(2), 'the most recent earlier promotion (keep-previous)'],
    ]);
    expect(retired(plan)).toEqual([id(1)]);
  });

  it('reports images already retired the same way instead of retiring them again, without checking their references', async () => {
    const disabled = { State: 'disabled' } as const;
    const deprecated = { DeprecationTime: '2029-12-01T00:00:00.000Z' };
    const images = [promotion(id(1), '2029-01-01', disabled), promotion(id(2), '2029-02-01', deprecated), promotion(id(3), '2029-03-01', { DeprecationTime: '2031-01-01T00:00:00.000Z' })];

    const deprecate = context({ mode: 'deprecate', keepPrevious: 0 });
    stubPromotions(deprecate, REGION, images);
    stubReferences(deprecate, REGION);
    const deprecatePlan = await planRetirement(deprecate.ctx, REGION, []);
    expect(kept(deprecatePlan)).toEqual([
      [id(2), 'already deprecated'],
      [id(1), 'already disabled'],
    ]);
    expect(retired(deprecatePlan)).toEqual([id(3)]);
    expect(referenceBatches(deprecate)).toEqual([[id(3)]]);

    const disable = context({ mode: 'disable', keepPrevious: 0 });
    stubPromotions(disable, REGION, images);
    stubReferences(disable, REGION);
    const disablePlan = await planRetirement(disable.ctx, REGION, []);
    expect(kept(disablePlan)).toEqual([[id(1), 'already disabled']]);
    expect(retired(disablePlan)).toEqual([id(3), id(2)]);

    const deregister = context({ mode: 'deregister', keepPrevious: 0 });
    stubPromotions(deregister, REGION, images);
    stubReferences(deregister, REGION);
    expect(retired(await planRetirement(deregister.ctx, REGION, []))).toEqual([id(3), id(2), id(1)]);
  });

  it('makes no reference call when nothing is past keep-previous', async () => {
    const fx = context({ keepPrevious: 5 });
    stubPromotions(fx, REGION, monthly(3));
    const plan = await planRetirement(fx.ctx, REGION, []);
    expect(retired(plan)).toEqual([]);
    expect(plan.kept).toHaveLength(3);
    expect(fx.sent.map((c) => c.command)).toEqual(['DescribeImages']);
  });

  it('refuses to plan without a lineage, before any call', async () => {
    const fx = buildContext({ retire: { mode: 'disable', keepPrevious: 2, keepIfLaunchedWithinDays: 30 } });
    const error = (await planRetirement(fx.ctx, REGION, []).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: REGION });
    expect(error.details.fix).toContain('lineage input');
    expect(fx.sent).toEqual([]);
  });
});

describe('the deprecation time of a retirement', () => {
  it('is the next whole minute, never now or earlier', () => {
    expect(deprecateAt(START)).toEqual(new Date(START + 60_000));
    expect(deprecateAt(START + 59_999)).toEqual(new Date(START + 60_000));
    expect(deprecateAt(START + 60_000)).toEqual(new Date(START + 120_000));
  });
});
