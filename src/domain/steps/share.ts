import {
  DescribeImageAttributeCommand,
  DescribeSnapshotAttributeCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  type CreateVolumePermission,
  type LaunchPermission,
} from '@aws-sdk/client-ec2';
import { PERMISSIONS_PER_CALL, batches } from '../../aws/attribute-limits.js';
import { call } from '../../aws/explain.js';
import { siteOf, targetAccountIds, type PromotionContext } from '../context.js';
import { removedByAnotherRun } from './lease.js';
import type { SharedImage } from './reencrypt.js';

export interface ShareReport {
  /** Resources this run shared with at least one target account (and cleanup will unshare). */
  added: string[];
  /** Resources at least one target account could already use before this run (left as they are for it). */
  alreadyShared: string[];
}

/** Target accounts that a permission list does not name yet. */
function missingFrom(permissions: (LaunchPermission | CreateVolumePermission)[] | undefined, accountIds: string[]): string[] {
  return accountIds.filter((id) => !permissions?.some((p) => p.UserId === id));
}

/** What sharing one resource did: the target accounts it was shared with now. */
interface Shared {
  resourceId: string;
  added: string[];
}

async function shareImage(ctx: PromotionContext, image: SharedImage, accountIds: string[]): Promise<Shared> {
  const region = ctx.request.sourceRegion;
  const ec2 = ctx.source.ec2(region);
  const site = siteOf(ctx.source, region);
  const current = await call({ ...site, what: `Reading the launch permissions of ${image.imageId}`, action: 'ec2:DescribeImageAttribute' }, () =>
    ec2.send(new DescribeImageAttributeCommand({ ImageId: image.imageId, Attribute: 'launchPermission' })),
  );
  const add = missingFrom(current.LaunchPermissions, accountIds);
  for (const batch of batches(add, PERMISSIONS_PER_CALL.image)) {
    await call({ ...site, what: `Sharing ${image.imageId} with account ${batch.join(', ')}`, action: 'ec2:ModifyImageAttribute' }, () =>
      ec2.send(new ModifyImageAttributeCommand({ ImageId: image.imageId, LaunchPermission: { Add: batch.map((UserId) => ({ UserId })) } })),
    );
    for (const accountId of batch) ctx.journal.record({ kind: 'launch-permission', region, imageId: image.imageId, accountId });
  }
  return { resourceId: image.imageId, added: add };
}

async function shareSnapshot(ctx: PromotionContext, snapshotId: string, accountIds: string[]): Promise<Shared> {
  const region = ctx.request.sourceRegion;
  const ec2 = ctx.source.ec2(region);
  const site = siteOf(ctx.source, region);
  const current = await call({ ...site, what: `Reading the volume permissions of ${snapshotId}`, action: 'ec2:DescribeSnapshotAttribute' }, () =>
    ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' })),
  );
  const add = missingFrom(current.CreateVolumePermissions, accountIds);
  for (const batch of batches(add, PERMISSIONS_PER_CALL.snapshot)) {
    await call({ ...site, what: `Sharing snapshot ${snapshotId} with account ${batch.join(', ')}`, action: 'ec2:ModifySnapshotAttribute' }, () =>
      ec2.send(
        new ModifySnapshotAttributeCommand({
          SnapshotId: snapshotId,
          Attribute: 'createVolumePermission',
          CreateVolumePermission: { Add: batch.map((UserId) => ({ UserId })) },
        }),
      ),
    );
    for (const accountId of batch) ctx.journal.record({ kind: 'volume-permission', region, snapshotId, accountId });
  }
  return { resourceId: snapshotId, added: add };
}

/**
 * Launch permission on the AMI (not with copy-method snapshots) and createVolumePermission on each snapshot, for the target accounts only, each
 * resource in one call for all of them. A permission that already existed is not added again and never removed
 * by cleanup, so each resource's permissions are read first.
 */
export async function shareWithTargets(ctx: PromotionContext, image: SharedImage): Promise<ShareReport> {
  const accountIds = targetAccountIds(ctx);
  const sharedImage = () =>
    shareImage(ctx, image, accountIds).catch(
      image.intermediate ? removedByAnotherRun(ctx, image.imageId, `Sharing ${image.imageId} with account ${accountIds.join(', ')}`) : undefined,
    );
  // copy-method snapshots: the snapshots only, never a launch permission on the AMI.
  const images = ctx.request.copyMethod === 'snapshots' ? [] : [sharedImage()];
  const settled = await Promise.allSettled([...images, ...image.snapshotIds.map((id) => shareSnapshot(ctx, id, accountIds))]);
  // The image's failure first: when the intermediate copy is gone, its snapshots are too, and the image's error says why.
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  const shared = settled.map((result) => (result as PromiseFulfilledResult<Shared>).value);
  const report: ShareReport = {
    added: shared.filter((s) => s.added.length > 0).map((s) => s.resourceId),
    alreadyShared: shared.filter((s) => s.added.length < accountIds.length).map((s) => s.resourceId),
  };
  ctx.log.info(
    `Shared with account ${accountIds.join(', ')}: ${report.added.join(', ') || 'nothing new'}` +
      (report.alreadyShared.length ? `; already shared before this run: ${report.alreadyShared.join(', ')}` : ''),
  );
  return report;
}
