/** Pointing the real AWS SDK (and @actions/core's OIDC client) at a running stand-in. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { StandIn } from './standin.js';

export interface SdkEnvOptions {
  /** Environment credentials (AWS_ACCESS_KEY_ID ...), e.g. standin.credentials('111111111111'). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region?: string;
  maxAttempts?: number;
}

/** The environment variables that send every SDK client to the stand-in and give the OIDC request endpoint. */
export function sdkEnv(standin: Pick<StandIn, 'url' | 'oidcRequestUrl' | 'oidcRequestToken'>, options: SdkEnvOptions = {}): Record<string, string> {
  const nowhere = join(tmpdir(), 'standin-no-aws-config');
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: standin.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: nowhere,
    AWS_SHARED_CREDENTIALS_FILE: nowhere,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ACTIONS_ID_TOKEN_REQUEST_URL: standin.oidcRequestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: standin.oidcRequestToken,
  };
  if (options.credentials) {
    env.AWS_ACCESS_KEY_ID = options.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = options.credentials.secretAccessKey;
    if (options.credentials.sessionToken) env.AWS_SESSION_TOKEN = options.credentials.sessionToken;
  }
  if (options.region) {
    env.AWS_REGION = options.region;
    env.AWS_DEFAULT_REGION = options.region;
  }
  if (options.maxAttempts !== undefined) env.AWS_MAX_ATTEMPTS = String(options.maxAttempts);
  return env;
}

/** Client options for a real SDK client talking to the stand-in with explicit credentials. */
export function sdkClientConfig(
  standin: Pick<StandIn, 'url'>,
  region: string,
  credentials: AwsCredentialIdentity | (() => Promise<AwsCredentialIdentity>),
  maxAttempts = 1,
) {
  return { region, endpoint: standin.url, credentials, maxAttempts };
}
