/** The EC2 operations the action calls. */
import type { CreateTagsRequest, DeleteTagsRequest, GetEbsDefaultKmsKeyIdRequest, GetEbsDefaultKmsKeyIdResult } from '@aws-sdk/client-ec2';
import { aliasArn, imageArn, snapshotArn } from '../arns.js';
import { awsError } from '../errors.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';
import { addTags, gate, removeTags, visibleImage, visibleSnapshot } from './ec2-common.js';
import { allowedImagesOperations } from './ec2-allowed-images.js';
import { copyImage } from './ec2-copy.js';
import { imageReferenceOperations } from './ec2-image-references.js';
import { imageRetirementOperations } from './ec2-image-retirement.js';
import { imageOperations } from './ec2-images.js';
import { launchTemplateOperations } from './ec2-launch-templates.js';
import { snapshotOperations } from './ec2-snapshots.js';

/** The tags of each image and snapshot a tagging call names, after the caller's permission for `action` on each. */
async function taggedResources(ctx: CallContext, action: string, resources: string[], dryRun: boolean | undefined): Promise<Map<string, Map<string, string>>[]> {
  const targets = resources.map((id) => {
    if (id.startsWith('ami-')) return { arn: imageArn(ctx.region, id), tags: () => visibleImage(ctx, id).tags };
    if (id.startsWith('snap-')) return { arn: snapshotArn(ctx.region, id), tags: () => visibleSnapshot(ctx, id).tags };
    throw awsError('InvalidID', `The ID '${id}' is not valid`);
  });
  for (const target of targets) await gate(ctx, action, target.arn, dryRun);
  return targets.map((t) => t.tags());
}

async function createTags(ctx: CallContext, input: CreateTagsRequest): Promise<object> {
  const resources = required(input.Resources, 'ResourceId');
  const tags = required(input.Tags, 'Tag');
  const maps = await taggedResources(ctx, 'CreateTags', resources, input.DryRun);
  for (const map of maps) addTags(map, callerOf(ctx).accountId, tags);
  ctx.mutated = true;
  return {};
}

async function deleteTags(ctx: CallContext, input: DeleteTagsRequest): Promise<object> {
  const resources = required(input.Resources, 'ResourceId');
  const maps = await taggedResources(ctx, 'DeleteTags', resources, input.DryRun);
  for (const map of maps) removeTags(map, callerOf(ctx).accountId, input.Tags);
  ctx.mutated = true;
  return {};
}

async function getEbsDefaultKmsKeyId(ctx: CallContext, input: GetEbsDefaultKmsKeyIdRequest): Promise<GetEbsDefaultKmsKeyIdResult> {
  await gate(ctx, 'GetEbsDefaultKmsKeyId', '*', input.DryRun);
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
  CreateTags: op(createTags),
  DeleteTags: op(deleteTags),
  GetEbsDefaultKmsKeyId: op(getEbsDefaultKmsKeyId),
};
