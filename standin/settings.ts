/** The stand-in's behaviour switches, with their defaults. */
import type { FaultOptions } from './faults.js';
import type { OidcOptions } from './oidc.js';

export interface CopyKeyRequirements {
  /** Each entry lists alternatives: at least one of them must be allowed. */
  source: string[][];
  destination: string[][];
}

export interface StandInSettings {
  /** How long a CopyImage takes to complete (default 2000 ms). */
  copyDurationMs: number;
  /** How long after the start a doomed copy turns `failed` (default: half the copy duration). */
  copyFailureDelayMs?: number;
  /** Overrides the lifetime of issued session credentials, e.g. 120 for refresh tests. */
  credentialLifetimeSeconds?: number;
  /** UNCONFIRMED in AWS: whether a grant alone (no key-policy statement) lets a cross-account copy use the key. */
  grantSufficesForCrossAccountCopy: boolean;
  /** KMS grant eventual consistency: grants work this long after creation (grant tokens make them work at once). */
  grantPropagationMs: number;
  /** The KMS permissions EC2 checks for the copying principal on the source and destination keys. */
  copyKeyRequirements: CopyKeyRequirements;
  /** Region of unsigned STS calls (AssumeRoleWithWebIdentity). */
  defaultRegion: string;
  /**
   * How GetEbsDefaultKmsKeyId names the default aws/ebs key (AWS documents "the ARN"; examples differ):
   * 'key-arn' (default), 'alias-arn' or 'alias-name'. A configured default key is always its key ARN.
   */
  ebsDefaultKeyIdForm: 'key-arn' | 'alias-arn' | 'alias-name';
  /** Concurrent snapshot copies per destination account and region (AWS: 20); more is ResourceLimitExceeded. */
  maxConcurrentSnapshotCopies: number;
  /** Concurrent AMI copies per destination account and region (AWS: about 100). */
  maxConcurrentImageCopies: number;
  /**
   * UNDOCUMENTED in AWS: whether the owner may CopyImage a disabled AMI (the EC2 guide says only that it cannot be
   * launched or shared). Default false: IncorrectState.
   */
  disabledImagesCopyable: boolean;
  /**
   * Longest tag key EC2 accepts, in Unicode characters. AWS's pages differ: the EC2 user guide says 128 (the default),
   * the API reference's Tag type 127.
   */
  maxTagKeyLength: number;
  /**
   * EC2 eventual consistency: for this long after CopyImage, Describe*, Deregister and Modify calls on the new image
   * and its snapshots answer NotFound, and listings leave them out (default 0: visible at once).
   */
  notFoundAfterCreateMs: number;
  /**
   * UNCONFIRMED in AWS: the kms:ViaService of EC2's calls on a source snapshot's key during a copy into another
   * region: 'key' (default: ec2.<key region>, as AWS's own aws/ebs key policies, which allow only their region's
   * EC2, suggest) or 'copy' (ec2.<region of the copy>).
   */
  sourceKeyViaServiceRegion: 'key' | 'copy';
  /**
   * UNDOCUMENTED in AWS: whether Allowed AMIs (enabled in the destination account and region) refuses CopyImage of a
   * shared AMI it does not allow. Default false: the copy goes ahead; true: InvalidAMIID.NotFound, as if the AMI were
   * not discoverable.
   */
  allowedAmisBlockCopy: boolean;
  /**
   * Which of a resource's condition keys EC2 puts in the request context: 'sar' (default) only those the Service
   * Authorization Reference lists for the action on that resource type; 'resource-type' every key of the SAR's
   * resource-type table (UNCONFIRMED in AWS: e.g. ec2:ResourceTag for CopyImage's source image, which the action's row
   * does not list).
   */
  ec2ConditionKeys: 'sar' | 'resource-type';
  /**
   * UNCONFIRMED in AWS: whether CopyImage's source image and source snapshots are authorized with the request's
   * aws:RequestTag / aws:TagKeys (true) or without them (false, default: only the new image and snapshots the tags
   * are for carry them).
   */
  copySourceRequestTags: boolean;
  /**
   * UNDOCUMENTED in AWS: whether an account an AMI is shared with may read its DescribeImageAttribute uefiData (true)
   * or only its owner (false, default: AuthFailure for others). The action reads it only as the owner.
   */
  uefiDataReadableByLaunchPermission: boolean;
}

export interface StandInOptions extends Partial<StandInSettings> {
  faults?: FaultOptions;
  oidc?: OidcOptions;
}

export const DEFAULT_COPY_KEY_REQUIREMENTS: CopyKeyRequirements = {
  source: [['kms:DescribeKey'], ['kms:Decrypt', 'kms:ReEncryptFrom'], ['kms:CreateGrant']],
  destination: [['kms:DescribeKey'], ['kms:GenerateDataKeyWithoutPlaintext'], ['kms:ReEncryptTo'], ['kms:CreateGrant']],
};

export function resolveSettings(options: StandInOptions = {}): StandInSettings {
  return {
    copyDurationMs: options.copyDurationMs ?? 2000,
    copyFailureDelayMs: options.copyFailureDelayMs,
    credentialLifetimeSeconds: options.credentialLifetimeSeconds,
    grantSufficesForCrossAccountCopy: options.grantSufficesForCrossAccountCopy ?? true,
    grantPropagationMs: options.grantPropagationMs ?? 0,
    copyKeyRequirements: options.copyKeyRequirements ?? DEFAULT_COPY_KEY_REQUIREMENTS,
    defaultRegion: options.defaultRegion ?? 'us-east-1',
    ebsDefaultKeyIdForm: options.ebsDefaultKeyIdForm ?? 'key-arn',
    maxConcurrentSnapshotCopies: options.maxConcurrentSnapshotCopies ?? 20,
    maxConcurrentImageCopies: options.maxConcurrentImageCopies ?? 100,
    disabledImagesCopyable: options.disabledImagesCopyable ?? false,
    maxTagKeyLength: options.maxTagKeyLength ?? 128,
    notFoundAfterCreateMs: options.notFoundAfterCreateMs ?? 0,
    sourceKeyViaServiceRegion: options.sourceKeyViaServiceRegion ?? 'key',
    allowedAmisBlockCopy: options.allowedAmisBlockCopy ?? false,
    ec2ConditionKeys: options.ec2ConditionKeys ?? 'sar',
    copySourceRequestTags: options.copySourceRequestTags ?? false,
    uefiDataReadableByLaunchPermission: options.uefiDataReadableByLaunchPermission ?? false,
  };
}
