/** JSON views of the state for tests to assert on (copies: changing them changes nothing). */
import { launchTemplateArn } from './arns.js';
import type { BlockDeviceMapping } from '@aws-sdk/client-ec2';
import type { GrantState, ImageFeatures, ImageState, InstanceState, KeyState, LaunchTemplateState, PermissionRecord, SnapshotState, WorldState } from './state.js';

export interface PermissionDump extends PermissionRecord {
  userId?: string;
  group?: 'all';
  organizationArn?: string;
  organizationalUnitArn?: string;
}

export interface ImageDump {
  imageId: string;
  ownerId: string;
  region: string;
  name: string;
  description?: string;
  state: string;
  stateReason?: { code: string; message: string };
  blockDevices: { deviceName: string; snapshotId: string; volumeSize: number; volumeType: string }[];
  public: boolean;
  launchPermissions: PermissionDump[];
  tags: Record<string, Record<string, string>>;
  productCodes: { id: string; type: string }[];
  deprecationTime?: string;
  deregistrationProtection: string;
  creationDate: string;
  sourceImageId?: string;
  sourceRegion?: string;
  lastLaunchedTime?: string;
  /** What RegisterImage sets; mappings as DescribeImages shows them, without snapshot IDs, sizes from the snapshots aside. */
  registration: {
    architecture: string;
    virtualizationType: string;
    rootDeviceName: string;
    enaSupport: boolean;
    features: ImageFeatures;
    mappings: BlockDeviceMapping[];
  };
  copy?: {
    startedAt: string;
    completeAt: string;
    failAt?: string;
    failure?: { code: string; message: string };
    checks: { keyArn: string; operation: string; role: string; allowed: boolean; by?: string; reason?: string }[];
    completionDurationMinutes?: number;
  };
}

export interface SnapshotDump {
  snapshotId: string;
  ownerId: string;
  region: string;
  state: string;
  progress: string;
  stateMessage?: string;
  encrypted: boolean;
  kmsKeyArn?: string;
  volumeSize: number;
  description: string;
  public: boolean;
  createVolumePermissions: PermissionDump[];
  tags: Record<string, Record<string, string>>;
  locked: boolean;
}

export interface LaunchTemplateVersionDump {
  versionNumber: number;
  description?: string;
  /** The version's ImageId (an AMI ID or resolve:ssm:NAME). */
  imageId?: string;
  data: Record<string, unknown>;
  default: boolean;
  createTime: string;
  createdBy: string;
}

export interface LaunchTemplateDump {
  launchTemplateId: string;
  name: string;
  arn: string;
  accountId: string;
  region: string;
  defaultVersion: number;
  latestVersion: number;
  createTime: string;
  versions: LaunchTemplateVersionDump[];
}

export interface InstanceDump {
  instanceId: string;
  imageId: string;
  state: string;
}

export interface GrantDump {
  grantId: string;
  keyArn: string;
  name?: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  createdBy: string;
}

