/** The issuer of GitHub Actions' OIDC tokens, also the name of its IAM identity provider. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The trust-policy statement that lets workflows of `repository` (OWNER/REPO when unknown) assume a role of the account. */
export function githubOidcTrustStatement(partition: string, accountId: string, audience: string, repository: string | undefined) {
  return {
    Effect: 'Allow' as const,
    Principal: { Federated: `arn:${partition}:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: audience },
      StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: `repo:${repository ?? 'OWNER/REPO'}:*` },
    },
  };
}

/** The trust-policy statement that lets `principalArn` (a role or user, of any account) assume a role with sts:AssumeRole. */
export function assumeRoleTrustStatement(principalArn: string) {
  return { Effect: 'Allow' as const, Principal: { AWS: principalArn }, Action: 'sts:AssumeRole' };
}
