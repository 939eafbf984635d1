/**
 * The tags this action writes, known to the policy generator too: its conditions allow removing, un-sharing and
 * retiring only resources that carry them, and creating only resources tagged with them at creation.
 */

/** The prefix of every tag key this action writes. */
export const TAG_PREFIX = 'promote-ami:';

/** Tag keys this action writes; their presence is how a later run or cleanup recognises its own resources. */
export const TAG = {
  role: `${TAG_PREFIX}role`,
  sourceAmiId: `${TAG_PREFIX}source-ami-id`,
  sourceAccount: `${TAG_PREFIX}source-account`,
  sourceRegion: `${TAG_PREFIX}source-region`,
  kmsKey: `${TAG_PREFIX}kms-key`,
  repository: `${TAG_PREFIX}repository`,
  commit: `${TAG_PREFIX}commit`,
  runUrl: `${TAG_PREFIX}run-url`,
  lineage: `${TAG_PREFIX}lineage`,
} as const;

/**
 * Key prefixes of the marks runs put on a shared intermediate copy, each followed by the run's lease holder
 * (src/domain/steps/lease.ts) and valid until its value, an ISO time: a lease says a run relies on the copy; a going
 * mark says a run's cleanup is about to deregister it.
 */
export const MARK = {
  lease: `${TAG_PREFIX}lease:`,
  going: `${TAG_PREFIX}going:`,
} as const;

/** The value of TAG.role on the intermediate copy in the source account and on the promoted AMIs, snapshots included. */
export const ROLE_INTERMEDIATE = 'intermediate';
export const ROLE_PROMOTED = 'promoted';
