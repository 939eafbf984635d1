import { describe, expect, it } from '@jest/globals';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { parseRoleArn, type RoleArn } from '../../../src/aws/arn.js';
import { PromotionError } from '../../../src/aws/errors.js';
import { chainedRoleCredentials } from '../../../src/aws/role-chaining.js';

const role = parseRoleArn('arn:aws:iam::222222222222:role/ami-promotion-target') as RoleArn;
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

function setup(lifetimeMs: number, durationSeconds = 3600) {
  let now = 1_000_000;
  const sts = new STSClient({ region: 'eu-west-1' });
  const mock = mockClient(sts);
  let issued = 0;
  mock.on(AssumeRoleCommand).callsFake(() => {
    issued += 1;
    return {
      Credentials: { AccessKeyId: `ASIA${issued}`, SecretAccessKey: `secret-${issued}`, SessionToken: `token-${issued}`, Expiration: new Date(now + lifetimeMs) },
    };
  });
  const masked: string[] = [];
  const provider = chainedRoleCredentials({
    role,
    side: 'target',
    sessionName: 'promote-ami-1-1',
    durationSeconds,
    sts,
    onCredentials: (c) => masked.push(c.accessKeyId, c.secretAccessKey, c.sessionToken ?? ''),
    now: () => now,
  });
  return { provider, mock, masked, advance: (ms: number) => (now += ms) };
}

const failure = async (provider: () => Promise<unknown>) => (await provider().catch((e: unknown) => e)) as PromotionError;

describe('chainedRoleCredentials', () => {
  it('assumes the role with sts:AssumeRole, the session name and duration, and hands the credentials to the masker', async () => {
    const { provider, mock, masked } = setup(3_600_000);
    expect(await provider()).toMatchObject({ accessKeyId: 'ASIA1', secretAccessKey: 'secret-1', sessionToken: 'token-1' });
    expect(mock.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({ RoleArn: role.arn, RoleSessionName: 'promote-ami-1-1', DurationSeconds: 3600 });
    expect(masked).toEqual(['ASIA1', 'secret-1', 'token-1']);
  });

  it('renews a one-hour chained session by assuming the role again before it ends', async () => {
    const { provider, mock, advance } = setup(3_600_000);
    await provider();
    advance(50 * 60_000);
    expect((await provider()).accessKeyId).toBe('ASIA1');
    advance(6 * 60_000);
    expect((await provider()).accessKeyId).toBe('ASIA2');
    expect(mock.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('explains a refusal with the trust statement naming the role behind the environment session, and the identity statement across accounts', async () => {
    const { provider, mock } = setup(3_600_000);
    mock.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 'User: arn:aws:sts::111111111111:assumed-role/runner/i-0abc is not authorized to perform: sts:AssumeRole'));
    mock.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:assumed-role/runner/i-0abc' });
    const error = await failure(provider);
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain('(target account 222222222222)');
    expect(error.details.why).toContain('its trust policy does not let arn:aws:iam::111111111111:role/runner assume it');
    const trust = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/runner' }, Action: 'sts:AssumeRole' };
    expect(error.details.fix).toContain(`Add this statement to the trust policy of ${role.arn}`);
    expect(error.details.fix).toContain(JSON.stringify(trust, null, 2));
    expect(error.details.fix).toContain('if arn:aws:iam::111111111111:role/runner has a path');
    expect(error.details.fix).toContain(`and this one to the IAM policy of arn:aws:iam::111111111111:role/runner:\n${JSON.stringify({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role.arn }, null, 2)}`);
  });

  it('names an IAM user of the same account as it is, with the trust statement alone', async () => {
    const { provider, mock } = setup(3_600_000);
    mock.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 'not authorized'));
    mock.on(GetCallerIdentityCommand).resolves({ Account: '222222222222', Arn: 'arn:aws:iam::222222222222:user/ops/laptop' });
    const { details } = await failure(provider);
    expect(details.fix).toContain('"AWS": "arn:aws:iam::222222222222:user/ops/laptop"');
    expect(details.fix).not.toMatch(/IAM policy of|has a path/);
  });

  it('says that no credentials were found in the environment, and how to give some', async () => {
    const { provider, mock } = setup(3_600_000);
    mock.on(AssumeRoleCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const { details } = await failure(provider);
    expect(details.why).toBe('no AWS credentials were found in the environment (Could not load credentials from any providers).');
    expect(details.fix).toMatch(/instance profile[\s\S]*AWS_PROFILE[\s\S]*role-chaining to false/);
  });

  it('explains the one-hour limit of role chaining with the input to change', async () => {
    const { provider, mock } = setup(3_600_000, 7200);
    mock.on(AssumeRoleCommand).rejects(awsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'));
    const { details } = await failure(provider);
    expect(details.why).toMatch(/limits a role assumed from another role's session \(role chaining\) to one hour/);
    expect(details.fix).toMatch(/^Set role-duration-seconds to 3600 or less/);
  });

  it('refuses incomplete credentials from STS', async () => {
    const { provider, mock } = setup(3_600_000);
    mock.on(AssumeRoleCommand).resolves({ Credentials: undefined });
    await expect(provider()).rejects.toThrow(/STS answered without complete credentials/);
  });
});
