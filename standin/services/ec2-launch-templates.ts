/**
 * EC2 launch templates: DescribeLaunchTemplates, DescribeLaunchTemplateVersions, CreateLaunchTemplateVersion,
 * ModifyLaunchTemplate. A template belongs to one account and region; other accounts never see it.
 * API reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplateVersions.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyLaunchTemplate.html. Error codes
 * (InvalidLaunchTemplateId.Malformed / .NotFound / .VersionNotFound, InvalidLaunchTemplateName.NotFoundException):
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html.
 */
import type {
  CreateLaunchTemplateVersionRequest,
  CreateLaunchTemplateVersionResult,
  DescribeLaunchTemplatesRequest,
  DescribeLaunchTemplatesResult,
  DescribeLaunchTemplateVersionsRequest,
  DescribeLaunchTemplateVersionsResult,
  LaunchTemplate,
  LaunchTemplateVersion,
  ModifyLaunchTemplateRequest,
  ModifyLaunchTemplateResult,
  ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { awsError } from '../errors.js';
import type { LaunchTemplateState, LaunchTemplateVersionState } from '../state.js';
import { callerOf, op, type CallContext, type Handler } from './context.js';
import { gate, requestFingerprint } from './ec2-common.js';
import { matchesFilters, type FilterFields } from './ec2-views.js';
import { ANY, launchTemplateResource } from './ec2-resources.js';

const TEMPLATE_ID = /^lt-[0-9a-f]{17}$/;

function idNotFound(id: string): Error {
  return awsError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`);
}

function nameNotFound(name: string): Error {
  return awsError('InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${name}, does not exist.`);
}

function versionNotFound(template: LaunchTemplateState, version: string): Error {
  return awsError(
    'InvalidLaunchTemplateId.VersionNotFound',
    `Could not find launch template version ${version} for the launch template with ID ${template.launchTemplateId}.`,
  );
}

/** The caller's templates in the call's region. */
function ownTemplates(ctx: CallContext): LaunchTemplateState[] {
  const account = callerOf(ctx).accountId;
  return [...ctx.state.launchTemplates.values()].filter((t) => t.accountId === account && t.region === ctx.region);
}

function findById(ctx: CallContext, id: string): LaunchTemplateState {
  if (!TEMPLATE_ID.test(id)) throw awsError('InvalidLaunchTemplateId.Malformed', `The launch template ID '${id}' is malformed.`);
  const found = ownTemplates(ctx).find((t) => t.launchTemplateId === id);
  if (!found) throw idNotFound(id);
  return found;
}

function findByName(ctx: CallContext, name: string): LaunchTemplateState {
  const found = ownTemplates(ctx).find((t) => t.name === name);
  if (!found) throw nameNotFound(name);
  return found;
}

/** "You must specify either the launch template ID or the launch template name, but not both." */
function oneTemplate(ctx: CallContext, input: { LaunchTemplateId?: string; LaunchTemplateName?: string }): LaunchTemplateState {
  if (input.LaunchTemplateId && input.LaunchTemplateName) {
    throw awsError('InvalidParameterCombination', 'Specify either the launch template ID or the launch template name, but not both.');
  }
  if (input.LaunchTemplateId) return findById(ctx, input.LaunchTemplateId);
  if (input.LaunchTemplateName) return findByName(ctx, input.LaunchTemplateName);
  throw awsError('MissingParameter', 'The request must contain the parameter LaunchTemplateId or LaunchTemplateName');
}

/** The IAM check for an action on one template, named by ID or by name (the ARN of what the name resolves to). */
async function gateTemplate(ctx: CallContext, action: string, input: { LaunchTemplateId?: string; LaunchTemplateName?: string; DryRun?: boolean }): Promise<LaunchTemplateState> {
  const found = ownTemplates(ctx).find((t) =>
    input.LaunchTemplateId ? t.launchTemplateId === input.LaunchTemplateId : t.name === input.LaunchTemplateName,
  );
  const named = input.LaunchTemplateId ?? found?.launchTemplateId ?? '*';
  await gate(ctx, action, [launchTemplateResource(ctx, named, found)], input.DryRun);
  return oneTemplate(ctx, input);
}

