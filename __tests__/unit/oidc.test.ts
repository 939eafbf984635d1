import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MissingOidcPermissionError, oidcTokenSource } from '../../src/github/oidc.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  jest.restoreAllMocks();
});

describe('oidcTokenSource', () => {
  it('tells the user to add permissions: id-token: write when the runner offers no token', async () => {
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    const error = await oidcTokenSource('sts.amazonaws.com')().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingOidcPermissionError);
    expect((error as Error).message).toContain('id-token: write');
  });

  it('mints a new token for the audience on every call and masks it', async () => {
    const audiences: string[] = [];
    let count = 0;
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      audiences.push(`${url.searchParams.get('audience')} ${request.headers.authorization}`);
      count += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ value: `header.payload${count}.signature` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
      process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'request-token';
      const next = oidcTokenSource('sts.amazonaws.com');
      expect(await next()).toBe('header.payload1.signature');
      expect(await next()).toBe('header.payload2.signature');
    } finally {
      server.close();
    }
    expect(audiences).toEqual(['sts.amazonaws.com Bearer request-token', 'sts.amazonaws.com Bearer request-token']);
    expect(written.join('')).toContain('::add-mask::header.payload1.signature');
  });
});
