/**
 * Least privilege, proven against the stand-in: the roles and keys carry exactly the action's own `policies` output.
 * Sufficient: the promotion, its re-run, the dry run, and the cleanup after a failure succeed. Minimal: with any one
 * statement, action or condition taken out (a condition made unmatchable), the run fails or the preflight reports it
 * missing; pieces that only serve an optional check are listed with what removing them shows instead.
 */
import { describe, expect, it } from '@jest/globals';
import pLimit from 'p-limit';
import { DEFAULTS, addTargetAccount, defaultWorld, startStandIn, type StandIn } from '../../standin/index.js';
import { EXPECTED } from '../support/least-privilege-expected.js';
import { attachExactly, parseGenerated, piecesOf, statementActions, statementOf, without, type Generated, type Piece } from '../support/least-privilege.js';
import { FAST_COPY_MS, REGION, REGION2, expectNothingPublic, inputs, promote, worldView, type Run, type RunOptions } from './scenario.js';

const PROOF_TIMEOUT_MS = 600_000;
const AMI = 'ami-0f00000000000000a';
/** Already under the shared key: shared as it is, no intermediate copy. */
const AMI_UNDER_KEY = 'ami-0f00000000000000b';
const EARLIER = 'ami-0f0000000000000e1';
const RECIPIENT = '444455556666';

const TWO_REGIONS = { 'target-regions': `${REGION}, ${REGION2}` };
/** A second target account, set up like the default one (its own role, keys and statement in the source key policy). */
const SECOND_TARGET = '333333333333';

/**
 * The combinations of inputs. Each is proven sufficient; the first one is proven minimal piece by piece, the others
 * for the pieces they add.
 */
const COMBINATIONS: [string, Record<string, string>][] = [
  ['key-access: verify, a target key in two regions, autoscaling-access: check', { ...TWO_REGIONS, 'source-ami-id': AMI, 'target-kms-key': DEFAULTS.targetKeyAlias }],
  ['key-access: grant', { 'source-ami-id': AMI, 'target-kms-key': DEFAULTS.targetKeyAlias, 'key-access': 'grant' }],
  ['key-access: key-policy', { 'source-ami-id': AMI, 'target-kms-key': DEFAULTS.targetKeyAlias, 'key-access': 'key-policy' }],
  ['copy-method: snapshots, a target key in two regions', { ...TWO_REGIONS, 'source-ami-id': AMI, 'target-kms-key': DEFAULTS.targetKeyAlias, 'copy-method': 'snapshots' }],
  ['the default EBS key, a source shared as it is, autoscaling-access: off', { ...TWO_REGIONS, 'source-ami-id': AMI_UNDER_KEY, 'autoscaling-access': 'off' }],
  [
    'every finishing feature: protection, deprecation, SSM, share-with, launch templates, retirement, autoscaling-access: grant',
    {
      ...TWO_REGIONS,
      'source-ami-id': AMI,
      'target-kms-key': DEFAULTS.targetKeyAlias,
      'autoscaling-access': 'grant',
      'deregistration-protection': 'true',
      'deprecate-after-days': '30',
      'ssm-parameter': '/golden/ami',
      'share-with': RECIPIENT,
      'launch-template': 'web-servers',
      'launch-template-default': 'true',
      'retire-previous': 'deregister',
      'keep-previous': '0',
    },
  ],
];


/** The preflight findings a run reports as unchecked or as a warning: what an optional piece's absence shows. */
const notedFindings = (log: string) => new Set(log.split('\n').flatMap((line) => /\[(unchecked|warning)\] .*/.exec(line)?.[0] ?? []));

