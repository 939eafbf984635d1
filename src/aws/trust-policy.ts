import { accountRootArn } from './arn.js';

/** The issuer of GitHub Actions' OIDC tokens, also the name of its IAM identity provider. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/**
 * Which jobs of the repository may assume a role: those of one GitHub environment, or, for jobs without an environment,
 * one branch. The token's `sub` claim is `repo:OWNER/REPO:environment:NAME` for a job that references an environment,
 * and `repo:OWNER/REPO:ref:refs/heads/BRANCH` for one that does not:
 * https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims
 */
export type OidcSubject = { environment: string } | { branch: string };

/**
 * The jobs a generated trust policy accepts when nothing names them: those of the environment `production`. A run
 * cannot tell its own environment (only its OIDC token's `sub` claim says it), so the default is the usual name.
 */
export const DEFAULT_SUBJECT: OidcSubject = { environment: 'production' };

/** The `sub` claim of the jobs `subject` names, in the repository (OWNER/REPO when unknown). */
export function githubSubject(repository: string | undefined, subject: OidcSubject): string {
  const repo = `repo:${repository ?? 'OWNER/REPO'}`;
  return 'environment' in subject ? `${repo}:environment:${subject.environment}` : `${repo}:ref:refs/heads/${subject.branch}`;
}

/** The `sub` claim of a GitHub OIDC token (a JWT), or undefined when it cannot be read; the token is not verified. */
export function tokenSubject(token: string): string | undefined {
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const sub = (claims as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The trust-policy statement that lets the jobs whose token has the `sub` claim `subject` assume a role of the account.
 * Both claims are matched exactly, as IAM recommends for roles that trust GitHub's identity provider:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
 */
export function githubOidcTrustStatement(partition: string, accountId: string, audience: string, subject: string) {
  return {
    Effect: 'Allow' as const,
    Principal: { Federated: `arn:${partition}:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: audience, [`${GITHUB_OIDC_HOST}:sub`]: subject } },
  };
}

/**
 * The trust-policy statement that lets `principalArn` (a role or user, of any account, or an account's root, which
 * delegates to the principals its IAM policies allow) assume a role with sts:AssumeRole. The action passes no session
 * tags, so no sts:TagSession: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
 */
export function assumeRoleTrustStatement(principalArn: string) {
  return { Effect: 'Allow' as const, Principal: { AWS: principalArn }, Action: 'sts:AssumeRole' };
}

/** The principal a role-chaining trust names: that of the environment's credentials, else the source account. */
export function chainingPrincipal(partition: string, sourceAccountId: string, principalArn: string | undefined): string {
  return principalArn ?? accountRootArn(partition, sourceAccountId);
}
