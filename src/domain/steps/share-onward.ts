import { PERMISSIONS_PER_CALL, batches } from '../../aws/attribute-limits.js';
import { DescribeImageAttributeCommand, ModifyImageAttributeCommand, type LaunchPermission } from '@aws-sdk/client-ec2';
import { call } from '../../aws/explain.js';
import { recipientId, recipientsOf, type Recipient } from '../../policy/recipients.js';
import { siteOf, type TargetContext } from '../context.js';
import type { FinishedImage } from './finish.js';

/** The onward sharing of one promoted AMI: never undone by cleanup, it is part of the result. */
export interface OnwardShare {
  accountId: string;
  region: string;
  imageId: string;
  /** Recipients (account IDs and ARNs) this run added. */
  added: string[];
  /** Recipients that could already launch the AMI. */
  already: string[];
}

// An AMI is shared with at most 1,000 entities per Region unless the quota is raised:
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-quotas.html

function launchPermissionOf(recipient: Recipient): LaunchPermission {
  switch (recipient.kind) {
    case 'account':
      return { UserId: recipient.accountId };
    case 'organization':
      return { OrganizationArn: recipient.arn };
    default:
      return { OrganizationalUnitArn: recipient.arn };
  }
}

function names(permission: LaunchPermission, recipient: Recipient): boolean {
  const id = recipientId(recipient);
  return permission.UserId === id || permission.OrganizationArn === id || permission.OrganizationalUnitArn === id;
}

/**
 * Launch permission for every recipient not yet named, in one call per AMI. Recipients need nothing on the snapshots to
 * launch the AMI ("the system provides the instance access to the referenced EBS snapshots for the launch"), only the
 * use of their key; snapshots cannot be shared with organizations or OUs at all, so none are shared.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/share-amis-org-ou-manage.html
 */
async function shareImage(ctx: TargetContext, { region, imageId }: FinishedImage, recipients: Recipient[]): Promise<OnwardShare> {
  const site = siteOf(ctx.target, region);
  const ec2 = ctx.target.ec2(region);
  const current = await call({ ...site, what: `Reading the launch permissions of ${imageId}`, action: 'ec2:DescribeImageAttribute' }, () =>
    ec2.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' })),
  );
  const permissions = current.LaunchPermissions ?? [];
  const missing = recipients.filter((r) => !permissions.some((p) => names(p, r)));
  for (const part of batches(missing, PERMISSIONS_PER_CALL.image)) {
    const ids = part.map(recipientId);
    await call({ ...site, what: `Sharing ${imageId} with ${ids.join(', ')}`, action: 'ec2:ModifyImageAttribute' }, () =>
      ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: part.map(launchPermissionOf) } })),
    );
  }
  const share: OnwardShare = {
    accountId: ctx.target.identity.accountId,
    region,
    imageId,
    added: missing.map(recipientId),
    already: recipients.filter((r) => !missing.includes(r)).map(recipientId),
  };
  ctx.log.info(
    `${imageId} (${share.accountId}, ${region}) may be launched by ${recipients.map(recipientId).join(', ')}: ` +
      `${share.added.length > 0 ? `added ${share.added.join(', ')}` : 'nothing new'}${share.already.length > 0 ? `; already shared: ${share.already.join(', ')}` : ''}.`,
  );
  return share;
}

/** share-with: every promoted AMI of the target account, new or reused, gets launch permissions for the recipients. */
export async function shareOnward(ctx: TargetContext, images: FinishedImage[]): Promise<OnwardShare[]> {
  const recipients = recipientsOf(ctx.request.shareWith, ctx.target.identity.accountId);
  if (recipients.length === 0) return [];
  return Promise.all(images.map((image) => shareImage(ctx, image, recipients)));
}
