import { describe, expect, it, jest } from '@jest/globals';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { parseRoleArn, type RoleArn } from '../../../src/aws/arn.js';
import { webIdentityCredentials } from '../../../src/aws/web-identity.js';
import { PromotionError } from '../../../src/aws/errors.js';

const role = parseRoleArn('arn:aws:iam::222222222222:role/ami-promotion-target') as RoleArn;

function setup(lifetimeMs: number, audience = 'sts.amazonaws.com') {
  let now = 1_000_000;
  const sts = new STSClient({ region: 'eu-west-1' });
  const mock = mockClient(sts);
  let issued = 0;
  mock.on(AssumeRoleWithWebIdentityCommand).callsFake(() => {
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIA${issued}`,
        SecretAccessKey: `secret-${issued}`,
        SessionToken: `token-${issued}`,
        Expiration: new Date(now + lifetimeMs),
      },
    };
  });
  const getToken = jest.fn(async () => `jwt-${issued + 1}`);
  const masked: string[] = [];
  const provider = webIdentityCredentials({
    role,
    side: 'target',
    sessionName: 'promote-ami-1-1',
    durationSeconds: 3600,
    getToken,
    audience,
    sts,
    onCredentials: (c) => masked.push(c.accessKeyId, c.secretAccessKey, c.sessionToken ?? ''),
    repository: 'acme/images',
    now: () => now,
  });
  return { provider, mock, getToken, masked, advance: (ms: number) => (now += ms) };
}

describe('webIdentityCredentials', () => {
  it('assumes the role with a fresh token and the session settings, and hands the credentials to the masker', async () => {
    const { provider, mock, masked } = setup(3_600_000);
    const credentials = await provider();
    expect(credentials).toMatchObject({ accessKeyId: 'ASIA1', secretAccessKey: 'secret-1', sessionToken: 'token-1' });
    expect(mock.commandCalls(AssumeRoleWithWebIdentityCommand)[0]?.args[0].input).toEqual({
      RoleArn: role.arn,
      RoleSessionName: 'promote-ami-1-1',
      WebIdentityToken: 'jwt-1',
      DurationSeconds: 3600,
    });
    expect(masked).toEqual(['ASIA1', 'secret-1', 'token-1']);
  });

  it('reuses credentials while they are fresh and renews them with a new token before they expire', async () => {
    const { provider, mock, getToken, advance } = setup(3_600_000);
    await provider();
    advance(50 * 60_000);
    expect((await provider()).accessKeyId).toBe('ASIA1');
    expect(mock.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
    advance(6 * 60_000); // four minutes left: inside the renewal window
    expect((await provider()).accessKeyId).toBe('ASIA2');
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  it('renews short-lived credentials only in the last quarter of their life', async () => {
    const { provider, mock, advance } = setup(120_000);
    await provider();
    advance(60_000);
    await provider();
    expect(mock.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
    advance(35_000);
    expect((await provider()).accessKeyId).toBe('ASIA2');
  });

  it('explains a trust-policy refusal with the statement to add', async () => {
    const { provider, mock } = setup(3_600_000);
    mock.on(AssumeRoleWithWebIdentityCommand).rejects(Object.assign(new Error('Not authorized to perform sts:AssumeRoleWithWebIdentity'), { name: 'AccessDenied' }));
    const error = (await provider().catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain('target account 222222222222');
    expect(error.message).toContain('arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com');
    // The mocked token is no JWT: the fix names the default subject, the environment production.
    expect(error.message).toContain('"token.actions.githubusercontent.com:sub": "repo:acme/images:environment:production"');
  });

  it("names the job's own sub claim, read from its token, in the trust-policy fix", async () => {
    const { provider, mock, getToken } = setup(3_600_000);
    const claims = Buffer.from(JSON.stringify({ sub: 'repo:acme/images:ref:refs/heads/release' })).toString('base64url');
    getToken.mockResolvedValueOnce(`eyJhbGciOiJSUzI1NiJ9.${claims}.signature`);
    mock.on(AssumeRoleWithWebIdentityCommand).rejects(Object.assign(new Error('Not authorized to perform sts:AssumeRoleWithWebIdentity'), { name: 'AccessDenied' }));
    const error = (await provider().catch((e: unknown) => e)) as PromotionError;
    expect(error.message).toContain('"token.actions.githubusercontent.com:sub": "repo:acme/images:ref:refs/heads/release"');
  });

  it('puts the audience input, not a fixed one, into the trust-policy fix and the explanation', async () => {
    const { provider, mock } = setup(3_600_000, 'https://github.com/acme');
    mock.on(AssumeRoleWithWebIdentityCommand).rejects(Object.assign(new Error('Incorrect token audience'), { name: 'InvalidIdentityTokenException' }));
    const error = (await provider().catch((e: unknown) => e)) as PromotionError;
    expect(error.message).toContain('"token.actions.githubusercontent.com:aud": "https://github.com/acme"');
    expect(error.message).toContain('audience list does not include https://github.com/acme');
    expect(error.message).not.toContain('sts.amazonaws.com');
  });

  it('passes a failure to get the token through unchanged, without calling STS or blaming the role', async () => {
    const { provider, mock, getToken } = setup(3_600_000);
    const tokenError = new Error('The job has no OIDC token');
    getToken.mockRejectedValueOnce(tokenError);
    await expect(provider()).rejects.toBe(tokenError);
    expect(mock.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(0);
  });

  it('does not blame the role ARN for an error it cannot explain', async () => {
    const { provider, mock } = setup(3_600_000);
    mock.on(AssumeRoleWithWebIdentityCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'Error' }));
    const error = (await provider().catch((e: unknown) => e)) as PromotionError;
    expect(error.message).toContain('Error: socket hang up');
    expect(error.message).not.toMatch(/role ARN|role-arn|trust policy/);
  });

  it('explains throttling that outlasted the retries', async () => {
    const { provider, mock } = setup(3_600_000);
    mock.on(AssumeRoleWithWebIdentityCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(provider()).rejects.toThrow(/AWS kept throttling the requests after every retry \(Throttling\)[\s\S]*raise AWS_MAX_ATTEMPTS/);
  });

  it('takes ExpiredTokenException as the OIDC token, not the credentials, having expired', async () => {
    const { provider, mock } = setup(3_600_000);
    mock.on(AssumeRoleWithWebIdentityCommand).rejects(Object.assign(new Error('Token is expired'), { name: 'ExpiredTokenException' }));
    const error = (await provider().catch((e: unknown) => e)) as PromotionError;
    expect(error.details.why).toBe("STS found the job's OIDC token expired or not valid (ExpiredTokenException: Token is expired).");
    expect(error.details.fix).toMatch(/^Re-run the job/);
    expect(error.message).not.toMatch(/role-arn|trust policy/);
  });

  it('explains a missing OIDC provider and a too-long session', async () => {
    const { provider, mock } = setup(3_600_000);
    mock
      .on(AssumeRoleWithWebIdentityCommand)
      .rejectsOnce(Object.assign(new Error('No OpenIDConnect provider found in your account'), { name: 'InvalidIdentityTokenException' }))
      .rejectsOnce(Object.assign(new Error('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'), { name: 'ValidationError' }));
    await expect(provider()).rejects.toThrow(/OIDC provider is missing/);
    await expect(provider()).rejects.toThrow(/Lower role-duration-seconds/);
  });
});
