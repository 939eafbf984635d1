/** KMS grants: which grant (if any) lets a caller perform an operation on a key right now. */
import type { GrantState, KeyState, WorldState } from '../state.js';
import { principalMatches, type Caller } from './identity.js';

export interface GrantLookup {
  /** Grants become effective this long after creation (KMS eventual consistency), unless a grant token is used. */
  propagationMs: number;
  grantTokens?: string[];
}

export function isEffective(grant: GrantState, now: number, lookup: GrantLookup): boolean {
  return grant.createdAt + lookup.propagationMs <= now || (lookup.grantTokens ?? []).includes(grant.grantToken);
}

/** The grant on `key` naming the caller as grantee with `operation` (e.g. "Decrypt"), if one is effective. */
export function findGrant(
  state: WorldState,
  key: KeyState,
  caller: Caller,
  operation: string,
  lookup: GrantLookup,
): GrantState | undefined {
  const now = state.now();
  return state
    .grantsOf(key)
    .find((g) => principalMatches(g.granteePrincipal, caller) && g.operations.includes(operation) && isEffective(g, now, lookup));
}

/** Grant operations KMS accepts. */
export const GRANT_OPERATIONS = new Set([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
]);
