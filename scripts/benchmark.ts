// `npm run bench`: timings of the bundled action, printed as numbers (not pass/fail) and written as JSON
// (bench-results.json, or BENCH_JSON).
//  - start-up: dist/main/index.js under Node 24 until it fails on a bad input (no network);
//  - a whole promotion into one and two regions against the local stand-in, with the copies' own
//    duration subtracted to show the action's overhead, and the AWS calls it made;
//  - the detection delay of the copy wait for copies of 10 s to 2 h (scripts/detection-delay.ts);
//  - a fleet: 1, 10 and 50 target accounts x 3 regions (BENCH_FLEET=1,10 for fewer), wall time and calls by account.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { detectionDelay, printDetectionDelay } from './detection-delay.js';
import { DEFAULTS, addTargetAccount, defaultWorld, runStep, sdkEnv, startStandIn, type CallRecord } from '../standin/index.js';

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

const report: Record<string, unknown> = {};
const startup: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const [ms] = await timed(() => runStep({ inputs: { 'source-ami-id': 'bad', 'kms-key-arn': DEFAULTS.sourceKeyArn, 'target-role-arn': DEFAULTS.targetRoleArn }, env: {} }));
  startup.push(ms);
}
console.log(`start-up to a clean input failure: ${stats(startup)}`);
report.startupMs = startup;

const delay = await detectionDelay();
printDetectionDelay(delay.rows);
report.detectionDelay = delay;

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
  report[`regions${regions.length}`] = { totalMs: totals, overheadMs: overhead, calls };
}

const FLEET_REGIONS = [DEFAULTS.region, DEFAULTS.secondRegion, 'us-east-1'];
const FLEET_COPY_MS = 3000;

/** Calls per account: the source account's, and the largest and smallest of the target accounts'. */
function callsByAccount(calls: CallRecord[], accounts: string[]) {
  const count = (account: string) => calls.filter((c) => c.account === account).length;
  const targets = accounts.map(count);
  return { source: count(DEFAULTS.sourceAccount), targetMax: Math.max(...targets), targetMin: Math.min(...targets) };
}

/** One promotion of the default AMI into `n` target accounts x 3 regions: wall time and AWS calls by account. */
async function fleet(n: number) {
  const world = defaultWorld();
  const accounts = [DEFAULTS.targetAccount, ...Array.from({ length: n - 1 }, (_, i) => String(500000000000 + i))];
  const keys = (account: string) => Object.fromEntries(FLEET_REGIONS.map((region, i) => [region, `${account.slice(-8)}-0000-4000-8000-00000000000${i}`]));
  for (const account of accounts.slice(1)) addTargetAccount(world, account, { keys: keys(account) });
  world.account(DEFAULTS.targetAccount).key('us-east-1', { keyId: keys(DEFAULTS.targetAccount)['us-east-1'], alias: DEFAULTS.targetKeyAlias });
  const standin = await startStandIn(world, { copyDurationMs: FLEET_COPY_MS });
  try {
    const [ms, result] = await timed(() =>
      runStep({
        inputs: {
          'source-ami-id': DEFAULTS.sourceAmiId,
          'kms-key-arn': DEFAULTS.sourceKeyArn,
          'source-role-arn': DEFAULTS.sourceRoleArn,
          'target-role-arn': accounts.map((a) => `arn:aws:iam::${a}:role/${DEFAULTS.targetRoleName}`).join('\n'),
          'target-regions': FLEET_REGIONS.join(','),
          'target-kms-key': DEFAULTS.targetKeyAlias,
          'autoscaling-access': 'off',
        },
        env: sdkEnv(standin),
        timeoutMs: 600_000,
      }),
    );
    if (result.code !== 0) throw new Error(`fleet promotion of ${n} accounts failed:\n${result.errors.join('\n')}`);
    return { accounts: n, regions: FLEET_REGIONS.length, wallMs: Math.round(ms), calls: callsByAccount(standin.calls(), accounts) };
  } finally {
    await standin.close();
  }
}

const fleets = [];
for (const n of (process.env.BENCH_FLEET ?? '1,10,50').split(',').map(Number)) {
  const run = await fleet(n);
  fleets.push(run);
  console.log(`fleet of ${n} account(s) x ${run.regions} regions (${FLEET_COPY_MS} ms copies): ${run.wallMs} ms; calls: source ${run.calls.source}, per target ${run.calls.targetMin}..${run.calls.targetMax}`);
}
const one = fleets[0]?.wallMs ?? 0;
for (const run of fleets.slice(1)) console.log(`  ${run.accounts} accounts take ${(run.wallMs / one).toFixed(2)} x the wall time of ${fleets[0]?.accounts}`);
report.fleet = fleets;
const out = process.env.BENCH_JSON ?? 'bench-results.json';
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`written to ${out}`);
