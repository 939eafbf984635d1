import type { Credentials } from '@aws-sdk/client-sts';
import { EXPIRATION_MS, memoizeIdentityProvider } from '@smithy/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { RoleArn } from './arn.js';
import { PromotionError, type Side } from './errors.js';

export interface RenewingOptions {
  role: RoleArn;
  side: Side;
  /** One AssumeRole* call; its errors are explained by the caller. */
  assume: () => Promise<Credentials | undefined>;
  /** Called with every new set of credentials, before anything can log them. */
  onCredentials?: (credentials: AwsCredentialIdentity) => void;
  now?: () => number;
}

interface Issued {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
}

function complete(issued: Credentials | undefined, options: RenewingOptions): Issued {
  if (!issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken || !issued.Expiration) {
    throw new PromotionError({
      what: `Assuming ${options.role.arn}`,
      side: options.side,
      accountId: options.role.accountId,
      why: 'STS answered without complete credentials.',
      fix: 'Re-run the job; if it persists, check the STS endpoint settings (AWS_ENDPOINT_URL_STS).',
    });
  }
  return { AccessKeyId: issued.AccessKeyId, SecretAccessKey: issued.SecretAccessKey, SessionToken: issued.SessionToken, Expiration: issued.Expiration };
}

/**
 * Credentials of one assumed role, shared by all clients of its account and renewed by assuming the role again before
 * they expire, so that long waits outlive a single session.
 */
export function renewingCredentials(options: RenewingOptions): AwsCredentialIdentityProvider {
  const now = options.now ?? Date.now;
  const lifetimes = new WeakMap<object, number>();

  const assume = async (): Promise<AwsCredentialIdentity> => {
    const issued = complete(await options.assume(), options);
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

/** STS's answer to a DurationSeconds above what the role allows, as a reason and a fix; undefined for other errors. */
export function durationProblem(message: string, role: RoleArn): { why: string; fix: string } | undefined {
  if (!/DurationSeconds/i.test(message)) return undefined;
  // A session assumed from another role's session ("role chaining") lasts at most one hour, whatever the role's
  // maximum: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
  if (/chain/i.test(message)) {
    return {
      why: `the credentials in the environment are a role session, and AWS limits a role assumed from another role's session (role chaining) to one hour (${message}).`,
      fix: 'Set role-duration-seconds to 3600 or less (the default is 3600): the action assumes the role again before each session ends.',
    };
  }
  return {
    why: `the requested session lasts longer than the role allows (${message}).`,
    fix: `Lower role-duration-seconds to at most the role's MaxSessionDuration, or raise that maximum on ${role.arn}.`,
  };
}
