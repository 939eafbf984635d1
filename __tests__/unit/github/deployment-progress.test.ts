import { describe, expect, it, jest } from '@jest/globals';
import type { Target } from '../../../src/domain/context.js';
import { MemoryJournal } from '../../../src/domain/journal.js';
import type { PreflightResult } from '../../../src/domain/preflight/preflight.js';
import type { PromotedImage } from '../../../src/github/deployment.js';
import { watchPromotedImages } from '../../../src/github/deployment-progress.js';

const target = (accountId: string, regions: string[]) => ({ identity: { accountId }, spec: { regions } }) as unknown as Target;
const existing = (region: string, imageId: string) => ({ region, imageId, snapshotIds: [] });

/** Two accounts: 222… in two regions (eu-central-1 reused from an earlier promotion), 333… in one. */
const PRE = {
  targets: [
    { target: target('222222222222', ['eu-west-1', 'eu-central-1']), existing: [existing('eu-central-1', 'ami-0reused')] },
    { target: target('333333333333', ['us-east-1']), existing: [] },
  ],
} as unknown as Pick<PreflightResult, 'targets'>;

describe('watchPromotedImages', () => {
  it('tells once, in the order of the inputs, when every account and region has an AMI; the journal records everything', () => {
    const inner = new MemoryJournal();
    const onKnown = jest.fn<(images: PromotedImage[]) => void>();
    const journal = watchPromotedImages(inner, PRE, onKnown);
    journal.record({ kind: 'launch-permission', region: 'eu-west-1', imageId: 'ami-0shared', accountId: '222222222222' });
    journal.record({ kind: 'target-copy', accountId: '333333333333', region: 'us-east-1', imageId: 'ami-0us' });
    expect(onKnown).not.toHaveBeenCalled();
    journal.record({ kind: 'target-copy', accountId: '222222222222', region: 'eu-west-1', imageId: 'ami-0eu' });
    journal.record({ kind: 'target-copy-done', accountId: '222222222222', region: 'eu-west-1', imageId: 'ami-0eu' });
    expect(onKnown.mock.calls).toEqual([
      [
        [
          { accountId: '222222222222', region: 'eu-west-1', imageId: 'ami-0eu' },
          { accountId: '222222222222', region: 'eu-central-1', imageId: 'ami-0reused' },
          { accountId: '333333333333', region: 'us-east-1', imageId: 'ami-0us' },
        ],
      ],
    ]);
    expect(journal.entries()).toBe(inner.entries());
    expect(inner.entries().map((e) => e.kind)).toEqual(['launch-permission', 'target-copy', 'target-copy', 'target-copy-done']);
  });

  it('tells at once when every region reuses an earlier promotion', () => {
    const onKnown = jest.fn<(images: PromotedImage[]) => void>();
    const pre = { targets: [{ target: target('222222222222', ['eu-west-1']), existing: [existing('eu-west-1', 'ami-0old')] }] } as unknown as Pick<PreflightResult, 'targets'>;
    watchPromotedImages(new MemoryJournal(), pre, onKnown);
    expect(onKnown.mock.calls).toEqual([[[{ accountId: '222222222222', region: 'eu-west-1', imageId: 'ami-0old' }]]]);
  });
});
