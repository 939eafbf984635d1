/**
 * Messages that never mislead: a missing or refused OIDC token is reported as the token (with the permission to
 * grant), never as a problem with inputs the user set correctly; the trust-policy fix uses the real audience; a
 * tag line that looks like several tags is kept but warned about; and the demo's world, whose roles and keys carry
 * the generated policies, promotes without a single "Fix:".
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, sdkEnv, startStandIn, type StandIn } from '../../standin/index.js';
import { actionYaml } from '../../standin/index.js';
import { runStep } from '../../standin/index.js';
import { DEMO_INPUTS, DEMO_OIDC, demoWorld } from '../../scripts/demo-world.js';
import { FAST_COPY_MS, REGION, REGION2, SOURCE, STEP_TIMEOUT_MS, TARGET, TEST_TIMEOUT_MS, expectPromoted, promote, targetKeyArn } from './scenario.js';

const AMI_TAGS = 'ami-0c0000000000000c1';
const SOURCE_TAGS = { Name: 'golden-base', Team: 'platform' };
const INPUT_TAGS = { Release: '2026.11', Team: 'platform' };

let standin: StandIn;

beforeAll(async () => {
  const world = demoWorld();
  world.account(SOURCE).image(REGION, { imageId: AMI_TAGS, name: 'golden-tags' });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS, oidc: DEMO_OIDC });
});

afterAll(async () => {
  await standin.close();
});

beforeEach(() => standin.clearCalls());

/** Every input but `audience` (the token is requested for it, so a token message may name it). */
const OTHER_INPUTS = Object.keys(actionYaml.inputs).filter((name) => name !== 'audience');

/** The message is about the job's OIDC token and its permission, and blames nothing the user set. */
function expectTokenMessage(message: string): void {
  expect(message).toContain("Getting the job's GitHub OIDC token (audience sts.amazonaws.com) failed");
  expect(message).toContain('id-token: write');
  for (const input of OTHER_INPUTS) expect({ input, mentioned: message.includes(input) }).toEqual({ input, mentioned: false });
  expect(message).not.toMatch(/trust polic|OIDC provider|role|configure-aws-credentials/i);
}

describe('a job that cannot get its OIDC token', () => {
  it(
    'without ACTIONS_ID_TOKEN_REQUEST_URL: says to grant id-token: write, and calls no AWS API',
    async () => {
      const env: Record<string, string> = sdkEnv(standin);
      delete env.ACTIONS_ID_TOKEN_REQUEST_URL;
      const main = await runStep({ inputs: DEMO_INPUTS, env, timeoutMs: STEP_TIMEOUT_MS });
      expect(main.code).toBe(1);
      expect(main.errors).toHaveLength(1);
      expectTokenMessage(main.errors[0] ?? '');
      expect(main.errors[0]).toContain('ACTIONS_ID_TOKEN_REQUEST_URL is not set');
      expect(main.errors[0]).toContain('Fix: Add this to the job (or workflow) that uses the action:\npermissions:\n  id-token: write\n  contents: read');
      expect(standin.calls()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it.each([
    [403, /Fix: Check that the job \(or workflow\) that uses the action has\npermissions:\n {2}id-token: write/],
    [500, /Fix: GitHub's token service failed: re-run the job\. If it keeps failing, check that the job/],
  ])(
    'when the token endpoint answers %i: reports the endpoint, not the roles, and calls no AWS API',
    async (status, fix) => {
      standin.configureOidc({ tokenEndpointStatus: status });
      try {
        const { main, post, error } = await promote(standin, DEMO_INPUTS);
        expect(main.code).toBe(1);
        expect(main.errors).toHaveLength(1);
        expectTokenMessage(error);
        expect(error).toContain(`the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) gave no token (HTTP ${status}:`);
        expect(error).toMatch(fix);
        expect(standin.calls()).toEqual([]);
        expect(post.code).toBe(0);
        expect(post.log).toContain('Nothing to clean up');
      } finally {
        standin.configureOidc({ tokenEndpointStatus: undefined });
      }
    },
    TEST_TIMEOUT_MS,
  );
});

it(
  'a token for an audience the OIDC provider does not list: the trust-policy fix names that audience',
  async () => {
    const audience = 'https://github.com/acme';
    const { main, error } = await promote(standin, { ...DEMO_INPUTS, audience });
    expect(main.code).toBe(1);
    expect(standin.oidcAudiences()).toContain(audience);
    expect(error).toContain(`its audience list does not include ${audience}`);
    expect(error).toContain(`has the IAM OIDC provider token.actions.githubusercontent.com with the audience ${audience}`);
    expect(error).toContain(`"token.actions.githubusercontent.com:aud": "${audience}"`);
    expect(error).not.toContain('sts.amazonaws.com');
  },
  TEST_TIMEOUT_MS,
);

describe('the demo world (roles and keys with the generated policies)', () => {
  it(
    'promotes into two regions with no "Fix:" and no warning anywhere',
    async () => {
      const run = await promote(standin, DEMO_INPUTS);
      expectPromoted(standin, run, {
        sourceAmiId: DEFAULTS.sourceAmiId,
        regions: [REGION, REGION2],
        keyArn: targetKeyArn,
        keyLabel: targetKeyArn,
        reencrypted: true,
        sourceTags: { ...SOURCE_TAGS, ...INPUT_TAGS },
      });
      expect(run.main.log).toContain('Preflight');
      expect(run.main.log).not.toContain('Fix:');
      expect(run.main.summary).not.toContain('Fix:');
      expect(run.post.log).not.toContain('Fix:');
      expect(run.main.warnings).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a tags line such as Name=web,Env=prod: kept as one tag (AWS allows the comma), with a warning giving the multi-line form',
    async () => {
      const run = await promote(standin, { ...DEMO_INPUTS, 'source-ami-id': AMI_TAGS, 'target-regions': REGION, tags: 'Name=web,Env=prod' });
      expect(run.main.code).toBe(0);
      expect(run.main.warnings).toEqual([
        'Input tags: line 1 ("Name=web,Env=prod") gives the tag Name the value "web,Env=prod". Tags are one Key=Value per line; ' +
          'if you meant several tags, write:\ntags: |\n  Name=web\n  Env=prod',
      ]);
      const amiId = JSON.parse(run.main.outputs['ami-ids'] ?? '{}')[REGION] as string;
      expect(standin.image(TARGET, REGION, amiId)?.tags[TARGET]).toMatchObject({ Name: 'web,Env=prod' });
      expect(run.post.warnings).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
