/** KMS building blocks: key lookup as KMS resolves key ids, permission checks, key states. */
import type { KeyMetadata } from '@aws-sdk/client-kms';
import { authorizeKeyUse, kmsDeniedMessage } from '../auth/kms-access.js';
import { aliasArn, parseArn } from '../arns.js';
import { awsError } from '../errors.js';
import type { KeyState } from '../state.js';
import { callerOf, required, type CallContext } from './context.js';

export interface ResolveOptions {
  /** Operations such as GetKeyPolicy and ListAliases only work on keys of the caller's own account. */
  sameAccountOnly?: boolean;
}

/** The key a KeyId names for the caller: id or alias name in the caller's account, ARNs anywhere. */
export function resolveKeyFor(ctx: CallContext, keyIdInput: string | undefined, options: ResolveOptions = {}): KeyState {
  const keyId = required(keyIdInput, 'KeyId', 'ValidationException');
  const caller = callerOf(ctx);
  const arn = keyId.startsWith('arn:') ? parseArn(keyId) : undefined;
  if (keyId.startsWith('arn:') && (!arn || arn.service !== 'kms')) throw awsError('NotFoundException', `Invalid keyId '${keyId}'`);
  if (options.sameAccountOnly && arn && arn.account !== caller.accountId) {
    throw awsError(
      'AccessDeniedException',
      `User: ${caller.arn} is not authorized to perform: kms:${ctx.operation} on resource: ${keyId} because this operation cannot be performed on a key in another account`,
    );
  }
  const key = ctx.state.resolveKey(caller.accountId, ctx.region, keyId);
  if (key) return key;
  if (keyId.startsWith('alias/') || arn?.resource.startsWith('alias/')) {
    throw awsError('NotFoundException', `Alias ${arn ? keyId : aliasArn(caller.accountId, ctx.region, keyId)} is not found.`);
  }
  if (!arn && !/^(mrk-)?[0-9a-f-]{32,36}$/.test(keyId)) throw awsError('NotFoundException', `Invalid keyId '${keyId}'`);
  const full = arn ? keyId : `arn:aws:kms:${ctx.region}:${caller.accountId}:key/${keyId}`;
  throw awsError('NotFoundException', `Key '${full}' does not exist`);
}

/** Key policy + IAM + grants for `action` (kms:...) by the caller, or AccessDeniedException. */
export async function requireKeyPermission(
  ctx: CallContext,
  key: KeyState,
  action: string,
  grantTokens?: string[],
  context?: Record<string, string | string[]>,
): Promise<void> {
  const caller = callerOf(ctx);
  const result = await authorizeKeyUse(ctx.state, ctx.settings, { caller, key, action, grantTokens, context });
  ctx.notes.authorizedBy = result.by ?? result.decision;
  if (!result.allowed) throw awsError('AccessDeniedException', kmsDeniedMessage(caller, action, key, result.decision));
}

/** Cryptographic operations and CreateGrant need an enabled key. */
export function requireEnabled(key: KeyState): void {
  if (key.state === 'Disabled') throw awsError('DisabledException', `${key.arn} is disabled.`);
  if (key.state === 'PendingDeletion') throw awsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

export function requireSymmetric(key: KeyState, operation: string): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT') {
    throw awsError(
      'InvalidKeyUsageException',
      `${key.arn} key usage is ${key.keyUsage} (${key.keySpec}) which is not valid for ${operation}.`,
    );
  }
}

export function keyMetadata(key: KeyState): KeyMetadata {
  const symmetric = key.keySpec === 'SYMMETRIC_DEFAULT';
  return {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.creationDate,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    Origin: 'AWS_KMS',
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    EncryptionAlgorithms: symmetric ? ['SYMMETRIC_DEFAULT'] : key.keyUsage === 'ENCRYPT_DECRYPT' ? ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] : undefined,
    SigningAlgorithms: key.keyUsage === 'SIGN_VERIFY' ? ['RSASSA_PSS_SHA_256'] : undefined,
    MultiRegion: key.multiRegion,
    DeletionDate: key.state === 'PendingDeletion' ? new Date(key.creationDate.getTime() + 30 * 86400000) : undefined,
  };
}

/** JSON blobs arrive base64-encoded. */
export function blobBytes(value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  if (value instanceof Uint8Array) return Buffer.from(value);
  return Buffer.alloc(0);
}
