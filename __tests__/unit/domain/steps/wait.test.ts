import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImagesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { waitForImage, type ImageToWaitFor } from '../../../../src/domain/steps/wait.js';
import {
  SOURCE_REGION,
  START,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  awsError,
  buildContext,
  image,
  snapshots,
  targetImageId,
  targetKeyArn,
  targetSnapshotIds,
  type Fixture,
} from '../../../support/pipeline-fixtures.js';

const region = SOURCE_REGION;
const imageId = targetImageId(region);
const snapshotIds = targetSnapshotIds(region, 1);
const KMS_REASON = 'AMI snapshot copy failed with error: Given key ID is not accessible. You must have DescribeKey permissions on the default CMK defined for EBS encryption.';

function setup(waitTimeoutMinutes = 120) {
  const fx = buildContext({ waitTimeoutMinutes });
  const target: ImageToWaitFor = {
    label: `target copy in ${region}`,
    side: 'target',
    accountId: TARGET_ACCOUNT,
    region,
    imageId,
    ec2: fx.ctx.target.ec2(region),
    principal: TARGET_ROLE,
    keyDescription: targetKeyArn(region),
  };
  const options = { clock: fx.clock, log: fx.log, signal: fx.abort.signal, deadline: fx.ctx.deadline };
  return { fx, target, options, ec2: fx.target.ec2(region) };
}

const pending = (extra: Parameters<typeof image>[0] = {}) => ({ Images: [image({ imageId, snapshotIds, encryption: 'cmk', state: 'pending', ...extra })] });
const available = () => ({ Images: [image({ imageId, snapshotIds, encryption: 'cmk' })] });
const progress = (percent: string) => ({ Snapshots: snapshots(snapshotIds, 'cmk', { State: 'pending', Progress: percent }) });

function polls(fx: Fixture): string[] {
  return fx.sent.map((c) => c.command);
}

/**
 * A copy that completes `durationMs` after the wait starts, its snapshots' progress rising linearly (in whole
 * percents, as AWS reports it) unless `progressAt` says otherwise; DescribeImages shows it pending until then.
 */
function stubCopy(fx: Fixture, ec2: ReturnType<typeof setup>['ec2'], durationMs: number, progressAt = (ms: number) => `${Math.floor((ms * 100) / durationMs)}%`): number[] {
  const calledAt: number[] = [];
  const elapsed = () => fx.clock.now() - START;
  const answer = <T>(value: () => T) => {
    calledAt.push(elapsed());
    return Promise.resolve(value());
  };
  ec2.on(DescribeImagesCommand, { ImageIds: [imageId] }).callsFake(() => answer(() => (elapsed() >= durationMs ? available() : pending())));
  ec2
    .on(DescribeSnapshotsCommand, { SnapshotIds: snapshotIds })
    .callsFake(() => answer(() => (elapsed() >= durationMs ? { Snapshots: snapshots(snapshotIds, 'cmk') } : progress(progressAt(elapsed())))));
  return calledAt;
}

