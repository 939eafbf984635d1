// The overhead of a whole promotion (main and post step) into one region with two copies: wall time minus the
// copies and their detection delays, with the stand-in answering at once and with 100 ms latency per AWS call.
import { DEFAULTS, startStandIn } from '../../standin/index.js';
import { copyTimes, sequentialLevels } from './calls.js';
import { COPY_MS, median, promote, promotionInputs, PROMOTION_RUNS, threeRegionWorld } from './common.js';
import { row, type Section } from './report.js';

const LATENCY_MS = 100;

interface Run {
  wallMs: number;
  copyMs: number;
  detectionMs: number;
  overheadMs: number;
  calls: number;
  levels: number;
}

async function run(latencyMs: number): Promise<Run> {
  const standin = await startStandIn(threeRegionWorld(), { copyDurationMs: COPY_MS, faults: { latencyMs } });
  try {
    const { wallMs } = await promote(standin, promotionInputs([DEFAULTS.region]));
    const calls = standin.calls();
    const { copies, copyMs, detectionMs } = copyTimes(calls, COPY_MS);
    if (copies !== 2) throw new Error(`expected two copies, got ${copies}`);
    return { wallMs, copyMs, detectionMs, overheadMs: wallMs - copyMs - detectionMs, calls: calls.length, levels: sequentialLevels(calls) };
  } finally {
    await standin.close();
  }
}

/** PROMOTION_RUNS runs, and the median of each of their values. */
async function medianRun(latencyMs: number): Promise<{ runs: Run[]; typical: Run }> {
  const runs: Run[] = [];
  for (let i = 0; i < PROMOTION_RUNS; i++) runs.push(await run(latencyMs));
  const of = (value: (r: Run) => number) => median(runs.map(value));
  const typical = {
    wallMs: of((r) => r.wallMs),
    copyMs: of((r) => r.copyMs),
    detectionMs: of((r) => r.detectionMs),
    overheadMs: of((r) => r.overheadMs),
    calls: of((r) => r.calls),
    levels: of((r) => r.levels),
  };
  return { runs, typical };
}

export async function overhead(): Promise<Section> {
  const fast = await medianRun(0);
  const slow = await medianRun(LATENCY_MS);
  const growthMs = slow.typical.overheadMs - fast.typical.overheadMs;
  const f = fast.typical;
  const s = slow.typical;
  return {
    title: `Whole promotion into 1 region, two ${COPY_MS} ms copies (main + post, median of ${PROMOTION_RUNS})`,
    rows: [
      row('wall time, no latency', f.wallMs, 'ms'),
      row('  copies (on the critical path)', f.copyMs, 'ms'),
      row('  detection delay (completion to the poll that saw it)', f.detectionMs, 'ms'),
      row('  overhead: wall - copies - detection delay', f.overheadMs, 'ms', 1500),
      row('AWS calls (main + post)', f.calls, 'calls'),
      row('sequential levels, no latency', f.levels, 'calls'),
      row(`wall time, ${LATENCY_MS} ms per call`, s.wallMs, 'ms'),
      row(`  overhead, ${LATENCY_MS} ms per call`, s.overheadMs, 'ms'),
      row(`sequential levels, ${LATENCY_MS} ms per call`, s.levels, 'calls'),
      row(`overhead growth in calls' worth (growth / ${LATENCY_MS} ms)`, growthMs / LATENCY_MS, 'calls', 10),
    ],
    notes: [
      "the stand-in delays every AWS call, not the runner's OIDC token endpoint (its handler does not consult the fault injector)",
      'sequential level: a call that arrived after every earlier call had been answered (receivedAt >= the latest answer time before it)',
      "without latency the stand-in answers most calls within its clock's millisecond, so nearly every call counts as a level; the 100 ms count is the telling one",
    ],
    data: { noLatency: fast.runs, latency: slow.runs },
  };
}
