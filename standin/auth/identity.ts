/** Who is calling: the SigV4 credential scope, and the access key mapped to an account and principal. */
import { assumedRoleArn, organizationId, roleArn, userArn } from '../arns.js';
import type { PolicyDocument } from '../policy-types.js';
import type { WorldState } from '../state.js';

export interface NamedPolicy {
  name: string;
  policy: PolicyDocument;
}

export interface Caller {
  accountId: string;
  /** The request principal: the user ARN, or the assumed-role session ARN. */
  arn: string;
  /** aws:PrincipalArn: the user ARN, or the role ARN for a session. */
  principalArn: string;
  userId: string;
  kind: 'user' | 'assumed-role';
  /** User or role name. */
  name: string;
  sessionName?: string;
  accessKeyId: string;
  policies: NamedPolicy[];
  expiresAt?: number;
  /** The organization of the caller's account, when it belongs to one: its id and the account's path in it. */
  organization?: { id: string; path: string };
}

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

/** The credential scope of `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...`. */
export function parseAuthorization(header: string | undefined): CredentialScope | undefined {
  const match = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(header ?? '');
  if (!match) return undefined;
  const [, accessKeyId = '', date = '', region = '', service = ''] = match;
  return { accessKeyId, date, region, service };
}

export type CallerResolution = { caller: Caller } | { problem: 'unknown' | 'expired' };

function organizationOf(state: WorldState, accountId: string): Caller['organization'] {
  const account = state.account(accountId);
  if (!account?.organizationArn) return undefined;
  return { id: organizationId(account.organizationArn), path: account.organizationPath ?? `${organizationId(account.organizationArn)}/` };
}

/** Maps an access key (and the session token sent with it) to the calling identity. */
export function resolveCaller(state: WorldState, accessKeyId: string, sessionToken: string | undefined): CallerResolution {
  const staticKey = state.staticKeys.get(accessKeyId);
  if (staticKey) {
    const user = state.account(staticKey.accountId)?.users.get(staticKey.userName);
    if (!user || !user.accessKeys.some((k) => k.accessKeyId === accessKeyId)) return { problem: 'unknown' };
    return {
      caller: {
        accountId: staticKey.accountId,
        arn: userArn(staticKey.accountId, user.name),
        principalArn: userArn(staticKey.accountId, user.name),
        userId: user.userId,
        kind: 'user',
        name: user.name,
        accessKeyId,
        policies: Object.entries(user.policies).map(([name, policy]) => ({ name, policy })),
        organization: organizationOf(state, staticKey.accountId),
      },
    };
  }
  const session = state.sessions.get(accessKeyId);
  if (!session || session.sessionToken !== sessionToken) return { problem: 'unknown' };
  if (state.now() >= session.expiresAt) return { problem: 'expired' };
  const role = state.account(session.accountId)?.roles.get(session.roleName);
  if (!role) return { problem: 'unknown' };
  return {
    caller: {
      accountId: session.accountId,
      arn: assumedRoleArn(session.accountId, role.name, session.sessionName),
      principalArn: roleArn(session.accountId, role.name),
      userId: `${role.roleId}:${session.sessionName}`,
      kind: 'assumed-role',
      name: role.name,
      sessionName: session.sessionName,
      accessKeyId,
      policies: Object.entries(role.policies).map(([name, policy]) => ({ name, policy })),
      expiresAt: session.expiresAt,
      organization: organizationOf(state, session.accountId),
    },
  };
}

/** Whether a principal named in a grant or policy (user/role ARN) is this caller. */
export function principalMatches(principal: string, caller: Caller): boolean {
  return principal === caller.principalArn || principal === caller.arn;
}
