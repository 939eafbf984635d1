/**
 * Security properties over several runs: the action touches only what it created (resources with its names
 * but not its tags, and sharing that existed before, are left alone), re-runs reuse the result without
 * sharing or granting anything, nothing is ever made public, and no secret reaches a log or the summary.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, defaultWorld, startStandIn, type CallRecord, type StandIn } from '../../standin/index.js';
import {
  FAST_COPY_MS,
  REGION,
  SOURCE,
  TARGET,
  TEST_TIMEOUT_MS,
  accountView,
  expectNothingPublic,
  expectPromoted,
  inputs,
  intermediateName,
  issuedSecrets,
  leakedLines,
  maskedValues,
  okCalls,
  promote,
  targetKeyArn,
  worldView,
  type Run,
} from './scenario.js';

const AMI_DECOY = 'ami-05e000000000000a1';
const DECOY_INTERMEDIATE = 'ami-05e000000000000d1';
const DECOY_SNAPSHOT = 'snap-05e000000000000d1';
const AMI_SHARED = 'ami-05e000000000000a2';
const AMI_RERUN = 'ami-05e000000000000a3';

let standin: StandIn;
const runs: Run[] = [];
const calls: CallRecord[] = [];

beforeAll(async () => {
  const world = defaultWorld();
  world
    .account(SOURCE)
    .image(REGION, { imageId: AMI_DECOY, name: 'golden-decoy' })
    // Someone else's image with the name the action gives its intermediate copy of AMI_DECOY, without its tags.
    .image(REGION, {
      imageId: DECOY_INTERMEDIATE,
      name: intermediateName(AMI_DECOY, DEFAULTS.sourceKeyArn),
      snapshots: [{ snapshotId: DECOY_SNAPSHOT, kmsKey: DEFAULTS.sourceKeyAlias, tags: { Name: intermediateName(AMI_DECOY, DEFAULTS.sourceKeyArn) } }],
      tags: { Name: 'not made by the action' },
    })
    // An AMI under the CMK that the target account could launch before the run (its snapshot not shared).
    .image(REGION, { imageId: AMI_SHARED, name: 'golden-already-shared', snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }], sharedWith: [TARGET], snapshotsSharedWith: [] })
    .image(REGION, { imageId: AMI_RERUN, name: 'golden-rerun' });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(() => standin.close());

beforeEach(() => standin.clearCalls());

afterEach(() => {
  calls.push(...standin.calls({ internal: 'any' }));
});

async function run(given: Record<string, string>): Promise<Run> {
  const result = await promote(standin, inputs(given));
  runs.push(result);
  return result;
}

/** Calls that named one of `ids` (in any parameter). */
function callsNaming(ids: string[]): CallRecord[] {
  return standin.calls().filter((c) => ids.some((id) => JSON.stringify(c.params).includes(id)));
}

