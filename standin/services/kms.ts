/** KMS key operations (TrentService.*): describe, key policy, aliases, and enough crypto to exercise grants. */
import type {
  DecryptRequest,
  DecryptResponse,
  DescribeKeyRequest,
  DescribeKeyResponse,
  EncryptRequest,
  EncryptResponse,
  GenerateDataKeyWithoutPlaintextRequest,
  GenerateDataKeyWithoutPlaintextResponse,
  GetKeyPolicyRequest,
  GetKeyPolicyResponse,
  ListAliasesRequest,
  ListAliasesResponse,
  PutKeyPolicyRequest,
} from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { authorizeKeyUse } from '../auth/kms-access.js';
import { identityDecision } from '../auth/access.js';
import { resourcePolicyProblems } from '../auth/policies.js';
import { parseArn } from '../arns.js';
import { awsError } from '../errors.js';
import { statements, toList, type PolicyDocument } from '../policy-types.js';
import type { WorldState } from '../state.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';
import { grantOperations } from './kms-grants.js';
import { blobBytes, keyMetadata, requireEnabled, requireKeyPermission, requireSymmetric, resolveKeyFor } from './kms-common.js';

async function describeKey(ctx: CallContext, input: DescribeKeyRequest): Promise<DescribeKeyResponse> {
  const key = resolveKeyFor(ctx, input.KeyId);
  await requireKeyPermission(ctx, key, 'kms:DescribeKey', input.GrantTokens);
  return { KeyMetadata: keyMetadata(key) };
}

async function getKeyPolicy(ctx: CallContext, input: GetKeyPolicyRequest): Promise<GetKeyPolicyResponse> {
  const key = resolveKeyFor(ctx, input.KeyId, { sameAccountOnly: true });
  await requireKeyPermission(ctx, key, 'kms:GetKeyPolicy');
  const name = input.PolicyName ?? 'default';
  if (name !== 'default') throw awsError('NotFoundException', `No such policy exists: ${name}`);
  return { Policy: JSON.stringify(key.policy), PolicyName: 'default' };
}

/** KMS refuses key policies naming IAM principals that do not exist. */
function unknownPrincipals(state: WorldState, policy: PolicyDocument): string[] {
  const unknown: string[] = [];
  for (const statement of statements(policy)) {
    const principal = statement.Principal;
    if (!principal || principal === '*') continue;
    for (const arn of toList(principal.AWS)) {
      const parsed = parseArn(arn);
      if (!parsed || parsed.service !== 'iam') continue;
      const account = state.account(parsed.account);
      if (!account) continue;
      const [kind, ...rest] = parsed.resource.split('/');
      const name = rest[rest.length - 1] ?? '';
      if (kind === 'role' && !account.roles.has(name)) unknown.push(arn);
      if (kind === 'user' && !account.users.has(name)) unknown.push(arn);
    }
  }
  return unknown;
}

async function putKeyPolicy(ctx: CallContext, input: PutKeyPolicyRequest): Promise<object> {
  const key = resolveKeyFor(ctx, input.KeyId, { sameAccountOnly: true });
  await requireKeyPermission(ctx, key, 'kms:PutKeyPolicy');
  if ((input.PolicyName ?? 'default') !== 'default') throw awsError('NotFoundException', 'No such policy exists');
  let policy: PolicyDocument;
  try {
    policy = JSON.parse(required(input.Policy, 'Policy', 'ValidationException')) as PolicyDocument;
  } catch {
    throw awsError('MalformedPolicyDocumentException', 'The policy is not valid JSON.');
  }
  const problems = await resourcePolicyProblems(policy, key.accountId);
  if (problems.length) throw awsError('MalformedPolicyDocumentException', `The new key policy is not valid: ${problems.join('; ')}`);
  const unknown = unknownPrincipals(ctx.state, policy);
  if (unknown.length) {
    throw awsError('MalformedPolicyDocumentException', `Policy contains a statement with one or more invalid principals: ${unknown.join(', ')}`);
  }
  if (!input.BypassPolicyLockoutSafetyCheck) {
    const after = await authorizeKeyUse(ctx.state, ctx.settings, {
      caller: callerOf(ctx),
      key: { ...key, policy },
      action: 'kms:PutKeyPolicy',
    });
    if (!after.allowed) {
      throw awsError(
        'MalformedPolicyDocumentException',
        'The new key policy will not allow you to update the key policy in the future.',
      );
    }
  }
  key.policy = policy;
  ctx.mutated = true;
  return {};
}

