import type { SourceImage } from '../lookups/inspect.js';
import type { CopyMethod } from '../types.js';
import { missingFinding, type PreflightFinding } from './preflight-finding.js';

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

const LICENCE_CHECK = 'The source AMI can be registered from its snapshots';

/**
 * What AWS ties to the AMI rather than to its snapshots: product codes, and the billing code behind PlatformDetails and
 * UsageOperation ("RunInstances" is Linux/UNIX without a licence billed through the AMI; Windows, Red Hat, SUSE, SQL
 * Server, Ubuntu Pro and the like have their own: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/billing-info-fields.html).
 * RegisterImage keeps none of them: "AMIs for Windows, RedHat, SUSE, and SQL Server require correct licensing
 * information to be present on the AMI" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html).
 */
function licenceRefusal(image: SourceImage): PreflightFinding | undefined {
  const licensed = image.usageOperation !== undefined ? image.usageOperation !== 'RunInstances' : (image.platformDetails ?? 'Linux/UNIX') !== 'Linux/UNIX';
  if (image.billingCodes.length === 0 && !licensed) return undefined;
  const what = [
    ...(licensed ? [`the platform ${image.platformDetails ?? 'unknown'} (usage operation ${image.usageOperation ?? 'unknown'}), whose licence is billed through the AMI`] : []),
    ...(image.billingCodes.length ? [`product code(s) ${image.billingCodes.join(', ')}`] : []),
  ];
  return missingFinding(LICENCE_CHECK, {
    side: 'source',
    why: `${image.imageId} carries ${what.join(' and ')}. AWS ties these to the AMI, not to its snapshots: an AMI registered from copies of the snapshots (copy-method snapshots) would lose them, and instances launched from it would run without the licence or billing.`,
    fix: 'Promote this AMI with copy-method image (CopyImage keeps the billing information), or promote an AMI without a licence billed through it.',
  });
}

function billingFinding(image: SourceImage, method: CopyMethod): PreflightFinding | undefined {
  if (method === 'snapshots') return licenceRefusal(image);
  if (image.billingCodes.length === 0 && !/windows/i.test(image.platformDetails ?? '')) return undefined;
  return {
    check: 'Billing product codes',
    side: 'source',
    status: 'warning',
    detail: `${image.platformDetails ?? 'the AMI'} carries billing codes (${image.billingCodes.join(', ') || 'platform'}); CopyImage keeps them, so instances from the promoted AMI are billed the same. Registering an image from copied snapshots would drop them: copy-method snapshots refuses such AMIs.`,
  };
}

/** What the preflight reports about an AMI that can be promoted: ok, then its warnings. */
export function sourceImageFindings(image: SourceImage, now: number, method: CopyMethod = 'image'): PreflightFinding[] {
  const ok: PreflightFinding = {
    check: SOURCE_IMAGE_CHECK,
    side: 'source',
    status: 'ok',
    detail: `${image.imageId} "${image.name}" is available, EBS-backed, with ${image.snapshots.length} snapshot(s).`,
  };
  return [ok, billingFinding(image, method), deprecationFinding(image, now)].filter((f): f is PreflightFinding => f !== undefined);
}
