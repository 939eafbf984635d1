// Peak memory (max RSS) of the main step during a three-region promotion and of a post step with nothing to undo:
// from `/usr/bin/time -v` when the machine has it, else from process.resourceUsage() printed at exit by a
// --require'd probe (NODE_OPTIONS), which stays out of the action's code.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStep, sdkEnv, startStandIn } from '../../standin/index.js';
import { COPY_MS, promote, promotionInputs, REGIONS, threeRegionWorld, type StepExtras } from './common.js';
import { row, type Section } from './report.js';

const TIME = '/usr/bin/time';

interface Probe {
  how: string;
  extras: StepExtras;
  /** Max RSS in MiB from a step's log. */
  peakMiB: (log: string) => number;
}

function kibToMiB(pattern: RegExp, log: string): number {
  const kib = pattern.exec(log)?.[1];
  if (!kib) throw new Error(`no peak memory in the step's log:\n${log.slice(-2000)}`);
  return Number(kib) / 1024;
}

function probe(): Probe {
  if (existsSync(TIME)) {
    return { how: `${TIME} -v`, extras: { launcher: [TIME, '-v'] }, peakMiB: (log) => kibToMiB(/Maximum resident set size \(kbytes\): (\d+)/, log) };
  }
  const file = join(mkdtempSync(join(tmpdir(), 'bench-rss-')), 'max-rss.cjs');
  writeFileSync(file, "process.on('exit', () => process.stderr.write(`bench-max-rss-kib ${process.resourceUsage().maxRSS}\\n`));\n");
  return { how: 'process.resourceUsage().maxRSS', extras: { env: { NODE_OPTIONS: `--require ${file}` } }, peakMiB: (log) => kibToMiB(/bench-max-rss-kib (\d+)/, log) };
}

export async function memory(): Promise<Section> {
  const { how, extras, peakMiB } = probe();
  const standin = await startStandIn(threeRegionWorld(), { copyDurationMs: COPY_MS });
  try {
    const inputs = promotionInputs(REGIONS);
    const promotion = await promote(standin, inputs, extras);
    const idle = await runStep({ inputs, env: { ...sdkEnv(standin), ...extras.env }, state: {}, launcher: extras.launcher });
    if (idle.code !== 0) throw new Error(`the post step with nothing to undo failed:\n${idle.log}`);
    return {
      title: 'Peak memory (max RSS)',
      rows: [
        row(`main step, promotion into ${REGIONS.length} regions`, peakMiB(promotion.main.log), 'MiB', 100),
        row(`post step after it`, peakMiB(promotion.post.log), 'MiB'),
        row('post step with nothing to undo', peakMiB(idle.log), 'MiB', 80),
      ],
      notes: [`measured with ${how}`],
    };
  } finally {
    await standin.close();
  }
}
