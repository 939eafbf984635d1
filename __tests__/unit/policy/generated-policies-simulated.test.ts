import { describe, expect, it } from '@jest/globals';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { generatePolicies, type PolicyInputs } from '../../../src/policy/generate.js';
import type { PolicyDocument } from '../../../src/policy/policy-document.js';
import { SOURCE_AMI } from '../../support/accounts.js';
import { EXAMPLE_INPUTS, SOURCE_SNAPSHOT } from './example-inputs.js';
import { SOURCE_ACCOUNT, TARGET_ACCOUNT, TARGET_ROLE } from './fixtures.js';

// Every EC2 call the action makes, with the resource ARN EC2 authorizes it on and the condition keys EC2 sends
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html), checked against the
// generated policies with iam-simulate (test-only).

const REGION = 'eu-west-1';
const INPUTS: PolicyInputs = {
  ...EXAMPLE_INPUTS,
  // Not known: the source role gets both the intermediate copy and the AMI shared as it is.
  reencrypt: undefined,
  lineage: 'web',
  retire: 'disable',
  deregistrationProtection: true,
  deprecation: true,
  launchTemplates: true,
  launchTemplateDefault: true,
  shareWith: [{ kind: 'account', accountId: '444455556666' }],
};
const policies = generatePolicies(INPUTS);
const SOURCE_ROLE_ARN = `arn:aws:iam::${SOURCE_ACCOUNT}:role/ami-promotion-source`;

const image = (id: string, region = REGION) => `arn:aws:ec2:${region}::image/${id}`;
const snapshot = (id: string, region = REGION) => `arn:aws:ec2:${region}::snapshot/${id}`;
const role = (value: string) => ({ 'ec2:ResourceTag/promote-ami:role': value });
const created = (value: string) => ({ 'aws:RequestTag/promote-ami:role': value });
const atCopy = (value: string) => ({ ...created(value), 'ec2:CreateAction': 'CopyImage' });
const inRegion = (region = REGION) => ({ 'aws:RequestedRegion': region });

type Context = Record<string, string | string[]>;
type Call = [action: string, resource: string, context: Context];

