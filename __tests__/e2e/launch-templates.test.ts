/**
 * launch-template end to end: a version of the default version with only the AMI changed, in every target region,
 * made the default when asked, reused by a re-run, kept by cleanup; a template missing in one region, or a role that
 * may not change templates, is refused before any change.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, allow, defaultWorld, policyOf, startStandIn, type StandIn } from '../../standin/index.js';
import { FAST_COPY_MS, REGION, REGION2, RUN_URL, TARGET, TEST_TIMEOUT_MS, expectOnlyReads, inputs, okCalls, promote } from './scenario.js';

const AMI = 'ami-0a00000000000007a';
const AMI_ONE_REGION = 'ami-0a00000000000007b';
const OLD_AMI = 'ami-0a0000000000000aa';
const TEMPLATE = 'web-servers';
const ONLY_IN_REGION = 'api-servers';
const TEMPLATE_IDS: Record<string, string> = { [REGION]: 'lt-0a000000000000001', [REGION2]: 'lt-0a000000000000002' };
const ONLY_IN_REGION_ID = 'lt-0a000000000000003';
const TEMPLATE_ACTIONS = ['ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions', 'ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'];

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world.account(DEFAULTS.sourceAccount).image(REGION, { imageId: AMI, name: 'golden-web', snapshots: [{}] }).image(REGION, { imageId: AMI_ONE_REGION, name: 'golden-api', snapshots: [{}] });
  const target = world.account(TARGET).rolePolicy(DEFAULTS.targetRoleName, 'launch-templates', policyOf(allow(TEMPLATE_ACTIONS)));
  for (const region of [REGION, REGION2]) {
    target.launchTemplate(region, {
      launchTemplateId: TEMPLATE_IDS[region],
      name: TEMPLATE,
      versions: [{ imageId: OLD_AMI, instanceType: 'm7g.large', data: { KeyName: 'ops' } }, { imageId: OLD_AMI, instanceType: 't4g.micro' }],
      defaultVersion: 1,
    });
  }
  target.launchTemplate(REGION, { launchTemplateId: ONLY_IN_REGION_ID, name: ONLY_IN_REGION, versions: [{ imageId: OLD_AMI, instanceType: 'c7g.large' }] });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(() => standin.close());

beforeEach(() => standin.clearCalls());

const given = (overrides: Record<string, string> = {}) =>
  inputs({ 'source-ami-id': AMI, 'target-regions': `${REGION}, ${REGION2}`, 'target-kms-key': DEFAULTS.targetKeyAlias, 'launch-template': TEMPLATE, 'launch-template-default': 'true', ...overrides });

describe('launch-template', () => {
  let versions: Record<string, Record<string, Record<string, number>>> = {};
  let promoted: Record<string, string> = {};

  it(
    "makes a version of each region's template with that region's promoted AMI and only the AMI changed, and makes it the default",
    async () => {
      const run = await promote(standin, given());
      expect(run.error).toBe('');
      promoted = JSON.parse(run.main.outputs['ami-ids'] ?? '{}');
      versions = JSON.parse(run.main.outputs['launch-template-versions'] ?? '{}');
      expect(versions).toEqual({ [TARGET]: { [REGION]: { [TEMPLATE_IDS[REGION] as string]: 3 }, [REGION2]: { [TEMPLATE_IDS[REGION2] as string]: 3 } } });
      for (const region of [REGION, REGION2]) {
        const template = standin.launchTemplate(TARGET, region, TEMPLATE);
        const made = template?.versions.find((v) => v.versionNumber === 3);
        expect(made?.imageId).toBe(promoted[region]);
        expect(made?.imageId).not.toBe(AMI);
        // Inherited from the default version (1), not from the latest (2).
        expect(made?.data).toEqual({ ImageId: promoted[region], InstanceType: 'm7g.large', KeyName: 'ops' });
        expect(made?.description).toContain(`promoted from ${AMI}`);
        expect(made?.description).toContain(RUN_URL);
        expect(template?.defaultVersion).toBe(3);
      }
      expect(run.main.summary).toContain('<h3>Launch templates</h3>');
      expect(run.main.summary).toContain('<h3>Lineage</h3>');
      expect(run.main.summary).toContain('verified (SourceImageId)');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'makes no second version on a re-run, and cleanup never removed a version',
    async () => {
      const run = await promote(standin, given());
      expect(run.error).toBe('');
      expect(run.main.outputs.reused).toBe('true');
      expect(JSON.parse(run.main.outputs['launch-template-versions'] ?? '{}')).toEqual(versions);
      expect(okCalls(standin, 'CreateLaunchTemplateVersion')).toEqual([]);
      expect(okCalls(standin, 'DeleteLaunchTemplateVersions')).toEqual([]);
      for (const region of [REGION, REGION2]) expect(standin.launchTemplate(TARGET, region, TEMPLATE)?.latestVersion).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'leaves the default version alone unless asked',
    async () => {
      const run = await promote(standin, given({ 'source-ami-id': AMI_ONE_REGION, 'target-regions': REGION, 'launch-template': ONLY_IN_REGION, 'launch-template-default': 'false' }));
      expect(run.error).toBe('');
      const template = standin.launchTemplate(TARGET, REGION, ONLY_IN_REGION);
      expect(template).toMatchObject({ defaultVersion: 1, latestVersion: 2 });
      expect(template?.versions[1]?.imageId).toBe(run.main.outputs['ami-id']);
      expect(okCalls(standin, 'ModifyLaunchTemplate')).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses, before any change, a template missing in one target region, naming the account and region',
    async () => {
      const run = await promote(standin, given({ 'source-ami-id': AMI_ONE_REGION, 'launch-template': ONLY_IN_REGION }));
      expect(run.main.code).toBe(1);
      expect(run.error).toContain(ONLY_IN_REGION);
      expect(run.error).toContain(REGION2);
      expect(run.error).toContain(TARGET);
      expectOnlyReads(standin);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'lists the versions it would make in a dry run',
    async () => {
      const run = await promote(standin, given({ 'source-ami-id': AMI_ONE_REGION, 'target-regions': REGION, 'launch-template': ONLY_IN_REGION, 'dry-run': 'true' }));
      expect(run.main.code).toBe(0);
      expect(run.main.log).toContain(`Give the launch template ${ONLY_IN_REGION} a version with the promoted AMI`);
      expect(run.main.log).toMatch(new RegExp(`\\[ok\\] The launch template ${ONLY_IN_REGION} can get a version with the promoted AMI in ${REGION}`));
      expectOnlyReads(standin);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('launch-template failing after the copy', () => {
  it(
    'fails the step naming the account, with the promoted AMI in the outputs, and a re-run finishes the job',
    async () => {
      const world = defaultWorld();
      world.account(TARGET).rolePolicy(DEFAULTS.targetRoleName, 'launch-templates', policyOf(allow(TEMPLATE_ACTIONS)));
      world.account(TARGET).launchTemplate(REGION, { launchTemplateId: TEMPLATE_IDS[REGION], name: TEMPLATE, versions: [{ imageId: OLD_AMI }] });
      const faulty = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
      try {
        faulty.setFaults({ errorRate: 1, operations: ['CreateLaunchTemplateVersion'] });
        const run = await promote(faulty, inputs({ 'launch-template': TEMPLATE }), { env: { AWS_MAX_ATTEMPTS: '1' } });
        expect(run.main.code).toBe(1);
        expect(run.error).toContain('The AMIs are promoted (see the outputs), but 1 step(s) after the copy failed');
        expect(run.error).toContain(`Launch templates failed in account ${TARGET}`);
        const promoted = run.main.outputs['ami-id'] ?? '';
        expect(faulty.image(TARGET, REGION, promoted)?.state).toBe('available');
        faulty.setFaults({ errorRate: 0 });
        const again = await promote(faulty, inputs({ 'launch-template': TEMPLATE }));
        expect(again.error).toBe('');
        expect(again.main.outputs.reused).toBe('true');
        expect(faulty.launchTemplate(TARGET, REGION, TEMPLATE)?.versions[1]?.imageId).toBe(promoted);
      } finally {
        await faulty.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe('launch-template without the permissions', () => {
  it(
    'is refused before any change with the statement to add',
    async () => {
      const world = defaultWorld();
      world.account(TARGET).launchTemplate(REGION, { launchTemplateId: TEMPLATE_IDS[REGION], name: TEMPLATE, versions: [{ imageId: OLD_AMI }] });
      const bare = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
      try {
        const run = await promote(bare, inputs({ 'launch-template': TEMPLATE }));
        expect(run.main.code).toBe(1);
        expect(run.error).toContain('ec2:DescribeLaunchTemplates');
        expect(run.error).toContain(DEFAULTS.targetRoleArn);
        expectOnlyReads(bare);
      } finally {
        await bare.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
