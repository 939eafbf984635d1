/**
 * A GitHub Actions OIDC issuer: an RSA key pair, RS256 JWTs with GitHub's claims, verification against
 * its own JWKS (what STS does), and the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL).
 */
import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { GITHUB_OIDC_ISSUER } from './policy-types.js';

export interface OidcOptions {
  /** owner/repo; default acme/images. */
  repository?: string;
  /** Default refs/heads/main. */
  ref?: string;
  /** With an environment the subject is repo:R:environment:E. */
  environment?: string;
  /** Overrides the computed subject. */
  subject?: string;
  /** Token lifetime; default 300 s. */
  tokenLifetimeSeconds?: number;
  extraClaims?: Record<string, unknown>;
  /**
   * When set, the runner's token endpoint answers every token request with this HTTP status (e.g. 403, 500) and no
   * token. What GitHub's endpoint answers when it fails is undocumented; tests pick the status.
   */
  tokenEndpointStatus?: number;
}

export interface TokenClaims {
  sub?: string;
  aud?: string | string[];
  repository?: string;
  ref?: string;
  environment?: string;
  iss?: string;
  /** Seconds since the epoch; defaults to now + lifetime. */
  exp?: number;
  iat?: number;
  nbf?: number;
  [claim: string]: unknown;
}

export interface IssueOptions {
  lifetimeSeconds?: number;
  /** Sign with a key the issuer's JWKS does not contain. */
  untrusted?: boolean;
}

export type VerifyResult =
  | { ok: true; header: Record<string, unknown>; payload: Record<string, unknown> }
  | { ok: false; reason: 'malformed' | 'signature' };

interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}

let trustedPair: KeyPair | undefined;
let untrustedPair: KeyPair | undefined;

/** Key pairs are made once per process: RSA generation is the slow part of starting a stand-in. */
function keyPair(untrusted: boolean): KeyPair {
  const make = (): KeyPair => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { privateKey, publicKey, kid: randomBytes(8).toString('hex').toUpperCase() };
  };
  if (untrusted) return (untrustedPair ??= make());
  return (trustedPair ??= make());
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class OidcIssuer {
  readonly issuer = GITHUB_OIDC_ISSUER;
  /** The bearer token the runner endpoint accepts (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  readonly requestToken = randomBytes(24).toString('base64url');
  /** Every audience requested from the runner endpoint, in order. */
  readonly requestedAudiences: string[] = [];
  /** Every token issued (runner endpoint and issueToken), in order: for tests that look for leaked tokens. */
  readonly issuedTokens: string[] = [];
  private options: OidcOptions;

  constructor(
    options: OidcOptions,
    private readonly nowMs: () => number,
  ) {
    this.options = { ...options };
  }

  configure(options: OidcOptions): void {
    this.options = { ...this.options, ...options };
  }

  /** The refusal the token endpoint answers with instead of a token, when tokenEndpointStatus is set. */
  tokenEndpointRefusal(): { status: number; message: string } | undefined {
    const status = this.options.tokenEndpointStatus;
    return status === undefined ? undefined : { status, message: `stand-in: the token endpoint is set to fail with ${status}` };
  }

  /** The subject GitHub would put in the token for the configured repository/ref/environment. */
  subject(): string {
    const o = this.options;
    if (o.subject) return o.subject;
    const repository = o.repository ?? 'acme/images';
    return o.environment ? `repo:${repository}:environment:${o.environment}` : `repo:${repository}:ref:${o.ref ?? 'refs/heads/main'}`;
  }

  /** A signed token with GitHub's claims; `claims` override any of them. */
  issueToken(claims: TokenClaims = {}, options: IssueOptions = {}): string {
    const now = Math.floor(this.nowMs() / 1000);
    const repository = claims.repository ?? this.options.repository ?? 'acme/images';
    const owner = repository.split('/')[0] ?? 'acme';
    const lifetime = options.lifetimeSeconds ?? this.options.tokenLifetimeSeconds ?? 300;
    const payload: Record<string, unknown> = {
      jti: randomUUID(),
      sub: this.subject(),
      aud: `https://github.com/${owner}`,
      ref: this.options.ref ?? 'refs/heads/main',
      sha: 'd6a1e0c4f2b3a5978e6d4c3b2a1908f7e6d5c4b3',
      repository,
      repository_owner: owner,
      run_id: '1234567890',
      run_number: '42',
      run_attempt: '1',
      actor: 'octocat',
      workflow: 'release-ami',
      event_name: 'workflow_dispatch',
      ref_type: 'branch',
      job_workflow_ref: `${repository}/.github/workflows/release-ami.yml@${this.options.ref ?? 'refs/heads/main'}`,
      ...(this.options.environment ? { environment: this.options.environment } : {}),
      ...this.options.extraClaims,
      iss: this.issuer,
      nbf: now - 5,
      iat: now,
      exp: now + lifetime,
      ...claims,
    };
    const pair = keyPair(options.untrusted ?? false);
    const signingInput = `${b64({ alg: 'RS256', typ: 'JWT', kid: pair.kid, x5t: pair.kid })}.${b64(payload)}`;
    const token = `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), pair.privateKey).toString('base64url')}`;
    this.issuedTokens.push(token);
    return token;
  }

  /** Checks structure and RS256 signature against the issuer's own key (not expiry: STS does that). */
  verify(token: string): VerifyResult {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'malformed' };
    const [h = '', p = '', s = ''] = parts;
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
      payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (header.alg !== 'RS256' || typeof payload !== 'object' || payload === null) return { ok: false, reason: 'malformed' };
    const pair = keyPair(false);
    const good = header.kid === pair.kid && verify('RSA-SHA256', Buffer.from(`${h}.${p}`), pair.publicKey, Buffer.from(s, 'base64url'));
    return good ? { ok: true, header, payload } : { ok: false, reason: 'signature' };
  }

  /** The issuer's JSON Web Key Set. */
  jwks(): { keys: object[] } {
    const pair = keyPair(false);
    const jwk = createPublicKey(pair.publicKey).export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid: pair.kid, alg: 'RS256', use: 'sig' }] };
  }
}
