import { describe, expect, it } from '@jest/globals';
import { EBS_GRANT, EBS_KEY_USE, LAUNCH_KEY, actionsOf } from '../../../src/policy/actions.js';
import { generatePolicies } from '../../../src/policy/generate.js';
import { recipientKeyStatements } from '../../../src/policy/key-policy-statements.js';
import { checkRecipientLaunchAccess } from '../../../src/policy/recipient-access.js';
import type { Recipient } from '../../../src/policy/recipients.js';
import { renderPolicyDocs } from '../../../src/policy/render-docs.js';
import { matchesWildcard } from '../../../src/policy/wildcard.js';
import { TARGET_ACCOUNT } from '../../support/accounts.js';
import { EXAMPLE_INPUTS, TARGET_KEY_ARN } from './example-inputs.js';

const ORG_ID = 'o-a1b2c3d4e5';
const ACCOUNT: Recipient = { kind: 'account', accountId: '444455556666' };
const ORG: Recipient = { kind: 'organization', arn: `arn:aws:organizations::999999999999:organization/${ORG_ID}`, partition: 'aws', organizationId: ORG_ID };
const OU: Recipient = {
  kind: 'organizational-unit',
  arn: `arn:aws:organizations::999999999999:ou/${ORG_ID}/ou-a1b2-33333333`,
  partition: 'aws',
  organizationId: ORG_ID,
  ouId: 'ou-a1b2-33333333',
};
const OTHER_OU: Recipient = { ...OU, arn: `arn:aws:organizations::999999999999:ou/${ORG_ID}/ou-a1b2-44444444`, ouId: 'ou-a1b2-44444444' };
const OTHER_ORG: Recipient = { ...ORG, arn: 'arn:aws:organizations::888888888888:organization/o-zzzzzzzzzz', organizationId: 'o-zzzzzzzzzz' };

const sids = (statements: { Sid?: string }[]) => statements.map((s) => s.Sid);
const withShare = (shareWith: Recipient[], rest = {}) => generatePolicies({ ...EXAMPLE_INPUTS, shareWith, ...rest });

describe('the policies of share-with', () => {
  it('are not there without share-with', () => {
    const policies = generatePolicies(EXAMPLE_INPUTS);
    expect(sids(policies.targetRoleIamPolicy.Statement)).not.toContain('FinishAndShareOnlyPromotedAmis');
    expect(sids(policies.targetRoleIamPolicy.Statement)).not.toContain('CheckRecipientAccessToTheTargetKeys');
    expect(policies.recipientKeyStatements).toEqual([]);
  });

  it("give the target role the sharing and the key-policy read, and the target key the recipients' statements", () => {
    const policies = withShare([ACCOUNT, ORG, OU, { kind: 'account', accountId: TARGET_ACCOUNT }]);
    const statements = policies.targetRoleIamPolicy.Statement;
    expect(statements.find((s) => s.Sid === 'FinishAndShareOnlyPromotedAmis')).toEqual({
      Sid: 'FinishAndShareOnlyPromotedAmis',
      Effect: 'Allow',
      Action: ['ec2:DescribeImageAttribute', 'ec2:ModifyImageAttribute'],
      Resource: 'arn:aws:ec2:eu-west-1::image/*',
      Condition: { StringEquals: { 'ec2:ResourceTag/promote-ami:role': 'promoted' } },
    });
    // The Auto Scaling check (autoscaling-access: check) already reads the target key policies: one statement.
    expect(sids(statements)).not.toContain('CheckRecipientAccessToTheTargetKeys');
    expect(statements.find((s) => s.Sid === 'CheckAutoScalingAccessToTheTargetKeys')?.Action).toEqual(['kms:GetKeyPolicy']);
    expect(sids(withShare([ACCOUNT], { autoscalingAccess: 'off' }).targetRoleIamPolicy.Statement)).toContain('CheckRecipientAccessToTheTargetKeys');
    // The target account owns the AMI: no statement for it.
    expect(policies.recipientKeyStatements).toEqual([ACCOUNT, ORG, OU].flatMap((r) => recipientKeyStatements(r, 'aws')));
  });

  it('reads no key policy when every target region uses the default key', () => {
    const statements = withShare([ACCOUNT], { targetKeyArns: {} }).targetRoleIamPolicy.Statement;
    expect(sids(statements)).toContain('FinishAndShareOnlyPromotedAmis');
    expect(sids(statements)).not.toContain('CheckRecipientAccessToTheTargetKeys');
  });

  it('are documented as their own section, only when there are recipients', () => {
    const policies = withShare([OU]);
    const markdown = renderPolicyDocs(policies);
    expect(markdown).toContain('### Target key: statements for the recipients of `share-with`');
    expect(markdown).toContain(JSON.stringify(policies.recipientKeyStatements, null, 2));
    expect(renderPolicyDocs(generatePolicies(EXAMPLE_INPUTS))).not.toContain('recipients of `share-with`');
  });

  it("allow with EBS_KEY_USE and EBS_GRANT every action EC2 checks on the recipients' behalf when they launch the AMI", () => {
    const granted = actionsOf([...EBS_KEY_USE, EBS_GRANT]);
    expect(actionsOf(LAUNCH_KEY).filter((action) => !granted.some((pattern) => matchesWildcard(pattern, action, true)))).toEqual([]);
  });

  it.each([
    ['an account', ACCOUNT, [ORG, OU]],
    ['an organization', ORG, [OTHER_ORG]],
    ['an OU', OU, [OTHER_OU, ORG, ACCOUNT]],
  ])('for %s let it launch the AMI and nobody else', (_label, recipient: Recipient, others: Recipient[]) => {
    const policy = { Version: '2012-10-17', Statement: recipientKeyStatements(recipient, 'aws') };
    const check = (r: Recipient) => checkRecipientLaunchAccess(policy, { keyArn: TARGET_KEY_ARN, region: 'eu-west-1', recipient: r, partition: 'aws' });
    expect(check(recipient)).toMatchObject({ ok: true, statementsToAdd: [] });
    for (const other of others) expect(check(other).ok).toBe(false);
  });
});
