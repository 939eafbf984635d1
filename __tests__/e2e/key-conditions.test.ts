/**
 * Issue 8: key policies with conditions are valid set-ups. A key policy that allows the target role only through
 * EC2 (kms:ViaService) promotes without counting the always-denied DescribeKey probe as missing; a condition that
 * denies (another organization, another account) is refused before any change, naming the condition key, the value
 * and the key-policy fix; an organization condition the source account cannot read is reported unchecked, and the
 * run then goes as far as AWS (the stand-in) lets it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEFAULTS, KMS_COPY_ACTIONS, defaultWorld, rootKeyPolicy, startStandIn, type PolicyDocument, type PolicyStatement, type StandIn } from '../../standin/index.js';
import {
  FAST_COPY_MS,
  REGION,
  SOURCE,
  TARGET,
  TEST_TIMEOUT_MS,
  expectNothingPublic,
  expectOnlyReads,
  expectPromoted,
  inputs,
  okCalls,
  promote,
  targetKeyArn,
  worldView,
} from './scenario.js';

const AMI = (n: number) => `ami-0c0d0000000000${n.toString(16).padStart(3, '0')}`;
const KEY = DEFAULTS.sourceKeyArn;
const ROLE = DEFAULTS.targetRoleArn;
const EC2 = `ec2.${REGION}.amazonaws.com`;
const OTHER_ORG = 'o-otherorg12';
const ORG_UNKNOWN = `aws:PrincipalOrgID: the organization of account ${TARGET} cannot be read from the source account`;

let standin: StandIn;

beforeAll(async () => {
  const world = defaultWorld();
  for (let n = 1; n <= 8; n++) world.account(SOURCE).image(REGION, { imageId: AMI(n), name: `golden-conditions-${n}`, snapshots: [{}] });
  standin = await startStandIn(world, { copyDurationMs: FAST_COPY_MS });
});

afterAll(async () => {
  expectNothingPublic(standin);
  await standin.close();
});

beforeEach(() => standin.clearCalls());

/** The CMK's policy: its account root, plus one statement for copies with these conditions. */
function keyPolicy(Sid: string, Condition: PolicyStatement['Condition'], Principal: PolicyStatement['Principal'] = '*'): PolicyDocument {
  return { ...rootKeyPolicy(SOURCE), Statement: [...(rootKeyPolicy(SOURCE).Statement as PolicyStatement[]), { Sid, Effect: 'Allow', Principal, Action: KMS_COPY_ACTIONS, Resource: '*', Condition }] };
}

const expectation = (sourceAmiId: string) => ({ sourceAmiId, regions: [REGION], keyArn: targetKeyArn, keyLabel: targetKeyArn, reencrypted: true });
const given = (sourceAmiId: string, extra: Record<string, string> = {}) => inputs({ 'source-ami-id': sourceAmiId, 'target-kms-key': DEFAULTS.targetKeyAlias, ...extra });
/** DescribeKey calls the target credentials made themselves on the source key (the probe), not EC2's. */
const probes = () => standin.calls({ operation: 'DescribeKey', account: TARGET }).filter((c) => !c.internal && c.params.KeyId === KEY);

/** Runs the promotion and expects a refusal before any change, with its message. */
async function refused(sourceAmiId: string): Promise<string> {
  const before = worldView(standin);
  const run = await promote(standin, given(sourceAmiId));
  expect(run.main.code).toBe(1);
  expect(run.main.errors).toHaveLength(1);
  expectOnlyReads(standin);
  expect(worldView(standin)).toEqual(before);
  expect(run.post.log).toContain('Nothing to clean up: the main step made no change in AWS.');
  return run.error;
}

