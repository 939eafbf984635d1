// Spawning a script under Node 24 next to a local HTTP server that answers every request with 500: the time from
// spawn to the first request the server receives (the child is killed then), or to the child's exit.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CONTEXT_ENV, node24 } from '../../standin/index.js';

export interface Timing {
  /** Spawn to the first HTTP request received; undefined when none came. */
  firstRequestMs?: number;
  /** The path of the first request (the OIDC token endpoint's, or an AWS service's `/`). */
  firstPath?: string;
  exitMs: number;
  code: number | null;
  output: string;
}

/** The runner's environment: its context variables and empty file-command files (GITHUB_STATE included). */
export function runnerEnv(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-runner-'));
  const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_PATH'].map((name) => [name, join(dir, name)]));
  for (const file of Object.values(files)) writeFileSync(file, '');
  return { PATH: process.env.PATH ?? '', HOME: dir, RUNNER_TEMP: dir, GITHUB_WORKSPACE: dir, ...CONTEXT_ENV, ...files };
}

/** Runs `script` with `env(url)` (url: the server's); with `killAtFirstRequest`, ends it at its first request. */
export async function timeScript(script: string, env: (url: string) => Record<string, string>, killAtFirstRequest: boolean): Promise<Timing> {
  let first: number | undefined;
  let firstPath: string | undefined;
  let kill = () => undefined as unknown;
  const server = createServer((req, res) => {
    first ??= performance.now();
    firstPath ??= req.url?.split('?')[0];
    res.statusCode = 500;
    res.end('bench: no service here');
    if (killAtFirstRequest) kill();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const start = performance.now();
    const child = spawn(node24(), [script], { env: env(url), stdio: ['ignore', 'pipe', 'pipe'] });
    kill = () => child.kill('SIGKILL');
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => child.on('close', resolve).on('error', reject));
    return { firstRequestMs: first === undefined ? undefined : first - start, firstPath, exitMs: performance.now() - start, code, output };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
