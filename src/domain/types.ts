import type { KmsKeyArn, RoleArn } from '../aws/arn.js';
import type { AutoscalingAccessMode, CopyMethod, KeyAccessMode, RetireMode } from '../policy/modes.js';
import type { Recipient } from '../policy/recipients.js';

export type { Side } from '../aws/errors.js';
export type { AutoscalingAccessMode, CopyMethod, KeyAccessMode, RetireMode };

export interface Tag {
  Key: string;
  Value: string;
}

/** The key for the final copy in the target account, as the target-kms-key input names it. */
export type TargetKeySpec =
  | { kind: 'default' }
  | { kind: 'arn'; key: KmsKeyArn }
  | { kind: 'alias'; aliasName: string };

/** One target account: the role the action assumes there, the regions to copy into and the key of the copies. */
export interface TargetSpec {
  role: RoleArn;
  regions: string[];
  key: TargetKeySpec;
}

/** Where this promotion comes from, recorded as provenance tags. */
export interface Provenance {
  repository?: string;
  commitSha?: string;
  runUrl?: string;
  runId?: string;
  runAttempt?: string;
}

export interface RetirePolicy {
  mode: RetireMode;
  /** How many of the most recent earlier promotions are left untouched. */
  keepPrevious: number;
  /** An AMI launched within this many days is kept. */
  keepIfLaunchedWithinDays: number;
}

export interface PromotionRequest {
  sourceAmiId: string;
  sourceRegion: string;
  kmsKey: KmsKeyArn;
  sourceRole?: RoleArn;
  /** Every target account, each with its regions and key; today's inputs make a list of one. */
  targets: TargetSpec[];
  keyAccess: KeyAccessMode;
  autoscalingAccess: AutoscalingAccessMode;
  amiName?: string;
  amiDescription?: string;
  tags: Tag[];
  copyTags: boolean;
  cleanup: boolean;
  waitTimeoutMinutes: number;
  deregistrationProtection: boolean;
  deprecateAfterDays?: number;
  copyCompletionMinutes?: number;
  /** How many copies into target accounts and regions run at once. */
  maxParallelCopies: number;
  ssmParameter?: string;
  /** share-with: accounts, organizations and OUs that may launch the promoted AMIs (kept: part of the result). */
  shareWith: Recipient[];
  /** launch-template: names or IDs (lt-…) of the launch templates that get a version with the promoted AMI. */
  launchTemplates: string[];
  /** launch-template-default: also make that version the default. */
  launchTemplateDefault: boolean;
  /** The image family, tagged on every promoted AMI; earlier promotions of it are what retire-previous retires. */
  lineage?: string;
  retire: RetirePolicy;
  dryRun: boolean;
  provenance: Provenance;
  /** copy-method: CopyImage of the shared AMI, or CopySnapshot of its snapshots and RegisterImage in the target. */
  copyMethod: CopyMethod;
}
