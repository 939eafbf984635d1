/**
 * Fixtures for the unit tests of the promotion pipeline (src/domain): a PromotionContext whose AWS clients are
 * real SDK clients, one instance per account, service and region, each mocked with aws-sdk-client-mock; a
 * MemoryJournal, a Logger that records every line and a Clock whose sleep only moves `now` forward.
 *
 * Every command sent through any of the clients is also recorded, in order, with its account, service and region,
 * so that a test can tell which credentials and which region a call used and whether anything changed.
 */
import { createHash } from 'node:crypto';
import {
  CopyImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EnableImageDeprecationCommand,
  EnableImageDeregistrationProtectionCommand,
  GetAllowedImagesSettingsCommand,
  GetEbsDefaultKmsKeyIdCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  type Image,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { IAMClient, SimulatePrincipalPolicyCommand, type EvaluationResult, type PolicyEvaluationDecisionType } from '@aws-sdk/client-iam';
import { CreateGrantCommand, DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { parseKmsArn, parseRoleArn, type KmsKeyArn, type RoleArn } from '../../src/aws/arn.js';
import type { AccountClients } from '../../src/aws/clients.js';
import { accountOf, forTarget, type Clock, type Logger, type PromotionContext, type Target, type TargetContext } from '../../src/domain/context.js';
import { MemoryJournal } from '../../src/domain/journal.js';
import { TAG } from '../../src/domain/tags.js';
import type { ExistingPromotion } from '../../src/domain/lookups/reuse.js';
import type { TargetKey } from '../../src/domain/lookups/target-key.js';
import type { PreflightResult } from '../../src/domain/preflight/preflight.js';
import type { PromotionRequest, Side, Tag, TargetSpec } from '../../src/domain/types.js';
import { targetRoleKeyStatements } from '../../src/policy/key-policy-statements.js';
import type { PolicyStatement } from '../../src/policy/policy-document.js';
import {
  KEY_ARN,
  KEY_ID,
  OTHER_ACCOUNT,
  OTHER_KEY_ARN,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  SOURCE_ROLE,
  SOURCE_ROOT,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  TARGET_ROOT,
} from './accounts.js';

// --- identities and names -------------------------------------------------------------------------------

export { KEY_ARN, KEY_ID, OTHER_ACCOUNT, OTHER_KEY_ARN, SECOND_REGION, SOURCE_ACCOUNT, SOURCE_AMI, SOURCE_REGION, SOURCE_ROLE, SOURCE_ROOT, TARGET_ACCOUNT, TARGET_ROLE, TARGET_ROOT };
export const SOURCE_SESSION = `arn:aws:sts::${SOURCE_ACCOUNT}:assumed-role/ami-promotion-source/promote-ami-4242-1`;
export const TARGET_SESSION = `arn:aws:sts::${TARGET_ACCOUNT}:assumed-role/ami-promotion-target/promote-ami-4242-1`;

/** The AWS-managed aws/ebs key of the source account. */
export const AWS_EBS_KEY_ARN = `arn:aws:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:key/aaaaaaaa-1111-2222-3333-444444444444`;
/** The alias the target-kms-key input names in the target account. */
export const TARGET_ALIAS = 'alias/golden-ami';

export const INTERMEDIATE_AMI = 'ami-0bbbbbbbbbbbbbbb1';

export const PROVENANCE = {
  repository: 'octo-org/golden-images',
  commitSha: '0f4c5e1a9d2b3c4d5e6f708192a3b4c5d6e7f809',
  runUrl: 'https://github.com/octo-org/golden-images/actions/runs/4242',
  runId: '4242',
  runAttempt: '1',
};

export const SOURCE_TAGS: Tag[] = [
  { Key: 'Name', Value: 'golden-base' },
  { Key: 'team', Value: 'platform' },
];

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/** Snapshot ids of the source AMI: root first, then the data volumes. */
export function sourceSnapshotIds(dataVolumes = 0): string[] {
  return Array.from({ length: dataVolumes + 1 }, (_, i) => `snap-0a${hex(`source-${i}`, 15)}`);
}

export function intermediateSnapshotIds(dataVolumes = 0): string[] {
  return Array.from({ length: dataVolumes + 1 }, (_, i) => `snap-0b${hex(`intermediate-${i}`, 15)}`);
}

/** The id of the promoted copy in one target region. */
export function targetImageId(region: string): string {
  return `ami-0c${hex(`target-${region}`, 15)}`;
}

export function targetSnapshotIds(region: string, dataVolumes = 0): string[] {
  return Array.from({ length: dataVolumes + 1 }, (_, i) => `snap-0c${hex(`target-${region}-${i}`, 15)}`);
}

/** The key the target-kms-key alias resolves to in one region. */
export function targetKeyArn(region: string): string {
  const id = hex(`target-key-${region}`, 32);
  return `arn:aws:kms:${region}:${TARGET_ACCOUNT}:key/${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
}

export function targetDefaultKeyArn(region: string): string {
  return `arn:aws:kms:${region}:${TARGET_ACCOUNT}:key/dddddddd-0000-1111-2222-${hex(`default-${region}`, 12)}`;
}

/** A resolved customer-managed target key, as the preflight hands it to the copy. */
export function customerTargetKey(region: string): TargetKey {
  return { region, arn: targetKeyArn(region), label: targetKeyArn(region), display: targetKeyArn(region), keyManager: 'CUSTOMER' };
}

export function awsManagedTargetKey(region: string): TargetKey {
  return { ...customerTargetKey(region), keyManager: 'AWS' };
}

/** The target account's default EBS key: CopyImage gets no KmsKeyId. */
export function defaultTargetKey(region: string): TargetKey {
  return { region, label: 'default', display: `${targetDefaultKeyArn(region)} (default EBS key)` };
}

/** The provenance tags a promoted AMI of SOURCE_AMI carries, for a target key label. */
export function expectedProvenanceTags(keyLabel: string): Tag[] {
  return [
    { Key: 'promote-ami:role', Value: 'promoted' },
    { Key: 'promote-ami:source-ami-id', Value: SOURCE_AMI },
    { Key: 'promote-ami:source-account', Value: SOURCE_ACCOUNT },
    { Key: 'promote-ami:source-region', Value: SOURCE_REGION },
    { Key: 'promote-ami:kms-key', Value: keyLabel },
    { Key: 'promote-ami:repository', Value: PROVENANCE.repository },
    { Key: 'promote-ami:commit', Value: PROVENANCE.commitSha },
    { Key: 'promote-ami:run-url', Value: PROVENANCE.runUrl },
  ];
}

// --- errors -----------------------------------------------------------------------------------------------

/** An AWS service error as the SDK throws it. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400, requestId: 'req-1', attempts: 1 } });
}

// --- clock and logger -------------------------------------------------------------------------------------

/** A Clock whose sleep returns at once after moving `now` forward by the time asked for. */
export class FakeClock implements Clock {
  /** Every sleep asked for, in milliseconds, in order. */
  readonly sleeps: number[] = [];
  /** Called after each sleep (for example to abort a wait in the middle). */
  onSleep?: (ms: number) => void;

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.sleeps.length > 10_000) throw new Error('FakeClock: more than 10000 sleeps; the code under test does not stop waiting.');
    this.sleeps.push(ms);
    this.time += ms;
    await Promise.resolve();
    this.onSleep?.(ms);
    signal?.throwIfAborted();
  }
}

export type LogLevel = 'info' | 'warning' | 'debug' | 'group';

export class RecordingLogger implements Logger {
  readonly lines: { level: LogLevel; message: string }[] = [];

  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }

  warning(message: string): void {
    this.lines.push({ level: 'warning', message });
  }

  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }

  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push({ level: 'group', message: name });
    return fn();
  }

  messages(level?: LogLevel): string[] {
    return this.lines.filter((line) => level === undefined || line.level === level).map((line) => line.message);
  }
}

// --- mocked accounts --------------------------------------------------------------------------------------

export type Service = 'ec2' | 'kms' | 'ssm' | 'sts' | 'iam';

/** One command as sent through a fake account's client. */
export interface SentCommand {
  side: Side;
  service: Service;
  region: string;
  /** The command class name without "Command", e.g. CopyImage. */
  command: string;
  input: Record<string, unknown>;
}

const READ_ONLY = /^(Describe|Get|List|Simulate)/;

type AnyStub = AwsClientStub<EC2Client> | AwsClientStub<KMSClient> | AwsClientStub<SSMClient> | AwsClientStub<STSClient> | AwsClientStub<IAMClient>;

/**
 * One fake AWS account: a distinct client per service and region (created on first use, only in the regions the
 * account may use), each mocked with `mockClient(instance)`. A command without a mocked response is rejected.
 */
export class FakeAccount {
  readonly clients: AccountClients;
  private readonly made = new Map<string, { client: unknown; stub: AnyStub }>();

  constructor(
    readonly side: Side,
    readonly accountId: string,
    private readonly regions: readonly string[],
    private readonly sent: SentCommand[],
  ) {
    this.clients = {
      ec2: (region) => this.entry('ec2', region).client as EC2Client,
      kms: (region) => this.entry('kms', region).client as KMSClient,
      ssm: (region) => this.entry('ssm', region).client as SSMClient,
      sts: (region) => this.entry('sts', region).client as STSClient,
      iam: (region) => this.entry('iam', region).client as IAMClient,
      connect: async () => {
        this.connections++;
      },
    };
  }

  /** How often connect() was called (a role assumed ahead of the first call). */
  connections = 0;

  ec2(region: string): AwsClientStub<EC2Client> {
    return this.entry('ec2', region).stub as AwsClientStub<EC2Client>;
  }

  kms(region: string): AwsClientStub<KMSClient> {
    return this.entry('kms', region).stub as AwsClientStub<KMSClient>;
  }

  ssm(region: string): AwsClientStub<SSMClient> {
    return this.entry('ssm', region).stub as AwsClientStub<SSMClient>;
  }

  sts(region: string): AwsClientStub<STSClient> {
    return this.entry('sts', region).stub as AwsClientStub<STSClient>;
  }

  iam(region: string): AwsClientStub<IAMClient> {
    return this.entry('iam', region).stub as AwsClientStub<IAMClient>;
  }

  /** The client instance itself (to check that two regions use two clients). */
  client(service: Service, region: string): unknown {
    return this.entry(service, region).client;
  }

  private entry(service: Service, region: string): { client: unknown; stub: AnyStub } {
    if (!this.regions.includes(region)) throw new Error(`The ${this.side} account has no ${service} client in ${region} (only ${this.regions.join(', ')}).`);
    const key = `${service} ${region}`;
    let found = this.made.get(key);
    if (!found) {
      const config = { region, credentials: { accessKeyId: `AKID${this.side.toUpperCase()}`, secretAccessKey: `secret-${this.side}` }, maxAttempts: 1 };
      const client =
        service === 'ec2'
          ? new EC2Client(config)
          : service === 'kms'
            ? new KMSClient(config)
            : service === 'ssm'
              ? new SSMClient(config)
              : service === 'sts'
                ? new STSClient(config)
                : new IAMClient(config);
      const stub = mockClient(client as EC2Client) as unknown as AnyStub;
      (stub as AwsClientStub<EC2Client>)
        .onAnyCommand()
        .rejects(awsError('NotMocked', `No response mocked for this command (${this.side} account, ${service}, ${region}).`));
      const mockedSend = (client as EC2Client).send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>;
      (client as unknown as { send: (command: unknown, options?: unknown) => Promise<unknown> }).send = (command, options) => {
        const { constructor, input } = command as { constructor: { name: string }; input: Record<string, unknown> };
        this.sent.push({ side: this.side, service, region, command: constructor.name.replace(/Command$/, ''), input });
        return mockedSend(command, options);
      };
      found = { client, stub };
      this.made.set(key, found);
    }
    return found;
  }
}

// --- the context ------------------------------------------------------------------------------------------

export function kmsArn(value: string): KmsKeyArn {
  const parsed = parseKmsArn(value);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

export function roleArn(value: string): RoleArn {
  const parsed = parseRoleArn(value);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

/** Overrides of the default request; targetRole, targetRegions and targetKey change its one target. */
export type RequestOverrides = Partial<PromotionRequest> & { targetRole?: RoleArn; targetRegions?: string[]; targetKey?: TargetSpec['key'] };

export function defaultRequest(overrides: RequestOverrides = {}): PromotionRequest {
  const { targetRole, targetRegions, targetKey, ...rest } = overrides;
  const target: TargetSpec = { role: targetRole ?? roleArn(TARGET_ROLE), regions: targetRegions ?? [SOURCE_REGION], key: targetKey ?? { kind: 'default' } };
  return {
    sourceAmiId: SOURCE_AMI,
    sourceRegion: SOURCE_REGION,
    kmsKey: kmsArn(KEY_ARN),
    sourceRole: roleArn(SOURCE_ROLE),
    targets: [target],
    keyAccess: 'verify',
    autoscalingAccess: 'off',
    tags: [],
    copyTags: true,
    cleanup: true,
    waitTimeoutMinutes: 120,
    maxParallelCopies: 200,
    deregistrationProtection: false,
    shareWith: [],
    launchTemplates: [],
    launchTemplateDefault: false,
    retire: { mode: 'none', keepPrevious: 2, keepIfLaunchedWithinDays: 30 },
    dryRun: false,
    provenance: { ...PROVENANCE },
    copyMethod: 'image',
    ...rest,
  };
}

/** The regions of the request's one target account. */
export function targetRegionsOf(request: PromotionRequest): string[] {
  return request.targets[0]?.regions ?? [];
}

/** 2030-01-01T00:00:00Z, a whole minute. */
export const START = Date.UTC(2030, 0, 1, 0, 0, 0);

export interface Fixture {
  /** The context of the one target account (a TargetContext serves every step that takes a PromotionContext too). */
  ctx: TargetContext;
  request: PromotionRequest;
  source: FakeAccount;
  target: FakeAccount;
  journal: MemoryJournal;
  log: RecordingLogger;
  clock: FakeClock;
  abort: AbortController;
  /** Every command sent, in order. */
  sent: SentCommand[];
  /** The commands that change something (anything but Describe*, Get*, List*), as "side service region Command". */
  mutations(): string[];
  /** The commands sent through one account (optionally one service and region), as [Command, input]. */
  commands(side: Side, service?: Service, region?: string): [string, Record<string, unknown>][];
}

export function buildContext(overrides: RequestOverrides = {}): Fixture {
  const request = defaultRequest(overrides);
  const sent: SentCommand[] = [];
  const source = new FakeAccount('source', SOURCE_ACCOUNT, [request.sourceRegion], sent);
  const target = new FakeAccount('target', TARGET_ACCOUNT, [...new Set([...targetRegionsOf(request), request.sourceRegion])], sent);
  const journal = new MemoryJournal();
  const log = new RecordingLogger();
  const clock = new FakeClock(START);
  const abort = new AbortController();
  const theTarget: Target = {
    ...accountOf(target.clients, { side: 'target', accountId: TARGET_ACCOUNT, arn: TARGET_SESSION, principalArn: TARGET_ROLE }),
    spec: request.targets[0] as TargetSpec,
  };
  const promotion: PromotionContext = {
    request,
    source: accountOf(source.clients, { side: 'source', accountId: SOURCE_ACCOUNT, arn: SOURCE_SESSION, principalArn: SOURCE_ROLE }, request.sourceRole ? 'assumed' : 'environment'),
    targets: [theTarget],
    journal,
    log,
    clock,
    signal: abort.signal,
    started: START,
    deadline: START + request.waitTimeoutMinutes * 60_000,
  };
  const ctx = forTarget(promotion, theTarget);
  return {
    ctx,
    request,
    source,
    target,
    journal,
    log,
    clock,
    abort,
    sent,
    mutations: () => sent.filter((c) => !READ_ONLY.test(c.command)).map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`),
    commands: (side, service, region) =>
      sent
        .filter((c) => c.side === side && (service === undefined || c.service === service) && (region === undefined || c.region === region))
        .map((c) => [c.command, c.input]),
  };
}

