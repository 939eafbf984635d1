import { describe, expect, it } from '@jest/globals';
import { PromotionError } from '../../../src/aws/errors.js';
import { call, explainAwsError, identityPolicyFix, type CallSite } from '../../../src/aws/explain.js';
import { SOURCE_ACCOUNT, SOURCE_REGION, SOURCE_ROLE, awsError } from '../../support/pipeline-fixtures.js';

const KEY_ARN = `arn:aws:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BY_HAND = `Or do it by hand with source account credentials: aws kms retire-grant --key-id ${KEY_ARN} --grant-id g-1`;

const share: CallSite = {
  what: 'Sharing snapshot snap-1 with account 222222222222',
  side: 'source',
  accountId: SOURCE_ACCOUNT,
  region: SOURCE_REGION,
  action: 'ec2:ModifySnapshotAttribute',
  principal: SOURCE_ROLE,
  credentials: 'assumed',
};
const retire: CallSite = { ...share, what: 'Retiring the grant g-1', action: ['kms:RetireGrant'], resource: KEY_ARN };
const fromEnvironment: CallSite = { ...share, principal: undefined, credentials: 'environment' };

const statement = (action: unknown, resource: string) => JSON.stringify({ Effect: 'Allow', Action: action, Resource: resource }, null, 2);

describe('explainAwsError', () => {
  it('says what failed and where, for every kind', () => {
    const error = explainAwsError(awsError('Throttling', 'Rate exceeded'), share);
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toMatch(new RegExp(`^Sharing snapshot snap-1 with account 222222222222 \\(source account ${SOURCE_ACCOUNT}, ${SOURCE_REGION}\\) failed: `));
    expect(error.cause).toEqual(awsError('Throttling', 'Rate exceeded'));
  });

  it('denied: the principal, the action, and the statement to add to its IAM policy', () => {
    const { details } = explainAwsError(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'), share);
    expect(details.why).toBe(`${SOURCE_ROLE} may not call ec2:ModifySnapshotAttribute (UnauthorizedOperation: You are not authorized to perform this operation.).`);
    expect(details.fix).toBe(`Add this statement to the IAM policy of ${SOURCE_ROLE}:\n${statement('ec2:ModifySnapshotAttribute', '*')}`);
    expect(details.fix).toBe(identityPolicyFix(SOURCE_ROLE, 'ec2:ModifySnapshotAttribute'));
  });

  it('denied on a KMS key: the statement names the key, and the key policy must allow it too', () => {
    const { details } = explainAwsError(awsError('AccessDeniedException', 'not authorized'), retire);
    expect(details.why).toBe(`${SOURCE_ROLE} may not call kms:RetireGrant on ${KEY_ARN} (AccessDeniedException: not authorized).`);
    expect(details.fix).toBe(
      `Add this statement to the IAM policy of ${SOURCE_ROLE}:\n${statement(['kms:RetireGrant'], KEY_ARN)}\n` +
        `The key policy of ${KEY_ARN} must allow it too: for ${SOURCE_ROLE} itself, or for the IAM policies of its account (as the default key policy does).`,
    );
  });

  it('denied without a known principal names the side credentials', () => {
    expect(explainAwsError(awsError('AccessDenied'), fromEnvironment).details.fix).toMatch(/^Add this statement to the IAM policy of the source credentials:\n/);
  });

  it('expired: re-run with assumed credentials; environment credentials cannot be renewed', () => {
    const assumed = explainAwsError(awsError('ExpiredToken', 'The security token included in the request is expired'), share).details;
    expect(assumed.why).toBe('the source credentials expired (ExpiredToken).');
    expect(assumed.fix).toBe('Re-run the job to retry with fresh credentials.');
    const environment = explainAwsError(awsError('RequestExpired'), fromEnvironment).details;
    expect(environment.why).toBe('the source credentials expired (RequestExpired).');
    expect(environment.fix).toMatch(/^Credentials from an earlier configure-aws-credentials step cannot be renewed here: set source-role-arn instead/);
    const unknown = explainAwsError(awsError('ExpiredToken'), { ...share, credentials: undefined }).details;
    expect(unknown.fix).toBe(
      'Re-run the job to retry with fresh credentials. If the source credentials come from an earlier configure-aws-credentials step, set source-role-arn instead so they are renewed.',
    );
  });

  it('invalid and missing credentials: the fix depends on where the credentials come from', () => {
    const invalid = explainAwsError(awsError('InvalidClientTokenId', 'The security token included in the request is invalid.'), fromEnvironment).details;
    expect(invalid.why).toBe('AWS refused the source credentials from the environment (InvalidClientTokenId: The security token included in the request is invalid.).');
    expect(invalid.fix).toMatch(/^Check the credentials an earlier step put in the environment .*or set source-role-arn/);
    expect(explainAwsError(awsError('SignatureDoesNotMatch'), share).details.fix).toBe('Re-run the job to retry with fresh credentials.');

    const missing = awsError('CredentialsProviderError', 'Could not load credentials from any providers');
    expect(explainAwsError(missing, fromEnvironment).details).toMatchObject({
      why: 'no source credentials were found in the environment (Could not load credentials from any providers).',
      fix: expect.stringMatching(/^Set source-role-arn to a role in the source account that trusts this repository, or run aws-actions\/configure-aws-credentials/),
    });
    expect(explainAwsError(missing, share).details).toMatchObject({
      why: 'no source credentials were found (Could not load credentials from any providers).',
      fix: 'Check source-role-arn and that the job has the permission id-token: write.',
    });
  });

  it('throttled, key state, snapshot in use, and anything else', () => {
    expect(explainAwsError(awsError('RequestLimitExceeded'), share).details).toEqual(
      expect.objectContaining({
        why: 'AWS kept throttling the requests after every retry (RequestLimitExceeded).',
        fix: 'Re-run the job when the account is less busy, or raise AWS_MAX_ATTEMPTS in the job environment.',
      }),
    );
    expect(explainAwsError(awsError('KMSInvalidStateException', 'Key is pending deletion'), retire).details).toEqual(
      expect.objectContaining({
        why: `the state of the KMS key ${KEY_ARN} does not allow this call, for example because it is disabled or pending deletion (KMSInvalidStateException: Key is pending deletion).`,
        fix: 'Enable the key (or cancel its deletion), then re-run the job.',
      }),
    );
    expect(explainAwsError(awsError('InvalidSnapshot.InUse', 'in use by ami-1'), share).details.fix).toBe('Deregister the AMI that uses it, then delete the snapshot.');
    expect(explainAwsError(new Error('socket hang up'), share).details).toEqual(
      expect.objectContaining({ why: 'Error: socket hang up', fix: 'See the AWS message above; re-run the job if the error was transient.' }),
    );
  });

  it('appends an extra (the command to do it by hand) to the fix of every kind', () => {
    for (const code of ['AccessDenied', 'ExpiredToken', 'Throttling', 'InvalidClientTokenId', 'KMSInvalidStateException', 'Boom']) {
      const { fix } = explainAwsError(awsError(code), retire, BY_HAND).details;
      expect(fix.endsWith(`\n${BY_HAND}`)).toBe(true);
    }
  });

  it('passes an explained error through; with an extra, tells it for this call with the extra appended', () => {
    const session = new PromotionError({ what: 'Assuming a role with the GitHub OIDC token', side: 'source', why: 'STS rejected the token.', fix: 'Add the OIDC provider.' });
    expect(explainAwsError(session, share)).toBe(session);
    const told = explainAwsError(session, retire, BY_HAND);
    expect(told.details).toEqual({
      what: retire.what,
      side: 'source',
      accountId: SOURCE_ACCOUNT,
      region: SOURCE_REGION,
      why: 'STS rejected the token.',
      fix: `Add the OIDC provider.\n${BY_HAND}`,
      cause: session,
    });
  });
});

describe('call', () => {
  it('returns the answer, or throws the explained failure', async () => {
    expect(await call(share, async () => 'ok')).toBe('ok');
    const error = await call(share, async () => Promise.reject(awsError('Forbidden')), BY_HAND).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromotionError);
    expect((error as PromotionError).details.fix).toBe(`${identityPolicyFix(SOURCE_ROLE, 'ec2:ModifySnapshotAttribute')}\n${BY_HAND}`);
  });
});
