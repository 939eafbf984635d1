import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { isAccessDenied } from '../../aws/classify.js';
import { explainAwsError } from '../../aws/explain.js';
import { siteOf, type PromotionContext } from '../context.js';
import type { SourceKey } from './source-key.js';

/** The key policy text; undefined when the source principal may not read it and `tolerateDenied` is set. */
export async function readKeyPolicy(ctx: PromotionContext, key: Pick<SourceKey, 'arn' | 'region'>, tolerateDenied: boolean): Promise<string | undefined> {
  try {
    const response = await ctx.source.kms(key.region).send(new GetKeyPolicyCommand({ KeyId: key.arn, PolicyName: 'default' }));
    return response.Policy ?? '{}';
  } catch (error) {
    if (tolerateDenied && isAccessDenied(error)) return undefined;
    throw explainAwsError(error, {
      what: `Reading the key policy of ${key.arn}`,
      ...siteOf(ctx.source, key.region),
      action: 'kms:GetKeyPolicy',
      resource: key.arn,
    });
  }
}
