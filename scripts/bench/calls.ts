// Reading the stand-in's call log: each copy's span from its start to the poll that saw it complete, and the
// number of sequential levels (calls that overlap no earlier call's time span).
import type { CallRecord } from '../../standin/index.js';

interface CopySpan {
  imageId: string;
  startMs: number;
  completeMs: number;
  /** When the first poll answered after the copy completed; undefined if none did. */
  seenMs?: number;
}

interface CopyNote {
  imageId: string;
  snapshotIds: string[];
  completeAt: string;
}

const at = (iso: string) => Date.parse(iso);
const list = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);

function polls(call: CallRecord, copy: CopyNote): boolean {
  if (call.operation === 'DescribeImages') return list(call.params.ImageIds).includes(copy.imageId);
  if (call.operation === 'DescribeSnapshots') return list(call.params.SnapshotIds).some((id) => copy.snapshotIds.includes(id));
  return false;
}

/** Every copy the calls started (CopyImage notes its image, snapshots and completion), and when a poll saw it done. */
function copySpans(calls: CallRecord[], copyDurationMs: number): CopySpan[] {
  const copies = calls.map((c) => (c.operation === 'CopyImage' && !c.notes?.idempotentReplay ? (c.notes?.copy as CopyNote | undefined) : undefined));
  return copies
    .filter((copy): copy is CopyNote => copy !== undefined)
    .map((copy) => {
      const completeMs = at(copy.completeAt);
      const seen = calls.filter((c) => polls(c, copy) && at(c.time) >= completeMs).map((c) => at(c.time));
      return { imageId: copy.imageId, startMs: completeMs - copyDurationMs, completeMs, seenMs: seen.length ? Math.min(...seen) : undefined };
    });
}

/** Total length of the union of the intervals. */
function unionMs(intervals: [number, number][]): number {
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of [...intervals].sort((a, b) => a[0] - b[0])) {
    total += Math.max(0, to - Math.max(from, end));
    end = Math.max(end, to);
  }
  return total;
}

export interface CopyTimes {
  copies: number;
  /** The time at least one copy ran. */
  copyMs: number;
  /** The time beyond copyMs until the polls saw every copy complete. */
  detectionMs: number;
}

/** The copies of a promotion from its calls; throws unless each was seen complete. */
export function copyTimes(calls: CallRecord[], copyDurationMs: number): CopyTimes {
  const spans = copySpans(calls, copyDurationMs);
  if (spans.some((s) => s.seenMs === undefined)) throw new Error(`a copy was never seen complete: ${JSON.stringify(spans)}`);
  const copyMs = unionMs(spans.map((s) => [s.startMs, s.completeMs]));
  return { copies: spans.length, copyMs, detectionMs: unionMs(spans.map((s) => [s.startMs, s.seenMs ?? s.completeMs])) - copyMs };
}

/** Calls (in the order they arrived) that arrived after every earlier call had been answered. */
export function sequentialLevels(calls: CallRecord[]): number {
  let levels = 0;
  let end = -Infinity;
  for (const call of [...calls].sort((a, b) => at(a.receivedAt) - at(b.receivedAt) || a.seq - b.seq)) {
    if (at(call.receivedAt) >= end) levels++;
    end = Math.max(end, at(call.time));
  }
  return levels;
}
