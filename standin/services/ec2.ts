/** The EC2 operations the action calls. */
import type { CreateTagsRequest, DeleteTagsRequest, GetEbsDefaultKmsKeyIdRequest, GetEbsDefaultKmsKeyIdResult, Tag } from '@aws-sdk/client-ec2';
import { requestTagContext } from '../auth/ec2-context.js';
import { aliasArn } from '../arns.js';
import { awsError } from '../errors.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';
import { addTags, gate, removeTags, visibleImage, visibleSnapshot } from './ec2-common.js';
import { allowedImagesOperations } from './ec2-allowed-images.js';
import { copyImage } from './ec2-copy.js';
import { registerImage } from './ec2-register.js';
import { copySnapshot } from './ec2-snapshot-copy.js';
import { imageReferenceOperations } from './ec2-image-references.js';
import { imageRetirementOperations } from './ec2-image-retirement.js';
import { imageOperations } from './ec2-images.js';
import { launchTemplateOperations } from './ec2-launch-templates.js';
import { snapshotOperations } from './ec2-snapshots.js';
import { ANY, imageResource, snapshotResource } from './ec2-resources.js';

/**
 * The tags of each image and snapshot a tagging call names, after the caller's permission for `action` on each, with
 * the request's aws:RequestTag / aws:TagKeys and the resource's tags; a direct call carries no ec2:CreateAction
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
 */
async function taggedResources(
  ctx: CallContext,
  action: string,
  input: { Resources?: string[]; Tags?: Tag[]; DryRun?: boolean },
): Promise<Map<string, Map<string, string>>[]> {
  const request = requestTagContext(input.Tags);
  const targets = required(input.Resources, 'ResourceId').map((id) => {
    if (id.startsWith('ami-')) return { resource: imageResource(ctx, id, ctx.region, request), tags: () => visibleImage(ctx, id).tags };
    if (id.startsWith('snap-')) return { resource: snapshotResource(ctx, id, ctx.region, request), tags: () => visibleSnapshot(ctx, id).tags };
    throw awsError('InvalidID', `The ID '${id}' is not valid`);
  });
  await gate(ctx, action, targets.map((t) => t.resource), input.DryRun);
  return targets.map((t) => t.tags());
}

async function createTags(ctx: CallContext, input: CreateTagsRequest): Promise<object> {
  const tags = required(input.Tags, 'Tag');
  const maps = await taggedResources(ctx, 'CreateTags', input);
  for (const map of maps) addTags(map, callerOf(ctx).accountId, tags);
  ctx.mutated = true;
  return {};
}

async function deleteTags(ctx: CallContext, input: DeleteTagsRequest): Promise<object> {
  const maps = await taggedResources(ctx, 'DeleteTags', input);
  for (const map of maps) removeTags(map, callerOf(ctx).accountId, input.Tags);
  ctx.mutated = true;
  return {};
}

async function getEbsDefaultKmsKeyId(ctx: CallContext, input: GetEbsDefaultKmsKeyIdRequest): Promise<GetEbsDefaultKmsKeyIdResult> {
  await gate(ctx, 'GetEbsDefaultKmsKeyId', ANY, input.DryRun);
  const account = callerOf(ctx).accountId;
  const configured = ctx.state.settings(account, ctx.region).ebsDefaultKmsKeyId;
  if (configured) return { KmsKeyId: ctx.state.resolveKey(account, ctx.region, configured)?.arn ?? configured };
  const key = ctx.state.awsManagedKey(account, ctx.region);
  switch (ctx.settings.ebsDefaultKeyIdForm) {
    case 'alias-arn':
      return { KmsKeyId: aliasArn(account, ctx.region, 'alias/aws/ebs') };
    case 'alias-name':
      return { KmsKeyId: 'alias/aws/ebs' };
    default:
      return { KmsKeyId: key?.arn };
  }
}

export const ec2Operations: Record<string, Handler> = {
  ...imageOperations,
  ...snapshotOperations,
  ...imageRetirementOperations,
  ...imageReferenceOperations,
  ...allowedImagesOperations,
  ...launchTemplateOperations,
  CopyImage: op(copyImage),
  CopySnapshot: op(copySnapshot),
  RegisterImage: op(registerImage),
  CreateTags: op(createTags),
  DeleteTags: op(deleteTags),
  GetEbsDefaultKmsKeyId: op(getEbsDefaultKmsKeyId),
};
