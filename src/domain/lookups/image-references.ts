import { DescribeImageReferencesCommand, type ImageReference, type ResourceTypeRequest } from '@aws-sdk/client-ec2';
import { batches } from '../../aws/attribute-limits.js';
import { call } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';

/**
 * DescribeImageReferences takes 1 to 10 image IDs a call.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImageReferences.html
 */
const IMAGE_REFERENCES_BATCH = 10;

/**
 * How many of a launch template's most recent versions AWS checks when version-depth is not given (1 to 10000, default
 * 10). https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ResourceTypeOption.html
 */
const LAUNCH_TEMPLATE_VERSION_DEPTH = 10;

/**
 * What is checked: instances in every state but terminated (state-name defaults to all states), launch templates at
 * AWS's default version depth, SSM parameters, Image Builder image and container recipes.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-ami-references.html
 */
const REFERENCE_TYPES: ResourceTypeRequest[] = [
  {
    ResourceType: 'ec2:Instance',
    ResourceTypeOptions: [{ OptionName: 'state-name', OptionValues: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] }],
  },
  { ResourceType: 'ec2:LaunchTemplate' },
  { ResourceType: 'ssm:Parameter' },
  { ResourceType: 'imagebuilder:ImageRecipe' },
  { ResourceType: 'imagebuilder:ContainerRecipe' },
];

const KINDS: Record<string, string> = {
  'ec2:Instance': 'instance',
  'ec2:LaunchTemplate': `launch template; its ${LAUNCH_TEMPLATE_VERSION_DEPTH} most recent versions are checked`,
  'ssm:Parameter': 'SSM parameter',
  'imagebuilder:ImageRecipe': 'Image Builder image recipe',
  'imagebuilder:ContainerRecipe': 'Image Builder container recipe',
};

/** "arn:… (launch template; its 10 most recent versions are checked)". */
export function referenceLabel(reference: ImageReference): string {
  const kind = reference.ResourceType ? (KINDS[reference.ResourceType] ?? reference.ResourceType) : 'resource';
  return `${reference.Arn ?? 'a resource'} (${kind})`;
}

async function referencesOfBatch(ctx: TargetContext, region: string, imageIds: string[]): Promise<ImageReference[]> {
  const site = { what: `Looking for what still uses ${imageIds.join(', ')}`, ...siteOf(ctx.target, region), action: 'ec2:DescribeImageReferences' };
  const found: ImageReference[] = [];
  let token: string | undefined;
  do {
    const input = { ImageIds: imageIds, ResourceTypes: REFERENCE_TYPES, ...(token ? { NextToken: token } : {}) };
    const response = await call(site, () => ctx.target.ec2(region).send(new DescribeImageReferencesCommand(input)));
    found.push(...(response.ImageReferences ?? []));
    token = response.NextToken;
  } while (token);
  return found;
}

/** The resources of the target account in `region` that reference each image (images without any are left out). */
export async function findImageReferences(ctx: TargetContext, region: string, imageIds: readonly string[]): Promise<Map<string, ImageReference[]>> {
  const byImage = new Map<string, ImageReference[]>();
  for (const batch of batches(imageIds, IMAGE_REFERENCES_BATCH)) {
    for (const reference of await referencesOfBatch(ctx, region, batch)) {
      if (!reference.ImageId) continue;
      byImage.set(reference.ImageId, [...(byImage.get(reference.ImageId) ?? []), reference]);
    }
  }
  return byImage;
}
