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

describe('waiting for a copy', () => {
  it('polls one DescribeImages and at most one DescribeSnapshots per poll, logging the progress, until available', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand, { ImageIds: [imageId] }).resolvesOnce(pending()).resolvesOnce(pending()).resolvesOnce(pending()).resolves(available());
    ec2
      .on(DescribeSnapshotsCommand, { SnapshotIds: snapshotIds })
      .resolvesOnce(progress('10%'))
      .resolvesOnce(progress('55%'))
      .resolves(progress('90%'));

    const result = await waitForImage(target, options);

    expect(result.ImageId).toBe(imageId);
    expect(result.State).toBe('available');
    expect(polls(fx)).toEqual(['DescribeImages', 'DescribeSnapshots', 'DescribeImages', 'DescribeSnapshots', 'DescribeImages', 'DescribeSnapshots', 'DescribeImages']);
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 4);
    for (const call of ec2.commandCalls(DescribeImagesCommand)) expect(call.args[0].input).toEqual({ ImageIds: [imageId] });
    for (const call of ec2.commandCalls(DescribeSnapshotsCommand)) expect(call.args[0].input).toEqual({ SnapshotIds: snapshotIds });
    const info = fx.log.messages('info');
    expect(info).toEqual(
      expect.arrayContaining([
        `target copy in ${region} ${imageId}: pending, ${snapshotIds[0]} 10%, ${snapshotIds[1]} 10%`,
        `target copy in ${region} ${imageId}: pending, ${snapshotIds[0]} 55%, ${snapshotIds[1]} 55%`,
        `target copy in ${region} ${imageId}: pending, ${snapshotIds[0]} 90%, ${snapshotIds[1]} 90%`,
      ]),
    );
    expect(info.at(-1)).toBe(`target copy in ${region} ${imageId} is available after 10 s.`);
    expect(fx.clock.sleeps).toEqual([2000, 3000, 4500]);
  });

  it('logs a progress line only when the progress changed', async () => {
    const { fx, target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolvesOnce(pending()).resolvesOnce(pending()).resolvesOnce(pending()).resolves(available());
    ec2.on(DescribeSnapshotsCommand).resolvesOnce(progress('10%')).resolvesOnce(progress('10%')).resolves(progress('20%'));
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

  it('backs off: the sleeps grow from the first delay and are capped', async () => {
    const { fx, target, options, ec2 } = setup();
    let behavior = ec2.on(DescribeImagesCommand);
    for (let i = 0; i < 14; i++) behavior = behavior.resolvesOnce(pending());
    behavior.resolves(available());
    ec2.on(DescribeSnapshotsCommand).resolves(progress('1%'));

    await waitForImage(target, options);

    const sleeps = fx.clock.sleeps;
    expect(sleeps).toHaveLength(14);
    expect(sleeps[0]).toBe(2000);
    for (let i = 1; i < sleeps.length; i++) expect(sleeps[i]).toBeGreaterThanOrEqual(sleeps[i - 1] as number);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] as number);
    expect(Math.max(...sleeps)).toBe(30_000);
    expect(sleeps.slice(-4)).toEqual([30_000, 30_000, 30_000, 30_000]);
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 15);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 14);
  });

  it('honours the first and maximum delays it is given', async () => {
    const { fx, target, options, ec2 } = setup();
    let behavior = ec2.on(DescribeImagesCommand);
    for (let i = 0; i < 6; i++) behavior = behavior.resolvesOnce(pending());
    behavior.resolves(available());
    ec2.on(DescribeSnapshotsCommand).resolves(progress('1%'));
    await waitForImage(target, { ...options, firstDelayMs: 1000, maxDelayMs: 4000 });
    expect(fx.clock.sleeps).toEqual([1000, 1500, 2250, 3375, 4000, 4000]);
  });

  it('fails on a copy that turns failed, with its StateReason and KMS as the probable cause', async () => {
    const { target, options, ec2 } = setup();
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
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
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

  it('fails when a snapshot of the copy is in error', async () => {
    const { target, options, ec2 } = setup();
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
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
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
    expect(Math.max(...fx.clock.sleeps)).toBeLessThanOrEqual(30_000);
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
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
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
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 4);
  });

  it('fails when a copy it has seen disappears', async () => {
    const { target, options, ec2 } = setup();
    ec2.on(DescribeImagesCommand).resolvesOnce(pending()).resolves({ Images: [] });
    ec2.on(DescribeSnapshotsCommand).resolves(progress('50%'));
    const error = (await waitForImage(target, options).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain('disappeared');
    expect(error.message).not.toMatch(/KMS/);
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
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
});
