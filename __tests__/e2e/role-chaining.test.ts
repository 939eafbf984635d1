/**
 * role-chaining: the bundled action outside GitHub-hosted OIDC. The job has no ACTIONS_ID_TOKEN_* variables, only AWS
 * credentials in the environment (here a session of a `runner` role, as an instance profile gives), and assumes the
 * source and target roles from them with sts:AssumeRole, renewing the sessions before they end.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DEFAULTS, allow, assumeRoleTrust, defaultWorld, policyOf, startStandIn, type StandIn } from '../../standin/index.js';
import { FAST_COPY_MS, REGION, SOURCE, TARGET, TEST_TIMEOUT_MS, inputs, okCalls, promote, targetKeyArn } from './scenario.js';

const RUNNER_ROLE = `arn:aws:iam::${SOURCE}:role/runner`;
const AMI_CHAINED = 'ami-0c4a1000000000001';
const AMI_REFUSED = 'ami-0c4a1000000000002';

let standin: StandIn;
let environment: Record<string, string>;

/** Credentials of a `runner` role session, as a self-hosted runner's instance profile gives them. */
async function runnerSession(): Promise<Record<string, string>> {
  const sts = new STSClient({ region: REGION, endpoint: standin.url, maxAttempts: 1, credentials: standin.credentials(SOURCE, 'ci') });
  const c = (await sts.send(new AssumeRoleCommand({ RoleArn: RUNNER_ROLE, RoleSessionName: 'i-0123456789abcdef0' }))).Credentials;
  return { AWS_ACCESS_KEY_ID: c?.AccessKeyId ?? '', AWS_SECRET_ACCESS_KEY: c?.SecretAccessKey ?? '', AWS_SESSION_TOKEN: c?.SessionToken ?? '' };
}

beforeAll(async () => {
  const world = defaultWorld();
  const source = world.account(SOURCE);
  source.user('ci', { policies: { AssumeRunner: policyOf(allow('sts:AssumeRole', RUNNER_ROLE)) } });
  source.role('runner', {
    trustPolicy: policyOf(assumeRoleTrust(`arn:aws:iam::${SOURCE}:user/ci`)),
    policies: { AssumePromotionRoles: policyOf(allow('sts:AssumeRole', [DEFAULTS.sourceRoleArn, DEFAULTS.targetRoleArn])) },
  });
  // Both roles trust the runner role only: no OIDC statement, so a web-identity assumption could not succeed.
  source.role(DEFAULTS.sourceRoleName, { trustPolicy: policyOf(assumeRoleTrust(RUNNER_ROLE)) });
  world.account(TARGET).role(DEFAULTS.targetRoleName, { trustPolicy: policyOf(assumeRoleTrust(RUNNER_ROLE)) });
  for (const imageId of [AMI_CHAINED, AMI_REFUSED]) source.image(REGION, { imageId, name: `golden-${imageId}`, snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }] });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
  environment = await runnerSession();
});

afterAll(() => standin.close());

beforeEach(() => standin.clearCalls());

describe('role-chaining', () => {
  it(
    'promotes with AWS credentials in the environment and no OIDC token, renewing the one-hour sessions (4 s here) by assuming again',
    async () => {
      standin.configure({ credentialLifetimeSeconds: 4, copyDurationMs: 9_000 });
      try {
        const tokensBefore = standin.oidcTokens().length;
        const given = inputs({ 'source-ami-id': AMI_CHAINED, 'target-kms-key': DEFAULTS.targetKeyAlias, 'role-chaining': 'true' });
        const run = await promote(standin, given, { env: environment, withoutOidc: true });
        expect(run.error).toBe('');
        expect(run.main.code).toBe(0);
        expect(run.main.log).toContain(`Role chaining: the roles are assumed with sts:AssumeRole by ${RUNNER_ROLE}`);
        const amiId = run.main.outputs['ami-id'] ?? '';
        expect(standin.image(TARGET, REGION, amiId)).toMatchObject({ state: 'available', public: false });
        for (const snapshot of standin.image(TARGET, REGION, amiId)?.blockDevices ?? []) {
          expect(standin.snapshot(TARGET, REGION, snapshot.snapshotId ?? '')?.kmsKeyArn).toBe(targetKeyArn(REGION));
        }
        const assumed = okCalls(standin, 'AssumeRole').map((c) => c.params.RoleArn);
        expect(assumed.filter((arn) => arn === DEFAULTS.targetRoleArn).length).toBeGreaterThan(1);
        expect(assumed.filter((arn) => arn === DEFAULTS.sourceRoleArn).length).toBeGreaterThan(1);
        expect(okCalls(standin, 'AssumeRole').every((c) => c.principal === `arn:aws:sts::${SOURCE}:assumed-role/runner/i-0123456789abcdef0`)).toBe(true);
        expect(standin.calls({ operation: 'AssumeRoleWithWebIdentity' })).toEqual([]);
        expect(standin.oidcTokens().length).toBe(tokensBefore);
        expect(standin.calls().filter((c) => /Expired/.test(c.errorCode ?? ''))).toEqual([]);
        expect(run.post.log).toContain('Nothing to clean up');
      } finally {
        standin.configure({ credentialLifetimeSeconds: undefined, copyDurationMs: FAST_COPY_MS });
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a runner that may not assume the target role: the error names the account, the role and the statements to add',
    async () => {
      standin.setRolePolicy(SOURCE, 'runner', 'AssumePromotionRoles', policyOf(allow('sts:AssumeRole', DEFAULTS.sourceRoleArn)));
      const run = await promote(standin, inputs({ 'source-ami-id': AMI_REFUSED, 'role-chaining': 'true' }), { env: environment, withoutOidc: true });
      expect(run.main.code).not.toBe(0);
      expect(run.error).toContain(`Assuming ${DEFAULTS.targetRoleArn} with the credentials in the environment (role-chaining) (target account ${TARGET}) failed`);
      expect(run.error).toContain(`its trust policy does not let ${RUNNER_ROLE} assume it`);
      expect(run.error).toContain(JSON.stringify(assumeRoleTrust(RUNNER_ROLE), null, 2));
      const identityStatement = { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: DEFAULTS.targetRoleArn };
      expect(run.error).toContain(`and this one to the IAM policy of ${RUNNER_ROLE}:\n${JSON.stringify(identityStatement, null, 2)}`);
      expect(run.error).not.toMatch(/id-token|OIDC/);
    },
    TEST_TIMEOUT_MS,
  );
});
