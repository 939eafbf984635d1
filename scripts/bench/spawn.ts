// Spawning a script under Node 24 next to a local HTTP server that gives an OIDC token to the runner's token endpoint
// and answers every other request with 500: the time from spawn to the first request the server receives and to the
// first AWS request (the child is killed then), or to the child's exit.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { node24, runnerEnvironment } from '../../standin/index.js';

export interface Timing {
  /** Spawn to the first HTTP request received; undefined when none came. */
  firstRequestMs?: number;
  /** The path of the first request (the OIDC token endpoint's, or an AWS service's `/`). */
  firstPath?: string;
  /** Spawn to the first request that is not for the OIDC token: the first AWS request. */
  firstAwsMs?: number;
  exitMs: number;
  code: number | null;
  output: string;
}

/** The runner's environment: its context variables and empty file-command files (GITHUB_STATE included). */
export const runnerEnv = (): Record<string, string> => runnerEnvironment().env;

const TOKEN_PATH = '/_oidc/token';

/** When to end the child: at its first request, at its first AWS request, or never (it runs to its exit). */
export type KillAt = 'first' | 'aws' | 'never';

/** Runs `script` with `env(url)` (url: the server's), ending it as `killAt` says. */
export async function timeScript(script: string, env: (url: string) => Record<string, string>, killAt: KillAt): Promise<Timing> {
  let first: number | undefined;
  let firstAws: number | undefined;
  let firstPath: string | undefined;
  let kill = () => undefined as unknown;
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    first ??= performance.now();
    firstPath ??= path;
    if (path === TOKEN_PATH && killAt !== 'first') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ value: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJiZW5jaCJ9.' }));
      return;
    }
    if (path !== TOKEN_PATH) firstAws ??= performance.now();
    res.statusCode = 500;
    res.end('bench: no service here');
    if (killAt !== 'never') kill();
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
    const since = (at: number | undefined) => (at === undefined ? undefined : at - start);
    return { firstRequestMs: since(first), firstAwsMs: since(firstAws), firstPath, exitMs: performance.now() - start, code, output };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
