// Builds dist/ from src/ with ncc, one bundle per step of action.yml (each with the licences of every package in it),
// and refuses a bundle that would crash at run time or would ship AGPL code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLicences } from './licenses.mjs';

export const ENTRIES = { main: 'src/entries/main.ts', post: 'src/entries/post.ts' };

rmSync('dist', { recursive: true, force: true });
const statsDir = mkdtempSync(join(tmpdir(), 'ncc-stats-'));
for (const [step, entry] of Object.entries(ENTRIES)) {
  const out = join('dist', step);
  const stats = join(statsDir, `${step}.json`);
  execFileSync('npx', ['ncc', 'build', entry, '-o', out, '--stats-out', stats, '--target', 'es2023', '-q'], { stdio: 'inherit' });
  writeLicences(stats, join(out, 'licenses.txt'));
  for (const file of readdirSync(out).filter((name) => name.endsWith('.js'))) {
    if (readFileSync(join(out, file), 'utf8').includes('webpackMissingModule')) {
      console.error(`${join(out, file)} contains webpackMissingModule: a module could not be bundled.`);
      process.exit(1);
    }
  }
  if (/GNU AFFERO|AGPL/i.test(readFileSync(join(out, 'licenses.txt'), 'utf8'))) {
    console.error(`${out} would include AGPL code (see ${out}/licenses.txt); the action ships under MIT.`);
    process.exit(1);
  }
}
