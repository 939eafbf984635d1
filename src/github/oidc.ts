import * as core from '@actions/core';

export class MissingOidcPermissionError extends Error {
  constructor() {
    super(
      'The GitHub OIDC token is not available: ACTIONS_ID_TOKEN_REQUEST_URL is not set. ' +
        'Add this to the job (or workflow) that uses the action:\n' +
        'permissions:\n  id-token: write\n  contents: read\n' +
        'Workflows triggered from forks never receive an OIDC token.',
    );
    this.name = 'MissingOidcPermissionError';
  }
}

/** Returns a function that mints a fresh OIDC token for the audience; the toolkit masks each token. */
export function oidcTokenSource(audience: string): () => Promise<string> {
  return async () => {
    if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL || !process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
      throw new MissingOidcPermissionError();
    }
    return core.getIDToken(audience);
  };
}
