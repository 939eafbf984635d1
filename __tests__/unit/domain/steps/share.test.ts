import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImageAttributeCommand, DescribeSnapshotAttributeCommand, ModifyImageAttributeCommand, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { shareWithTargets } from '../../../../src/domain/steps/share.js';
import { INTERMEDIATE_AMI, SOURCE_ACCOUNT, SOURCE_REGION, TARGET_ACCOUNT, awsError, buildContext, intermediateSnapshotIds } from '../../../support/pipeline-fixtures.js';

const snapshotIds = intermediateSnapshotIds(2);
const shared = { imageId: INTERMEDIATE_AMI, snapshotIds, intermediate: true, deviceSnapshots: {} };

function setup(overrides: Parameters<typeof buildContext>[0] = {}) {
  const fx = buildContext(overrides);
  const ec2 = fx.source.ec2(SOURCE_REGION);
  ec2.on(DescribeImageAttributeCommand).resolves({ ImageId: INTERMEDIATE_AMI, LaunchPermissions: [] });
  ec2.on(ModifyImageAttributeCommand).resolves({});
  ec2.on(DescribeSnapshotAttributeCommand).resolves({ CreateVolumePermissions: [] });
  ec2.on(ModifySnapshotAttributeCommand).resolves({});
  return { fx, ec2 };
}

