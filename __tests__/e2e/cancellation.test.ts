/**
 * Long waits: the runner's cancel signals during a copy (main stops at once, the post step leaves both
 * accounts as they were), and sessions that expire during a copy (renewed with a fresh OIDC token).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, defaultWorld, startStandIn, type StandIn } from '../../standin/index.js';
import {
  FAST_COPY_MS,
  REGION,
  SOURCE,
  TARGET,
  TEST_TIMEOUT_MS,
  expectPromoted,
  inputs,
  intermediateCopyId,
  okCalls,
  promote,
  targetCopyId,
  targetKeyArn,
  worldView,
  expectNothingPublic,
  intermediateCopies,
} from './scenario.js';

const AMI_TERM = 'ami-0ca000000000000a1';
const AMI_INT = 'ami-0ca000000000000a2';
const AMI_REFRESH = 'ami-0ca000000000000a3';
const AMI_EC_INT = 'ami-0ca000000000000a4';
const AMI_EC_TARGET = 'ami-0ca000000000000a5';
/** The stand-in's eventual-consistency window: new copies and their snapshots are not found for this long. */
const NOT_FOUND_MS = 10_000;
const LONG_COPY_MS = 120_000;

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world
    .account(SOURCE)
    .image(REGION, { imageId: AMI_TERM, name: 'golden-sigterm' })
    .image(REGION, { imageId: AMI_INT, name: 'golden-sigint' })
    .image(REGION, { imageId: AMI_REFRESH, name: 'golden-refresh', snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }] })
    .image(REGION, { imageId: AMI_EC_INT, name: 'golden-ec-intermediate' })
    .image(REGION, { imageId: AMI_EC_TARGET, name: 'golden-ec-target' });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => standin.clearCalls());

afterEach(() => standin.configure({ copyDurationMs: FAST_COPY_MS, credentialLifetimeSeconds: undefined, notFoundAfterCreateMs: 0 }));

/** Sends `signal` once, `delayMs` after the log matches `when`; records when it was sent. */
function signalWhen(when: RegExp, signal: NodeJS.Signals, before?: { when: RegExp; then: () => void }, delayMs = 0) {
  const sent: { at?: number } = {};
  let prepared = false;
  let matched = false;
  return {
    sent,
    onLog: (log: string, send: (name: NodeJS.Signals) => void) => {
      if (before && !prepared && before.when.test(log)) {
        prepared = true;
        before.then();
      }
      if (!matched && when.test(log)) {
        matched = true;
        setTimeout(() => {
          sent.at = Date.now();
          send(signal);
        }, delayMs);
      }
    },
  };
}

