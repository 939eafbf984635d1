import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { principalOf, type RoleArn } from '../../aws/arn.js';
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

/**
 * Who a session of `role` named `sessionName` is, without a call: the assumed-role ARN STS gives such a session
 * (arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE-NAME/SESSION-NAME, the role name without its path:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns). The role is assumed
 * on the first call that needs it, and a failure to assume it is explained there.
 */
export function assumedIdentity(role: RoleArn, sessionName: string, side: Side): CallerIdentity {
  return {
    side,
    accountId: role.accountId,
    arn: `arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
    principalArn: role.arn,
  };
}

/**
 * Who the credentials from the environment are (GetCallerIdentity needs no IAM permission:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html), explained as credentials from the
 * environment when it fails.
 */
export async function callerIdentity(clients: AccountClients, region: string, side: Side): Promise<CallerIdentity> {
  try {
    const response = await clients.sts(region).send(new GetCallerIdentityCommand({}));
    if (!response.Account || !response.Arn) throw new Error('STS returned no account');
    return { side, accountId: response.Account, arn: response.Arn, principalArn: principalOf(response.Arn) };
  } catch (error) {
    throw explainAwsError(error, { what: `Identifying the ${side} credentials`, side, region, action: 'sts:GetCallerIdentity', credentials: 'environment' });
  }
}
