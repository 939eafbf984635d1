import * as http from 'node:http';
import * as https from 'node:https';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { ACTION_NAME, ACTION_VERSION } from '../version.js';

/** The AWS clients of one account, created on first use and cached per region. */
export interface AccountClients {
  ec2(region: string): EC2Client;
  kms(region: string): KMSClient;
  ssm(region: string): SSMClient;
  sts(region: string): STSClient;
  iam(region: string): IAMClient;
  /**
   * Gets the account's credentials now (assumes its role), so that a failure shows before any other call; nothing for
   * the SDK's default chain, which its first call resolves.
   */
  connect(): Promise<void>;
}

export interface ClientSettings {
  /** Omitted: the SDK's default chain (environment, shared config, container or instance role). */
  credentials?: AwsCredentialIdentityProvider;
}

const DEFAULT_MAX_ATTEMPTS = 8;

function proxyAwareHandler(env: NodeJS.ProcessEnv) {
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name]);
  if (!proxied) return undefined;
  // Node's own agents read HTTP(S)_PROXY and NO_PROXY when given proxyEnv.
  return {
    httpAgent: new http.Agent({ keepAlive: true, proxyEnv: env }),
    httpsAgent: new https.Agent({ keepAlive: true, proxyEnv: env }),
  };
}

/**
 * Shared settings of every client. Endpoints (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), retry mode
 * and AWS_MAX_ATTEMPTS come from the SDK's own environment handling.
 */
export function clientConfig(region: string, settings: ClientSettings, env: NodeJS.ProcessEnv = process.env) {
  const requestHandler = proxyAwareHandler(env);
  return {
    region,
    credentials: settings.credentials,
    customUserAgent: [[ACTION_NAME, ACTION_VERSION]] as [string, string][],
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: DEFAULT_MAX_ATTEMPTS }),
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'standard' }),
    ...(requestHandler ? { requestHandler } : {}),
  };
}

let services: typeof import('./service-clients.js') | undefined;

/**
 * Loads the EC2, KMS, SSM and IAM clients, most of the action's code: the steps call it after their first requests
 * (the OIDC token, the roles assumed with STS), and before they make any of these clients.
 */
export async function loadServiceClients(): Promise<void> {
  services ??= await import('./service-clients.js');
}

function loaded(): NonNullable<typeof services> {
  if (!services) throw new Error('An EC2, KMS, SSM or IAM client was made before loadServiceClients() resolved.');
  return services;
}

export function createAccountClients(settings: ClientSettings): AccountClients {
  const cache = new Map<string, unknown>();
  function cached<T>(kind: string, region: string, make: () => T): T {
    const key = `${kind}:${region}`;
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  }
  return {
    ec2: (region) => cached('ec2', region, () => new (loaded().EC2Client)(clientConfig(region, settings))),
    kms: (region) => cached('kms', region, () => new (loaded().KMSClient)(clientConfig(region, settings))),
    ssm: (region) => cached('ssm', region, () => new (loaded().SSMClient)(clientConfig(region, settings))),
    sts: (region) => cached('sts', region, () => new STSClient(clientConfig(region, settings))),
    iam: (region) => cached('iam', region, () => new (loaded().IAMClient)(clientConfig(region, settings))),
    connect: async () => {
      await settings.credentials?.();
    },
  };
}
