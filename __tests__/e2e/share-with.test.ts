/**
 * share-with end to end: the promoted AMI is shared onward with an account and an OU (launch permissions only), a
 * re-run adds nothing, cleanup keeps it, and a target key policy without a recipient is refused before any change.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DEFAULTS, allow, defaultWorld, policyOf, rootKeyPolicy, sdkClientConfig, startStandIn, type PolicyStatement, type StandIn } from '../../standin/index.js';
import { FAST_COPY_MS, REGION, TARGET, TEST_TIMEOUT_MS, expectNothingPublic, expectOnlyReads, inputs, okCalls, promote, targetKeyArn } from './scenario.js';

const AMI = 'ami-0a00000000000005a';
const AMI_REFUSED = 'ami-0a00000000000005b';
const RECIPIENT = '444455556666';
const OU = 'ou-a1b2-33333333';
const OU_ARN = `arn:aws:organizations::999999999999:ou/${DEFAULTS.organizationId}/${OU}`;
/** An account in the OU (below the production OU), and one in another OU of the organization. */
const IN_OU = '333333333333';
const ELSEWHERE = '555555555555';
const SHARE_WITH = `${RECIPIENT}\n${OU_ARN}\n`;

/** What the key's administrators add for the recipients, in the shape of AWS's guide, with kms:CreateGrant for EBS. */
const KEY_USE = ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'];
const GRANTS = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
const ACCOUNT_STATEMENTS: PolicyStatement[] = [
  { Sid: 'Recipient444455556666', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${RECIPIENT}:root` }, Action: KEY_USE, Resource: '*' },
  { Sid: 'Recipient444455556666Grants', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${RECIPIENT}:root` }, Action: 'kms:CreateGrant', Resource: '*', Condition: GRANTS },
];
const OU_CONDITION = { StringEquals: { 'aws:PrincipalOrgID': DEFAULTS.organizationId }, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${DEFAULTS.organizationId}/*/${OU}/*` } };
const OU_STATEMENTS: PolicyStatement[] = [
  { Sid: 'SharedOu', Effect: 'Allow', Principal: '*', Action: KEY_USE, Resource: '*', Condition: OU_CONDITION },
  { Sid: 'SharedOuGrants', Effect: 'Allow', Principal: '*', Action: 'kms:CreateGrant', Resource: '*', Condition: { ...OU_CONDITION, ...GRANTS } },
];

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  world.account(DEFAULTS.sourceAccount).image(REGION, { imageId: AMI, name: 'golden-shared', snapshots: [{}] }).image(REGION, { imageId: AMI_REFUSED, name: 'golden-refused', snapshots: [{}] });
  world
    .account(TARGET)
    .rolePolicy(DEFAULTS.targetRoleName, 'share-onward', policyOf(allow(['ec2:DescribeImageAttribute', 'ec2:ModifyImageAttribute']), allow('kms:GetKeyPolicy', `arn:aws:kms:*:${TARGET}:key/*`)))
    .keyStatements(REGION, DEFAULTS.targetKeyAlias, ...ACCOUNT_STATEMENTS, ...OU_STATEMENTS);
  world.account(IN_OU).organization(DEFAULTS.organizationArn, [DEFAULTS.targetOu, OU]).admin('admin');
  world.account(ELSEWHERE).organization(DEFAULTS.organizationArn, ['ou-a1b2-44444444']).admin('admin');
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => standin.clearCalls());

const given = (sourceAmiId: string) => inputs({ 'source-ami-id': sourceAmiId, 'target-kms-key': DEFAULTS.targetKeyAlias, 'share-with': SHARE_WITH });
const launchPermissions = (imageId: string) => standin.image(TARGET, REGION, imageId)?.launchPermissions.map((p) => p.userId ?? p.organizationalUnitArn ?? p.organizationArn ?? p.group);

/** Whether an account of the organization sees the AMI by its ID. */
async function sees(account: string, imageId: string): Promise<boolean> {
  const ec2 = new EC2Client(sdkClientConfig(standin, REGION, standin.credentials(account)));
  const images = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })).catch(() => ({ Images: [] }));
  return images.Images?.[0]?.ImageId === imageId;
}

