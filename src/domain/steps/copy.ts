import { CopyImageCommand } from '@aws-sdk/client-ec2';
import { copiedFrom, snapshotIdsOf, type CopiedFrom } from '../../aws/images.js';
import { explainAwsError } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';
import { PromotionError, errorMessage, errorName } from '../../aws/errors.js';
import type { SourceImage } from '../lookups/inspect.js';
import { promotedDescription, promotedName, promotedTags } from '../provenance.js';
import type { SharedImage } from './reencrypt.js';
import type { TargetKey } from '../lookups/target-key.js';
import { clientToken } from '../tokens.js';
import { waitForImage } from './wait.js';

export interface TargetCopy {
  region: string;
  imageId: string;
  snapshotIds: string[];
  key: TargetKey;
  seconds: number;
  /** The copy's source as EC2 reports it: the shared AMI. */
  copiedFrom?: CopiedFrom;
}

type CopySite = ReturnType<typeof siteOf> & { what: string; action: string };

/**
 * Why starting a copy into the target failed (CopyImage, or CopySnapshot and RegisterImage for copy-method snapshots),
 * and the fix: a name taken, the shared AMI or its storage not readable, too many copies, else the shared explanation.
 */
export function copyStartError(ctx: TargetContext, sharedId: string, name: string, site: CopySite, error: unknown): Error {
  const { request } = ctx;
  const { region } = site;
  const targetIdentity = ctx.target.identity;
  const message = errorMessage(error);
  if (errorName(error) === 'InvalidAMIName.Duplicate') {
    return new PromotionError({ ...site, why: `the target account already has an AMI named "${name}" in ${region}.`, fix: 'Set ami-name to a new name (for example with the version or date in it), or deregister the old AMI.', cause: error });
  }
  if (/permission to access the storage/i.test(message)) {
    return new PromotionError({
      ...site,
      why: `the target account may not read the snapshots of ${sharedId} (${message}).`,
      fix: `Every snapshot of ${sharedId} needs a createVolumePermission for account ${targetIdentity.accountId}; the action adds them, so check that nothing removed them during the run.`,
      cause: error,
    });
  }
  if (errorName(error) === 'InvalidAMIID.NotFound') {
    return new PromotionError({
      ...site,
      why:
        `the target account does not see ${sharedId} in ${request.sourceRegion} (InvalidAMIID.NotFound: ${message}): its launch permission for account ${targetIdentity.accountId} was removed ` +
        `during the run, or the target account's Allowed AMIs setting in ${region} does not allow AMIs of account ${ctx.source.identity.accountId} (see the preflight's Allowed AMIs finding).`,
      fix: `Allow AMIs of account ${ctx.source.identity.accountId} in the Allowed AMIs setting of account ${targetIdentity.accountId} (aws ec2 get-allowed-images-settings --region ${region} shows it), then re-run.`,
      cause: error,
    });
  }
  if (errorName(error) === 'InvalidSnapshot.NotFound') {
    return new PromotionError({
      ...site,
      why: `the target account does not see a snapshot of ${sharedId} in ${request.sourceRegion} (InvalidSnapshot.NotFound: ${message}): its createVolumePermission for account ${targetIdentity.accountId} was removed during the run, or the snapshot was deleted.`,
      fix: `Check that nothing removes the sharing of the snapshots of ${sharedId} while the promotion runs, then re-run.`,
      cause: error,
    });
  }
  if (errorName(error) === 'ResourceLimitExceeded') {
    return new PromotionError({ ...site, why: `too many copies are running in ${region} (${message}); AWS allows about 20 concurrent snapshot copies per region.`, fix: 'Re-run when other copies have finished, or promote to fewer regions at a time.', cause: error });
  }
  return explainAwsError(error, site);
}

/** One region of a target account: CopyImage with target credentials from the shared AMI, under the target's key. */
export async function startTargetCopy(ctx: TargetContext, source: SourceImage, shared: SharedImage, key: TargetKey): Promise<string> {
  const { request } = ctx;
  const name = promotedName(ctx, source);
  const tags = promotedTags(ctx, source, key);
  const site = {
    what: `Copying ${shared.imageId} into the target account`,
    ...siteOf(ctx.target, key.region),
    action: 'ec2:CopyImage',
  };
  try {
    const response = await ctx.target.ec2(key.region).send(
      new CopyImageCommand({
        SourceImageId: shared.imageId,
        SourceRegion: request.sourceRegion,
        Name: name,
        Description: promotedDescription(ctx, source),
        Encrypted: true,
        KmsKeyId: key.arn,
        ClientToken: clientToken('promote', shared.imageId, key.region, key.label, name, request.provenance.runId, request.provenance.runAttempt),
        SnapshotCopyCompletionDurationMinutes: request.copyCompletionMinutes,
        TagSpecifications: [
          { ResourceType: 'image', Tags: tags },
          { ResourceType: 'snapshot', Tags: tags },
        ],
      }),
    );
    return response.ImageId as string;
  } catch (error) {
    throw copyStartError(ctx, shared.imageId, name, site, error);
  }
}

/** The copy into one region of a target account, from the start to the available AMI; journaled as it goes. */
export async function copyInto(ctx: TargetContext, source: SourceImage, shared: SharedImage, key: TargetKey): Promise<TargetCopy> {
  // A copy that waited for its turn does not start after a cancellation.
  ctx.signal.throwIfAborted();
  const accountId = ctx.target.identity.accountId;
  const started = ctx.clock.now();
  const imageId = await startTargetCopy(ctx, source, shared, key);
  ctx.journal.record({ kind: 'target-copy', accountId, region: key.region, imageId });
  ctx.log.info(`Copying into ${key.region} of ${accountId} as ${imageId} under ${key.display}.`);
  const image = await waitForImage(
    { label: `target copy in ${key.region}`, ...siteOf(ctx.target, key.region), imageId, ec2: ctx.target.ec2(key.region), keyDescription: key.display },
    { clock: ctx.clock, log: ctx.log, signal: ctx.signal, deadline: ctx.deadline },
  );
  ctx.journal.record({ kind: 'target-copy-done', accountId, region: key.region, imageId });
  return { region: key.region, imageId, snapshotIds: snapshotIdsOf(image), key, seconds: Math.round((ctx.clock.now() - started) / 1000), copiedFrom: copiedFrom(image) };
}
