/** The encoded authorization failure messages EC2 returns, and their decoding (sts:DecodeAuthorizationMessage). */
// AWS's encoded messages are opaque runs of letters, digits, '-' and '_' (no '.'): the stand-in's are too.
const PREFIX = 'standin1-';

export interface AuthorizationDetail {
  allowed: boolean;
  explicitDeny: boolean;
  action: string;
  resource: string;
  principal: { id: string; arn: string };
  conditions: Record<string, string | string[]>;
}

export function encodeAuthorizationMessage(detail: AuthorizationDetail): string {
  return PREFIX + Buffer.from(JSON.stringify(detail)).toString('base64url');
}

/** The JSON document AWS's DecodeAuthorizationMessage returns, or undefined for a foreign message. */
export function decodeAuthorizationMessage(encoded: string): string | undefined {
  if (!encoded.startsWith(PREFIX)) return undefined;
  try {
    const detail = JSON.parse(Buffer.from(encoded.slice(PREFIX.length), 'base64url').toString('utf8')) as AuthorizationDetail;
    return JSON.stringify({
      allowed: detail.allowed,
      explicitDeny: detail.explicitDeny,
      matchedStatements: { items: [] },
      failures: { items: [] },
      context: {
        principal: detail.principal,
        action: detail.action,
        resource: detail.resource,
        conditions: {
          items: Object.entries(detail.conditions).map(([key, value]) => ({
            key,
            values: { items: (Array.isArray(value) ? value : [value]).map((v) => ({ value: v })) },
          })),
        },
      },
    });
  } catch {
    return undefined;
  }
}
