// What the bench's sections share: medians, timing, the three-region world and a whole promotion (main, then post).
import { performance } from 'node:perf_hooks';
import { DEFAULTS, defaultWorld, runStep, sdkEnv, type StandIn, type StepResult } from '../../standin/index.js';

export const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** Whole promotions per measured value (each takes seconds). */
export const PROMOTION_RUNS = Number(process.env.BENCH_PROMOTION_RUNS ?? 3);
export const COPY_MS = 1000;
export const REGIONS = [DEFAULTS.region, DEFAULTS.secondRegion, 'us-east-1'];

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

export async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await fn();
  return [performance.now() - start, result];
}

/** The default world with the target's key in a third region, so that a promotion can go to all of REGIONS. */
export function threeRegionWorld() {
  const world = defaultWorld();
  world.account(DEFAULTS.targetAccount).key('us-east-1', { keyId: 'abcd1234-0000-4000-8000-00000000e003', alias: DEFAULTS.targetKeyAlias });
  return world;
}

export function promotionInputs(regions: string[], targetRoleArn: string = DEFAULTS.targetRoleArn): Record<string, string> {
  return {
    'source-ami-id': DEFAULTS.sourceAmiId,
    'kms-key-arn': DEFAULTS.sourceKeyArn,
    'source-role-arn': DEFAULTS.sourceRoleArn,
    'target-role-arn': targetRoleArn,
    'target-regions': regions.join(','),
    'target-kms-key': DEFAULTS.targetKeyAlias,
    'autoscaling-access': 'off',
  };
}

export interface StepExtras {
  launcher?: string[];
  /** Added to the stand-in's SDK environment. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface Promotion {
  main: StepResult;
  post: StepResult;
  mainMs: number;
  /** Main and post step, each with its process start-up. */
  wallMs: number;
}

/** The main step, then the post step with the state main saved, as the runner runs them; throws if either fails. */
export async function promote(standin: StandIn, inputs: Record<string, string>, options: StepExtras = {}): Promise<Promotion> {
  const step = { inputs, env: { ...sdkEnv(standin), ...options.env }, launcher: options.launcher, timeoutMs: options.timeoutMs };
  const [mainMs, main] = await timed(() => runStep(step));
  if (main.code !== 0) throw new Error(`the main step failed:\n${main.log}`);
  const [postMs, post] = await timed(() => runStep({ ...step, state: main.state }));
  if (post.code !== 0) throw new Error(`the post step failed:\n${post.log}`);
  return { main, post, mainMs, wallMs: mainMs + postMs };
}