/** Where the only effect of a piece is in the log rather than in a finding. */
const LOGGED_EFFECTS: Record<string, RegExp> = { 'ec2:GetEbsDefaultKmsKeyId': /under the target account's default EBS key/ };

/**
 * What EBS documents a principal needs on a key for encrypted copies; which of them EC2 checks on the key a copy reads
 * and which on the key it writes is not documented
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html). The stand-in's default model
 * checks some on each; this one checks all of them on both, the assumption the generated policies are written for.
 */
const EVERY_DOCUMENTED_KEY_ACTION = ['kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:CreateGrant'].map((a) => [a]);
const STRICT_KEYS = { copyKeyRequirements: { source: EVERY_DOCUMENTED_KEY_ACTION, destination: EVERY_DOCUMENTED_KEY_ACTION } };

/** The default world with what the combinations use: the AMIs, a launch template and an earlier promotion. */
async function world(options: Parameters<typeof startStandIn>[1] = {}): Promise<StandIn> {
  const built = addTargetAccount(defaultWorld(), SECOND_TARGET, { ou: DEFAULTS.targetOu });
  built
    .account(DEFAULTS.sourceAccount)
    .image(REGION, { imageId: AMI, name: 'least-privilege', snapshots: [{}] })
    .image(REGION, { imageId: AMI_UNDER_KEY, name: 'least-privilege-under-key', snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }] });
  const target = built.account(DEFAULTS.targetAccount);
  for (const region of [REGION, REGION2]) target.launchTemplate(region, { name: 'web-servers', versions: [{ imageId: 'ami-0f0000000000000f1', instanceType: 'm7g.large' }] });
  target.image(REGION, {
    imageId: EARLIER,
    name: 'least-privilege-earlier',
    creationDate: '2026-01-01T00:00:00.000Z',
    tags: { 'promote-ami:role': 'promoted', 'promote-ami:lineage': DEFAULTS.repository },
    snapshots: [{ kmsKey: DEFAULTS.targetKeyAlias }],
  });
  return startStandIn(built, { copyDurationMs: FAST_COPY_MS, ...options });
}

/** The policies output of a dry run with the default world's broad policies. */
async function generatedFor(given: Record<string, string>): Promise<Generated> {
  const standin = await world();
  try {
    const run = await promote(standin, { ...given, 'dry-run': 'true' });
    return parseGenerated(run.main.outputs.policies);
  } finally {
    await standin.close();
  }
}

/** Whether a run did not end cleanly: a failed step, or cleanup that could not remove something. */
const unclean = (run: Run) => run.main.code !== 0 || run.post.code !== 0 || /<tr><td>failed<\/td>/.test(run.main.summary + run.post.summary);

/** With key-access: key-policy the key policy starts without the target role's statements: the action adds them. */
const asBefore = (generated: Generated, given: Record<string, string>): Generated => (given['key-access'] === 'key-policy' ? { ...generated, keyPolicyStatements: [] } : generated);

async function withExactly<T>(generated: Generated, fn: (standin: StandIn) => Promise<T>, options: Parameters<typeof startStandIn>[1] = {}): Promise<T> {
  const standin = await world(options);
  try {
    attachExactly(standin, generated, [REGION, REGION2]);
    return await fn(standin);
  } finally {
    expectNothingPublic(standin);
    await standin.close();
  }
}

const INTERMEDIATE_STARTED = /Re-encrypting \S+ with \S+ as ami-/;

/** `operation` fails (HTTP 500) once the intermediate copy exists: CopyImage (the target copies) or, with copy-method snapshots, RegisterImage. Main cleans up. */
function failOnceIntermediateStarts(standin: StandIn, operation: 'CopyImage' | 'RegisterImage'): RunOptions {
  let armed = false;
  return {
    env: { AWS_MAX_ATTEMPTS: '1' },
    onLog: (log) => {
      if (armed || !INTERMEDIATE_STARTED.test(log)) return;
      armed = true;
      standin.setFaults({ errorRate: 1, operations: [operation] });
    },
  };
}

const failTargetCopy = (standin: StandIn) => failOnceIntermediateStarts(standin, 'CopyImage');

/** SIGTERM while a target copy is pending (copies made long once the intermediate one exists): the post step cleans up. */
function cancelDuringTargetCopy(standin: StandIn): RunOptions {
  let slowed = false;
  let sent = false;
  return {
    onLog: (log, send) => {
      if (!slowed && INTERMEDIATE_STARTED.test(log)) {
        slowed = true;
        standin.configure({ copyDurationMs: 120_000 });
      }
      if (!sent && /Copying into \S+ of \d{12} as ami-/.test(log)) {
        sent = true;
        send('SIGTERM');
      }
    },
  };
}

type Verdict = 'needed' | 'needed if EC2 checks every documented key action' | 'optional' | 'guard' | 'not needed';

/**
 * A negated condition (StringNotEquals…) refuses what the action never asks for, such as sharing with the group all:
 * no correct run can show it; the unit test of the generated policies proves that it refuses.
 */
const isGuard = (generated: Generated, piece: Piece) =>
  piece.kind === 'condition' && Object.entries(statementOf(generated, piece)?.Condition ?? {}).some(([operator, byKey]) => /Not/.test(operator) && piece.name !== undefined && piece.name in byKey);

