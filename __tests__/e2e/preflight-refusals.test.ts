/**
 * What CopyImage would refuse after the first change is refused by the preflight instead: an AMI name the target
 * account already uses in a target region, tags over EC2's limits, a disabled source AMI. A deprecated source AMI
 * is promoted with a warning. Each refusal leaves both accounts untouched.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { defaultWorld, startStandIn, type StandIn } from '../../standin/index.js';
import {
  FAST_COPY_MS,
  REGION,
  REGION2,
  REGIONS,
  SOURCE,
  TARGET,
  TEST_TIMEOUT_MS,
  expectNothingPublic,
  expectOnlyReads,
  expectPromoted,
  inputs,
  okCalls,
  promote,
  worldView,
  type Run,
} from './scenario.js';

const AMI_NAMED = 'ami-0a0000000000000a1';
const AMI_REUSED = 'ami-0a0000000000000a2';
const AMI_TAGGED = 'ami-0a0000000000000a3';
const AMI_DEPRECATED = 'ami-0a0000000000000a4';
const AMI_DISABLED = 'ami-0a0000000000000a5';
const NAME_HOLDER = 'ami-0b0000000000000b9';
const EARLIER_PROMOTION = 'ami-0b0000000000000b8';
const DEPRECATED_AT = '2020-01-01T00:00:00.000Z';
const ROCKET = '🚀';
// 44 of its own: the intermediate copy gets 50 (with this action's 5 and the run's lease), the promoted AMI 52.
const manyTags = Object.fromEntries(Array.from({ length: 44 }, (_, i) => [`cost-center-${i}`, `cc-${i}`]));
const defaultKeyOf = (region: string) => standin.key(TARGET, region, 'alias/aws/ebs')?.arn ?? 'no aws/ebs key';

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world
    .account(SOURCE)
    .image(REGION, { imageId: AMI_NAMED, name: 'golden-release' })
    .image(REGION, { imageId: AMI_REUSED, name: 'golden-reused' })
    .image(REGION, { imageId: AMI_TAGGED, name: 'golden-tagged', tags: manyTags })
    .image(REGION, { imageId: AMI_DEPRECATED, name: 'golden-deprecated', deprecationTime: DEPRECATED_AT })
    .image(REGION, { imageId: AMI_DISABLED, name: 'golden-disabled', state: 'disabled' });
  world
    .account(TARGET)
    // Another image that happens to have the name AMI_NAMED would be promoted as, in the second region only.
    .image(REGION2, { imageId: NAME_HOLDER, name: 'golden-release' })
    // An earlier promotion of AMI_REUSED under the default key: it holds the name and is reused.
    .image(REGION, {
      imageId: EARLIER_PROMOTION,
      name: 'golden-reused',
      tags: {
        'promote-ami:role': 'promoted',
        'promote-ami:source-ami-id': AMI_REUSED,
        'promote-ami:source-account': SOURCE,
        'promote-ami:source-region': REGION,
        'promote-ami:kms-key': 'default',
      },
    });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => standin.clearCalls());

/** Runs the promotion and expects it refused by the preflight with nothing changed in either account. */
async function refusedBeforeAnyChange(given: Record<string, string>): Promise<Run> {
  const before = worldView(standin);
  const run = await promote(standin, inputs(given));
  expect(run.main.code).toBe(1);
  expect(run.main.summary).toContain('<td>missing</td>');
  expect(run.main.outputs['ami-id']).toBeUndefined();
  expectOnlyReads(standin);
  expect(okCalls(standin, 'CopyImage')).toEqual([]);
  expect(worldView(standin)).toEqual(before);
  expect(run.post.log).toContain('Nothing to clean up: the main step made no change in AWS.');
  return run;
}

