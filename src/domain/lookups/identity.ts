import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AccountClients } from '../../aws/clients.js';
import { explainAwsError } from '../../aws/explain.js';
import { PromotionError, errorMessage, errorName } from '../../aws/errors.js';
import type { Side } from '../types.js';

export interface CallerIdentity {
  side: Side;
  accountId: string;
  /** The caller's ARN, e.g. arn:aws:sts::111122223333:assumed-role/NAME/SESSION. */
  arn: string;
  /** The role or user behind the session, for policies and messages. */
  principalArn: string;
}

/** The role a side's credentials come from; none: credentials from the environment. */
export interface AssumedRole {
  arn: string;
  accountId: string;
}

// STS's answers to unknown access keys, bad signatures and missing credentials (common errors of every action):
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
const INVALID_KEYS = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'IncompleteSignature', 'MissingAuthenticationToken']);

function environmentCredentialsProblem(error: unknown, side: Side, region: string): PromotionError {
  const what = `Identifying the ${side} credentials`;
  const invalid = INVALID_KEYS.has(errorName(error));
  const missing = !invalid && (errorName(error) === 'CredentialsProviderError' || /credential/i.test(errorMessage(error)));
  if (!missing && !invalid) return explainAwsError(error, { what, side, region, action: 'sts:GetCallerIdentity' });
  return new PromotionError({
    what,
    side,
    region,
    why: missing
      ? `no ${side} credentials were found in the environment (${errorMessage(error)}).`
      : `STS refused the ${side} credentials from the environment (${errorName(error)}: ${errorMessage(error)}).`,
    fix: missing
      ? `Set ${side}-role-arn to a role in the ${side} account that trusts this repository, or run aws-actions/configure-aws-credentials before this step.`
      : `Check the credentials an earlier step put in the environment (for example aws-actions/configure-aws-credentials), or set ${side}-role-arn to a role the action assumes with the job's OIDC token.`,
    cause: error,
  });
}

/**
 * Who the credentials of one side are (GetCallerIdentity needs no IAM permission:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html). Failures to get the OIDC token or to
 * assume the role arrive explained and pass through; the rest are explained by where the credentials came from.
 */
export async function callerIdentity(clients: AccountClients, region: string, side: Side, role?: AssumedRole): Promise<CallerIdentity> {
  try {
    const response = await clients.sts(region).send(new GetCallerIdentityCommand({}));
    if (!response.Account || !response.Arn) throw new Error('STS returned no account');
    return { side, accountId: response.Account, arn: response.Arn, principalArn: principalOf(response.Arn) };
  } catch (error) {
    if (error instanceof PromotionError) throw error;
    if (!role) throw environmentCredentialsProblem(error, side, region);
    const site = { side, accountId: role.accountId, region, action: 'sts:GetCallerIdentity', principal: role.arn };
    throw explainAwsError(error, { what: `Identifying the ${side} credentials`, ...site });
  }
}

/** The role ARN behind an assumed-role session ARN, for policies and messages. */
export function principalOf(callerArn: string): string {
  const match = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (!match) return callerArn;
  return `arn:${match[1]}:iam::${match[2]}:role/${match[3]}`;
}
