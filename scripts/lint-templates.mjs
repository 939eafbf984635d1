// Validates the CloudFormation templates with AWS's linter cfn-lint (a Python tool; the npm package of that name is
// another, outdated tool). Fails with how to install it when it is missing.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const templates = readdirSync('cloudformation')
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => `cloudformation/${name}`);
const INSTALL =
  'Install AWS CloudFormation Linter (Python 3.9 or later): `pipx install cfn-lint` or `pip install cfn-lint`,\n' +
  'then check that `cfn-lint --version` prints "cfn-lint 1.x". (Not the npm package named cfn-lint: that is another tool.)';

// AWS's linter answers "cfn-lint 1.51.0"; anything else on the PATH under that name is not it.
const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
if (version.error?.code === 'ENOENT') {
  console.error(`cfn-lint is not installed: the CloudFormation templates cannot be validated.\n${INSTALL}`);
  process.exit(1);
}
if (!/^cfn-lint \d/.test(version.stdout ?? '')) {
  console.error(`The cfn-lint on the PATH is not AWS CloudFormation Linter (its --version said: ${(version.stdout || version.stderr || '').trim()}).\n${INSTALL}`);
  process.exit(1);
}
const result = spawnSync('cfn-lint', ['--', ...templates], { stdio: 'inherit' });
if (result.error) throw result.error;
if (result.status !== 0) {
  console.error(`cfn-lint found problems in ${templates.join(', ')} (exit code ${result.status}). Fix src/policy/cloudformation.ts and run npm run templates.`);
  process.exit(1);
}
console.log(`cfn-lint: ${templates.join(', ')} valid.`);
