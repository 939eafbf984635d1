/**
 * Fixtures of retire-previous: earlier promotions of a lineage as DescribeImages returns them, and DescribeImageReferences
 * answering for the images it is asked about.
 */
import { DescribeImageReferencesCommand, DescribeImagesCommand, type Image, type ImageReference } from '@aws-sdk/client-ec2';
import type { Tag } from '../../src/domain/types.js';
import { TARGET_ACCOUNT, image, type Fixture } from './pipeline-fixtures.js';

export const LINEAGE = 'octo-org/golden-images';

export function lineageTags(lineage = LINEAGE, role = 'promoted'): Tag[] {
  return [
    { Key: 'Name', Value: 'golden-base' },
    { Key: 'promote-ami:role', Value: role },
    { Key: 'promote-ami:lineage', Value: lineage },
  ];
}

/** An earlier promotion of LINEAGE owned by the target account, created on `day` (YYYY-MM-DD). */
export function promotion(imageId: string, day: string, extra: Partial<Image> = {}): Image {
  return {
    ...image({ imageId, ownerId: TARGET_ACCOUNT, encryption: 'cmk', tags: lineageTags(), name: `golden-base-${day}` }),
    CreationDate: `${day}T12:00:00.000Z`,
    DeregistrationProtection: 'disabled',
    ...extra,
  };
}

/** DescribeImages of the target account in `region` lists these images (whatever the filters). */
export function stubPromotions(fx: Fixture, region: string, images: Image[]): void {
  fx.target.ec2(region).on(DescribeImagesCommand).resolves({ Images: images });
}

/** DescribeImageReferences answers with the references of the images asked about. */
export function stubReferences(fx: Fixture, region: string, references: ImageReference[] = []): void {
  fx.target
    .ec2(region)
    .on(DescribeImageReferencesCommand)
    .callsFake((input: { ImageIds?: string[] }) => ({ ImageReferences: references.filter((r) => input.ImageIds?.includes(r.ImageId ?? '')) }));
}

/** The image IDs of each DescribeImageReferences call, in order. */
export function referenceBatches(fx: Fixture): string[][] {
  return fx.sent.filter((c) => c.command === 'DescribeImageReferences').map((c) => c.input.ImageIds as string[]);
}
