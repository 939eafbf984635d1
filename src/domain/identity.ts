import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AccountClients } from '../aws/clients.js';
import { PromotionError, errorMessage, errorName } from './errors.js';
import type { Side } from './types.js';

export interface CallerIdentity {
  side: Side;
  accountId: string;
  /** The caller's ARN, e.g. arn:aws:sts::111122223333:assumed-role/NAME/SESSION. */
  arn: string;
  /** The role or user behind the session, for policies and messages. */
  principalArn: string;
}

/** Who the credentials of one side are (GetCallerIdentity needs no IAM permission). */
export async function callerIdentity(clients: AccountClients, region: string, side: Side): Promise<CallerIdentity> {
  try {
    const response = await clients.sts(region).send(new GetCallerIdentityCommand({}));
    if (!response.Account || !response.Arn) throw new Error('STS returned no account');
    return { side, accountId: response.Account, arn: response.Arn, principalArn: principalOf(response.Arn) };
  } catch (error) {
    if (error instanceof PromotionError) throw error;
    const noCredentials = errorName(error) === 'CredentialsProviderError' || /credential/i.test(errorMessage(error));
    throw new PromotionError({
      what: `Identifying the ${side} credentials`,
      side,
      region,
      why: noCredentials ? `no ${side} credentials were found (${errorMessage(error)}).` : `${errorName(error) || 'error'}: ${errorMessage(error)}`,
      fix:
        side === 'source'
          ? 'Set source-role-arn to a role in the source account that trusts this repository, or run aws-actions/configure-aws-credentials before this step.'
          : 'Check target-role-arn and that the job has permissions: id-token: write.',
      cause: error,
    });
  }
}

/** The role ARN behind an assumed-role session ARN, for policies and messages. */
export function principalOf(callerArn: string): string {
  const match = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (!match) return callerArn;
  return `arn:${match[1]}:iam::${match[2]}:role/${match[3]}`;
}
