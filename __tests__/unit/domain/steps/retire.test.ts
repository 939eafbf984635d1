import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DeregisterImageCommand, DisableImageCommand, EnableImageDeprecationCommand, type Image } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { retireEarlier } from '../../../../src/domain/steps/retire.js';
import type { RetirePolicy } from '../../../../src/domain/types.js';
import { SECOND_REGION, SOURCE_REGION, START, TARGET_ACCOUNT, awsError, buildContext, targetImageId } from '../../../support/pipeline-fixtures.js';
import { LINEAGE, promotion, stubPromotions, stubReferences } from '../../../support/retirement-fixtures.js';

const REGION = SOURCE_REGION;
const OLD = 'ami-0000000000000old1';
const OLDER = 'ami-0000000000000old2';
const RECENT = 'ami-00000000000recent';

function context(retire: Partial<RetirePolicy> = {}, regions = [REGION]) {
  return buildContext({ lineage: LINEAGE, targetRegions: regions, retire: { mode: 'deregister', keepPrevious: 1, keepIfLaunchedWithinDays: 30, ...retire } });
}

/** This run's AMI, the most recent earlier promotion and two older ones, in `region`. */
function earlier(region: string, extra: Partial<Record<string, Partial<Image>>> = {}): Image[] {
  return [
    promotion(targetImageId(region), '2029-12-31', extra.current),
    promotion(RECENT, '2029-12-01', extra.recent),
    promotion(OLD, '2029-06-01', extra.old),
    promotion(OLDER, '2029-01-01', extra.older),
  ];
}

const thisRun = (...regions: string[]) => regions.map((region) => ({ region, imageId: targetImageId(region) }));

