// The detection delay of the copy wait (scripts/detection-delay.ts) against the targets: on average at most
// 2 s or 2 % of the copy time, never more than 15 s, at most 6 polling calls per minute after the first minute.
import { detectionDelay } from '../detection-delay.js';
import { row, type Row, type Section } from './report.js';

export async function detectionSection(): Promise<Section> {
  const delay = await detectionDelay();
  const rows: Row[] = delay.rows.flatMap((r) => [
    row(`${r.copies}: average delay`, r.averageDelayMs / 1000, 's', r.targetAverageMs / 1000),
    row(`${r.copies}: longest delay`, r.maxDelayMs / 1000, 's', 15),
    ...(r.callsPerMinuteAfterFirst === undefined ? [] : [row(`${r.copies}: polling calls per minute after the first`, r.callsPerMinuteAfterFirst, 'calls', 6)]),
  ]);
  return { title: 'Detection delay of a copy wait (stand-in, linear progress, virtual clock)', rows, data: delay };
}
