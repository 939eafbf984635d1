import type { Image } from '@aws-sdk/client-ec2';

/** The IDs of the EBS snapshots behind an image's block device mappings. */
export function snapshotIdsOf(image: Pick<Image, 'BlockDeviceMappings'>): string[] {
  return (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
}
