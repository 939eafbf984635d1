/** The record of every call the stand-in answered, and of the KMS checks EC2 made on a caller's behalf. */
export type ServiceName = 'ec2' | 'kms' | 'sts' | 'ssm' | 'iam';

export interface CallRecord {
  seq: number;
  /** When the stand-in answered (its clock, ISO). */
  time: string;
  /** When the request arrived (its clock, ISO): before any injected latency. */
  receivedAt: string;
  service: ServiceName;
  operation: string;
  region: string;
  account?: string;
  principal?: string;
  accessKeyId?: string;
  /** The decoded request parameters (web identity tokens shortened). */
  params: Record<string, unknown>;
  outcome: 'ok' | 'error';
  errorCode?: string;
  httpStatus: number;
  /** True when the call changed state. */
  mutation: boolean;
  /** True for the KMS checks EC2 made during CopyImage (not calls a client sent). */
  internal: boolean;
  /** Set when the answer was an injected throttle or server error. */
  fault?: 'throttle' | 'error';
  notes?: Record<string, unknown>;
}

export interface CallFilter {
  service?: ServiceName;
  operation?: string | string[];
  outcome?: 'ok' | 'error';
  errorCode?: string;
  account?: string;
  region?: string;
  principal?: string | RegExp;
  mutation?: boolean;
  fault?: boolean;
  /** Internal KMS checks are left out unless this is true or 'any'. */
  internal?: boolean | 'any';
}

function redact(params: Record<string, unknown>): Record<string, unknown> {
  const out = { ...params };
  if (typeof out.WebIdentityToken === 'string') out.WebIdentityToken = `${out.WebIdentityToken.slice(0, 12)}…`;
  return out;
}

export class CallLog {
  private readonly records: CallRecord[] = [];
  private seq = 0;

  /** `receivedAt` defaults to `time` (the internal KMS checks take no time of their own). */
  add(record: Omit<CallRecord, 'seq' | 'params' | 'receivedAt'> & { params: Record<string, unknown>; receivedAt?: string }): CallRecord {
    const full: CallRecord = { ...record, receivedAt: record.receivedAt ?? record.time, params: redact(record.params), seq: ++this.seq };
    this.records.push(full);
    return full;
  }

  query(filter: CallFilter = {}): CallRecord[] {
    const operations = filter.operation === undefined ? undefined : [filter.operation].flat();
    return this.records.filter((r) => {
      if (filter.internal === undefined ? r.internal : filter.internal !== 'any' && r.internal !== filter.internal) return false;
      if (filter.service && r.service !== filter.service) return false;
      if (operations && !operations.includes(r.operation)) return false;
      if (filter.outcome && r.outcome !== filter.outcome) return false;
      if (filter.errorCode && r.errorCode !== filter.errorCode) return false;
      if (filter.account && r.account !== filter.account) return false;
      if (filter.region && r.region !== filter.region) return false;
      if (filter.mutation !== undefined && r.mutation !== filter.mutation) return false;
      if (filter.fault !== undefined && (r.fault !== undefined) !== filter.fault) return false;
      if (filter.principal !== undefined) {
        const principal = r.principal ?? '';
        if (typeof filter.principal === 'string' ? principal !== filter.principal : !filter.principal.test(principal)) return false;
      }
      return true;
    });
  }

  clear(): void {
    this.records.length = 0;
  }
}