// --- AWS-shaped values ------------------------------------------------------------------------------------

export type SourceEncryption = 'none' | 'aws-ebs' | 'cmk' | 'other-cmk';

function snapshotKey(encryption: SourceEncryption): string | undefined {
  return { none: undefined, 'aws-ebs': AWS_EBS_KEY_ARN, cmk: KEY_ARN, 'other-cmk': OTHER_KEY_ARN }[encryption];
}

export interface ImageShape {
  imageId?: string;
  ownerId?: string;
  state?: string;
  snapshotIds?: string[];
  encryption?: SourceEncryption;
  tags?: Tag[];
  name?: string;
  description?: string;
}

/** An Image as DescribeImages returns it. */
export function image(shape: ImageShape = {}): Image {
  const snapshotIds = shape.snapshotIds ?? sourceSnapshotIds();
  const encryption = shape.encryption ?? 'none';
  return {
    ImageId: shape.imageId ?? SOURCE_AMI,
    OwnerId: shape.ownerId ?? SOURCE_ACCOUNT,
    State: (shape.state ?? 'available') as Image['State'],
    Name: shape.name ?? 'golden-base-2030.01.01',
    Description: shape.description ?? 'Golden base image',
    Architecture: 'x86_64',
    RootDeviceType: 'ebs',
    RootDeviceName: '/dev/xvda',
    VirtualizationType: 'hvm',
    PlatformDetails: 'Linux/UNIX',
    CreationDate: '2029-12-31T12:00:00.000Z',
    Tags: shape.tags ?? SOURCE_TAGS,
    BlockDeviceMappings: snapshotIds.map((SnapshotId, i) => ({
      DeviceName: i === 0 ? '/dev/xvda' : `/dev/xvd${String.fromCharCode(98 + i - 1)}`,
      Ebs: { SnapshotId, Encrypted: encryption !== 'none', VolumeSize: 8, VolumeType: 'gp3', DeleteOnTermination: true },
    })),
  };
}

