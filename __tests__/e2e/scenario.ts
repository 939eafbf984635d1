/**
 * Shared helpers of the end-to-end suite: the bundled dist/index.js run by Node 24 as the runner runs it
 * (support/runner.ts) against the local AWS stand-in (standin/), and assertions on outputs, the job summary,
 * the call log and the stand-in's final state.
 */
import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { DEFAULTS, sdkEnv, type CallRecord, type StandIn } from '../../standin/index.js';
import { CONTEXT_ENV, runStep, type StepOptions, type StepResult } from '../../standin/index.js';

export const SOURCE = DEFAULTS.sourceAccount;
export const TARGET = DEFAULTS.targetAccount;
export const REGION = DEFAULTS.region;
export const REGION2 = DEFAULTS.secondRegion;
export const REGIONS = [REGION, REGION2];

/** Per-test timeouts (jest) and per-step timeouts (the harness kills the step after this). */
export const STEP_TIMEOUT_MS = 60_000;
export const TEST_TIMEOUT_MS = 90_000;

/** A short copy: every wait of the action ends at its first poll (2 s). */
export const FAST_COPY_MS = 300;

export const kmsKeyArn = (account: string, region: string, keyId: string) => `arn:aws:kms:${region}:${account}:key/${keyId}`;
export const targetKeyArn = (region: string) => kmsKeyArn(TARGET, region, DEFAULTS.targetKeyIds[region] as string);
export const AUTOSCALING_ROLE_ARN = `arn:aws:iam::${TARGET}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
export const RUN_URL = `${CONTEXT_ENV.GITHUB_SERVER_URL}/${CONTEXT_ENV.GITHUB_REPOSITORY}/actions/runs/${CONTEXT_ENV.GITHUB_RUN_ID}`;

/** The inputs of the Quick start against the default world, with overrides. */
export function inputs(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'source-ami-id': DEFAULTS.sourceAmiId,
    'kms-key-arn': DEFAULTS.sourceKeyArn,
    'source-role-arn': DEFAULTS.sourceRoleArn,
    'target-role-arn': DEFAULTS.targetRoleArn,
    ...overrides,
  };
}

export interface RunOptions {
  env?: Record<string, string>;
  onLog?: StepOptions['onLog'];
  timeoutMs?: number;
  /** Leaves out the runner's OIDC variables (ACTIONS_ID_TOKEN_*), as where no job token is issued. */
  withoutOidc?: boolean;
}

export interface Run {
  main: StepResult;
  post: StepResult;
  /** Every ::error:: message of the main step, joined. */
  error: string;
  /** When the main step's process ended (epoch ms). */
  mainEndedAt: number;
}

/** The main step, then the post step with the saved state (as runAction does), against the stand-in. */
export async function promote(standin: StandIn, given: Record<string, string>, options: RunOptions = {}): Promise<Run> {
  const env = { ...sdkEnv(standin), ...options.env };
  if (options.withoutOidc) for (const name of Object.keys(env).filter((key) => key.startsWith('ACTIONS_ID_TOKEN_'))) delete env[name];
  const step = { inputs: given, env, timeoutMs: options.timeoutMs ?? STEP_TIMEOUT_MS };
  const main = await runStep({ ...step, onLog: options.onLog });
  const mainEndedAt = Date.now();
  const post = await runStep({ ...step, state: main.state });
  // Whatever the scenario: no secret the stand-in issued reaches a log line (other than ::add-mask::), a summary,
  // an output or the saved state.
  const secrets = issuedSecrets(standin);
  for (const [where, text] of Object.entries({
    'main log': main.log,
    'post log': post.log,
    'main summary': main.summary,
    'post summary': post.summary,
    outputs: JSON.stringify(main.outputs),
    state: JSON.stringify(main.state),
  })) {
    expect({ where, leaked: leakedLines(text, secrets) }).toEqual({ where, leaked: [] });
  }
  return { main, post, error: main.errors.join('\n\n'), mainEndedAt };
}

/** The AMI name the action gives its intermediate copy (reencrypt.ts): promote-ami-<source>-<hash of the key ARN>. */
export function intermediateName(sourceAmiId: string, keyArn: string): string {
  return `promote-ami-${sourceAmiId}-${createHash('sha256').update(keyArn).digest('hex').slice(0, 10)}`;
}

// ---------------------------------------------------------------------------------------------------
// Call log

/** Operations that only read (or only identify / explain), never change anything. */
const READ_OPERATION = /^(Describe\w*|Get\w*|List\w*|SimulatePrincipalPolicy|AssumeRole|AssumeRoleWithWebIdentity|DecodeAuthorizationMessage)$/;

export function isReadCall(call: CallRecord): boolean {
  return READ_OPERATION.test(call.operation) && !call.mutation;
}

/** Asserts that the action changed nothing in either account: no mutation, every call a read. */
export function expectOnlyReads(standin: StandIn): void {
  expect(standin.mutations().map(describeCall)).toEqual([]);
  expect(standin.calls().filter((c) => !isReadCall(c)).map(describeCall)).toEqual([]);
}

export function describeCall(call: CallRecord): string {
  return `${call.service}:${call.operation} ${call.account ?? '-'} ${call.region} ${call.outcome}${call.errorCode ? ` ${call.errorCode}` : ''}`;
}

/** Successful calls of an operation (optionally by one account). */
export function okCalls(standin: StandIn, operation: string | string[], account?: string): CallRecord[] {
  return standin.calls({ operation, outcome: 'ok', ...(account ? { account } : {}) });
}

// ---------------------------------------------------------------------------------------------------
// State views

const bySort = <T>(list: T[], key: (item: T) => string) => [...list].sort((a, b) => key(a).localeCompare(key(b)));

/**
 * What an account holds in the given regions, as JSON for before/after comparisons: images, snapshots
 * (with their sharing and tags), customer-managed keys (policy and grants) and SSM parameters. AWS-managed keys
 * (alias/aws/ebs) are left out: AWS creates them on first use.
 */
export function accountView(standin: StandIn, account: string, regions: string[] = REGIONS) {
  return Object.fromEntries(
    regions.map((region) => [
      region,
      {
        images: bySort(standin.images(account, region), (i) => i.imageId).map((i) => ({
          imageId: i.imageId,
          name: i.name,
          state: i.state,
          public: i.public,
          launchPermissions: i.launchPermissions.map((p) => p.userId ?? p.group ?? p.organizationArn ?? p.organizationalUnitArn),
          tags: i.tags,
          deregistrationProtection: i.deregistrationProtection,
          snapshots: i.blockDevices.map((d) => d.snapshotId),
        })),
        snapshots: bySort(standin.snapshots(account, region), (s) => s.snapshotId).map((s) => ({
          snapshotId: s.snapshotId,
          state: s.state,
          encrypted: s.encrypted,
          kmsKeyArn: s.kmsKeyArn,
          public: s.public,
          createVolumePermissions: s.createVolumePermissions.map((p) => p.userId ?? p.group),
          tags: s.tags,
        })),
        keys: bySort(
          [...standin.state.keys.values()].filter((k) => k.accountId === account && k.region === region && k.keyManager === 'CUSTOMER'),
          (k) => k.arn,
        ).map((k) => {
          const dump = standin.key(account, region, k.arn);
          return { arn: k.arn, state: dump?.state, policy: dump?.policy, grants: dump?.grants.map((g) => ({ grantee: g.granteePrincipal, name: g.name, operations: g.operations })) };
        }),
        parameters: [...standin.state.parameters.values()]
          .filter((p) => p.accountId === account && p.region === region)
          .map((p) => ({ name: p.name, value: p.value, version: p.version })),
      },
    ]),
  );
}

export function worldView(standin: StandIn, regions: string[] = REGIONS) {
  return { source: accountView(standin, SOURCE, regions), target: accountView(standin, TARGET, regions) };
}

/** Every image and snapshot of every account in the stand-in is private. */
export function expectNothingPublic(standin: StandIn): void {
  const publicOnes: string[] = [];
  for (const account of standin.state.accounts.keys()) {
    for (const region of REGIONS) {
      for (const image of standin.images(account, region)) if (standin.isPublic(account, region, image.imageId)) publicOnes.push(image.imageId);
      for (const snapshot of standin.snapshots(account, region)) if (snapshot.public) publicOnes.push(snapshot.snapshotId);
    }
  }
  expect(publicOnes).toEqual([]);
}

/** Images in the source account the action made as intermediate copies (tag promote-ami:role=intermediate), of one source AMI or all. */
export function intermediateCopies(standin: StandIn, sourceAmiId?: string, region = REGION): string[] {
  return standin
    .images(SOURCE, region)
    .filter((i) => i.tags[SOURCE]?.['promote-ami:role'] === 'intermediate')
    .filter((i) => sourceAmiId === undefined || i.tags[SOURCE]?.['promote-ami:source-ami-id'] === sourceAmiId)
    .map((i) => i.imageId);
}

// ---------------------------------------------------------------------------------------------------
// A successful promotion

export interface PromotionExpectation {
  sourceAmiId: string;
  regions: string[];
  /** The key ARN every snapshot of the promoted AMI must be under, per region. */
  keyArn: (region: string) => string;
  /** The provenance value of promote-ami:kms-key: the key ARN, or "default". */
  keyLabel: (region: string) => string;
  /** Whether an intermediate copy had to be made. */
  reencrypted: boolean;
  /** The source AMI's own tags, copied to the promoted AMI. */
  sourceTags?: Record<string, string>;
  /** Device names of the source AMI, in order. */
  devices?: string[];
}

export interface Promoted {
  amiIds: Record<string, string>;
  snapshotIds: Record<string, string[]>;
}

/** Outputs, state of the promoted AMI in every region, and the job summary of a successful run. */
export function expectPromoted(standin: StandIn, run: Run, expected: PromotionExpectation): Promoted {
  const { main, post } = run;
  expect(run.error).toBe('');
  expect(main.code).toBe(0);
  expect(post.code).toBe(0);
  const { outputs } = main;
  const amiIds = JSON.parse(outputs['ami-ids'] ?? '{}') as Record<string, string>;
  const snapshotIds = JSON.parse(outputs['snapshot-ids'] ?? '{}') as Record<string, string[]>;
  expect(Object.keys(amiIds)).toEqual(expected.regions);
  expect(Object.keys(snapshotIds)).toEqual(expected.regions);
  expect(outputs['ami-id']).toBe(amiIds[expected.regions[0] as string]);
  expect(outputs['target-account-id']).toBe(TARGET);
  expect(outputs.reused).toBe('false');
  if (expected.reencrypted) expect(outputs['reencrypted-ami-id']).toMatch(/^ami-[0-9a-f]{17}$/);
  else expect(outputs['reencrypted-ami-id']).toBe('');
  expectPoliciesOutput(outputs.policies);

  for (const region of expected.regions) {
    const imageId = amiIds[region] as string;
    const image = standin.image(TARGET, region, imageId);
    expect(image).toBeDefined();
    if (!image) continue;
    expect(image.state).toBe('available');
    expect(image.public).toBe(false);
    expect(image.launchPermissions).toEqual([]);
    expect(image.blockDevices.map((d) => d.snapshotId)).toEqual(snapshotIds[region]);
    if (expected.devices) expect(image.blockDevices.map((d) => d.deviceName)).toEqual(expected.devices);
    const provenance = {
      'promote-ami:role': 'promoted',
      'promote-ami:source-ami-id': expected.sourceAmiId,
      'promote-ami:source-account': SOURCE,
      'promote-ami:source-region': REGION,
      'promote-ami:kms-key': expected.keyLabel(region),
      'promote-ami:lineage': CONTEXT_ENV.GITHUB_REPOSITORY,
      'promote-ami:repository': CONTEXT_ENV.GITHUB_REPOSITORY,
      'promote-ami:commit': CONTEXT_ENV.GITHUB_SHA,
      'promote-ami:run-url': RUN_URL,
    };
    expect(image.tags[TARGET]).toEqual({ ...expected.sourceTags, ...provenance });
    for (const snapshotId of snapshotIds[region] ?? []) {
      const snapshot = standin.snapshot(TARGET, region, snapshotId);
      expect(snapshot).toMatchObject({ state: 'completed', encrypted: true, kmsKeyArn: expected.keyArn(region), public: false, createVolumePermissions: [] });
      expect(snapshot?.tags[TARGET]).toMatchObject(provenance);
    }
    // The job summary: one row per account and region with the AMI and its snapshots.
    expect(main.summary).toContain(`<code>${imageId}</code>`);
    for (const snapshotId of snapshotIds[region] ?? []) expect(main.summary).toContain(`<code>${snapshotId}</code>`);
    expect(main.summary).toContain(`<td>${TARGET}</td><td>${region}</td>`);
  }
  expect(main.summary).toContain('AMI promotion');
  expect(main.summary).toContain(`Source: <code>${expected.sourceAmiId}</code> in account ${SOURCE}, ${REGION}`);
  expect(main.summary).toContain('Preflight');
  expect(main.summary).toContain('Policies for these inputs');
  expect(main.summary).toContain('Cleanup');
  if (expected.reencrypted) expect(main.summary).toContain(`as <code>${outputs['reencrypted-ami-id']}</code> (intermediate copy)`);
  expect(post.log).toContain('Nothing to clean up');
  // Nothing left behind in the source account by this run.
  if (expected.reencrypted) expect(standin.image(SOURCE, REGION, outputs['reencrypted-ami-id'] as string)).toBeUndefined();
  expect(intermediateCopies(standin, expected.sourceAmiId)).toEqual([]);
  return { amiIds, snapshotIds };
}

/** The policies output: the generated policies with the real ARNs of the run (source key, roles, repository). */
export function expectPoliciesOutput(raw: string | undefined, sourceKeyArn: string = DEFAULTS.sourceKeyArn): void {
  expect(raw).toBeDefined();
  const policies = JSON.parse(raw ?? '{}') as Record<string, unknown>;
  expect(Object.keys(policies)).toEqual(
    expect.arrayContaining(['sourceRoleIamPolicy', 'keyPolicyStatements', 'targetRoleIamPolicy', 'targetTrustPolicy', 'autoscalingKeyStatements']),
  );
  expect(JSON.stringify(policies.sourceRoleIamPolicy)).toContain(sourceKeyArn);
  expect(JSON.stringify(policies.targetRoleIamPolicy)).toContain(sourceKeyArn);
  const statements = policies.keyPolicyStatements as { Principal?: { AWS?: string } }[];
  expect(statements.length).toBeGreaterThan(0);
  for (const statement of statements) expect(statement.Principal?.AWS).toBe(DEFAULTS.targetRoleArn);
  const trust = JSON.stringify(policies.targetTrustPolicy);
  expect(trust).toContain(`arn:aws:iam::${TARGET}:oidc-provider/token.actions.githubusercontent.com`);
  expect(trust).toContain(`repo:${DEFAULTS.repository}:`);
}

// ---------------------------------------------------------------------------------------------------
// Secrets

/** Every secret the stand-in handed out: session secret keys and tokens, static secret keys, and OIDC tokens. */
export function issuedSecrets(standin: StandIn): string[] {
  const sessions = [...standin.state.sessions.values()].flatMap((s) => [s.secretAccessKey, s.sessionToken]);
  const statics = [...standin.state.staticKeys.values()].map((k) => k.secretAccessKey);
  return [...sessions, ...statics, ...standin.oidcTokens()].filter((s) => s.length >= 8);
}

/** Lines of `text` that contain a secret outside an ::add-mask:: command. */
export function leakedLines(text: string, secrets: string[]): string[] {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .filter((line) => secrets.some((secret) => line.includes(secret)));
}

/** Secrets that appear in the log only inside ::add-mask:: commands: the values the action masked. */
export function maskedValues(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => line.slice('::add-mask::'.length));
}

// ---------------------------------------------------------------------------------------------------
// Logs

/** The ID of the target copy in a region, from the main step's log. */
export function targetCopyId(log: string, region = REGION): string | undefined {
  return new RegExp(`Copying into ${region} of \\d{12} as (ami-[0-9a-f]+)`).exec(log)?.[1];
}

/** The ID of the intermediate copy, from the main step's log. */
export function intermediateCopyId(log: string): string | undefined {
  return /Re-encrypting \S+ with \S+ as (ami-[0-9a-f]+)/.exec(log)?.[1];
}
