import { AssumeRoleWithWebIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { EXPIRATION_MS, memoizeIdentityProvider } from '@smithy/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { PromotionError, errorMessage, errorName, type Side } from './errors.js';
import type { RoleArn } from './arn.js';
import { GITHUB_OIDC_HOST, githubOidcTrustStatement } from './trust-policy.js';

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

function trustPolicyFix(options: WebIdentityOptions): string {
  const statement = githubOidcTrustStatement(options.role.partition, options.role.accountId, options.audience, options.repository);
  return (
    `Make sure account ${options.role.accountId} has the IAM OIDC provider ${GITHUB_OIDC_HOST} with the audience ${options.audience}, ` +
    `and that the role ${options.role.arn} exists and its trust policy contains:\n${JSON.stringify(statement, null, 2)}`
  );
}

function explainAssumeFailure(error: unknown, options: WebIdentityOptions): PromotionError {
  const name = errorName(error);
  const what = `Assuming ${options.role.arn} with the GitHub OIDC token`;
  const base = { what, side: options.side, accountId: options.role.accountId, cause: error };
  if (name === 'InvalidIdentityTokenException' || name === 'IDPRejectedClaimException') {
    return new PromotionError({
      ...base,
      why: `STS rejected the token (${name}: ${errorMessage(error)}). The OIDC provider is missing, or its audience list does not include ${options.audience}.`,
      fix: trustPolicyFix(options),
    });
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return new PromotionError({
      ...base,
      why: `the role does not exist, or its trust policy does not let this workflow assume it (${errorMessage(error)}).`,
      fix: trustPolicyFix(options),
    });
  }
  if (/^(Throttling|ThrottlingException|RequestLimitExceeded|TooManyRequestsException)$/.test(name)) {
    return new PromotionError({
      ...base,
      why: `STS kept throttling the requests after every retry (${name}).`,
      fix: 'Re-run the job when the account is less busy, or raise AWS_MAX_ATTEMPTS in the job environment.',
    });
  }
  if (name === 'ValidationError' && /DurationSeconds/i.test(errorMessage(error))) {
    return new PromotionError({
      ...base,
      why: `the requested session lasts longer than the role allows (${errorMessage(error)}).`,
      fix: `Lower role-duration-seconds to at most the role's MaxSessionDuration, or raise that maximum on ${options.role.arn}.`,
    });
  }
  return new PromotionError({
    ...base,
    why: `${name || 'error'}: ${errorMessage(error)}`,
    fix: 'See the STS message above; re-run the job if the error was transient.',
  });
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
      throw explainAssumeFailure(error, options);
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