describe('the AMI name in the target regions', () => {
  it(
    'is refused when another AMI of the target account has it in one region, naming the account, region, AMI, name and fix',
    async () => {
      const { error, main } = await refusedBeforeAnyChange({ 'source-ami-id': AMI_NAMED, 'target-regions': REGIONS.join(',') });
      expect(error).toContain(`The AMI name is free in ${REGION2} (target account ${TARGET}, ${REGION2}) failed: account ${TARGET} already has ${NAME_HOLDER} named "golden-release" in ${REGION2}`);
      expect(error).toContain('InvalidAMIName.Duplicate');
      expect(error).toContain('Fix: Set the ami-name input to a name not used yet, for example with the release number in it');
      expect(main.log).toContain(`[ok] The AMI name is free in ${REGION} (target account ${TARGET})`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'is listed as missing by a dry run',
    async () => {
      const { error } = await refusedBeforeAnyChange({ 'source-ami-id': AMI_NAMED, 'target-regions': REGIONS.join(','), 'dry-run': 'true' });
      expect(error).toMatch(/^Dry run: nothing was changed; 1 thing\(s\) must be fixed before a real run:\n1\. The AMI name is free in eu-central-1 \(target account 222222222222\): /);
      expect(error).toContain(NAME_HOLDER);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'with ami-name set to a new name, the promotion goes ahead in both regions under that name',
    async () => {
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_NAMED, 'target-regions': REGIONS.join(','), 'ami-name': 'golden-release-2026.11.1' }));
      const { amiIds } = expectPromoted(standin, run, { sourceAmiId: AMI_NAMED, regions: REGIONS, keyArn: defaultKeyOf, keyLabel: () => 'default', reencrypted: true });
      for (const region of REGIONS) expect(standin.image(TARGET, region, amiIds[region] as string)?.name).toBe('golden-release-2026.11.1');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'held by an earlier promotion of the same source: that promotion is reused, nothing is copied',
    async () => {
      const { main } = await promote(standin, inputs({ 'source-ami-id': AMI_REUSED }));
      expect(main.code).toBe(0);
      expect(main.outputs.reused).toBe('true');
      expect(main.outputs['ami-id']).toBe(EARLIER_PROMOTION);
      expect(okCalls(standin, 'CopyImage')).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('the tags of every AMI and snapshot the run creates', () => {
  it(
    'are refused before any change when the promoted AMI would get more than 50',
    async () => {
      const { error } = await refusedBeforeAnyChange({ 'source-ami-id': AMI_TAGGED });
      expect(error).toContain(`The tags fit EC2's limits (target account ${TARGET}, ${REGION}) failed: the promoted AMI and its snapshots in ${REGION} would get 53 tags; EC2 allows 50 per resource`);
      expect(error).toContain('Fix: Make room: set copy-tags: false (the source AMI has 44 tags of its own)');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'fit with copy-tags: false, and a value of 256 emoji is one of 256 characters, as AWS counts',
    async () => {
      const note = ROCKET.repeat(256);
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_TAGGED, 'copy-tags': 'false', tags: `note=${note}` }));
      expectPromoted(standin, run, { sourceAmiId: AMI_TAGGED, regions: [REGION], keyArn: defaultKeyOf, keyLabel: () => 'default', reencrypted: true, sourceTags: { note } });
    },
    TEST_TIMEOUT_MS,
  );
});

describe('the state of the source AMI', () => {
  it(
    'a disabled AMI is refused with the command that re-enables it',
    async () => {
      const { error } = await refusedBeforeAnyChange({ 'source-ami-id': AMI_DISABLED });
      expect(error).toContain(`Inspecting ${AMI_DISABLED} (source account ${SOURCE}, ${REGION}) failed: the AMI is disabled`);
      expect(error).toContain(`Fix: Re-enable it in account ${SOURCE}: aws ec2 enable-image --image-id ${AMI_DISABLED} --region ${REGION}`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a deprecated AMI is promoted, with a warning in the log and the job summary giving its deprecation time',
    async () => {
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_DEPRECATED }));
      expectPromoted(standin, run, { sourceAmiId: AMI_DEPRECATED, regions: [REGION], keyArn: defaultKeyOf, keyLabel: () => 'default', reencrypted: true });
      expect(run.main.warnings).toEqual([expect.stringContaining(`[warning] The source AMI is deprecated (source account ${SOURCE}): ${AMI_DEPRECATED} was deprecated at ${DEPRECATED_AT}.`)]);
      expect(run.main.summary).toContain(`<td>The source AMI is deprecated</td>`);
    },
    TEST_TIMEOUT_MS,
  );
});