describe('waiting for a copy', () => {
  it('reads the image, then only the snapshots while they are pending, and the image alone when their progress says the copy is done', async () => {
    const { fx, target, options, ec2 } = setup();
    stubCopy(fx, ec2, 20_000);

    const result = await waitForImage(target, options);

    expect(result.ImageId).toBe(imageId);
    expect(result.State).toBe('available');
    expect(polls(fx)).toEqual(['DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeImages']);
    for (const call of ec2.commandCalls(DescribeImagesCommand)) expect(call.args[0].input).toEqual({ ImageIds: [imageId] });
    for (const call of ec2.commandCalls(DescribeSnapshotsCommand)) expect(call.args[0].input).toEqual({ SnapshotIds: snapshotIds });
    // 2 s, then at most 15 s, then just after the completion estimated from 10 % at 2 s and 85 % at 17 s.
    expect(fx.clock.sleeps).toEqual([2000, 15_000, 3250]);
    expect(fx.clock.now() - START - 20_000).toBe(250);
    const info = fx.log.messages('info');
    expect(info).toEqual(
      expect.arrayContaining([
        `target copy in ${region} ${imageId}: pending, ${snapshotIds[0]} 0%, ${snapshotIds[1]} 0%`,
        `target copy in ${region} ${imageId}: pending, ${snapshotIds[0]} 10%, ${snapshotIds[1]} 10%`,
        `target copy in ${region} ${imageId}: pending, ${snapshotIds[0]} 85%, ${snapshotIds[1]} 85%`,
      ]),
    );
    expect(info.at(-1)).toBe(`target copy in ${region} ${imageId} is available after 20 s.`);
  });

  it('notices a long copy within 15 s of its end, polling at most every 15 s with at most 6 calls a minute after the first', async () => {
    const { fx, target, options, ec2 } = setup();
    const durationMs = 37 * 60_000 + 13_000;
    const calledAt = stubCopy(fx, ec2, durationMs);
    await waitForImage(target, options);
    expect(fx.clock.now() - START - durationMs).toBeGreaterThanOrEqual(0);
    expect(fx.clock.now() - START - durationMs).toBeLessThanOrEqual(15_000);
    expect(Math.max(...fx.clock.sleeps)).toBe(15_000);
    const late = calledAt.filter((at) => at >= 60_000);
    for (const from of late) expect(late.filter((at) => at >= from && at < from + 60_000).length).toBeLessThanOrEqual(6);
  });

  it('reads the image at least every third poll while the snapshots look pending', async () => {
    const { fx, target, options, ec2 } = setup(2);
    stubCopy(fx, ec2, 60 * 60_000, () => '1%');
    await expect(waitForImage(target, options)).rejects.toThrow(/wait-timeout-minutes/);
    const sent = polls(fx);
    expect(sent.slice(0, 10)).toEqual([
      'DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeImages',
      'DescribeSnapshots', 'DescribeSnapshots', 'DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots',
    ]);
    // After the first poll (image and snapshots), never more than two polls in a row without the image.
    const imageReads = sent.flatMap((c, i) => (c === 'DescribeImages' ? [i] : []));
    expect(imageReads.length).toBeGreaterThanOrEqual(4);
    for (let i = 2; i < imageReads.length; i++) expect((imageReads[i] as number) - (imageReads[i - 1] as number)).toBeLessThanOrEqual(3);
  });

  it('reads only the image once every snapshot completed, until the image is available', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolvesOnce(pending()).resolvesOnce(pending()).resolvesOnce(pending()).resolves(available());
    ec2.on(DescribeSnapshotsCommand).resolvesOnce(progress('50%')).resolves({ Snapshots: snapshots(snapshotIds, 'cmk') });
    await waitForImage(target, options);
    expect(polls(fx)).toEqual(['DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeImages', 'DescribeImages', 'DescribeImages']);
    // Polled at the estimate, then backing off from 1 s while the image lags behind its snapshots.
    expect(fx.clock.sleeps).toEqual([2000, 1000, 1000]);
  });

  it('logs a progress line only when the progress changed', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolvesOnce(pending()).resolves(available());
    ec2.on(DescribeSnapshotsCommand).resolvesOnce(progress('10%')).resolvesOnce(progress('10%')).resolvesOnce(progress('20%')).resolves({ Snapshots: snapshots(snapshotIds, 'cmk') });
    await waitForImage(target, options);
    expect(fx.log.messages('info').filter((m) => m.includes(': pending,'))).toHaveLength(2);
  });

  it('does not describe snapshots before the copy has any', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolvesOnce({ Images: [{ ...image({ imageId, state: 'pending' }), BlockDeviceMappings: [] }] }).resolves(available());
    await waitForImage(target, options);
    expect(polls(fx)).toEqual(['DescribeImages', 'DescribeImages']);
    expect(fx.log.messages('info')).toContain(`target copy in ${region} ${imageId}: pending, snapshots not started`);
  });

  it('backs off from 2 s by 1.5 up to 15 s while there is no progress to estimate from', async () => {
    const { fx, target, options, ec2 } = setup(2);
    ec2.on(DescribeImagesCommand).resolves(pending());
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: snapshots(snapshotIds, 'cmk', { State: 'pending', Progress: undefined }) });
    await expect(waitForImage(target, options)).rejects.toThrow(/wait-timeout-minutes/);
    expect(fx.clock.sleeps.slice(0, 8)).toEqual([2000, 3000, 4500, 6750, 10_125, 15_000, 15_000, 15_000]);
    expect(Math.max(...fx.clock.sleeps)).toBe(15_000);
  });

  it('honours the first and maximum delays it is given', async () => {
    const { fx, target, options, ec2 } = setup();
    stubCopy(fx, ec2, 20_000, () => '1%');
    await waitForImage(target, { ...options, firstDelayMs: 1000, maxDelayMs: 4000 });
    expect(fx.clock.sleeps.slice(0, 6)).toEqual([1000, 1500, 2250, 3375, 4000, 4000]);
  });

  it('fails on a copy that turns failed, with its StateReason and KMS as the probable cause', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeSnapshotsCommand).resolves(progress('0%'));
    ec2.on(DescribeImagesCommand).resolvesOnce(pending()).resolves({ Images: [{ ...image({ imageId, snapshotIds, state: 'failed' }), StateReason: { Code: 'Client.InvalidKMSKey.InvalidState', Message: KMS_REASON } }] });

    const error = await waitForImage(target, options).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PromotionError);
    const message = (error as PromotionError).message;
    expect(message).toContain(KMS_REASON);
    expect(message).toMatch(/KMS/);
    expect(message).toContain(targetKeyArn(region));
    expect(message).toContain(`target account ${TARGET_ACCOUNT}`);
    expect(message).toContain(region);
    expect((error as PromotionError).details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region });
    // Its snapshots still look pending: the image read every third poll sees it.
    expect(polls(fx)).toEqual(['DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeImages']);
    expect(fx.clock.now() - START).toBeLessThanOrEqual(45_000);
  });

  it('reads the image at once when a snapshot turns error, and explains the failed copy by its StateReason', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolvesOnce(pending()).resolves({ Images: [{ ...image({ imageId, snapshotIds, state: 'failed' }), StateReason: { Code: 'Client.InvalidKMSKey.InvalidState', Message: KMS_REASON } }] });
    ec2.on(DescribeSnapshotsCommand).resolvesOnce(progress('5%')).resolves({ Snapshots: snapshots(snapshotIds, 'cmk', { State: 'error', Progress: '5%', StateMessage: 'Given key ID is not accessible' }) });
    const error = (await waitForImage(target, options).catch((e: unknown) => e)) as PromotionError;
    expect(error.message).toContain(`the copy ended failed: ${KMS_REASON}`);
    expect(error.message).toMatch(/KMS/);
    expect(polls(fx)).toEqual(['DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeImages']);
  });

  it('names KMS as the probable cause of a failed copy even when the StateReason does not mention the key', async () => {
    const { target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolves({
      Images: [{ ...image({ imageId, snapshotIds, state: 'failed' }), StateReason: { Code: 'Server.InternalError', Message: 'Copy of snapshot failed' } }],
    });
    const error = (await waitForImage(target, options).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain('Copy of snapshot failed');
    expect(error.message).toMatch(/KMS/);
  });

  it('fails when a snapshot of the copy is in error while the image is still pending', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolves(pending());
    ec2.on(DescribeSnapshotsCommand).resolvesOnce(progress('5%')).resolves({
      Snapshots: [
        ...snapshots([snapshotIds[0] as string], 'cmk', { State: 'pending', Progress: '40%' }),
        ...snapshots([snapshotIds[1] as string], 'cmk', { State: 'error', Progress: '0%', StateMessage: 'Given key ID is not accessible' }),
      ],
    });
    const error = (await waitForImage(target, options).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain(`snapshot ${snapshotIds[1]}`);
    expect(error.message).toContain('error');
    expect(error.message).toContain('Given key ID is not accessible');
    expect(error.message).toMatch(/KMS/);
    expect(polls(fx)).toEqual(['DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeImages']);
  });

  it('stops at wait-timeout-minutes with the last progress', async () => {
    const { fx, target, options, ec2 } = setup(10);
    ec2.on(DescribeImagesCommand).resolves(pending());
    ec2.on(DescribeSnapshotsCommand).resolves(progress('37%'));
    const error = (await waitForImage(target, options).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain('wait-timeout-minutes');
    expect(error.message).toContain('37%');
    expect(fx.clock.now()).toBe(START + 10 * 60_000);
    expect(fx.clock.sleeps.reduce((a, b) => a + b, 0)).toBe(10 * 60_000);
    expect(Math.max(...fx.clock.sleeps)).toBeLessThanOrEqual(15_000);
  });

  it('stops at once when the signal aborts, without another poll', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolves(pending());
    ec2.on(DescribeSnapshotsCommand).resolves(progress('37%'));
    const reason = new Error('The job was cancelled (SIGTERM).');
    fx.clock.onSleep = () => {
      if (fx.clock.sleeps.length === 2) fx.abort.abort(reason);
    };
    await expect(waitForImage(target, options)).rejects.toBe(reason);
    expect(polls(fx)).toEqual(['DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots']);
  });

  it('a request the cancellation aborts ends the wait with the cancellation, not as an AWS error', async () => {
    const { fx, target, options, ec2 } = setup();
    const reason = new Error('The job was cancelled (SIGTERM).');
    const aborted = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    ec2.on(DescribeImagesCommand).callsFake(() => {
      fx.abort.abort(reason);
      throw aborted;
    });
    await expect(waitForImage(target, options)).rejects.toBe(reason);
  });

  it('a DescribeSnapshots the cancellation aborts ends the wait with the cancellation', async () => {
    const { fx, target, options, ec2 } = setup();
    const reason = new Error('The job was cancelled (SIGTERM).');
    ec2.on(DescribeImagesCommand).resolves(pending());
    ec2.on(DescribeSnapshotsCommand).callsFake(() => {
      fx.abort.abort(reason);
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    await expect(waitForImage(target, options)).rejects.toBe(reason);
  });

  it('a copy found before (another run\'s) that DescribeImages no longer returns was removed: it fails at once, without waiting for it to show', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    const error = (await waitForImage({ ...target, seen: true }, options).catch((e: unknown) => e)) as PromotionError;
    expect(error.message).toContain('the copy ended deregistered: the image disappeared');
    expect(fx.clock.sleeps).toEqual([]);
  });

  it('does not start when the signal is already aborted', async () => {
    const { fx, target, options, ec2 } = setup();
    const reason = new Error('cancelled');
    fx.abort.abort(reason);
    await expect(waitForImage(target, options)).rejects.toBe(reason);
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 0);
  });

  it('waits while a new copy is not visible yet (eventual consistency), then follows it', async () => {
    const { target, options, ec2 } = setup();
    ec2
      .on(DescribeImagesCommand)
      .rejectsOnce(awsError('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`))
      .resolvesOnce({ Images: [] })
      .resolvesOnce(pending())
      .resolves(available());
    ec2.on(DescribeSnapshotsCommand).rejectsOnce(awsError('InvalidSnapshot.NotFound', 'not yet')).resolves(progress('50%'));
    const result = await waitForImage(target, options);
    expect(result.ImageId).toBe(imageId);
    // Snapshots not found: the next poll reads the image again.
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 4);
  });

  it('fails when a copy it has seen disappears: its snapshots not found, the image read again is gone', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolvesOnce(pending()).resolves({ Images: [] });
    ec2.on(DescribeSnapshotsCommand).resolvesOnce(progress('50%')).rejects(awsError('InvalidSnapshot.NotFound', 'gone'));
    const error = (await waitForImage(target, options).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain('disappeared');
    expect(error.message).not.toMatch(/KMS/);
    expect(polls(fx)).toEqual(['DescribeImages', 'DescribeSnapshots', 'DescribeSnapshots', 'DescribeImages']);
  });

  it('fails when a copy never becomes visible', async () => {
    const { target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).rejects(awsError('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`));
    const error = (await waitForImage(target, options).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain(imageId);
    expect(error.message).toMatch(/not found|does not exist|disappeared/);
    expect(options.clock.now() - START).toBeLessThan(10 * 60_000);
  });

  it('explains a denied DescribeImages with the IAM statement', async () => {
    const { target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = (await waitForImage(target, options).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain('ec2:DescribeImages');
    expect(error.message).toContain(TARGET_ROLE);
  });

  it('explains a denied DescribeSnapshots with the IAM statement', async () => {
    const { target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolves(pending());
    ec2.on(DescribeSnapshotsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = (await waitForImage(target, options).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain('ec2:DescribeSnapshots');
    expect(error.message).toContain(TARGET_ROLE);
  });
});
