import * as core from '@actions/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
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
  /** Assumes every role now, in parallel (each session is renewed later on its own); fails with the first explained failure. */
  assumeRoles(): Promise<void>;
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
export function openSessions({ request, session }: ActionInputs): Sessions {
  const environment = createAccountClients({});
  const sts = environment.sts(request.sourceRegion);
  const getToken = oidcTokenSource(session.audience);
  const common = { sessionName: session.roleSessionName, durationSeconds: session.roleDurationSeconds, sts, onCredentials: maskCredentials };
  const providers: AwsCredentialIdentityProvider[] = [];
  const assumed = (role: RoleArn, side: Side) => {
    const credentials = session.roleChaining
      ? chainedRoleCredentials({ role, side, ...common })
      : webIdentityCredentials({ role, side, ...common, getToken, audience: session.audience, repository: request.provenance.repository });
    providers.push(credentials);
    return createAccountClients({ credentials });
  };
  return {
    environment,
    source: request.sourceRole ? assumed(request.sourceRole, 'source') : environment,
    targets: request.targets.map((spec) => ({ spec, clients: assumed(spec.role, 'target') })),
    assumeRoles: async () => {
      await Promise.all(providers.map((provider) => provider()));
    },
  };
}
