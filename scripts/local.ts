// `npm run local`: the action run from source by GitHub's local runner for actions (@github/local-action) against the
// local AWS stand-in, main step then post step. local-action offers no OIDC token, so the inputs set role-chaining:
// the roles are assumed with sts:AssumeRole from the credentials of a `developer` user in the environment, as on a
// laptop. local-action exits 0 even when the action fails, so this script judges the run by what it produced: the
// ami-id output, the promoted AMI in the target account, the job summary, and no secret in the log.
// Arguments name=value override inputs, e.g. `npm run local -- dry-run=true`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONTEXT_ENV,
  DEFAULTS,
  allow,
  assumeRoleTrust,
  policyOf,
  runnerInputs,
  sdkEnv,
  startStandIn,
  statements,
  type StandIn,
  type WorldBuilder,
} from '../standin/index.js';
import { DEMO_INPUTS, demoWorld } from './demo-world.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEVELOPER = `arn:aws:iam::${DEFAULTS.sourceAccount}:user/developer`;

/** The demo world, with a `developer` user whom both roles trust and whose policy lets it assume them. */
function localWorld(): WorldBuilder {
  const world = demoWorld();
  const roles = [DEFAULTS.sourceRoleArn, DEFAULTS.targetRoleArn];
  world.account(DEFAULTS.sourceAccount).user('developer', { policies: { AssumePromotionRoles: policyOf(allow('sts:AssumeRole', roles)) } });
  for (const [account, roleName] of [
    [DEFAULTS.sourceAccount, DEFAULTS.sourceRoleName],
    [DEFAULTS.targetAccount, DEFAULTS.targetRoleName],
  ] as const) {
    const builder = world.account(account);
    const trust = builder.config.roles.find((role) => role.name === roleName)?.trustPolicy;
    builder.role(roleName, { trustPolicy: policyOf(...(trust ? statements(trust) : []), assumeRoleTrust(DEVELOPER)) });
  }
  return world;
}

/** A dotenv line; values in double quotes, where dotenv turns \n into a new line. */
const dotenvLine = (name: string, value: string) => `${name}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`;

/** Inputs given as name=value arguments. */
function inputArguments(args: string[]): Record<string, string> {
  return Object.fromEntries(
    args.map((arg) => {
      const eq = arg.indexOf('=');
      if (eq <= 0) throw new Error(`"${arg}" is not name=value (for example dry-run=true)`);
      return [arg.slice(0, eq), arg.slice(eq + 1)];
    }),
  );
}

/** The .env local-action reads: the inputs, the stand-in's endpoint and the developer's keys, the GitHub context. */
function writeDotenv(standin: StandIn, dir: string, given: Record<string, string>): string {
  const aws = sdkEnv(standin, { credentials: standin.credentials(DEFAULTS.sourceAccount, 'developer') });
  for (const name of Object.keys(aws)) if (name.startsWith('ACTIONS_ID_TOKEN_')) delete aws[name];
  const variables = {
    ...runnerInputs({ ...DEMO_INPUTS, 'role-chaining': 'true', ...given }),
    ...aws,
    ...CONTEXT_ENV,
    GITHUB_ACTIONS: 'false',
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    LOCAL_ACTION_WORKSPACE: dir,
  };
  const file = join(dir, '.env');
  writeFileSync(file, Object.entries(variables).map(([name, value]) => dotenvLine(name, value)).join('\n') + '\n');
  return file;
}

const MAX_SHOWN = 240;

/** A line as shown: local-action's tables print the whole policies output on one line. */
const shown = (line: string) => (line.length > MAX_SHOWN ? `${line.slice(0, MAX_SHOWN)}… (${line.length} characters)` : line);

/** Runs `local-action run . src/main.ts .env --post src/post.ts`, passing its output through line by line; resolves with it. */
function localAction(dotenv: string): Promise<string> {
  const bin = join(ROOT, 'node_modules', '.bin', 'local-action');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['run', '.', 'src/main.ts', dotenv, '--post', 'src/post.ts'], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
    let output = '';
    let shownUpTo = 0;
    const show = (all: boolean) => {
      const end = all ? output.length : output.lastIndexOf('\n') + 1;
      if (end <= shownUpTo) return;
      for (const line of output.slice(shownUpTo, end).replace(/\n$/, '').split('\n')) console.log(shown(line));
      shownUpTo = end;
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      show(false);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', () => {
      show(true);
      resolve(output);
    });
  });
}

/** What local-action printed as ::set-output lines. */
function outputsOf(log: string): Record<string, string> {
  return Object.fromEntries([...log.matchAll(/^::set-output name=([\w-]+)::(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

/** What a promotion (not a dry run) must leave: the ami-id output, naming an available AMI in the target account. */
function promotionProblems(standin: StandIn, log: string): string[] {
  const amiId = outputsOf(log)['ami-id'] ?? '';
  if (!/^ami-[0-9a-f]{17}$/.test(amiId)) return ['no ami-id output'];
  const state = standin.image(DEFAULTS.targetAccount, DEFAULTS.region, amiId)?.state;
  return state === 'available' ? [] : [`${amiId} is not available in the target account`];
}

/** Problems with the run, judged by its outputs, the stand-in's state, the summary and the log; empty when it worked. */
function problems(standin: StandIn, log: string, summary: string, dryRun: boolean): string[] {
  const found = dryRun ? [] : promotionProblems(standin, log);
  if (summary.trim() === '') found.push('no job summary');
  if (!/Nothing to clean up/.test(log)) found.push('the post step did not report a clean finish');
  if (/^::error::/m.test(log)) found.push('the log has errors');
  const secrets = [...standin.state.sessions.values()].flatMap((session) => [session.secretAccessKey, session.sessionToken]);
  if (secrets.some((secret) => log.includes(secret))) found.push('a session secret reached the log');
  return found;
}

const given = inputArguments(process.argv.slice(2));
const standin = await startStandIn(localWorld(), { copyDurationMs: 1000 });
try {
  const dir = mkdtempSync(join(tmpdir(), 'local-action-'));
  console.log(`Local AWS stand-in on ${standin.url}; running the action with @github/local-action (inputs in ${join(dir, '.env')}).\n`);
  const log = await localAction(writeDotenv(standin, dir, given));
  const summaryFile = join(dir, 'summary.md');
  const summary = existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '';
  const dryRun = given['dry-run'] === 'true';
  const found = problems(standin, log, summary, dryRun);
  const done = dryRun ? 'dry run reported' : `promoted ${outputsOf(log)['ami-id']}`;
  console.log(found.length === 0 ? `\nnpm run local: ${done} under local-action.` : `\nnpm run local FAILED: ${found.join('; ')}.`);
  process.exitCode = found.length === 0 ? 0 : 1;
} finally {
  await standin.close();
}
