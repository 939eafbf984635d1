/**
 * Which condition keys EC2 puts in the request context of each action on each resource type, as the Service
 * Authorization Reference for Amazon EC2 lists them ("Actions defined by Amazon EC2", the Condition keys column of each
 * resource row, plus the action's own keys):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-actions-as-permissions
 * Actions without a resource row there (Describe*, GetEbsDefaultKmsKeyId, GetAllowedImagesSettings,
 * DescribeImageReferences) are authorized on "*" with ec2:Region only.
 */
export type Ec2ResourceType = 'image' | 'snapshot' | 'launch-template';
export type ConditionContext = Record<string, string | string[]>;

/** A resource an EC2 call is authorized on: its ARN and every fact the stand-in knows as a condition key. */
export interface Ec2Resource {
  arn: string;
  /** Undefined for "*". */
  type?: Ec2ResourceType;
  context: ConditionContext;
}

const TAG = '${TagKey}';
const IMAGE = ['aws:ResourceTag/' + TAG, 'ec2:ImageID', 'ec2:ImageType', 'ec2:Owner', 'ec2:Public', 'ec2:ResourceTag/' + TAG, 'ec2:RootDeviceType'];
const SNAPSHOT_BASE = ['aws:ResourceTag/' + TAG, 'ec2:Owner', 'ec2:ParentVolume', 'ec2:ResourceTag/' + TAG, 'ec2:SnapshotID', 'ec2:SnapshotTime', 'ec2:VolumeSize'];
const TAGGING = ['aws:RequestTag/' + TAG, 'aws:ResourceTag/' + TAG, 'aws:TagKeys', 'ec2:ResourceTag/' + TAG];
const SNAPSHOT_FACTS = ['ec2:Encrypted', 'ec2:Owner', 'ec2:ParentVolume', 'ec2:SnapshotID', 'ec2:SnapshotTime', 'ec2:VolumeSize'];
const ATTRIBUTE = ['ec2:Attribute', 'ec2:Attribute/${AttributeName}'];
const TEMPLATE = ['aws:ResourceTag/' + TAG, 'ec2:ManagedResourceOperator', 'ec2:ResourceTag/' + TAG];

/** The SAR's resource rows of the EC2 actions the stand-in authorizes at resource level. */
const RESOURCE_KEYS: Record<string, Partial<Record<Ec2ResourceType, string[]>>> = {
  CopyImage: { image: ['aws:RequestTag/' + TAG, 'aws:TagKeys', 'ec2:ImageID', 'ec2:Owner'], snapshot: ['aws:RequestTag/' + TAG, 'aws:TagKeys'] },
  CopySnapshot: { snapshot: ['aws:RequestTag/' + TAG, 'aws:TagKeys', 'ec2:OutpostArn', 'ec2:ParentSnapshot', 'ec2:ProductCode', ...SNAPSHOT_FACTS] },
  RegisterImage: {
    image: ['aws:RequestTag/' + TAG, 'aws:TagKeys', 'ec2:ImageID', 'ec2:Owner'],
    snapshot: [...SNAPSHOT_BASE, 'ec2:OutpostArn', 'ec2:SourceOutpostArn'],
  },
  CreateTags: {
    image: [...new Set([...TAGGING, ...IMAGE])],
    snapshot: [...TAGGING, ...SNAPSHOT_FACTS],
    'launch-template': [...TAGGING, 'ec2:ManagedResourceOperator'],
  },
  DeleteTags: { image: TAGGING, snapshot: TAGGING, 'launch-template': TAGGING },
  DescribeImageAttribute: { image: IMAGE },
  ModifyImageAttribute: { image: [...IMAGE, ...ATTRIBUTE] },
  DeregisterImage: { image: IMAGE },
  DisableImage: { image: IMAGE },
  EnableImage: { image: IMAGE },
  EnableImageDeprecation: { image: IMAGE },
  DisableImageDeprecation: { image: IMAGE },
  EnableImageDeregistrationProtection: { image: IMAGE },
  DisableImageDeregistrationProtection: { image: IMAGE },
  DescribeSnapshotAttribute: { snapshot: [...SNAPSHOT_BASE, 'ec2:Encrypted', 'ec2:OutpostArn', 'ec2:SourceOutpostArn'] },
  ModifySnapshotAttribute: {
    snapshot: [...SNAPSHOT_BASE, ...ATTRIBUTE, 'ec2:Add/group', 'ec2:Add/userId', 'ec2:AvailabilityZone', 'ec2:Remove/group', 'ec2:Remove/userId'],
  },
  DeleteSnapshot: { snapshot: [...SNAPSHOT_BASE, 'ec2:AvailabilityZone', 'ec2:OutpostArn'] },
  CreateLaunchTemplateVersion: { 'launch-template': TEMPLATE },
  ModifyLaunchTemplate: { 'launch-template': [...TEMPLATE, ...ATTRIBUTE] },
};

