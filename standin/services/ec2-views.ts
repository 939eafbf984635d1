/** Images and snapshots as DescribeImages / DescribeSnapshots return them, and EC2's Filter.N matching. */
import type { Filter, Image, Snapshot } from '@aws-sdk/client-ec2';
import { awsError } from '../errors.js';
import type { ImageState, SnapshotState, WorldState } from '../state.js';
import { imageAllowed } from './ec2-allowed-images.js';
import { tagsFor } from './ec2-common.js';

export function imageView(state: WorldState, image: ImageState, viewer: string): Image {
  return {
    ImageId: image.imageId,
    ImageLocation: `${image.ownerId}/${image.name}`,
    State: image.state,
    OwnerId: image.ownerId,
    CreationDate: image.creationDate,
    Public: image.launchPublic !== undefined,
    ProductCodes: image.productCodes.length
      ? image.productCodes.map((p) => ({ ProductCodeId: p.id, ProductCodeType: p.type }))
      : undefined,
    Architecture: image.architecture as Image['Architecture'],
    ImageType: 'machine',
    Name: image.name,
    Description: image.description,
    RootDeviceType: image.rootDeviceType,
    RootDeviceName: image.rootDeviceName,
    BlockDeviceMappings: [
      ...image.blockDevices.map((device) => {
        const snapshot = state.snapshots.get(device.snapshotId);
        return {
          DeviceName: device.deviceName,
          Ebs: {
            SnapshotId: device.snapshotId,
            VolumeSize: device.volumeSize,
            VolumeType: device.volumeType as 'gp3',
            DeleteOnTermination: device.deleteOnTermination,
            Iops: device.iops,
            Throughput: device.throughput,
            Encrypted: snapshot?.encrypted ?? false,
            KmsKeyId: snapshot?.encrypted ? snapshot.kmsKeyArn : undefined,
          },
        };
      }),
      ...structuredClone(image.otherMappings),
    ],
    VirtualizationType: image.virtualizationType as Image['VirtualizationType'],
    Hypervisor: 'xen',
    EnaSupport: image.enaSupport,
    SriovNetSupport: image.features.sriovNetSupport,
    BootMode: image.features.bootMode as Image['BootMode'],
    TpmSupport: image.features.tpmSupport as Image['TpmSupport'],
    ImdsSupport: image.features.imdsSupport as Image['ImdsSupport'],
    PlatformDetails: image.features.platformDetails,
    UsageOperation: image.features.usageOperation,
    StateReason: image.stateReason ? { Code: image.stateReason.code, Message: image.stateReason.message } : undefined,
    Tags: tagsFor(image.tags, viewer),
    DeprecationTime: image.deprecationTime,
    DeregistrationProtection: image.deregistrationProtection,
    SourceImageId: image.sourceImageId,
    SourceImageRegion: image.sourceRegion,
    LastLaunchedTime: image.lastLaunchedTime,
    ImageAllowed: imageAllowed(state, image, viewer, image.region),
  };
}

export function snapshotView(state: WorldState, snapshot: SnapshotState, viewer: string): Snapshot {
  return {
    SnapshotId: snapshot.snapshotId,
    OwnerId: snapshot.ownerId,
    VolumeId: 'vol-ffffffff',
    VolumeSize: snapshot.volumeSize,
    State: snapshot.state,
    StateMessage: snapshot.stateMessage,
    Progress: `${state.progress(snapshot)}%`,
    StartTime: snapshot.startTime,
    Description: snapshot.description,
    Encrypted: snapshot.encrypted,
    KmsKeyId: snapshot.encrypted ? snapshot.kmsKeyArn : undefined,
    Tags: tagsFor(snapshot.tags, viewer),
    StorageTier: 'standard',
    CompletionDurationMinutes: snapshot.copy?.completionDurationMinutes,
  };
}

export type FilterFields<T> = Record<string, (item: T) => (string | undefined)[]>;

function globMatch(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/**
 * EC2 filter semantics: every filter must match (AND), any of a filter's values may match (OR), with * and ?
 * wildcards. `tag:KEY` and `tag-key` look only at the viewer's own tags.
 */
export function matchesFilters<T>(
  item: T,
  filters: Filter[] | undefined,
  fields: FilterFields<T>,
  tags: (item: T) => Map<string, string> | undefined,
): boolean {
  for (const filter of filters ?? []) {
    const name = filter.Name ?? '';
    const wanted = filter.Values ?? [];
    let actual: (string | undefined)[];
    if (name.startsWith('tag:')) actual = [tags(item)?.get(name.slice(4))];
    else if (name === 'tag-key') actual = [...(tags(item)?.keys() ?? [])];
    else {
      const field = fields[name];
      if (!field) throw awsError('InvalidParameterValue', `The filter '${name}' is invalid`);
      actual = field(item);
    }
    const present = actual.filter((v): v is string => v !== undefined);
    if (!wanted.some((w) => present.some((v) => globMatch(w, v)))) return false;
  }
  return true;
}

export function imageFilterFields(state: WorldState): FilterFields<ImageState> {
  const snapshotsOf = (image: ImageState) => image.blockDevices.map((d) => state.snapshots.get(d.snapshotId));
  return {
    'image-id': (i) => [i.imageId],
    name: (i) => [i.name],
    description: (i) => [i.description],
    state: (i) => [i.state],
    'owner-id': (i) => [i.ownerId],
    'is-public': (i) => [String(i.launchPublic !== undefined)],
    architecture: (i) => [i.architecture],
    'root-device-type': (i) => [i.rootDeviceType],
    'root-device-name': (i) => [i.rootDeviceName],
    'virtualization-type': (i) => [i.virtualizationType],
    'image-type': () => ['machine'],
    'product-code': (i) => i.productCodes.map((p) => p.id),
    'product-code.type': (i) => i.productCodes.map((p) => p.type),
    'block-device-mapping.snapshot-id': (i) => i.blockDevices.map((d) => d.snapshotId),
    'block-device-mapping.device-name': (i) => i.blockDevices.map((d) => d.deviceName),
    'block-device-mapping.encrypted': (i) => snapshotsOf(i).map((s) => String(s?.encrypted ?? false)),
    'block-device-mapping.volume-size': (i) => i.blockDevices.map((d) => String(d.volumeSize)),
    'source-image-id': (i) => [i.sourceImageId],
    'source-image-region': (i) => [i.sourceRegion],
    'creation-date': (i) => [i.creationDate],
    'deprecation-time': (i) => [i.deprecationTime],
  };
}

export function snapshotFilterFields(state: WorldState): FilterFields<SnapshotState> {
  return {
    'snapshot-id': (s) => [s.snapshotId],
    status: (s) => [s.state],
    'owner-id': (s) => [s.ownerId],
    encrypted: (s) => [String(s.encrypted)],
    'volume-size': (s) => [String(s.volumeSize)],
    description: (s) => [s.description],
    progress: (s) => [`${state.progress(s)}%`],
    'volume-id': () => ['vol-ffffffff'],
    'start-time': (s) => [s.startTime.toISOString()],
    'storage-tier': () => ['standard'],
  };
}
