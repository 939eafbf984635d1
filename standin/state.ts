/**
 * The stand-in's mutable state, built from a WorldConfig: IAM principals, KMS keys, aliases and grants,
 * images, snapshots, SSM parameters and issued sessions, plus the clock that drives copies and expiry.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { BlockDeviceMapping } from '@aws-sdk/client-ec2';
import { aliasArn, keyArn, parseArn } from './arns.js';
import { awsManagedKeyPolicy, rootKeyPolicy, type PolicyDocument } from './policy-types.js';
import type {
  AccountConfig,
  AllowedImagesConfig,
  InstanceStateName,
  RegionConfig,
  ImageStateName,
  KeySpec,
  KeyStateName,
  KeyUsage,
  OidcProviderConfig,
  RoleConfig,
  SnapshotStateName,
  UserConfig,
  WorldConfig,
} from './world.js';
import { hexId } from './world.js';

/** Wall clock plus an offset tests can advance. */
export class Clock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface PermissionRecord {
  addedBy: string;
  addedAt: string;
}

export interface RoleState extends RoleConfig {
  roleId: string;
}

export interface UserState extends UserConfig {
  userId: string;
}

export interface AccountState {
  id: string;
  organizationArn?: string;
  organizationPath?: string;
  users: Map<string, UserState>;
  roles: Map<string, RoleState>;
  oidcProviders: OidcProviderConfig[];
}

export interface KeyState {
  arn: string;
  keyId: string;
  accountId: string;
  region: string;
  description: string;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  keyManager: 'CUSTOMER' | 'AWS';
  state: KeyStateName;
  policy: PolicyDocument;
  multiRegion: boolean;
  creationDate: Date;
}

export interface AliasState {
  aliasName: string;
  accountId: string;
  region: string;
  targetKeyId: string;
  creationDate: Date;
}

export interface GrantState {
  grantId: string;
  grantToken: string;
  keyArn: string;
  name?: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: Record<string, unknown>;
  issuingAccount: string;
  createdAt: number;
  createdBy: string;
}

export interface CopyJob {
  sourceImageId: string;
  sourceRegion: string;
  startedAt: number;
  completeAt: number;
  /** Set when the copy will fail: from when, and the StateReason. */
  failAt?: number;
  failure?: { code: string; message: string };
  checks: KmsCheck[];
  completionDurationMinutes?: number;
  done: boolean;
  /** A CopySnapshot (no image): the snapshot itself turns completed or error. */
  snapshotOnly?: boolean;
}

/** One KMS permission EC2 checked on the caller's behalf at the start of a copy. */
export interface KmsCheck {
  keyArn: string;
  operation: string;
  role: 'source' | 'destination';
  allowed: boolean;
  by?: 'policy' | 'grant';
  reason?: string;
}

export interface SnapshotState {
  snapshotId: string;
  ownerId: string;
  region: string;
  volumeSize: number;
  encrypted: boolean;
  kmsKeyArn?: string;
  state: SnapshotStateName;
  stateMessage?: string;
  description: string;
  startTime: Date;
  createVolumeUserIds: Map<string, PermissionRecord>;
  createVolumePublic?: PermissionRecord;
  /** Tags per tagging account: each account sees only its own. */
  tags: Map<string, Map<string, string>>;
  copy?: CopyJob;
  /** EBS Snapshot Lock: "A locked snapshot can't be deleted" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LockSnapshot.html). */
  locked?: boolean;
}

export interface BlockDeviceState {
  deviceName: string;
  snapshotId: string;
  volumeSize: number;
  volumeType: string;
  deleteOnTermination: boolean;
  iops?: number;
  throughput?: number;
}

/**
 * What an AMI carries besides its snapshots, as DescribeImages and DescribeImageAttribute show it
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html): what RegisterImage sets, and the billing
 * information AWS ties to the AMI (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/billing-info-fields.html).
 */
export interface ImageFeatures {
  sriovNetSupport?: string;
  bootMode?: string;
  tpmSupport?: string;
  imdsSupport?: string;
  /** DescribeImageAttribute uefiData: base64 of the UEFI variable store. */
  uefiData?: string;
  platformDetails: string;
  usageOperation: string;
}

