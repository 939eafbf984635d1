import { describe, expect, it } from '@jest/globals';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { PromotionError } from '../../../../src/aws/errors.js';
import { callerIdentity } from '../../../../src/domain/lookups/identity.js';
import { MissingOidcPermissionError } from '../../../../src/github/oidc.js';
import { FakeAccount, SOURCE_ACCOUNT, SOURCE_REGION, SOURCE_ROLE, SOURCE_SESSION, awsError } from '../../../support/pipeline-fixtures.js';

const role = { arn: SOURCE_ROLE, accountId: SOURCE_ACCOUNT };

function sourceAccount(): FakeAccount {
  return new FakeAccount('source', SOURCE_ACCOUNT, [SOURCE_REGION], []);
}

async function failure(account: FakeAccount, withRole: boolean): Promise<PromotionError> {
  const error = await callerIdentity(account.clients, SOURCE_REGION, 'source', withRole ? role : undefined).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PromotionError);
  return error as PromotionError;
}

describe('callerIdentity', () => {
  it('names the session and the role behind it', async () => {
    const account = sourceAccount();
    account.sts(SOURCE_REGION).on(GetCallerIdentityCommand).resolves({ Account: SOURCE_ACCOUNT, Arn: SOURCE_SESSION });
    expect(await callerIdentity(account.clients, SOURCE_REGION, 'source', role)).toEqual({
      side: 'source',
      accountId: SOURCE_ACCOUNT,
      arn: SOURCE_SESSION,
      principalArn: SOURCE_ROLE,
    });
  });

  it('passes a failure to get the OIDC token through, without a fix about role ARNs', async () => {
    const account = sourceAccount();
    const tokenError = new MissingOidcPermissionError('sts.amazonaws.com', 'ACTIONS_ID_TOKEN_REQUEST_URL');
    account.sts(SOURCE_REGION).on(GetCallerIdentityCommand).rejects(tokenError);
    const error = await failure(account, true);
    expect(error).toBe(tokenError);
    expect(error.message).not.toMatch(/role-arn|configure-aws-credentials/);
  });

  it('without a role: no credentials in the environment asks for source-role-arn or an earlier credentials step', async () => {
    const account = sourceAccount();
    account.sts(SOURCE_REGION).on(GetCallerIdentityCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const error = await failure(account, false);
    expect(error.details.why).toBe('no source credentials were found in the environment (Could not load credentials from any providers).');
    expect(error.details.fix).toContain('Set source-role-arn to a role in the source account that trusts this repository, or run aws-actions/configure-aws-credentials');
  });

  it('without a role: keys STS does not know are the environment credentials, not a missing input', async () => {
    const account = sourceAccount();
    account.sts(SOURCE_REGION).on(GetCallerIdentityCommand).rejects(awsError('InvalidClientTokenId', 'The security token included in the request is invalid.'));
    const error = await failure(account, false);
    expect(error.details.why).toBe('AWS refused the source credentials from the environment (InvalidClientTokenId: The security token included in the request is invalid.).');
    expect(error.details.fix).toMatch(/^Check the credentials an earlier step put in the environment/);
  });

  it('with a role: a failure after the role was assumed names the account and does not ask for inputs the user set', async () => {
    const account = sourceAccount();
    account.sts(SOURCE_REGION).on(GetCallerIdentityCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    const error = await failure(account, true);
    expect(error.message).toContain(`Identifying the source credentials (source account ${SOURCE_ACCOUNT}, ${SOURCE_REGION}) failed`);
    expect(error.details.fix).toContain('raise AWS_MAX_ATTEMPTS');
    expect(error.message).not.toMatch(/role-arn|id-token|configure-aws-credentials/);
  });
});
