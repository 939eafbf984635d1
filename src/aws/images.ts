import type { Image } from '@aws-sdk/client-ec2';

/**
 * Where EC2 says an image was copied from: SourceImageId and SourceImageRegion, which it sets on images made by
 * CopyImage, CreateImage or CreateRestoreImageTask (absent on some older AMIs).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html
 */
export interface CopiedFrom {
  imageId: string;
  region?: string;
}

export function copiedFrom(image: Pick<Image, 'SourceImageId' | 'SourceImageRegion'>): CopiedFrom | undefined {
  return image.SourceImageId ? { imageId: image.SourceImageId, region: image.SourceImageRegion } : undefined;
}

/** The IDs of the EBS snapshots behind an image's block device mappings. */
export function snapshotIdsOf(image: Pick<Image, 'BlockDeviceMappings'>): string[] {
  return (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
}
