/**
 * retire-previous end to end: earlier promotions of the same lineage are found by the action's tags; the most recent
 * ones, those still referenced, launched recently or protected are kept with the reason; an AMI of another lineage or
 * without the provenance tags is never touched; deregister deletes the snapshots in the same call and reports a locked
 * one; disable says how to undo it; the dry run lists it all; a role that may not read references is refused first.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, allow, defaultWorld, policyOf, startStandIn, type StandIn } from '../../standin/index.js';
import { FAST_COPY_MS, REGION, REGION2, TARGET, TEST_TIMEOUT_MS, expectOnlyReads, inputs, okCalls, promote } from './scenario.js';

const LINEAGE = 'web-server';
const AMI = 'ami-0a00000000000008a';
const AMI2 = 'ami-0a00000000000008b';
const DAY_MS = 86_400_000;
const RETIRE_ACTIONS = ['ec2:DescribeImageReferences', 'ec2:DeregisterImage', 'ec2:DeleteSnapshot', 'ec2:DisableImage', 'ec2:EnableImageDeprecation'];

/** Earlier promotions in the target account, oldest first. */
const OLD = {
  locked: 'ami-0b00000000000000a',
  unused: 'ami-0b00000000000000b',
  running: 'ami-0b00000000000000c',
  launched: 'ami-0b00000000000000d',
  protected: 'ami-0b00000000000000e',
  recent1: 'ami-0b00000000000000f',
  recent2: 'ami-0b000000000000010',
};
const OTHER_LINEAGE = 'ami-0c00000000000000a';
const NO_PROVENANCE = 'ami-0c00000000000000b';
const LOCKED_SNAPSHOT = 'snap-0b00000000000000a';
const UNUSED_SNAPSHOT = 'snap-0b00000000000000b';
const DISABLE_ME = 'ami-0d00000000000000a';
const KEEP_ME = 'ami-0d00000000000000b';

const provenance = (lineage: string) => ({ 'promote-ami:role': 'promoted', 'promote-ami:lineage': lineage, 'promote-ami:source-ami-id': 'ami-0e0000000000000aa' });
const created = (month: number) => `2026-0${month}-01T00:00:00.000Z`;

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world.account(DEFAULTS.sourceAccount).image(REGION, { imageId: AMI, name: 'web-2026.11', snapshots: [{}] }).image(REGION, { imageId: AMI2, name: 'web-2026.12', snapshots: [{}] });
  const target = world.account(TARGET).rolePolicy(DEFAULTS.targetRoleName, 'retire', policyOf(allow(RETIRE_ACTIONS)));
  const earlier = (imageId: string, month: number, extra: Record<string, unknown> = {}) =>
    target.image(REGION, { imageId, name: `web-2026.0${month}`, creationDate: created(month), tags: provenance(LINEAGE), snapshots: [{ kmsKey: DEFAULTS.targetKeyAlias }], ...extra });
  earlier(OLD.locked, 1, { snapshots: [{ snapshotId: LOCKED_SNAPSHOT, kmsKey: DEFAULTS.targetKeyAlias, locked: true }] });
  earlier(OLD.unused, 2, { snapshots: [{ snapshotId: UNUSED_SNAPSHOT, kmsKey: DEFAULTS.targetKeyAlias }] });
  earlier(OLD.running, 3);
  earlier(OLD.launched, 4, { lastLaunchedTime: new Date(Date.now() - 5 * DAY_MS).toISOString() });
  earlier(OLD.protected, 5, { deregistrationProtection: true });
  earlier(OLD.recent1, 6);
  earlier(OLD.recent2, 7);
  target.instance(REGION, { imageId: OLD.running, state: 'stopped' });
  target.image(REGION, { imageId: OTHER_LINEAGE, name: 'api-2025', creationDate: '2025-01-01T00:00:00.000Z', tags: provenance('api-server'), snapshots: [{}] });
  target.image(REGION, { imageId: NO_PROVENANCE, name: 'hand-made', creationDate: '2025-01-01T00:00:00.000Z', tags: { 'promote-ami:lineage': LINEAGE }, snapshots: [{}] });
  target.image(REGION2, { imageId: DISABLE_ME, name: 'web-old', creationDate: created(1), tags: provenance(LINEAGE), snapshots: [{}] });
  target.image(REGION2, { imageId: KEEP_ME, name: 'web-newer', creationDate: created(2), tags: provenance(LINEAGE), snapshots: [{}] });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(() => standin.close());

beforeEach(() => standin.clearCalls());

const given = (overrides: Record<string, string> = {}) =>
  inputs({ 'source-ami-id': AMI, 'target-kms-key': DEFAULTS.targetKeyAlias, lineage: LINEAGE, 'retire-previous': 'deregister', ...overrides });

