// A fleet: one promotion of the default AMI into 1, 10 and 50 target accounts x 3 regions (BENCH_FLEET=1,10 for
// fewer): wall time and AWS calls by account.
import { addTargetAccount, DEFAULTS, defaultWorld, startStandIn, type CallRecord } from '../../standin/index.js';
import { promote, promotionInputs, REGIONS, timed } from './common.js';
import { row, type Section } from './report.js';

const FLEET_COPY_MS = 3000;

/** Calls per account: the source account's, and the largest and smallest of the target accounts'. */
function callsByAccount(calls: CallRecord[], accounts: string[]) {
  const count = (account: string) => calls.filter((c) => c.account === account).length;
  const targets = accounts.map(count);
  return { source: count(DEFAULTS.sourceAccount), targetMax: Math.max(...targets), targetMin: Math.min(...targets) };
}

/** One promotion (main + post) into `n` target accounts x 3 regions: wall time and AWS calls by account. */
async function fleet(n: number) {
  const world = defaultWorld();
  const accounts = [DEFAULTS.targetAccount, ...Array.from({ length: n - 1 }, (_, i) => String(500000000000 + i))];
  const keys = (account: string) => Object.fromEntries(REGIONS.map((region, i) => [region, `${account.slice(-8)}-0000-4000-8000-00000000000${i}`]));
  for (const account of accounts.slice(1)) addTargetAccount(world, account, { keys: keys(account) });
  world.account(DEFAULTS.targetAccount).key('us-east-1', { keyId: keys(DEFAULTS.targetAccount)['us-east-1'], alias: DEFAULTS.targetKeyAlias });
  const standin = await startStandIn(world, { copyDurationMs: FLEET_COPY_MS });
  try {
    const roles = accounts.map((a) => `arn:aws:iam::${a}:role/${DEFAULTS.targetRoleName}`).join('\n');
    const [wallMs] = await timed(() => promote(standin, promotionInputs(REGIONS, roles), { timeoutMs: 600_000 }));
    return { accounts: n, regions: REGIONS.length, wallMs: Math.round(wallMs), calls: callsByAccount(standin.calls(), accounts) };
  } finally {
    await standin.close();
  }
}

export async function fleetSection(): Promise<Section> {
  const runs = [];
  for (const n of (process.env.BENCH_FLEET ?? '1,10,50').split(',').map(Number)) runs.push(await fleet(n));
  const first = runs[0];
  const rows = runs.flatMap((run) => [
    row(`${run.accounts} account(s): wall time`, run.wallMs, 'ms'),
    row(`${run.accounts} account(s): calls of the source account`, run.calls.source, 'calls'),
    row(`${run.accounts} account(s): calls per target account, most`, run.calls.targetMax, 'calls'),
    row(`${run.accounts} account(s): calls per target account, fewest`, run.calls.targetMin, 'calls'),
    ...(first && run !== first ? [row(`${run.accounts} account(s) / ${first.accounts}: wall time`, run.wallMs / first.wallMs, 'x')] : []),
  ]);
  return { title: `Fleet: target accounts x ${REGIONS.length} regions (${FLEET_COPY_MS} ms copies; main + post)`, rows, data: runs };
}