describe('cancellation', () => {
  it(
    'SIGTERM while the target copy is pending (key-access: grant): main stops at once; the post step removes the copy, the sharing, the grant and the intermediate copy',
    async () => {
      const before = worldView(standin);
      // The intermediate copy is fast; the target copy (started after it) is long.
      const trigger = signalWhen(/target copy in eu-west-1 ami-[0-9a-f]+: pending/, 'SIGTERM', {
        when: /Re-encrypting \S+ with \S+ as ami-/,
        then: () => standin.configure({ copyDurationMs: LONG_COPY_MS }),
      });
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_TERM, 'key-access': 'grant' }), { onLog: trigger.onLog });
      const { main, post } = run;
      expect(trigger.sent.at).toBeDefined();
      const exitedAfterMs = run.mainEndedAt - (trigger.sent.at as number);
      expect(main.code).toBe(1);
      expect(main.log).toContain('Received SIGTERM: stopping.');
      expect(run.error).toContain('The job was cancelled (SIGTERM)');
      // main did not clean up (the post step does); it exited promptly, well before the runner's SIGKILL.
      expect(main.log).not.toContain('::group::Clean up');
      expect(exitedAfterMs).toBeLessThan(3_000);
      const copyId = targetCopyId(main.log) as string;
      const intermediateId = intermediateCopyId(main.log) as string;
      expect(copyId).toMatch(/^ami-/);

      // The post step undid everything: the pending copy, the sharing and the intermediate copy.
      expect(post.code).toBe(0);
      expect(post.log).toContain(`Removed unfinished copy ${copyId}`);
      expect(post.log).toContain(`Removed launch permission of account ${TARGET} on ${intermediateId}`);
      expect(post.log).toContain(`Removed intermediate copy ${intermediateId}`);
      expect(post.log).toMatch(/Removed KMS grant promote-ami-\S+ \([0-9a-f]+\) on /);
      expect(standin.grants(SOURCE, REGION, DEFAULTS.sourceKeyArn)).toEqual([]);
      expect(post.summary).toContain('Cleanup');
      expect(worldView(standin)).toEqual(before);
      expect(okCalls(standin, 'DeregisterImage').map((c) => c.params.ImageId).sort()).toEqual([copyId, intermediateId].sort());
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'SIGINT while the intermediate copy is pending: main stops at once; the post step removes the intermediate copy',
    async () => {
      standin.configure({ copyDurationMs: LONG_COPY_MS });
      const beforeSigint = worldView(standin);
      const trigger = signalWhen(/intermediate copy ami-[0-9a-f]+: pending/, 'SIGINT');
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_INT }), { onLog: trigger.onLog });
      const { main, post } = run;
      expect(trigger.sent.at).toBeDefined();
      expect(run.mainEndedAt - (trigger.sent.at as number)).toBeLessThan(3_000);
      expect(main.code).toBe(1);
      expect(main.log).toContain('Received SIGINT: stopping.');
      expect(run.error).toContain('The job was cancelled (SIGINT)');
      expect(okCalls(standin, 'CopyImage', TARGET)).toEqual([]);
      const intermediateId = intermediateCopyId(main.log) as string;
      expect(post.code).toBe(0);
      expect(post.log).toContain(`Removed intermediate copy ${intermediateId}`);
      const after = worldView(standin);
      expect(standin.image(SOURCE, REGION, intermediateId)).toBeUndefined();
      expect(after.target).toEqual(beforeSigint.target);
      // Images, snapshots (including those the pending intermediate copy was writing), keys and grants.
      expect(after.source).toEqual(beforeSigint.source);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('cancellation under eventual consistency (new copies answer NotFound for a while, as in EC2)', () => {
  it(
    'SIGTERM 2 s after the re-encrypt copy starts: the post step looks again until the copy shows, then removes it and its snapshots',
    async () => {
      standin.configure({ copyDurationMs: LONG_COPY_MS, notFoundAfterCreateMs: NOT_FOUND_MS });
      const before = worldView(standin);
      const trigger = signalWhen(/Re-encrypting \S+ with \S+ as ami-/, 'SIGTERM', undefined, 2_000);
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_EC_INT }), { onLog: trigger.onLog });
      const { main, post } = run;
      expect(trigger.sent.at).toBeDefined();
      expect(main.code).toBe(1);
      expect(run.error).toContain('The job was cancelled (SIGTERM)');
      const intermediateId = intermediateCopyId(main.log) as string;
      expect(intermediateId).toMatch(/^ami-/);

      expect(post.code).toBe(0);
      expect(post.log).toContain(`intermediate copy ${intermediateId} was not found`);
      expect(post.log).toContain('looking again in');
      expect(post.log).toContain(`Removed intermediate copy ${intermediateId}`);
      expect(post.log).not.toContain('Already gone');
      expect(okCalls(standin, 'DeregisterImage', SOURCE).map((c) => c.params.ImageId)).toEqual([intermediateId]);
      // Nothing the run created or shared is left in either account: no copy, no snapshot, no permission, no grant.
      expect(intermediateCopies(standin, AMI_EC_INT)).toEqual([]);
      expect(worldView(standin)).toEqual(before);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'SIGTERM right after the target copy starts (key-access: grant): the post step looks again until the copy shows, then removes it, the sharing, the grant and the intermediate copy',
    async () => {
      standin.configure({ notFoundAfterCreateMs: NOT_FOUND_MS });
      const before = worldView(standin);
      const trigger = signalWhen(/Copying into eu-west-1 of \d{12} as ami-/, 'SIGTERM', {
        when: /Re-encrypting \S+ with \S+ as ami-/,
        then: () => standin.configure({ copyDurationMs: LONG_COPY_MS }),
      });
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_EC_TARGET, 'key-access': 'grant' }), { onLog: trigger.onLog });
      const { main, post } = run;
      expect(trigger.sent.at).toBeDefined();
      expect(main.code).toBe(1);
      expect(run.error).toContain('The job was cancelled (SIGTERM)');
      const copyId = targetCopyId(main.log) as string;
      const intermediateId = intermediateCopyId(main.log) as string;
      expect(copyId).toMatch(/^ami-/);

      expect(post.code).toBe(0);
      expect(post.log).toContain(`unfinished copy ${copyId} was not found`);
      expect(post.log).toContain(`Removed unfinished copy ${copyId}`);
      expect(post.log).toContain(`Removed launch permission of account ${TARGET} on ${intermediateId}`);
      expect(post.log).toMatch(/Removed KMS grant promote-ami-\S+ \([0-9a-f]+\) on /);
      expect(post.log).toContain(`Removed intermediate copy ${intermediateId}`);
      expect(post.log).not.toContain('Already gone');
      expect(standin.grants(SOURCE, REGION, DEFAULTS.sourceKeyArn)).toEqual([]);
      expect(okCalls(standin, 'DeregisterImage').map((c) => c.params.ImageId).sort()).toEqual([copyId, intermediateId].sort());
      expect(worldView(standin)).toEqual(before);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('credential renewal', () => {
  it(
    'sessions that last 4 s and a 9 s copy (2 min and 5 min scaled down): renewed with fresh OIDC tokens, the promotion succeeds',
    async () => {
      standin.configure({ credentialLifetimeSeconds: 4, copyDurationMs: 9_000 });
      const tokensBefore = standin.oidcTokens().length;
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_REFRESH, 'target-kms-key': DEFAULTS.targetKeyAlias }));
      expectPromoted(standin, run, { sourceAmiId: AMI_REFRESH, regions: [REGION], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: false });
      const assumed = okCalls(standin, 'AssumeRoleWithWebIdentity').map((c) => c.params.RoleArn);
      expect(assumed.filter((arn) => arn === DEFAULTS.targetRoleArn).length).toBeGreaterThan(1);
      expect(assumed.filter((arn) => arn === DEFAULTS.sourceRoleArn).length).toBeGreaterThan(1);
      // Each assumption used a token of its own, minted by the runner endpoint.
      expect(standin.oidcTokens().length - tokensBefore).toBeGreaterThanOrEqual(assumed.length);
      // No call was made with expired credentials.
      expect(standin.calls().filter((c) => /Expired/.test(c.errorCode ?? ''))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
