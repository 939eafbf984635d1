import * as core from '@actions/core';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { RoleArn } from '../aws/arn.js';
import { createAccountClients, type AccountClients } from '../aws/clients.js';
import { chainedRoleCredentials } from '../aws/role-chaining.js';
import { webIdentityCredentials } from '../aws/web-identity.js';
import type { Side, TargetSpec } from '../domain/types.js';
import type { ActionInputs } from './inputs.js';
import { oidcTokenSource } from './oidc.js';

export interface Sessions {
  /** Clients with the credentials of the environment (the SDK's default chain). */
  environment: AccountClients;
  source: AccountClients;
  /** One per target account, in the order of the inputs; each session is renewed on its own. */
  targets: { spec: TargetSpec; clients: AccountClients }[];
}

function maskCredentials(credentials: AwsCredentialIdentity): void {
  core.setSecret(credentials.accessKeyId);
  core.setSecret(credentials.secretAccessKey);
  if (credentials.sessionToken) core.setSecret(credentials.sessionToken);
}

/**
 * Clients for every account; roles are assumed with the job's OIDC token, or with role-chaining from the credentials in
 * the environment, and renewed as needed.
 */
export function openSessions({ request, session }: ActionInputs, firstToken?: Promise<string>): Sessions {
  const environment = createAccountClients({});
  const sts = environment.sts(request.sourceRegion);
  const getToken = oidcTokenSource(session.audience, firstToken);
  const common = { sessionName: session.roleSessionName, durationSeconds: session.roleDurationSeconds, sts, onCredentials: maskCredentials };
  const assumed = (role: RoleArn, side: Side) =>
    createAccountClients({
      credentials: session.roleChaining
        ? chainedRoleCredentials({ role, side, ...common })
        : webIdentityCredentials({ role, side, ...common, getToken, audience: session.audience, repository: request.provenance.repository }),
    });
  return {
    environment,
    source: request.sourceRole ? assumed(request.sourceRole, 'source') : environment,
    targets: request.targets.map((spec) => ({ spec, clients: assumed(spec.role, 'target') })),
  };
}
