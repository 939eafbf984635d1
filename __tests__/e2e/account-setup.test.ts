/**
 * The README's "Set up both accounts", against the stand-in: the roles carry exactly what the two CloudFormation stacks
 * give them (policies and trust), the keys the statements of the stacks' outputs, and the README's one workflow
 * promotes from a job in the environment production. A job outside it gets no credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULTS, defaultWorld, startStandIn, type StandIn } from '../../standin/index.js';
import { deployTemplate, type DeployedRole } from '../support/cloudformation.js';
import { attachExactly } from '../support/least-privilege.js';
import { FAST_COPY_MS, REGION, SOURCE, TARGET, TEST_TIMEOUT_MS, expectNothingPublic, expectPromoted, inputs, promote, targetKeyArn } from './scenario.js';

const COMMON = { SourceKeyArn: DEFAULTS.sourceKeyArn, Repository: DEFAULTS.repository, Environment: 'production', CreateOidcProvider: 'false' };

/** The two stacks of the walk-through (the stand-in's accounts have GitHub's identity provider already). */
function stacks() {
  const source = deployTemplate('cloudformation/source-account.yaml', SOURCE, REGION, { ...COMMON, TargetAccountId: TARGET });
  const target = deployTemplate('cloudformation/target-account.yaml', TARGET, REGION, {
    ...COMMON,
    SourceAccountId: SOURCE,
    SourceRegion: REGION,
    TargetKeyArn: targetKeyArn(REGION),
  });
  return { source, target, sourceRole: source.role('SourceRole'), targetRole: target.role('TargetRole') };
}

const policyOf = (role: DeployedRole) => {
  const [only, ...others] = role.Policies;
  if (!only || others.length > 0) throw new Error('each role has one inline policy');
  return only.PolicyDocument;
};

let standin: StandIn;

beforeAll(async () => {
  const { source, target, sourceRole, targetRole } = stacks();
  const world = defaultWorld();
  world.account(SOURCE).role(DEFAULTS.sourceRoleName, { trustPolicy: sourceRole.AssumeRolePolicyDocument as never });
  world.account(TARGET).role(DEFAULTS.targetRoleName, { trustPolicy: targetRole.AssumeRolePolicyDocument as never });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS, oidc: { repository: DEFAULTS.repository, environment: 'production' } });
  attachExactly(
    standin,
    {
      sourceRoleIamPolicy: policyOf(sourceRole),
      keyPolicyStatements: source.statementsOutput('SourceKeyPolicyStatements') ?? [],
      targetRoleIamPolicy: policyOf(targetRole),
      autoscalingKeyStatements: target.statementsOutput('TargetKeyPolicyStatements') ?? [],
      recipientKeyStatements: [],
    },
    [REGION],
  );
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

describe('two accounts set up with the CloudFormation templates', () => {
  it(
    "promote with the README's workflow from a job in the environment production",
    async () => {
      const run = await promote(standin, inputs({ 'target-kms-key': targetKeyArn(REGION) }));
      expectPromoted(standin, run, { sourceAmiId: DEFAULTS.sourceAmiId, regions: [REGION], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: true, sourceTags: { Name: 'golden-base', Team: 'platform' } });
      expect(run.main.log).not.toMatch(/\[missing\]/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "refuse a job outside the environment, naming that job's own subject in the trust statement to add",
    async () => {
      standin.configureOidc({ repository: DEFAULTS.repository, environment: undefined, ref: 'refs/heads/feature' });
      try {
        const run = await promote(standin, inputs({ 'target-kms-key': targetKeyArn(REGION), 'dry-run': 'true' }));
        expect(run.main.code).toBe(1);
        expect(run.error).toContain('does not let this workflow assume it');
        expect(run.error).toContain(`"token.actions.githubusercontent.com:sub": "repo:${DEFAULTS.repository}:ref:refs/heads/feature"`);
      } finally {
        standin.configureOidc({ repository: DEFAULTS.repository, environment: 'production' });
      }
    },
    TEST_TIMEOUT_MS,
  );
});
