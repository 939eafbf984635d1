import { CopyImageCommand } from '@aws-sdk/client-ec2';
import { explainAwsError, siteOf } from '../../aws/explain.js';
import { snapshotIdsOf } from '../../aws/images.js';
import type { PromotionContext } from '../context.js';
import { PromotionError, errorName } from '../../aws/errors.js';
import type { SourceImage } from '../lookups/inspect.js';
import { promotedName, promotedTags } from '../provenance.js';
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
}

/** Step 5 for one region: CopyImage with target credentials from the shared AMI, under the target's key. */
export async function startTargetCopy(ctx: PromotionContext, source: SourceImage, shared: SharedImage, key: TargetKey): Promise<string> {
  const { request, targetIdentity } = ctx;
  const name = promotedName(ctx, source);
  const tags = promotedTags(ctx, source, key);
  const site = {
    what: `Copying ${shared.imageId} into the target account`,
    ...siteOf(ctx, 'target', key.region),
    action: 'ec2:CopyImage',
  };
  try {
    const response = await ctx.target.ec2(key.region).send(
      new CopyImageCommand({
        SourceImageId: shared.imageId,
        SourceRegion: request.sourceRegion,
        Name: name,
        Description: request.amiDescription ?? source.description ?? `Promoted from ${source.imageId} (account ${ctx.sourceIdentity.accountId}, ${request.sourceRegion})`,
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
    const message = error instanceof Error ? error.message : String(error);
    if (errorName(error) === 'InvalidAMIName.Duplicate') {
      throw new PromotionError({ ...site, why: `the target account already has an AMI named "${name}" in ${key.region}.`, fix: 'Set ami-name to a new name (for example with the version or date in it), or deregister the old AMI.', cause: error });
    }
    if (/permission to access the storage/i.test(message)) {
      throw new PromotionError({
        ...site,
        why: `the target account may not read the snapshots of ${shared.imageId} (${message}).`,
        fix: `Every snapshot of ${shared.imageId} needs a createVolumePermission for account ${targetIdentity.accountId}; the action adds them, so check that nothing removed them during the run.`,
        cause: error,
      });
    }
    if (errorName(error) === 'ResourceLimitExceeded') {
      throw new PromotionError({ ...site, why: `too many copies are running in ${key.region} (${message}); AWS allows about 20 concurrent snapshot copies per region.`, fix: 'Re-run when other copies have finished, or promote to fewer regions at a time.', cause: error });
    }
    throw explainAwsError(error, site);
  }
}

/** Steps 5 and 6 for every target region in parallel; every copy is awaited before a failure is reported. */
export async function copyToTargets(ctx: PromotionContext, source: SourceImage, shared: SharedImage, keys: TargetKey[]): Promise<TargetCopy[]> {
  const results = await Promise.allSettled(
    keys.map(async (key): Promise<TargetCopy> => {
      const started = ctx.clock.now();
      const imageId = await startTargetCopy(ctx, source, shared, key);
      ctx.journal.record({ kind: 'target-copy', region: key.region, imageId });
      ctx.log.info(`Copying into ${key.region} as ${imageId} under ${key.display}.`);
      const image = await waitForImage(
        { label: `target copy in ${key.region}`, ...siteOf(ctx, 'target', key.region), imageId, ec2: ctx.target.ec2(key.region), keyDescription: key.display },
        { clock: ctx.clock, log: ctx.log, signal: ctx.signal, deadline: ctx.deadline },
      );
      ctx.journal.record({ kind: 'target-copy-done', region: key.region, imageId });
      const snapshotIds = snapshotIdsOf(image);
      return { region: key.region, imageId, snapshotIds, key, seconds: Math.round((ctx.clock.now() - started) / 1000) };
    }),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  for (const extra of failures.slice(1)) ctx.log.warning(extra instanceof Error ? extra.message : String(extra));
  if (failures.length > 0) throw failures[0];
  return results.map((r) => (r as PromiseFulfilledResult<TargetCopy>).value);
}
