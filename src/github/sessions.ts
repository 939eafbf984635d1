import * as core from '@actions/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { RoleArn } from '../aws/arn.js';
import { createAccountClients, type AccountClients } from '../aws/clients.js';
import { webIdentityCredentials } from '../aws/web-identity.js';
import type { Side, TargetSpec } from '../domain/types.js';
import type { ActionInputs } from './inputs.js';
import { oidcTokenSource } from './oidc.js';

export interface Sessions {
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

/** Clients for every account; roles are assumed with the job's OIDC token and renewed as needed. */
export function openSessions({ request, session }: ActionInputs): Sessions {
  const getToken = oidcTokenSource(session.audience);
  const unsigned = createAccountClients({});
  const providers: AwsCredentialIdentityProvider[] = [];
  const assumed = (role: RoleArn, side: Side) => {
    const credentials = webIdentityCredentials({
      role,
      side,
      sessionName: session.roleSessionName,
      durationSeconds: session.roleDurationSeconds,
      getToken,
      audience: session.audience,
      sts: unsigned.sts(request.sourceRegion),
      onCredentials: maskCredentials,
      repository: request.provenance.repository,
    });
    providers.push(credentials);
    return createAccountClients({ credentials });
  };
  return {
    source: request.sourceRole ? assumed(request.sourceRole, 'source') : unsigned,
    targets: request.targets.map((spec) => ({ spec, clients: assumed(spec.role, 'target') })),
    assumeRoles: async () => {
      await Promise.all(providers.map((provider) => provider()));
    },
  };
}
