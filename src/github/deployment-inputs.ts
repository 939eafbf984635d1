import * as core from '@actions/core';

/** Where the promotion is recorded as a GitHub deployment, and the token that records it. */
export interface DeploymentSettings {
  environment: string;
  token: string;
}

/**
 * deployment-environment and github-token; undefined when no environment is named (nothing is recorded) or there is
 * no token (a warning: recording never stops a promotion). The token is masked before anything can print it.
 */
export function readDeploymentSettings(): DeploymentSettings | undefined {
  const environment = core.getInput('deployment-environment');
  if (environment === '') return undefined;
  const token = core.getInput('github-token');
  if (token === '') {
    core.warning(
      `github-token is empty, so the promotion is not recorded in environment "${environment}". ` +
        "Leave github-token at its default (the job's token) or pass a token with deployments: write.",
    );
    return undefined;
  }
  core.setSecret(token);
  return { environment, token };
}
