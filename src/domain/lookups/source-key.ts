import { DescribeKeyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { explainAwsError } from '../../aws/explain.js';
import { siteOf } from '../site.js';
import type { PromotionContext } from '../context.js';
import { PromotionError, errorName } from '../../aws/errors.js';

export interface SourceKey {
  /** The key ARN (an alias ARN input resolved). */
  arn: string;
  keyId: string;
  accountId: string;
  region: string;
}

function refuse(ctx: PromotionContext, why: string, fix: string): never {
  throw new PromotionError({
    what: `Checking the key ${ctx.request.kmsKey.arn}`,
    side: 'source',
    accountId: ctx.sourceIdentity.accountId,
    region: ctx.request.kmsKey.region,
    why,
    fix,
  });
}

const CREATE_KEY_FIX =
  'Create a customer-managed symmetric encryption key (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT) in the source account and region and pass its ARN as kms-key-arn.';

/** Step 1b: the CMK is customer-managed, symmetric, enabled and in the source region. */
export async function inspectSourceKey(ctx: PromotionContext): Promise<SourceKey> {
  const { kmsKey } = ctx.request;
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await ctx.source.kms(kmsKey.region).send(new DescribeKeyCommand({ KeyId: kmsKey.arn }))).KeyMetadata;
  } catch (error) {
    if (errorName(error) === 'NotFoundException') {
      refuse(ctx, `no key or alias ${kmsKey.arn} exists (or the source account cannot see it).`, 'Check kms-key-arn: keys and aliases are regional, and a key of another account must be named by its full ARN.');
    }
    throw explainAwsError(error, {
      ...siteOf(ctx, 'source', kmsKey.region),
      what: `Describing the key ${kmsKey.arn}`,
      action: 'kms:DescribeKey',
      // IAM authorizes DescribeKey on the key ARN, never on an alias ARN: the key behind an alias is not known yet.
      resource: kmsKey.kind === 'alias' ? `arn:${kmsKey.partition}:kms:${kmsKey.region}:${kmsKey.accountId}:key/*` : kmsKey.arn,
    });
  }
  if (!metadata?.Arn || !metadata.KeyId) refuse(ctx, 'KMS returned no key metadata.', 'Check kms-key-arn.');
  if (metadata.KeyManager === 'AWS') {
    refuse(ctx, 'it is an AWS-managed key; snapshots encrypted with it cannot be shared with another account.', CREATE_KEY_FIX);
  }
  if (metadata.KeySpec !== 'SYMMETRIC_DEFAULT' || metadata.KeyUsage !== 'ENCRYPT_DECRYPT') {
    refuse(ctx, `it is a ${metadata.KeySpec} key for ${metadata.KeyUsage}; EBS encrypts only with symmetric encryption keys.`, CREATE_KEY_FIX);
  }
  if (metadata.KeyState !== 'Enabled') {
    refuse(
      ctx,
      `the key is ${metadata.KeyState}.`,
      metadata.KeyState === 'PendingDeletion'
        ? `Cancel its deletion (aws kms cancel-key-deletion --key-id ${metadata.Arn}) and enable it, or use another key.`
        : `Enable it (aws kms enable-key --key-id ${metadata.Arn}) or use another key.`,
    );
  }
  return { arn: metadata.Arn, keyId: metadata.KeyId, accountId: metadata.AWSAccountId ?? ctx.request.kmsKey.accountId, region: kmsKey.region };
}
