/**
 * The stand-in's world: a plain, JSON-serialisable description of accounts, IAM, keys, images and
 * snapshots, and fluent builders to write one in a few lines:
 *
 *   const world = createWorld()
 *     .account('111111111111').user('admin', { accessKeyId: 'AKIA...', secretAccessKey: '...' })
 *     .key('eu-west-1', { keyId: '1234abcd-...', alias: 'alias/ami-share' })
 *     .image('eu-west-1', { imageId: 'ami-0123456789abcdef0', name: 'base', snapshots: [{ kmsKey: 'alias/ami-share' }] })
 *     .account('222222222222').role('ami-promotion-target', { trustPolicy: githubOidcTrust(...) });
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { BlockDeviceMapping } from '@aws-sdk/client-ec2';
import { organizationPath } from './arns.js';
import type { ImageFeatures } from './state.js';
import {
  ADMINISTRATOR_ACCESS,
  GITHUB_OIDC_ISSUER,
  rootKeyPolicy,
  statements,
  type PolicyDocument,
  type PolicyStatement,
} from './policy-types.js';

export type KeySpec = 'SYMMETRIC_DEFAULT' | 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'ECC_NIST_P256' | 'HMAC_256';
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC';
export type KeyStateName = 'Enabled' | 'Disabled' | 'PendingDeletion';
export type SnapshotStateName = 'pending' | 'completed' | 'error';
/**
 * `disabled`: DisableImage's state. A disabled AMI has no launch permissions (disabling removes them and it cannot be
 * shared), so only its owner sees it, and DescribeImages lists it only with IncludeDisabled.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/disable-an-ami.html
 */
export type ImageStateName = 'pending' | 'available' | 'failed' | 'disabled';

