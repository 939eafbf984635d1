import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { RetireGrantCommand } from '@aws-sdk/client-kms';
import type { JournalEntry } from '../../src/domain/journal.js';
import type { ActionInputs } from '../../src/github/inputs.js';
import type { Sessions } from '../../src/github/sessions.js';
import { SECOND_REGION as TARGET_REGION, SOURCE_ACCOUNT, SOURCE_REGION as REGION, TARGET_ACCOUNT } from '../support/accounts.js';
import { CommandLog, awsError, fakeAccount, type FakeAccount } from '../support/fake-accounts.js';
import { VALID_INPUTS, setInputs } from '../../standin/index.js';

// The real toolkit, with the calls the post step makes observable.
const actual = await import('@actions/core');
const info = jest.fn<(message: string) => void>();
const warning = jest.fn<(message: string | Error) => void>();
const setFailed = jest.fn<(message: string | Error) => void>();
const saveState = jest.fn<(name: string, value: unknown) => void>();
const group = jest.fn(async <T>(_name: string, fn: () => Promise<T>): Promise<T> => fn());
jest.unstable_mockModule('@actions/core', () => ({ ...actual, info, warning, setFailed, saveState, group, debug: () => undefined }));
const openSessions = jest.fn<(inputs: ActionInputs) => Sessions>();
jest.unstable_mockModule('../../src/github/sessions.js', () => ({ openSessions }));

const { run: runPost } = await import('../../src/post.js');
const { createPersistedJournal, parseJournalState } = await import('../../src/github/state.js');

const INTERMEDIATE = 'ami-0aaaaaaaaaaaaaaa1';
const SNAP = 'snap-0aaaaaaaaaaaaaaa1';
const TARGET_COPY = 'ami-0bbbbbbbbbbbbbbb1';
const KEY_ARN = VALID_INPUTS['kms-key-arn'];
const GRANT_ID = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed';

const LEASE = 'promote-ami:lease:1-1-0123456789';

const journal: JournalEntry[] = [
  { kind: 'intermediate-copy', region: REGION, imageId: INTERMEDIATE, snapshotIds: [SNAP] },
  { kind: 'lease', region: REGION, imageId: INTERMEDIATE, key: LEASE },
  { kind: 'launch-permission', region: REGION, imageId: INTERMEDIATE, accountId: TARGET_ACCOUNT },
  { kind: 'volume-permission', region: REGION, snapshotId: SNAP, accountId: TARGET_ACCOUNT },
  { kind: 'grant', region: REGION, keyArn: KEY_ARN, grantId: GRANT_ID, grantName: 'promote-ami-1-1' },
  { kind: 'target-copy', accountId: TARGET_ACCOUNT, region: TARGET_REGION, imageId: TARGET_COPY },
];

const directory = mkdtempSync(join(tmpdir(), 'post-test-'));
const summaryFile = join(directory, 'summary.md');
const saved = { ...process.env };
let log: CommandLog;
let source: FakeAccount;
let target: FakeAccount;

beforeEach(() => {
  jest.clearAllMocks();
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_') || key.startsWith('STATE_')) delete process.env[key];
  writeFileSync(summaryFile, '');
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
  log = new CommandLog();
  source = fakeAccount('source', [REGION], log);
  target = fakeAccount('target', [REGION, TARGET_REGION], log);
  openSessions.mockImplementation((inputs) => ({
    environment: source.clients,
    source: source.clients,
    targets: inputs.request.targets.map((spec) => ({ spec, clients: target.clients })),
    assumeRoles: async () => undefined,
  }));
  const tags = [
    { Key: 'promote-ami:role', Value: 'intermediate' },
    { Key: 'promote-ami:source-ami-id', Value: VALID_INPUTS['source-ami-id'] },
  ];
  const src = source.ec2(REGION);
  src.on(ModifyImageAttributeCommand).resolves({});
  src.on(ModifySnapshotAttributeCommand).resolves({});
  src.on(DescribeImageAttributeCommand).resolves({ LaunchPermissions: [] });
  src.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: INTERMEDIATE, State: 'available', Tags: tags }] });
  src.on(CreateTagsCommand).resolves({});
  src.on(DeleteTagsCommand).resolves({});
  src.on(DeregisterImageCommand).resolves({ Return: true, DeleteSnapshotResults: [{ SnapshotId: SNAP, ReturnCode: 'success' }] });
  source.kms(REGION).on(RetireGrantCommand).resolves({});
  const tgt = target.ec2(TARGET_REGION);
  tgt.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: TARGET_COPY, State: 'failed', Tags: [{ Key: 'promote-ami:role', Value: 'promoted' }] }] });
  tgt.on(DeregisterImageCommand).resolves({ Return: true });
  tgt.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
});