/** The actions a piece takes out. */
const actionsTakenOut = (generated: Generated, piece: Piece) => (piece.kind === 'action' ? [piece.name as string] : piece.kind === 'statement' ? statementActions(generated, piece) : []);

/** "[unchecked] Allowed AMIs": a finding's status and check, without its account and detail. */
const findingName = (line: string) => /^\[\w+\] .*? \((?:source|target) account/.exec(line)?.[0].replace(/ \((?:source|target) account$/, '') ?? line;

/** The first finding (or logged effect) a run without the piece shows that the run with every piece does not. */
function newlyNoted(run: Run, baseline: Set<string>, actions: string[]): string | undefined {
  const logged = actions.flatMap((a) => (LOGGED_EFFECTS[a]?.test(run.main.log) ? [`logs "${LOGGED_EFFECTS[a]?.source}"`] : []));
  const finding = [...notedFindings(run.main.log)].find((line) => !baseline.has(line));
  return finding ? findingName(finding) : logged[0];
}

/** What a run without the piece shows: it fails (needed), only loses a check (optional), or changes nothing. */
async function verdictWithout(generated: Generated, given: Record<string, string>, piece: Piece, baseline: Set<string>): Promise<{ piece: Piece; verdict: Verdict; shows?: string }> {
  if (isGuard(generated, piece)) return { piece, verdict: 'guard' };
  const narrowed = asBefore(without(generated, piece), given);
  const run = await withExactly(narrowed, (standin) => promote(standin, given));
  if (unclean(run)) return { piece, verdict: 'needed' };
  const actions = actionsTakenOut(generated, piece);
  const shows = newlyNoted(run, baseline, actions);
  if (shows) return { piece, verdict: 'optional', shows };
  if (actions.some((a) => a.startsWith('kms:'))) {
    const strict = await withExactly(narrowed, (standin) => promote(standin, given), STRICT_KEYS);
    if (unclean(strict)) return { piece, verdict: 'needed if EC2 checks every documented key action' };
  }
  return { piece, verdict: 'not needed' };
}

/** The finishing features asked for did their work (so that their permissions were really used). */
function expectFeaturesDone(run: Run, given: Record<string, string>): void {
  if (given['retire-previous']) expect(run.main.outputs.retired).toContain(EARLIER);
  if (given['launch-template']) expect(Object.keys(JSON.parse(run.main.outputs['launch-template-versions'] ?? '{}'))).toEqual([DEFAULTS.targetAccount]);
  if (given['ssm-parameter']) expect(run.main.summary).toContain(`SSM parameter: ${REGION}:${given['ssm-parameter']}`);
  if (given['share-with']) expect(run.main.summary).toContain(`Shared onward (kept)`);
}

/** The pieces of `generated` that `base` does not have as they are (same place, same statement). */
function newPieces(generated: Generated, base: Generated | undefined): Piece[] {
  const key = (g: Generated, p: Piece) => `${p.place} ${JSON.stringify(statementOf(g, p))} ${p.kind} ${p.name ?? ''}`;
  const known = new Set(base ? piecesOf(base).map((p) => key(base, p)) : []);
  return piecesOf(generated).filter((p) => !known.has(key(generated, p)));
}

let baseGenerated: Generated | undefined;
const baselines = new Map<string, Set<string>>();

describe.each(COMBINATIONS)('the generated policies for %s', (name, given) => {
  const inputsOf = inputs(given);
  let generated: Generated;

  it(
    'are sufficient: the dry run, the promotion and its re-run succeed with exactly them',
    async () => {
      generated = await generatedFor(inputsOf);
      await withExactly(asBefore(generated, given), async (standin) => {
        const dry = await promote(standin, { ...inputsOf, 'dry-run': 'true' });
        expect(dry.error).toBe('');
        const first = await promote(standin, inputsOf);
        expect(first.error).toBe('');
        baselines.set(name, notedFindings(first.main.log));
        expect(unclean(first)).toBe(false);
        expectFeaturesDone(first, given);
        const again = await promote(standin, inputsOf);
        expect(again.error).toBe('');
        expect(again.main.outputs.reused).toBe('true');
      });
    },
    PROOF_TIMEOUT_MS,
  );

  it(
    'are minimal: without any one of their statements, actions or conditions the run fails or is refused',
    async () => {
      const pieces = newPieces(generated, baseGenerated);
      baseGenerated ??= generated;
      const limit = pLimit(3);
      const baseline = baselines.get(name) ?? new Set<string>();
      const results = await Promise.all(pieces.map((piece) => limit(() => verdictWithout(generated, inputsOf, piece, baseline))));
      const labels = (verdict: Verdict) => results.filter((r) => r.verdict === verdict).map((r) => (r.shows ? `${r.piece.label}: ${r.shows}` : r.piece.label));
      expect(labels('not needed')).toEqual([]);
      expect({ optional: labels('optional'), strictKeys: labels('needed if EC2 checks every documented key action'), guards: labels('guard') }).toEqual(
        EXPECTED[name],
      );
    },
    PROOF_TIMEOUT_MS,
  );
});

describe('the generated policies for two target accounts', () => {
  const given = inputs({
    'source-ami-id': AMI,
    'target-kms-key': DEFAULTS.targetKeyAlias,
    'target-role-arn': `${DEFAULTS.targetRoleArn}\narn:aws:iam::${SECOND_TARGET}:role/${DEFAULTS.targetRoleName}`,
  });

  it(
    "are sufficient with each target role's own policy and one source policy for both",
    async () => {
      const generated = await generatedFor(given);
      expect(Object.keys(generated.targets ?? {})).toEqual([DEFAULTS.targetAccount, SECOND_TARGET]);
      await withExactly(generated, async (standin) => {
        // Each target role carries its own generated policy and nothing else.
        const roles = (account: string) => (standin.dump().accounts[account] as { roles: Record<string, { policies: object }> }).roles[DEFAULTS.targetRoleName]?.policies;
        expect(roles(SECOND_TARGET)).toEqual({ generated: generated.targets?.[SECOND_TARGET]?.targetRoleIamPolicy });
        expect(roles(DEFAULTS.targetAccount)).toEqual({ generated: generated.targetRoleIamPolicy });
        const run = await promote(standin, given);
        expect(run.error).toBe('');
        expect(unclean(run)).toBe(false);
        expect(Object.keys(JSON.parse(run.main.outputs.promotions ?? '{}'))).toEqual([DEFAULTS.targetAccount, SECOND_TARGET]);
      });
    },
    PROOF_TIMEOUT_MS,
  );
});

describe('the generated policies after a failure and a cancellation', () => {
  const given = inputs({ 'source-ami-id': AMI, 'target-kms-key': DEFAULTS.targetKeyAlias, 'key-access': 'grant' });

  it(
    'are enough for cleanup: main after a failed copy, the post step after SIGTERM, leave both accounts as they were',
    async () => {
      const generated = await generatedFor(given);
      const interruptions: [typeof failTargetCopy, RegExp][] = [
        [failTargetCopy, /Copying ami-\S+ into the target account/],
        [cancelDuringTargetCopy, /The job was cancelled \(SIGTERM\)/],
      ];
      for (const [interruption, error] of interruptions) {
        await withExactly(generated, async (standin) => {
          const before = worldView(standin);
          const run = await promote(standin, given, interruption(standin));
          expect(run.main.code).toBe(1);
          expect(run.error).toMatch(error);
          expect(run.post.code).toBe(0);
          expect(run.main.summary + run.post.summary).not.toMatch(/<tr><td>failed<\/td>/);
          expect(run.main.summary + run.post.summary).toContain('removed by this run');
          expect(worldView(standin)).toEqual(before);
        });
      }
    },
    PROOF_TIMEOUT_MS,
  );

  it(
    'are enough for cleanup with copy-method snapshots: main deletes the snapshot copies after a failed registration',
    async () => {
      const snapshots = { ...given, 'copy-method': 'snapshots' };
      const generated = await generatedFor(snapshots);
      await withExactly(generated, async (standin) => {
        const before = worldView(standin);
        const run = await promote(standin, snapshots, failOnceIntermediateStarts(standin, 'RegisterImage'));
        expect(run.main.code).toBe(1);
        expect(run.error).toMatch(/Registering \S+ from the snapshot copies/);
        expect(run.main.summary + run.post.summary).not.toMatch(/<tr><td>failed<\/td>/);
        expect(run.main.summary).toContain('removed by this run');
        expect(worldView(standin)).toEqual(before);
      });
    },
    PROOF_TIMEOUT_MS,
  );
});