describe('sharing with the target account', () => {
  it('adds a launch permission on the AMI and a volume permission on every snapshot, for the target account only', async () => {
    const { fx, ec2 } = setup();
    const report = await shareWithTargets(fx.ctx, shared);

    expect(ec2.commandCalls(DescribeImageAttributeCommand).map((c) => c.args[0].input)).toEqual([{ ImageId: INTERMEDIATE_AMI, Attribute: 'launchPermission' }]);
    expect(ec2.commandCalls(ModifyImageAttributeCommand).map((c) => c.args[0].input)).toEqual([
      { ImageId: INTERMEDIATE_AMI, LaunchPermission: { Add: [{ UserId: TARGET_ACCOUNT }] } },
    ]);
    expect(ec2.commandCalls(DescribeSnapshotAttributeCommand).map((c) => c.args[0].input)).toEqual(
      snapshotIds.map((SnapshotId) => ({ SnapshotId, Attribute: 'createVolumePermission' })),
    );
    expect(ec2.commandCalls(ModifySnapshotAttributeCommand).map((c) => c.args[0].input)).toEqual(
      snapshotIds.map((SnapshotId) => ({ SnapshotId, Attribute: 'createVolumePermission', CreateVolumePermission: { Add: [{ UserId: TARGET_ACCOUNT }] } })),
    );
    expect(JSON.stringify(fx.sent.map((c) => c.input))).not.toContain('Group');
    expect(new Set(fx.sent.map((c) => `${c.side} ${c.service} ${c.region}`))).toEqual(new Set([`source ec2 ${SOURCE_REGION}`]));
    expect(fx.journal.entries()).toEqual([
      { kind: 'launch-permission', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, accountId: TARGET_ACCOUNT },
      ...snapshotIds.map((snapshotId) => ({ kind: 'volume-permission', region: SOURCE_REGION, snapshotId, accountId: TARGET_ACCOUNT })),
    ]);
    expect(report).toEqual({ added: [INTERMEDIATE_AMI, ...snapshotIds], alreadyShared: [] });
  });

  it('copy-method snapshots: shares only the snapshots, never reads or adds a launch permission', async () => {
    const { fx, ec2 } = setup({ copyMethod: 'snapshots' });
    const report = await shareWithTargets(fx.ctx, shared);
    expect(ec2.commandCalls(DescribeImageAttributeCommand)).toHaveLength(0);
    expect(ec2.commandCalls(ModifyImageAttributeCommand)).toHaveLength(0);
    expect(ec2.commandCalls(ModifySnapshotAttributeCommand)).toHaveLength(snapshotIds.length);
    expect(fx.journal.entries().map((e) => e.kind)).toEqual(snapshotIds.map(() => 'volume-permission'));
    expect(report).toEqual({ added: snapshotIds, alreadyShared: [] });
  });

  it('neither re-adds nor journals what the target account could already use', async () => {
    const { fx, ec2 } = setup();
    ec2.on(DescribeImageAttributeCommand).resolves({ LaunchPermissions: [{ UserId: SOURCE_ACCOUNT }, { UserId: TARGET_ACCOUNT }] });
    ec2.on(DescribeSnapshotAttributeCommand, { SnapshotId: snapshotIds[1] }).resolves({ CreateVolumePermissions: [{ UserId: TARGET_ACCOUNT }] });
    const report = await shareWithTargets(fx.ctx, shared);
    expect(ec2).toHaveReceivedCommandTimes(ModifyImageAttributeCommand, 0);
    expect(ec2.commandCalls(ModifySnapshotAttributeCommand).map((c) => c.args[0].input.SnapshotId)).toEqual([snapshotIds[0], snapshotIds[2]]);
    expect(fx.journal.entries()).toEqual([
      { kind: 'volume-permission', region: SOURCE_REGION, snapshotId: snapshotIds[0], accountId: TARGET_ACCOUNT },
      { kind: 'volume-permission', region: SOURCE_REGION, snapshotId: snapshotIds[2], accountId: TARGET_ACCOUNT },
    ]);
    expect(report).toEqual({ added: [snapshotIds[0], snapshotIds[2]], alreadyShared: [INTERMEDIATE_AMI, snapshotIds[1]] });
  });

  it('still shares with the account by id when the AMI is public, and never touches the public permission', async () => {
    const { fx, ec2 } = setup();
    ec2.on(DescribeImageAttributeCommand).resolves({ LaunchPermissions: [{ Group: 'all' }] });
    await shareWithTargets(fx.ctx, shared);
    expect(ec2.commandCalls(ModifyImageAttributeCommand).map((c) => c.args[0].input)).toEqual([
      { ImageId: INTERMEDIATE_AMI, LaunchPermission: { Add: [{ UserId: TARGET_ACCOUNT }] } },
    ]);
  });

  it('journals what it shared before a failure, and explains the failure (the snapshots are shared in parallel)', async () => {
    const { fx, ec2 } = setup();
    ec2.on(ModifySnapshotAttributeCommand, { SnapshotId: snapshotIds[1] }).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = (await shareWithTargets(fx.ctx, shared).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
    expect(error.message).toContain('"Action": "ec2:ModifySnapshotAttribute"');
    expect(fx.journal.entries()).toEqual([
      { kind: 'launch-permission', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, accountId: TARGET_ACCOUNT },
      { kind: 'volume-permission', region: SOURCE_REGION, snapshotId: snapshotIds[0], accountId: TARGET_ACCOUNT },
      { kind: 'volume-permission', region: SOURCE_REGION, snapshotId: snapshotIds[2], accountId: TARGET_ACCOUNT },
    ]);
    expect(ec2).toHaveReceivedCommandTimes(ModifySnapshotAttributeCommand, 3);
  });

  it('shares with every target account in one call per resource, only those not shared yet, within each call\'s limit (500 for a snapshot)', async () => {
    const { fx, ec2 } = setup();
    const accounts = Array.from({ length: 502 }, (_, i) => String(300000000000 + i));
    fx.ctx.targets = accounts.map((accountId) => ({ ...fx.ctx.target, identity: { ...fx.ctx.target.identity, accountId } }));
    ec2.on(DescribeImageAttributeCommand).resolves({ ImageId: INTERMEDIATE_AMI, LaunchPermissions: [{ UserId: accounts[0] }] });
    const report = await shareWithTargets(fx.ctx, shared);
    const imageBatches = ec2.commandCalls(ModifyImageAttributeCommand).map((c) => c.args[0].input.LaunchPermission?.Add?.map((p) => p.UserId));
    expect(imageBatches).toEqual([accounts.slice(1)]);
    const snapshotBatches = ec2.commandCalls(ModifySnapshotAttributeCommand).map((c) => c.args[0].input.CreateVolumePermission?.Add?.length);
    expect(snapshotBatches.sort()).toEqual(snapshotIds.flatMap(() => [500, 2]).sort());
    expect(report).toEqual({ added: [INTERMEDIATE_AMI, ...snapshotIds], alreadyShared: [INTERMEDIATE_AMI] });
    expect(fx.journal.entries().filter((e) => e.kind === 'launch-permission')).toHaveLength(501);
  });
});
