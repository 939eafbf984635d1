/**
 * A job matrix over target accounts: jobs of the same workflow run promote the same source AMI to several target
 * accounts, at once or started seconds apart. They share one intermediate copy, each under its own lease tag; the
 * last job to clean up removes it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CopyImageCommand, DeregisterImageCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DEFAULTS, addTargetAccount, defaultWorld, sdkClientConfig, startStandIn, type StandIn } from '../../standin/index.js';
import {
  FAST_COPY_MS,
  REGION,
  SOURCE,
  TARGET,
  TEST_TIMEOUT_MS,
  accountView,
  expectNothingPublic,
  inputs,
  intermediateCopies,
  intermediateCopyId,
  intermediateName,
  promote,
  type Run,
} from './scenario.js';

const roleIn = (account: string) => `arn:aws:iam::${account}:role/${DEFAULTS.targetRoleName}`;
const TARGET2 = '444444444444';
const TARGET2_ROLE = roleIn(TARGET2);
/** The four accounts of the skewed matrix: the default target and three more. */
const MATRIX = [TARGET, TARGET2, '555555555555', '666666666666'];
const AMI_TOGETHER = 'ami-0aa0000000000aa01';
const AMI_ONE_AFTER_THE_OTHER = 'ami-0aa0000000000aa02';
const AMI_SKEWED = 'ami-0aa0000000000aa03';
const AMI_SKEWED_THROTTLED = 'ami-0aa0000000000aa04';
const AMI_REMOVED = 'ami-0aa0000000000aa05';

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world
    .account(SOURCE)
    .image(REGION, { imageId: AMI_TOGETHER, name: 'golden-matrix' })
    .image(REGION, { imageId: AMI_ONE_AFTER_THE_OTHER, name: 'golden-matrix-staggered' })
    .image(REGION, { imageId: AMI_SKEWED, name: 'golden-matrix-skewed' })
    .image(REGION, { imageId: AMI_SKEWED_THROTTLED, name: 'golden-matrix-skewed-throttled' })
    .image(REGION, { imageId: AMI_REMOVED, name: 'golden-matrix-removed' });
  for (const account of MATRIX.slice(1)) addTargetAccount(world, account);
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => {
  standin.clearCalls();
  standin.setFaults({});
  standin.configure({ copyDurationMs: FAST_COPY_MS });
});

