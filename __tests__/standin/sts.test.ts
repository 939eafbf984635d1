/** STS with GitHub OIDC tokens, the runner's token endpoint, and expiry of the credentials it issues. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { sdkEnv } from '../../standin/sdk-env.js';
import type { StandInOptions } from '../../standin/settings.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { assumeRole, clientsFor, expectAwsError, sessionOf } from './test-helpers.js';
import type { WorldBuilder } from '../../standin/world.js';
import { allow, assumeRoleTrust, githubOidcTrust, policyOf, statements, type PolicyDocument } from '../../standin/policy-types.js';
import { roleArn, userArn } from '../../standin/arns.js';

const { targetAccount, region, targetRoleArn } = DEFAULTS;
let standin: StandIn;

async function start(world: WorldBuilder = defaultWorld(), options: StandInOptions = {}) {
  standin = await startStandIn(world, options);
}

afterEach(() => standin.close());

function assume(token: string, extra: { RoleArn?: string; DurationSeconds?: number; RoleSessionName?: string } = {}) {
  const sts = new STSClient({ region, endpoint: standin.url, maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  return sts.send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: targetRoleArn, RoleSessionName: 'run-1', WebIdentityToken: token, ...extra }),
  );
}

const goodToken = () => standin.issueToken({ aud: 'sts.amazonaws.com' });

describe('AssumeRoleWithWebIdentity', () => {
  it('issues credentials for a good token', async () => {
    await start();
    const out = await assume(goodToken());
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${targetAccount}:assumed-role/${DEFAULTS.targetRoleName}/run-1`);
    expect(out.SubjectFromWebIdentityToken).toBe('repo:acme/images:ref:refs/heads/main');
    expect(out.Audience).toBe('sts.amazonaws.com');
    expect(out.Provider).toBe('token.actions.githubusercontent.com');
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const lifetime = (out.Credentials?.Expiration?.getTime() ?? 0) - standin.now();
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    const call = standin.calls({ operation: 'AssumeRoleWithWebIdentity' })[0];
    expect(call).toMatchObject({ service: 'sts', outcome: 'ok', region: 'us-east-1' });
    expect(String(call?.params.WebIdentityToken)).toMatch(/…$/);
  });

  it('refuses a token for another audience (InvalidIdentityToken)', async () => {
    await start();
    const error = await expectAwsError(assume(standin.issueToken({ aud: 'https://github.com/acme' })), 'InvalidIdentityTokenException');
    expect(error.message).toBe('Incorrect token audience');
    standin.setOidcClientIds(targetAccount, ['sts.amazonaws.com', 'https://github.com/acme']);
    // Now the provider accepts the audience, but the trust policy's aud condition still does not.
    await expectAwsError(assume(standin.issueToken({ aud: 'https://github.com/acme' })), 'AccessDenied');
  });

  it('refuses another repository’s subject by the trust policy (AccessDenied)', async () => {
    await start();
    const error = await expectAwsError(assume(standin.issueToken({ aud: 'sts.amazonaws.com', sub: 'repo:evil/images:ref:refs/heads/main' })), 'AccessDenied');
    expect(error.message).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity');
    expect(standin.calls({ operation: 'AssumeRoleWithWebIdentity' })[0]?.notes?.trust).toBe('ImplicitlyDenied');
    await expectAwsError(assume(goodToken(), { RoleArn: `arn:aws:iam::${targetAccount}:role/missing` }), 'AccessDenied');
  });

  it('refuses an expired token (ExpiredTokenException)', async () => {
    await start();
    const token = standin.issueToken({ aud: 'sts.amazonaws.com' }, { lifetimeSeconds: 60 });
    standin.advanceTime(61_000);
    const error = await expectAwsError(assume(token), 'ExpiredTokenException');
    expect(error.message).toMatch(/^Token expired: current date\/time .* must be before the expiration date\/time /);
  });

  it('refuses a tampered signature, a tampered payload and a foreign signing key', async () => {
    await start();
    const [header, payload, signature] = goodToken().split('.') as [string, string, string];
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    await expectAwsError(assume(`${header}.${payload}.${flipped}`), 'InvalidIdentityTokenException');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'repo:acme/images:environment:production' })).toString('base64url');
    await expectAwsError(assume(`${header}.${forged}.${signature}`), 'InvalidIdentityTokenException');
    await expectAwsError(assume(standin.issueToken({ aud: 'sts.amazonaws.com' }, { untrusted: true })), 'InvalidIdentityTokenException');
    await expectAwsError(assume('not-a-jwt'), 'InvalidIdentityTokenException');
  });

  it('needs the OIDC provider in the role’s account', async () => {
    const world = defaultWorld();
    world.account(targetAccount).removeOidcProvider();
    await start(world);
    const error = await expectAwsError(assume(goodToken()), 'InvalidIdentityTokenException');
    expect(error.message).toContain('No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com');
  });

  it('validates DurationSeconds against the role maximum, and the session name', async () => {
    const world = defaultWorld();
    world.account(targetAccount).role(DEFAULTS.targetRoleName, { maxSessionDuration: 7200 });
    await start(world);
    const out = await assume(goodToken(), { DurationSeconds: 7200 });
    expect((out.Credentials?.Expiration?.getTime() ?? 0) - standin.now()).toBeGreaterThan(7190_000);
    const tooLong = await expectAwsError(assume(goodToken(), { DurationSeconds: 7201 }), 'ValidationError');
    expect(tooLong.message).toContain('MaxSessionDuration');
    await expectAwsError(assume(goodToken(), { DurationSeconds: 899 }), 'ValidationError');
    await expectAwsError(assume(goodToken(), { RoleSessionName: 'bad name!' }), 'ValidationError');
  });
});

describe('the runner token endpoint', () => {
  it('answers {value: JWT} for the request token, records the audience, and refuses other bearers', async () => {
    await start(defaultWorld(), { oidc: { repository: 'acme/images', environment: 'production' } });
    const response = await fetch(`${standin.oidcRequestUrl}&audience=sts.amazonaws.com`, {
      headers: { Authorization: `Bearer ${standin.oidcRequestToken}` },
    });
    expect(response.status).toBe(200);
    const { value } = (await response.json()) as { value: string };
    const claims = JSON.parse(Buffer.from(value.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'sts.amazonaws.com',
      sub: 'repo:acme/images:environment:production',
      repository: 'acme/images',
      environment: 'production',
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(300);
    expect(standin.oidcAudiences()).toEqual(['sts.amazonaws.com']);
    expect((await assume(value)).SubjectFromWebIdentityToken).toBe('repo:acme/images:environment:production');
    const refused = await fetch(`${standin.oidcRequestUrl}&audience=x`, { headers: { Authorization: 'Bearer wrong' } });
    expect(refused.status).toBe(401);
  });

  it('works with @actions/core getIDToken through the variables sdkEnv gives', async () => {
    await start();
    const env = sdkEnv(standin);
    const saved = { url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL, token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN };
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write; // getIDToken prints ::add-mask::
    try {
      const core = await import('@actions/core');
      const token = await core.getIDToken('sts.amazonaws.com');
      expect((await assume(token)).Audience).toBe('sts.amazonaws.com');
      expect(standin.oidcAudiences()).toEqual(['sts.amazonaws.com']);
    } finally {
      process.stdout.write = write;
      process.env.ACTIONS_ID_TOKEN_REQUEST_URL = saved.url;
      process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = saved.token;
      if (saved.url === undefined) delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
      if (saved.token === undefined) delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    }
  });
});

describe('credentials', () => {
  it('session credentials expire after the configured lifetime, in every service', async () => {
    await start(defaultWorld(), { credentialLifetimeSeconds: 120 });
    const credentials = await assumeRole(standin);
    expect((credentials.expiration?.getTime() ?? 0) - standin.now()).toBeLessThanOrEqual(120_000);
    const target = clientsFor(standin, region, credentials);
    await target.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    standin.advanceTime(121_000);
    await expectAwsError(target.ec2.send(new DescribeImagesCommand({ Owners: ['self'] })), 'ExpiredToken');
    await expectAwsError(target.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.targetKeyAlias })), 'ExpiredTokenException');
    await expectAwsError(target.ssm.send(new GetParameterCommand({ Name: '/x' })), 'ExpiredTokenException');
    await expectAwsError(target.sts.send(new GetCallerIdentityCommand({})), 'ExpiredToken');
    const renewed = clientsFor(standin, region, await assumeRole(standin));
    expect((await renewed.sts.send(new GetCallerIdentityCommand({}))).Account).toBe(targetAccount);
  });

  it('unknown keys and mismatched session tokens are rejected per service', async () => {
    await start();
    const stranger = clientsFor(standin, region, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' });
    await expectAwsError(stranger.ec2.send(new DescribeImagesCommand({})), 'AuthFailure');
    await expectAwsError(stranger.kms.send(new DescribeKeyCommand({ KeyId: 'alias/x' })), 'UnrecognizedClientException');
    const real = await assumeRole(standin);
    const wrongToken = clientsFor(standin, region, { ...real, sessionToken: 'forged' });
    await expectAwsError(wrongToken.sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
    expect(standin.calls({ outcome: 'error' }).map((c) => c.errorCode)).toEqual(['AuthFailure', 'UnrecognizedClientException', 'InvalidClientTokenId']);
  });
});

describe('AssumeRole (role chaining)', () => {
  const { sourceAccount } = DEFAULTS;
  const runnerRole = roleArn(sourceAccount, 'runner');
  const ciUser = userArn(sourceAccount, 'ci');
  const trustWith = (...principals: string[]) =>
    policyOf(...statements(githubOidcTrust(targetAccount, 'repo:acme/images:*')), ...principals.map((p) => assumeRoleTrust(p)));

  /** A source account with an IAM user `ci` and a role `runner` (trusting `ci`) that both may call sts:AssumeRole on the target role. */
  function world(options: { trusted?: string[]; maxSessionDuration?: number; identityAllows?: boolean } = {}) {
    const w = defaultWorld();
    const identity: Record<string, PolicyDocument> =
      options.identityAllows === false ? {} : { AssumeRoles: policyOf(allow('sts:AssumeRole', [targetRoleArn, runnerRole])) };
    w.account(sourceAccount).user('ci', { policies: identity });
    w.account(sourceAccount).role('runner', { trustPolicy: policyOf(assumeRoleTrust(ciUser)), policies: identity });
    w.account(targetAccount).role(DEFAULTS.targetRoleName, {
      trustPolicy: trustWith(...(options.trusted ?? [ciUser, runnerRole])),
      maxSessionDuration: options.maxSessionDuration,
    });
    return w;
  }
  const sts = (credentials: AwsCredentialIdentity) => clientsFor(standin, region, credentials).sts;
  const userSts = () => sts(standin.credentials(sourceAccount, 'ci'));
  const assumeWith = (client: STSClient, RoleArn: string, DurationSeconds?: number) =>
    client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'chained', DurationSeconds }));
  async function runnerSession() {
    return sts(sessionOf((await assumeWith(userSts(), runnerRole)).Credentials));
  }

  it('issues a session of the role to a user its trust policy and the user\'s IAM policy allow', async () => {
    await start(world());
    const out = await assumeWith(userSts(), targetRoleArn);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${targetAccount}:assumed-role/${DEFAULTS.targetRoleName}/chained`);
    const who = await sts(sessionOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(out.AssumedRoleUser?.Arn);
    expect(standin.calls({ operation: 'AssumeRole' })[0]).toMatchObject({ account: sourceAccount, outcome: 'ok' });
  });

  it('across accounts needs both the trust policy and the caller\'s IAM policy', async () => {
    await start(world({ trusted: [runnerRole] }));
    const error = await expectAwsError(assumeWith(userSts(), targetRoleArn), 'AccessDenied');
    expect(error.message).toBe(`User: ${ciUser} is not authorized to perform: sts:AssumeRole on resource: ${targetRoleArn}`);
    await standin.close();
    await start(world({ identityAllows: false }));
    await expectAwsError(assumeWith(userSts(), targetRoleArn), 'AccessDenied');
    await expectAwsError(assumeWith(userSts(), roleArn(targetAccount, 'no-such-role')), 'AccessDenied');
  });

  it('in the same account, a trust policy naming the caller suffices without an IAM policy', async () => {
    await start(world({ identityAllows: false }));
    await expect(assumeWith(userSts(), runnerRole)).resolves.toBeDefined();
    await expectAwsError(assumeWith(userSts(), targetRoleArn), 'AccessDenied');
  });

  it('limits a session assumed from a role session to one hour, whatever the role allows (role chaining)', async () => {
    await start(world({ maxSessionDuration: 43200 }));
    expect((await assumeWith(userSts(), targetRoleArn, 7200)).Credentials).toBeDefined();
    const runner = await runnerSession();
    const error = await expectAwsError(assumeWith(runner, targetRoleArn, 7200), 'ValidationError');
    expect(error.message).toBe('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    const chained = await assumeWith(runner, targetRoleArn, 3600);
    expect(chained.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${targetAccount}:assumed-role/${DEFAULTS.targetRoleName}/chained`);
  });
});
