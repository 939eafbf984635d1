/** JSON 1.1 (KMS `TrentService.*`, SSM `AmazonSSM.*`): JSON bodies, errors as {"__type", "message"}. */
import type { AwsError } from '../errors.js';
import { toJsonWire } from './schema-codec.js';
import type { WireResponse } from './wire.js';

const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.1' };

export function jsonSuccess(output: object, requestId: string): WireResponse {
  return {
    status: 200,
    headers: { ...JSON_HEADERS, 'x-amzn-requestid': requestId },
    body: JSON.stringify(toJsonWire(output)),
  };
}

export function jsonError(error: AwsError, requestId: string): WireResponse {
  return {
    status: error.status,
    headers: { ...JSON_HEADERS, 'x-amzn-requestid': requestId },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/** The operation named by an `X-Amz-Target: Prefix.Operation` header. */
export function targetOperation(target: string | undefined): { prefix: string; operation: string } | undefined {
  const match = /^([A-Za-z0-9_]+)\.([A-Za-z0-9]+)$/.exec(target ?? '');
  return match ? { prefix: match[1] ?? '', operation: match[2] ?? '' } : undefined;
}
