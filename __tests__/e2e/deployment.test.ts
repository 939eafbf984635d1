/**
 * deployment-environment: the bundled action records the promotion as a GitHub deployment through a local stand-in
 * of GitHub's REST API (GITHUB_API_URL), with the job's token (github-token's default), which never reaches a log.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CONTEXT_ENV, DEFAULTS, JOB_TOKEN, defaultWorld, startGitHubApi, startStandIn, type GitHubApiStandIn, type StandIn } from '../../standin/index.js';
import { FAST_COPY_MS, REGION, REGION2, RUN_URL, SOURCE, TARGET, TEST_TIMEOUT_MS, expectPromoted, inputs, leakedLines, promote, targetKeyArn, type Run } from './scenario.js';

const AMI_RECORDED = 'ami-0de000000000000d1';
const AMI_REFUSED = 'ami-0de000000000000d2';
const AMI_CANCELLED = 'ami-0de000000000000d3';
const [OWNER, REPO] = CONTEXT_ENV.GITHUB_REPOSITORY.split('/') as [string, string];
const ENVIRONMENT = 'production';

let standin: StandIn;
let github: GitHubApiStandIn;

beforeAll(async () => {
  const world = defaultWorld();
  for (const imageId of [AMI_RECORDED, AMI_REFUSED, AMI_CANCELLED]) {
    world.account(SOURCE).image(REGION, { imageId, name: `golden-${imageId}`, snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }] });
  }
  [standin, github] = await Promise.all([startStandIn(world, { copyDurationMs: FAST_COPY_MS }), startGitHubApi()]);
});

afterAll(async () => {
  await Promise.all([standin.close(), github.close()]);
});

beforeEach(() => github.reset());

afterEach(() => {
  github.configure({});
  standin.configure({ copyDurationMs: FAST_COPY_MS });
});

const recorded = (sourceAmiId: string, more: Record<string, string> = {}) =>
  inputs({ 'source-ami-id': sourceAmiId, 'target-kms-key': DEFAULTS.targetKeyAlias, 'deployment-environment': ENVIRONMENT, ...more });

const env = () => ({ GITHUB_API_URL: github.url });

/** The job's token reaches no log line (but the ::add-mask:: that masks it), no summary, output or saved state. */
function expectTokenNeverShown(run: Run): void {
  expect(run.main.log).toContain(`::add-mask::${JOB_TOKEN}`);
  for (const text of [run.main.log, run.post.log]) expect(leakedLines(text, [JOB_TOKEN])).toEqual([]);
  for (const text of [run.main.summary, run.post.summary, JSON.stringify(run.main.outputs), JSON.stringify(run.main.state)]) expect(text).not.toContain(JOB_TOKEN);
}

describe('deployment-environment', () => {
  it(
    'records a deployment of the commit with the promoted AMIs in its payload, in progress while copying, then success',
    async () => {
      const run = await promote(standin, recorded(AMI_RECORDED, { 'target-regions': `${REGION}, ${REGION2}` }), { env: env() });
      const { amiIds } = expectPromoted(standin, run, { sourceAmiId: AMI_RECORDED, regions: [REGION, REGION2], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: false });
      expectTokenNeverShown(run);

      const [deployment, ...others] = github.deployments();
      expect(others).toEqual([]);
      expect(deployment).toMatchObject({ owner: OWNER, repo: REPO });
      expect(deployment?.body).toMatchObject({
        ref: CONTEXT_ENV.GITHUB_SHA,
        environment: ENVIRONMENT,
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
        payload: { 'source-ami-id': AMI_RECORDED, 'source-region': REGION, amis: { [TARGET]: amiIds }, 'run-url': RUN_URL },
      });
      expect(String(deployment?.body.description).length).toBeLessThanOrEqual(140);
      expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
      // In progress while the target copy runs: set before it completed.
      const inProgressAt = github.requests().find((r) => r.path.endsWith('/statuses') && r.body.state === 'in_progress')?.at ?? Infinity;
      const copy = standin.calls({ account: TARGET, operation: 'CopyImage', outcome: 'ok' })[0]?.notes?.copy as { completeAt: string } | undefined;
      expect(inProgressAt).toBeLessThan(Date.parse(copy?.completeAt ?? '1970-01-01T00:00:00Z'));
      expect(deployment?.statuses[1]).toMatchObject({ log_url: RUN_URL, environment_url: RUN_URL });
      expect(String(deployment?.statuses[1]?.description)).toContain(amiIds[REGION] as string);
      for (const status of deployment?.statuses ?? []) expect(String(status.description).length).toBeLessThanOrEqual(140);
      // Every request carries the job's token, the default of github-token.
      expect(new Set(github.requests().map((r) => r.authorization))).toEqual(new Set([`token ${JOB_TOKEN}`]));
      expect(run.main.state.deployment).toBe(JSON.stringify({ id: deployment?.id, finished: true }));
      expect(run.post.log).not.toContain('Deployment');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'without deployments: write (403): the promotion succeeds and one warning names the permission to add',
    async () => {
      github.configure({ failWith: 403 });
      const run = await promote(standin, recorded(AMI_REFUSED), { env: env() });
      expectPromoted(standin, run, { sourceAmiId: AMI_REFUSED, regions: [REGION], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: false });
      expectTokenNeverShown(run);
      const warnings = run.main.warnings.filter((w) => w.includes('Could not record'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`environment "${ENVIRONMENT}"`);
      expect(warnings[0]).toContain('403');
      expect(warnings[0]).toContain('deployments: write');
      // The refused creation is the only request: nothing is retried.
      expect(github.requests().map((r) => `${r.method} ${r.path}`)).toEqual([`POST /repos/${OWNER}/${REPO}/deployments`]);
      expect(run.main.state.deployment).toBeUndefined();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'cancelled while copying: the post step removes the copy, then marks the deployment inactive',
    async () => {
      standin.configure({ copyDurationMs: 120_000 });
      let sent = false;
      const run = await promote(standin, recorded(AMI_CANCELLED), {
        env: env(),
        onLog: (log, signal) => {
          if (sent || !/Recorded the promotion as deployment \d+/.test(log)) return;
          sent = true;
          signal('SIGTERM');
        },
      });
      expect(sent).toBe(true);
      expect(run.main.code).toBe(1);
      expect(run.error).toContain('The job was cancelled (SIGTERM)');
      expect(run.post.code).toBe(0);
      expect(run.post.log).toMatch(/Removed unfinished copy ami-/);
      expectTokenNeverShown(run);
      const [deployment] = github.deployments();
      expect(deployment?.body.environment).toBe(ENVIRONMENT);
      expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'inactive']);
      expect(run.post.log).toContain(`Deployment ${deployment?.id} in environment "${ENVIRONMENT}" is now inactive.`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refused by preflight: no AMI was promoted, so nothing is recorded',
    async () => {
      const run = await promote(standin, recorded('ami-0de0000000000dead'), { env: env() });
      expect(run.main.code).toBe(1);
      expect(github.requests()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
