/**
 * Allowed AMIs in the target account: the promoted AMI is the account's own and always allowed, while the shared AMI
 * is hidden when the setting is enabled without the source account. Whether CopyImage is then refused is not
 * documented, so both answers are tested (the stand-in's allowedAmisBlockCopy).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, defaultWorld, startStandIn, type StandIn } from '../../standin/index.js';
import { FAST_COPY_MS, REGION, SOURCE, TARGET, TEST_TIMEOUT_MS, inputs, intermediateCopies, promote } from './scenario.js';

const AMIS = ['ami-0a00000000000009a', 'ami-0a00000000000009b', 'ami-0a00000000000009c'];
const AMAZON_ONLY = { state: 'enabled' as const, imageCriteria: [{ imageProviders: ['amazon'] }] };

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  for (const [i, imageId] of AMIS.entries()) world.account(SOURCE).image(REGION, { imageId, name: `golden-allowed-${i}`, snapshots: [{}] });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(() => standin.close());

beforeEach(() => {
  standin.clearCalls();
  standin.setAllowedImages(TARGET, REGION, AMAZON_ONLY);
});

const given = (imageId: string) => inputs({ 'source-ami-id': imageId, 'target-kms-key': DEFAULTS.targetKeyAlias });

describe('Allowed AMIs in the target account', () => {
  it(
    'warns before any change when the source account is not allowed, with the command that adds it; the copy goes on when AWS allows it',
    async () => {
      standin.configure({ allowedAmisBlockCopy: false });
      const run = await promote(standin, given(AMIS[0] as string));
      expect(run.error).toBe('');
      const warning = run.main.warnings.find((w) => w.includes('Allowed AMIs')) ?? '';
      expect(warning).toContain(`no criterion allows AMIs of the source account ${SOURCE}`);
      expect(run.main.log).toContain(`replace-image-criteria-in-allowed-images-settings --region ${REGION} --image-criteria '[{"ImageProviders":["amazon"]},{"ImageProviders":["${SOURCE}"]}]'`);
      const promoted = run.main.outputs['ami-id'] ?? '';
      expect(standin.image(TARGET, REGION, promoted)?.state).toBe('available');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'explains a copy refused as not found by the setting, and cleans up',
    async () => {
      standin.configure({ allowedAmisBlockCopy: true });
      const run = await promote(standin, given(AMIS[1] as string));
      expect(run.main.code).toBe(1);
      expect(run.error).toContain('InvalidAMIID.NotFound');
      expect(run.error).toContain(`Allowed AMIs setting in ${REGION} does not allow AMIs of account ${SOURCE}`);
      expect(intermediateCopies(standin, AMIS[1])).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'is ok when a criterion allows the source account',
    async () => {
      standin.configure({ allowedAmisBlockCopy: true });
      standin.setAllowedImages(TARGET, REGION, { state: 'enabled', imageCriteria: [{ imageProviders: ['amazon', SOURCE] }] });
      const run = await promote(standin, given(AMIS[2] as string));
      expect(run.error).toBe('');
      expect(run.main.log).toMatch(new RegExp(`\\[ok\\] Allowed AMIs \\(target account ${TARGET}\\): enabled in ${REGION}; its criteria allow AMIs of the source account`));
      expect(run.main.warnings.filter((w) => w.includes('Allowed AMIs'))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