export function snapshots(ids: string[], encryption: SourceEncryption, extra: Partial<Snapshot> = {}): Snapshot[] {
  return ids.map((SnapshotId) => ({
    SnapshotId,
    Encrypted: encryption !== 'none',
    ...(snapshotKey(encryption) ? { KmsKeyId: snapshotKey(encryption) } : {}),
    State: 'completed',
    Progress: '100%',
    ...extra,
  }));
}

/** Key metadata of the source CMK as DescribeKey returns it. */
export function keyMetadata(overrides: Partial<KeyMetadata> = {}): KeyMetadata {
  return {
    AWSAccountId: SOURCE_ACCOUNT,
    KeyId: KEY_ID,
    Arn: KEY_ARN,
    Enabled: true,
    KeyState: 'Enabled',
    KeyManager: 'CUSTOMER',
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    Origin: 'AWS_KMS',
    MultiRegion: false,
    ...overrides,
  };
}

export function targetKeyMetadata(arn: string): KeyMetadata {
  return keyMetadata({ AWSAccountId: TARGET_ACCOUNT, Arn: arn, KeyId: arn.split('/').pop() as string });
}

export const ROOT_STATEMENT: PolicyStatement = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: SOURCE_ROOT },
  Action: 'kms:*',
  Resource: '*',
};

