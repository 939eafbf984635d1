const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'] as const;

const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export interface KmsKeyArn {
  arn: string;
  partition: string;
  region: string;
  accountId: string;
  /** `key` for a key ARN, `alias` for an alias ARN. */
  kind: 'key' | 'alias';
  /** The key id, or the alias name including `alias/`. */
  id: string;
}

export interface RoleArn {
  arn: string;
  partition: string;
  accountId: string;
  /** Role name without its path. */
  name: string;
}

export function isRegion(value: string): boolean {
  return REGION.test(value);
}

function isAccountId(value: string): boolean {
  return ACCOUNT.test(value);
}

export function isAwsManagedAlias(aliasName: string): boolean {
  return aliasName.toLowerCase().startsWith('alias/aws/');
}

/** Parses a KMS key or alias ARN; returns a reason string when the value is not one. */
export function parseKmsArn(value: string): KmsKeyArn | string {
  const parts = value.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') {
    return 'it is not an ARN (expected arn:aws:kms:REGION:ACCOUNT:key/KEY-ID or arn:aws:kms:REGION:ACCOUNT:alias/NAME)';
  }
  const [, partition, service, region, accountId, resource] = parts as [string, string, string, string, string, string];
  if (!(PARTITIONS as readonly string[]).includes(partition)) return `"${partition}" is not an AWS partition`;
  if (service !== 'kms') return `it names the service "${service}", not kms`;
  if (!isRegion(region)) return `"${region}" is not a region name`;
  if (!isAccountId(accountId)) return `the account "${accountId}" is not 12 digits`;
  if (resource.startsWith('key/')) {
    const id = resource.slice(4);
    if (!KEY_ID.test(id)) return `"${id}" is not a KMS key id (a UUID, or mrk- and 32 hex digits)`;
    return { arn: value, partition, region, accountId, kind: 'key', id };
  }
  if (resource.startsWith('alias/')) {
    if (!ALIAS_NAME.test(resource)) return `"${resource}" is not a valid alias name`;
    return { arn: value, partition, region, accountId, kind: 'alias', id: resource };
  }
  return `the resource "${resource}" is neither key/KEY-ID nor alias/NAME`;
}

export function isAliasName(value: string): boolean {
  return ALIAS_NAME.test(value);
}

/** Parses an IAM role ARN; returns a reason string when the value is not one. */
export function parseRoleArn(value: string): RoleArn | string {
  const parts = value.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') {
    return 'it is not an ARN (expected arn:aws:iam::ACCOUNT:role/NAME)';
  }
  const [, partition, service, region, accountId, resource] = parts as [string, string, string, string, string, string];
  if (!(PARTITIONS as readonly string[]).includes(partition)) return `"${partition}" is not an AWS partition`;
  if (service !== 'iam') return `it names the service "${service}", not iam`;
  if (region !== '') return 'IAM ARNs have an empty region field (arn:aws:iam::ACCOUNT:role/NAME)';
  if (!isAccountId(accountId)) return `the account "${accountId}" is not 12 digits`;
  if (!resource.startsWith('role/')) return `the resource "${resource}" is not role/NAME`;
  const segments = resource.slice(5).split('/');
  const name = segments.pop() ?? '';
  if (!ROLE_NAME.test(name)) return `"${name}" is not a valid role name (1-64 of letters, digits and +=,.@_-)`;
  return { arn: value, partition, accountId, name };
}

/**
 * The role ARN behind an assumed-role session ARN, for policies and messages (a session ARN leaves out the role's path:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns); other ARNs as they are.
 */
export function principalOf(callerArn: string): string {
  const match = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (!match) return callerArn;
  return `arn:${match[1]}:iam::${match[2]}:role/${match[3]}`;
}

export function kmsKeyArn(partition: string, region: string, accountId: string, keyId: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:key/${keyId}`;
}

export function accountRootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** A parameter's ARN: its name without the leading slash of a hierarchical name. */
export function ssmParameterArn(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, '')}`;
}

/** The launch-template resource type of EC2 (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html). */
export function launchTemplateArn(partition: string, region: string, accountId: string, templateId: string): string {
  return `arn:${partition}:ec2:${region}:${accountId}:launch-template/${templateId}`;
}

/**
 * The image and snapshot resource types of EC2: no account in the ARN (arn:PARTITION:ec2:REGION::image/ID).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-resources-for-iam-policies
 */
export function imageArn(partition: string, region: string, imageId: string): string {
  return `arn:${partition}:ec2:${region}::image/${imageId}`;
}

export function snapshotArn(partition: string, region: string, snapshotId: string): string {
  return `arn:${partition}:ec2:${region}::snapshot/${snapshotId}`;
}
