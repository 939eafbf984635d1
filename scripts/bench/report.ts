// The bench's report: one table per section, each measured value next to its target with "met" or "missed",
// and the same rows (with each section's raw data) in JSON.
import { writeFileSync } from 'node:fs';

export interface Row {
  measure: string;
  value: number;
  unit: string;
  /** The largest value the issue allows; rows without one are context. */
  max?: number;
  met?: boolean;
}

export interface Section {
  title: string;
  rows: Row[];
  /** What the reader needs to know to read the rows, printed under the table. */
  notes?: string[];
  data?: unknown;
}

/** A measured value against the largest value allowed, or (without `max`) a value shown for context. */
export function row(measure: string, value: number, unit: string, max?: number): Row {
  // Four significant digits, so that a ratio just above its target does not print as the target.
  const rounded = Math.abs(value) >= 1000 ? Math.round(value) : Number(value.toPrecision(4));
  return max === undefined ? { measure, value: rounded, unit } : { measure, value: rounded, unit, max, met: value <= max };
}

function cells(r: Row): string[] {
  const target = r.max === undefined ? '' : `<= ${r.max} ${r.unit}`;
  const verdict = r.met === undefined ? '' : r.met ? 'met' : 'MISSED';
  return [r.measure, `${r.value} ${r.unit}`, target, verdict];
}

export function printSection(section: Section): void {
  const lines = [['measure', 'value', 'target', ''], ...section.rows.map(cells)];
  const widths = [0, 1, 2].map((i) => Math.max(...lines.map((l) => l[i]?.length ?? 0)));
  console.log(`\n## ${section.title}`);
  for (const line of lines) console.log(`  ${line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}`);
  for (const note of section.notes ?? []) console.log(`  - ${note}`);
}

export function writeReport(sections: Record<string, Section>): string {
  const out = process.env.BENCH_JSON ?? 'bench-results.json';
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), sections }, null, 2)}\n`);
  return out;
}
