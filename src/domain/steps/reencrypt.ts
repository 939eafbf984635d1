import { CopyImageCommand, DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { call, siteOf } from '../../aws/explain.js';
import { snapshotIdsOf } from '../../aws/images.js';
import type { PromotionContext } from '../context.js';
import { PromotionError, errorName } from '../../aws/errors.js';
import type { SourceImage } from '../lookups/inspect.js';
import type { SourceKey } from '../lookups/source-key.js';
import { intermediateTags } from '../provenance.js';
import { ROLE_INTERMEDIATE, TAG } from '../tags.js';
import { clientToken, shortHash } from '../tokens.js';
import { waitForImage } from './wait.js';

export interface SharedImage {
  imageId: string;
  snapshotIds: string[];
  /** True when this is an intermediate copy made (or found) by the action, false for the source AMI itself. */
  intermediate: boolean;
}

/** An intermediate copy of the same source under the same key, left by a concurrent or earlier run. */
async function findIntermediate(ctx: PromotionContext, key: SourceKey): Promise<Image | undefined> {
  const { request } = ctx;
  const response = await call(
    {
      what: 'Looking for an intermediate copy',
      ...siteOf(ctx, 'source', request.sourceRegion),
      action: 'ec2:DescribeImages',
    },
    () =>
      ctx.source.ec2(request.sourceRegion).send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [
            { Name: `tag:${TAG.role}`, Values: [ROLE_INTERMEDIATE] },
            { Name: `tag:${TAG.sourceAmiId}`, Values: [request.sourceAmiId] },
            { Name: `tag:${TAG.kmsKey}`, Values: [key.arn] },
            { Name: 'state', Values: ['available', 'pending'] },
          ],
        }),
      ),
  );
  return response.Images?.find((image) => image.ImageId);
}

/**
 * Step 2: a copy of the AMI in the source account under the CMK, unless the source account owns the AMI
 * and every snapshot is already under the CMK (then the AMI itself is shared).
 */
export async function reencrypt(ctx: PromotionContext, source: SourceImage, key: SourceKey, needed: boolean): Promise<SharedImage> {
  if (!needed) {
    ctx.log.info(`${source.imageId} is owned by the source account and every snapshot is under ${key.arn}: sharing it as it is.`);
    return { imageId: source.imageId, snapshotIds: source.snapshots.map((s) => s.snapshotId), intermediate: false };
  }
  const { request, sourceIdentity } = ctx;
  const region = request.sourceRegion;
  const site = siteOf(ctx, 'source', region);
  let imageId = (await findIntermediate(ctx, key))?.ImageId;
  if (imageId) {
    ctx.log.info(`Reusing the intermediate copy ${imageId} of ${source.imageId} under ${key.arn}.`);
  } else {
    const tags = intermediateTags(ctx, source, key);
    const name = `promote-ami-${source.imageId}-${shortHash(key.arn)}`.slice(0, 128);
    const what = `Re-encrypting ${source.imageId} with ${key.arn}`;
    const response = await call({ ...site, what, action: 'ec2:CopyImage' }, () =>
      ctx.source.ec2(region).send(
        new CopyImageCommand({
          SourceImageId: source.imageId,
          SourceRegion: region,
          Name: name,
          Description: `Re-encrypted copy of ${source.imageId} for promotion (temporary)`,
          Encrypted: true,
          KmsKeyId: key.arn,
          // Per target account: a matrix job that starts after another job removed the shared copy must not get its ID back.
          ClientToken: clientToken('intermediate', source.imageId, key.arn, ctx.targetIdentity.accountId, request.provenance.runId, request.provenance.runAttempt),
          TagSpecifications: [
            { ResourceType: 'image', Tags: tags },
            { ResourceType: 'snapshot', Tags: tags },
          ],
        }),
      ).catch(async (error: unknown) => {
        if (errorName(error) !== 'InvalidAMIName.Duplicate') throw error;
        // A concurrent run of the same source started its intermediate copy (same name) after we looked: use it.
        const concurrent = (await findIntermediate(ctx, key))?.ImageId;
        if (concurrent) return { ImageId: concurrent, concurrent: true };
        throw new PromotionError({
          ...site,
          what,
          why: `the source account already has an AMI named "${name}" that is not a usable intermediate copy (it may have failed).`,
          fix: `Deregister that AMI in ${region} of account ${sourceIdentity.accountId}, then run the promotion again.`,
          cause: error,
        });
      }),
    );
    imageId = response.ImageId as string;
    ctx.log.info(
      'concurrent' in response
        ? `Reusing the intermediate copy ${imageId} of ${source.imageId} under ${key.arn}, started by a concurrent run.`
        : `Re-encrypting ${source.imageId} with ${key.arn} as ${imageId}.`,
    );
  }
  ctx.journal.record({ kind: 'intermediate-copy', region, imageId, snapshotIds: [] });
  const image = await waitForImage(
    { label: 'intermediate copy', ...site, imageId, ec2: ctx.source.ec2(region), keyDescription: key.arn },
    { clock: ctx.clock, log: ctx.log, signal: ctx.signal, deadline: ctx.deadline },
  );
  const snapshotIds = snapshotIdsOf(image);
  ctx.journal.record({ kind: 'intermediate-copy', region, imageId, snapshotIds });
  return { imageId, snapshotIds, intermediate: true };
}
