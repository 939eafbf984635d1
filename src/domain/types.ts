import type { KmsKeyArn, RoleArn } from '../aws/arn.js';
import type { AutoscalingAccessMode, KeyAccessMode } from '../policy/modes.js';

export type { Side } from '../aws/errors.js';
export type { AutoscalingAccessMode, KeyAccessMode };

export interface Tag {
  Key: string;
  Value: string;
}

/** The key for the final copy in the target account, as the target-kms-key input names it. */
export type TargetKeySpec =
  | { kind: 'default' }
  | { kind: 'arn'; key: KmsKeyArn }
  | { kind: 'alias'; aliasName: string };

/** Where this promotion comes from, recorded as provenance tags. */
export interface Provenance {
  repository?: string;
  commitSha?: string;
  runUrl?: string;
  runId?: string;
  runAttempt?: string;
}

export interface PromotionRequest {
  sourceAmiId: string;
  sourceRegion: string;
  kmsKey: KmsKeyArn;
  targetRole: RoleArn;
  sourceRole?: RoleArn;
  targetRegions: string[];
  targetKey: TargetKeySpec;
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
  ssmParameter?: string;
  dryRun: boolean;
  provenance: Provenance;
}
