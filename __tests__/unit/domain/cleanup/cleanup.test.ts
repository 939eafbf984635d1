import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  type Image,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { RetireGrantCommand, RevokeGrantCommand } from '@aws-sdk/client-kms';
import { cleanUp } from '../../../../src/domain/cleanup/cleanup.js';
import { describeEntry, nothingToUndo } from '../../../../src/domain/cleanup/journal-view.js';
import type { CleanupContext } from '../../../../src/domain/cleanup/report.js';
import type { Logger } from '../../../../src/domain/context.js';
import { MemoryJournal, type JournalEntry } from '../../../../src/domain/journal.js';
import { KEY_ARN, OTHER_ACCOUNT, SECOND_REGION as TARGET_REGION, SOURCE_ACCOUNT, SOURCE_AMI, SOURCE_REGION as REGION, SOURCE_ROLE, TARGET_ACCOUNT } from '../../../support/accounts.js';
import { CommandLog, awsError, fakeAccount } from '../../../support/fake-accounts.js';
import { FakeClock } from '../../../support/pipeline-fixtures.js';

const INTERMEDIATE = 'ami-0aaaaaaaaaaaaaaa1';
const SNAP_1 = 'snap-0aaaaaaaaaaaaaaa1';
const SNAP_2 = 'snap-0aaaaaaaaaaaaaaa2';
const TARGET_COPY = 'ami-0bbbbbbbbbbbbbbb1';
const TARGET_SNAP = 'snap-0bbbbbbbbbbbbbbb1';
const GRANT_ID = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2';
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);

const intermediateEntry: JournalEntry = { kind: 'intermediate-copy', region: REGION, imageId: INTERMEDIATE, snapshotIds: [SNAP_1, SNAP_2] };
const shareEntries: JournalEntry[] = [
  { kind: 'launch-permission', region: REGION, imageId: INTERMEDIATE, accountId: TARGET_ACCOUNT },
  { kind: 'volume-permission', region: REGION, snapshotId: SNAP_1, accountId: TARGET_ACCOUNT },
  { kind: 'volume-permission', region: REGION, snapshotId: SNAP_2, accountId: TARGET_ACCOUNT },
];
const grantEntry: JournalEntry = { kind: 'grant', region: REGION, keyArn: KEY_ARN, grantId: GRANT_ID, grantName: 'promote-ami-987-1' };
const pendingCopyEntry: JournalEntry = { kind: 'target-copy', accountId: TARGET_ACCOUNT, region: TARGET_REGION, imageId: TARGET_COPY };
const doneCopyEntry: JournalEntry = { kind: 'target-copy-done', accountId: TARGET_ACCOUNT, region: TARGET_REGION, imageId: TARGET_COPY };
const keyPolicyEntry: JournalEntry = { kind: 'key-policy-statement', region: REGION, keyArn: KEY_ARN, sid: 'PromoteAmiTarget222222222222' };

const intermediateTags = [
  { Key: 'promote-ami:role', Value: 'intermediate' },
  { Key: 'promote-ami:source-ami-id', Value: SOURCE_AMI },
];
const promotedTags = [
  { Key: 'promote-ami:role', Value: 'promoted' },
  { Key: 'promote-ami:source-ami-id', Value: SOURCE_AMI },
];

const intermediateImage: Image = {
  ImageId: INTERMEDIATE,
  State: 'available',
  Tags: intermediateTags,
  BlockDeviceMappings: [
    { DeviceName: '/dev/xvda', Ebs: { SnapshotId: SNAP_1 } },
    { DeviceName: '/dev/xvdb', Ebs: { SnapshotId: SNAP_2 } },
  ],
};
const targetImage: Image = {
  ImageId: TARGET_COPY,
  State: 'pending',
  Tags: promotedTags,
  BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: TARGET_SNAP } }],
};
const snapshot = (id: string, tags: Snapshot['Tags'], description = ''): Snapshot => ({ SnapshotId: id, Tags: tags, Description: description });

/** Every run's command log, checked after each test: nothing is ever added or made public. */
let current: CommandLog | undefined;
afterEach(() => {
  const text = JSON.stringify(current?.sent ?? []);
  expect(text).not.toMatch(/"Add"|"Group"|"all"|OperationType/);
  current = undefined;
});

/** Source and target accounts whose AWS answers as if everything the journal names still exists and is ours. */
function setup(entries: JournalEntry[]) {
  const log = new CommandLog();
  current = log;
  const source = fakeAccount('source', [REGION], log);
  const target = fakeAccount('target', [REGION, TARGET_REGION], log);
  const src = source.ec2(REGION);
  src.on(ModifyImageAttributeCommand).resolves({});
  src.on(ModifySnapshotAttributeCommand).resolves({});
  src.on(DescribeImageAttributeCommand).resolves({ ImageId: INTERMEDIATE, LaunchPermissions: [] });
  src.on(DescribeImagesCommand).resolves({ Images: [intermediateImage] });
  src.on(CreateTagsCommand).resolves({});
  src.on(DeleteTagsCommand).resolves({});
  src.on(DeregisterImageCommand).resolves({ Return: true });
  src.on(DescribeSnapshotsCommand, { SnapshotIds: [SNAP_1] }).resolves({ Snapshots: [snapshot(SNAP_1, intermediateTags)] });
  src.on(DescribeSnapshotsCommand, { SnapshotIds: [SNAP_2] }).resolves({ Snapshots: [snapshot(SNAP_2, intermediateTags)] });
  src.on(DeleteSnapshotCommand).resolves({});
  source.kms(REGION).on(RetireGrantCommand).resolves({});
  const tgt = target.ec2(TARGET_REGION);
  tgt.on(DescribeImagesCommand).resolves({ Images: [targetImage] });
  tgt.on(DeregisterImageCommand).resolves({ Return: true });
  tgt.on(DescribeSnapshotsCommand).rejects(awsError('InvalidSnapshot.NotFound', `The snapshot '${TARGET_SNAP}' does not exist.`));
  tgt.on(DeleteSnapshotCommand).resolves({});

  const journal = new MemoryJournal(entries);
  const lines: string[] = [];
  const logger: Logger = {
    info: (message) => lines.push(message),
    warning: (message) => lines.push(`warning: ${message}`),
    debug: () => undefined,
    group: (_name, fn) => fn(),
  };
  const clock = new FakeClock(NOW);
  const ctx: CleanupContext = {
    source: { clients: source.clients, accountId: SOURCE_ACCOUNT, roleArn: SOURCE_ROLE },
    targets: [{ clients: target.clients, accountId: TARGET_ACCOUNT }],
    journal,
    log: logger,
    clock,
  };
  return { log, source, target, src, tgt, journal, lines, ctx, clock, run: () => cleanUp(ctx) };
}