export const LINUX_BILLING = { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' } as const;

export interface ImageState {
  imageId: string;
  ownerId: string;
  region: string;
  name: string;
  description?: string;
  state: ImageStateName;
  stateReason?: { code: string; message: string };
  blockDevices: BlockDeviceState[];
  rootDeviceName: string;
  rootDeviceType: 'ebs' | 'instance-store';
  architecture: string;
  virtualizationType: string;
  enaSupport: boolean;
  features: ImageFeatures;
  /** Mappings without a snapshot: instance store (VirtualName), NoDevice, empty EBS volumes (SDK shape). */
  otherMappings: BlockDeviceMapping[];
  productCodes: { id: string; type: 'marketplace' | 'devpay' }[];
  launchUserIds: Map<string, PermissionRecord>;
  launchPublic?: PermissionRecord;
  launchOrganizationArns: Map<string, PermissionRecord>;
  launchOrganizationalUnitArns: Map<string, PermissionRecord>;
  tags: Map<string, Map<string, string>>;
  deprecationTime?: string;
  deregistrationProtection: 'disabled' | 'enabled-without-cooldown' | 'enabled-with-cooldown';
  creationDate: string;
  sourceImageId?: string;
  sourceRegion?: string;
  copy?: CopyJob;
  lastLaunchedTime?: string;
}

export interface LaunchTemplateVersionState {
  versionNumber: number;
  description?: string;
  /** LaunchTemplateData as the SDK names its fields (ImageId, InstanceType, ...). */
  data: Record<string, unknown>;
  createTime: Date;
  createdBy: string;
}

export interface LaunchTemplateState {
  launchTemplateId: string;
  name: string;
  accountId: string;
  region: string;
  createTime: Date;
  createdBy: string;
  defaultVersion: number;
  versions: LaunchTemplateVersionState[];
  tags: Map<string, string>;
}

export interface InstanceState {
  instanceId: string;
  accountId: string;
  region: string;
  imageId: string;
  state: InstanceStateName;
}

export interface ParameterState {
  name: string;
  accountId: string;
  region: string;
  value: string;
  type: string;
  dataType: string;
  version: number;
  lastModifiedDate: Date;
  lastModifiedBy: string;
}

export interface SessionState {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleName: string;
  sessionName: string;
  subject: string;
  issuedAt: number;
  expiresAt: number;
}

export interface StaticKey {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  userName: string;
}

export interface RegionSettings {
  ebsDefaultKmsKeyId?: string;
  encryptionByDefault: boolean;
  allowedImages?: AllowedImagesConfig;
}

function principalId(prefix: string): string {
  return prefix + randomBytes(12).toString('hex').toUpperCase().slice(0, 17);
}

const tagMap = (tags: Record<string, string>) => new Map(Object.entries(tags));

export class WorldState {
  readonly accounts = new Map<string, AccountState>();
  readonly staticKeys = new Map<string, StaticKey>();
  readonly sessions = new Map<string, SessionState>();
  readonly keys = new Map<string, KeyState>();
  readonly aliases = new Map<string, AliasState>();
  readonly grants = new Map<string, GrantState>();
  readonly images = new Map<string, ImageState>();
  readonly snapshots = new Map<string, SnapshotState>();
  readonly parameters = new Map<string, ParameterState>();
  /** CopyImage ClientTokens per account+region. */
  readonly clientTokens = new Map<string, { fingerprint: string; imageId: string }>();
  readonly launchTemplates = new Map<string, LaunchTemplateState>();
  readonly instances = new Map<string, InstanceState>();
  /** CreateLaunchTemplateVersion ClientTokens per account+region. */
  readonly launchTemplateTokens = new Map<string, { fingerprint: string; launchTemplateId: string; versionNumber: number }>();
  private readonly regionSettings = new Map<string, RegionSettings>();

  constructor(
    config: WorldConfig,
    readonly clock: Clock,
  ) {
    for (const account of config.accounts) this.loadAccount(account);
  }

  private loadAccount(config: AccountConfig): void {
    const account: AccountState = {
      id: config.id,
      organizationArn: config.organizationArn,
      organizationPath: config.organizationPath,
      users: new Map(),
      roles: new Map(),
      oidcProviders: config.oidcProviders.map((p) => ({ ...p, clientIds: [...p.clientIds] })),
    };
    this.accounts.set(config.id, account);
    for (const user of config.users) {
      account.users.set(user.name, { ...user, userId: principalId('AIDA') });
      for (const key of user.accessKeys) this.staticKeys.set(key.accessKeyId, { ...key, accountId: config.id, userName: user.name });
    }
    for (const role of config.roles) account.roles.set(role.name, { ...role, roleId: principalId('AROA') });

    for (const [region, regionConfig] of Object.entries(config.regions)) {
      this.regionSettings.set(`${config.id}/${region}`, {
        ebsDefaultKmsKeyId: regionConfig.ebsDefaultKmsKeyId,
        encryptionByDefault: regionConfig.encryptionByDefault,
        allowedImages: regionConfig.allowedImages && structuredClone(regionConfig.allowedImages),
      });
      this.loadLaunchTemplatesAndInstances(config.id, region, regionConfig);
      for (const key of regionConfig.keys) {
        const state = this.addKey(config.id, region, {
          keyId: key.keyId,
          description: key.description,
          keySpec: key.keySpec,
          keyUsage: key.keyUsage,
          keyManager: key.keyManager,
          state: key.state,
          policy: key.policy,
          multiRegion: key.multiRegion,
        });
        for (const alias of key.aliases) this.addAlias(config.id, region, alias, key.keyId);
        for (const grant of key.grants) {
          const grantId = grant.grantId ?? randomBytes(32).toString('hex');
          this.grants.set(grantId, {
            grantId,
            grantToken: randomBytes(48).toString('base64url'),
            keyArn: state.arn,
            name: grant.name,
            granteePrincipal: grant.granteePrincipal,
            retiringPrincipal: grant.retiringPrincipal,
            operations: [...grant.operations],
            issuingAccount: `arn:aws:iam::${config.id}:root`,
            createdAt: 0,
            createdBy: 'world',
          });
        }
      }
      for (const snapshot of regionConfig.snapshots) {
        const key = snapshot.kmsKey ? this.resolveKey(config.id, region, snapshot.kmsKey) : undefined;
        if (snapshot.kmsKey && !key) throw new Error(`snapshot ${snapshot.snapshotId}: no key ${snapshot.kmsKey}`);
        const world = { addedBy: 'world', addedAt: new Date(0).toISOString() };
        this.snapshots.set(snapshot.snapshotId, {
          snapshotId: snapshot.snapshotId,
          ownerId: config.id,
          region,
          volumeSize: snapshot.volumeSize,
          encrypted: snapshot.encrypted,
          kmsKeyArn: key?.arn,
          state: snapshot.state,
          description: snapshot.description,
          startTime: new Date('2026-01-01T00:00:00.000Z'),
          createVolumeUserIds: new Map(snapshot.sharedWith.map((id) => [id, world])),
          createVolumePublic: snapshot.public ? world : undefined,
          tags: new Map(Object.keys(snapshot.tags).length ? [[config.id, tagMap(snapshot.tags)]] : []),
          locked: snapshot.locked,
        });
      }
      for (const image of regionConfig.images) {
        const world = { addedBy: 'world', addedAt: new Date(0).toISOString() };
        this.images.set(image.imageId, {
          imageId: image.imageId,
          ownerId: config.id,
          region,
          name: image.name,
          description: image.description,
          state: image.state,
          blockDevices: image.blockDevices.map((d) => ({
            ...d,
            volumeSize: this.snapshots.get(d.snapshotId)?.volumeSize ?? 8,
          })),
          rootDeviceName: image.rootDeviceName,
          rootDeviceType: image.rootDeviceType,
          architecture: image.architecture,
          virtualizationType: image.virtualizationType,
          enaSupport: image.enaSupport,
          features: { ...LINUX_BILLING, ...image.features },
          otherMappings: structuredClone(image.otherMappings ?? []),
          productCodes: image.productCodes.map((p) => ({ ...p })),
          launchUserIds: new Map(image.sharedWith.map((id) => [id, world])),
          launchPublic: image.public ? world : undefined,
          launchOrganizationArns: new Map(image.sharedWithOrganizations.map((arn) => [arn, world])),
          launchOrganizationalUnitArns: new Map(),
          tags: new Map(Object.keys(image.tags).length ? [[config.id, tagMap(image.tags)]] : []),
          deprecationTime: image.deprecationTime,
          deregistrationProtection: image.deregistrationProtection ? 'enabled-without-cooldown' : 'disabled',
          creationDate: image.creationDate,
          lastLaunchedTime: image.lastLaunchedTime,
        });
      }
      for (const parameter of regionConfig.parameters) {
        this.parameters.set(`${config.id}/${region}/${parameter.name}`, {
          ...parameter,
          accountId: config.id,
          region,
          version: 1,
          lastModifiedDate: new Date(0),
          lastModifiedBy: 'world',
        });
      }
    }
  }

  private loadLaunchTemplatesAndInstances(accountId: string, region: string, config: RegionConfig): void {
    for (const template of config.launchTemplates ?? []) {
      const createTime = new Date(template.createTime);
      this.launchTemplates.set(template.launchTemplateId, {
        launchTemplateId: template.launchTemplateId,
        name: template.name,
        accountId,
        region,
        createTime,
        createdBy: `arn:aws:iam::${accountId}:root`,
        defaultVersion: template.defaultVersion,
        tags: new Map(Object.entries(template.tags ?? {})),
        versions: template.versions.map((v, index) => ({
          versionNumber: index + 1,
          description: v.description,
          data: structuredClone(v.data),
          createTime,
          createdBy: `arn:aws:iam::${accountId}:root`,
        })),
      });
    }
    for (const instance of config.instances ?? []) this.instances.set(instance.instanceId, { ...instance, accountId, region });
  }

  now(): number {
    return this.clock.now();
  }

  account(id: string): AccountState | undefined {
    return this.accounts.get(id);
  }

  settings(accountId: string, region: string): RegionSettings {
    const key = `${accountId}/${region}`;
    let settings = this.regionSettings.get(key);
    if (!settings) this.regionSettings.set(key, (settings = { encryptionByDefault: false }));
    return settings;
  }

  addKey(
    accountId: string,
    region: string,
    spec: Omit<KeyState, 'arn' | 'accountId' | 'region' | 'creationDate' | 'policy'> & { policy?: PolicyDocument },
  ): KeyState {
    const arn = keyArn(accountId, region, spec.keyId);
    const key: KeyState = {
      ...spec,
      arn,
      accountId,
      region,
      policy: spec.policy ?? (spec.keyManager === 'AWS' ? awsManagedKeyPolicy(accountId, region, 'ec2') : rootKeyPolicy(accountId)),
      creationDate: new Date(this.now()),
    };
    this.keys.set(arn, key);
    return key;
  }

  addAlias(accountId: string, region: string, aliasName: string, targetKeyId: string): void {
    if (!aliasName.startsWith('alias/')) throw new Error(`alias names start with alias/: ${aliasName}`);
    this.aliases.set(`${accountId}/${region}/${aliasName}`, {
      aliasName,
      accountId,
      region,
      targetKeyId,
      creationDate: new Date(this.now()),
    });
  }

  /** The AWS-managed key behind alias/aws/<service>, created on first use as KMS does. */
  awsManagedKey(accountId: string, region: string, aliasName = 'alias/aws/ebs'): KeyState | undefined {
    if (!this.accounts.has(accountId)) return undefined;
    const alias = this.aliases.get(`${accountId}/${region}/${aliasName}`);
    if (alias) return this.keys.get(keyArn(accountId, region, alias.targetKeyId));
    const service = aliasName.slice('alias/aws/'.length);
    const key = this.addKey(accountId, region, {
      keyId: randomUUID(),
      description: `Default key that protects my ${service.toUpperCase()} resources when no other key is defined`,
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      keyManager: 'AWS',
      state: 'Enabled',
      // aws/ebs is used through EC2: its policy names ec2.<region>.amazonaws.com as the calling service.
      policy: awsManagedKeyPolicy(accountId, region, service === 'ebs' ? 'ec2' : service),
      multiRegion: false,
    });
    this.addAlias(accountId, region, aliasName, key.keyId);
    return key;
  }

  /**
   * Resolves a key reference as KMS does for a caller in `accountId`/`region`: key id or alias name in the
   * caller's own account, key ARN or alias ARN anywhere.
   */
  resolveKey(accountId: string, region: string, ref: string): KeyState | undefined {
    if (ref.startsWith('arn:')) {
      const arn = parseArn(ref);
      if (!arn || arn.service !== 'kms') return undefined;
      if (arn.resource.startsWith('key/')) return this.keys.get(ref);
      if (arn.resource.startsWith('alias/')) return this.resolveAlias(arn.account, arn.region, arn.resource);
      return undefined;
    }
    if (ref.startsWith('alias/')) return this.resolveAlias(accountId, region, ref);
    return this.keys.get(keyArn(accountId, region, ref));
  }

  private resolveAlias(accountId: string, region: string, aliasName: string): KeyState | undefined {
    if (aliasName.startsWith('alias/aws/')) return this.awsManagedKey(accountId, region, aliasName);
    const alias = this.aliases.get(`${accountId}/${region}/${aliasName}`);
    return alias ? this.keys.get(keyArn(accountId, region, alias.targetKeyId)) : undefined;
  }

  aliasesOf(key: KeyState): AliasState[] {
    return [...this.aliases.values()].filter(
      (a) => a.accountId === key.accountId && a.region === key.region && a.targetKeyId === key.keyId,
    );
  }

  aliasArnOf(alias: AliasState): string {
    return aliasArn(alias.accountId, alias.region, alias.aliasName);
  }

  grantsOf(key: KeyState): GrantState[] {
    return [...this.grants.values()].filter((g) => g.keyArn === key.arn);
  }

  /** The key EBS uses by default in an account and region (alias/aws/ebs unless configured). */
  ebsDefaultKey(accountId: string, region: string): KeyState | undefined {
    const configured = this.settings(accountId, region).ebsDefaultKmsKeyId;
    return configured ? this.resolveKey(accountId, region, configured) : this.awsManagedKey(accountId, region);
  }

  newImageId(): string {
    return hexId('ami');
  }

  newSnapshotId(): string {
    return hexId('snap');
  }

  /** Moves copies on to their end state once their time has come. */
  advance(): void {
    const now = this.now();
    for (const image of this.images.values()) {
      const copy = image.copy;
      if (!copy || copy.done) continue;
      if (copy.failure && copy.failAt !== undefined && now >= copy.failAt) {
        copy.done = true;
        image.state = 'failed';
        image.stateReason = { code: copy.failure.code, message: `${copy.failure.code}: ${copy.failure.message}` };
        for (const device of image.blockDevices) {
          const snapshot = this.snapshots.get(device.snapshotId);
          if (snapshot?.copy === copy) {
            snapshot.state = 'error';
            snapshot.stateMessage = copy.failure.message;
          }
        }
      } else if (!copy.failure && now >= copy.completeAt) {
        copy.done = true;
        image.state = 'available';
        for (const device of image.blockDevices) {
          const snapshot = this.snapshots.get(device.snapshotId);
          if (snapshot?.copy === copy) snapshot.state = 'completed';
        }
      }
    }
    for (const snapshot of this.snapshots.values()) {
      const copy = snapshot.copy;
      if (!copy?.snapshotOnly || copy.done) continue;
      if (copy.failure && copy.failAt !== undefined && now >= copy.failAt) {
        copy.done = true;
        snapshot.state = 'error';
        snapshot.stateMessage = copy.failure.message;
      } else if (!copy.failure && now >= copy.completeAt) {
        copy.done = true;
        snapshot.state = 'completed';
      }
    }
  }

  /** Progress of a snapshot in percent: rising while its copy runs. */
  progress(snapshot: SnapshotState): number {
    if (snapshot.state === 'completed') return 100;
    const copy = snapshot.copy;
    if (!copy) return 0;
    // A failed copy stops where it failed; a running one rises with time and shows 100% only when completed.
    const end = copy.failure && copy.failAt !== undefined ? copy.failAt : copy.completeAt;
    const span = Math.max(1, copy.completeAt - copy.startedAt);
    return Math.max(0, Math.min(99, Math.floor(((Math.min(this.now(), end) - copy.startedAt) / span) * 100)));
  }
}