describe('resources the run did not create are never touched', () => {
  it(
    'an untagged image (and its snapshot) with the name of the intermediate copy: the run stops, the image stays as it was',
    async () => {
      const before = worldView(standin);
      const decoy = standin.image(SOURCE, REGION, DECOY_INTERMEDIATE);
      const { main, post, error } = await run({ 'source-ami-id': AMI_DECOY });
      expect(main.code).toBe(1);
      expect(error).toContain(`Re-encrypting ${AMI_DECOY} with ${DEFAULTS.sourceKeyArn} (source account ${SOURCE}, ${REGION}) failed`);
      expect(error).toContain(`already has an AMI named "${intermediateName(AMI_DECOY, DEFAULTS.sourceKeyArn)}" that is not a usable intermediate copy`);
      expect(post.code).toBe(0);
      expect(standin.image(SOURCE, REGION, DECOY_INTERMEDIATE)).toEqual(decoy);
      expect(worldView(standin)).toEqual(before);
      // Only read calls named the decoy image or its snapshot.
      expect(callsNaming([DECOY_INTERMEDIATE, DECOY_SNAPSHOT]).filter((c) => c.mutation || !/^Describe/.test(c.operation))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a launch permission for the target that existed before the run stays; only the snapshot permission the run added is removed',
    async () => {
      const before = accountView(standin, SOURCE);
      const snapshotId = standin.image(SOURCE, REGION, AMI_SHARED)?.blockDevices[0]?.snapshotId as string;
      const result = await run({ 'source-ami-id': AMI_SHARED, 'target-kms-key': DEFAULTS.targetKeyAlias });
      expectPromoted(standin, result, { sourceAmiId: AMI_SHARED, regions: [REGION], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: false });
      expect(okCalls(standin, 'ModifyImageAttribute')).toEqual([]);
      expect(okCalls(standin, 'ModifySnapshotAttribute').map((c) => c.params.SnapshotId)).toEqual([snapshotId, snapshotId]);
      expect(standin.sharedWith(SOURCE, REGION, AMI_SHARED)).toEqual({ image: [TARGET], snapshots: { [snapshotId]: [] } });
      expect(standin.image(SOURCE, REGION, AMI_SHARED)?.launchPermissions).toEqual([expect.objectContaining({ userId: TARGET, addedBy: 'world' })]);
      expect(accountView(standin, SOURCE)).toEqual(before);
      expect(result.main.summary).toContain(`Already shared before this run (left as is): ${AMI_SHARED}`);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('the same promotion run twice', () => {
  it(
    'the second run reuses the first result (reused = true) and copies, shares and grants nothing',
    async () => {
      const given = { 'source-ami-id': AMI_RERUN, 'target-kms-key': DEFAULTS.targetKeyAlias, 'key-access': 'grant' };
      const first = await run(given);
      const promoted = expectPromoted(standin, first, { sourceAmiId: AMI_RERUN, regions: [REGION], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: true });
      expect(okCalls(standin, 'CreateGrant')).toHaveLength(1);
      const before = worldView(standin);

      standin.clearCalls();
      const second = await run(given);
      expect(second.main.code).toBe(0);
      expect(second.main.outputs).toMatchObject({
        reused: 'true',
        'ami-id': first.main.outputs['ami-id'],
        'ami-ids': first.main.outputs['ami-ids'],
        'snapshot-ids': first.main.outputs['snapshot-ids'],
        'reencrypted-ami-id': '',
        'target-account-id': TARGET,
      });
      expect(second.main.log).toContain(`already promoted as ${promoted.amiIds[REGION]}; it is reused`);
      expect(second.main.summary).toContain('Every region already had this promotion: nothing was copied, shared or granted.');
      expect(okCalls(standin, ['CopyImage', 'ModifyImageAttribute', 'ModifySnapshotAttribute', 'CreateGrant', 'PutKeyPolicy'])).toEqual([]);
      expect(standin.mutations()).toEqual([]);
      expect(second.post.log).toContain('Nothing to clean up');
      expect(worldView(standin)).toEqual(before);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('over every run of this file', () => {
  it('nothing was ever made public, nor asked to be', () => {
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expectNothingPublic(standin);
    const publicAsks = calls.filter((c) => /"Group":"all"|"all"/.test(JSON.stringify(c.params.LaunchPermission ?? c.params.CreateVolumePermission ?? c.params.UserGroups ?? c.params.GroupNames ?? '')));
    expect(publicAsks).toEqual([]);
  });

  it('no secret access key, session token or OIDC token appears in a log line (except ::add-mask::), the summary or an output', () => {
    const secrets = issuedSecrets(standin);
    // Sessions for the roles, and the OIDC tokens they were assumed with (a run that never needs the source does not assume its role).
    expect([...standin.state.sessions.values()].filter((s) => s.roleName).length).toBeGreaterThanOrEqual(runs.length + 1);
    expect(standin.oidcTokens().length).toBeGreaterThanOrEqual(runs.length + 1);
    for (const { main, post } of runs) {
      expect(leakedLines(main.log, secrets)).toEqual([]);
      expect(leakedLines(post.log, secrets)).toEqual([]);
      expect(leakedLines(main.summary, secrets)).toEqual([]);
      expect(leakedLines(post.summary, secrets)).toEqual([]);
      expect(leakedLines(JSON.stringify(main.outputs), secrets)).toEqual([]);
      expect(leakedLines(JSON.stringify(main.state), secrets)).toEqual([]);
      expect(leakedLines(JSON.stringify(post.outputs), secrets)).toEqual([]);
    }
    // Every session credential and OIDC token used by a run was masked as soon as it existed.
    const masked = new Set(runs.flatMap(({ main, post }) => [...maskedValues(main.log), ...maskedValues(post.log)]));
    const sessions = [...standin.state.sessions.values()];
    for (const session of sessions) {
      expect(masked.has(session.secretAccessKey)).toBe(true);
      expect(masked.has(session.sessionToken)).toBe(true);
    }
    for (const token of standin.oidcTokens()) expect(masked.has(token)).toBe(true);
  });
});