/** A look at who else uses the intermediate copy: its launch permissions, then its tags (leases). */
const look: [string, unknown][] = [
  ['DescribeImageAttribute', { ImageId: INTERMEDIATE, Attribute: 'launchPermission' }],
  ['DescribeImages', { ImageIds: [INTERMEDIATE] }],
];
/** The going mark of a cleanup whose journal has no lease (named "cleanup"), valid for a minute. */
const markGoing = (holder = 'cleanup'): [string, unknown] => [
  'CreateTags',
  { Resources: [INTERMEDIATE], Tags: [{ Key: `promote-ami:going:${holder}`, Value: expect.any(String) }] },
];
/** The commands that remove the intermediate copy once nothing else uses it: look, mark it as going, look again, deregister. */
const intermediateRemoval: [string, unknown][] = [
  ...look,
  markGoing(),
  ...look,
  ['DeregisterImage', { ImageId: INTERMEDIATE, DeleteAssociatedSnapshots: true }],
  ['DescribeSnapshots', { SnapshotIds: [SNAP_1] }],
  ['DescribeSnapshots', { SnapshotIds: [SNAP_2] }],
  ['DeleteSnapshot', { SnapshotId: SNAP_1 }],
  ['DeleteSnapshot', { SnapshotId: SNAP_2 }],
];
/** Where in intermediateRemoval the deregistration is. */
const DEREGISTER = 5;
const shareRemoval: [string, unknown][] = [
  ['ModifyImageAttribute', { ImageId: INTERMEDIATE, LaunchPermission: { Remove: [{ UserId: TARGET_ACCOUNT }] } }],
  ['ModifySnapshotAttribute', { SnapshotId: SNAP_1, Attribute: 'createVolumePermission', CreateVolumePermission: { Remove: [{ UserId: TARGET_ACCOUNT }] } }],
  ['ModifySnapshotAttribute', { SnapshotId: SNAP_2, Attribute: 'createVolumePermission', CreateVolumePermission: { Remove: [{ UserId: TARGET_ACCOUNT }] } }],
];
const grantRemoval: [string, unknown][] = [['RetireGrant', { KeyId: KEY_ARN, GrantId: GRANT_ID }]];
const targetCopyRemoval: [string, unknown][] = [
  ['DescribeImages', { ImageIds: [TARGET_COPY] }],
  ['DeregisterImage', { ImageId: TARGET_COPY, DeleteAssociatedSnapshots: true }],
  ['DescribeSnapshots', { SnapshotIds: [TARGET_SNAP] }],
];

