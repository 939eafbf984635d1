export const keyArn = (account: string, region: string, keyId: string) => `arn:aws:kms:${region}:${account}:key/${keyId}`;
export const aliasArn = (account: string, region: string, alias: string) => `arn:aws:kms:${region}:${account}:${alias}`;
export const imageArn = (region: string, imageId: string) => `arn:aws:ec2:${region}::image/${imageId}`;
export const snapshotArn = (region: string, snapshotId: string) => `arn:aws:ec2:${region}::snapshot/${snapshotId}`;
export const roleArn = (account: string, role: string) => `arn:aws:iam::${account}:role/${role}`;
export const userArn = (account: string, user: string) => `arn:aws:iam::${account}:user/${user}`;
export const rootArn = (account: string) => `arn:aws:iam::${account}:root`;
export const assumedRoleArn = (account: string, role: string, session: string) =>
  `arn:aws:sts::${account}:assumed-role/${role}/${session}`;
export const parameterArn = (account: string, region: string, name: string) =>
  `arn:aws:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`;

export const organizationId = (organizationArn: string) => organizationArn.slice(organizationArn.lastIndexOf('/') + 1);

/**
 * An account's aws:PrincipalOrgPaths value: the organization, its root and the OUs down to the account's parent,
 * each followed by '/', e.g. o-a1b2c3d4e5/r-a1b2/ou-a1b2-22222222/. The root id is derived from the organization id.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
 */
export function organizationPath(organizationArn: string, ous: string[] = []): string {
  const id = organizationId(organizationArn);
  return [id, `r-${id.slice(2, 6)}`, ...ous].map((part) => `${part}/`).join('');
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(value: string): ParsedArn | undefined {
  const match = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(value);
  if (!match) return undefined;
  const [, partition = '', service = '', region = '', account = '', resource = ''] = match;
  return { partition, service, region, account, resource };
}
/**
 * Resource ARNs EC2 authorizes launch templates and instances by (Service Authorization Reference, Amazon EC2
 * resource types: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
 */
export const launchTemplateArn = (account: string, region: string, id: string) => `arn:aws:ec2:${region}:${account}:launch-template/${id}`;
export const instanceArn = (account: string, region: string, id: string) => `arn:aws:ec2:${region}:${account}:instance/${id}`;
