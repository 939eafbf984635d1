/** STS: AssumeRoleWithWebIdentity with GitHub OIDC tokens, AssumeRole (role chaining), GetCallerIdentity, DecodeAuthorizationMessage. */
import type {
  AssumeRoleRequest,
  AssumeRoleResponse,
  AssumeRoleWithWebIdentityRequest,
  AssumeRoleWithWebIdentityResponse,
  DecodeAuthorizationMessageRequest,
  DecodeAuthorizationMessageResponse,
  GetCallerIdentityResponse,
} from '@aws-sdk/client-sts';
import { randomBytes } from 'node:crypto';
import { authorizeApi, principalContext } from '../auth/access.js';
import { decodeAuthorizationMessage } from '../auth/authorization-message.js';
import { evaluate, evaluateTrust } from '../auth/policies.js';
import { assumedRoleArn, parseArn } from '../arns.js';
import type { RoleState } from '../state.js';
import { awsError } from '../errors.js';
import { randomAccessKeyId } from '../world.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';

const CHAINED_SESSION_MAX_SECONDS = 3600;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** RoleArn, RoleSessionName and DurationSeconds of an AssumeRole* request, validated, and the role they name if it exists. */
function assumeRequest(ctx: CallContext, input: { RoleArn?: string; RoleSessionName?: string; DurationSeconds?: number }) {
  const roleArnInput = required(input.RoleArn, 'RoleArn', 'ValidationError');
  const sessionName = required(input.RoleSessionName, 'RoleSessionName', 'ValidationError');
  if (!SESSION_NAME.test(sessionName)) {
    throw awsError(
      'ValidationError',
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const duration = input.DurationSeconds ?? 3600;
  if (duration < 900 || duration > 43200) {
    throw awsError(
      'ValidationError',
      `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
    );
  }
  const arn = parseArn(roleArnInput);
  const roleName = arn?.resource.startsWith('role/') ? arn.resource.split('/').pop() : undefined;
  const account = arn ? ctx.state.account(arn.account) : undefined;
  const role = roleName ? account?.roles.get(roleName) : undefined;
  return { roleArnInput, sessionName, duration, account, role };
}

/** Records a new session of the role and answers its Credentials and AssumedRoleUser. */
function issueSession(ctx: CallContext, issued: { accountId: string; role: RoleState; sessionName: string; subject: string; duration: number }) {
  const { accountId, role, sessionName } = issued;
  const now = ctx.state.now();
  const lifetime = ctx.settings.credentialLifetimeSeconds ?? issued.duration;
  const accessKeyId = randomAccessKeyId('ASIA');
  const session = {
    accessKeyId,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `FwoGZXIvYXdzE${randomBytes(96).toString('base64')}`,
    accountId,
    roleName: role.name,
    sessionName,
    subject: issued.subject,
    issuedAt: now,
    expiresAt: now + lifetime * 1000,
  };
  ctx.state.sessions.set(accessKeyId, session);
  ctx.notes.session = { accessKeyId, expiresAt: new Date(session.expiresAt).toISOString() };
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: new Date(session.expiresAt),
    },
    AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${sessionName}`, Arn: assumedRoleArn(accountId, role.name, sessionName) },
  };
}

function denied(): Error {
  return awsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403);
}

async function assumeRoleWithWebIdentity(
  ctx: CallContext,
  input: AssumeRoleWithWebIdentityRequest,
): Promise<AssumeRoleWithWebIdentityResponse> {
  const { roleArnInput, sessionName, duration, account, role } = assumeRequest(ctx, input);
  const token = required(input.WebIdentityToken, 'WebIdentityToken', 'ValidationError');

  const verified = ctx.oidc.verify(token);
  if (!verified.ok) {
    throw awsError(
      'InvalidIdentityToken',
      verified.reason === 'malformed' ? 'The ID Token provided is not a valid JWT.' : 'The web identity token signature could not be verified.',
    );
  }
  const claims = verified.payload;
  const issuer = typeof claims.iss === 'string' ? claims.iss : '';
  const host = issuer.replace(/^https:\/\//, '');
  if (!account || !role) throw denied();
  const provider = account.oidcProviders.find((p) => p.url.replace(/^https:\/\//, '') === host);
  if (!provider) throw awsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${issuer}`);
  const nowSeconds = ctx.state.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) {
    const exp = typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : 'unknown';
    throw awsError(
      'ExpiredTokenException',
      `Token expired: current date/time ${new Date(nowSeconds * 1000).toISOString()} must be before the expiration date/time ${exp}`,
    );
  }
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + 300) throw awsError('InvalidIdentityToken', 'Token is not yet valid.');
  const audiences = Array.isArray(claims.aud) ? claims.aud.map(String) : [String(claims.aud ?? '')];
  const audience = audiences.find((a) => provider.clientIds.includes(a));
  if (!audience) throw awsError('InvalidIdentityToken', 'Incorrect token audience');
  const subject = String(claims.sub ?? '');
  const decision = evaluateTrust({
    principal: `arn:aws:iam::${account.id}:oidc-provider/${host}`,
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: roleArnInput,
    resourceAccount: account.id,
    resourcePolicy: role.trustPolicy,
    context: { [`${host}:aud`]: audience, [`${host}:sub`]: subject, 'aws:FederatedProvider': provider.url },
  });
  ctx.notes.trust = decision;
  if (decision !== 'Allowed') throw denied();
  if (duration > role.maxSessionDuration) {
    throw awsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }

  const session = issueSession(ctx, { accountId: account.id, role, sessionName, subject, duration });
  return {
    ...session,
    SubjectFromWebIdentityToken: subject,
    Provider: provider.url.replace(/^https:\/\//, ''),
    Audience: audience,
  };
}

/**
 * AssumeRole with the caller's credentials. The role's trust policy and the caller's identity policies are evaluated
 * together (iam-simulate's same- and cross-account rules: across accounts both must allow it)
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, "Permissions"). A caller that is itself a
 * role session is role chaining, limited to one hour whatever the role's maximum
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
 */
async function assumeRole(ctx: CallContext, input: AssumeRoleRequest): Promise<AssumeRoleResponse> {
  const caller = callerOf(ctx);
  const { roleArnInput, sessionName, duration, account, role } = assumeRequest(ctx, input);
  const refused = awsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArnInput}`, 403);
  if (!account || !role) throw refused;
  const decision = await evaluate({
    principal: caller.arn,
    action: 'sts:AssumeRole',
    resource: roleArnInput,
    resourceAccount: account.id,
    identityPolicies: caller.policies,
    resourcePolicy: role.trustPolicy,
    context: { ...principalContext(caller, ctx.region), 'sts:RoleSessionName': sessionName },
  });
  ctx.notes.trust = decision;
  if (decision !== 'Allowed') throw refused;
  if (caller.kind === 'assumed-role' && duration > CHAINED_SESSION_MAX_SECONDS) {
    throw awsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (duration > role.maxSessionDuration) {
    throw awsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  return issueSession(ctx, { accountId: account.id, role, sessionName, subject: caller.arn, duration });
}

function getCallerIdentity(ctx: CallContext): GetCallerIdentityResponse {
  const caller = callerOf(ctx);
  return { Account: caller.accountId, Arn: caller.arn, UserId: caller.userId };
}

async function decode(ctx: CallContext, input: DecodeAuthorizationMessageRequest): Promise<DecodeAuthorizationMessageResponse> {
  await authorizeApi(callerOf(ctx), 'sts:DecodeAuthorizationMessage', '*', ctx.region, 'AccessDenied');
  const decoded = decodeAuthorizationMessage(required(input.EncodedMessage, 'EncodedMessage', 'ValidationError'));
  if (!decoded) throw awsError('InvalidAuthorizationMessageException', 'The encoded authorization message is not valid.');
  return { DecodedMessage: decoded };
}

export const stsOperations: Record<string, Handler> = {
  AssumeRole: op(assumeRole),
  AssumeRoleWithWebIdentity: op(assumeRoleWithWebIdentity),
  GetCallerIdentity: op(getCallerIdentity),
  DecodeAuthorizationMessage: op(decode),
};
