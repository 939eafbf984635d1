/**
 * copy-method snapshots, end to end: the bundled action shares only the snapshots, copies them into each target
 * region under the target key and registers the AMI from the copies with every attribute of the source; re-runs
 * reuse it; a failure leaves nothing behind; a source whose licence comes from the AMI is refused before any change.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, defaultWorld, deny, policyOf, startStandIn, type StandIn } from '../../standin/index.js';
import type { ImageDump } from '../../standin/dump.js';
import {
  FAST_COPY_MS,
  REGION,
  REGION2,
  SOURCE,
  TARGET,
  TEST_TIMEOUT_MS,
  accountView,
  expectNothingPublic,
  expectOnlyReads,
  expectPromoted,
  inputs,
  okCalls,
  promote,
  targetKeyArn,
} from './scenario.js';

const AMI_UEFI = 'ami-0a5a5a5a5a5a5a5a1';
const AMI_WINDOWS = 'ami-0a5a5a5a5a5a5a5a2';
const AMI_FAILS = 'ami-0a5a5a5a5a5a5a5a3';
const AMI_CANCEL = 'ami-0a5a5a5a5a5a5a5a4';
const UEFI = 'QU1aTlVFRkl2YXJzdG9yZQ==';
const SOURCE_TAGS = { Team: 'platform' };

/** A UEFI arm64 AMI with NitroTPM, IMDSv2, SR-IOV, two volumes of different types, an instance-store and a NoDevice mapping. */
const UEFI_IMAGE = {
  architecture: 'arm64',
  enaSupport: true,
  tags: SOURCE_TAGS,
  snapshots: [
    { sizeGiB: 12, volumeType: 'gp3', iops: 4000, throughput: 250 },
    { kmsKey: DEFAULTS.sourceKeyAlias, sizeGiB: 40, volumeType: 'io2', iops: 6000, deleteOnTermination: false, deviceName: '/dev/sdf' },
  ],
  features: { bootMode: 'uefi', tpmSupport: 'v2.0', imdsSupport: 'v2.0', sriovNetSupport: 'simple', uefiData: UEFI },
  otherMappings: [{ DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' }, { DeviceName: '/dev/sdc', NoDevice: '' }],
};

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world
    .account(SOURCE)
    .image(REGION, { imageId: AMI_UEFI, name: 'golden-uefi', description: 'UEFI golden image', ...UEFI_IMAGE })
    .image(REGION, { imageId: AMI_FAILS, name: 'golden-fails', description: 'fails to register', ...UEFI_IMAGE })
    .image(REGION, { imageId: AMI_CANCEL, name: 'golden-cancelled', ...UEFI_IMAGE })
    .image(REGION, { imageId: AMI_WINDOWS, name: 'golden-windows', features: { platformDetails: 'Windows', usageOperation: 'RunInstances:0002' } });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => standin.clearCalls());

/** What RegisterImage must carry over, without what differs by nature (snapshots, keys, name, tags). */
function registration(image: ImageDump | undefined) {
  return image?.registration;
}

describe('copy-method snapshots', () => {
  it(
    'shares only the snapshots, copies them into two regions under the target key and registers AMIs with every attribute of the source',
    async () => {
      const sourceBefore = accountView(standin, SOURCE);
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_UEFI, 'copy-method': 'snapshots', 'target-regions': `${REGION},${REGION2}`, 'target-kms-key': DEFAULTS.targetKeyAlias }));
      const { amiIds, snapshotIds } = expectPromoted(standin, run, {
        sourceAmiId: AMI_UEFI,
        regions: [REGION, REGION2],
        keyArn: targetKeyArn,
        keyLabel: targetKeyArn,
        reencrypted: true,
        sourceTags: SOURCE_TAGS,
        devices: ['/dev/xvda', '/dev/sdf'],
      });
      const source = standin.image(SOURCE, REGION, AMI_UEFI);
      for (const region of [REGION, REGION2]) {
        const promoted = standin.image(TARGET, region, amiIds[region] as string);
        expect(registration(promoted)).toEqual(registration(source));
        expect(promoted).toMatchObject({ name: 'golden-uefi', description: 'UEFI golden image', sourceImageId: undefined });
        expect(snapshotIds[region]).toHaveLength(2);
      }
      // The source role never gave a launch permission; the target never ran CopyImage.
      expect(okCalls(standin, 'ModifyImageAttribute')).toEqual([]);
      expect(okCalls(standin, 'CopyImage', TARGET)).toEqual([]);
      expect(okCalls(standin, 'CopySnapshot', TARGET)).toHaveLength(4);
      expect(okCalls(standin, 'RegisterImage', TARGET).map((c) => c.region).sort()).toEqual([REGION, REGION2].sort());
      // UEFI data read by the source account from the AMI it shares (the intermediate copy), passed to each target.
      const uefiReads = okCalls(standin, 'DescribeImageAttribute', SOURCE).filter((c) => c.params.Attribute === 'uefiData');
      expect(uefiReads.map((c) => c.params)).toEqual([
        expect.objectContaining({ ImageId: run.main.outputs['reencrypted-ami-id'], Attribute: 'uefiData' }),
      ]);
      // The snapshot sharing and the intermediate copy are gone; the source account is as it was.
      expect(accountView(standin, SOURCE)).toEqual(sourceBefore);
      expect(run.main.log).toMatch(/snapshot copies in eu-\w+-1: snap-/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'reuses the registered AMIs on a re-run: no snapshot is copied again',
    async () => {
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_UEFI, 'copy-method': 'snapshots', 'target-regions': `${REGION},${REGION2}`, 'target-kms-key': DEFAULTS.targetKeyAlias }));
      expect(run.error).toBe('');
      expect(run.main.outputs.reused).toBe('true');
      expect(standin.calls({ operation: ['CopySnapshot', 'RegisterImage', 'CopyImage', 'ModifySnapshotAttribute'] })).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'after a failed registration, deletes the snapshot copies it made and removes the sharing and the intermediate copy',
    async () => {
      const targetBefore = accountView(standin, TARGET);
      const sourceBefore = accountView(standin, SOURCE);
      // RegisterImage answers HTTP 500 every time, after the preflight and the snapshot copies.
      standin.setFaults({ errorRate: 1, operations: ['RegisterImage'] });
      try {
        const run = await promote(standin, inputs({ 'source-ami-id': AMI_FAILS, 'copy-method': 'snapshots', 'target-kms-key': DEFAULTS.targetKeyAlias }));
        expect(run.main.code).not.toBe(0);
        expect(run.error).toContain('Registering golden-fails from the snapshot copies');
        const copies = okCalls(standin, 'CopySnapshot', TARGET);
        expect(copies).toHaveLength(2);
        expect(okCalls(standin, 'DeleteSnapshot', TARGET)).toHaveLength(2);
        expect(accountView(standin, TARGET)).toEqual(targetBefore);
        expect(accountView(standin, SOURCE)).toEqual(sourceBefore);
      } finally {
        standin.setFaults({});
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'on SIGTERM while the snapshots are copied, the post step deletes the pending copies, the sharing and the intermediate copy',
    async () => {
      const before = { target: accountView(standin, TARGET), source: accountView(standin, SOURCE) };
      let slowed = false;
      let sent = false;
      try {
        const run = await promote(standin, inputs({ 'source-ami-id': AMI_CANCEL, 'copy-method': 'snapshots', 'target-kms-key': DEFAULTS.targetKeyAlias }), {
          onLog: (log, send) => {
            if (!slowed && /Re-encrypting \S+ with \S+ as ami-/.test(log)) {
              slowed = true;
              // The intermediate copy was started with the short duration; the snapshot copies take long.
              standin.configure({ copyDurationMs: 120_000 });
            }
            if (!sent && /Copying the snapshots of \S+ into /.test(log)) {
              sent = true;
              send('SIGTERM');
            }
          },
        });
        expect(run.main.code).toBe(1);
        expect(run.error).toMatch(/cancelled \(SIGTERM\)/);
        expect(run.post.code).toBe(0);
        expect(okCalls(standin, 'CopySnapshot', TARGET)).toHaveLength(2);
        expect(okCalls(standin, 'RegisterImage', TARGET)).toEqual([]);
        expect(okCalls(standin, 'DeleteSnapshot', TARGET)).toHaveLength(2);
        expect({ target: accountView(standin, TARGET), source: accountView(standin, SOURCE) }).toEqual(before);
      } finally {
        standin.configure({ copyDurationMs: FAST_COPY_MS });
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'is refused by the preflight, before any change, when the target role may not register AMIs',
    async () => {
      standin.setRolePolicy(TARGET, DEFAULTS.targetRoleName, 'no-register', policyOf(deny(['ec2:RegisterImage'])));
      try {
        const run = await promote(standin, inputs({ 'source-ami-id': AMI_FAILS, 'copy-method': 'snapshots' }));
        expect(run.main.code).not.toBe(0);
        expect(run.error).toContain('ec2:RegisterImage');
        expectOnlyReads(standin);
      } finally {
        standin.setRolePolicy(TARGET, DEFAULTS.targetRoleName, 'no-register', undefined);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses, before any change, a Windows AMI whose licence comes from the AMI, and says to use copy-method image',
    async () => {
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_WINDOWS, 'copy-method': 'snapshots' }));
      expect(run.main.code).not.toBe(0);
      expect(run.error).toContain('The source AMI can be registered from its snapshots');
      expect(run.error).toContain('the platform Windows (usage operation RunInstances:0002), whose licence is billed through the AMI');
      expect(run.error).toContain('copy-method image');
      expectOnlyReads(standin);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'dry run: plans the snapshot copies and the registration, and changes nothing',
    async () => {
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_FAILS, 'copy-method': 'snapshots', 'dry-run': 'true' }));
      expect(run.error).toBe('');
      expect(run.main.summary).toContain('(CopySnapshot), then register the AMI from the copies');
      expect(run.main.summary).toContain('no launch permission on the AMI');
      expectOnlyReads(standin);
    },
    TEST_TIMEOUT_MS,
  );
});