export interface AccessKeyConfig {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface UserConfig {
  name: string;
  policies: Record<string, PolicyDocument>;
  accessKeys: AccessKeyConfig[];
}

export interface RoleConfig {
  name: string;
  trustPolicy: PolicyDocument;
  policies: Record<string, PolicyDocument>;
  maxSessionDuration: number;
}

export interface OidcProviderConfig {
  url: string;
  clientIds: string[];
}

export interface GrantConfig {
  grantId?: string;
  name?: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
}

export interface KeyConfig {
  keyId: string;
  description: string;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  keyManager: 'CUSTOMER' | 'AWS';
  state: KeyStateName;
  aliases: string[];
  /** Defaults to the root-account policy KMS gives new keys (AWS-managed keys: the service policy). */
  policy?: PolicyDocument;
  multiRegion: boolean;
  grants: GrantConfig[];
}

export interface SnapshotConfig {
  snapshotId: string;
  volumeSize: number;
  encrypted: boolean;
  /** Key id, alias name, key ARN or alias ARN, resolved in the snapshot's account and region. */
  kmsKey?: string;
  state: SnapshotStateName;
  description: string;
  tags: Record<string, string>;
  sharedWith: string[];
  public: boolean;
  /** A snapshot lock (EBS Snapshot Lock): the snapshot cannot be deleted. */
  locked: boolean;
}

export interface BlockDeviceConfig {
  deviceName: string;
  snapshotId: string;
  volumeType: string;
  deleteOnTermination: boolean;
  iops?: number;
  throughput?: number;
}

export interface ImageConfig {
  imageId: string;
  name: string;
  description?: string;
  state: ImageStateName;
  blockDevices: BlockDeviceConfig[];
  rootDeviceName: string;
  rootDeviceType: 'ebs' | 'instance-store';
  architecture: string;
  virtualizationType: string;
  enaSupport: boolean;
  /** Boot mode, TPM, IMDS, SR-IOV, UEFI data and billing; default Linux/UNIX with nothing else. */
  features?: Partial<ImageFeatures>;
  /** Mappings without a snapshot (VirtualName, NoDevice, empty EBS), after the snapshot ones. */
  otherMappings?: BlockDeviceMapping[];
  productCodes: { id: string; type: 'marketplace' | 'devpay' }[];
  sharedWith: string[];
  sharedWithOrganizations: string[];
  public: boolean;
  tags: Record<string, string>;
  deprecationTime?: string;
  deregistrationProtection: boolean;
  creationDate: string;
  /** ISO time the AMI last launched an instance (DescribeImages LastLaunchedTime). */
  lastLaunchedTime?: string;
}

export interface ParameterConfig {
  name: string;
  value: string;
  type: 'String' | 'StringList' | 'SecureString';
  dataType: string;
}

export interface RegionConfig {
  keys: KeyConfig[];
  snapshots: SnapshotConfig[];
  images: ImageConfig[];
  parameters: ParameterConfig[];
  launchTemplates: LaunchTemplateConfig[];
  instances: InstanceConfig[];
  /** Allowed AMIs (unset: disabled). */
  allowedImages?: AllowedImagesConfig;
  /** Key for EBS default encryption; unset: alias/aws/ebs (created on first use). */
  ebsDefaultKmsKeyId?: string;
  encryptionByDefault: boolean;
}

/** One launch template version's data: `imageId` may be an AMI ID or `resolve:ssm:NAME`; `data` holds other LaunchTemplateData fields. */
export interface LaunchTemplateVersionSpec {
  imageId?: string;
  instanceType?: string;
  description?: string;
  data?: Record<string, unknown>;
}

export interface LaunchTemplateConfig {
  launchTemplateId: string;
  name: string;
  versions: { description?: string; data: Record<string, unknown> }[];
  defaultVersion: number;
  createTime: string;
  tags?: Record<string, string>;
}

export type InstanceStateName = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface InstanceConfig {
  instanceId: string;
  imageId: string;
  state: InstanceStateName;
}

export type AllowedImagesState = 'disabled' | 'audit-mode' | 'enabled';

/** Allowed AMIs settings of an account and region (image providers only: account IDs, 'amazon', 'aws-marketplace', 'aws-backup-vault', 'none'). */
export interface AllowedImagesConfig {
  state: AllowedImagesState;
  imageCriteria: { imageProviders: string[] }[];
}

export interface AccountConfig {
  id: string;
  /** The organization the account belongs to (none: a standalone account). */
  organizationArn?: string;
  /** Its aws:PrincipalOrgPaths value (see organizationPath in arns.ts). */
  organizationPath?: string;
  users: UserConfig[];
  roles: RoleConfig[];
  oidcProviders: OidcProviderConfig[];
  regions: Record<string, RegionConfig>;
}

export interface WorldConfig {
  accounts: AccountConfig[];
}

export function hexId(prefix: string, length = 17): string {
  return `${prefix}-${randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length)}`;
}

export function randomAccessKeyId(prefix = 'AKIA'): string {
  return prefix + randomBytes(10).toString('base64url').toUpperCase().replace(/[^A-Z0-9]/g, 'X').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------------
// Builder inputs: everything optional except what identifies the thing.

export interface UserSpec {
  policies?: Record<string, PolicyDocument>;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface RoleSpec {
  trustPolicy?: PolicyDocument;
  policies?: Record<string, PolicyDocument>;
  maxSessionDuration?: number;
}

export interface KeySpecInput {
  keyId?: string;
  alias?: string;
  aliases?: string[];
  description?: string;
  keySpec?: KeySpec;
  keyUsage?: KeyUsage;
  keyManager?: 'CUSTOMER' | 'AWS';
  state?: KeyStateName;
  policy?: PolicyDocument;
  /** Statements appended to the default root-account policy. */
  extraStatements?: PolicyStatement[];
  multiRegion?: boolean;
  grants?: GrantConfig[];
}

export interface SnapshotSpec {
  snapshotId?: string;
  sizeGiB?: number;
  /** When set the snapshot is encrypted under this key (id, alias, or ARN). */
  kmsKey?: string;
  encrypted?: boolean;
  state?: SnapshotStateName;
  description?: string;
  tags?: Record<string, string>;
  sharedWith?: string[];
  public?: boolean;
  locked?: boolean;
  deviceName?: string;
  volumeType?: string;
  iops?: number;
  throughput?: number;
  deleteOnTermination?: boolean;
}

export interface ImageSpec {
  imageId?: string;
  name: string;
  description?: string;
  state?: ImageStateName;
  /** One entry per block device; default: one unencrypted 8 GiB root snapshot. */
  snapshots?: SnapshotSpec[];
  rootDeviceName?: string;
  rootDeviceType?: 'ebs' | 'instance-store';
  architecture?: string;
  virtualizationType?: string;
  enaSupport?: boolean;
  features?: Partial<ImageFeatures>;
  otherMappings?: BlockDeviceMapping[];
  productCodes?: { id: string; type: 'marketplace' | 'devpay' }[];
  /** Accounts with a launch permission. */
  sharedWith?: string[];
  /** Accounts with createVolumePermission on every snapshot; defaults to sharedWith. */
  snapshotsSharedWith?: string[];
  sharedWithOrganizations?: string[];
  public?: boolean;
  tags?: Record<string, string>;
  /** ISO time; once past, the AMI is deprecated (still usable by ID). */
  deprecationTime?: string;
  deregistrationProtection?: boolean;
  creationDate?: string;
  /** ISO time the AMI last launched an instance. */
  lastLaunchedTime?: string;
}

export interface LaunchTemplateSpec {
  launchTemplateId?: string;
  name: string;
  /** Version 1 first; at least one. */
  versions: LaunchTemplateVersionSpec[];
  /** Default: 1. */
  defaultVersion?: number;
  createTime?: string;
  /** The template's tags (what ec2:ResourceTag / aws:ResourceTag see). */
  tags?: Record<string, string>;
}

/** What DisableImage does to the launch permissions: removes them all (a disabled AMI is private). */
function withoutLaunchPermissions<T extends Pick<ImageConfig, 'state' | 'sharedWith' | 'sharedWithOrganizations' | 'public'>>(image: T): T {
  if (image.state !== 'disabled') return image;
  return { ...image, sharedWith: [], sharedWithOrganizations: [], public: false };
}

function emptyRegion(): RegionConfig {
  return { keys: [], snapshots: [], images: [], parameters: [], launchTemplates: [], instances: [], encryptionByDefault: false };
}

export class AccountBuilder {
  constructor(
    private readonly worldBuilder: WorldBuilder,
    readonly config: AccountConfig,
  ) {}

  get id(): string {
    return this.config.id;
  }

  /** Continues with another account (created when new). */
  account(id: string): AccountBuilder {
    return this.worldBuilder.account(id);
  }

  build(): WorldConfig {
    return this.worldBuilder.build();
  }

  region(name: string): RegionConfig {
    return (this.config.regions[name] ??= emptyRegion());
  }

  /** Makes the account a member of an organization, under the OUs given (outermost first); undefined: of none. */
  organization(arn: string | undefined, ous: string[] = []): this {
    this.config.organizationArn = arn;
    this.config.organizationPath = arn === undefined ? undefined : organizationPath(arn, ous);
    return this;
  }

  /** Adds or updates an IAM user; an access key is created when none is given. */
  user(name: string, spec: UserSpec = {}): this {
    let user = this.config.users.find((u) => u.name === name);
    if (!user) {
      user = { name, policies: {}, accessKeys: [] };
      this.config.users.push(user);
    }
    if (spec.policies) Object.assign(user.policies, spec.policies);
    if (spec.accessKeyId || user.accessKeys.length === 0) {
      user.accessKeys.push({
        accessKeyId: spec.accessKeyId ?? randomAccessKeyId(),
        secretAccessKey: spec.secretAccessKey ?? randomBytes(30).toString('base64'),
      });
    }
    return this;
  }

  /** Adds an administrator user (policy `*`). */
  admin(name: string, accessKeyId?: string, secretAccessKey?: string): this {
    return this.user(name, { policies: { AdministratorAccess: ADMINISTRATOR_ACCESS }, accessKeyId, secretAccessKey });
  }

  /** Adds or updates a role; its policies are merged by name. */
  role(name: string, spec: RoleSpec = {}): this {
    let role = this.config.roles.find((r) => r.name === name);
    if (!role) {
      role = { name, trustPolicy: { Version: '2012-10-17', Statement: [] }, policies: {}, maxSessionDuration: 3600 };
      this.config.roles.push(role);
    }
    if (spec.trustPolicy) role.trustPolicy = spec.trustPolicy;
    if (spec.policies) Object.assign(role.policies, spec.policies);
    if (spec.maxSessionDuration !== undefined) role.maxSessionDuration = spec.maxSessionDuration;
    return this;
  }

  /** Sets (or with undefined removes) one identity policy of a role. */
  rolePolicy(roleName: string, policyName: string, policy: PolicyDocument | undefined): this {
    const role = this.config.roles.find((r) => r.name === roleName);
    if (!role) throw new Error(`no role ${roleName} in ${this.id}`);
    if (policy) role.policies[policyName] = policy;
    else delete role.policies[policyName];
    return this;
  }

  oidcProvider(spec: { url?: string; clientIds?: string[] } = {}): this {
    const url = spec.url ?? GITHUB_OIDC_ISSUER;
    const existing = this.config.oidcProviders.find((p) => p.url === url);
    if (existing) existing.clientIds = spec.clientIds ?? existing.clientIds;
    else this.config.oidcProviders.push({ url, clientIds: spec.clientIds ?? ['sts.amazonaws.com'] });
    return this;
  }

  removeOidcProvider(url = GITHUB_OIDC_ISSUER): this {
    this.config.oidcProviders = this.config.oidcProviders.filter((p) => p.url !== url);
    return this;
  }

  /** Adds a KMS key (customer-managed symmetric by default, with the root-account key policy). */
  key(region: string, spec: KeySpecInput = {}): this {
    const keyId = spec.keyId ?? randomUUID();
    const aliases = [...(spec.aliases ?? []), ...(spec.alias ? [spec.alias] : [])];
    const keySpec = spec.keySpec ?? 'SYMMETRIC_DEFAULT';
    const base = spec.policy ?? (spec.keyManager === 'AWS' ? undefined : rootKeyPolicy(this.id));
    const policy =
      base && spec.extraStatements ? { ...base, Statement: [...statements(base), ...spec.extraStatements] } : base;
    this.region(region).keys.push({
      keyId,
      description: spec.description ?? '',
      keySpec,
      keyUsage: spec.keyUsage ?? (keySpec.startsWith('ECC') ? 'SIGN_VERIFY' : keySpec.startsWith('HMAC') ? 'GENERATE_VERIFY_MAC' : 'ENCRYPT_DECRYPT'),
      keyManager: spec.keyManager ?? 'CUSTOMER',
      state: spec.state ?? 'Enabled',
      aliases,
      policy,
      multiRegion: spec.multiRegion ?? false,
      grants: spec.grants ?? [],
    });
    return this;
  }

  /** The key config named by id or alias in a region. */
  findKey(region: string, ref: string): KeyConfig {
    const key = this.region(region).keys.find((k) => k.keyId === ref || k.aliases.includes(ref));
    if (!key) throw new Error(`no key ${ref} in ${this.id}/${region}`);
    return key;
  }

  keyPolicy(region: string, keyRef: string, policy: PolicyDocument): this {
    this.findKey(region, keyRef).policy = policy;
    return this;
  }

  /** Appends statements to a key's policy. */
  keyStatements(region: string, keyRef: string, ...extra: PolicyStatement[]): this {
    const key = this.findKey(region, keyRef);
    const base = key.policy ?? rootKeyPolicy(this.id);
    key.policy = { ...base, Statement: [...statements(base), ...extra] };
    return this;
  }

  /** Removes the key-policy statements with these Sids. */
  removeKeyStatements(region: string, keyRef: string, ...sids: string[]): this {
    const key = this.findKey(region, keyRef);
    const base = key.policy ?? rootKeyPolicy(this.id);
    key.policy = { ...base, Statement: statements(base).filter((s) => !s.Sid || !sids.includes(s.Sid)) };
    return this;
  }

  keyState(region: string, keyRef: string, state: KeyStateName): this {
    this.findKey(region, keyRef).state = state;
    return this;
  }

  grant(region: string, keyRef: string, grant: GrantConfig): this {
    this.findKey(region, keyRef).grants.push(grant);
    return this;
  }

  snapshot(region: string, spec: SnapshotSpec = {}): this {
    this.region(region).snapshots.push(this.snapshotConfig(spec));
    return this;
  }

  private snapshotConfig(spec: SnapshotSpec): SnapshotConfig {
    return {
      snapshotId: spec.snapshotId ?? hexId('snap'),
      volumeSize: spec.sizeGiB ?? 8,
      encrypted: spec.encrypted ?? spec.kmsKey !== undefined,
      kmsKey: spec.kmsKey ?? (spec.encrypted ? 'alias/aws/ebs' : undefined),
      state: spec.state ?? 'completed',
      description: spec.description ?? '',
      tags: spec.tags ?? {},
      sharedWith: spec.sharedWith ?? [],
      public: spec.public ?? false,
      locked: spec.locked ?? false,
    };
  }

  /** Adds an AMI and its snapshots. */
  image(region: string, spec: ImageSpec): this {
    const specs = spec.snapshots ?? [{}];
    const rootDeviceName = spec.rootDeviceName ?? '/dev/xvda';
    const blockDevices: BlockDeviceConfig[] = specs.map((s, index) => {
      const snapshot = this.snapshotConfig({
        ...s,
        sharedWith: s.sharedWith ?? spec.snapshotsSharedWith ?? spec.sharedWith ?? [],
        public: s.public ?? spec.public ?? false,
      });
      this.region(region).snapshots.push(snapshot);
      return {
        deviceName: s.deviceName ?? (index === 0 ? rootDeviceName : `/dev/sd${String.fromCharCode(97 + index)}`),
        snapshotId: snapshot.snapshotId,
        volumeType: s.volumeType ?? 'gp3',
        deleteOnTermination: s.deleteOnTermination ?? true,
        iops: s.iops,
        throughput: s.throughput,
      };
    });
    this.region(region).images.push(withoutLaunchPermissions({
      imageId: spec.imageId ?? hexId('ami'),
      name: spec.name,
      description: spec.description,
      state: spec.state ?? 'available',
      blockDevices,
      rootDeviceName,
      rootDeviceType: spec.rootDeviceType ?? 'ebs',
      architecture: spec.architecture ?? 'x86_64',
      virtualizationType: spec.virtualizationType ?? 'hvm',
      enaSupport: spec.enaSupport ?? true,
      features: spec.features,
      otherMappings: spec.otherMappings,
      productCodes: spec.productCodes ?? [],
      sharedWith: spec.sharedWith ?? [],
      sharedWithOrganizations: spec.sharedWithOrganizations ?? [],
      public: spec.public ?? false,
      tags: spec.tags ?? {},
      deprecationTime: spec.deprecationTime,
      deregistrationProtection: spec.deregistrationProtection ?? false,
      creationDate: spec.creationDate ?? '2026-01-01T00:00:00.000Z',
      lastLaunchedTime: spec.lastLaunchedTime,
    }));
    return this;
  }

  findImage(region: string, imageId: string): ImageConfig {
    const image = this.region(region).images.find((i) => i.imageId === imageId);
    if (!image) throw new Error(`no image ${imageId} in ${this.id}/${region}`);
    return image;
  }

  /** Changes an image already in the world (and its snapshots' sharing when given). */
  updateImage(region: string, imageId: string, change: Partial<Omit<ImageConfig, 'imageId'>> & { snapshotsSharedWith?: string[] }): this {
    const image = this.findImage(region, imageId);
    const { snapshotsSharedWith, ...rest } = change;
    Object.assign(image, withoutLaunchPermissions({ ...image, ...rest }));
    if (snapshotsSharedWith) {
      for (const device of image.blockDevices) {
        const snapshot = this.region(region).snapshots.find((s) => s.snapshotId === device.snapshotId);
        if (snapshot) snapshot.sharedWith = snapshotsSharedWith;
      }
    }
    return this;
  }

  parameter(region: string, name: string, value: string, dataType = 'text'): this {
    this.region(region).parameters.push({ name, value, type: 'String', dataType });
    return this;
  }

  /** Adds a launch template (ID `lt-` + 17 hex unless given) with its versions, numbered from 1. */
  launchTemplate(region: string, spec: LaunchTemplateSpec): this {
    if (spec.versions.length === 0) throw new Error(`launch template ${spec.name}: at least one version`);
    this.region(region).launchTemplates.push({
      launchTemplateId: spec.launchTemplateId ?? hexId('lt'),
      name: spec.name,
      versions: spec.versions.map((v) => ({
        description: v.description,
        data: { ...v.data, ...(v.imageId ? { ImageId: v.imageId } : {}), ...(v.instanceType ? { InstanceType: v.instanceType } : {}) },
      })),
      defaultVersion: spec.defaultVersion ?? 1,
      createTime: spec.createTime ?? '2026-01-01T00:00:00.000Z',
      tags: spec.tags,
    });
    return this;
  }

  /** Adds an instance record (only so that image references can be modelled). */
  instance(region: string, spec: { instanceId?: string; imageId: string; state?: InstanceStateName }): this {
    this.region(region).instances.push({ instanceId: spec.instanceId ?? hexId('i'), imageId: spec.imageId, state: spec.state ?? 'running' });
    return this;
  }

  /** Sets the Allowed AMIs settings of a region. */
  allowedImages(region: string, settings: AllowedImagesConfig): this {
    this.region(region).allowedImages = structuredClone(settings);
    return this;
  }

  ebsDefaultKey(region: string, keyRef: string): this {
    this.region(region).ebsDefaultKmsKeyId = keyRef;
    return this;
  }

  encryptionByDefault(region: string, enabled = true): this {
    this.region(region).encryptionByDefault = enabled;
    return this;
  }
}

export class WorldBuilder {
  private readonly config: WorldConfig = { accounts: [] };
  private readonly builders = new Map<string, AccountBuilder>();

  /** The builder of an account, created (empty) on first use. */
  account(id: string): AccountBuilder {
    if (!/^\d{12}$/.test(id)) throw new Error(`account ids have 12 digits: ${id}`);
    let builder = this.builders.get(id);
    if (!builder) {
      const account: AccountConfig = { id, users: [], roles: [], oidcProviders: [], regions: {} };
      this.config.accounts.push(account);
      builder = new AccountBuilder(this, account);
      this.builders.set(id, builder);
    }
    return builder;
  }

  /** A deep copy of the world as configured so far. */
  build(): WorldConfig {
    return structuredClone(this.config);
  }
}

export function createWorld(): WorldBuilder {
  return new WorldBuilder();
}

export type WorldInput = WorldConfig | { build(): WorldConfig };

export function worldConfigOf(input: WorldInput): WorldConfig {
  return 'build' in input && typeof input.build === 'function' ? input.build() : structuredClone(input as WorldConfig);
}
