import { GetEbsDefaultKmsKeyIdCommand } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { explainAwsError } from '../../aws/explain.js';
import { siteOf, type Target } from '../context.js';
import { PromotionError, errorName } from '../../aws/errors.js';

export interface TargetKey {
  region: string;
  /** Key ARN for CopyImage; undefined means the target account's default EBS key. */
  arn?: string;
  /** The provenance tag value: the key ARN, or "default". */
  label: string;
  /** For the log and summary: the key ARN, or the default EBS key as EC2 names it. */
  display: string;
  keyManager?: 'AWS' | 'CUSTOMER';
}

const DEFAULT_KEY_LABEL = 'default';

async function describe(target: Target, region: string, keyId: string): Promise<KeyMetadata> {
  const site = siteOf(target, region);
  try {
    const metadata = (await target.kms(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    if (!metadata?.Arn) throw new Error('KMS returned no key metadata');
    return metadata;
  } catch (error) {
    if (errorName(error) === 'NotFoundException') {
      throw new PromotionError({
        what: `Resolving target-kms-key ${keyId}`,
        ...site,
        why: `no key or alias ${keyId} exists in ${region} of the target account.`,
        fix: `Create the key (or the alias) in ${region} of account ${target.identity.accountId}, or change target-kms-key / target-regions.`,
      });
    }
    throw explainAwsError(error, {
      ...site,
      what: `Resolving target-kms-key ${keyId}`,
      action: 'kms:DescribeKey',
      resource: `arn:${target.spec.role.partition}:kms:${region}:${target.identity.accountId}:*`,
    });
  }
}

function checkUsable(target: Target, region: string, metadata: KeyMetadata): void {
  const problem =
    metadata.KeySpec !== 'SYMMETRIC_DEFAULT' || metadata.KeyUsage !== 'ENCRYPT_DECRYPT'
      ? `it is a ${metadata.KeySpec} key for ${metadata.KeyUsage}; EBS encrypts only with symmetric encryption keys`
      : metadata.KeyState !== 'Enabled'
        ? `it is ${metadata.KeyState}`
        : undefined;
  if (problem) {
    throw new PromotionError({
      what: `Checking target-kms-key ${metadata.Arn}`,
      side: 'target',
      accountId: target.identity.accountId,
      region,
      why: `${problem}.`,
      fix: 'Pass a symmetric, enabled key of the target account as target-kms-key.',
    });
  }
}

async function defaultKey(target: Target, region: string): Promise<TargetKey> {
  const display = 'the target account\'s default EBS key';
  try {
    const response = await target.ec2(region).send(new GetEbsDefaultKmsKeyIdCommand({}));
    return { region, label: DEFAULT_KEY_LABEL, display: response.KmsKeyId ? `${response.KmsKeyId} (default EBS key)` : display };
  } catch {
    // Only informative: CopyImage uses the default key without being told its ARN.
    return { region, label: DEFAULT_KEY_LABEL, display };
  }
}

/** The key of the final copy in one region of a target account, checked with that account's credentials. */
export async function resolveTargetKey(target: Target, region: string): Promise<TargetKey> {
  const spec = target.spec.key;
  if (spec.kind === 'default') return defaultKey(target, region);
  const metadata = await describe(target, region, spec.kind === 'arn' ? spec.key.arn : spec.aliasName);
  checkUsable(target, region, metadata);
  return { region, arn: metadata.Arn, label: metadata.Arn as string, display: metadata.Arn as string, keyManager: metadata.KeyManager as TargetKey['keyManager'] };
}
