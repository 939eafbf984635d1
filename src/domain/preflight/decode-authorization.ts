import { DecodeAuthorizationMessageCommand } from '@aws-sdk/client-sts';
import { identityPolicyFix } from '../../aws/explain.js';
import { PromotionError, errorMessage } from '../../aws/errors.js';
import type { Account, PromotionContext } from '../context.js';

const ENCODED = /Encoded authorization failure message:\s*([A-Za-z0-9_\-+/=]+)/;

interface DecodedMessage {
  allowed?: boolean;
  explicitDeny?: boolean;
  context?: { principal?: { arn?: string }; action?: string; resource?: string };
}

function encodedMessageOf(error: PromotionError): string | undefined {
  const cause = error.details.cause;
  const text = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : '';
  return ENCODED.exec(text)?.[1];
}

/** The role behind an assumed-role session ARN: the session has no policy of its own, its role has. Other ARNs as they are. */
function policyHolder(arn: string): string {
  const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : arn;
}

/** The account whose credentials made the failed call. */
function accountOf(ctx: Pick<PromotionContext, 'source' | 'targets'>, error: PromotionError): Account | undefined {
  const { side, accountId } = error.details;
  if (side === 'source') return ctx.source;
  if (side === 'target') return ctx.targets.find((t) => t.identity.accountId === accountId) ?? (ctx.targets.length === 1 ? ctx.targets[0] : undefined);
  return undefined;
}

/**
 * For an EC2 UnauthorizedOperation that carries an encoded authorization message, asks STS to decode it
 * (sts:DecodeAuthorizationMessage, with the same side's credentials) and names the exact action and resource.
 */
export async function withDecodedAuthorization(error: PromotionError, ctx: Pick<PromotionContext, 'source' | 'targets'>, region: string): Promise<PromotionError> {
  const encoded = encodedMessageOf(error);
  const account = accountOf(ctx, error);
  if (!encoded || !account) return error;
  let decoded: DecodedMessage;
  try {
    const response = await account.sts(error.details.region ?? region).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
    decoded = JSON.parse(response.DecodedMessage ?? '{}') as DecodedMessage;
  } catch (decodeError) {
    return new PromotionError({
      ...error.details,
      why: `${error.details.why} (The encoded authorization message could not be decoded: ${errorMessage(decodeError)}; allow sts:DecodeAuthorizationMessage to see which policy denied it.)`,
    });
  }
  const action = decoded.context?.action;
  const resource = decoded.context?.resource ?? '*';
  const principal = decoded.context?.principal?.arn ?? 'the caller';
  if (!action) return error;
  const why = decoded.explicitDeny
    ? `an explicit Deny stops ${principal} from ${action} on ${resource} (a policy, permissions boundary or SCP).`
    : `no policy allows ${principal} ${action} on ${resource}.`;
  const holder = policyHolder(principal);
  const fix = decoded.explicitDeny
    ? `Find the Deny for ${action} that applies to ${holder} (its policies, its permissions boundary, or an organization SCP) and narrow it.`
    : identityPolicyFix(holder, action, resource);
  return new PromotionError({ ...error.details, why: `${why} (decoded from AWS's authorization message)`, fix });
}
