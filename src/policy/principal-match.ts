import { accountRootArn } from '../aws/arn.js';
import type { ElementList } from './policy-document.js';

/**
 * How a statement's principal names the requester: `principal` names the role itself (or everyone,
 * `*`, typically narrowed by conditions), `account` names its account, which delegates the decision
 * to the account's IAM policies.
 */
export type PrincipalMatch = 'principal' | 'account';

export interface RequestPrincipal {
  arn: string;
  accountId: string;
}

function matchEntry(entry: string, principal: RequestPrincipal): PrincipalMatch | undefined {
  if (entry === '*' || entry === principal.arn) return 'principal';
  const partition = principal.arn.split(':')[1] ?? 'aws';
  if (entry === principal.accountId || entry === accountRootArn(partition, principal.accountId)) return 'account';
  return undefined;
}

/**
 * The strongest way a Principal list names the requester. A NotPrincipal list applies to everyone it
 * does not name; naming the account also exempts every principal in it.
 */
export function matchPrincipal(principals: ElementList, principal: RequestPrincipal): PrincipalMatch | undefined {
  const matches = principals.values.map((entry) => matchEntry(entry, principal));
  if (principals.negated) return matches.some(Boolean) ? undefined : 'principal';
  if (matches.includes('principal')) return 'principal';
  return matches.includes('account') ? 'account' : undefined;
}