describe('a matrix over two target accounts in one workflow run', () => {
  it(
    'two jobs at once: both promote, sharing one intermediate copy; nothing is left shared or copied in the source account',
    async () => {
      const before = accountView(standin, SOURCE);
      const [first, second] = await Promise.all([
        promote(standin, inputs({ 'source-ami-id': AMI_TOGETHER })),
        promote(standin, inputs({ 'source-ami-id': AMI_TOGETHER, 'target-role-arn': TARGET2_ROLE })),
      ]);
      expect(first.error).toBe('');
      expect(second.error).toBe('');
      expect(first.main.code).toBe(0);
      expect(second.main.code).toBe(0);
      expect(first.main.outputs['target-account-id']).toBe(TARGET);
      expect(second.main.outputs['target-account-id']).toBe(TARGET2);
      // One intermediate copy for both jobs.
      expect(first.main.outputs['reencrypted-ami-id']).toBe(second.main.outputs['reencrypted-ami-id']);
      for (const [run, account] of [
        [first, TARGET],
        [second, TARGET2],
      ] as const) {
        expect(standin.image(account, REGION, run.main.outputs['ami-id'] as string)?.state).toBe('available');
        expect(run.post.code).toBe(0);
      }
      expect(intermediateCopies(standin, AMI_TOGETHER)).toEqual([]);
      expect(accountView(standin, SOURCE)).toEqual(before);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'the second job after the first has finished and cleaned up: it promotes too',
    async () => {
      const first = await promote(standin, inputs({ 'source-ami-id': AMI_ONE_AFTER_THE_OTHER }));
      expect(first.main.code).toBe(0);
      expect(intermediateCopies(standin, AMI_ONE_AFTER_THE_OTHER)).toEqual([]);
      const removed = first.main.outputs['reencrypted-ami-id'] as string;
      // Stop the second job at once if it takes up the removed copy (it would wait for it for 2 minutes).
      const second = await promote(standin, inputs({ 'source-ami-id': AMI_ONE_AFTER_THE_OTHER, 'target-role-arn': TARGET2_ROLE }), {
        onLog: (log, signal) => {
          if (log.includes(`as ${removed}.`)) signal('SIGKILL');
        },
      });
      expect(intermediateCopyId(second.main.log)).not.toBe(removed);
      expect(second.error).toBe('');
      expect(second.main.code).toBe(0);
      expect(standin.image(TARGET2, REGION, second.main.outputs['ami-id'] ?? 'none')?.state).toBe('available');
    },
    TEST_TIMEOUT_MS,
  );
});

/**
 * The most intermediate copies that existed at once in the source account, from the call log: each CopyImage that
 * made one (not a ClientToken replay) adds one, each DeregisterImage that succeeded removes one.
 */
function mostCopiesAtOnce(standin: StandIn): { made: number; most: number } {
  const changes = standin.calls({ account: SOURCE, operation: ['CopyImage', 'DeregisterImage'], outcome: 'ok', mutation: true }).sort((a, b) => a.seq - b.seq);
  let live = 0;
  let most = 0;
  for (const call of changes) {
    live += call.operation === 'CopyImage' ? 1 : -1;
    most = Math.max(most, live);
  }
  return { made: changes.filter((c) => c.operation === 'CopyImage').length, most };
}

/** The jobs of one matrix, job i started STARTS[i] ms after the first. */
const STARTS = [0, 5_000, 12_000, 20_000];
const MATRIX_TIMEOUT_MS = 240_000;

async function skewedMatrix(given: Record<string, string>, env: Record<string, string> = {}): Promise<Run[]> {
  return Promise.all(
    MATRIX.map(async (account, i) => {
      await new Promise((resolve) => setTimeout(resolve, STARTS[i]));
      return promote(standin, { ...given, 'target-role-arn': roleIn(account) }, { env, timeoutMs: 150_000 });
    }),
  );
}

/**
 * Every job promotes. Without faults no job has to make the copy again: each cleanup sees the others' leases. Under
 * throttling a job's lease may land just after a finishing job's last look (the retries shift every call): that job
 * then sees the copy removed and takes up or makes another one, as the lease protocol intends (steps/lease.ts).
 */
function expectEveryJobPromoted(runs: Run[], copyMadeAgain: 'never' | 'allowed' = 'never'): void {
  runs.forEach((run, i) => {
    const account = MATRIX[i] as string;
    expect({ account, error: run.error, main: run.main.code, post: run.post.code }).toEqual({ account, error: '', main: 0, post: 0 });
    expect(run.main.outputs['target-account-id']).toBe(account);
    expect(standin.image(account, REGION, run.main.outputs['ami-id'] ?? 'none')?.state).toBe('available');
    const madeAgain = run.main.warnings.filter((w) => w.includes('was removed while this run relied on it'));
    if (copyMadeAgain === 'never') expect(madeAgain).toEqual([]);
    else expect(madeAgain.length).toBeLessThanOrEqual(1);
  });
}

describe('a matrix over four target accounts, the jobs started 0, 5, 12 and 20 s apart', () => {
  it(
    'every job promotes; one intermediate copy at a time, leased by each job; nothing is left shared, granted or intermediate',
    async () => {
      standin.configure({ copyDurationMs: 3_000 });
      const before = accountView(standin, SOURCE);
      const runs = await skewedMatrix(inputs({ 'source-ami-id': AMI_SKEWED }));
      expectEveryJobPromoted(runs);
      expect(mostCopiesAtOnce(standin).most).toBe(1);
      // Jobs that found the copy leased it (CreateTags); every job's cleanup deleted its own lease.
      const leases = (operation: string) =>
        new Set(standin.calls({ account: SOURCE, operation, outcome: 'ok' }).flatMap((c) => JSON.stringify(c.params).match(/promote-ami:lease:[\w-]+/g) ?? []));
      expect(leases('CreateTags').size).toBeGreaterThanOrEqual(MATRIX.length - mostCopiesAtOnce(standin).made);
      expect(leases('DeleteTags').size).toBe(MATRIX.length);
      expect([...leases('CreateTags')].filter((key) => !leases('DeleteTags').has(key))).toEqual([]);
      expect(intermediateCopies(standin, AMI_SKEWED)).toEqual([]);
      expect(accountView(standin, SOURCE)).toEqual(before);
    },
    MATRIX_TIMEOUT_MS,
  );

  it(
    'under 20 % throttling, with key-access grant: every job promotes, one intermediate copy at a time, every grant retired',
    async () => {
      standin.configure({ copyDurationMs: 3_000 });
      const before = accountView(standin, SOURCE);
      standin.setFaults({ seed: 10, throttleRate: 0.2 });
      const runs = await skewedMatrix(inputs({ 'source-ami-id': AMI_SKEWED_THROTTLED, 'key-access': 'grant' }), { AWS_MAX_ATTEMPTS: '12' });
      standin.setFaults({});
      expectEveryJobPromoted(runs, 'allowed');
      expect(standin.calls({ fault: true }).filter((c) => c.fault === 'throttle').length).toBeGreaterThan(20);
      expect(mostCopiesAtOnce(standin).most).toBe(1);
      expect(standin.calls({ account: SOURCE, operation: 'CreateGrant', outcome: 'ok' })).toHaveLength(MATRIX.length);
      expect(intermediateCopies(standin, AMI_SKEWED_THROTTLED)).toEqual([]);
      expect(accountView(standin, SOURCE)).toEqual(before);
    },
    MATRIX_TIMEOUT_MS,
  );
});

describe('a copy another run removes while a job relies on it', () => {
  it(
    'the job makes a new intermediate copy, says why, and promotes; nothing is left behind',
    async () => {
      const before = accountView(standin, SOURCE);
      const admin = new EC2Client(sdkClientConfig(standin, REGION, standin.credentials(SOURCE)));
      // Another run's intermediate copy of the same source under the same key.
      const marks = [
        { Key: 'promote-ami:role', Value: 'intermediate' },
        { Key: 'promote-ami:source-ami-id', Value: AMI_REMOVED },
        { Key: 'promote-ami:kms-key', Value: DEFAULTS.sourceKeyArn },
      ];
      const { ImageId: theirs } = await admin.send(
        new CopyImageCommand({
          SourceImageId: AMI_REMOVED,
          SourceRegion: REGION,
          Name: intermediateName(AMI_REMOVED, DEFAULTS.sourceKeyArn),
          Encrypted: true,
          KmsKeyId: DEFAULTS.sourceKeyArn,
          TagSpecifications: [
            { ResourceType: 'image', Tags: marks },
            { ResourceType: 'snapshot', Tags: marks },
          ],
        }),
      );
      let removal: Promise<unknown> | undefined;
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_REMOVED }), {
        onLog: (log) => {
          // That run's cleanup does not see the lease just written (tags are eventually consistent) and removes the copy.
          if (!removal && log.includes(`Leased the intermediate copy ${theirs}`)) removal = admin.send(new DeregisterImageCommand({ ImageId: theirs }));
        },
      });
      await removal;
      expect(removal).toBeDefined();
      expect({ error: run.error, main: run.main.code, post: run.post.code }).toEqual({ error: '', main: 0, post: 0 });
      expect(run.main.warnings).toContainEqual(expect.stringContaining(`The intermediate copy ${theirs} was removed while this run relied on it, most probably by the cleanup of another run`));
      expect(run.main.outputs['reencrypted-ami-id']).not.toBe(theirs);
      expect(standin.image(TARGET, REGION, run.main.outputs['ami-id'] ?? 'none')?.state).toBe('available');
      expect(mostCopiesAtOnce(standin)).toEqual({ made: 2, most: 1 });
      // Its cleanup removed its own copy and deleted the snapshot the removed copy left.
      expect(intermediateCopies(standin, AMI_REMOVED)).toEqual([]);
      expect(accountView(standin, SOURCE)).toEqual(before);
    },
    TEST_TIMEOUT_MS,
  );
});
