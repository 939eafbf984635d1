import type { CallSite } from '../aws/explain.js';
import type { PromotionContext } from './context.js';
import type { Side } from './types.js';

/** Where a call of one side runs: its account, region, principal and where its credentials come from, for every message about it. */
export function siteOf(ctx: Pick<PromotionContext, 'request' | 'sourceIdentity' | 'targetIdentity'>, side: Side, region: string) {
  const identity = side === 'source' ? ctx.sourceIdentity : ctx.targetIdentity;
  const credentials: CallSite['credentials'] = side === 'source' && !ctx.request.sourceRole ? 'environment' : 'assumed';
  return { side, accountId: identity.accountId, region, principal: identity.principalArn, credentials };
}
