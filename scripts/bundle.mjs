// Builds dist/ from src/ with ncc and refuses a bundle that would crash at run time.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
execFileSync('npx', ['ncc', 'build', 'src/index.ts', '-o', 'dist', '--license', 'licenses.txt', '--target', 'es2023', '-q'], {
  stdio: 'inherit',
});
const bundle = readFileSync('dist/index.js', 'utf8');
if (bundle.includes('webpackMissingModule')) {
  console.error('dist/index.js contains webpackMissingModule: a module could not be bundled.');
  process.exit(1);
}
const licenses = readFileSync('dist/licenses.txt', 'utf8');
if (/GNU AFFERO|AGPL/i.test(licenses)) {
  console.error('dist/ would include AGPL code (see dist/licenses.txt); the action ships under MIT.');
  process.exit(1);
}
