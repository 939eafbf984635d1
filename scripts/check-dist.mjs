// Rebuilds dist/ and fails when it differs from what is committed.
import { execFileSync } from 'node:child_process';

execFileSync('node', ['scripts/bundle.mjs'], { stdio: 'inherit' });
const changed = execFileSync('git', ['status', '--porcelain', '--', 'dist'], { encoding: 'utf8' });
if (changed.trim() !== '') {
  console.error('dist/ differs from a fresh build of src/. Run `npm run bundle` and commit dist/:\n' + changed);
  execFileSync('git', ['--no-pager', 'diff', '--stat', '--', 'dist'], { stdio: 'inherit' });
  process.exit(1);
}
console.log('dist/ matches a fresh build of src/.');
