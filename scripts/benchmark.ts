// `npm run bench`: timings of the bundled action, printed as numbers (not pass/fail).
//  - start-up: dist/main/index.js under Node 24 until it fails on a bad input (no network);
//  - a whole promotion into one and two regions against the local stand-in, with the copies' own
//    duration subtracted to show the action's overhead, and the AWS calls it made.
import { performance } from 'node:perf_hooks';
import { DEFAULTS, defaultWorld, sdkEnv, startStandIn } from '../standin/index.js';
import { runStep } from '../standin/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COPY_MS = 1000;

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return `mean ${mean.toFixed(0)} ms, min ${sorted[0]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms (n=${samples.length})`;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await fn();
  return [performance.now() - start, result];
}

const startup: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const [ms] = await timed(() => runStep({ inputs: { 'source-ami-id': 'bad', 'kms-key-arn': DEFAULTS.sourceKeyArn, 'target-role-arn': DEFAULTS.targetRoleArn }, env: {} }));
  startup.push(ms);
}
console.log(`start-up to a clean input failure: ${stats(startup)}`);

for (const regions of [[DEFAULTS.region], [DEFAULTS.region, DEFAULTS.secondRegion]]) {
  const totals: number[] = [];
  const calls: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const standin = await startStandIn(defaultWorld(), { copyDurationMs: COPY_MS });
    try {
      const [ms, result] = await timed(() =>
        runStep({
          inputs: {
            'source-ami-id': DEFAULTS.sourceAmiId,
            'kms-key-arn': DEFAULTS.sourceKeyArn,
            'source-role-arn': DEFAULTS.sourceRoleArn,
            'target-role-arn': DEFAULTS.targetRoleArn,
            'target-regions': regions.join(','),
            'target-kms-key': DEFAULTS.targetKeyAlias,
            'autoscaling-access': 'off',
          },
          env: sdkEnv(standin),
        }),
      );
      if (result.code !== 0) throw new Error(`promotion failed:\n${result.log}`);
      totals.push(ms);
      calls.push(standin.calls().length);
    } finally {
      await standin.close();
    }
  }
  const overhead = totals.map((t) => t - 2 * COPY_MS);
  console.log(`promotion into ${regions.length} region(s), two ${COPY_MS} ms copies in sequence: total ${stats(totals)}`);
  console.log(`  overhead beyond the copies: ${stats(overhead)}; AWS calls per run: ${calls.join(', ')}`);
}
