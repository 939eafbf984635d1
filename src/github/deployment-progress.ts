import type { Journal } from '../domain/journal.js';
import type { PromotionResult } from '../domain/pipeline.js';
import type { PreflightResult } from '../domain/preflight/preflight.js';
import type { PromotedImage } from './deployment.js';

const siteKey = (accountId: string, region: string) => `${accountId} ${region}`;

/**
 * A journal that calls `onKnown` once, with every promoted AMI in the order of the inputs, as soon as each account and
 * region has one: reused from an earlier promotion, or a copy started (CopyImage names the new AMI at once, long before
 * the copy completes). Without new copies that is at once.
 */
export function watchPromotedImages(journal: Journal, pre: Pick<PreflightResult, 'targets'>, onKnown: (images: PromotedImage[]) => void): Journal {
  const sites = pre.targets.flatMap(({ target, existing }) =>
    target.spec.regions.map((region) => ({ accountId: target.identity.accountId, region, imageId: existing.find((e) => e.region === region)?.imageId })),
  );
  const started = new Map<string, string>();
  let told = false;
  const tell = () => {
    const images = sites.map((site) => ({ ...site, imageId: site.imageId ?? started.get(siteKey(site.accountId, site.region)) }));
    if (told || images.some((image) => image.imageId === undefined)) return;
    told = true;
    onKnown(images as PromotedImage[]);
  };
  tell();
  return {
    record(entry) {
      journal.record(entry);
      if (entry.kind !== 'target-copy' || entry.accountId === undefined) return;
      started.set(siteKey(entry.accountId, entry.region), entry.imageId);
      tell();
    },
    entries: () => journal.entries(),
  };
}

/** The promoted AMIs of a result, for the final status. */
export function promotedImages(result: Pick<PromotionResult, 'targets'>): PromotedImage[] {
  return result.targets.flatMap((t) => t.regions.map((r) => ({ accountId: t.accountId, region: r.region, imageId: r.imageId })));
}
