import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_ENTRY, DIST_POST, node24 } from './node24.js';
import { runnerInputs } from './inputs-env.js';

/** Parses a runner file-command file (GITHUB_OUTPUT, GITHUB_STATE): `name=value` and `name<<DELIM` … `DELIM`. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] ?? '');
      values[name] = body.join('\n');
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return values;
}

export interface StepResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr as the runner's log would show them (workflow commands included). */
  log: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** The messages of ::error:: commands. */
  errors: string[];
  warnings: string[];
}

export interface StepOptions {
  inputs: Record<string, string>;
  /** Extra environment (AWS endpoints, OIDC URL, AWS credentials for the source side). */
  env: Record<string, string>;
  /** Runs the post step, with the state the main step saved. */
  state?: Record<string, string>;
  /** Called with the live log; may signal the process (cancellation tests). */
  onLog?: (log: string, signal: (name: NodeJS.Signals) => void) => void;
  timeoutMs?: number;
  /** A command that runs Node 24 (e.g. ['/usr/bin/time', '-v'] for its peak memory); its output joins the log. */
  launcher?: string[];
}

export const CONTEXT_ENV = {
  GITHUB_REPOSITORY: 'acme/images',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_WORKFLOW: 'release',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_ACTOR: 'octocat',
  GITHUB_ACTIONS: 'true',
  RUNNER_OS: 'Linux',
};

function commands(log: string, name: string): string[] {
  return log
    .split('\n')
    .filter((line) => line.startsWith(`::${name}`))
    .map((line) => line.slice(line.indexOf('::', 2) + 2).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'));
}

/**
 * The environment the runner gives a step, in a fresh temporary folder: PATH, HOME, RUNNER_TEMP and the workspace, the
 * context variables, and empty file-command files (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY, GITHUB_ENV, GITHUB_PATH).
 */
export function runnerEnvironment(): { env: Record<string, string>; files: Record<'GITHUB_OUTPUT' | 'GITHUB_STATE' | 'GITHUB_STEP_SUMMARY' | 'GITHUB_ENV' | 'GITHUB_PATH', string> } {
  const dir = mkdtempSync(join(tmpdir(), 'runner-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  return { files, env: { PATH: process.env.PATH ?? '', HOME: dir, RUNNER_TEMP: dir, GITHUB_WORKSPACE: dir, ...CONTEXT_ENV, ...files } };
}

/** Runs a step's bundle with Node 24 as the runner runs it: INPUT_* variables, file commands; with `state`, the post step with STATE_*. */
export function runStep(options: StepOptions): Promise<StepResult> {
  const { env: runner, files } = runnerEnvironment();
  const stateEnv = Object.fromEntries(Object.entries(options.state ?? {}).map(([k, v]) => [`STATE_${k}`, v]));
  const env = {
    ...runner,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...runnerInputs(options.inputs),
    ...stateEnv,
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const node = node24();
    const [command = node, ...args] = [...(options.launcher ?? []), node, options.state ? DIST_POST : DIST_ENTRY];
    const child = spawn(command, args, { env, cwd: runner.GITHUB_WORKSPACE, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      options.onLog?.(log, (name) => child.kill(name));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        log,
        outputs: parseFileCommands(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
        state: { ...(options.state ?? {}), ...parseFileCommands(readFileSync(files.GITHUB_STATE, 'utf8')) },
        summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
        errors: commands(log, 'error'),
        warnings: commands(log, 'warning'),
      });
    });
  });
}

/** The main step, then the post step with the state main saved (as the runner does with post-if: always()). */
export async function runAction(options: StepOptions): Promise<{ main: StepResult; post: StepResult }> {
  const main = await runStep(options);
  const post = await runStep({ inputs: options.inputs, env: options.env, state: main.state, timeoutMs: options.timeoutMs, launcher: options.launcher });
  return { main, post };
}
