/**
 * DescribeImageReferences: the caller's resources in the region that reference the given AMIs (1 to 10 IDs).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImageReferences.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-ami-references.html. Resource types: ec2:Instance (option
 * state-name, default all states), ec2:LaunchTemplate (option version-depth, 1..10000, default 10: the most recent
 * versions), ssm:Parameter (parameters whose value is the AMI ID)
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ResourceTypeOption.html). Image Builder recipes
 * (imagebuilder:ImageRecipe / ContainerRecipe) are not modelled: the stand-in has none. A launch template version
 * whose ImageId is `resolve:ssm:NAME` references the parameter, not the AMI. The AMIs need not exist (only their IDs
 * are checked); pagination is not modelled (one page).
 */
import type { DescribeImageReferencesRequest, DescribeImageReferencesResult, ImageReference, ResourceTypeRequest } from '@aws-sdk/client-ec2';
import { instanceArn, launchTemplateArn, parameterArn } from '../arns.js';
import { awsError } from '../errors.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';
import { checkImageId, gate } from './ec2-common.js';
import { ANY } from './ec2-resources.js';

type ReferenceType = 'ec2:Instance' | 'ec2:LaunchTemplate' | 'ssm:Parameter';
const MODELLED: ReferenceType[] = ['ec2:Instance', 'ec2:LaunchTemplate', 'ssm:Parameter'];
const ALL_TYPES = [...MODELLED, 'imagebuilder:ImageRecipe', 'imagebuilder:ContainerRecipe'];
const INSTANCE_STATES = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'];

interface Scope {
  types: Set<string>;
  states?: string[];
  depth: number;
}

function optionValues(request: ResourceTypeRequest, name: 'state-name' | 'version-depth'): string[] | undefined {
  const options = request.ResourceTypeOptions ?? [];
  for (const option of options) {
    const allowed = request.ResourceType === 'ec2:Instance' ? 'state-name' : request.ResourceType === 'ec2:LaunchTemplate' ? 'version-depth' : undefined;
    if (option.OptionName !== allowed) {
      throw awsError('InvalidParameterValue', `The option ${option.OptionName ?? ''} is not valid for the resource type ${request.ResourceType ?? ''}.`);
    }
  }
  return options.find((o) => o.OptionName === name)?.OptionValues;
}

/** The resource types to check and their options; given options override the defaults of IncludeAllResourceTypes. */
function scopeOf(input: DescribeImageReferencesRequest): Scope {
  const requests = input.ResourceTypes ?? [];
  if (!input.IncludeAllResourceTypes && requests.length === 0) {
    throw awsError('MissingParameter', 'Either IncludeAllResourceTypes or ResourceTypes must be specified.');
  }
  const scope: Scope = { types: new Set(input.IncludeAllResourceTypes ? ALL_TYPES : []), depth: 10 };
  for (const request of requests) {
    if (!request.ResourceType || !ALL_TYPES.includes(request.ResourceType)) {
      throw awsError('InvalidParameterValue', `The resource type ${request.ResourceType ?? ''} is not supported.`);
    }
    scope.types.add(request.ResourceType);
    const states = optionValues(request, 'state-name');
    if (states?.some((s) => !INSTANCE_STATES.includes(s))) throw awsError('InvalidParameterValue', `Invalid state-name: ${states.join(', ')}`);
    if (states) scope.states = states;
    const depth = optionValues(request, 'version-depth')?.[0];
    if (depth !== undefined) {
      const value = Number(depth);
      if (!Number.isInteger(value) || value < 1 || value > 10000) throw awsError('InvalidParameterValue', `Invalid version-depth: ${depth}`);
      scope.depth = value;
    }
  }
  return scope;
}

function referencesIn(ctx: CallContext, imageIds: string[], scope: Scope): ImageReference[] {
  const account = callerOf(ctx).accountId;
  const state = ctx.state;
  const here = (r: { accountId: string; region: string }) => r.accountId === account && r.region === ctx.region;
  const references: ImageReference[] = [];
  for (const imageId of imageIds) {
    if (scope.types.has('ec2:Instance')) {
      for (const instance of state.instances.values()) {
        if (here(instance) && instance.imageId === imageId && (!scope.states || scope.states.includes(instance.state))) {
          references.push({ ImageId: imageId, ResourceType: 'ec2:Instance', Arn: instanceArn(account, ctx.region, instance.instanceId) });
        }
      }
    }
    if (scope.types.has('ec2:LaunchTemplate')) {
      for (const template of state.launchTemplates.values()) {
        if (here(template) && template.versions.slice(-scope.depth).some((v) => v.data.ImageId === imageId)) {
          references.push({ ImageId: imageId, ResourceType: 'ec2:LaunchTemplate', Arn: launchTemplateArn(account, ctx.region, template.launchTemplateId) });
        }
      }
    }
    if (scope.types.has('ssm:Parameter')) {
      for (const parameter of state.parameters.values()) {
        if (here(parameter) && parameter.value === imageId) {
          references.push({ ImageId: imageId, ResourceType: 'ssm:Parameter', Arn: parameterArn(account, ctx.region, parameter.name) });
        }
      }
    }
  }
  return references;
}

async function describeImageReferences(ctx: CallContext, input: DescribeImageReferencesRequest): Promise<DescribeImageReferencesResult> {
  const imageIds = required(input.ImageIds, 'ImageId');
  await gate(ctx, 'DescribeImageReferences', ANY, input.DryRun);
  if (imageIds.length === 0 || imageIds.length > 10) {
    throw awsError('InvalidParameterValue', `Between 1 and 10 image IDs can be specified; ${imageIds.length} were given.`);
  }
  imageIds.forEach(checkImageId);
  return { ImageReferences: referencesIn(ctx, imageIds, scopeOf(input)) };
}

export const imageReferenceOperations: Record<string, Handler> = {
  DescribeImageReferences: op(describeImageReferences),
};