export const ADMIN_STATEMENT: PolicyStatement = {
  Sid: 'Allow access for Key Administrators',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${SOURCE_ACCOUNT}:role/key-admin` },
  Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*'],
  Resource: '*',
};

export function keyPolicy(...statements: PolicyStatement[]): { Version: string; Id: string; Statement: PolicyStatement[] } {
  return { Version: '2012-10-17', Id: 'key-consolepolicy-3', Statement: statements };
}

/** A key policy that names the target role for use and for grants for AWS resources. */
export function policyAllowingTargetRole() {
  return keyPolicy(ROOT_STATEMENT, ADMIN_STATEMENT, ...targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT));
}

/** A key policy that names only the target account's root: the target account's IAM decides. */
export function policyAllowingTargetRoot() {
  return keyPolicy(
    ROOT_STATEMENT,
    {
      Sid: 'AllowTargetAccountUse',
      Effect: 'Allow',
      Principal: { AWS: TARGET_ROOT },
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncrypt*', 'kms:GenerateDataKeyWithoutPlaintext'],
      Resource: '*',
    },
    {
      Sid: 'AllowTargetAccountGrants',
      Effect: 'Allow',
      Principal: { AWS: TARGET_ROOT },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  );
}

/** The console's default key policy: only the source account. */
export function policyWithoutTarget() {
  return keyPolicy(ROOT_STATEMENT, ADMIN_STATEMENT);
}

// --- a whole world --------------------------------------------------------------------------------------

export interface WorldOptions {
  /** How the source AMI's snapshots are encrypted (default: unencrypted). */
  encryption?: SourceEncryption;
  /** Owner of the source AMI (default: the source account). */
  ownerId?: string;
  dataVolumes?: number;
  sourceTags?: Tag[];
  /** The source key's policy (default: one that names the target role). */
  policy?: object;
  /** DescribeSnapshots answers `pending` this many times before `completed`, for every copy (default 1; see stubCopyProgress). */
  pendingPolls?: number;
}

export interface World {
  sourceSnapshots: string[];
  intermediateSnapshots: string[];
  targetImages: Record<string, string>;
  targetSnapshots: Record<string, string[]>;
  grantId: string;
}

/**
 * Mocks one copy as the wait reads it: DescribeSnapshots answers `pending` with rising progress `pendingPolls` times,
 * then `completed`; DescribeImages answers `pending` (with its snapshots) until then, and `available` after.
 */
export function stubCopyProgress(stub: AwsClientStub<EC2Client>, imageId: string, snapshotIds: string[], pendingPolls: number, tags: Tag[] = []): void {
  const shape = { imageId, snapshotIds, encryption: 'cmk' as const, tags };
  let answered = 0;
  stub.on(DescribeImagesCommand, { ImageIds: [imageId] }).callsFake(() => Promise.resolve({ Images: [image({ ...shape, state: answered < pendingPolls ? 'pending' : 'available' })] }));
  stub.on(DescribeSnapshotsCommand, { SnapshotIds: snapshotIds }).callsFake(() => {
    if (answered >= pendingPolls) return Promise.resolve({ Snapshots: snapshots(snapshotIds, 'cmk') });
    answered++;
    return Promise.resolve({ Snapshots: snapshots(snapshotIds, 'cmk', { State: 'pending', Progress: `${Math.round((answered * 100) / (pendingPolls + 1))}%` }) });
  });
}

/**
 * Mocks every call of a successful promotion: the source AMI and its snapshots, the source key and its policy,
 * the target-side probe, an intermediate copy, sharing, the target keys (default key and alias in every target
 * region), no earlier promotion, one copy per target region, and the finishing calls. Tests override what they need.
 */
export function stubWorld(fx: Fixture, options: WorldOptions = {}): World {
  const { request } = fx;
  const region = request.sourceRegion;
  const encryption = options.encryption ?? 'none';
  const dataVolumes = options.dataVolumes ?? 0;
  const pendingPolls = options.pendingPolls ?? 1;
  const ownerId = options.ownerId ?? SOURCE_ACCOUNT;
  const world: World = {
    sourceSnapshots: sourceSnapshotIds(dataVolumes),
    intermediateSnapshots: intermediateSnapshotIds(dataVolumes),
    targetImages: {},
    targetSnapshots: {},
    grantId: `grant-${hex('grant', 32)}`,
  };

  const sourceEc2 = fx.source.ec2(region);
  sourceEc2
    .on(DescribeImagesCommand, { ImageIds: [request.sourceAmiId] })
    .resolves({ Images: [image({ imageId: request.sourceAmiId, ownerId, snapshotIds: world.sourceSnapshots, encryption, tags: options.sourceTags })] });
  if (ownerId === SOURCE_ACCOUNT) {
    sourceEc2.on(DescribeSnapshotsCommand, { SnapshotIds: world.sourceSnapshots }).resolves({ Snapshots: snapshots(world.sourceSnapshots, encryption) });
  } else {
    sourceEc2
      .on(DescribeSnapshotsCommand, { SnapshotIds: world.sourceSnapshots })
      .rejects(awsError('InvalidSnapshot.NotFound', `The snapshot '${world.sourceSnapshots[0]}' does not exist.`));
  }
  sourceEc2.on(DescribeImagesCommand, { Owners: ['self'] }).resolves({ Images: [] });
  sourceEc2.on(CopyImageCommand).resolves({ ImageId: INTERMEDIATE_AMI });
  stubCopyProgress(sourceEc2, INTERMEDIATE_AMI, world.intermediateSnapshots, pendingPolls);
  sourceEc2.on(DescribeImageAttributeCommand).resolves({ LaunchPermissions: [] });
  sourceEc2.on(ModifyImageAttributeCommand).resolves({});
  sourceEc2.on(DescribeSnapshotAttributeCommand).resolves({ CreateVolumePermissions: [] });
  sourceEc2.on(ModifySnapshotAttributeCommand).resolves({});

  const sourceKms = fx.source.kms(region);
  sourceKms.on(DescribeKeyCommand, { KeyId: request.kmsKey.arn }).resolves({ KeyMetadata: keyMetadata() });
  sourceKms.on(GetKeyPolicyCommand, { KeyId: KEY_ARN }).resolves({ Policy: JSON.stringify(options.policy ?? policyAllowingTargetRole()), PolicyName: 'default' });
  sourceKms.on(CreateGrantCommand).resolves({ GrantId: world.grantId, GrantToken: 'token' });
  sourceKms.on(PutKeyPolicyCommand).resolves({});

  // The target role reaches the source key (the probe runs in the key's region).
  fx.target.kms(region).on(DescribeKeyCommand, { KeyId: KEY_ARN }).resolves({ KeyMetadata: keyMetadata() });

  for (const targetRegion of targetRegionsOf(request)) {
    const ec2 = fx.target.ec2(targetRegion);
    ec2.on(GetEbsDefaultKmsKeyIdCommand).resolves({ KmsKeyId: targetDefaultKeyArn(targetRegion) });
    ec2.on(GetAllowedImagesSettingsCommand).resolves({ State: 'disabled' });
    fx.target.kms(targetRegion).on(DescribeKeyCommand, { KeyId: TARGET_ALIAS }).resolves({ KeyMetadata: targetKeyMetadata(targetKeyArn(targetRegion)) });
    ec2.on(DescribeImagesCommand, { Owners: ['self'] }).resolves({ Images: [] });
    const imageId = targetImageId(targetRegion);
    world.targetImages[targetRegion] = imageId;
    world.targetSnapshots[targetRegion] = targetSnapshotIds(targetRegion, dataVolumes);
    ec2.on(CopyImageCommand).resolves({ ImageId: imageId });
    stubCopyProgress(ec2, imageId, world.targetSnapshots[targetRegion], pendingPolls);
    ec2.on(EnableImageDeregistrationProtectionCommand).resolves({ Return: 'true' });
    ec2.on(EnableImageDeprecationCommand).resolves({ Return: true });
    fx.target.ssm(targetRegion).on(PutParameterCommand).resolves({ Version: 1, Tier: 'Standard' });
  }
  return world;
}

/** An earlier promotion of the source AMI found in one target region (what reuse looks for), under the target key of the request. */
export function stubEarlierPromotion(fx: Fixture, region: string, imageId: string, snapshotIds: string[]): void {
  const keyLabel = fx.request.targets[0]?.key.kind === 'default' ? 'default' : targetKeyArn(region);
  const promoted = { ...image({ imageId, ownerId: TARGET_ACCOUNT, snapshotIds, encryption: 'cmk' }), CreationDate: '2029-12-31T13:00:00.000Z' };
  fx.target
    .ec2(region)
    .on(DescribeImagesCommand, { Owners: ['self'] })
    .resolves({ Images: [{ ...promoted, Tags: [...(promoted.Tags ?? []), { Key: TAG.kmsKey, Value: keyLabel }] }] });
}

// --- the target role's simulated IAM policy ----------------------------------------------------------------

/** The simulator's verdict for one action on one resource; undefined means allowed. */
export type SimulatedVerdict = (action: string, resource: string) => Exclude<PolicyEvaluationDecisionType, 'allowed'> | undefined;

/**
 * Mocks iam:SimulatePrincipalPolicy of the target account (IAM is global: the client of the source region) with one
 * EvaluationResult per action and resource, each allowed unless `verdict` says otherwise.
 */
export function stubSimulation(fx: Fixture, verdict: SimulatedVerdict = () => undefined): AwsClientStub<IAMClient> {
  const stub = fx.target.iam(fx.request.sourceRegion);
  stub.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames?: string[]; ResourceArns?: string[] }) => {
    const results: EvaluationResult[] = (input.ActionNames ?? []).flatMap((action) =>
      (input.ResourceArns ?? ['*']).map((resource) => ({ EvalActionName: action, EvalResourceName: resource, EvalDecision: verdict(action, resource) ?? 'allowed' })),
    );
    return { EvaluationResults: results, IsTruncated: false };
  });
  return stub;
}

/** A preflight result of the fixture's one target account, with the given keys (every region's) and earlier promotions. */
export function preflightResult(
  fx: Fixture,
  { keys, existing = [], ...rest }: Partial<Omit<PreflightResult, 'targets'>> & { keys?: TargetKey[]; existing?: ExistingPromotion[] } = {},
): PreflightResult {
  const known = keys ?? [];
  const toCopy = known.filter((key) => !existing.some((e) => e.region === key.region));
  return { findings: [], ...rest, targets: [{ target: fx.ctx.target, keys, knownKeys: known, existing, toCopy, findings: [] }] };
}
