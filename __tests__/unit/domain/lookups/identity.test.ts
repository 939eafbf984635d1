import { describe, expect, it } from '@jest/globals';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { PromotionError } from '../../../../src/aws/errors.js';
import { assumedIdentity, callerIdentity } from '../../../../src/domain/lookups/identity.js';
import { FakeAccount, SOURCE_ACCOUNT, SOURCE_REGION, SOURCE_ROLE, SOURCE_SESSION, awsError } from '../../../support/pipeline-fixtures.js';


function sourceAccount(): FakeAccount {
  return new FakeAccount('source', SOURCE_ACCOUNT, [SOURCE_REGION], []);
}

async function failure(account: FakeAccount): Promise<PromotionError> {
  const error = await callerIdentity(account.clients, SOURCE_REGION, 'source').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PromotionError);
  return error as PromotionError;
}

describe('assumedIdentity', () => {
  it('names the session STS gives the role and the role itself, path included, without a call', () => {
    const role = { arn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/ci/promote`, partition: 'aws', accountId: SOURCE_ACCOUNT, name: 'promote' };
    expect(assumedIdentity(role, 'promote-ami-42', 'target')).toEqual({
      side: 'target',
      accountId: SOURCE_ACCOUNT,
      arn: `arn:aws:sts::${SOURCE_ACCOUNT}:assumed-role/promote/promote-ami-42`,
      principalArn: role.arn,
    });
  });
});

describe('callerIdentity (credentials from the environment)', () => {
  it('names the session and the role behind it', async () => {
    const account = sourceAccount();
    account.sts(SOURCE_REGION).on(GetCallerIdentityCommand).resolves({ Account: SOURCE_ACCOUNT, Arn: SOURCE_SESSION });
    expect(await callerIdentity(account.clients, SOURCE_REGION, 'source')).toEqual({
      side: 'source',
      accountId: SOURCE_ACCOUNT,
      arn: SOURCE_SESSION,
      principalArn: SOURCE_ROLE,
    });
  });

  it('no credentials in the environment asks for source-role-arn or an earlier credentials step', async () => {
    const account = sourceAccount();
    account.sts(SOURCE_REGION).on(GetCallerIdentityCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const error = await failure(account);
    expect(error.details.why).toBe('no source credentials were found in the environment (Could not load credentials from any providers).');
    expect(error.details.fix).toContain('Set source-role-arn to a role in the source account that trusts this repository, or run aws-actions/configure-aws-credentials');
  });

  it('keys STS does not know are the environment credentials, not a missing input', async () => {
    const account = sourceAccount();
    account.sts(SOURCE_REGION).on(GetCallerIdentityCommand).rejects(awsError('InvalidClientTokenId', 'The security token included in the request is invalid.'));
    const error = await failure(account);
    expect(error.details.why).toBe('AWS refused the source credentials from the environment (InvalidClientTokenId: The security token included in the request is invalid.).');
    expect(error.details.fix).toMatch(/^Check the credentials an earlier step put in the environment/);
  });
});