describe('share-with', () => {
  let promoted = '';

  it(
    'shares the promoted AMI with the account and the OU, launch permission only, and cleanup keeps it',
    async () => {
      const run = await promote(standin, given(AMI));
      expect(run.error).toBe('');
      expect(run.main.code).toBe(0);
      promoted = run.main.outputs['ami-id'] ?? '';
      expect(promoted).toMatch(/^ami-[0-9a-f]{17}$/);
      expect(standin.image(TARGET, REGION, promoted)?.launchPermissions).toEqual([
        { userId: RECIPIENT, addedBy: expect.stringContaining(`:assumed-role/${DEFAULTS.targetRoleName}/`), addedAt: expect.any(String) },
        { organizationalUnitArn: OU_ARN, addedBy: expect.stringContaining(`:assumed-role/${DEFAULTS.targetRoleName}/`), addedAt: expect.any(String) },
      ]);
      const [modify, ...more] = okCalls(standin, 'ModifyImageAttribute', TARGET);
      expect(more).toEqual([]);
      expect(modify?.params).toMatchObject({ ImageId: promoted });
      // Launching needs nothing on the snapshots: none is shared.
      for (const device of standin.image(TARGET, REGION, promoted)?.blockDevices ?? []) {
        expect(standin.snapshot(TARGET, REGION, device.snapshotId)?.createVolumePermissions).toEqual([]);
      }
      expect(await sees(IN_OU, promoted)).toBe(true);
      expect(await sees(ELSEWHERE, promoted)).toBe(false);
      expect(run.main.log).toContain(`[ok] The share-with recipients can use the target key in ${REGION} (target account ${TARGET})`);
      expect(run.main.summary).toContain(`Shared onward (kept): <code>${promoted}</code> (${TARGET}, ${REGION}), added now: ${RECIPIENT}, ${OU_ARN}`);
      const policies = JSON.parse(run.main.outputs.policies ?? '{}') as { recipientKeyStatements: PolicyStatement[] };
      expect(JSON.stringify(policies.recipientKeyStatements)).toContain(`${DEFAULTS.organizationId}/*/${OU}/*`);
      // The main step's cleanup and the post step removed the temporary sharing of the source side, never this.
      expect(run.post.log).toContain('Nothing to clean up');
      expect(okCalls(standin, 'ModifyImageAttribute', DEFAULTS.sourceAccount).length).toBeGreaterThan(0);
      expect(launchPermissions(promoted)).toEqual([RECIPIENT, OU_ARN]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a re-run reuses the AMI and adds nothing',
    async () => {
      const run = await promote(standin, given(AMI));
      expect(run.error).toBe('');
      expect(run.main.outputs.reused).toBe('true');
      expect(run.main.outputs['ami-id']).toBe(promoted);
      expect(okCalls(standin, 'ModifyImageAttribute')).toEqual([]);
      expect(okCalls(standin, 'DescribeImageAttribute', TARGET)).toHaveLength(1);
      expect(run.main.log).toContain(`${promoted} (${TARGET}, ${REGION}) may be launched by ${RECIPIENT}, ${OU_ARN}: nothing new; already shared: ${RECIPIENT}, ${OU_ARN}.`);
      expect(launchPermissions(promoted)).toEqual([RECIPIENT, OU_ARN]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses before any change when the target key policy does not let the OU use the key, with the statements to add',
    async () => {
      const key = targetKeyArn(REGION);
      standin.setKeyPolicy(TARGET, REGION, key, { ...rootKeyPolicy(TARGET), Statement: [...(rootKeyPolicy(TARGET).Statement as PolicyStatement[]), ...ACCOUNT_STATEMENTS] });
      const run = await promote(standin, given(AMI_REFUSED));
      expect(run.main.code).not.toBe(0);
      expectOnlyReads(standin);
      expect(run.error).toContain(`The share-with recipients can use the target key in ${REGION}`);
      expect(run.error).toContain(`the key policy of ${key} does not let OU ${OU} of ${DEFAULTS.organizationId}`);
      expect(run.error).toContain(`Add these statements to the key policy of ${key}:`);
      expect(run.error).toContain(`"aws:PrincipalOrgPaths": "${DEFAULTS.organizationId}/*/${OU}/*"`);
      expect(run.error).not.toContain(`arn:aws:iam::${RECIPIENT}:root`);
    },
    TEST_TIMEOUT_MS,
  );
});
