/** The source key's policy for the target role, read with its conditions, and what the DescribeKey probe can prove. */
import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import type { PreflightFinding } from '../../../../src/domain/preflight/preflight-finding.js';
import type { SourceKey } from '../../../../src/domain/lookups/source-key.js';
import { sourceKeyFindings } from '../../../../src/domain/preflight/source-key-findings.js';
import { readKeyPolicy } from '../../../../src/domain/lookups/key-policy.js';
import { targetRoleKeyStatements } from '../../../../src/policy/key-policy-statements.js';
import type { PolicyStatement } from '../../../../src/policy/policy-document.js';
import {
  KEY_ARN,
  KEY_ID,
  ROOT_STATEMENT,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_REGION,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  awsError,
  buildContext,
  keyPolicy,
  stubSimulation,
  stubWorld, type RequestOverrides } from '../../../support/pipeline-fixtures.js';

const KEY_POLICY_CHECK = 'The source key policy lets the target role copy';
const PROBE_CHECK = 'The target role can reach the source key';
const key: SourceKey = { arn: KEY_ARN, keyId: KEY_ID, accountId: SOURCE_ACCOUNT, region: SOURCE_REGION };
const EC2 = `ec2.${SOURCE_REGION}.amazonaws.com`;
const USE = ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant'];
const ORG = 'o-a1b2c3d4e5';
const ORG_UNKNOWN = `aws:PrincipalOrgID: the organization of account ${TARGET_ACCOUNT} cannot be read from the source account`;
const json = (value: unknown) => JSON.stringify(value, null, 2);