const latest = (template: LaunchTemplateState) => template.versions.length;

function templateView(template: LaunchTemplateState): LaunchTemplate {
  return {
    LaunchTemplateId: template.launchTemplateId,
    LaunchTemplateName: template.name,
    CreateTime: template.createTime,
    CreatedBy: template.createdBy,
    DefaultVersionNumber: template.defaultVersion,
    LatestVersionNumber: latest(template),
    ...(template.tags.size ? { Tags: [...template.tags].map(([Key, Value]) => ({ Key, Value })) } : {}),
  };
}

/** `resolve:ssm:NAME` in ImageId, shown as the parameter's AMI ID with ResolveAlias. */
function resolvedData(ctx: CallContext, data: Record<string, unknown>, resolveAlias: boolean | undefined): ResponseLaunchTemplateData {
  const imageId = data.ImageId;
  if (!resolveAlias || typeof imageId !== 'string' || !imageId.startsWith('resolve:ssm:')) return structuredClone(data) as ResponseLaunchTemplateData;
  const parameter = ctx.state.parameters.get(`${callerOf(ctx).accountId}/${ctx.region}/${imageId.slice('resolve:ssm:'.length)}`);
  return { ...(structuredClone(data) as ResponseLaunchTemplateData), ImageId: parameter?.value ?? imageId };
}

function versionView(template: LaunchTemplateState, version: LaunchTemplateVersionState, data: ResponseLaunchTemplateData): LaunchTemplateVersion {
  return {
    LaunchTemplateId: template.launchTemplateId,
    LaunchTemplateName: template.name,
    VersionNumber: version.versionNumber,
    VersionDescription: version.description,
    CreateTime: version.createTime,
    CreatedBy: version.createdBy,
    DefaultVersion: version.versionNumber === template.defaultVersion,
    LaunchTemplateData: data,
  };
}

/** A version by number, `$Latest` or `$Default`. */
function versionOf(template: LaunchTemplateState, ref: string): LaunchTemplateVersionState {
  const number = ref === '$Latest' ? latest(template) : ref === '$Default' ? template.defaultVersion : Number(ref);
  const found = Number.isInteger(number) ? template.versions[number - 1] : undefined;
  if (!found) throw versionNotFound(template, ref);
  return found;
}

async function describeLaunchTemplates(ctx: CallContext, input: DescribeLaunchTemplatesRequest): Promise<DescribeLaunchTemplatesResult> {
  await gate(ctx, 'DescribeLaunchTemplates', ANY, input.DryRun);
  let templates = ownTemplates(ctx);
  if (input.LaunchTemplateIds?.length) templates = input.LaunchTemplateIds.map((id) => findById(ctx, id));
  if (input.LaunchTemplateNames?.length) {
    const names = input.LaunchTemplateNames;
    templates = names.map((name) => findByName(ctx, name)).filter((t) => templates.includes(t));
  }
  const fields: FilterFields<LaunchTemplateState> = {
    'launch-template-name': (t) => [t.name],
    'create-time': (t) => [t.createTime.toISOString()],
  };
  templates = templates.filter((t) => matchesFilters(t, input.Filters, fields, () => undefined));
  return { LaunchTemplates: templates.map(templateView) };
}

const versionFields: FilterFields<{ template: LaunchTemplateState; version: LaunchTemplateVersionState }> = {
  'image-id': ({ version }) => [typeof version.data.ImageId === 'string' ? version.data.ImageId : undefined],
  'instance-type': ({ version }) => [typeof version.data.InstanceType === 'string' ? version.data.InstanceType : undefined],
  'is-default-version': ({ template, version }) => [String(version.versionNumber === template.defaultVersion)],
};

/**
 * Versions, by number or `$Latest` / `$Default`, or all within MinVersion..MaxVersion; filters `image-id`,
 * `instance-type`, `is-default-version`.
 */
