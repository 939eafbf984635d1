import type { SourceImage } from '../lookups/inspect.js';
import type { PreflightFinding } from './preflight-finding.js';

export const SOURCE_IMAGE_CHECK = 'The source AMI can be promoted';

/**
 * A deprecated AMI stays usable by its ID (launch, copy), so it is promoted, with a warning.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-deprecate.html
 */
function deprecationFinding(image: SourceImage, now: number): PreflightFinding | undefined {
  if (!image.deprecationTime || Date.parse(image.deprecationTime) > now) return undefined;
  return {
    check: 'The source AMI is deprecated',
    side: 'source',
    status: 'warning',
    detail: `${image.imageId} was deprecated at ${image.deprecationTime}. AWS still copies a deprecated AMI by its ID, so it is promoted; check that this is the image you mean to release.`,
  };
}

function billingFinding(image: SourceImage): PreflightFinding | undefined {
  if (image.billingCodes.length === 0 && !/windows/i.test(image.platformDetails ?? '')) return undefined;
  return {
    check: 'Billing product codes',
    side: 'source',
    status: 'warning',
    detail: `${image.platformDetails ?? 'the AMI'} carries billing codes (${image.billingCodes.join(', ') || 'platform'}); CopyImage keeps them, so instances from the promoted AMI are billed the same. Registering an image from copied snapshots would drop them: this action never does that.`,
  };
}

/** What the preflight reports about an AMI that can be promoted: ok, then its warnings. */
export function sourceImageFindings(image: SourceImage, now: number): PreflightFinding[] {
  const ok: PreflightFinding = {
    check: SOURCE_IMAGE_CHECK,
    side: 'source',
    status: 'ok',
    detail: `${image.imageId} "${image.name}" is available, EBS-backed, with ${image.snapshots.length} snapshot(s).`,
  };
  return [ok, billingFinding(image), deprecationFinding(image, now)].filter((f): f is PreflightFinding => f !== undefined);
}
