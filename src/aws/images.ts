import type { Image } from '@aws-sdk/client-ec2';

/** The EBS snapshots of an image, in block-device order. */
export function snapshotIdsOf(image: Image): string[] {
  return (image.BlockDeviceMappings ?? []).flatMap((mapping) => (mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : []));
}
