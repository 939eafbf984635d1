// `npm run bench`: the issue's targets, measured against the local stand-in and printed as one table per section
// (each value next to its target, "met" or "MISSED"), and written as JSON (bench-results.json, or BENCH_JSON).
// BENCH_SECTIONS=startup,memory,... runs some sections only; BENCH_RUNS (start-up samples, default 7),
// BENCH_PROMOTION_RUNS (whole promotions per value, default 3), BENCH_FLEET (default 1,10,50) and CAC_DIST
// (configure-aws-credentials' published dist/, to compare start-up with) tune them. See scripts/bench/*.ts.
import { detectionSection } from './bench/detection.js';
import { fleetSection } from './bench/fleet.js';
import { memory } from './bench/memory.js';
import { overhead } from './bench/overhead.js';
import { regionsSection } from './bench/regions.js';
import { printSection, writeReport, type Section } from './bench/report.js';
import { rerunSection } from './bench/rerun.js';
import { startup } from './bench/startup.js';

const SECTIONS: Record<string, () => Promise<Section>> = {
  startup,
  memory,
  detection: detectionSection,
  overhead,
  rerun: rerunSection,
  regions: regionsSection,
  fleet: fleetSection,
};

const chosen = process.env.BENCH_SECTIONS?.split(',').map((s) => s.trim()) ?? Object.keys(SECTIONS);
const unknown = chosen.filter((name) => !(name in SECTIONS));
if (unknown.length) throw new Error(`unknown BENCH_SECTIONS ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);

const results: Record<string, Section> = {};
for (const name of chosen) {
  const section = await SECTIONS[name]?.();
  if (!section) continue;
  printSection(section);
  results[name] = section;
  writeReport(results);
}
const missed = Object.values(results).flatMap((s) => s.rows.filter((r) => r.met === false).map((r) => `${s.title}: ${r.measure}`));
console.log(`\n${missed.length} target(s) missed${missed.length ? `:\n  ${missed.join('\n  ')}` : ''}\nwritten to ${writeReport(results)}`);
