/** IAM SimulatePrincipalPolicy: identity policies, resource (key) policies across accounts, context entries. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetRoleCommand, SimulatePrincipalPolicyCommand, type SimulatePrincipalPolicyCommandInput } from '@aws-sdk/client-iam';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { assumeRole, clientsFor, expectAwsError, type Clients } from './test-helpers.js';

let standin: StandIn;
let target: Clients;

beforeAll(async () => {
  standin = await startStandIn(defaultWorld());
  target = clientsFor(standin, DEFAULTS.region, await assumeRole(standin));
});
afterAll(() => standin.close());

async function decisions(input: Partial<SimulatePrincipalPolicyCommandInput>) {
  const out = await target.iam.send(
    new SimulatePrincipalPolicyCommand({ PolicySourceArn: DEFAULTS.targetRoleArn, ActionNames: [], ...input }),
  );
  return out.EvaluationResults?.map((r) => r.EvalDecision);
}

describe('SimulatePrincipalPolicy', () => {
  const keyPolicy = () => JSON.stringify(standin.key(DEFAULTS.sourceAccount, DEFAULTS.region, DEFAULTS.sourceKeyAlias)?.policy);

  it('evaluates the role against the source key policy across accounts', async () => {
    const input = {
      ActionNames: ['kms:Decrypt', 'kms:ScheduleKeyDeletion'],
      ResourceArns: [DEFAULTS.sourceKeyArn],
      ResourcePolicy: keyPolicy(),
      ResourceOwner: `arn:aws:iam::${DEFAULTS.sourceAccount}:root`,
    };
    expect(await decisions(input)).toEqual(['allowed', 'implicitDeny']);
    standin.setRolePolicy(DEFAULTS.targetAccount, DEFAULTS.targetRoleName, 'ami-promotion-source-key', undefined);
    try {
      expect(await decisions(input)).toEqual(['implicitDeny', 'implicitDeny']);
    } finally {
      standin.setRolePolicy(
        DEFAULTS.targetAccount,
        DEFAULTS.targetRoleName,
        'ami-promotion-source-key',
        defaultWorld().build().accounts[1]?.roles[0]?.policies['ami-promotion-source-key'],
      );
    }
  });

  it('applies context entries such as kms:GrantIsForAWSResource', async () => {
    const base = {
      ActionNames: ['kms:CreateGrant'],
      ResourceArns: [DEFAULTS.sourceKeyArn],
      ResourcePolicy: keyPolicy(),
      ResourceOwner: `arn:aws:iam::${DEFAULTS.sourceAccount}:root`,
    };
    expect(await decisions(base)).toEqual(['implicitDeny']);
    expect(
      await decisions({
        ...base,
        ContextEntries: [{ ContextKeyName: 'kms:GrantIsForAWSResource', ContextKeyValues: ['true'], ContextKeyType: 'boolean' }],
      }),
    ).toEqual(['allowed']);
  });

  it('matches resources as given and answers implicitDeny for unknown actions, like IAM', async () => {
    expect(
      await decisions({ ActionNames: ['ec2:DescribeImages', 'ec2:FlyToTheMoon', 'ec2:CopyImage'], ResourceArns: ['arn:aws:ec2:eu-west-1::image/ami-0123456789abcdef0'] }),
    ).toEqual(['allowed', 'implicitDeny', 'allowed']);
  });

  it('needs iam:SimulatePrincipalPolicy and an existing principal', async () => {
    await expectAwsError(
      target.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: DEFAULTS.sourceRoleArn, ActionNames: ['ec2:CopyImage'] })),
      'AccessDenied',
    );
    const admin = clientsFor(standin, DEFAULTS.region, standin.credentials(DEFAULTS.targetAccount));
    await expectAwsError(
      admin.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${DEFAULTS.targetAccount}:role/ghost`, ActionNames: ['ec2:CopyImage'] })),
      'NoSuchEntityException',
    );
    const role = await target.iam.send(new GetRoleCommand({ RoleName: DEFAULTS.targetRoleName }));
    expect(role.Role?.Arn).toBe(DEFAULTS.targetRoleArn);
    expect(JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '{}'))).toMatchObject({ Version: '2012-10-17' });
  });
});
