import * as core from '@actions/core';
import { PromotionError, errorMessage } from '../aws/errors.js';

// GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN only for jobs granted
// `permissions: id-token: write`, and never for workflows triggered from forks:
// https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#adding-permissions-settings
// A reusable workflow gets a token only when its caller grants id-token: write too:
// https://github.blog/changelog/2023-06-15-github-actions-securing-openid-connect-oidc-token-permissions-in-reusable-workflows/
const PERMISSIONS_BLOCK = 'permissions:\n  id-token: write\n  contents: read';

/** The job's GitHub OIDC token could not be had: the message is about the token and the job's permissions only. */
export class OidcTokenError extends PromotionError {
  constructor(audience: string, why: string, fix: string, cause?: unknown) {
    super({ what: `Getting the job's GitHub OIDC token (audience ${audience})`, why, fix, cause });
    this.name = 'OidcTokenError';
  }
}

const REQUEST_VARIABLES = ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'];

// Outside a GitHub Actions job (GITHUB_ACTIONS is "true" in every job: https://docs.github.com/en/actions/reference/variables-reference)
// there is no token at all: the roles can only be assumed from the credentials in the environment. Read from the
// environment because @actions/github's context has no field for it.
const OUTSIDE_ACTIONS_FIX =
  'Set the input role-chaining to true (INPUT_ROLE-CHAINING=true) to assume the roles with sts:AssumeRole from the AWS credentials ' +
  'in the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, or an instance profile).';

export class MissingOidcPermissionError extends OidcTokenError {
  constructor(audience: string, missing: string, inActionsJob = process.env.GITHUB_ACTIONS === 'true') {
    super(
      audience,
      inActionsJob
        ? `${missing} is not set: GitHub offers a token only to jobs granted the permission id-token: write.`
        : `${missing} is not set: this is not a GitHub Actions job, and only those get a GitHub OIDC token.`,
      inActionsJob
        ? `Add this to the job (or workflow) that uses the action:\n${PERMISSIONS_BLOCK}\nWorkflows triggered from forks never receive an OIDC token.`
        : OUTSIDE_ACTIONS_FIX,
    );
    this.name = 'MissingOidcPermissionError';
  }
}

/** The token endpoint's answer, from @actions/core's "Failed to get ID Token ... Error Code : 403 ... Error Message: ..." */
function endpointAnswer(error: unknown): { status?: number; detail: string } {
  const text = errorMessage(error);
  const status = /Error Code\s*:\s*(\d{3})/.exec(text)?.[1];
  const detail = (/Error Message:\s*([^\n]*)/.exec(text)?.[1] ?? text.replace(/^Error message:\s*/, '')).replace(/\s+/g, ' ').trim();
  return { status: status === undefined ? undefined : Number(status), detail };
}

function endpointFailure(audience: string, error: unknown, hadToken: boolean): OidcTokenError {
  const { status, detail } = endpointAnswer(error);
  const answer = status === undefined ? detail : `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  const why = `the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) gave no token (${answer}).`;
  if (hadToken) {
    return new OidcTokenError(
      audience,
      why,
      "The job has the permission id-token: write (it got a token earlier in this run), so GitHub's token service failed to issue a new one: re-run the job.",
      error,
    );
  }
  const transient = status === undefined || status >= 500;
  const permissions =
    `the job (or workflow) that uses the action has\n${PERMISSIONS_BLOCK}\n` +
    '(in a reusable workflow, the calling job needs id-token: write too) and is not triggered from a fork (those never receive an OIDC token).';
  return new OidcTokenError(
    audience,
    why,
    transient ? `GitHub's token service failed: re-run the job. If it keeps failing, check that ${permissions}` : `Check that ${permissions}`,
    error,
  );
}

/**
 * Asks for a token for the audience at once, for the first session to use: the main step's first request, made before
 * the rest of the step loads. Undefined when the job has no token to give (the session then says why).
 */
export function earlyToken(audience: string): Promise<string> | undefined {
  if (REQUEST_VARIABLES.some((name) => !process.env[name])) return undefined;
  return core.getIDToken(audience);
}

/**
 * Returns a function that mints a fresh OIDC token for the audience (the first call takes `first`, when asked for
 * already); the toolkit masks each token.
 */
export function oidcTokenSource(audience: string, first?: Promise<string>): () => Promise<string> {
  let hadToken = false;
  let early = first;
  return async () => {
    const missing = REQUEST_VARIABLES.find((name) => !process.env[name]);
    if (missing) throw new MissingOidcPermissionError(audience, missing);
    const asked = early ?? core.getIDToken(audience);
    early = undefined;
    try {
      const token = await asked;
      hadToken = true;
      return token;
    } catch (error) {
      throw endpointFailure(audience, error, hadToken);
    }
  };
}
