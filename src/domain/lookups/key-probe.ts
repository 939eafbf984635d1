import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { isAccessDenied } from '../../aws/classify.js';
import { explainAwsError } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';
import { errorMessage, errorName } from '../../aws/errors.js';

export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** Whether the target role can reach the CMK (DescribeKey with target credentials). */
export async function probeTargetKeyAccess(ctx: TargetContext, keyArn: string): Promise<ProbeResult> {
  try {
    await ctx.target.kms(ctx.request.kmsKey.region).send(new DescribeKeyCommand({ KeyId: keyArn }), { abortSignal: ctx.signal });
    return { ok: true };
  } catch (error) {
    if (isAccessDenied(error) || errorName(error) === 'NotFoundException') return { ok: false, reason: `${errorName(error)}: ${errorMessage(error)}` };
    if (ctx.signal.aborted) throw error;
    throw explainAwsError(error, {
      what: `Checking that the target role may use ${keyArn}`,
      ...siteOf(ctx.target, ctx.request.kmsKey.region),
      action: 'kms:DescribeKey',
      resource: keyArn,
    });
  }
}

/** Grants and key-policy changes are eventually consistent: retry the probe until it passes or time runs out. */
export async function waitForTargetKeyAccess(ctx: TargetContext, keyArn: string, limitMs: number): Promise<ProbeResult> {
  const until = Math.min(ctx.deadline, ctx.clock.now() + limitMs);
  let delay = 1_000;
  for (;;) {
    const result = await probeTargetKeyAccess(ctx, keyArn);
    if (result.ok || ctx.clock.now() + delay > until) return result;
    await ctx.clock.sleep(delay, ctx.signal);
    delay = Math.min(delay * 2, 15_000);
  }
}
