import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { isAccessDenied } from '../../aws/classify.js';
import { errorMessage, errorName } from '../../aws/errors.js';
import type { TargetContext } from '../context.js';
import type { TargetKey } from '../lookups/target-key.js';
import type { Finding } from './findings.js';

/**
 * The key policy of a target key, read with the target role, or the `unchecked` finding of a check that needs it.
 * Only checks need it: whatever stops the read is reported, never a reason to end the preflight with a bare SDK error.
 * `alternative` ends the fix: what else the user may do.
 */
export async function readTargetKeyPolicy(ctx: TargetContext, key: Pick<TargetKey, 'region'> & { arn: string }, check: string, alternative: string): Promise<string | Finding> {
  try {
    return (await ctx.target.kms(key.region).send(new GetKeyPolicyCommand({ KeyId: key.arn, PolicyName: 'default' }))).Policy ?? '{}';
  } catch (error) {
    const unchecked: Finding = { check, side: 'target', status: 'unchecked', detail: '' };
    if (!isAccessDenied(error)) return { ...unchecked, detail: `the key policy of ${key.arn} could not be read (${errorName(error) || 'error'}: ${errorMessage(error)}).` };
    return {
      ...unchecked,
      detail: `the target role may not read the key policy of ${key.arn} (kms:GetKeyPolicy).`,
      fix: `Allow kms:GetKeyPolicy on ${key.arn} to ${ctx.target.spec.role.arn}, ${alternative}.`,
    };
  }
}
