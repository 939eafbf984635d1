// Detection delay of the copy wait: the time between a copy's real completion and waitForImage noticing it,
// and the polling calls it makes, for copies of 10 s to 2 h against the local stand-in (whose snapshot progress
// rises linearly over copyDurationMs). The clock is virtual: each sleep advances the stand-in's clock, so a 2 h
// copy takes a second or two. Run alone with `tsx scripts/detection-delay.ts`, or as part of `npm run bench`.
import { pathToFileURL } from 'node:url';
import { CopyImageCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DEFAULTS, defaultWorld, sdkClientConfig, startStandIn, type StandIn } from '../standin/index.js';
import { waitForImage } from '../src/domain/steps/wait.js';
import type { Clock, Logger } from '../src/domain/context.js';

/** Copy durations in seconds: the named ones, then a spread up to 2 h at irregular values (not multiples of a poll interval). */
const NAMED_SECONDS = [10, 30, 60, 180];
const SPREAD_SECONDS = [13, 17, 22, 27, 37, 44, 53, 71, 89, 107, 131, 157, 211, 263, 337, 419, 533, 677, 811, 1013, 1301, 1607, 2003, 2531, 3119, 3853, 4801, 5927, 7200];

export interface DelaySample {
  copySeconds: number;
  delayMs: number;
  calls: number;
  /** Polling calls per minute after the first minute; undefined for copies noticed within it. */
  callsPerMinuteAfterFirst?: number;
  /** The most polling calls in any 60 s after the first minute. */
  busiestMinuteCalls?: number;
}

const silent: Logger = { info: () => undefined, warning: () => undefined, debug: () => undefined, group: (_name, fn) => fn() };

function virtualClock(standin: StandIn): Clock {
  return {
    now: () => standin.now(),
    sleep: (ms) => {
      standin.advanceTime(ms);
      return Promise.resolve();
    },
  };
}

async function measure(standin: StandIn, copySeconds: number, index: number): Promise<DelaySample> {
  const ec2 = new EC2Client(sdkClientConfig(standin, DEFAULTS.region, standin.credentials(DEFAULTS.sourceAccount)));
  const clock = virtualClock(standin);
  const polls: number[] = [];
  ec2.middlewareStack.add((next) => (args) => (polls.push(clock.now()), next(args)), { step: 'initialize', name: 'countPolls' });
  standin.configure({ copyDurationMs: copySeconds * 1000 });
  const started = clock.now();
  const { ImageId = '' } = await ec2.send(new CopyImageCommand({ SourceImageId: DEFAULTS.sourceAmiId, SourceRegion: DEFAULTS.region, Name: `bench-copy-${index}` }));
  polls.length = 0;
  const target = { label: 'bench copy', side: 'source' as const, accountId: DEFAULTS.sourceAccount, region: DEFAULTS.region, imageId: ImageId, ec2 };
  await waitForImage(target, { clock, log: silent, signal: new AbortController().signal, deadline: started + 24 * 3_600_000 });
  const noticed = clock.now();
  ec2.destroy();
  const late = polls.filter((t) => t - started >= 60_000);
  const lateMinutes = (noticed - started - 60_000) / 60_000;
  const busiest = Math.max(0, ...late.map((from) => late.filter((t) => t >= from && t < from + 60_000).length));
  return {
    copySeconds,
    delayMs: Math.max(0, noticed - started - copySeconds * 1000),
    calls: polls.length,
    callsPerMinuteAfterFirst: lateMinutes >= 1 ? late.length / lateMinutes : undefined,
    busiestMinuteCalls: late.length ? busiest : undefined,
  };
}

export interface DelayRow {
  copies: string;
  averageDelayMs: number;
  maxDelayMs: number;
  /** The target for the average: max(2 s, 2 % of the copy time), averaged over the row's copies. */
  targetAverageMs: number;
  callsPerMinuteAfterFirst?: number;
  busiestMinuteCalls?: number;
}

function row(copies: string, samples: DelaySample[]): DelayRow {
  const defined = (values: (number | undefined)[]) => values.filter((r): r is number => r !== undefined);
  const rates = defined(samples.map((s) => s.callsPerMinuteAfterFirst));
  const busiest = defined(samples.map((s) => s.busiestMinuteCalls));
  return {
    copies,
    averageDelayMs: Math.round(samples.reduce((a, s) => a + s.delayMs, 0) / samples.length),
    maxDelayMs: Math.round(Math.max(...samples.map((s) => s.delayMs))),
    targetAverageMs: Math.round(samples.reduce((a, s) => a + Math.max(2000, 20 * s.copySeconds), 0) / samples.length),
    callsPerMinuteAfterFirst: rates.length ? Number(Math.max(...rates).toFixed(2)) : undefined,
    busiestMinuteCalls: busiest.length ? Math.max(...busiest) : undefined,
  };
}

const BANDS: [string, number, number][] = [
  ['10 s .. 1 min', 10, 60],
  ['1 .. 5 min', 60, 300],
  ['5 .. 30 min', 300, 1800],
  ['30 min .. 2 h', 1800, 7200],
];

/** Measures every duration once and groups them: the named durations alone, then bands of the spread. */
export async function detectionDelay(): Promise<{ rows: DelayRow[]; samples: DelaySample[] }> {
  const standin = await startStandIn(defaultWorld());
  const samples: DelaySample[] = [];
  try {
    const all = [...NAMED_SECONDS, ...SPREAD_SECONDS].sort((a, b) => a - b);
    for (const [index, seconds] of all.entries()) samples.push(await measure(standin, seconds, index));
  } finally {
    await standin.close();
  }
  const rows = NAMED_SECONDS.map((s) => row(`${s} s`, samples.filter((x) => x.copySeconds === s)));
  for (const [name, low, high] of BANDS) rows.push(row(name, samples.filter((x) => x.copySeconds >= low && x.copySeconds <= high)));
  rows.push(row('all (10 s .. 2 h)', samples));
  return { rows, samples };
}

export function printDetectionDelay(rows: DelayRow[]): void {
  console.log('detection delay of a copy wait (stand-in, linear progress, virtual clock):');
  console.log('  (polling calls after the first minute: the highest average per minute of a copy, and the most in any 60 s)');
  console.log('  copies             average   max      target avg  calls/min  busiest minute');
  for (const r of rows) {
    const rate = r.callsPerMinuteAfterFirst === undefined ? '-' : r.callsPerMinuteAfterFirst.toFixed(2);
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`  ${r.copies.padEnd(19)}${seconds(r.averageDelayMs).padEnd(10)}${seconds(r.maxDelayMs).padEnd(9)}${seconds(r.targetAverageMs).padEnd(12)}${rate.padEnd(11)}${r.busiestMinuteCalls ?? '-'}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { rows } = await detectionDelay();
  printDetectionDelay(rows);
}
