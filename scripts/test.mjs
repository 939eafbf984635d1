// `npm test`: the checks CI runs, one after another, stopping at the first failure. tsc, eslint and the ncc build print
// nothing while all is well (together about 25 s after `npm ci`), so each step is announced before it starts, the quiet
// ones say every 15 s that they are still at work, and each is timed when it ends.
import { spawn } from 'node:child_process';
import { clearInterval, setInterval } from 'node:timers';

const STEPS = [
  { script: 'typecheck', what: 'type-checking src/, the tests and the scripts (tsc)', quiet: true },
  { script: 'lint', what: 'linting (eslint)', quiet: true },
  { script: 'check-dist', what: 'rebuilding dist/ and comparing it with the committed one (ncc)', quiet: true },
  { script: 'lint-workflows', what: 'linting the workflow files (actionlint)', quiet: true },
  { script: 'lint-templates', what: 'linting the CloudFormation templates (cfn-lint)', quiet: true },
  { script: 'jest', what: 'running the jest projects unit, standin, dist and local', quiet: false },
];
const HEARTBEAT_MS = 15_000;

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs one npm script with the terminal as its output; resolves with its exit code. */
function run({ script, quiet }) {
  const started = Date.now();
  const heartbeat = quiet ? setInterval(() => console.log(`  … ${script} still running (${seconds(started)})`), HEARTBEAT_MS) : undefined;
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '-s', script], { stdio: 'inherit' });
    child.on('close', (code, signal) => {
      clearInterval(heartbeat);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const started = Date.now();
for (const [index, step] of STEPS.entries()) {
  const stepStarted = Date.now();
  console.log(`▶ [${index + 1}/${STEPS.length}] ${step.script}: ${step.what}`);
  const code = await run(step);
  if (code !== 0) {
    console.error(`✗ ${step.script} failed after ${seconds(stepStarted)}.`);
    process.exit(code);
  }
  console.log(`✓ ${step.script} (${seconds(stepStarted)})`);
}
console.log(`✓ all checks passed in ${seconds(started)}`);
