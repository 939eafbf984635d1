import { AssumeRoleWithWebIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { classify } from './classify.js';
import { PromotionError, errorMessage, errorName, type Side } from './errors.js';
import { durationProblem, renewingCredentials } from './session-credentials.js';
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
  const duration = name === 'ValidationError' ? durationProblem(errorMessage(error), options.role) : undefined;
  if (duration) return explained(duration.why, duration.fix);
  return explainAwsError(error, site);
}

/**
 * Credentials from AssumeRoleWithWebIdentity, shared by all clients of one account and renewed with a
 * fresh OIDC token before they expire, so long waits outlive a single session.
 */
export function webIdentityCredentials(options: WebIdentityOptions): AwsCredentialIdentityProvider {
  const assume = async () => {
    const token = await options.getToken();
    try {
      const response = await options.sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: options.role.arn,
          RoleSessionName: options.sessionName,
          WebIdentityToken: token,
          DurationSeconds: options.durationSeconds,
        }),
      );
      return response.Credentials;
    } catch (error) {
      throw explainAssumeFailure(error, options, token);
    }
  };
  return renewingCredentials({ role: options.role, side: options.side, assume, onCredentials: options.onCredentials, now: options.now });
}
