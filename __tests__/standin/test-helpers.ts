/** Shared helpers for the stand-in's own tests: real SDK clients against a running stand-in. */
import { expect } from '@jest/globals';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleWithWebIdentityCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { DEFAULTS } from '../../standin/default-world.js';
import { sdkClientConfig } from '../../standin/sdk-env.js';
import type { StandIn } from '../../standin/standin.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface Clients {
  ec2: EC2Client;
  kms: KMSClient;
  sts: STSClient;
  ssm: SSMClient;
  iam: IAMClient;
}

export function clientsFor(standin: StandIn, region: string, credentials: AwsCredentialIdentity, maxAttempts = 1): Clients {
  const config = sdkClientConfig(standin, region, credentials, maxAttempts);
  return {
    ec2: new EC2Client(config),
    kms: new KMSClient(config),
    sts: new STSClient(config),
    ssm: new SSMClient(config),
    iam: new IAMClient(config),
  };
}

/** Credentials of the target role, from AssumeRoleWithWebIdentity with a stand-in token. */
export async function assumeRole(
  standin: StandIn,
  roleArn: string = DEFAULTS.targetRoleArn,
  options: { token?: string; durationSeconds?: number; sessionName?: string } = {},
): Promise<AwsCredentialIdentity> {
  const sts = new STSClient({ region: DEFAULTS.region, endpoint: standin.url, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
  const response = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn,
      RoleSessionName: options.sessionName ?? 'standin-test',
      WebIdentityToken: options.token ?? standin.issueToken({ aud: 'sts.amazonaws.com' }),
      DurationSeconds: options.durationSeconds,
    }),
  );
  return sessionOf(response.Credentials);
}

/** The credentials of a session STS issued (AssumeRole, AssumeRoleWithWebIdentity), as the SDK takes them. */
export function sessionOf(c: Credentials | undefined): AwsCredentialIdentity {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}

export interface SdkError extends Error {
  $metadata: { httpStatusCode?: number; attempts?: number };
  $fault?: string;
}

/** Awaits a rejected SDK call and checks the error name the SDK raised. */
export async function expectAwsError(promise: Promise<unknown>, name: string): Promise<SdkError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(Error);
  const error = caught as SdkError;
  expect(error.name).toBe(name);
  return error;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
