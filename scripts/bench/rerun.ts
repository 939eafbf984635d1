// A re-run of a finished promotion: the same inputs again against the same stand-in; its AWS calls (main + post)
// and its wall time, into 1 and 3 target regions.
import { startStandIn } from '../../standin/index.js';
import { COPY_MS, median, promote, promotionInputs, PROMOTION_RUNS, REGIONS, threeRegionWorld } from './common.js';
import { row, type Row, type Section } from './report.js';

async function rerun(regions: string[]): Promise<{ rows: Row[]; operations: string[] }> {
  const standin = await startStandIn(threeRegionWorld(), { copyDurationMs: COPY_MS });
  try {
    const inputs = promotionInputs(regions);
    await promote(standin, inputs);
    const walls: number[] = [];
    const counts: number[] = [];
    let operations: string[] = [];
    for (let i = 0; i < PROMOTION_RUNS; i++) {
      standin.clearCalls();
      walls.push((await promote(standin, inputs)).wallMs);
      operations = standin.calls().map((c) => `${c.account ?? '-'} ${c.region} ${c.operation}`);
      counts.push(operations.length);
    }
    const n = regions.length;
    return {
      rows: [row(`${n} region(s): AWS calls of the re-run`, Math.max(...counts), 'calls', 2 + n), row(`${n} region(s): wall time of the re-run`, median(walls), 'ms', 1000)],
      operations,
    };
  } finally {
    await standin.close();
  }
}

export async function rerunSection(): Promise<Section> {
  const one = await rerun(REGIONS.slice(0, 1));
  const three = await rerun(REGIONS);
  return {
    title: `Re-run of a finished promotion (main + post; wall time median of ${PROMOTION_RUNS}, calls the most of them)`,
    rows: [...one.rows, ...three.rows],
    data: { oneRegionCalls: one.operations, threeRegionCalls: three.operations },
  };
}