describe('retiring earlier promotions', () => {
  it('makes no call at all with retire-previous none', async () => {
    const fx = buildContext({ lineage: LINEAGE });
    await expect(retireEarlier(fx.ctx, thisRun(REGION))).resolves.toEqual([]);
    expect(fx.sent).toEqual([]);
  });

  it('deregisters what the plan does not keep, deleting the snapshots in the same call and reporting those not deleted', async () => {
    const fx = context();
    stubPromotions(fx, REGION, earlier(REGION));
    stubReferences(fx, REGION);
    const ec2 = fx.target.ec2(REGION);
    ec2.on(DeregisterImageCommand, { ImageId: OLD }).resolves({ Return: true, DeleteSnapshotResults: [{ SnapshotId: 'snap-0000000000000ok1', ReturnCode: 'success' }, { SnapshotId: 'snap-000000000shared', ReturnCode: 'skipped' }] });
    ec2.on(DeregisterImageCommand, { ImageId: OLDER }).resolves({ Return: true, DeleteSnapshotResults: [{ SnapshotId: 'snap-0000000000locked', ReturnCode: 'client-error' }, { SnapshotId: 'snap-0000000000noperm', ReturnCode: 'missing-permissions' }] });
    const [report] = await retireEarlier(fx.ctx, thisRun(REGION));
    expect(ec2.commandCalls(DeregisterImageCommand).map((c) => c.args[0].input)).toEqual([
      { ImageId: OLD, DeleteAssociatedSnapshots: true },
      { ImageId: OLDER, DeleteAssociatedSnapshots: true },
    ]);
    expect(report?.accountId).toBe(TARGET_ACCOUNT);
    expect(report?.region).toBe(REGION);
    expect(report?.kept).toEqual([{ imageId: RECENT, name: 'golden-base-2029-12-01', reason: 'the most recent earlier promotion (keep-previous)' }]);
    expect(report?.retired.map((r) => [r.imageId, r.action, r.undo])).toEqual([
      [OLD, 'deregistered', undefined],
      [OLDER, 'deregistered', undefined],
    ]);
    expect(report?.retired[0]?.snapshotsKept).toEqual([{ snapshotId: 'snap-000000000shared', reason: 'another AMI uses it (skipped)' }]);
    const [locked, noPermission] = report?.retired[1]?.snapshotsKept ?? [];
    expect(locked?.snapshotId).toBe('snap-0000000000locked');
    expect(locked?.reason).toContain('snapshot lock');
    expect(locked?.reason).toContain(`aws ec2 delete-snapshot --region ${REGION} --snapshot-id snap-0000000000locked`);
    expect(noPermission?.reason).toContain('ec2:DeleteSnapshot');
    expect(fx.log.messages('warning').join('\n')).toContain('snap-0000000000locked');
    expect(fx.mutations()).toEqual([`target ec2 ${REGION} DeregisterImage`, `target ec2 ${REGION} DeregisterImage`]);
  });

  it('disables, and says how to undo it and that launch permissions do not come back', async () => {
    const fx = context({ mode: 'disable' });
    stubPromotions(fx, REGION, earlier(REGION, { older: { State: 'disabled' } }));
    stubReferences(fx, REGION);
    fx.target.ec2(REGION).on(DisableImageCommand).resolves({ Return: true });
    const [report] = await retireEarlier(fx.ctx, thisRun(REGION));
    expect(fx.target.ec2(REGION).commandCalls(DisableImageCommand).map((c) => c.args[0].input)).toEqual([{ ImageId: OLD }]);
    expect(report?.retired).toEqual([
      {
        imageId: OLD,
        name: 'golden-base-2029-06-01',
        action: 'disabled',
        undo: `aws ec2 enable-image --image-id ${OLD} --region ${REGION} (then share it again: disabling removed its launch permissions)`,
        snapshotsKept: [],
      },
    ]);
    expect(report?.kept.map((k) => [k.imageId, k.reason])).toContainEqual([OLDER, 'already disabled']);
  });

  it('deprecates at the next whole minute of the clock, and says how to undo it', async () => {
    const fx = context({ mode: 'deprecate', keepPrevious: 2 });
    fx.clock.advance(90_000);
    stubPromotions(fx, REGION, earlier(REGION));
    stubReferences(fx, REGION);
    fx.target.ec2(REGION).on(EnableImageDeprecationCommand).resolves({ Return: true });
    const [report] = await retireEarlier(fx.ctx, thisRun(REGION));
    expect(fx.target.ec2(REGION).commandCalls(EnableImageDeprecationCommand).map((c) => c.args[0].input)).toEqual([{ ImageId: OLDER, DeprecateAt: new Date(START + 120_000) }]);
    expect(report?.retired.map((r) => [r.imageId, r.action, r.undo])).toEqual([[OLDER, 'deprecated', `aws ec2 disable-image-deprecation --image-id ${OLDER} --region ${REGION}`]]);
  });

  it('is idempotent: a re-run finds them deprecated and changes nothing', async () => {
    const fx = context({ mode: 'deprecate', keepPrevious: 1 });
    const deprecated = { DeprecationTime: new Date(START + 60_000).toISOString() };
    stubPromotions(fx, REGION, earlier(REGION, { old: deprecated, older: deprecated }));
    const [report] = await retireEarlier(fx.ctx, thisRun(REGION));
    expect(report?.retired).toEqual([]);
    expect(report?.kept.map((k) => [k.imageId, k.reason])).toEqual([
      [RECENT, 'the most recent earlier promotion (keep-previous)'],
      [OLD, 'already deprecated'],
      [OLDER, 'already deprecated'],
    ]);
    expect(fx.mutations()).toEqual([]);
    expect(fx.sent.map((c) => c.command)).toEqual(['DescribeImages']);
  });

  it('works region by region where this run has an AMI, never touching this run’s AMIs', async () => {
    const fx = context({ mode: 'disable' }, [REGION, SECOND_REGION]);
    for (const region of [REGION, SECOND_REGION]) {
      stubPromotions(fx, region, earlier(region));
      stubReferences(fx, region);
      fx.target.ec2(region).on(DisableImageCommand).resolves({ Return: true });
    }
    const reports = await retireEarlier(fx.ctx, thisRun(REGION));
    expect(reports.map((r) => r.region)).toEqual([REGION]);
    expect(fx.sent.every((c) => c.region === REGION)).toBe(true);
    const disabled = fx.target.ec2(REGION).commandCalls(DisableImageCommand).map((c) => c.args[0].input.ImageId);
    expect(disabled).toEqual([OLD, OLDER]);
    expect(disabled).not.toContain(targetImageId(REGION));
  });

  it('explains a denied DisableImage: account, region, action and the fix', async () => {
    const fx = context({ mode: 'disable' });
    stubPromotions(fx, REGION, earlier(REGION));
    stubReferences(fx, REGION);
    fx.target.ec2(REGION).on(DisableImageCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = (await retireEarlier(fx.ctx, thisRun(REGION)).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: REGION });
    expect(error.details.what).toContain(OLD);
    expect(error.message).toContain('"Action": "ec2:DisableImage"');
  });
});
