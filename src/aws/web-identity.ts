import { AssumeRoleWithWebIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { EXPIRATION_MS, memoizeIdentityProvider } from '@smithy/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { classify } from './classify.js';
import { PromotionError, errorMessage, errorName, type Side } from './errors.js';
import { explainAwsError, type CallSite } from './explain.js';
import type { RoleArn } from './arn.js';
import { DEFAULT_SUBJECT, GITHUB_OIDC_HOST, githubOidcTrustStatement, githubSubject, tokenSubject } from './trust-policy.js';

export interface WebIdentityOptions {
  role: RoleArn;
  side: Side;
  sessionName: string;
  durationSeconds: number;
  /**
   * Mints a fresh OIDC token; called for every (re-)assumption. Its errors pass through unchanged: a token
   * that could not be had says nothing about the role or its trust policy.
   */
  getToken: () => Promise<string>;
  /** The audience the tokens are minted for (the `audience` input), used in the trust-policy fix. */
  audience: string;
  sts: STSClient;
  /** Called with every new set of credentials, before anything can log them. */
  onCredentials?: (credentials: AwsCredentialIdentity) => void;
  /** Repository the OIDC token is for, used in the trust-policy fix. */
  repository?: string;
  now?: () => number;
}

/** The statement to add names the job's own `sub` claim, read from its token (the default subject when unreadable). */
function trustPolicyFix(options: WebIdentityOptions, token: string): string {
  const subject = tokenSubject(token) ?? githubSubject(options.repository, DEFAULT_SUBJECT);
  const statement = githubOidcTrustStatement(options.role.partition, options.role.accountId, options.audience, subject);
  return (
    `Make sure account ${options.role.accountId} has the IAM OIDC provider ${GITHUB_OIDC_HOST} with the audience ${options.audience}, ` +
    `and that the role ${options.role.arn} exists and its trust policy contains:\n${JSON.stringify(statement, null, 2)}`
  );
}

// STS's answers to a web identity token it cannot validate or whose claims the provider rejects (ExpiredTokenException,
// "expired or not valid: get a new token and retry", is classified as expired):
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
const TOKEN_REJECTED = new Set(['InvalidIdentityTokenException', 'IDPRejectedClaimException']);

/** AssumeRoleWithWebIdentity's own answers (token, trust policy, session length); the rest as for any AWS call. */
function explainAssumeFailure(error: unknown, options: WebIdentityOptions, token: string): PromotionError {
  const name = errorName(error);
  const site: CallSite = {
    what: `Assuming ${options.role.arn} with the GitHub OIDC token`,
    side: options.side,
    accountId: options.role.accountId,
    action: 'sts:AssumeRoleWithWebIdentity',
  };
  const explained = (why: string, fix: string) =>
    new PromotionError({ what: site.what, side: site.side, accountId: site.accountId, why, fix, cause: error });
  if (TOKEN_REJECTED.has(name)) {
    const why = `STS rejected the token (${name}: ${errorMessage(error)}). The OIDC provider is missing, or its audience list does not include ${options.audience}.`;
    return explained(why, trustPolicyFix(options, token));
  }
  const kind = classify(error);
  if (kind === 'denied') {
    return explained(`the role does not exist, or its trust policy does not let this workflow assume it (${errorMessage(error)}).`, trustPolicyFix(options, token));
  }
  if (kind === 'expired') {
    return explained(`STS found the job's OIDC token expired or not valid (${name}: ${errorMessage(error)}).`, 'Re-run the job: the action gets a fresh token for every session.');
  }
  if (name === 'ValidationError' && /DurationSeconds/i.test(errorMessage(error))) {
    return explained(
      `the requested session lasts longer than the role allows (${errorMessage(error)}).`,
      `Lower role-duration-seconds to at most the role's MaxSessionDuration, or raise that maximum on ${options.role.arn}.`,
    );
  }
  return explainAwsError(error, site);
}

/**
 * Credentials from AssumeRoleWithWebIdentity, shared by all clients of one account and renewed with a
 * fresh OIDC token before they expire, so long waits outlive a single session.
 */
export function webIdentityCredentials(options: WebIdentityOptions): AwsCredentialIdentityProvider {
  const now = options.now ?? Date.now;
  const lifetimes = new WeakMap<object, number>();

  const assume = async (): Promise<AwsCredentialIdentity> => {
    const token = await options.getToken();
    let response;
    try {
      response = await options.sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: options.role.arn,
          RoleSessionName: options.sessionName,
          WebIdentityToken: token,
          DurationSeconds: options.durationSeconds,
        }),
      );
    } catch (error) {
      throw explainAssumeFailure(error, options, token);
    }
    const issued = response.Credentials;
    if (!issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken || !issued.Expiration) {
      throw new PromotionError({
        what: `Assuming ${options.role.arn}`,
        side: options.side,
        accountId: options.role.accountId,
        why: 'STS answered without complete credentials.',
        fix: 'Re-run the job; if it persists, check the STS endpoint settings (AWS_ENDPOINT_URL_STS).',
      });
    }
    const credentials: AwsCredentialIdentity = {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      sessionToken: issued.SessionToken,
      expiration: issued.Expiration,
    };
    options.onCredentials?.(credentials);
    lifetimes.set(credentials, issued.Expiration.getTime() - now());
    return credentials;
  };

  // Renew when less than a quarter of the lifetime (at most the SDK's five minutes) is left.
  const isExpired = (identity: { expiration?: Date }) => {
    if (!identity.expiration) return false;
    const lifetime = lifetimes.get(identity) ?? EXPIRATION_MS * 4;
    return identity.expiration.getTime() - now() <= Math.min(EXPIRATION_MS, lifetime / 4);
  };
  const requiresRefresh = (identity: { expiration?: Date }) => identity.expiration !== undefined;
  const memoized = memoizeIdentityProvider(assume, isExpired, requiresRefresh);
  if (!memoized) throw new Error('memoizeIdentityProvider returned no provider');
  return memoized;
}