describe('key policies with conditions', () => {
  it(
    '(a) allowed only through EC2 (kms:ViaService): promoted; the DescribeKey probe, which can never pass, is not made nor counted missing',
    async () => {
      standin.setKeyPolicy(SOURCE, REGION, KEY, keyPolicy('TargetThroughEc2', { StringEquals: { 'kms:ViaService': EC2 } }, { AWS: ROLE }));
      const run = await promote(standin, given(AMI(1)));
      expectPromoted(standin, run, expectation(AMI(1)));
      expect(run.main.log).not.toContain('[missing]');
      expect(run.main.log).toContain('[ok] The source key policy lets the target role copy');
      expect(run.main.log).toContain(
        `[unchecked] The target role can reach the source key (target account ${TARGET}): not probed: DescribeKey with the target credentials is denied by the key policy (statement "TargetThroughEc2" requires {"StringEquals":{"kms:ViaService":"${EC2}"}}, but direct calls by ${ROLE} carry no kms:ViaService); the copy's calls through EC2 are allowed by statement "TargetThroughEc2".`,
      );
      expect(probes()).toEqual([]);
      // EC2 used the key for the target role through its endpoint, as the key policy requires.
      expect(standin.calls({ internal: true, account: TARGET, outcome: 'ok' }).some((c) => c.params.KeyId === KEY && c.params.ViaService === EC2)).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '(a) key-access: key-policy keeps such a policy as it is and does not wait for a probe that cannot pass',
    async () => {
      standin.setKeyPolicy(SOURCE, REGION, KEY, keyPolicy('TargetThroughEc2', { StringEquals: { 'kms:ViaService': EC2 } }, { AWS: ROLE }));
      const run = await promote(standin, given(AMI(2), { 'key-access': 'key-policy' }));
      expectPromoted(standin, run, expectation(AMI(2)));
      expect(okCalls(standin, 'PutKeyPolicy')).toEqual([]);
      expect(run.main.log).toContain(`Not probing ${KEY} with the target credentials: DescribeKey with the target credentials is denied by the key policy`);
      expect(probes()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '(b) restricted to an organization the target is not in (aws:PrincipalOrgID): refused before any change, with the condition, its value and the key-policy fix',
    async () => {
      standin.setKeyPolicy(SOURCE, REGION, KEY, keyPolicy('OtherOrganization', { StringEquals: { 'aws:PrincipalOrgID': OTHER_ORG } }));
      const error = await refused(AMI(3));
      expect(error).toContain(`DescribeKey on ${KEY} with the target credentials is denied (AccessDeniedException`);
      expect(error).toContain(`statement "OtherOrganization" requires {"StringEquals":{"aws:PrincipalOrgID":"${OTHER_ORG}"}} (${ORG_UNKNOWN})`);
      expect(error).toContain(`Either account ${TARGET} does not meet them, or the role's own IAM policy does not allow the key.`);
      expect(error).toContain(`add these statements to the key policy of ${KEY}`);
      expect(error).toContain(`"Sid": "AllowUseOfTheKeyForAmiPromotion${TARGET}"`);
      expect(error).toContain(`"AWS": "${ROLE}"`);
      expect(probes()).toHaveLength(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '(b) restricted to the target\'s own organization: the probe that passes settles the condition, and the run promotes',
    async () => {
      standin.setKeyPolicy(SOURCE, REGION, KEY, keyPolicy('OurOrganization', { StringEquals: { 'aws:PrincipalOrgID': DEFAULTS.organizationId } }));
      const run = await promote(standin, given(AMI(4)));
      expectPromoted(standin, run, expectation(AMI(4)));
      expect(run.main.log).toContain(`the key policy's conditions that the source account cannot check hold for the role, as its DescribeKey probe passed`);
      expect(run.main.log).toContain('[ok] The target role can reach the source key');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '(c) kms:CallerAccount of another account (the aws/ebs pattern for the source account): refused before any change, naming the value and the statement to change or add',
    async () => {
      standin.setKeyPolicy(SOURCE, REGION, KEY, keyPolicy('AllowThroughEbsInTheAccount', { StringEquals: { 'kms:CallerAccount': SOURCE, 'kms:ViaService': EC2 } }));
      const error = await refused(AMI(5));
      expect(error).toContain(`The source key policy lets the target role copy (source account ${SOURCE}, ${REGION}) failed`);
      expect(error).toContain(
        `statement "AllowThroughEbsInTheAccount" requires {"StringEquals":{"kms:CallerAccount":"${SOURCE}"}}, but EC2's calls for the copy (on behalf of ${ROLE}) carry kms:CallerAccount = ${TARGET}`,
      );
      expect(error).toContain(`In the key policy of ${KEY}, in statement "AllowThroughEbsInTheAccount", change {"StringEquals":{"kms:CallerAccount":"${SOURCE}"}} so that it also allows kms:CallerAccount = ${TARGET}; or add these statements to it:`);
      expect(error).toContain(`"AWS": "${ROLE}"`);
      // Not an IAM fix: the role's IAM policy already allows the key.
      expect(error).not.toContain('to the IAM policy of');
      expect(probes()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '(d) an organization condition the probe cannot settle (through EC2 only): unchecked, and the target being in the organization, promoted',
    async () => {
      standin.setKeyPolicy(SOURCE, REGION, KEY, keyPolicy('OrganizationThroughEc2', { StringEquals: { 'aws:PrincipalOrgID': DEFAULTS.organizationId, 'kms:ViaService': EC2 } }));
      const run = await promote(standin, given(AMI(6)));
      expectPromoted(standin, run, expectation(AMI(6)));
      expect(run.main.log).toContain(
        `[unchecked] The source key policy lets the target role copy (source account ${SOURCE}): a condition could not be evaluated for kms:DescribeKey, kms:Decrypt, kms:ReEncryptFrom, kms:CreateGrant: OrganizationThroughEc2: ${ORG_UNKNOWN}.`,
      );
      expect(run.main.log).toContain('[unchecked] The target role can reach the source key');
      expect(probes()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '(d) the same condition on another organization: unchecked before the run, and the copy then fails as AWS fails it',
    async () => {
      standin.setKeyPolicy(SOURCE, REGION, KEY, keyPolicy('OtherOrganizationThroughEc2', { StringEquals: { 'aws:PrincipalOrgID': OTHER_ORG, 'kms:ViaService': EC2 } }));
      const run = await promote(standin, given(AMI(7)));
      expect(run.main.log).toContain(`[unchecked] The source key policy lets the target role copy (source account ${SOURCE}): a condition could not be evaluated`);
      expect(run.main.code).toBe(1);
      expect(run.error).toContain(`${KEY} used to encrypt the source snapshot is not accessible`);
      // No promoted AMI: the copy failed.
      expect(standin.images(TARGET, REGION).filter((i) => i.tags[TARGET]?.['promote-ami:source-ami-id'] === AMI(7) && i.state === 'available')).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
