import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AccountClients } from '../../aws/clients.js';
import { explainAwsError } from '../../aws/explain.js';
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

/**
 * Who the credentials of one side are (GetCallerIdentity needs no IAM permission:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html). Failures to get the OIDC token or to
 * assume the role arrive explained and pass through; the rest are explained by where the credentials come from.
 */
export async function callerIdentity(clients: AccountClients, region: string, side: Side, role?: AssumedRole): Promise<CallerIdentity> {
  try {
    const response = await clients.sts(region).send(new GetCallerIdentityCommand({}));
    if (!response.Account || !response.Arn) throw new Error('STS returned no account');
    return { side, accountId: response.Account, arn: response.Arn, principalArn: principalOf(response.Arn) };
  } catch (error) {
    const origin = role ? ({ accountId: role.accountId, principal: role.arn, credentials: 'assumed' } as const) : ({ credentials: 'environment' } as const);
    throw explainAwsError(error, { what: `Identifying the ${side} credentials`, side, region, action: 'sts:GetCallerIdentity', ...origin });
  }
}

/** The role ARN behind an assumed-role session ARN, for policies and messages. */
export function principalOf(callerArn: string): string {
  const match = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (!match) return callerArn;
  return `arn:${match[1]}:iam::${match[2]}:role/${match[3]}`;
}
