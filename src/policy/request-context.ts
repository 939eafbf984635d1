export type ContextValue = string | boolean | string[];

/**
 * Keys whose absence from a request context means they are absent from the real request: the caller
 * describes the request shape with kms:GrantIsForAWSResource (only on grant calls an AWS service
 * makes) and kms:ViaService (only on calls an AWS service makes on the principal's behalf). Any other
 * key missing from the context may well be in the real request (aws:SourceIp, aws:PrincipalOrgID, ...),
 * so a condition on it is unknown.
 */
const KEYS_KNOWN_WHEN_ABSENT = new Set(['kms:grantisforawsresource', 'kms:viaservice']);

export const UNKNOWN = Symbol('unknown');

/** Condition-key values of one request; condition keys are case-insensitive. */
export class RequestContext {
  private readonly values = new Map<string, string[]>();

  constructor(entries: Record<string, ContextValue>) {
    for (const [key, value] of Object.entries(entries)) {
      this.values.set(key.toLowerCase(), Array.isArray(value) ? value : [String(value)]);
    }
  }

  /** The key's values, undefined when the request does not have the key, UNKNOWN when we cannot tell. */
  lookup(key: string): string[] | undefined | typeof UNKNOWN {
    const normalized = key.toLowerCase();
    const values = this.values.get(normalized);
    if (values !== undefined) return values;
    return KEYS_KNOWN_WHEN_ABSENT.has(normalized) ? undefined : UNKNOWN;
  }
}