/** Every resource row of RESOURCE_KEYS, for the test that compares them with the SAR. */
export function sarResourceRows(): [string, Ec2ResourceType][] {
  return Object.entries(RESOURCE_KEYS).flatMap(([action, rows]) => Object.keys(rows).map((type): [string, Ec2ResourceType] => [action, type as Ec2ResourceType]));
}

/** The action-level condition keys (every EC2 action has ec2:Region). */
const ACTION_KEYS: Record<string, string[]> = {
  CreateTags: ['ec2:CreateAction', 'ec2:Region'],
  DeleteTags: ['aws:TagKeys', 'ec2:Region'],
};

function listed(key: string, keys: string[]): boolean {
  const lower = key.toLowerCase();
  return keys.some((k) => {
    const pattern = k.toLowerCase();
    const variable = pattern.indexOf('${');
    return variable >= 0 ? lower.startsWith(pattern.slice(0, variable)) && lower.length > variable : lower === pattern;
  });
}

/** The SAR's condition keys for `action` (without "ec2:") on a resource of `type`; undefined when it has no row. */
export function sarConditionKeys(action: string, type: Ec2ResourceType | undefined): string[] | undefined {
  const actionKeys = ACTION_KEYS[action] ?? ['ec2:Region'];
  if (type === undefined) return actionKeys;
  const resourceKeys = RESOURCE_KEYS[action]?.[type];
  return resourceKeys && [...resourceKeys, ...actionKeys];
}

/**
 * The part of a resource's facts (and the request's keys) that EC2 puts in the request context for `action`:
 * with `keys` 'sar', only the keys the SAR lists for the action and resource type; with 'resource-type', every fact
 * (iam-simulate then keeps the keys of the SAR's resource-type table, a superset).
 */
export function ec2RequestContext(action: string, resource: Ec2Resource, keys: 'sar' | 'resource-type'): ConditionContext {
  const context: ConditionContext = { ...resource.context };
  if (keys === 'resource-type') return context;
  const allowed = sarConditionKeys(action, resource.type) ?? [];
  return Object.fromEntries(Object.entries(context).filter(([key]) => listed(key, allowed)));
}

/** aws:RequestTag/<key> for each tag, and aws:TagKeys, of a request that names tags (none: neither key). */
export function requestTagContext(tags: { Key?: string; Value?: string }[] | undefined): ConditionContext {
  const named = (tags ?? []).filter((t): t is { Key: string; Value?: string } => t.Key !== undefined);
  if (named.length === 0) return {};
  const context: ConditionContext = { 'aws:TagKeys': named.map((t) => t.Key) };
  for (const tag of named) if (tag.Value !== undefined) context[`aws:RequestTag/${tag.Key}`] = tag.Value;
  return context;
}

/** ec2:ResourceTag/<key> and aws:ResourceTag/<key> for each tag the caller's account put on the resource. */
export function resourceTagContext(tags: Map<string, string> | undefined): ConditionContext {
  const context: ConditionContext = {};
  for (const [key, value] of tags ?? []) {
    context[`ec2:ResourceTag/${key}`] = value;
    context[`aws:ResourceTag/${key}`] = value;
  }
  return context;
}
