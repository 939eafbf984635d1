import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PromotionError } from '../../../src/aws/errors.js';
import { MissingOidcPermissionError, OidcTokenError, oidcTokenSource } from '../../../src/github/oidc.js';

const saved = { ...process.env, GITHUB_ACTIONS: 'true' };
beforeEach(() => {
  process.env = { ...saved };
});
afterEach(() => {
  process.env = { ...saved };
  jest.restoreAllMocks();
});

/** A runner token endpoint answering each request with the next status (200: a token); ACTIONS_ID_TOKEN_REQUEST_* point at it. */
async function tokenEndpoint(statuses: number[], seen: (request: IncomingMessage) => void = () => {}) {
  let count = 0;
  const server = createServer((request, response) => {
    seen(request);
    const status = statuses[count] ?? 200;
    count += 1;
    response.statusCode = status;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(status === 200 ? { value: `header.payload${count}.signature` } : { message: `refused with ${status}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'request-token';
  return { close: () => server.close() };
}

/** Keeps the toolkit's workflow commands (::add-mask::, ::debug::) out of the test output, and returns them. */
function captureStdout(): string[] {
  const written: string[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return written;
}

async function failure(next: () => Promise<string>): Promise<OidcTokenError> {
  const error = await next().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OidcTokenError);
  expect(error).toBeInstanceOf(PromotionError);
  return error as OidcTokenError;
}

/** A message about the token never blames the roles, their trust policies or any other input. */
function expectOnlyAboutTheToken(message: string): void {
  expect(message).toContain("Getting the job's GitHub OIDC token (audience sts.amazonaws.com) failed");
  expect(message).not.toMatch(/role|trust|configure-aws-credentials|kms|region/i);
}

describe('oidcTokenSource', () => {
  it('tells the user to add permissions: id-token: write when the runner offers no token', async () => {
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    const error = await failure(oidcTokenSource('sts.amazonaws.com'));
    expect(error).toBeInstanceOf(MissingOidcPermissionError);
    expect(error.message).toContain('ACTIONS_ID_TOKEN_REQUEST_URL is not set');
    expect(error.message).toContain('Fix: Add this to the job (or workflow) that uses the action:\npermissions:\n  id-token: write\n  contents: read');
    expectOnlyAboutTheToken(error.message);
  });

  it('outside a GitHub Actions job, where no token exists, points to role-chaining instead', async () => {
    delete process.env.GITHUB_ACTIONS;
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const error = await failure(oidcTokenSource('sts.amazonaws.com'));
    expect(error.details.why).toBe('ACTIONS_ID_TOKEN_REQUEST_URL is not set: this is not a GitHub Actions job, and only those get a GitHub OIDC token.');
    expect(error.details.fix).toMatch(/^Set the input role-chaining to true \(INPUT_ROLE-CHAINING=true\)/);
    expect(error.message).not.toContain('id-token: write');
  });

  it('names the request token variable when only that one is missing', async () => {
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = 'http://127.0.0.1:9/token?api-version=2.0';
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    const error = await failure(oidcTokenSource('sts.amazonaws.com'));
    expect(error.message).toContain('ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set');
    expect(error.message).toContain('id-token: write');
  });

  it('mints a new token for the audience on every call and masks it', async () => {
    const audiences: string[] = [];
    const endpoint = await tokenEndpoint([], (request) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      audiences.push(`${url.searchParams.get('audience')} ${request.headers.authorization}`);
    });
    const written = captureStdout();
    try {
      const next = oidcTokenSource('sts.amazonaws.com');
      expect(await next()).toBe('header.payload1.signature');
      expect(await next()).toBe('header.payload2.signature');
    } finally {
      endpoint.close();
    }
    expect(audiences).toEqual(['sts.amazonaws.com Bearer request-token', 'sts.amazonaws.com Bearer request-token']);
    expect(written.join('')).toContain('::add-mask::header.payload1.signature');
  });

  it('reports a refusal of the token endpoint with its status and the permission to check', async () => {
    const endpoint = await tokenEndpoint([403]);
    captureStdout();
    try {
      const error = await failure(oidcTokenSource('sts.amazonaws.com'));
      expect(error.details.why).toBe("the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) gave no token (HTTP 403: refused with 403).");
      expect(error.details.fix).toMatch(/^Check that the job \(or workflow\) that uses the action has\npermissions:\n {2}id-token: write/);
      expect(error.details.fix).toContain('(in a reusable workflow, the calling job needs id-token: write too)');
      expectOnlyAboutTheToken(error.message);
    } finally {
      endpoint.close();
    }
  });

  it('reports a failing token service as transient, still naming the permission', async () => {
    const endpoint = await tokenEndpoint([500]);
    captureStdout();
    try {
      const error = await failure(oidcTokenSource('sts.amazonaws.com'));
      expect(error.details.why).toContain('(HTTP 500: refused with 500)');
      expect(error.details.fix).toMatch(/^GitHub's token service failed: re-run the job\. If it keeps failing, check that .*\npermissions:\n {2}id-token: write/s);
      expectOnlyAboutTheToken(error.message);
    } finally {
      endpoint.close();
    }
  });

  it('does not ask for the permission again when a renewal fails after a token was issued', async () => {
    const endpoint = await tokenEndpoint([200, 403]);
    captureStdout();
    try {
      const next = oidcTokenSource('sts.amazonaws.com');
      await next();
      const error = await failure(next);
      expect(error.details.why).toContain('(HTTP 403: refused with 403)');
      expect(error.details.fix).toBe(
        "The job has the permission id-token: write (it got a token earlier in this run), so GitHub's token service failed to issue a new one: re-run the job.",
      );
      expect(error.details.fix).not.toContain('Add this');
      expectOnlyAboutTheToken(error.message);
    } finally {
      endpoint.close();
    }
  });
});
