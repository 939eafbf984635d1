// Promotions into 1, 2 and 3 target regions with the same copy duration (two copies in sequence per region:
// re-encryption, then the target copy): wall time, the overhead beyond the copies and their detection delays
// (as in overhead.ts), AWS calls, and 3 / 1.
import { startStandIn } from '../../standin/index.js';
import { copyTimes } from './calls.js';
import { COPY_MS, median, promote, promotionInputs, PROMOTION_RUNS, REGIONS, threeRegionWorld } from './common.js';
import { row, type Row, type Section } from './report.js';

interface Sample {
  wallMs: number;
  mainMs: number;
  overheadMs: number;
  calls: number;
}

async function sample(regions: string[]): Promise<Sample> {
  const standin = await startStandIn(threeRegionWorld(), { copyDurationMs: COPY_MS });
  try {
    const { wallMs, mainMs } = await promote(standin, promotionInputs(regions));
    const { copyMs, detectionMs } = copyTimes(standin.calls(), COPY_MS);
    return { wallMs, mainMs, overheadMs: wallMs - copyMs - detectionMs, calls: standin.calls().length };
  } finally {
    await standin.close();
  }
}

export async function regionsSection(): Promise<Section> {
  const counts = [1, 2, 3];
  const samples = new Map<number, Sample[]>(counts.map((n) => [n, []]));
  // Interleaved, so that the machine's load weighs on every region count alike.
  for (let i = 0; i < PROMOTION_RUNS; i++) for (const n of counts) samples.get(n)?.push(await sample(REGIONS.slice(0, n)));
  const of = (n: number, value: (s: Sample) => number) => median((samples.get(n) ?? []).map(value));
  const wall = (n: number) => of(n, (s) => s.wallMs);
  const main = (n: number) => of(n, (s) => s.mainMs);
  const rows: Row[] = counts.flatMap((n) => [
    row(`${n} region(s): wall time`, wall(n), 'ms'),
    row(`${n} region(s): overhead beyond the copies and their detection`, of(n, (s) => s.overheadMs), 'ms'),
    row(`${n} region(s): AWS calls`, Math.max(...(samples.get(n) ?? []).map((s) => s.calls)), 'calls'),
  ]);
  rows.push(row('3 regions / 1 region, main step only', main(3) / main(1), 'x'));
  rows.push(row('3 regions / 1 region, main + post', wall(3) / wall(1), 'x', 1.05));
  return { title: `Target regions (two ${COPY_MS} ms copies in sequence; main + post, median of ${PROMOTION_RUNS})`, rows, data: Object.fromEntries(samples) };
}
