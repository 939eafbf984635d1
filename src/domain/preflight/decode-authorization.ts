import { DecodeAuthorizationMessageCommand } from '@aws-sdk/client-sts';
import type { AccountClients } from '../../aws/clients.js';
import { identityStatement } from '../../aws/explain.js';
import { PromotionError, errorMessage } from '../../aws/errors.js';

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

/**
 * For an EC2 UnauthorizedOperation that carries an encoded authorization message, asks STS to decode it
 * (sts:DecodeAuthorizationMessage, with the same side's credentials) and names the exact action and resource.
 */
export async function withDecodedAuthorization(error: PromotionError, clients: { source: AccountClients; target: AccountClients }, region: string): Promise<PromotionError> {
  const encoded = encodedMessageOf(error);
  const side = error.details.side;
  if (!encoded || !side) return error;
  let decoded: DecodedMessage;
  try {
    const response = await clients[side].sts(error.details.region ?? region).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
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
    : `Add this statement to the IAM policy of ${holder}:\n${identityStatement(action, resource)}`;
  return new PromotionError({ ...error.details, why: `${why} (decoded from AWS's authorization message)`, fix });
}