async function listAliases(ctx: CallContext, input: ListAliasesRequest): Promise<ListAliasesResponse> {
  const caller = callerOf(ctx);
  const decision = await identityDecision(caller, 'kms:ListAliases', '*', ctx.region);
  if (decision !== 'Allowed') {
    throw awsError('AccessDeniedException', `User: ${caller.arn} is not authorized to perform: kms:ListAliases on resource: *`);
  }
  const key = input.KeyId ? resolveKeyFor(ctx, input.KeyId, { sameAccountOnly: true }) : undefined;
  const aliases = [...ctx.state.aliases.values()].filter(
    (a) => a.accountId === caller.accountId && a.region === ctx.region && (!key || a.targetKeyId === key.keyId),
  );
  return {
    Aliases: aliases.map((a) => ({
      AliasName: a.aliasName,
      AliasArn: ctx.state.aliasArnOf(a),
      TargetKeyId: a.targetKeyId,
      CreationDate: a.creationDate,
      LastUpdatedDate: a.creationDate,
    })),
    Truncated: false,
  };
}

const CIPHERTEXT_PREFIX = 'standin-ciphertext:';

async function encrypt(ctx: CallContext, input: EncryptRequest): Promise<EncryptResponse> {
  const key = resolveKeyFor(ctx, input.KeyId);
  await requireKeyPermission(ctx, key, 'kms:Encrypt', input.GrantTokens);
  requireEnabled(key);
  requireSymmetric(key, 'Encrypt');
  const plaintext = blobBytes(input.Plaintext).toString('base64');
  const blob = Buffer.from(CIPHERTEXT_PREFIX + JSON.stringify({ key: key.arn, plaintext }));
  return { CiphertextBlob: new Uint8Array(blob), KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}

async function decrypt(ctx: CallContext, input: DecryptRequest): Promise<DecryptResponse> {
  const text = blobBytes(input.CiphertextBlob).toString('utf8');
  if (!text.startsWith(CIPHERTEXT_PREFIX)) throw awsError('InvalidCiphertextException', 'The ciphertext is not valid.');
  const { key: arn, plaintext } = JSON.parse(text.slice(CIPHERTEXT_PREFIX.length)) as { key: string; plaintext: string };
  const key = resolveKeyFor(ctx, arn);
  if (input.KeyId && resolveKeyFor(ctx, input.KeyId).arn !== key.arn) {
    throw awsError('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext.');
  }
  await requireKeyPermission(ctx, key, 'kms:Decrypt', input.GrantTokens);
  requireEnabled(key);
  return { KeyId: key.arn, Plaintext: new Uint8Array(Buffer.from(plaintext, 'base64')), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}

async function generateDataKeyWithoutPlaintext(
  ctx: CallContext,
  input: GenerateDataKeyWithoutPlaintextRequest,
): Promise<GenerateDataKeyWithoutPlaintextResponse> {
  const key = resolveKeyFor(ctx, input.KeyId);
  await requireKeyPermission(ctx, key, 'kms:GenerateDataKeyWithoutPlaintext', input.GrantTokens);
  requireEnabled(key);
  requireSymmetric(key, 'GenerateDataKeyWithoutPlaintext');
  const bytes = input.NumberOfBytes ?? (input.KeySpec === 'AES_128' ? 16 : 32);
  const blob = Buffer.from(CIPHERTEXT_PREFIX + JSON.stringify({ key: key.arn, plaintext: randomBytes(bytes).toString('base64') }));
  return { CiphertextBlob: new Uint8Array(blob), KeyId: key.arn };
}

export const kmsOperations: Record<string, Handler> = {
  DescribeKey: op(describeKey),
  GetKeyPolicy: op(getKeyPolicy),
  PutKeyPolicy: op(putKeyPolicy),
  ListAliases: op(listAliases),
  Encrypt: op(encrypt),
  Decrypt: op(decrypt),
  GenerateDataKeyWithoutPlaintext: op(generateDataKeyWithoutPlaintext),
  ...grantOperations,
};
