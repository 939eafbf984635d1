/**
 * What CopyImage is authorized on. The Service Authorization Reference lists image* and snapshot* for ec2:CopyImage
 * (image: aws:RequestTag, aws:TagKeys, ec2:ImageID, ec2:Owner; snapshot: aws:RequestTag, aws:TagKeys):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-actions-as-permissions
 * "Starting October 28, 2024, you can specify resource-level permissions for the CopyImage action on the source AMI
 * ... you can specify snapshots in the Resource element"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/copy-ami-permissions.html): the source image (its ARN in the
 * source region) and its snapshots, then the new image and new snapshots (with the request's tags for them).
 * Tags given in TagSpecifications are also authorized as ec2:CreateTags on the new resources with ec2:CreateAction =
 * CopyImage (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html; the copy page's
 * example denies ec2:CreateTags on snapshots to stop the tagging of the new snapshots).
 * UNCONFIRMED in AWS: the ARN a resource not yet created is authorized by; here the ID it is about to get.
 */
import type { CopyImageRequest } from '@aws-sdk/client-ec2';
import { requestTagContext, type ConditionContext, type Ec2Resource } from '../auth/ec2-context.js';
import { imageArn, snapshotArn } from '../arns.js';
import type { CallContext } from './context.js';
import { gate } from './ec2-common.js';
import { imageResource, snapshotResource } from './ec2-resources.js';

/** The IDs the copy's new image and snapshots get (one snapshot per source snapshot, in order). */
export interface PlannedCopy {
  imageId: string;
  snapshotIds: string[];
}

const tagsOf = (input: CopyImageRequest, type: 'image' | 'snapshot') =>
  (input.TagSpecifications ?? []).filter((s) => s.ResourceType === type).flatMap((s) => s.Tags ?? []);

function sourceResources(ctx: CallContext, input: CopyImageRequest, request: ConditionContext): Ec2Resource[] {
  const { SourceImageId: imageId = '', SourceRegion: region = '' } = input;
  const source = ctx.state.images.get(imageId);
  const snapshots = source && source.region === region ? source.blockDevices.map((d) => snapshotResource(ctx, d.snapshotId, region, request)) : [];
  return [imageResource(ctx, imageId, region, request), ...snapshots];
}

/** Authorizes the copy (and the tagging at creation), then answers DryRun; returns the IDs of what it creates. */
export async function authorizeCopy(ctx: CallContext, input: CopyImageRequest): Promise<PlannedCopy> {
  const source = ctx.state.images.get(input.SourceImageId ?? '');
  const planned: PlannedCopy = {
    imageId: ctx.state.newImageId(),
    snapshotIds: (source?.blockDevices ?? []).map(() => ctx.state.newSnapshotId()),
  };
  const imageRequest = requestTagContext(tagsOf(input, 'image'));
  const snapshotRequest = requestTagContext(tagsOf(input, 'snapshot'));
  const sourceRequest = ctx.settings.copySourceRequestTags ? { ...imageRequest, ...snapshotRequest } : {};
  const newImage: Ec2Resource = { arn: imageArn(ctx.region, planned.imageId), type: 'image', context: imageRequest };
  const newSnapshots: Ec2Resource[] = planned.snapshotIds.map((id) => ({ arn: snapshotArn(ctx.region, id), type: 'snapshot', context: snapshotRequest }));
  const tagged = [
    ...(tagsOf(input, 'image').length ? [newImage] : []),
    ...(tagsOf(input, 'snapshot').length ? newSnapshots : []),
  ].map((r) => ({ ...r, context: { ...r.context, 'ec2:CreateAction': 'CopyImage' } }));
  await gate(ctx, 'CopyImage', [...sourceResources(ctx, input, sourceRequest), newImage, ...newSnapshots], tagged.length ? false : input.DryRun);
  if (tagged.length) await gate(ctx, 'CreateTags', tagged, input.DryRun);
  return planned;
}