describe('cleanUp after a failure in each stage', () => {
  it('removes the permissions of several target accounts on one resource in one call, and reports each account', async () => {
    const entries: JournalEntry[] = [TARGET_ACCOUNT, OTHER_ACCOUNT].flatMap((accountId) => [
      { kind: 'launch-permission', region: REGION, imageId: INTERMEDIATE, accountId },
      { kind: 'volume-permission', region: REGION, snapshotId: SNAP_1, accountId },
    ]);
    const t = setup(entries);
    const report = await t.run();
    const both = [{ UserId: TARGET_ACCOUNT }, { UserId: OTHER_ACCOUNT }];
    expect(t.log.of('source')).toEqual([
      ['ModifyImageAttribute', { ImageId: INTERMEDIATE, LaunchPermission: { Remove: both } }],
      ['ModifySnapshotAttribute', { SnapshotId: SNAP_1, Attribute: 'createVolumePermission', CreateVolumePermission: { Remove: both } }],
    ]);
    expect(report.removed.map((item) => item.what)).toEqual([
      `launch permission of account ${TARGET_ACCOUNT} on ${INTERMEDIATE}`,
      `launch permission of account ${OTHER_ACCOUNT} on ${INTERMEDIATE}`,
      `createVolumePermission of account ${TARGET_ACCOUNT} on ${SNAP_1}`,
      `createVolumePermission of account ${OTHER_ACCOUNT} on ${SNAP_1}`,
    ]);
  });

  it('with several target accounts: each unfinished copy is removed with the credentials of its own account, and named with it', async () => {
    const t = setup([{ ...pendingCopyEntry, accountId: OTHER_ACCOUNT }, pendingCopyEntry]);
    const otherLog = new CommandLog();
    const other = fakeAccount('target', [TARGET_REGION], otherLog);
    other.ec2(TARGET_REGION).on(DescribeImagesCommand).resolves({ Images: [targetImage] });
    other.ec2(TARGET_REGION).on(DeregisterImageCommand).resolves({ Return: true });
    other.ec2(TARGET_REGION).on(DescribeSnapshotsCommand).rejects(awsError('InvalidSnapshot.NotFound', `The snapshot '${TARGET_SNAP}' does not exist.`));
    t.ctx.targets = [...t.ctx.targets, { clients: other.clients, accountId: OTHER_ACCOUNT }];
    const report = await t.run();
    expect(otherLog.of('target')).toEqual(targetCopyRemoval);
    expect(t.log.of('target')).toEqual(targetCopyRemoval);
    expect(report.removed.filter((item) => item.what === `unfinished copy ${TARGET_COPY}`).map((item) => item.accountId)).toEqual([OTHER_ACCOUNT, TARGET_ACCOUNT]);
  });

  it('after re-encryption: removes the intermediate copy and its tagged snapshots with source credentials', async () => {
    const t = setup([intermediateEntry]);
    const report = await t.run();
    expect(t.log.of('source')).toEqual(intermediateRemoval);
    expect(t.log.of('target')).toEqual([]);
    expect(report.failed).toEqual([]);
    expect(report.removed.map((item) => item.what)).toEqual([
      `intermediate copy ${INTERMEDIATE}`,
      `snapshot ${SNAP_1} of ${INTERMEDIATE}`,
      `snapshot ${SNAP_2} of ${INTERMEDIATE}`,
    ]);
    expect(report.removed[0]).toEqual({ what: `intermediate copy ${INTERMEDIATE}`, side: 'source', accountId: SOURCE_ACCOUNT, region: REGION });
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('after re-encryption: snapshots DeregisterImage deleted with the copy are not asked for again; one it could not delete is', async () => {
    const t = setup([intermediateEntry]);
    t.src.on(DeregisterImageCommand).resolves({
      Return: true,
      DeleteSnapshotResults: [
        { SnapshotId: SNAP_1, ReturnCode: 'success' },
        { SnapshotId: SNAP_2, ReturnCode: 'client-error' },
      ],
    });
    const report = await t.run();
    expect(t.log.of('source')).toEqual([
      ...intermediateRemoval.slice(0, DEREGISTER + 1),
      ['DescribeSnapshots', { SnapshotIds: [SNAP_2] }],
      ['DeleteSnapshot', { SnapshotId: SNAP_2 }],
    ]);
    expect(report.removed.map((item) => item.what)).toEqual([`intermediate copy ${INTERMEDIATE}`, `snapshot ${SNAP_2} of ${INTERMEDIATE}`]);
  });

  it('cancelled while the intermediate copy was pending: its snapshots, unknown to the journal, come from the image', async () => {
    const t = setup([{ ...intermediateEntry, snapshotIds: [] }]);
    const report = await t.run();
    expect(t.log.of('source')).toEqual(intermediateRemoval);
    expect(report.removed.map((item) => item.what)).toContain(`snapshot ${SNAP_2} of ${INTERMEDIATE}`);
  });

  it('after sharing: removes only the recorded account from the AMI and each snapshot, then the copy', async () => {
    const t = setup([intermediateEntry, ...shareEntries]);
    const report = await t.run();
    expect(t.log.of('source')).toEqual([...shareRemoval, ...intermediateRemoval]);
    expect(t.log.of('target')).toEqual([]);
    expect(report.failed).toEqual([]);
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('after the grant: retires it on the source key with source credentials, before removing the copy', async () => {
    const t = setup([intermediateEntry, ...shareEntries, grantEntry]);
    await t.run();
    expect(t.log.of('source')).toEqual([...shareRemoval, ...grantRemoval, ...intermediateRemoval]);
    expect(t.source.kms(REGION).commandCalls(RetireGrantCommand)).toHaveLength(1);
    expect(t.log.of('target')).toEqual([]);
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('during the target copy: deregisters the pending copy with target credentials in its region, before the intermediate copy it reads from', async () => {
    const t = setup([intermediateEntry, ...shareEntries, grantEntry, pendingCopyEntry]);
    const report = await t.run();
    const names = t.log.names();
    expect(names.lastIndexOf('target DescribeSnapshots')).toBeLessThan(names.indexOf('source DeregisterImage'));
    expect(t.log.of('target')).toEqual(targetCopyRemoval);
    expect(t.tgt.calls()).toHaveLength(3);
    expect(t.target.ec2(REGION).calls()).toHaveLength(0);
    expect(t.log.of('source')).toEqual([...shareRemoval, ...grantRemoval, ...intermediateRemoval]);
    expect(report.removed).toContainEqual({ what: `unfinished copy ${TARGET_COPY}`, side: 'target', accountId: TARGET_ACCOUNT, region: TARGET_REGION });
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('after full success without cleanup: never touches the promoted AMI and keeps the key-policy statement', async () => {
    const t = setup([intermediateEntry, ...shareEntries, grantEntry, keyPolicyEntry, pendingCopyEntry, doneCopyEntry]);
    const report = await t.run();
    expect(t.log.of('target')).toEqual([]);
    expect(t.log.of('source')).toEqual([...shareRemoval, ...grantRemoval, ...intermediateRemoval]);
    expect(report.kept).toEqual([
      expect.objectContaining({ what: `key-policy statement PromoteAmiTarget222222222222 on ${KEY_ARN}`, side: 'source', region: REGION }),
      expect.objectContaining({ what: `promoted AMI ${TARGET_COPY}`, side: 'target', accountId: TARGET_ACCOUNT, region: TARGET_REGION }),
    ]);
    expect(report.kept[0]?.reason).toMatch(/key-access is key-policy/);
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('removes the pending copy of one region but not the finished copy of another', async () => {
    const finished = 'ami-0ccccccccccccccc1';
    const t = setup([
      { kind: 'target-copy', accountId: TARGET_ACCOUNT, region: REGION, imageId: finished },
      { kind: 'target-copy-done', accountId: TARGET_ACCOUNT, region: REGION, imageId: finished },
      pendingCopyEntry,
    ]);
    await t.run();
    expect(t.target.ec2(REGION).calls()).toHaveLength(0);
    expect(t.log.of('target')).toEqual(targetCopyRemoval);
    expect(JSON.stringify(t.log.sent)).not.toContain(finished);
  });
});

describe('cleanUp leaves what is not its own', () => {
  it.each([
    ['no tags', []],
    ['another role', intermediateTags],
    ['another role value', [{ Key: 'promote-ami:role', Value: 'Promoted' }]],
  ])('never deregisters a target image with %s', async (_label, tags) => {
    const t = setup([pendingCopyEntry]);
    t.tgt.on(DescribeImagesCommand).resolves({ Images: [{ ...targetImage, Tags: tags }] });
    const report = await t.run();
    expect(t.log.of('target')).toEqual([['DescribeImages', { ImageIds: [TARGET_COPY] }]]);
    expect(t.tgt.commandCalls(DeregisterImageCommand)).toHaveLength(0);
    expect(t.tgt.commandCalls(DeleteSnapshotCommand)).toHaveLength(0);
    expect(report.kept).toEqual([expect.objectContaining({ what: `unfinished copy ${TARGET_COPY}`, side: 'target', region: TARGET_REGION })]);
    expect(report.kept[0]?.reason).toContain('promote-ami:role=promoted');
    expect(t.lines.join('\n')).toContain(`Kept unfinished copy ${TARGET_COPY} (target account ${TARGET_ACCOUNT}, ${TARGET_REGION})`);
  });

  it('deletes snapshots a deregistered copy left only when they carry the promoted tag', async () => {
    const other = 'snap-0bbbbbbbbbbbbbbb2';
    const t = setup([pendingCopyEntry]);
    t.tgt.on(DescribeImagesCommand).resolves({ Images: [{ ...targetImage, BlockDeviceMappings: [{ Ebs: { SnapshotId: TARGET_SNAP } }, { Ebs: { SnapshotId: other } }] }] });
    t.tgt.on(DescribeSnapshotsCommand, { SnapshotIds: [TARGET_SNAP] }).resolves({ Snapshots: [snapshot(TARGET_SNAP, promotedTags)] });
    t.tgt.on(DescribeSnapshotsCommand, { SnapshotIds: [other] }).resolves({ Snapshots: [snapshot(other, [])] });
    const report = await t.run();
    expect(t.log.of('target')).toEqual([
      ['DescribeImages', { ImageIds: [TARGET_COPY] }],
      ['DeregisterImage', { ImageId: TARGET_COPY, DeleteAssociatedSnapshots: true }],
      ['DescribeSnapshots', { SnapshotIds: [TARGET_SNAP] }],
      ['DescribeSnapshots', { SnapshotIds: [other] }],
      ['DeleteSnapshot', { SnapshotId: TARGET_SNAP }],
    ]);
    expect(report.kept.map((item) => item.what)).toEqual([`snapshot ${other} of ${TARGET_COPY}`]);
  });

  it('finds the snapshots of a copy already deregistered by tag and description, deleting only matching ones', async () => {
    const t = setup([pendingCopyEntry]);
    t.tgt.on(DescribeImagesCommand).rejects(awsError('InvalidAMIID.NotFound', `The image id '[${TARGET_COPY}]' does not exist`));
    t.tgt.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        snapshot(TARGET_SNAP, promotedTags, `Copied for DestinationAmi ${TARGET_COPY} from SourceAmi ${SOURCE_AMI} for SourceSnapshot ${SNAP_1}`),
        snapshot('snap-0ddddddddddddddd1', promotedTags, `Copied for DestinationAmi ami-0ddddddddddddddd1 from SourceAmi ${SOURCE_AMI}`),
      ],
    });
    const report = await t.run();
    expect(t.log.of('target')).toEqual([
      ['DescribeImages', { ImageIds: [TARGET_COPY] }],
      [
        'DescribeSnapshots',
        {
          OwnerIds: ['self'],
          Filters: [
            { Name: 'tag:promote-ami:role', Values: ['promoted'] },
            { Name: 'description', Values: [`*${TARGET_COPY}*`] },
          ],
        },
      ],
      ['DeleteSnapshot', { SnapshotId: TARGET_SNAP }],
    ]);
    expect(report.removed).toEqual([
      expect.objectContaining({ what: `unfinished copy ${TARGET_COPY}`, alreadyGone: true }),
      expect.objectContaining({ what: `snapshot ${TARGET_SNAP} of ${TARGET_COPY}` }),
    ]);
  });

  it.each([
    ['another account', { UserId: OTHER_ACCOUNT }, `account ${OTHER_ACCOUNT}`],
    ['an organization', { OrganizationArn: 'arn:aws:organizations::111111111111:organization/o-abc123' }, 'organization'],
    ['an organizational unit', { OrganizationalUnitArn: 'arn:aws:organizations::111111111111:ou/o-abc123/ou-ab12-cdef3456' }, 'organizational unit'],
  ])('keeps an intermediate copy still shared with %s', async (_label, permission, named) => {
    const t = setup([intermediateEntry, ...shareEntries]);
    t.src.on(DescribeImageAttributeCommand).resolves({ ImageId: INTERMEDIATE, LaunchPermissions: [{ UserId: TARGET_ACCOUNT }, permission] });
    const report = await t.run();
    // Seeing another user, it looks again after a while (runs finishing together), then keeps the copy.
    expect(t.log.of('source')).toEqual([...shareRemoval, ...look, ...look]);
    expect(t.clock.sleeps).toEqual([10_000]);
    expect(t.src.commandCalls(DeregisterImageCommand)).toHaveLength(0);
    expect(t.src.commandCalls(DeleteSnapshotCommand)).toHaveLength(0);
    expect(report.kept).toEqual([expect.objectContaining({ what: `intermediate copy ${INTERMEDIATE}`, side: 'source', region: REGION })]);
    expect(report.kept[0]?.reason).toContain(`still shared with ${named}`);
    expect(report.failed).toEqual([]);
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('never deregisters an intermediate image without both of its tags, nor deletes untagged snapshots', async () => {
    const t = setup([intermediateEntry]);
    t.src.on(DescribeImagesCommand).resolves({ Images: [{ ...intermediateImage, Tags: [{ Key: 'promote-ami:role', Value: 'intermediate' }] }] });
    const report = await t.run();
    expect(t.log.of('source')).toEqual(intermediateRemoval.slice(0, 2));
    expect(report.kept[0]?.reason).toContain('promote-ami:source-ami-id');

    const u = setup([intermediateEntry]);
    u.src.on(DescribeSnapshotsCommand, { SnapshotIds: [SNAP_2] }).resolves({ Snapshots: [snapshot(SNAP_2, [{ Key: 'Name', Value: 'golden' }])] });
    const second = await u.run();
    expect(u.src.commandCalls(DeleteSnapshotCommand).map((call) => call.args[0].input)).toEqual([{ SnapshotId: SNAP_1 }]);
    expect(second.kept.map((item) => item.what)).toEqual([`snapshot ${SNAP_2} of ${INTERMEDIATE}`]);
  });
});

describe('cleanUp counts what is already gone as done', () => {
  it('treats a missing image, snapshots and grant as removed and records cleaned', async () => {
    const t = setup([intermediateEntry, ...shareEntries, grantEntry]);
    t.src.on(ModifyImageAttributeCommand).rejects(awsError('InvalidAMIID.NotFound'));
    t.src.on(ModifySnapshotAttributeCommand).rejects(awsError('InvalidSnapshot.NotFound'));
    t.source.kms(REGION).on(RetireGrantCommand).rejects(awsError('NotFoundException', 'Grant ID not found'));
    t.src.on(DescribeImageAttributeCommand).rejects(awsError('InvalidAMIID.Unavailable'));
    t.src.on(DescribeSnapshotsCommand).rejects(awsError('InvalidSnapshot.NotFound'));
    const report = await t.run();
    expect(t.log.of('source')).toEqual([
      ...shareRemoval,
      ...grantRemoval,
      ['DescribeImageAttribute', { ImageId: INTERMEDIATE, Attribute: 'launchPermission' }],
      ['DescribeSnapshots', { SnapshotIds: [SNAP_1] }],
      ['DescribeSnapshots', { SnapshotIds: [SNAP_2] }],
    ]);
    expect(t.source.kms(REGION).commandCalls(RevokeGrantCommand)).toHaveLength(0);
    expect(report.failed).toEqual([]);
    expect(report.removed.every((item) => item.alreadyGone)).toBe(true);
    expect(report.removed).toHaveLength(5);
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('treats an intermediate copy another run already deregistered as gone and still deletes its tagged snapshots', async () => {
    const t = setup([intermediateEntry]);
    t.src.on(DescribeImagesCommand).resolves({ Images: [{ ...intermediateImage, State: 'deregistered' }] });
    await t.run();
    expect(t.log.of('source')).toEqual([...look, ...intermediateRemoval.slice(DEREGISTER + 1)]);
  });
});

describe('cleanUp grants', () => {
  it('revokes the grant when retiring it is refused', async () => {
    const t = setup([grantEntry]);
    t.source.kms(REGION).on(RetireGrantCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform kms:RetireGrant'));
    t.source.kms(REGION).on(RevokeGrantCommand).resolves({});
    const report = await t.run();
    expect(t.log.of('source')).toEqual([
      ['RetireGrant', { KeyId: KEY_ARN, GrantId: GRANT_ID }],
      ['RevokeGrant', { KeyId: KEY_ARN, GrantId: GRANT_ID }],
    ]);
    expect(report.removed).toEqual([expect.objectContaining({ what: `KMS grant promote-ami-987-1 (${GRANT_ID}) on ${KEY_ARN}` })]);
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('reports the missing kms:RevokeGrant permission when both are refused', async () => {
    const t = setup([grantEntry]);
    t.source.kms(REGION).on(RetireGrantCommand).rejects(awsError('AccessDeniedException'));
    t.source.kms(REGION).on(RevokeGrantCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: kms:RevokeGrant'));
    const report = await t.run();
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]?.fix).toContain(
      `Add this statement to the IAM policy of ${SOURCE_ROLE}:\n${JSON.stringify({ Effect: 'Allow', Action: ['kms:RevokeGrant'], Resource: KEY_ARN }, null, 2)}\n` +
        `The key policy of ${KEY_ARN} must allow it too`,
    );
    expect(report.failed[0]?.fix).toContain(`aws kms revoke-grant --region ${REGION} --key-id ${KEY_ARN} --grant-id ${GRANT_ID}`);
    expect(report.failed[0]?.message).toContain(`(source account ${SOURCE_ACCOUNT}, ${REGION}) failed`);
    expect(t.journal.entries().some((entry) => entry.kind === 'cleaned')).toBe(false);
  });
});

describe('cleanUp collects failures', () => {
  it('keeps going after each failure, names the missing IAM action, and does not record cleaned', async () => {
    const t = setup([intermediateEntry, ...shareEntries, grantEntry, pendingCopyEntry]);
    t.tgt.on(DescribeImagesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    t.src.on(ModifySnapshotAttributeCommand, { SnapshotId: SNAP_1 }).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const report = await t.run();
    // Everything after the failures was still attempted.
    expect(t.log.of('target')).toEqual([['DescribeImages', { ImageIds: [TARGET_COPY] }]]);
    expect(t.log.of('source')).toEqual([...shareRemoval, ...grantRemoval, ...intermediateRemoval]);
    const failed = (what: string) => report.failed.find((item) => item.what === what);
    expect(report.failed.map((item) => [item.what, item.side, item.region])).toEqual(
      expect.arrayContaining([
        [`unfinished copy ${TARGET_COPY}`, 'target', TARGET_REGION],
        [`createVolumePermission of account ${TARGET_ACCOUNT} on ${SNAP_1}`, 'source', REGION],
      ]),
    );
    expect(report.failed).toHaveLength(2);
    expect(failed(`unfinished copy ${TARGET_COPY}`)?.fix).toMatch(/^Add this statement to the IAM policy of the target credentials:\n[^]*"Action": \[\s*"ec2:DescribeImages"\s*\]/);
    expect(failed(`createVolumePermission of account ${TARGET_ACCOUNT} on ${SNAP_1}`)?.fix).toContain(
      `Add this statement to the IAM policy of ${SOURCE_ROLE}:\n${JSON.stringify({ Effect: 'Allow', Action: ['ec2:ModifySnapshotAttribute'], Resource: '*' }, null, 2)}\nOr do it by hand with source account credentials: `,
    );
    expect(failed(`createVolumePermission of account ${TARGET_ACCOUNT} on ${SNAP_1}`)?.fix).toContain(
      `aws ec2 modify-snapshot-attribute --region ${REGION} --snapshot-id ${SNAP_1} --attribute createVolumePermission --operation-type remove --user-ids ${TARGET_ACCOUNT}`,
    );
    expect(failed(`createVolumePermission of account ${TARGET_ACCOUNT} on ${SNAP_1}`)?.message).toMatch(
      new RegExp(`^Removing the createVolumePermission of account ${TARGET_ACCOUNT} from ${SNAP_1} \\(source account ${SOURCE_ACCOUNT}, ${REGION}\\) failed: `),
    );
    expect(report.removed.map((item) => item.what)).toContain(`createVolumePermission of account ${TARGET_ACCOUNT} on ${SNAP_2}`);
    expect(t.journal.entries().some((entry) => entry.kind === 'cleaned')).toBe(false);
    expect(t.lines).toContain(
      `Could not remove createVolumePermission of account ${TARGET_ACCOUNT} on ${SNAP_1} (source account ${SOURCE_ACCOUNT}, ${REGION}): ` +
        `${SOURCE_ROLE} may not call ec2:ModifySnapshotAttribute (UnauthorizedOperation: You are not authorized to perform this operation.).`,
    );
  });

  it('says that expired source credentials from the environment cannot be renewed, with the command to do it by hand', async () => {
    const t = setup([...shareEntries]);
    t.ctx.source = { ...t.ctx.source, roleArn: undefined };
    t.src.on(ModifyImageAttributeCommand).rejects(awsError('ExpiredToken', 'The security token included in the request is expired'));
    const report = await t.run();
    expect(report.failed[0]?.why).toBe('the source credentials expired (ExpiredToken).');
    expect(report.failed[0]?.fix).toMatch(/^Credentials from an earlier configure-aws-credentials step cannot be renewed here: set source-role-arn/);
    expect(report.failed[0]?.fix).toContain(`aws ec2 modify-image-attribute --region ${REGION} --image-id ${INTERMEDIATE}`);
  });

  it('reports deregistration protection with the commands that lift it, and leaves the snapshots', async () => {
    const t = setup([intermediateEntry]);
    t.src.on(DescribeImagesCommand).resolves({ Images: [{ ...intermediateImage, DeregistrationProtection: 'enabled-with-cooldown' }] });
    t.src.on(DeregisterImageCommand).rejects(awsError('InvalidParameterValue', `The AMI ${INTERMEDIATE} has deregistration protection enabled.`));
    const report = await t.run();
    expect(t.log.of('source')).toEqual(intermediateRemoval.slice(0, DEREGISTER + 1));
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]?.why).toContain('deregistration protection is on');
    expect(report.failed[0]?.fix).toContain(`aws ec2 disable-image-deregistration-protection --region ${REGION} --image-id ${INTERMEDIATE}`);
    expect(report.failed[0]?.fix).toContain('24 hours');
    expect(t.journal.entries().some((entry) => entry.kind === 'cleaned')).toBe(false);
  });

  it('logs one line per action naming the account, region and resource', async () => {
    const t = setup([intermediateEntry, ...shareEntries.slice(0, 1)]);
    await t.run();
    expect(t.lines).toEqual([
      `Removed launch permission of account ${TARGET_ACCOUNT} on ${INTERMEDIATE} (source account ${SOURCE_ACCOUNT}, ${REGION})`,
      `Removed intermediate copy ${INTERMEDIATE} (source account ${SOURCE_ACCOUNT}, ${REGION})`,
      `Removed snapshot ${SNAP_1} of ${INTERMEDIATE} (source account ${SOURCE_ACCOUNT}, ${REGION})`,
      `Removed snapshot ${SNAP_2} of ${INTERMEDIATE} (source account ${SOURCE_ACCOUNT}, ${REGION})`,
    ]);
  });
});

describe('cleanUp bookkeeping', () => {
  it('undoes each duplicated entry once', async () => {
    const entries = [intermediateEntry, ...shareEntries, grantEntry, pendingCopyEntry];
    const t = setup([...entries, ...entries]);
    await t.run();
    expect(t.log.of('target')).toEqual(targetCopyRemoval);
    expect(t.log.of('source')).toEqual([...shareRemoval, ...grantRemoval, ...intermediateRemoval]);
  });

  it.each([
    ['cleaned', [...shareEntries, { kind: 'cleaned' } as JournalEntry], /already removed/],
    ['kept', [...shareEntries, { kind: 'kept' } as JournalEntry], /cleanup turned off/],
    ['empty', [], /no change/],
  ])('does nothing when the journal is %s', async (_label, entries, reason) => {
    const t = setup(entries);
    const report = await t.run();
    expect(t.log.sent).toEqual([]);
    expect(report).toEqual({ nothingToDo: expect.stringMatching(reason), removed: [], kept: [], failed: [] });
    expect(t.journal.entries()).toEqual(entries);
    expect(t.lines).toEqual([`Nothing to clean up: ${report.nothingToDo}`]);
    expect(nothingToUndo(entries)).toBe(report.nothingToDo);
  });

  it('undoes only what was recorded after an earlier cleanup', async () => {
    const t = setup([grantEntry, { kind: 'cleaned' }, ...shareEntries.slice(0, 1)]);
    await t.run();
    expect(t.log.of('source')).toEqual(shareRemoval.slice(0, 1));
  });
});

describe('cleanUp under eventual consistency (AWS may not show a resource created a moment ago)', () => {
  const notFound = () => awsError('InvalidAMIID.NotFound', `The image id '[${INTERMEDIATE}]' does not exist`);
  const created = (secondsAgo: number) => NOW - secondsAgo * 1000;
  const pendingIntermediate: Image = { ...intermediateImage, State: 'pending' };

  it('a copy cancelled seconds after it started: "not found" is asked again with backoff until the copy shows, then it is removed', async () => {
    const t = setup([{ ...intermediateEntry, snapshotIds: [], at: created(5) }]);
    t.src.on(DescribeImageAttributeCommand).rejectsOnce(notFound()).rejectsOnce(notFound()).resolves({ ImageId: INTERMEDIATE, LaunchPermissions: [] });
    t.src.on(DescribeImagesCommand).resolves({ Images: [pendingIntermediate] });
    const report = await t.run();
    expect(t.clock.sleeps).toEqual([2_000, 4_000]);
    expect(t.log.of('source')).toEqual([intermediateRemoval[0], intermediateRemoval[0], ...intermediateRemoval]);
    expect(report.failed).toEqual([]);
    expect(report.removed).toEqual([
      { what: `intermediate copy ${INTERMEDIATE}`, side: 'source', accountId: SOURCE_ACCOUNT, region: REGION },
      expect.objectContaining({ what: `snapshot ${SNAP_1} of ${INTERMEDIATE}` }),
      expect.objectContaining({ what: `snapshot ${SNAP_2} of ${INTERMEDIATE}` }),
    ]);
    expect(t.lines[0]).toBe(
      `intermediate copy ${INTERMEDIATE} was not found 5 s after this run created it; AWS may not show a new resource for a few minutes (eventual consistency): looking again in 2 s.`,
    );
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('a pending copy whose snapshots are not listed yet: they are found by tag and description, then deleted', async () => {
    const t = setup([{ ...intermediateEntry, snapshotIds: [], at: created(3) }]);
    t.src.on(DescribeImagesCommand).resolves({ Images: [{ ...pendingIntermediate, BlockDeviceMappings: [] }] });
    const copied = (id: string) => snapshot(id, intermediateTags, `Copied for DestinationAmi ${INTERMEDIATE} from SourceAmi ${SOURCE_AMI} for SourceSnapshot snap-0123`);
    t.src.on(DescribeSnapshotsCommand).resolvesOnce({ Snapshots: [] }).resolves({ Snapshots: [copied(SNAP_1), copied(SNAP_2)] });
    const report = await t.run();
    const search = [
      'DescribeSnapshots',
      { OwnerIds: ['self'], Filters: [{ Name: 'tag:promote-ami:role', Values: ['intermediate'] }, { Name: 'description', Values: [`*${INTERMEDIATE}*`] }] },
    ];
    expect(t.log.of('source')).toEqual([...intermediateRemoval.slice(0, DEREGISTER + 1), search, search, ...intermediateRemoval.slice(DEREGISTER + 3)]);
    expect(t.clock.sleeps).toEqual([2_000]);
    expect(report.removed.map((item) => item.what)).toEqual([`intermediate copy ${INTERMEDIATE}`, `snapshot ${SNAP_1} of ${INTERMEDIATE}`, `snapshot ${SNAP_2} of ${INTERMEDIATE}`]);
  });

  it('a new copy never seen within the window is reported gone, saying so; its permission and the copy are waited for together, within one window', async () => {
    const t = setup([
      { ...intermediateEntry, snapshotIds: [], at: created(10) },
      { kind: 'launch-permission', region: REGION, imageId: INTERMEDIATE, accountId: TARGET_ACCOUNT, at: created(5) },
    ]);
    t.src.on(ModifyImageAttributeCommand).rejects(notFound());
    t.src.on(DescribeImageAttributeCommand).rejects(notFound());
    t.src.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    const report = await t.run();
    // Waiting ends 180 s after the copy was created, 170 s from now, with growing pauses of at most 20 s.
    expect(t.clock.now() - NOW).toBe(170_000);
    // The copy and its launch permission are looked for at the same time, each with the same growing pauses.
    expect([...new Set(t.clock.sleeps)].slice(0, 5)).toEqual([2_000, 4_000, 8_000, 16_000, 20_000]);
    expect(t.src.commandCalls(DescribeSnapshotsCommand)).toHaveLength(1);
    expect(t.src.commandCalls(DeregisterImageCommand)).toHaveLength(0);
    expect(report.failed).toEqual([]);
    expect(report.removed).toEqual([
      expect.objectContaining({ what: `launch permission of account ${TARGET_ACCOUNT} on ${INTERMEDIATE}`, alreadyGone: true, note: 'not seen within 180 s of its creation' }),
      expect.objectContaining({ what: `intermediate copy ${INTERMEDIATE}`, alreadyGone: true }),
    ]);
    expect(t.lines).toContain(
      `Already gone: launch permission of account ${TARGET_ACCOUNT} on ${INTERMEDIATE} (source account ${SOURCE_ACCOUNT}, ${REGION}): not seen within 180 s of its creation`,
    );
  });

  it.each([
    ['created long ago', created(600)],
    ['of unknown age (a journal without times)', undefined],
  ])('a resource %s that is not found is gone at once, without waiting', async (_label, at) => {
    const t = setup([{ ...intermediateEntry, ...(at === undefined ? {} : { at }) }, { ...grantEntry, ...(at === undefined ? {} : { at }) }]);
    t.src.on(DescribeImageAttributeCommand).rejects(notFound());
    t.src.on(DescribeSnapshotsCommand).rejects(awsError('InvalidSnapshot.NotFound'));
    t.source.kms(REGION).on(RetireGrantCommand).rejects(awsError('NotFoundException', 'Grant ID not found'));
    const report = await t.run();
    expect(t.clock.sleeps).toEqual([]);
    expect(t.log.of('source').map(([name]) => name)).toEqual(['RetireGrant', 'DescribeImageAttribute', 'DescribeSnapshots', 'DescribeSnapshots']);
    expect(report.removed.every((item) => item.alreadyGone && item.note === undefined)).toBe(true);
  });

  it('a target copy cancelled right after it started: found again, deregistered with the snapshots AWS deleted with it', async () => {
    const t = setup([{ ...pendingCopyEntry, at: created(1) }]);
    t.tgt.on(DescribeImagesCommand).rejectsOnce(awsError('InvalidAMIID.NotFound')).resolves({ Images: [targetImage] });
    t.tgt.on(DeregisterImageCommand).resolves({ Return: true, DeleteSnapshotResults: [{ SnapshotId: TARGET_SNAP, ReturnCode: 'success' }] });
    const report = await t.run();
    expect(t.log.of('target')).toEqual([targetCopyRemoval[0], ...targetCopyRemoval.slice(0, 2)]);
    expect(t.clock.sleeps).toEqual([2_000]);
    expect(report.removed).toEqual([{ what: `unfinished copy ${TARGET_COPY}`, side: 'target', accountId: TARGET_ACCOUNT, region: TARGET_REGION }]);
  });

  it('sharing and a grant made a moment ago: "not found" is asked again until they can be removed', async () => {
    const at = created(2);
    const t = setup([{ ...intermediateEntry, at }, ...shareEntries.map((entry) => ({ ...entry, at })), { ...grantEntry, at }]);
    t.src.on(ModifyImageAttributeCommand).rejectsOnce(notFound()).resolves({});
    t.src.on(ModifySnapshotAttributeCommand, { SnapshotId: SNAP_1 }).rejectsOnce(awsError('InvalidSnapshot.NotFound')).resolves({});
    t.source.kms(REGION).on(RetireGrantCommand).rejectsOnce(awsError('NotFoundException', 'Grant ID not found')).resolves({});
    const report = await t.run();
    const sent = t.log.of('source');
    const count = (command: [string, unknown]) => sent.filter((c) => JSON.stringify(c) === JSON.stringify(command)).length;
    expect([...shareRemoval, ...grantRemoval].map(count)).toEqual([2, 2, 1, 2]);
    // The intermediate copy is removed after its sharing, in the usual order.
    const lastUnshare = Math.max(...shareRemoval.map((command) => sent.map((c) => JSON.stringify(c)).lastIndexOf(JSON.stringify(command))));
    expect(sent.slice(lastUnshare + 1).filter(([name]) => name !== 'RetireGrant')).toEqual(intermediateRemoval.slice(1));
    expect(t.clock.sleeps).toEqual([2_000, 2_000, 2_000]);
    expect(report.failed).toEqual([]);
    expect(report.removed.some((item) => item.alreadyGone)).toBe(false);
  });

  it('waiting ends with cleanup\'s own bound: a copy still not seen then is reported as not removed, with the commands to check', async () => {
    // A journal time ahead of this clock (another machine's clock): the copy's window would end after cleanup's bound.
    const t = setup([{ ...pendingCopyEntry, at: NOW + 120_000 }]);
    t.tgt.on(DescribeImagesCommand).rejects(awsError('InvalidAMIID.NotFound'));
    const report = await t.run();
    expect(t.clock.now() - NOW).toBe(240_000);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]?.what).toBe(`unfinished copy ${TARGET_COPY}`);
    expect(report.failed[0]?.why).toMatch(/was not found .* s after this run created it, and AWS may take a few minutes to show a new resource/);
    expect(report.failed[0]?.fix).toContain(`aws ec2 deregister-image --region ${TARGET_REGION} --image-id ${TARGET_COPY} --delete-associated-snapshots`);
    expect(t.journal.entries().some((entry) => entry.kind === 'cleaned')).toBe(false);
  });

  it('stops waiting when the job is cancelled', async () => {
    const t = setup([{ ...pendingCopyEntry, at: created(1) }]);
    const abort = new AbortController();
    t.ctx.signal = abort.signal;
    t.clock.onSleep = () => abort.abort(new Error('The job was cancelled (SIGTERM).'));
    t.tgt.on(DescribeImagesCommand).rejects(awsError('InvalidAMIID.NotFound'));
    const report = await t.run();
    expect(t.clock.sleeps).toEqual([2_000]);
    expect(report.failed[0]?.why).toContain('The job was cancelled (SIGTERM).');
  });
});

describe('cleanUp and the leases of concurrent runs (a job matrix sharing one intermediate copy)', () => {
  const OURS = 'promote-ami:lease:4242-1-aaaaaaaaaa';
  const THEIRS = 'promote-ami:lease:4242-1-bbbbbbbbbb';
  const leaseEntry: JournalEntry = { kind: 'lease', region: REGION, imageId: INTERMEDIATE, key: OURS };
  const until = (ms: number) => new Date(NOW + ms).toISOString();
  const withTags = (...tags: { Key: string; Value: string }[]) => ({ Images: [{ ...intermediateImage, Tags: [...intermediateTags, ...tags] }] });
  const deleteOurs: [string, unknown] = ['DeleteTags', { Resources: [INTERMEDIATE], Tags: [{ Key: OURS }] }];

  it('deletes its own lease first, then removes the copy nobody else uses; its going mark is named after its lease', async () => {
    const t = setup([intermediateEntry, leaseEntry]);
    // Its own lease may still show (tags are eventually consistent): it does not count.
    t.src.on(DescribeImagesCommand).resolves(withTags({ Key: OURS, Value: until(3_600_000) }));
    const report = await t.run();
    expect(t.log.of('source')).toEqual([deleteOurs, ...look, markGoing('4242-1-aaaaaaaaaa'), ...intermediateRemoval.slice(3)]);
    const going = t.src.commandCalls(CreateTagsCommand)[0]?.args[0].input.Tags?.[0];
    expect(going?.Value).toBe(until(60_000));
    expect(report.removed.map((item) => item.what)).toEqual([
      `lease tag ${OURS} on ${INTERMEDIATE}`,
      `intermediate copy ${INTERMEDIATE}`,
      `snapshot ${SNAP_1} of ${INTERMEDIATE}`,
      `snapshot ${SNAP_2} of ${INTERMEDIATE}`,
    ]);
    expect(t.clock.sleeps).toEqual([]);
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it("keeps the copy while another run's lease is valid, looking again after a while, and says so", async () => {
    const t = setup([intermediateEntry, leaseEntry, ...shareEntries]);
    t.src.on(DescribeImagesCommand).resolves(withTags({ Key: THEIRS, Value: until(3_600_000) }));
    const report = await t.run();
    expect(t.log.of('source')).toEqual([...shareRemoval, deleteOurs, ...look, ...look]);
    expect(t.clock.sleeps).toEqual([10_000]);
    expect(t.src.commandCalls(DeregisterImageCommand)).toHaveLength(0);
    expect(report.kept).toEqual([expect.objectContaining({ what: `intermediate copy ${INTERMEDIATE}`, side: 'source', accountId: SOURCE_ACCOUNT, region: REGION })]);
    expect(report.kept[0]?.reason).toBe(
      `another run still holds a lease on it: ${THEIRS} (until ${until(3_600_000)}). Another run (for example a job matrix promoting the same AMI to another account) ` +
        'is using it; the last run to finish removes it.',
    );
    expect(report.failed).toEqual([]);
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('removes the copy when the other lease has expired (its run ended without cleanup)', async () => {
    const t = setup([intermediateEntry, leaseEntry]);
    t.src.on(DescribeImagesCommand).resolves(withTags({ Key: THEIRS, Value: until(-1) }));
    await t.run();
    expect(t.src.commandCalls(DeregisterImageCommand)).toHaveLength(1);
    expect(t.clock.sleeps).toEqual([]);
  });

  it('runs finishing together: the other lease seen first is gone when it looks again, so the copy is removed', async () => {
    const t = setup([intermediateEntry, leaseEntry]);
    t.src.on(DescribeImagesCommand).resolvesOnce(withTags({ Key: THEIRS, Value: until(3_600_000) })).resolves(withTags());
    await t.run();
    expect(t.log.of('source')).toEqual([deleteOurs, ...look, ...look, markGoing('4242-1-aaaaaaaaaa'), ...intermediateRemoval.slice(3)]);
    expect(t.clock.sleeps).toEqual([10_000]);
  });

  it('a lease that shows only after the going mark: takes its mark away and keeps the copy for that run', async () => {
    const t = setup([intermediateEntry, leaseEntry]);
    t.src.on(DescribeImagesCommand).resolvesOnce(withTags()).resolves(withTags({ Key: THEIRS, Value: until(3_600_000) }));
    const report = await t.run();
    expect(t.log.of('source')).toEqual([
      deleteOurs,
      ...look,
      markGoing('4242-1-aaaaaaaaaa'),
      ...look,
      ['DeleteTags', { Resources: [INTERMEDIATE], Tags: [{ Key: 'promote-ami:going:4242-1-aaaaaaaaaa' }] }],
    ]);
    expect(t.src.commandCalls(DeregisterImageCommand)).toHaveLength(0);
    expect(report.kept[0]?.reason).toContain(`another run still holds a lease on it: ${THEIRS}`);
  });

  it('another account shared after the going mark keeps the copy too', async () => {
    const t = setup([intermediateEntry, leaseEntry]);
    t.src
      .on(DescribeImageAttributeCommand)
      .resolvesOnce({ ImageId: INTERMEDIATE, LaunchPermissions: [] })
      .resolves({ ImageId: INTERMEDIATE, LaunchPermissions: [{ UserId: OTHER_ACCOUNT }] });
    const report = await t.run();
    expect(t.src.commandCalls(DeregisterImageCommand)).toHaveLength(0);
    expect(t.src.commandCalls(DeleteTagsCommand).map((c) => c.args[0].input.Tags?.[0]?.Key)).toEqual([OURS, 'promote-ami:going:4242-1-aaaaaaaaaa']);
    expect(report.kept[0]?.reason).toMatch(new RegExp(`^it is still shared with account ${OTHER_ACCOUNT}\\. `));
  });

  it('a lease it may not delete is reported with the permission and the command, and the copy is still removed', async () => {
    const t = setup([intermediateEntry, leaseEntry]);
    t.src.on(DeleteTagsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const report = await t.run();
    expect(t.src.commandCalls(DeregisterImageCommand)).toHaveLength(1);
    expect(report.failed.map((item) => item.what)).toEqual([`lease tag ${OURS} on ${INTERMEDIATE}`]);
    expect(report.failed[0]?.fix).toContain('"Action": [\n    "ec2:DeleteTags"\n  ]');
    expect(report.failed[0]?.fix).toContain(`aws ec2 delete-tags --region ${REGION} --resources ${INTERMEDIATE} --tags Key=${OURS}`);
    expect(t.journal.entries().some((entry) => entry.kind === 'cleaned')).toBe(false);
  });

  it('a copy already gone: its lease counts as removed and nothing else is asked', async () => {
    const t = setup([{ ...intermediateEntry, snapshotIds: [] }, leaseEntry]);
    t.src.on(DeleteTagsCommand).rejects(awsError('InvalidAMIID.NotFound'));
    t.src.on(DescribeImageAttributeCommand).rejects(awsError('InvalidAMIID.NotFound'));
    t.src.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    const report = await t.run();
    expect(t.log.of('source').map(([name]) => name)).toEqual(['DeleteTags', 'DescribeImageAttribute', 'DescribeSnapshots']);
    expect(report.removed.every((item) => item.alreadyGone)).toBe(true);
    expect(report.failed).toEqual([]);
  });

  it('names the lease and the command that deletes it when the post step cannot clean up', () => {
    expect(describeEntry(leaseEntry)).toBe(
      `lease tag ${OURS} on the intermediate copy ${INTERMEDIATE} (source account, ${REGION}): aws ec2 delete-tags --region ${REGION} --resources ${INTERMEDIATE} --tags Key=${OURS}`,
    );
  });
});

describe('cleanUp when another run removes the intermediate copy meanwhile', () => {
  it('a copy this run made a moment ago, seen and then removed by the last other user while this cleanup looked again: done at once, its snapshots left to that run', async () => {
    const OURS = 'promote-ami:lease:4242-1-aaaaaaaaaa';
    const at = NOW - 20_000;
    const t = setup([{ ...intermediateEntry, at }, { kind: 'lease', region: REGION, imageId: INTERMEDIATE, key: OURS, at }]);
    const theirs = { Key: 'promote-ami:lease:4242-1-bbbbbbbbbb', Value: new Date(NOW + 3_600_000).toISOString() };
    t.src.on(DescribeImagesCommand).resolves({ Images: [{ ...intermediateImage, Tags: [...intermediateTags, theirs] }] });
    t.src
      .on(DescribeImageAttributeCommand)
      .resolvesOnce({ ImageId: INTERMEDIATE, LaunchPermissions: [] })
      .rejects(awsError('InvalidAMIID.NotFound', `The image id '[${INTERMEDIATE}]' does not exist`));
    const report = await t.run();
    // Seen once, the copy's "not found" is final: no waiting for it to show, no snapshot calls.
    expect(t.clock.sleeps).toEqual([10_000]);
    expect(t.log.of('source').map(([name]) => name)).toEqual(['DeleteTags', 'DescribeImageAttribute', 'DescribeImages', 'DescribeImageAttribute', 'DescribeImages']);
    expect(report.removed.at(-1)).toEqual(
      expect.objectContaining({ what: `intermediate copy ${INTERMEDIATE}`, alreadyGone: true, note: "another run's cleanup removed it meanwhile (and deletes its snapshots)" }),
    );
    expect(report.failed).toEqual([]);
    expect(t.journal.entries().at(-1)).toEqual({ kind: 'cleaned' });
  });

  it('two last users deregistering at once: the one that finds it gone counts it as removed meanwhile', async () => {
    const t = setup([intermediateEntry]);
    t.src.on(DeregisterImageCommand).rejects(awsError('InvalidAMIID.NotFound', `The image id '[${INTERMEDIATE}]' does not exist`));
    const report = await t.run();
    expect(t.log.of('source')).toEqual(intermediateRemoval.slice(0, DEREGISTER + 1));
    expect(report.removed).toEqual([expect.objectContaining({ what: `intermediate copy ${INTERMEDIATE}`, alreadyGone: true, note: expect.stringContaining('removed it meanwhile') })]);
    expect(report.failed).toEqual([]);
  });

  it('a copy the main step saw removed by another run: its lease and the copy are gone at once, without waiting to see them', async () => {
    const at = NOW - 5_000;
    const t = setup([
      { ...intermediateEntry, snapshotIds: [], at },
      { kind: 'lease', region: REGION, imageId: INTERMEDIATE, key: 'promote-ami:lease:4242-1-aaaaaaaaaa', at },
      { kind: 'intermediate-gone', region: REGION, imageId: INTERMEDIATE, at },
    ]);
    t.src.on(DeleteTagsCommand).rejects(awsError('InvalidAMIID.NotFound'));
    t.src.on(DescribeImageAttributeCommand).rejects(awsError('InvalidAMIID.NotFound'));
    t.src.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    const report = await t.run();
    expect(t.clock.sleeps).toEqual([]);
    expect(report.removed.map((item) => [item.what, item.alreadyGone])).toEqual([
      [`lease tag promote-ami:lease:4242-1-aaaaaaaaaa on ${INTERMEDIATE}`, true],
      [`intermediate copy ${INTERMEDIATE}`, true],
    ]);
    expect(describeEntry({ kind: 'intermediate-gone', region: REGION, imageId: INTERMEDIATE })).toBe(`intermediate copy ${INTERMEDIATE} (source account, ${REGION}): removed by another run`);
  });
});

describe('cleanUp of copy-method snapshots', () => {
  const COPY_1 = 'snap-0ccccccccccccccc1';
  const COPY_2 = 'snap-0ccccccccccccccc2';
  const copies: JournalEntry[] = [
    { kind: 'target-snapshot-copy', accountId: TARGET_ACCOUNT, region: TARGET_REGION, snapshotId: COPY_1, sourceSnapshotId: SNAP_1 },
    { kind: 'target-snapshot-copy', accountId: TARGET_ACCOUNT, region: TARGET_REGION, snapshotId: COPY_2, sourceSnapshotId: SNAP_2 },
  ];

  function withCopies(entries: JournalEntry[], tags = promotedTags) {
    const t = setup(entries);
    for (const id of [COPY_1, COPY_2]) t.tgt.on(DescribeSnapshotsCommand, { SnapshotIds: [id] }).resolves({ Snapshots: [snapshot(id, tags)] });
    return t;
  }

  it('deletes the snapshot copies of a region whose AMI was never registered, with target credentials, only when tagged as promoted', async () => {
    const t = withCopies(copies);
    const report = await t.run();
    // The copies are removed at once, each described before it is deleted.
    const sent = t.log.of('target');
    for (const id of [COPY_1, COPY_2]) {
      const described = sent.findIndex((c) => JSON.stringify(c) === JSON.stringify(['DescribeSnapshots', { SnapshotIds: [id] }]));
      expect(described).toBeGreaterThanOrEqual(0);
      expect(sent.findIndex((c) => JSON.stringify(c) === JSON.stringify(['DeleteSnapshot', { SnapshotId: id }]))).toBeGreaterThan(described);
    }
    expect(sent).toHaveLength(4);
    expect(report.removed.map((item) => [item.what, item.side, item.accountId])).toEqual(
      expect.arrayContaining([
        [`snapshot ${COPY_1} of ${SNAP_1}`, 'target', TARGET_ACCOUNT],
        [`snapshot ${COPY_2} of ${SNAP_2}`, 'target', TARGET_ACCOUNT],
      ]),
    );
    expect(t.journal.entries().at(-1)).toMatchObject({ kind: 'cleaned' });
  });

  it('keeps a snapshot copy that does not carry the promoted tag', async () => {
    const t = withCopies(copies.slice(0, 1), [{ Key: 'team', Value: 'x' }]);
    const report = await t.run();
    expect(t.log.of('target')).toEqual([['DescribeSnapshots', { SnapshotIds: [COPY_1] }]]);
    expect(report.kept.map((item) => item.what)).toEqual([`snapshot ${COPY_1} of ${SNAP_1}`]);
  });

  it('deregisters an unfinished registered AMI with its snapshot copies in one call; a copy it did not delete is deleted after', async () => {
    const t = withCopies([...copies, pendingCopyEntry]);
    t.tgt.on(DeregisterImageCommand).resolves({ Return: true, DeleteSnapshotResults: [{ SnapshotId: COPY_1, ReturnCode: 'success' }, { SnapshotId: COPY_2, ReturnCode: 'client-error' }] });
    const report = await t.run();
    expect(t.log.of('target')).toEqual([
      ...targetCopyRemoval.slice(0, 2),
      ['DescribeSnapshots', { SnapshotIds: [COPY_2] }],
      ['DescribeSnapshots', { SnapshotIds: [TARGET_SNAP] }],
      ['DeleteSnapshot', { SnapshotId: COPY_2 }],
    ]);
    expect(report.failed).toEqual([]);
    expect(report.removed.map((item) => item.what)).toEqual([`unfinished copy ${TARGET_COPY}`, `snapshot ${COPY_2} of ${TARGET_COPY}`]);
  });

  it('an unfinished registered AMI already gone: its snapshot copies are still deleted, by their journaled IDs', async () => {
    const t = withCopies([...copies, pendingCopyEntry]);
    t.tgt.on(DescribeImagesCommand).resolves({ Images: [] });
    const report = await t.run();
    expect(t.log.of('target').filter(([command]) => command === 'DeleteSnapshot')).toEqual([
      ['DeleteSnapshot', { SnapshotId: COPY_1 }],
      ['DeleteSnapshot', { SnapshotId: COPY_2 }],
    ]);
    expect(report.removed.map((item) => item.what)).toEqual(expect.arrayContaining([`snapshot ${COPY_1} of ${TARGET_COPY}`, `snapshot ${COPY_2} of ${TARGET_COPY}`]));
  });

  it('never touches the snapshot copies of a region whose AMI finished: they are the promoted AMI', async () => {
    const t = withCopies([...copies, pendingCopyEntry, doneCopyEntry]);
    const report = await t.run();
    expect(t.log.of('target')).toEqual([]);
    expect(report.kept.map((item) => item.what)).toEqual([`promoted AMI ${TARGET_COPY}`]);
  });

  it('describes a snapshot copy with the command that deletes it by hand', () => {
    expect(describeEntry(copies[0] as JournalEntry)).toBe(
      `copy ${COPY_1} of snapshot ${SNAP_1} (target account ${TARGET_ACCOUNT}, ${TARGET_REGION}): aws ec2 delete-snapshot --region ${TARGET_REGION} --snapshot-id ${COPY_1}`,
    );
  });
});