const statement = (fields: Partial<PolicyStatement>): PolicyStatement => ({ Sid: 'Use', Effect: 'Allow', Principal: { AWS: TARGET_ROLE }, Action: USE, Resource: '*', ...fields });
/** AWS's own aws/ebs key policy pattern: everyone in one account, through EC2 of the region. */
const ebsPattern = (account: string): PolicyStatement =>
  statement({ Sid: 'AllowThroughEbs', Principal: { AWS: '*' }, Condition: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': EC2 } } });

async function findingsFor(policy: object, request: RequestOverrides = {}, probeDenied = false) {
  const fx = buildContext(request);
  stubWorld(fx, { policy });
  const iam = stubSimulation(fx);
  const probe = fx.target.kms(SOURCE_REGION);
  if (probeDenied) probe.on(DescribeKeyCommand).rejects(awsError('AccessDeniedException', `User: ${TARGET_ROLE} is not authorized to perform: kms:DescribeKey on resource: ${KEY_ARN}`));
  const keyPolicy = await readKeyPolicy(fx.ctx, key, true);
  const findings = await sourceKeyFindings(fx.ctx, key, [], keyPolicy);
  const sourceKeySimulation = iam.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input).find((input) => input.ResourceArns?.includes(KEY_ARN));
  return { fx, findings, probe, simulatedPolicy: sourceKeySimulation?.ResourcePolicy };
}

const of = (findings: PreflightFinding[], check: string) => findings.filter((f) => f.check === check).map(({ error: _error, ...f }) => f);
const missing = (findings: PreflightFinding[]) => findings.filter((f) => f.status === 'missing');

describe('a key policy that allows the target role only through EC2', () => {
  it.each([
    ['the role itself, with kms:ViaService', keyPolicy(ROOT_STATEMENT, statement({ Condition: { StringEquals: { 'kms:ViaService': EC2 } } }))],
    ['the aws/ebs pattern for the target account', keyPolicy(ROOT_STATEMENT, ebsPattern(TARGET_ACCOUNT))],
  ])('%s: the copy is allowed, and the probe (which can never pass) is not made nor counted missing', async (_, policy) => {
    const { findings, probe, simulatedPolicy } = await findingsFor(policy);
    expect(missing(findings)).toEqual([]);
    expect(of(findings, KEY_POLICY_CHECK)).toMatchObject([{ status: 'ok' }]);
    const [probeFinding] = of(findings, PROBE_CHECK);
    expect(probeFinding?.status).toBe('unchecked');
    expect(probeFinding?.detail).toMatch(/^not probed: DescribeKey with the target credentials is denied by the key policy \(statement ".+" requires .*"kms:ViaService":"ec2\.eu-west-1\.amazonaws\.com".*, but direct calls by .+ carry no kms:ViaService\); the copy's calls through EC2 are allowed by statement "/);
    expect(probe).toHaveReceivedCommandTimes(DescribeKeyCommand, 0);
    // The key policy alone decides the copy: the simulator gets it, with the keys EC2's calls carry.
    expect(simulatedPolicy).toBe(JSON.stringify(policy));
  });

  it('is unknown for a copy into another region than the key\'s: AWS does not document which EC2 calls the key', async () => {
    const policy = keyPolicy(ROOT_STATEMENT, statement({ Condition: { StringEquals: { 'kms:ViaService': EC2 } } }));
    const { findings } = await findingsFor(policy, { targetRegions: [SECOND_REGION] });
    expect(missing(findings)).toEqual([]);
    expect(of(findings, KEY_POLICY_CHECK)).toEqual([
      {
        check: KEY_POLICY_CHECK,
        side: 'source',
        status: 'unchecked',
        detail: `a condition could not be evaluated for kms:DescribeKey, kms:Decrypt, kms:ReEncryptFrom, kms:CreateGrant: kms:ViaService: for a copy into ${SECOND_REGION} of snapshots under a key in ${SOURCE_REGION}, AWS does not document whether EC2 calls the key as ${EC2} or ec2.${SECOND_REGION}.amazonaws.com, and the key policy allows only one of them.`,
      },
    ]);
  });
});

describe('a condition that denies the copy: the key, the value the copy carries, and a key-policy fix', () => {
  it('kms:CallerAccount of another account (the aws/ebs pattern for the source account)', async () => {
    const { findings, probe } = await findingsFor(keyPolicy(ROOT_STATEMENT, ebsPattern(SOURCE_ACCOUNT)));
    const [finding, ...others] = missing(findings);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ check: KEY_POLICY_CHECK, side: 'source' });
    expect(finding?.detail).toBe(
      `the key policy does not let ${TARGET_ROLE} (or its account) use the key for EBS copies: missing kms:DescribeKey, kms:Decrypt, kms:ReEncryptFrom, kms:CreateGrant: statement "AllowThroughEbs" requires {"StringEquals":{"kms:CallerAccount":"${SOURCE_ACCOUNT}"}}, but EC2's calls for the copy (on behalf of ${TARGET_ROLE}) carry kms:CallerAccount = ${TARGET_ACCOUNT}.`,
    );
    expect(finding?.fix).toBe(
      `In the key policy of ${KEY_ARN}, in statement "AllowThroughEbs", change {"StringEquals":{"kms:CallerAccount":"${SOURCE_ACCOUNT}"}} so that it also allows kms:CallerAccount = ${TARGET_ACCOUNT}; or add these statements to it:\n${json(targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT))}\nor run with key-access: grant (a temporary grant) or key-access: key-policy (the action adds them).`,
    );
    expect(finding?.error?.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
    expect(probe).toHaveReceivedCommandTimes(DescribeKeyCommand, 0);
  });

  it('kms:ViaService of another region, and aws:PrincipalArn of other roles', async () => {
    const viaElsewhere = await findingsFor(keyPolicy(ROOT_STATEMENT, statement({ Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } } })));
    expect(missing(viaElsewhere.findings)[0]?.detail).toContain(`carry kms:ViaService = ${EC2}`);
    expect(missing(viaElsewhere.findings)[0]?.fix).toContain(`so that it also allows kms:ViaService = ${EC2}`);
    const otherRoles = await findingsFor(keyPolicy(ROOT_STATEMENT, statement({ Principal: '*', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/builder-*' } } })));
    expect(missing(otherRoles.findings)[0]?.detail).toContain(`requires {"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/builder-*"}}, but EC2's calls for the copy (on behalf of ${TARGET_ROLE}) carry aws:PrincipalArn = ${TARGET_ROLE}`);
  });

  it('a Deny that applies because of the copy\'s kms:CallerAccount', async () => {
    const deny: PolicyStatement = { Sid: 'DenyOtherAccounts', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringNotEquals: { 'kms:CallerAccount': SOURCE_ACCOUNT } } };
    const { findings } = await findingsFor(keyPolicy(ROOT_STATEMENT, statement({}), deny));
    const [finding] = missing(findings);
    expect(finding?.detail).toBe(
      `the key policy explicitly denies the target role kms:DescribeKey (statement DenyOtherAccounts), kms:Decrypt (statement DenyOtherAccounts), kms:ReEncryptFrom (statement DenyOtherAccounts), kms:CreateGrant (statement DenyOtherAccounts): statement "DenyOtherAccounts" denies when {"StringNotEquals":{"kms:CallerAccount":"${SOURCE_ACCOUNT}"}}, and EC2's calls for the copy (on behalf of ${TARGET_ROLE}) carry kms:CallerAccount = ${TARGET_ACCOUNT}; an explicit Deny wins over every Allow and every grant.`,
    );
  });
});

describe('an organization condition, which the source account cannot read', () => {
  const orgOnly = keyPolicy(ROOT_STATEMENT, statement({ Sid: 'Organization', Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } }));

  it('is settled by a probe that passes: the probe carries the same organization as EC2\'s calls', async () => {
    const { findings, probe, simulatedPolicy } = await findingsFor(orgOnly);
    expect(missing(findings)).toEqual([]);
    expect(of(findings, KEY_POLICY_CHECK)).toEqual([
      {
        check: KEY_POLICY_CHECK,
        side: 'source',
        status: 'ok',
        detail: `${TARGET_ROLE} may use ${KEY_ARN} for EBS copies (its own IAM policy must allow it too): the key policy's conditions that the source account cannot check hold for the role, as its DescribeKey probe passed (statement "Organization" requires {"StringEquals":{"aws:PrincipalOrgID":"${ORG}"}} (${ORG_UNKNOWN})).`,
      },
    ]);
    expect(of(findings, PROBE_CHECK)).toMatchObject([{ status: 'ok' }]);
    expect(probe).toHaveReceivedCommandTimes(DescribeKeyCommand, 1);
    // The simulator could not know the organization either: the IAM policy is simulated alone.
    expect(simulatedPolicy).toBeUndefined();
  });

  it('is missing when the probe is denied: the condition, its value, and both fixes (key policy first)', async () => {
    const { findings } = await findingsFor(orgOnly, {}, true);
    expect(of(findings, KEY_POLICY_CHECK)).toEqual([
      { check: KEY_POLICY_CHECK, side: 'source', status: 'unchecked', detail: `a condition could not be evaluated for kms:DescribeKey, kms:Decrypt, kms:ReEncryptFrom, kms:CreateGrant: Organization: ${ORG_UNKNOWN}.` },
    ]);
    const [finding, ...others] = missing(findings);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ check: PROBE_CHECK, side: 'target' });
    expect(finding?.detail).toContain(`DescribeKey on ${KEY_ARN} with the target credentials is denied (AccessDeniedException: User: ${TARGET_ROLE} is not authorized`);
    expect(finding?.detail).toContain(`statement "Organization" requires {"StringEquals":{"aws:PrincipalOrgID":"${ORG}"}} (${ORG_UNKNOWN})`);
    expect(finding?.detail).toContain(`Either account ${TARGET_ACCOUNT} does not meet them, or the role's own IAM policy does not allow the key.`);
    expect(finding?.fix).toContain(`add these statements to the key policy of ${KEY_ARN} (or change the conditions to include it):\n${json(targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT))}`);
    expect(finding?.fix).toContain(`Otherwise add these statements to the IAM policy of ${TARGET_ROLE}:`);
    expect(finding?.error?.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
  });

  it('stays unchecked, and says why, when the probe can prove nothing (the role is allowed only through EC2)', async () => {
    const policy = keyPolicy(ROOT_STATEMENT, statement({ Sid: 'OrganizationThroughEc2', Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG, 'kms:ViaService': EC2 } } }));
    const { findings, probe } = await findingsFor(policy);
    expect(missing(findings)).toEqual([]);
    expect(of(findings, KEY_POLICY_CHECK)).toEqual([
      { check: KEY_POLICY_CHECK, side: 'source', status: 'unchecked', detail: `a condition could not be evaluated for kms:DescribeKey, kms:Decrypt, kms:ReEncryptFrom, kms:CreateGrant: OrganizationThroughEc2: ${ORG_UNKNOWN}.` },
    ]);
    expect(of(findings, PROBE_CHECK)[0]?.detail).toMatch(/^not probed: DescribeKey with the target credentials is denied by the key policy \(statement "OrganizationThroughEc2" requires .* carry no kms:ViaService\)\.$/);
    expect(probe).toHaveReceivedCommandTimes(DescribeKeyCommand, 0);
  });

  it('leaves a denied probe unchecked when the copy may be allowed whatever the organization', async () => {
    const policy = keyPolicy(
      ROOT_STATEMENT,
      statement({ Sid: 'OrganizationDescribe', Principal: '*', Action: 'kms:DescribeKey', Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } }),
      statement({ Sid: 'RoleThroughEc2', Condition: { StringEquals: { 'kms:ViaService': EC2 } } }),
    );
    const { findings } = await findingsFor(policy, {}, true);
    expect(missing(findings)).toEqual([]);
    expect(of(findings, PROBE_CHECK)).toMatchObject([{ status: 'unchecked', detail: expect.stringContaining("EC2's calls for the copy may still be allowed.") }]);
  });
});