async function describeVersions(ctx: CallContext, input: DescribeLaunchTemplateVersionsRequest): Promise<DescribeLaunchTemplateVersionsResult> {
  // ec2:DescribeLaunchTemplateVersions supports no resource-level permissions: Resource "*".
  await gate(ctx, 'DescribeLaunchTemplateVersions', ANY, input.DryRun);
  const template = oneTemplate(ctx, input);
  let versions = input.Versions?.length ? input.Versions.map((ref) => versionOf(template, ref)) : [...template.versions];
  const min = input.MinVersion === undefined ? undefined : versionOf(template, input.MinVersion).versionNumber;
  const max = input.MaxVersion === undefined ? undefined : versionOf(template, input.MaxVersion).versionNumber;
  versions = versions.filter((v) => (min === undefined || v.versionNumber >= min) && (max === undefined || v.versionNumber <= max));
  const matching = versions.filter((version) => matchesFilters({ template, version }, input.Filters, versionFields, () => undefined));
  return {
    LaunchTemplateVersions: matching.map((version) => versionView(template, version, resolvedData(ctx, version.data, input.ResolveAlias))),
  };
}

function checkDescription(description: string | undefined): void {
  if (description !== undefined && description.length > 255) {
    throw awsError('InvalidParameterValue', 'The version description can be at most 255 characters long.');
  }
}

/**
 * "If you specify this parameter [SourceVersion], the new version inherits the launch parameters from the source
 * version. If you specify additional launch parameters for the new version, they overwrite any corresponding launch
 * parameters inherited from the source version. If you omit this parameter, the new version contains only the launch
 * parameters that you specify." A ClientToken used again with the same parameters answers the same version;
 * with other parameters, IdempotentParameterMismatch (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html).
 */
async function createVersion(ctx: CallContext, input: CreateLaunchTemplateVersionRequest): Promise<CreateLaunchTemplateVersionResult> {
  const template = await gateTemplate(ctx, 'CreateLaunchTemplateVersion', input);
  if (!input.LaunchTemplateData) throw awsError('MissingParameter', 'The request must contain the parameter LaunchTemplateData');
  checkDescription(input.VersionDescription);
  const tokenKey = input.ClientToken ? `${template.accountId}/${ctx.region}/${input.ClientToken}` : undefined;
  const previous = tokenKey ? ctx.state.launchTemplateTokens.get(tokenKey) : undefined;
  if (previous) {
    if (previous.fingerprint !== requestFingerprint(input)) {
      throw awsError('IdempotentParameterMismatch', 'The client token you have provided is associated with a request with different parameters.');
    }
    ctx.notes.idempotentReplay = true;
    const version = versionOf(template, String(previous.versionNumber));
    return { LaunchTemplateVersion: versionView(template, version, resolvedData(ctx, version.data, input.ResolveAlias)) };
  }
  const base = input.SourceVersion === undefined ? {} : versionOf(template, input.SourceVersion).data;
  const version: LaunchTemplateVersionState = {
    versionNumber: latest(template) + 1,
    description: input.VersionDescription,
    data: { ...structuredClone(base), ...structuredClone(input.LaunchTemplateData as Record<string, unknown>) },
    createTime: new Date(ctx.state.now()),
    createdBy: callerOf(ctx).arn,
  };
  template.versions.push(version);
  if (tokenKey) {
    ctx.state.launchTemplateTokens.set(tokenKey, { fingerprint: requestFingerprint(input), launchTemplateId: template.launchTemplateId, versionNumber: version.versionNumber });
  }
  ctx.mutated = true;
  return { LaunchTemplateVersion: versionView(template, version, resolvedData(ctx, version.data, input.ResolveAlias)) };
}

/** SetDefaultVersion (DefaultVersion in the SDK) makes an existing version the default. */
async function modifyLaunchTemplate(ctx: CallContext, input: ModifyLaunchTemplateRequest): Promise<ModifyLaunchTemplateResult> {
  const template = await gateTemplate(ctx, 'ModifyLaunchTemplate', input);
  if (input.DefaultVersion !== undefined) {
    template.defaultVersion = versionOf(template, input.DefaultVersion).versionNumber;
    ctx.mutated = true;
  }
  return { LaunchTemplate: templateView(template) };
}

export const launchTemplateOperations: Record<string, Handler> = {
  DescribeLaunchTemplates: op(describeLaunchTemplates),
  DescribeLaunchTemplateVersions: op(describeVersions),
  CreateLaunchTemplateVersion: op(createVersion),
  ModifyLaunchTemplate: op(modifyLaunchTemplate),
};
