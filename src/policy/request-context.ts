export type ContextValue = string | boolean | string[];

/**
 * Keys whose absence from a request context means they are absent from the real request: the caller
 * describes the request shape with kms:GrantIsForAWSResource (only on grant calls an AWS service
 * makes) and kms:ViaService (only on calls an AWS service makes on the principal's behalf). Any other
 * key missing from the context may well be in the real request (aws:SourceIp, aws:PrincipalOrgID, ...),
 * so a condition on it is unknown.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
const KEYS_KNOWN_WHEN_ABSENT = new Set(['kms:grantisforawsresource', 'kms:viaservice']);

/** A condition key the request may carry with a value that cannot be known here, and why. */
export class UnknownValue {
  constructor(readonly why: string) {}
}

const NOT_IN_CONTEXT = new UnknownValue('not in the request context');

/** Condition-key values of one request; condition keys are case-insensitive. */
export class RequestContext {
  private readonly values = new Map<string, string[]>();
  private readonly unknowable = new Map<string, UnknownValue>();

  /** `unknowable`: keys the real request may carry whose value cannot be known, each with the reason. */
  constructor(entries: Record<string, ContextValue>, unknowable: Record<string, string> = {}) {
    for (const [key, value] of Object.entries(entries)) {
      this.values.set(key.toLowerCase(), Array.isArray(value) ? value : [String(value)]);
    }
    for (const [key, why] of Object.entries(unknowable)) this.unknowable.set(key.toLowerCase(), new UnknownValue(why));
  }

  /** The key's values, undefined when the request does not have the key, an UnknownValue when we cannot tell. */
  lookup(key: string): string[] | undefined | UnknownValue {
    const normalized = key.toLowerCase();
    const values = this.values.get(normalized);
    if (values !== undefined) return values;
    if (KEYS_KNOWN_WHEN_ABSENT.has(normalized)) return undefined;
    return this.unknowable.get(normalized) ?? NOT_IN_CONTEXT;
  }
}