async function decide(policy: PolicyDocument, principal: string, [action, resource, context]: Call): Promise<string> {
  const result = await runSimulation(
    {
      request: { principal, action, resource: { resource, accountId: principal.split(':')[4] as string }, contextVariables: context },
      identityPolicies: [{ name: 'generated', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  return result.resultType === 'error' ? JSON.stringify(result.errors) : result.overallResult;
}

const INTERMEDIATE = 'ami-0aaaaaaaaaaaaaaa1';
const COPY = 'ami-0bbbbbbbbbbbbbbb2';

/** The source account's own AMIs and snapshots: what ec2:Owner says of them. */
const ownedBySource = { 'ec2:Owner': SOURCE_ACCOUNT };

const SOURCE_CALLS: Call[] = [
  ['ec2:DescribeImages', '*', inRegion()],
  ['ec2:DescribeSnapshots', '*', inRegion()],
  ['ec2:CopyImage', image(SOURCE_AMI), { ...inRegion(), ...ownedBySource }],
  ['ec2:CopyImage', snapshot(SOURCE_SNAPSHOT), inRegion()],
  ['ec2:CopyImage', image(INTERMEDIATE), { ...inRegion(), ...created('intermediate') }],
  ['ec2:CopyImage', snapshot('snap-0intermediate'), { ...inRegion(), ...created('intermediate') }],
  ['ec2:CreateTags', image(INTERMEDIATE), { ...inRegion(), ...atCopy('intermediate') }],
  ['ec2:CreateTags', snapshot('snap-0intermediate'), { ...inRegion(), ...atCopy('intermediate') }],
  ['ec2:CreateTags', image(INTERMEDIATE), { ...inRegion(), ...role('intermediate'), 'aws:TagKeys': ['promote-ami:lease:run-1'] }],
  ['ec2:CreateTags', image(INTERMEDIATE), { ...inRegion(), ...role('intermediate'), 'aws:TagKeys': ['promote-ami:going:run-1'] }],
  ['ec2:DeleteTags', image(INTERMEDIATE), { ...inRegion(), ...role('intermediate'), 'aws:TagKeys': ['promote-ami:lease:run-1'] }],
  ['ec2:DescribeImageAttribute', image(SOURCE_AMI), { ...inRegion(), ...ownedBySource }],
  ['ec2:ModifyImageAttribute', image(SOURCE_AMI), { ...inRegion(), ...ownedBySource }],
  ['ec2:DescribeImageAttribute', image(INTERMEDIATE), { ...inRegion(), ...role('intermediate') }],
  ['ec2:ModifyImageAttribute', image(INTERMEDIATE), { ...inRegion(), ...role('intermediate') }],
  ['ec2:DescribeSnapshotAttribute', snapshot(SOURCE_SNAPSHOT), { ...inRegion(), ...ownedBySource }],
  ['ec2:ModifySnapshotAttribute', snapshot(SOURCE_SNAPSHOT), { ...inRegion(), ...ownedBySource, 'ec2:Add/userId': TARGET_ACCOUNT }],
  ['ec2:ModifySnapshotAttribute', snapshot('snap-0intermediate'), { ...inRegion(), ...role('intermediate'), 'ec2:Add/userId': TARGET_ACCOUNT }],
  ['ec2:ModifySnapshotAttribute', snapshot('snap-0intermediate'), { ...inRegion(), ...role('intermediate'), 'ec2:Remove/userId': TARGET_ACCOUNT }],
  ['ec2:DeregisterImage', image(INTERMEDIATE), { ...inRegion(), ...role('intermediate') }],
  ['ec2:DeleteSnapshot', snapshot('snap-0intermediate'), { ...inRegion(), ...role('intermediate') }],
];

const promoted = { ...inRegion(), ...role('promoted'), 'ec2:ResourceTag/promote-ami:lineage': 'web' };
const TARGET_CALLS: Call[] = [
  ['ec2:DescribeImages', '*', inRegion()],
  ['ec2:DescribeSnapshots', '*', inRegion()],
  ['ec2:GetAllowedImagesSettings', '*', inRegion()],
  ['ec2:DescribeImageReferences', '*', inRegion()],
  ['ec2:DescribeLaunchTemplates', '*', inRegion()],
  ['ec2:DescribeLaunchTemplateVersions', '*', inRegion()],
  ['ec2:CopyImage', image(INTERMEDIATE), { ...inRegion(), 'ec2:Owner': SOURCE_ACCOUNT }],
  ['ec2:CopyImage', snapshot('snap-0intermediate'), inRegion()],
  ['ec2:CopyImage', image(COPY), { ...inRegion(), ...created('promoted') }],
  ['ec2:CopyImage', snapshot('snap-0copy'), { ...inRegion(), ...created('promoted') }],
  ['ec2:CreateTags', image(COPY), { ...inRegion(), ...atCopy('promoted') }],
  ['ec2:CreateTags', snapshot('snap-0copy'), { ...inRegion(), ...atCopy('promoted') }],
  ['ec2:DeregisterImage', image(COPY), promoted],
  ['ec2:DeleteSnapshot', snapshot('snap-0copy'), promoted],
  ['ec2:EnableImageDeregistrationProtection', image(COPY), promoted],
  ['ec2:EnableImageDeprecation', image(COPY), promoted],
  ['ec2:DescribeImageAttribute', image(COPY), promoted],
  ['ec2:ModifyImageAttribute', image(COPY), promoted],
  ['ec2:DisableImage', image('ami-0earlier'), promoted],
  ['ec2:CreateLaunchTemplateVersion', `arn:aws:ec2:${REGION}:${TARGET_ACCOUNT}:launch-template/lt-0123`, inRegion()],
  ['ec2:ModifyLaunchTemplate', `arn:aws:ec2:${REGION}:${TARGET_ACCOUNT}:launch-template/lt-0123`, inRegion()],
  ['ssm:PutParameter', `arn:aws:ssm:${REGION}:${TARGET_ACCOUNT}:parameter/x`, inRegion()],
  ['iam:SimulatePrincipalPolicy', TARGET_ROLE, inRegion('us-east-1')],
];

describe('the generated policies, simulated call by call', () => {
  it.each(SOURCE_CALLS)('allow the source role %s on %s', async (...call) => {
    expect(await decide(policies.sourceRoleIamPolicy, SOURCE_ROLE_ARN, call)).toBe('Allowed');
  });

  it.each(TARGET_CALLS)('allow the target role %s on %s', async (...call) => {
    const withParameter = generatePolicies({ ...INPUTS, ssmParameter: 'x' }).targetRoleIamPolicy;
    expect(await decide(withParameter, TARGET_ROLE, call)).toBe('Allowed');
  });

  it.each<[string, PolicyDocument, string, Call]>([
    ['deregistering an AMI without the intermediate tag', policies.sourceRoleIamPolicy, SOURCE_ROLE_ARN, ['ec2:DeregisterImage', image('ami-0other'), inRegion()]],
    ['deleting a snapshot of a promoted AMI on the source side', policies.sourceRoleIamPolicy, SOURCE_ROLE_ARN, ['ec2:DeleteSnapshot', snapshot('snap-0other'), { ...inRegion(), ...role('promoted') }]],
    ['sharing the source snapshot with everyone (group all)', policies.sourceRoleIamPolicy, SOURCE_ROLE_ARN, ['ec2:ModifySnapshotAttribute', snapshot(SOURCE_SNAPSHOT), { ...inRegion(), 'ec2:Add/group': 'all' }]],
    ['sharing the intermediate snapshot with everyone', policies.sourceRoleIamPolicy, SOURCE_ROLE_ARN, ['ec2:ModifySnapshotAttribute', snapshot('snap-0i'), { ...inRegion(), ...role('intermediate'), 'ec2:Add/group': 'all' }]],
    ['sharing an AMI of another account', policies.sourceRoleIamPolicy, SOURCE_ROLE_ARN, ['ec2:ModifyImageAttribute', image('ami-0other'), { ...inRegion(), 'ec2:Owner': '999999999999' }]],
    ['a copy made without the intermediate tag', policies.sourceRoleIamPolicy, SOURCE_ROLE_ARN, ['ec2:CopyImage', image(INTERMEDIATE), inRegion()]],
    ['tagging an AMI of the source account with other tags', policies.sourceRoleIamPolicy, SOURCE_ROLE_ARN, ['ec2:CreateTags', image(INTERMEDIATE), { ...inRegion(), ...role('intermediate'), 'aws:TagKeys': ['Name'] }]],
    ['describing images in another region', policies.sourceRoleIamPolicy, SOURCE_ROLE_ARN, ['ec2:DescribeImages', '*', inRegion('us-east-1')]],
    ['deregistering an AMI without the promoted tag', policies.targetRoleIamPolicy, TARGET_ROLE, ['ec2:DeregisterImage', image('ami-0other'), inRegion()]],
    ['a copy into a region not in use', policies.targetRoleIamPolicy, TARGET_ROLE, ['ec2:CopyImage', image(COPY, 'us-east-1'), { ...inRegion('us-east-1'), ...created('promoted') }]],
    ['copying an AMI of another account', policies.targetRoleIamPolicy, TARGET_ROLE, ['ec2:CopyImage', image('ami-0foreign'), { ...inRegion(), 'ec2:Owner': '999999999999' }]],
    ['tagging an existing AMI outside CopyImage', policies.targetRoleIamPolicy, TARGET_ROLE, ['ec2:CreateTags', image(COPY), { ...inRegion(), ...created('promoted') }]],
    ['disabling a promoted AMI of another lineage', policies.targetRoleIamPolicy, TARGET_ROLE, ['ec2:DisableImage', image('ami-0x'), { ...inRegion(), ...role('promoted'), 'ec2:ResourceTag/promote-ami:lineage': 'db' }]],
    ['sharing an AMI that is not a promotion', policies.targetRoleIamPolicy, TARGET_ROLE, ['ec2:ModifyImageAttribute', image('ami-0x'), inRegion()]],
  ])('refuse %s', async (_what, policy, principal, call) => {
    expect(await decide(policy, principal, call)).toBe('ImplicitlyDenied');
  });
});
