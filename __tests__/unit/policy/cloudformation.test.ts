import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { renderTemplates } from '../../../src/policy/cloudformation.js';
import { generatePolicies, type PolicyInputs } from '../../../src/policy/generate.js';
import { STACK_PROVIDER_ARN, deployTemplate } from '../../support/cloudformation.js';
import { EXAMPLE_INPUTS, TARGET_KEY_ARN } from './example-inputs.js';
import { KEY_ARN, SOURCE_ACCOUNT, SOURCE_REGION, TARGET_ACCOUNT } from '../../support/accounts.js';

const stack = (path: string, account: string, parameters: Record<string, string>) => {
  const deployed = deployTemplate(path, account, SOURCE_REGION, parameters);
  return { ...deployed, output: deployed.statementsOutput };
};

const RUNNER = 'arn:aws:iam::333333333333:role/ci-runner';
const COMMON = { SourceKeyArn: KEY_ARN, Repository: 'OWNER/REPO', CreateOidcProvider: 'false' };
const TARGET = { ...COMMON, SourceAccountId: SOURCE_ACCOUNT, SourceRegion: SOURCE_REGION, TargetKeyArn: TARGET_KEY_ARN };
/** The templates serve every release: sources that need re-encryption and sources shared as they are. */
const ANY_RELEASE: PolicyInputs = { ...EXAMPLE_INPUTS, reencrypt: undefined };

describe('the CloudFormation templates', () => {
  it('are what npm run templates writes from the generator (run it after changing the policies)', () => {
    for (const [path, text] of Object.entries(renderTemplates())) {
      expect(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')).toBe(text);
    }
  });

  it('give the target role exactly the generated policy and trust, and output the Auto Scaling key statements', () => {
    const { role, output } = stack('cloudformation/target-account.yaml', TARGET_ACCOUNT, TARGET);
    const expected = generatePolicies(ANY_RELEASE);
    expect(role('TargetRole').Policies).toEqual([{ PolicyName: 'promote-encrypted-ami', PolicyDocument: expected.targetRoleIamPolicy }]);
    expect(role('TargetRole').AssumeRolePolicyDocument).toEqual(expected.targetTrustPolicy);
    expect(output('TargetKeyPolicyStatements')).toEqual(expected.autoscalingKeyStatements);
  });

  it("give the target role the default EBS key's policy when TargetKeyArn is empty, with no key statements to add", () => {
    const { role, output } = stack('cloudformation/target-account.yaml', TARGET_ACCOUNT, { ...TARGET, TargetKeyArn: '' });
    expect(role('TargetRole').Policies[0]?.PolicyDocument).toEqual(generatePolicies({ ...ANY_RELEASE, targetKeyArns: {} }).targetRoleIamPolicy);
    expect(output('TargetKeyPolicyStatements')).toBeUndefined();
  });

  it.each([
    [{ Environment: 'prod-eu' }, { subject: { environment: 'prod-eu' } }],
    [{ Branch: 'main' }, { subject: { branch: 'main' } }],
    [{ Environment: 'prod-eu', Branch: 'release' }, { subject: { branch: 'release' } }],
    [{ RoleChaining: 'true' }, { roleChaining: true }],
    [{ RoleChaining: 'true', ChainingPrincipalArn: RUNNER }, { roleChaining: true, chainingPrincipalArn: RUNNER }],
  ] as const)('trust as the generator does for %j', (parameters, inputs) => {
    const { role } = stack('cloudformation/target-account.yaml', TARGET_ACCOUNT, { ...TARGET, ...parameters });
    expect(role('TargetRole').AssumeRolePolicyDocument).toEqual(generatePolicies({ ...ANY_RELEASE, ...inputs }).targetTrustPolicy);
  });

  it('name the OIDC provider the stack makes, so that the role is created after it', () => {
    const { role, template } = stack('cloudformation/target-account.yaml', TARGET_ACCOUNT, { ...TARGET, CreateOidcProvider: 'true' });
    expect(JSON.stringify(role('TargetRole').AssumeRolePolicyDocument)).toContain(`"Federated":"${STACK_PROVIDER_ARN}"`);
    expect(template.Resources.GitHubOidcProvider?.Properties).toEqual({ Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] });
  });

  it("give the source role the generated policy, trusting the source account's OIDC provider, and output the source key statements", () => {
    const { role, output } = stack('cloudformation/source-account.yaml', SOURCE_ACCOUNT, { ...COMMON, TargetAccountId: TARGET_ACCOUNT });
    const expected = generatePolicies(ANY_RELEASE);
    expect(role('SourceRole').Policies[0]?.PolicyDocument).toEqual(expected.sourceRoleIamPolicy);
    expect(JSON.stringify(role('SourceRole').AssumeRolePolicyDocument)).toBe(
      JSON.stringify(expected.targetTrustPolicy).replace(`iam::${TARGET_ACCOUNT}:oidc-provider`, `iam::${SOURCE_ACCOUNT}:oidc-provider`),
    );
    expect(output('SourceKeyPolicyStatements')).toEqual(expected.keyPolicyStatements);
  });

  it.each([
    ['', `arn:aws:iam::${SOURCE_ACCOUNT}:root`],
    [RUNNER, RUNNER],
  ])('with role chaining and ChainingPrincipalArn "%s", let the source role be assumed by %s', (given, principal) => {
    const { role } = stack('cloudformation/source-account.yaml', SOURCE_ACCOUNT, { ...COMMON, TargetAccountId: TARGET_ACCOUNT, RoleChaining: 'true', ChainingPrincipalArn: given });
    expect(role('SourceRole').AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'RoleChainingPrincipal', Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
    });
  });
});
