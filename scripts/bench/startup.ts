// Start-up against a floor: time from spawn to the first HTTP request and to the first AWS request (main; the action's
// first request is the OIDC token), and to exit (post with nothing to undo),
// for the action's bundles and for floor scripts built here at run time (the bench ships no other project's code):
// the main floor imports @actions/core and STS's client and sends one GetCallerIdentity; the post floor imports
// @actions/core and reads one state value. With CAC_DIST pointing at configure-aws-credentials' published dist/,
// its main and cleanup steps are measured too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST_ENTRY, DIST_POST, runnerInputs, sdkEnv, VALID_INPUTS } from '../../standin/index.js';
import { median, RUNS } from './common.js';
import { row, type Section } from './report.js';
import { runnerEnv, timeScript, type Timing } from './spawn.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const FLOOR_MAIN = `import * as core from '@actions/core';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
const client = new STSClient({ region: core.getInput('aws-region') || 'eu-west-1', maxAttempts: 1 });
try { await client.send(new GetCallerIdentityCommand({})); } catch (error) { core.setFailed(String(error)); }
`;
const FLOOR_POST = `import * as core from '@actions/core';
if (core.getState('journal')) core.info('something to undo');
`;

/** Bundles `source` (resolved from the project's node_modules) into one ESM file, as a published action would ship. */
function bundle(source: string, out: string): string {
  execFileSync(join(ROOT, 'node_modules/.bin/esbuild'), ['--bundle', '--log-level=warning', '--platform=node', '--format=esm', '--target=node24', `--outfile=${out}`,
    "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"], { cwd: ROOT, input: source, stdio: ['pipe', 'ignore', 'inherit'] });
  return out;
}

const endpoints = (url: string) => ({ url, oidcRequestUrl: `${url}/_oidc/token?api-version=2.0`, oidcRequestToken: 'bench-request-token' });
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench-secret' };

interface Subject {
  name: string;
  script: string;
  env: (url: string) => Record<string, string>;
  /** Main steps end at their first request; post steps run to their exit. */
  main: boolean;
  /** The action's main step is given its OIDC token and ends at its first AWS request. */
  untilAws?: boolean;
}

function subjects(dir: string): Subject[] {
  const base = runnerEnv();
  const withCredentials = (url: string) => ({ ...base, ...sdkEnv(endpoints(url), { credentials: CREDENTIALS, region: 'eu-west-1' }) });
  const list: Subject[] = [
    { name: 'floor main', script: bundle(FLOOR_MAIN, join(dir, 'floor-main.mjs')), env: withCredentials, main: true },
    { name: 'action main', script: DIST_ENTRY, env: (url) => ({ ...base, ...runnerInputs(VALID_INPUTS), ...sdkEnv(endpoints(url)) }), main: true, untilAws: true },
    { name: 'floor post', script: bundle(FLOOR_POST, join(dir, 'floor-post.mjs')), env: () => base, main: false },
    { name: 'action post', script: DIST_POST, env: (url) => ({ ...base, ...runnerInputs(VALID_INPUTS), ...sdkEnv(endpoints(url)) }), main: false },
  ];
  const cac = process.env.CAC_DIST;
  if (cac) {
    const inputs = { 'INPUT_AWS-REGION': 'eu-west-1', 'INPUT_ROLE-TO-ASSUME': VALID_INPUTS['target-role-arn'] };
    list.push({ name: 'configure-aws-credentials main', script: join(cac, 'index.js'), env: (url) => ({ ...withCredentials(url), ...inputs }), main: true });
    list.push({ name: 'configure-aws-credentials cleanup', script: join(cac, 'cleanup/index.js'), env: withCredentials, main: false });
  }
  return list;
}

function measured(subject: Subject, timing: Timing): number {
  if (!subject.main) {
    if (timing.code !== 0) throw new Error(`${subject.name} exited with ${timing.code}:\n${timing.output}`);
    return timing.exitMs;
  }
  if (timing.firstRequestMs === undefined) throw new Error(`${subject.name} made no request:\n${timing.output}`);
  return timing.firstRequestMs;
}

/** The action's first AWS request, after its OIDC token. */
function firstAws(subject: Subject, timing: Timing): number | undefined {
  if (!subject.untilAws) return undefined;
  if (timing.firstAwsMs === undefined) throw new Error(`${subject.name} made no AWS request:\n${timing.output}`);
  return timing.firstAwsMs;
}

export async function startup(): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const list = subjects(dir);
  const samples = new Map<string, number[]>(list.flatMap((s) => [[s.name, []], [`${s.name} aws`, []]]));
  const firstPaths = new Map<string, string | undefined>();
  // Interleaved, so that the machine's load weighs on every subject alike.
  for (let i = 0; i < RUNS; i++) {
    for (const subject of list) {
      const timing = await timeScript(subject.script, subject.env, subject.untilAws ? 'aws' : subject.main ? 'first' : 'never');
      samples.get(subject.name)?.push(measured(subject, timing));
      const aws = firstAws(subject, timing);
      if (aws !== undefined) samples.get(`${subject.name} aws`)?.push(aws);
      firstPaths.set(subject.name, timing.firstPath);
    }
  }
  const m = (name: string) => median(samples.get(name) ?? []);
  const rows = [
    row('floor main: spawn to first request', m('floor main'), 'ms'),
    row(`action main: spawn to first request (${firstPaths.get('action main') ?? 'none'})`, m('action main'), 'ms'),
    row('action main / floor main', m('action main') / m('floor main'), 'x', 1.0),
    row('action main: spawn to first AWS request (AssumeRoleWithWebIdentity)', m('action main aws'), 'ms'),
    row('action main, first AWS request / floor main', m('action main aws') / m('floor main'), 'x'),
    row('floor post: spawn to exit', m('floor post'), 'ms'),
    row('action post, nothing to undo: spawn to exit', m('action post'), 'ms'),
    row('action post / floor post', m('action post') / m('floor post'), 'x', 1.0),
  ];
  if (process.env.CAC_DIST) {
    rows.push(row('configure-aws-credentials main: spawn to first request', m('configure-aws-credentials main'), 'ms'));
    rows.push(row('action main / configure-aws-credentials main', m('action main') / m('configure-aws-credentials main'), 'x', 1.0));
    rows.push(row('action main, first AWS request / configure-aws-credentials main', m('action main aws') / m('configure-aws-credentials main'), 'x'));
    rows.push(row('configure-aws-credentials cleanup: spawn to exit', m('configure-aws-credentials cleanup'), 'ms'));
    rows.push(row('action post / configure-aws-credentials cleanup', m('action post') / m('configure-aws-credentials cleanup'), 'x', 1.0));
  }
  return { title: `Start-up under Node 24 (median of ${RUNS})`, rows, data: Object.fromEntries(samples) };
}