afterEach(() => {
  process.env = { ...saved };
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('runPost with nothing to undo', () => {
  it.each([
    ['no saved journal', undefined, 'Nothing to clean up: the main step made no change in AWS.'],
    ['an empty journal', '[]', 'Nothing to clean up: the main step made no change in AWS.'],
    ['a cleaned journal', JSON.stringify([...journal, { kind: 'cleaned' }]), 'Nothing to clean up: the main step already removed its temporary sharing, grants and copies.'],
    ['a kept journal', JSON.stringify([...journal, { kind: 'kept' }]), expect.stringMatching(/^Nothing to clean up: .*cleanup turned off/)],
  ])('makes no AWS call and reads no input with %s', async (_label, state, message) => {
    if (state !== undefined) process.env.STATE_journal = state;
    // No INPUT_* variables: reading the inputs would fail the step.
    await runPost();
    expect(info).toHaveBeenCalledWith(message);
    expect(openSessions).not.toHaveBeenCalled();
    expect(log.sent).toEqual([]);
    expect(setFailed).not.toHaveBeenCalled();
    expect(saveState).not.toHaveBeenCalled();
    expect(readFileSync(summaryFile, 'utf8')).toBe('');
  });
});

describe('runPost with changes left by the main step', () => {
  it('undoes the saved journal with the sessions of the inputs and writes the summary', async () => {
    process.env.STATE_journal = JSON.stringify(journal);
    setInputs({ ...VALID_INPUTS, 'target-regions': TARGET_REGION });
    await runPost();

    expect(setFailed).not.toHaveBeenCalled();
    expect(openSessions).toHaveBeenCalledTimes(1);
    expect(openSessions.mock.calls[0]?.[0].request).toMatchObject({ sourceAmiId: VALID_INPUTS['source-ami-id'], targets: [{ regions: [TARGET_REGION] }] });
    expect(group).toHaveBeenCalledWith('Clean up', expect.any(Function));
    const sent = log.sent.map(([side, name, input]) => [side, name, input]);
    expect(sent.filter(([side]) => side === 'target')).toEqual([
      ['target', 'DescribeImages', { ImageIds: [TARGET_COPY] }],
      ['target', 'DeregisterImage', { ImageId: TARGET_COPY, DeleteAssociatedSnapshots: true }],
      [
        'target',
        'DescribeSnapshots',
        {
          OwnerIds: ['self'],
          Filters: [
            { Name: 'tag:promote-ami:role', Values: ['promoted'] },
            { Name: 'description', Values: [`*${TARGET_COPY}*`] },
          ],
        },
      ],
    ]);
    // Sharing, the grant and the lease are undone at once; the copy goes after them, with its snapshots in the same call.
    expect(sent.filter(([side]) => side === 'source')).toEqual([
      ['source', 'ModifyImageAttribute', { ImageId: INTERMEDIATE, LaunchPermission: { Remove: [{ UserId: TARGET_ACCOUNT }] } }],
      ['source', 'ModifySnapshotAttribute', { SnapshotId: SNAP, Attribute: 'createVolumePermission', CreateVolumePermission: { Remove: [{ UserId: TARGET_ACCOUNT }] } }],
      ['source', 'RetireGrant', { KeyId: KEY_ARN, GrantId: GRANT_ID }],
      ['source', 'DeleteTags', { Resources: [INTERMEDIATE], Tags: [{ Key: LEASE }] }],
      ['source', 'DescribeImageAttribute', { ImageId: INTERMEDIATE, Attribute: 'launchPermission' }],
      ['source', 'DescribeImages', { ImageIds: [INTERMEDIATE] }],
      ['source', 'CreateTags', { Resources: [INTERMEDIATE], Tags: [{ Key: 'promote-ami:going:1-1-0123456789', Value: expect.any(String) }] }],
      ['source', 'DescribeImageAttribute', { ImageId: INTERMEDIATE, Attribute: 'launchPermission' }],
      ['source', 'DescribeImages', { ImageIds: [INTERMEDIATE] }],
      ['source', 'DeregisterImage', { ImageId: INTERMEDIATE, DeleteAssociatedSnapshots: true }],
    ]);
    const names = sent.map(([side, name]) => `${side} ${name}`);
    expect(names.lastIndexOf('target DescribeSnapshots')).toBeLessThan(names.indexOf('source CreateTags'));
    expect(info).toHaveBeenCalledWith(`Removed unfinished copy ${TARGET_COPY} (target account ${TARGET_ACCOUNT}, ${TARGET_REGION})`);
    expect(info).toHaveBeenCalledWith(`Removed intermediate copy ${INTERMEDIATE} (source account ${SOURCE_ACCOUNT}, ${REGION})`);

    // The journal is saved again with the cleaned mark.
    expect(saveState).toHaveBeenLastCalledWith('journal', expect.any(String));
    expect(JSON.parse(String(saveState.mock.lastCall?.[1]))).toEqual([...journal, { kind: 'cleaned', at: expect.any(Number) }]);

    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toContain('<h3>Cleanup</h3>');
    expect(summary).toContain(`<tr><td>removed</td><td>launch permission of account ${TARGET_ACCOUNT} on ${INTERMEDIATE}</td><td>source ${SOURCE_ACCOUNT}, ${REGION}</td>`);
    expect(summary).toContain(`<td>removed</td><td>unfinished copy ${TARGET_COPY}</td><td>target ${TARGET_ACCOUNT}, ${TARGET_REGION}</td>`);
    expect(summary).not.toContain('<td>failed</td>');
  });

  it('fails the step with each change left in place and its fix', async () => {
    process.env.STATE_journal = JSON.stringify(journal);
    setInputs({ ...VALID_INPUTS, 'source-role-arn': 'arn:aws:iam::111111111111:role/ami-promotion-source' });
    source.ec2(REGION).on(ModifySnapshotAttributeCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await runPost();

    // The rest still ran.
    expect(log.sent).toContainEqual(['source', 'DeregisterImage', { ImageId: INTERMEDIATE, DeleteAssociatedSnapshots: true }]);
    expect(setFailed).toHaveBeenCalledTimes(1);
    const message = String(setFailed.mock.calls[0]?.[0]);
    expect(message).toMatch(/^Cleanup could not undo 1 change\(s\); they are still in place:/);
    expect(message).toContain(`Removing the createVolumePermission of account ${TARGET_ACCOUNT} from ${SNAP} (source account ${SOURCE_ACCOUNT}, ${REGION}) failed:`);
    expect(message).toContain('Fix: Add this statement to the IAM policy of arn:aws:iam::111111111111:role/ami-promotion-source:\n');
    expect(message).toContain('"Action": [\n    "ec2:ModifySnapshotAttribute"\n  ]');
    expect(message).toContain(`aws ec2 modify-snapshot-attribute --region ${REGION} --snapshot-id ${SNAP} --attribute createVolumePermission --operation-type remove --user-ids ${TARGET_ACCOUNT}`);
    expect(saveState.mock.calls.map(([, value]) => String(value)).join()).not.toContain('cleaned');
    expect(readFileSync(summaryFile, 'utf8')).toContain(`<tr><td>failed</td><td>createVolumePermission of account ${TARGET_ACCOUNT} on ${SNAP}</td>`);
  });

  it('fails with a clear error and no AWS call when the saved journal is malformed', async () => {
    process.env.STATE_journal = '{"kind":';
    await runPost();
    expect(log.sent).toEqual([]);
    expect(openSessions).not.toHaveBeenCalled();
    expect(String(setFailed.mock.calls[0]?.[0])).toMatch(/^Cleanup failed: The saved state "journal" is not valid JSON .*remove them by hand/s);
  });

  it('lists what is left, with the commands to remove it, when the sessions cannot be opened', async () => {
    process.env.STATE_journal = JSON.stringify(journal);
    setInputs(VALID_INPUTS);
    openSessions.mockImplementation(() => {
      throw new Error('The GitHub OIDC token is not available');
    });
    await runPost();
    const message = String(setFailed.mock.calls[0]?.[0]);
    expect(message).toContain('Cleanup failed: The GitHub OIDC token is not available');
    expect(message).toContain(`aws ec2 modify-image-attribute --region ${REGION} --image-id ${INTERMEDIATE} --launch-permission "Remove=[{UserId=${TARGET_ACCOUNT}}]"`);
    expect(message).toContain(`aws kms revoke-grant --region ${REGION} --key-id ${KEY_ARN} --grant-id ${GRANT_ID}`);
    expect(message).toContain(`aws ec2 deregister-image --region ${TARGET_REGION} --image-id ${TARGET_COPY} --delete-associated-snapshots`);
  });
});

describe('createPersistedJournal', () => {
  it('starts empty without saved state and saves every entry as it is recorded, with the time it was recorded', () => {
    const persisted = createPersistedJournal();
    expect(persisted.entries()).toEqual([]);
    const before = Date.now();
    persisted.record(journal[0] as JournalEntry);
    persisted.record(journal[1] as JournalEntry);
    const saves = saveState.mock.calls.map(([name, value]) => [name, JSON.parse(String(value)) as JournalEntry[]] as const);
    const at = expect.any(Number);
    expect(saves).toEqual([
      ['journal', [{ ...journal[0], at }]],
      ['journal', [{ ...journal[0], at }, { ...journal[1], at }]],
    ]);
    for (const entry of persisted.entries()) expect(entry.at).toBeGreaterThanOrEqual(before);
  });

  it('loads the state the main step saved, with or without the time of each entry (older versions)', () => {
    process.env.STATE_journal = JSON.stringify(journal);
    expect(createPersistedJournal().entries()).toEqual(journal);
    const stamped = journal.map((entry, index) => ({ ...entry, at: 1_900_000_000_000 + index }));
    process.env.STATE_journal = JSON.stringify(stamped);
    expect(createPersistedJournal().entries()).toEqual(stamped);
  });

  it.each([
    ['not JSON', 'nope', /not valid JSON/],
    ['not a list', '{"kind":"grant"}', /not a list/],
    ['an unknown kind', '[{"kind":"bucket"}]', /entry 1 of unknown kind/],
  ])('refuses state that is %s', (_label, raw, reason) => {
    expect(() => parseJournalState(raw)).toThrow(reason);
  });
});
