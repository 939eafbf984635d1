/**
 * Fault injection: a seeded share of requests answered with throttling or a server error, and extra
 * latency. Faults are decided before a request is handled, so they never follow a state change.
 */
import type { ServiceName } from './calllog.js';
import { AwsError } from './errors.js';

export interface FaultOptions {
  seed?: number;
  /** Share (0..1) of requests answered with the service's throttling error. */
  throttleRate?: number;
  /** Share (0..1) of requests answered with HTTP 500. */
  errorRate?: number;
  /** Extra latency per request: fixed, or [min, max] milliseconds. */
  latencyMs?: number | [number, number];
  /** Limit faults to these services / operations. */
  services?: ServiceName[];
  operations?: string[];
}

export interface FaultDecision {
  latencyMs: number;
  fault?: 'throttle' | 'error';
}

/** mulberry32: small, seeded, repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private options: FaultOptions = {};
  private random: () => number = seeded(1);

  constructor(options: FaultOptions = {}) {
    this.configure(options);
  }

  /** Replaces the fault settings and restarts the random sequence from the seed. */
  configure(options: FaultOptions): void {
    this.options = { ...options };
    this.random = seeded(options.seed ?? 1);
  }

  decide(service: ServiceName, operation: string): FaultDecision {
    const o = this.options;
    const applies = (!o.services || o.services.includes(service)) && (!o.operations || o.operations.includes(operation));
    if (!applies) return { latencyMs: 0 };
    const latency = o.latencyMs === undefined ? 0 : typeof o.latencyMs === 'number' ? o.latencyMs : o.latencyMs[0] + this.random() * (o.latencyMs[1] - o.latencyMs[0]);
    const roll = this.random();
    const throttle = o.throttleRate ?? 0;
    const error = o.errorRate ?? 0;
    if (roll < throttle) return { latencyMs: latency, fault: 'throttle' };
    if (roll < throttle + error) return { latencyMs: latency, fault: 'error' };
    return { latencyMs: latency };
  }
}

export function throttlingError(service: ServiceName): AwsError {
  switch (service) {
    case 'ec2':
      return new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503, true);
    case 'kms':
    case 'ssm':
      return new AwsError('ThrottlingException', 'Rate exceeded', 400, true);
    default:
      return new AwsError('Throttling', 'Rate exceeded', 400, true);
  }
}

export function internalError(service: ServiceName): AwsError {
  switch (service) {
    case 'kms':
      return new AwsError('KMSInternalException', 'An internal error occurred.', 500, true);
    case 'ssm':
      return new AwsError('InternalServerError', 'An internal error occurred.', 500, true);
    case 'ec2':
      return new AwsError('InternalError', 'An internal error has occurred', 500, true);
    default:
      return new AwsError('InternalFailure', 'An internal error occurred.', 500, true);
  }
}