export interface KeyDump {
  arn: string;
  keyId: string;
  accountId: string;
  region: string;
  keyManager: string;
  keySpec: string;
  keyUsage: string;
  state: string;
  aliases: string[];
  policy: unknown;
  grants: GrantDump[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function tagsDump(tags: Map<string, Map<string, string>>): Record<string, Record<string, string>> {
  return Object.fromEntries([...tags].map(([account, map]) => [account, Object.fromEntries(map)]));
}

export function imageDump(image: ImageState): ImageDump {
  return structuredClone({
    imageId: image.imageId,
    ownerId: image.ownerId,
    region: image.region,
    name: image.name,
    description: image.description,
    state: image.state,
    stateReason: image.stateReason,
    blockDevices: image.blockDevices.map(({ deviceName, snapshotId, volumeSize, volumeType }) => ({
      deviceName,
      snapshotId,
      volumeSize,
      volumeType,
    })),
    public: image.launchPublic !== undefined,
    launchPermissions: [
      ...[...image.launchUserIds].map(([userId, r]) => ({ userId, ...r })),
      ...(image.launchPublic ? [{ group: 'all' as const, ...image.launchPublic }] : []),
      ...[...image.launchOrganizationArns].map(([organizationArn, r]) => ({ organizationArn, ...r })),
      ...[...image.launchOrganizationalUnitArns].map(([organizationalUnitArn, r]) => ({ organizationalUnitArn, ...r })),
    ],
    tags: tagsDump(image.tags),
    productCodes: image.productCodes,
    deprecationTime: image.deprecationTime,
    deregistrationProtection: image.deregistrationProtection,
    creationDate: image.creationDate,
    sourceImageId: image.sourceImageId,
    sourceRegion: image.sourceRegion,
    lastLaunchedTime: image.lastLaunchedTime,
    registration: {
      architecture: image.architecture,
      virtualizationType: image.virtualizationType,
      rootDeviceName: image.rootDeviceName,
      enaSupport: image.enaSupport,
      features: image.features,
      mappings: [
        ...image.blockDevices.map((d) => ({
          DeviceName: d.deviceName,
          Ebs: { VolumeSize: d.volumeSize, VolumeType: d.volumeType as 'gp3', Iops: d.iops, Throughput: d.throughput, DeleteOnTermination: d.deleteOnTermination },
        })),
        ...image.otherMappings,
      ],
    },
    copy: image.copy && {
      startedAt: iso(image.copy.startedAt),
      completeAt: iso(image.copy.completeAt),
      failAt: image.copy.failAt === undefined ? undefined : iso(image.copy.failAt),
      failure: image.copy.failure,
      checks: image.copy.checks,
      completionDurationMinutes: image.copy.completionDurationMinutes,
    },
  });
}

export function snapshotDump(state: WorldState, snapshot: SnapshotState): SnapshotDump {
  return structuredClone({
    snapshotId: snapshot.snapshotId,
    ownerId: snapshot.ownerId,
    region: snapshot.region,
    state: snapshot.state,
    progress: `${state.progress(snapshot)}%`,
    stateMessage: snapshot.stateMessage,
    encrypted: snapshot.encrypted,
    kmsKeyArn: snapshot.kmsKeyArn,
    volumeSize: snapshot.volumeSize,
    description: snapshot.description,
    public: snapshot.createVolumePublic !== undefined,
    createVolumePermissions: [
      ...[...snapshot.createVolumeUserIds].map(([userId, r]) => ({ userId, ...r })),
      ...(snapshot.createVolumePublic ? [{ group: 'all' as const, ...snapshot.createVolumePublic }] : []),
    ],
    tags: tagsDump(snapshot.tags),
    locked: snapshot.locked ?? false,
  });
}

export function launchTemplateDump(template: LaunchTemplateState): LaunchTemplateDump {
  return structuredClone({
    launchTemplateId: template.launchTemplateId,
    name: template.name,
    arn: launchTemplateArn(template.accountId, template.region, template.launchTemplateId),
    accountId: template.accountId,
    region: template.region,
    defaultVersion: template.defaultVersion,
    latestVersion: template.versions.length,
    createTime: template.createTime.toISOString(),
    versions: template.versions.map((v) => ({
      versionNumber: v.versionNumber,
      description: v.description,
      imageId: typeof v.data.ImageId === 'string' ? v.data.ImageId : undefined,
      data: v.data,
      default: v.versionNumber === template.defaultVersion,
      createTime: v.createTime.toISOString(),
      createdBy: v.createdBy,
    })),
  });
}

export function instanceDump(instance: InstanceState): InstanceDump {
  return { instanceId: instance.instanceId, imageId: instance.imageId, state: instance.state };
}

export function grantDump(grant: GrantState): GrantDump {
  return {
    grantId: grant.grantId,
    keyArn: grant.keyArn,
    name: grant.name,
    granteePrincipal: grant.granteePrincipal,
    retiringPrincipal: grant.retiringPrincipal,
    operations: [...grant.operations],
    createdBy: grant.createdBy,
  };
}

export function keyDump(state: WorldState, key: KeyState): KeyDump {
  return structuredClone({
    arn: key.arn,
    keyId: key.keyId,
    accountId: key.accountId,
    region: key.region,
    keyManager: key.keyManager,
    keySpec: key.keySpec,
    keyUsage: key.keyUsage,
    state: key.state,
    aliases: state.aliasesOf(key).map((a) => a.aliasName),
    policy: key.policy,
    grants: state.grantsOf(key).map(grantDump),
  });
}

interface RegionDump {
  images: ImageDump[];
  snapshots: SnapshotDump[];
  keys: KeyDump[];
  parameters: unknown[];
  launchTemplates: LaunchTemplateDump[];
  instances: InstanceDump[];
}

function regionDumps(state: WorldState, accountId: string): Record<string, RegionDump> {
  const regions: Record<string, RegionDump> = {};
  const region = (name: string) => (regions[name] ??= { images: [], snapshots: [], keys: [], parameters: [], launchTemplates: [], instances: [] });
  for (const image of state.images.values()) if (image.ownerId === accountId) region(image.region).images.push(imageDump(image));
  for (const s of state.snapshots.values()) if (s.ownerId === accountId) region(s.region).snapshots.push(snapshotDump(state, s));
  for (const key of state.keys.values()) if (key.accountId === accountId) region(key.region).keys.push(keyDump(state, key));
  for (const p of state.parameters.values()) {
    if (p.accountId === accountId) region(p.region).parameters.push({ name: p.name, value: p.value, dataType: p.dataType, version: p.version });
  }
  for (const t of state.launchTemplates.values()) if (t.accountId === accountId) region(t.region).launchTemplates.push(launchTemplateDump(t));
  for (const i of state.instances.values()) if (i.accountId === accountId) region(i.region).instances.push(instanceDump(i));
  return regions;
}

/** The whole state as JSON. */
export function stateDump(state: WorldState) {
  state.advance();
  const accounts: Record<string, unknown> = {};
  for (const account of state.accounts.values()) {
    accounts[account.id] = {
      users: [...account.users.keys()],
      roles: Object.fromEntries([...account.roles].map(([name, r]) => [name, { policies: r.policies, trustPolicy: r.trustPolicy }])),
      oidcProviders: account.oidcProviders,
      regions: regionDumps(state, account.id),
    };
  }
  return {
    time: iso(state.now()),
    accounts,
    sessions: [...state.sessions.values()].map((s) => ({
      accessKeyId: s.accessKeyId,
      account: s.accountId,
      role: s.roleName,
      sessionName: s.sessionName,
      subject: s.subject,
      expiresAt: iso(s.expiresAt),
    })),
  };
}
