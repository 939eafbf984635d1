/**
 * Retiring AMIs: DisableImage / EnableImage, and the snapshot deletion of DeregisterImage with
 * DeleteAssociatedSnapshots.
 */
import type { DeleteSnapshotReturnCode, DisableImageRequest, EnableImageRequest } from '@aws-sdk/client-ec2';
import { ec2Decision } from '../auth/access.js';
import type { ImageState } from '../state.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';
import { gate, imageUsing, ownedImage } from './ec2-common.js';
import { imageResource, snapshotResource } from './ec2-resources.js';

/**
 * "Sets the AMI state to disabled and removes all launch permissions from the AMI" (only its owner can)
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableImage.html).
 */
async function disableImage(ctx: CallContext, input: DisableImageRequest): Promise<object> {
  const imageId = required(input.ImageId, 'ImageId');
  await gate(ctx, 'DisableImage', [imageResource(ctx, imageId)], input.DryRun);
  const image = ownedImage(ctx, imageId);
  image.state = 'disabled';
  image.launchUserIds.clear();
  image.launchOrganizationArns.clear();
  image.launchOrganizationalUnitArns.clear();
  image.launchPublic = undefined;
  ctx.mutated = true;
  return { Return: true };
}

/**
 * "The re-enabled AMI is marked as available ... accounts, organizations, and Organizational Units that lost access
 * to the AMI when it was disabled do not regain access automatically"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImage.html).
 */
async function enableImage(ctx: CallContext, input: EnableImageRequest): Promise<object> {
  const imageId = required(input.ImageId, 'ImageId');
  await gate(ctx, 'EnableImage', [imageResource(ctx, imageId)], input.DryRun);
  const image = ownedImage(ctx, imageId);
  if (image.state === 'disabled') {
    image.state = 'available';
    ctx.mutated = true;
  }
  return { Return: true };
}

/**
 * DeregisterImage with DeleteAssociatedSnapshots, once the image is gone: each snapshot's ReturnCode
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSnapshotReturnCode.html): `skipped` when another
 * AMI uses it, `missing-permissions` when the caller may not ec2:DeleteSnapshot it (authorized as DeleteSnapshot is,
 * on the snapshot with its tags), else `success`. A locked snapshot
 * (EBS Snapshot Lock) cannot be deleted; which code AWS then answers is undocumented: `client-error` here.
 */
export async function deleteAssociatedSnapshots(ctx: CallContext, image: ImageState): Promise<DeleteSnapshotReturnCode[]> {
  const caller = callerOf(ctx);
  const keys = ctx.settings.ec2ConditionKeys;
  const results: DeleteSnapshotReturnCode[] = [];
  for (const { snapshotId } of image.blockDevices) {
    const snapshot = ctx.state.snapshots.get(snapshotId);
    if (!snapshot) continue;
    if (imageUsing(ctx.state, snapshotId)) {
      results.push({ SnapshotId: snapshotId, ReturnCode: 'skipped' });
    } else if ((await ec2Decision(caller, 'ec2:DeleteSnapshot', snapshotResource(ctx, snapshotId), ctx.region, keys)).decision !== 'Allowed') {
      results.push({ SnapshotId: snapshotId, ReturnCode: 'missing-permissions' });
    } else if (snapshot.locked) {
      results.push({ SnapshotId: snapshotId, ReturnCode: 'client-error' });
    } else {
      ctx.state.snapshots.delete(snapshotId);
      results.push({ SnapshotId: snapshotId, ReturnCode: 'success' });
    }
  }
  return results;
}

export const imageRetirementOperations: Record<string, Handler> = {
  DisableImage: op(disableImage),
  EnableImage: op(enableImage),
};
