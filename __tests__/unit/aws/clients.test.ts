import { afterEach, describe, expect, it } from '@jest/globals';
import { clientConfig, createAccountClients, loadServiceClients } from '../../../src/aws/clients.js';
import { ACTION_NAME, ACTION_VERSION } from '../../../src/version.js';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('AWS client factory', () => {
  it('names the action and its version in the user agent, which matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(ACTION_VERSION).toBe(pkg.version);
    expect(clientConfig('eu-west-1', {}, {}).customUserAgent).toEqual([[ACTION_NAME, ACTION_VERSION]]);
  });

  it('defaults retries but leaves AWS_MAX_ATTEMPTS and AWS_RETRY_MODE to the SDK', () => {
    expect(clientConfig('eu-west-1', {}, {})).toMatchObject({ maxAttempts: 8, retryMode: 'standard' });
    const fromEnv = clientConfig('eu-west-1', {}, { AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'adaptive' });
    expect(fromEnv).not.toHaveProperty('maxAttempts');
    expect(fromEnv).not.toHaveProperty('retryMode');
  });

  it('routes through a proxy only when a proxy variable is set', () => {
    expect(clientConfig('eu-west-1', {}, {})).not.toHaveProperty('requestHandler');
    const env = { HTTPS_PROXY: 'http://proxy.internal:3128', NO_PROXY: '127.0.0.1' };
    const proxied = clientConfig('eu-west-1', {}, env);
    // Node's agents read the proxy and NO_PROXY from proxyEnv (Node 24 applies it; older Nodes keep the option).
    const options = (agent: unknown) => (agent as { options: unknown }).options;
    expect(options(proxied.requestHandler?.httpsAgent)).toMatchObject({ keepAlive: true, proxyEnv: env });
    expect(options(proxied.requestHandler?.httpAgent)).toMatchObject({ keepAlive: true, proxyEnv: env });
  });

  it('makes the EC2, KMS, SSM and IAM clients only once they are loaded; STS at once', async () => {
    const clients = createAccountClients({});
    expect(clients.sts('eu-west-1')).toBeDefined();
    expect(() => clients.ec2('eu-west-1')).toThrow(/before loadServiceClients\(\) resolved/);
    await loadServiceClients();
    expect(clients.ec2('eu-west-1')).toBeDefined();
  });

  it('caches one client per service and region, each in its own region', async () => {
    await loadServiceClients();
    const clients = createAccountClients({});
    expect(clients.ec2('eu-west-1')).toBe(clients.ec2('eu-west-1'));
    expect(clients.ec2('us-east-1')).not.toBe(clients.ec2('eu-west-1'));
    expect(await clients.kms('us-east-1').config.region()).toBe('us-east-1');
  });

  it('sends requests to AWS_ENDPOINT_URL_STS with the action in the user agent', async () => {
    const seen: { url?: string; agent?: string } = {};
    const server = createServer((request, response) => {
      seen.url = request.url;
      seen.agent = String(request.headers['user-agent'] ?? '') + ' ' + String(request.headers['x-amz-user-agent'] ?? '');
      response.setHeader('content-type', 'text/xml');
      response.end(
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
          '<Arn>arn:aws:iam::111111111111:user/ci</Arn><UserId>AIDA</UserId><Account>111111111111</Account>' +
          '</GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const clients = createAccountClients({ credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }) });
      const identity = await clients.sts('eu-west-1').send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe('111111111111');
      expect(seen.url).toBe('/');
      expect(seen.agent).toContain(`${ACTION_NAME}/${ACTION_VERSION}`);
    } finally {
      server.close();
    }
  });
});
