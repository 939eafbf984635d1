/**
 * A job matrix over target accounts: jobs of the same workflow run promote the same source AMI to two target
 * accounts. They share one intermediate copy; the last job to clean up removes it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DEFAULTS,
  KMS_COPY_ACTIONS,
  TARGET_EC2_ACTIONS,
  allow,
  defaultWorld,
  githubOidcTrust,
  keyUseStatements,
  policyOf,
  startStandIn,
  type StandIn,
} from '../../standin/index.js';
import { FAST_COPY_MS, REGION, SOURCE, TARGET, TEST_TIMEOUT_MS, accountView, inputs, intermediateCopies, intermediateCopyId, promote, expectNothingPublic } from './scenario.js';

const TARGET2 = '444444444444';
const TARGET2_ROLE = `arn:aws:iam::${TARGET2}:role/${DEFAULTS.targetRoleName}`;
const AMI_TOGETHER = 'ami-0aa0000000000aa01';
const AMI_ONE_AFTER_THE_OTHER = 'ami-0aa0000000000aa02';

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world
    .account(SOURCE)
    .keyStatements(REGION, DEFAULTS.sourceKeyAlias, ...keyUseStatements(TARGET2_ROLE, 'AllowSecondTarget'))
    .image(REGION, { imageId: AMI_TOGETHER, name: 'golden-matrix' })
    .image(REGION, { imageId: AMI_ONE_AFTER_THE_OTHER, name: 'golden-matrix-staggered' });
  world
    .account(TARGET2)
    .oidcProvider()
    .role(DEFAULTS.targetRoleName, {
      trustPolicy: githubOidcTrust(TARGET2, `repo:${DEFAULTS.repository}:*`),
      policies: {
        'ami-promotion-ec2': policyOf(allow(TARGET_EC2_ACTIONS)),
        'ami-promotion-source-key': policyOf(allow(KMS_COPY_ACTIONS, DEFAULTS.sourceKeyArn)),
        'ami-promotion-own-keys': policyOf(allow([...KMS_COPY_ACTIONS, 'kms:ListAliases'], `arn:aws:kms:*:${TARGET2}:key/*`)),
        'ami-promotion-misc': policyOf(allow('sts:DecodeAuthorizationMessage'), allow(['iam:SimulatePrincipalPolicy', 'iam:GetRole'], TARGET2_ROLE)),
      },
    });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => standin.clearCalls());

describe('a matrix over two target accounts in one workflow run', () => {
  it(
    'two jobs at once: both promote, sharing one intermediate copy; nothing is left shared or copied in the source account',
    async () => {
      const before = accountView(standin, SOURCE);
      const [first, second] = await Promise.all([
        promote(standin, inputs({ 'source-ami-id': AMI_TOGETHER })),
        promote(standin, inputs({ 'source-ami-id': AMI_TOGETHER, 'target-role-arn': TARGET2_ROLE })),
      ]);
      expect(first.error).toBe('');
      expect(second.error).toBe('');
      expect(first.main.code).toBe(0);
      expect(second.main.code).toBe(0);
      expect(first.main.outputs['target-account-id']).toBe(TARGET);
      expect(second.main.outputs['target-account-id']).toBe(TARGET2);
      // One intermediate copy for both jobs.
      expect(first.main.outputs['reencrypted-ami-id']).toBe(second.main.outputs['reencrypted-ami-id']);
      for (const [run, account] of [
        [first, TARGET],
        [second, TARGET2],
      ] as const) {
        expect(standin.image(account, REGION, run.main.outputs['ami-id'] as string)?.state).toBe('available');
        expect(run.post.code).toBe(0);
      }
      expect(intermediateCopies(standin, AMI_TOGETHER)).toEqual([]);
      expect(accountView(standin, SOURCE)).toEqual(before);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'the second job after the first has finished and cleaned up: it promotes too',
    async () => {
      const first = await promote(standin, inputs({ 'source-ami-id': AMI_ONE_AFTER_THE_OTHER }));
      expect(first.main.code).toBe(0);
      expect(intermediateCopies(standin, AMI_ONE_AFTER_THE_OTHER)).toEqual([]);
      const removed = first.main.outputs['reencrypted-ami-id'] as string;
      // Stop the second job at once if it takes up the removed copy (it would wait for it for 2 minutes).
      const second = await promote(standin, inputs({ 'source-ami-id': AMI_ONE_AFTER_THE_OTHER, 'target-role-arn': TARGET2_ROLE }), {
        onLog: (log, signal) => {
          if (log.includes(`as ${removed}.`)) signal('SIGKILL');
        },
      });
      expect(intermediateCopyId(second.main.log)).not.toBe(removed);
      expect(second.error).toBe('');
      expect(second.main.code).toBe(0);
      expect(standin.image(TARGET2, REGION, second.main.outputs['ami-id'] ?? 'none')?.state).toBe('available');
    },
    TEST_TIMEOUT_MS,
  );
});