describe('retire-previous: deregister', () => {
  it(
    'lists in the dry run what would be deregistered and what kept, with the reasons, changing nothing',
    async () => {
      const run = await promote(standin, given({ 'dry-run': 'true' }));
      expect(run.main.code).toBe(0);
      const plan = run.main.log.split('\n').find((line) => line.includes('Earlier promotions in account')) ?? '';
      expect(plan).toContain(`would deregister (with its snapshots) ${OLD.unused} (web-2026.02), ${OLD.locked} (web-2026.01) in ${REGION}`);
      expect(plan).toContain(`${OLD.running} (web-2026.03): referenced by`);
      expect(plan).toContain(`${OLD.launched} (web-2026.04): launched`);
      expect(plan).toContain(`${OLD.protected} (web-2026.05): protected from deregistration`);
      expect(plan).toContain(`${OLD.recent2} (web-2026.07): one of the 2 most recent earlier promotions`);
      expect(plan).not.toContain(OTHER_LINEAGE);
      expect(plan).not.toContain(NO_PROVENANCE);
      expectOnlyReads(standin);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'deregisters the unused earlier promotions with their snapshots once the new AMI is there, and keeps the rest',
    async () => {
      const run = await promote(standin, given());
      expect(run.error).toBe('');
      const promoted = run.main.outputs['ami-id'] ?? '';
      expect(standin.image(TARGET, REGION, promoted)?.tags[TARGET]?.['promote-ami:lineage']).toBe(LINEAGE);
      expect(JSON.parse(run.main.outputs.retired ?? '[]')).toEqual([
        { 'account-id': TARGET, region: REGION, 'ami-id': OLD.unused, action: 'deregistered' },
        { 'account-id': TARGET, region: REGION, 'ami-id': OLD.locked, action: 'deregistered' },
      ]);
      expect(standin.image(TARGET, REGION, OLD.unused)).toBeUndefined();
      expect(standin.snapshot(TARGET, REGION, UNUSED_SNAPSHOT)).toBeUndefined();
      expect(standin.snapshot(TARGET, REGION, LOCKED_SNAPSHOT)).toBeDefined();
      for (const kept of [OLD.running, OLD.launched, OLD.protected, OLD.recent1, OLD.recent2, OTHER_LINEAGE, NO_PROVENANCE]) {
        expect(standin.image(TARGET, REGION, kept)?.state).toBe('available');
      }
      const deregistered = okCalls(standin, 'DeregisterImage', TARGET).map((c) => c.params);
      expect(deregistered).toEqual([
        expect.objectContaining({ ImageId: OLD.unused, DeleteAssociatedSnapshots: true }),
        expect.objectContaining({ ImageId: OLD.locked, DeleteAssociatedSnapshots: true }),
      ]);
      expect(run.main.summary).toContain('<h3>Earlier promotions</h3>');
      expect(run.main.summary).toContain(`<code>${LOCKED_SNAPSHOT}</code> not deleted`);
      expect(run.main.summary).toContain('protected from deregistration');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'retires nothing more on a re-run',
    async () => {
      const run = await promote(standin, given());
      expect(run.error).toBe('');
      expect(run.main.outputs.reused).toBe('true');
      expect(JSON.parse(run.main.outputs.retired ?? '[]')).toEqual([]);
      expect(okCalls(standin, 'DeregisterImage', TARGET)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('retire-previous: disable', () => {
  it(
    'disables the earlier promotion past keep-previous, and says how to undo it',
    async () => {
      const run = await promote(standin, given({ 'source-ami-id': AMI2, 'target-regions': REGION2, 'retire-previous': 'disable', 'keep-previous': '1' }));
      expect(run.error).toBe('');
      expect(standin.image(TARGET, REGION2, DISABLE_ME)?.state).toBe('disabled');
      expect(standin.image(TARGET, REGION2, KEEP_ME)?.state).toBe('available');
      expect(run.main.summary).toContain(`aws ec2 enable-image --image-id ${DISABLE_ME} --region ${REGION2}`);
      expect(run.main.summary).toContain('the most recent earlier promotion');
    },
    TEST_TIMEOUT_MS,
  );
});

describe('retire-previous without the permission to read references', () => {
  it(
    'is refused before any change, naming the action',
    async () => {
      const world = defaultWorld();
      world.account(TARGET).image(REGION, { imageId: OLD.unused, name: 'web-old', creationDate: created(1), tags: provenance(LINEAGE), snapshots: [{}] });
      const bare = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
      try {
        const run = await promote(bare, inputs({ lineage: LINEAGE, 'retire-previous': 'deprecate', 'keep-previous': '0' }));
        expect(run.main.code).toBe(1);
        expect(run.error).toContain('ec2:DescribeImageReferences');
        expectOnlyReads(bare);
      } finally {
        await bare.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
