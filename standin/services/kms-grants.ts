/** KMS grants: CreateGrant (idempotent by name), RetireGrant, RevokeGrant, ListGrants. */
import type {
  CreateGrantRequest,
  CreateGrantResponse,
  GrantListEntry,
  ListGrantsRequest,
  ListGrantsResponse,
  RetireGrantRequest,
  RevokeGrantRequest,
} from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { GRANT_OPERATIONS } from '../auth/grants.js';
import { principalMatches } from '../auth/identity.js';
import { authorizeKeyUse, kmsDeniedMessage } from '../auth/kms-access.js';
import { awsError } from '../errors.js';
import type { GrantState } from '../state.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';
import { requireEnabled, requireKeyPermission, resolveKeyFor } from './kms-common.js';

const PRINCIPAL = /^(arn:aws:iam::\d{12}:(root|role\/.+|user\/.+)|arn:aws:sts::\d{12}:assumed-role\/.+|[a-z0-9.-]+\.amazonaws\.com)$/;

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

async function createGrant(ctx: CallContext, input: CreateGrantRequest): Promise<CreateGrantResponse> {
  const caller = callerOf(ctx);
  const key = resolveKeyFor(ctx, input.KeyId);
  const grantee = required(input.GranteePrincipal, 'GranteePrincipal', 'ValidationException');
  const operations = required(input.Operations, 'Operations', 'ValidationException') as string[];
  if (operations.length === 0 || operations.some((o) => !GRANT_OPERATIONS.has(o))) {
    throw awsError('ValidationException', `1 validation error detected: Value '[${operations.join(', ')}]' at 'operations' failed to satisfy constraint`);
  }
  for (const principal of [grantee, input.RetiringPrincipal].filter((p): p is string => p !== undefined)) {
    if (!PRINCIPAL.test(principal)) throw awsError('ValidationException', `${principal} is not a valid principal`);
  }
  const context: Record<string, string | string[]> = { 'kms:GranteePrincipal': grantee, 'kms:GrantOperations': operations };
  if (input.RetiringPrincipal) context['kms:RetiringPrincipal'] = input.RetiringPrincipal;
  const result = await authorizeKeyUse(ctx.state, ctx.settings, {
    caller,
    key,
    action: 'kms:CreateGrant',
    grantTokens: input.GrantTokens,
    context,
  });
  const parent = result.grantId ? ctx.state.grants.get(result.grantId) : undefined;
  if (!result.allowed || (parent && operations.some((o) => !parent.operations.includes(o)))) {
    throw awsError('AccessDeniedException', kmsDeniedMessage(caller, 'kms:CreateGrant', key, result.decision));
  }
  ctx.notes.authorizedBy = result.by;
  requireEnabled(key);
  const constraints = input.Constraints as Record<string, unknown> | undefined;
  if (input.Name) {
    const same = ctx.state
      .grantsOf(key)
      .find(
        (g) =>
          g.name === input.Name &&
          g.granteePrincipal === grantee &&
          g.retiringPrincipal === input.RetiringPrincipal &&
          sameSet(g.operations, operations) &&
          JSON.stringify(g.constraints ?? null) === JSON.stringify(constraints ?? null),
      );
    if (same) {
      ctx.notes.idempotentReplay = true;
      return { GrantId: same.grantId, GrantToken: same.grantToken };
    }
  }
  const grant: GrantState = {
    grantId: randomBytes(32).toString('hex'),
    grantToken: randomBytes(48).toString('base64url'),
    keyArn: key.arn,
    name: input.Name,
    granteePrincipal: grantee,
    retiringPrincipal: input.RetiringPrincipal,
    operations: [...operations],
    constraints,
    issuingAccount: `arn:aws:iam::${caller.accountId}:root`,
    createdAt: ctx.state.now(),
    createdBy: caller.arn,
  };
  ctx.state.grants.set(grant.grantId, grant);
  ctx.mutated = true;
  return { GrantId: grant.grantId, GrantToken: grant.grantToken };
}

async function retireGrant(ctx: CallContext, input: RetireGrantRequest): Promise<object> {
  const caller = callerOf(ctx);
  let grant: GrantState | undefined;
  if (input.GrantToken) {
    grant = [...ctx.state.grants.values()].find((g) => g.grantToken === input.GrantToken);
    if (!grant) throw awsError('InvalidGrantTokenException', 'The grant token is not valid.');
  } else {
    const key = resolveKeyFor(ctx, input.KeyId);
    const grantId = required(input.GrantId, 'GrantId', 'ValidationException');
    grant = ctx.state.grants.get(grantId);
    if (!grant || grant.keyArn !== key.arn) throw awsError('NotFoundException', `Grant ID ${grantId} not found`);
  }
  const key = ctx.state.keys.get(grant.keyArn);
  const byGrant =
    (grant.retiringPrincipal !== undefined && principalMatches(grant.retiringPrincipal, caller)) ||
    (principalMatches(grant.granteePrincipal, caller) && grant.operations.includes('RetireGrant'));
  if (!byGrant) {
    const byPolicy =
      key !== undefined &&
      caller.accountId === key.accountId &&
      (await authorizeKeyUse(ctx.state, ctx.settings, { caller, key, action: 'kms:RetireGrant' })).allowed;
    if (!byPolicy) {
      throw awsError('AccessDeniedException', `User: ${caller.arn} is not authorized to perform: kms:RetireGrant on resource: ${grant.keyArn}`);
    }
  }
  ctx.state.grants.delete(grant.grantId);
  ctx.mutated = true;
  ctx.notes.grantId = grant.grantId;
  return {};
}

async function revokeGrant(ctx: CallContext, input: RevokeGrantRequest): Promise<object> {
  const key = resolveKeyFor(ctx, input.KeyId);
  const grantId = required(input.GrantId, 'GrantId', 'ValidationException');
  await requireKeyPermission(ctx, key, 'kms:RevokeGrant');
  const grant = ctx.state.grants.get(grantId);
  if (!grant || grant.keyArn !== key.arn) throw awsError('NotFoundException', `Grant ID ${grantId} not found`);
  ctx.state.grants.delete(grantId);
  ctx.mutated = true;
  return {};
}

export function grantEntry(grant: GrantState): GrantListEntry {
  return {
    KeyId: grant.keyArn,
    GrantId: grant.grantId,
    Name: grant.name ?? '',
    CreationDate: new Date(grant.createdAt),
    GranteePrincipal: grant.granteePrincipal,
    RetiringPrincipal: grant.retiringPrincipal,
    IssuingAccount: grant.issuingAccount,
    Operations: grant.operations as GrantListEntry['Operations'],
    Constraints: grant.constraints as GrantListEntry['Constraints'],
  };
}

async function listGrants(ctx: CallContext, input: ListGrantsRequest): Promise<ListGrantsResponse> {
  const key = resolveKeyFor(ctx, input.KeyId);
  await requireKeyPermission(ctx, key, 'kms:ListGrants');
  const grants = ctx.state
    .grantsOf(key)
    .filter((g) => (!input.GrantId || g.grantId === input.GrantId) && (!input.GranteePrincipal || g.granteePrincipal === input.GranteePrincipal));
  return { Grants: grants.map(grantEntry), Truncated: false };
}

export const grantOperations: Record<string, Handler> = {
  CreateGrant: op(createGrant),
  RetireGrant: op(retireGrant),
  RevokeGrant: op(revokeGrant),
  ListGrants: op(listGrants),
};
