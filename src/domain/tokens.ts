import { createHash } from 'node:crypto';

/** A deterministic idempotency token (CopyImage ClientToken: at most 64 ASCII characters). */
export function clientToken(...parts: (string | undefined)[]): string {
  return createHash('sha256').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex').slice(0, 64);
}

export function shortHash(...parts: (string | undefined)[]): string {
  return clientToken(...parts).slice(0, 10);
}
