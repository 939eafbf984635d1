import {
  DescribeImageAttributeCommand,
  DescribeSnapshotAttributeCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { call } from '../../aws/explain.js';
import { siteOf } from '../site.js';
import type { PromotionContext } from '../context.js';
import type { SharedImage } from './reencrypt.js';

export interface ShareReport {
  /** Resources this run shared (and cleanup will unshare). */
  added: string[];
  /** Resources the target account could already use before this run (left as they are). */
  alreadyShared: string[];
}

/**
 * Step 4: launch permission on the AMI and createVolumePermission on each snapshot, for the target
 * account only. A permission that already existed is not added again and never removed by cleanup.
 */
export async function shareWithTarget(ctx: PromotionContext, image: SharedImage): Promise<ShareReport> {
  const region = ctx.request.sourceRegion;
  const accountId = ctx.targetIdentity.accountId;
  const ec2 = ctx.source.ec2(region);
  const site = { ...siteOf(ctx, 'source', region) };
  const report: ShareReport = { added: [], alreadyShared: [] };

  const launch = await call({ ...site, what: `Reading the launch permissions of ${image.imageId}`, action: 'ec2:DescribeImageAttribute' }, () =>
    ec2.send(new DescribeImageAttributeCommand({ ImageId: image.imageId, Attribute: 'launchPermission' })),
  );
  if (launch.LaunchPermissions?.some((p) => p.UserId === accountId)) {
    report.alreadyShared.push(image.imageId);
  } else {
    await call({ ...site, what: `Sharing ${image.imageId} with account ${accountId}`, action: 'ec2:ModifyImageAttribute' }, () =>
      ec2.send(new ModifyImageAttributeCommand({ ImageId: image.imageId, LaunchPermission: { Add: [{ UserId: accountId }] } })),
    );
    ctx.journal.record({ kind: 'launch-permission', region, imageId: image.imageId, accountId });
    report.added.push(image.imageId);
  }

  for (const snapshotId of image.snapshotIds) {
    const current = await call({ ...site, what: `Reading the volume permissions of ${snapshotId}`, action: 'ec2:DescribeSnapshotAttribute' }, () =>
      ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' })),
    );
    if (current.CreateVolumePermissions?.some((p) => p.UserId === accountId)) {
      report.alreadyShared.push(snapshotId);
      continue;
    }
    await call({ ...site, what: `Sharing snapshot ${snapshotId} with account ${accountId}`, action: 'ec2:ModifySnapshotAttribute' }, () =>
      ec2.send(
        new ModifySnapshotAttributeCommand({
          SnapshotId: snapshotId,
          Attribute: 'createVolumePermission',
          CreateVolumePermission: { Add: [{ UserId: accountId }] },
        }),
      ),
    );
    ctx.journal.record({ kind: 'volume-permission', region, snapshotId, accountId });
    report.added.push(snapshotId);
  }
  ctx.log.info(
    `Shared with account ${accountId}: ${report.added.join(', ') || 'nothing new'}` +
      (report.alreadyShared.length ? `; already shared before this run: ${report.alreadyShared.join(', ')}` : ''),
  );
  return report;
}
