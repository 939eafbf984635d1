import { describe, expect, it } from '@jest/globals';
import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { onwardSharingFindings } from '../../../../src/domain/preflight/onward-findings.js';
import { recipientKeyStatements } from '../../../../src/policy/key-policy-statements.js';
import type { PolicyStatement } from '../../../../src/policy/policy-document.js';
import type { Recipient } from '../../../../src/policy/recipients.js';
import {
  SECOND_REGION,
  SOURCE_REGION,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  TARGET_ROOT,
  awsError,
  awsManagedTargetKey,
  buildContext,
  customerTargetKey,
  defaultTargetKey,
  keyPolicy,
  targetKeyArn,
} from '../../../support/pipeline-fixtures.js';

const ORG_ID = 'o-a1b2c3d4e5';
const ORG_ARN = `arn:aws:organizations::999999999999:organization/${ORG_ID}`;
const OU_ARN = `arn:aws:organizations::999999999999:ou/${ORG_ID}/ou-a1b2-33333333`;
const ACCOUNT: Recipient = { kind: 'account', accountId: '444455556666' };
const ORG: Recipient = { kind: 'organization', arn: ORG_ARN, partition: 'aws', organizationId: ORG_ID };
const OU: Recipient = { kind: 'organizational-unit', arn: OU_ARN, partition: 'aws', organizationId: ORG_ID, ouId: 'ou-a1b2-33333333' };

/** The target account's own statement, as in the console's default key policy. */
const OWN_ROOT: PolicyStatement = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: TARGET_ROOT }, Action: 'kms:*', Resource: '*' };

/** The statement of AWS's guide "Allow organizations and OUs to use a KMS key": no kms:CreateGrant. */
const GUIDE_ORG_STATEMENT: PolicyStatement = {
  Sid: 'Allow access for organization root',
  Effect: 'Allow',
  Principal: '*',
  Action: ['kms:Describe*', 'kms:List*', 'kms:Get*', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
  Resource: '*',
  Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
};

function setup(shareWith: Recipient[], ...statements: PolicyStatement[]) {
  const fx = buildContext({ shareWith, targetRegions: [SOURCE_REGION], targetKey: { kind: 'alias', aliasName: 'alias/golden-ami' } });
  fx.target.kms(SOURCE_REGION).on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(keyPolicy(OWN_ROOT, ...statements)), PolicyName: 'default' });
  return fx;
}

const key = customerTargetKey(SOURCE_REGION);
const CHECK = `The share-with recipients can use the target key in ${SOURCE_REGION}`;

describe('the preflight of share-with', () => {
  it('is silent and reads nothing without share-with', async () => {
    const fx = setup([]);
    await expect(onwardSharingFindings(fx.ctx, [key])).resolves.toEqual([]);
    expect(fx.sent).toEqual([]);
  });

  it('refuses the default EBS key and an AWS-managed key, saying why recipients could not launch the AMI', async () => {
    const fx = setup([ACCOUNT]);
    const [byDefault, awsManaged] = await onwardSharingFindings(fx.ctx, [defaultTargetKey(SOURCE_REGION), awsManagedTargetKey(SECOND_REGION)]);
    expect(byDefault).toMatchObject({ check: CHECK, status: 'missing', side: 'target', accountId: TARGET_ACCOUNT });
    expect(byDefault?.detail).toContain("the target account's default EBS key");
    expect(byDefault?.detail).toContain('cannot use an AWS-managed key (its key policy cannot be changed), so they could not launch the AMI');
    expect(byDefault?.fix).toContain(`Set target-kms-key to a customer-managed key of account ${TARGET_ACCOUNT} in ${SOURCE_REGION}`);
    expect(awsManaged?.detail).toContain(`${targetKeyArn(SECOND_REGION)}, an AWS-managed key`);
    expect(awsManaged?.error?.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SECOND_REGION });
    expect(fx.sent).toEqual([]);
  });

  it('names each recipient the key policy lacks, with the exact statements to add: root, aws:PrincipalOrgID, aws:PrincipalOrgPaths', async () => {
    const fx = setup([ACCOUNT, ORG, OU]);
    const findings = await onwardSharingFindings(fx.ctx, [key]);
    expect(findings).toHaveLength(1);
    const [missing] = findings;
    expect(missing).toMatchObject({ check: CHECK, status: 'missing', side: 'target', accountId: TARGET_ACCOUNT });
    expect(missing?.detail).toContain(`the key policy of ${key.arn} does not let account 444455556666 (kms:DescribeKey, kms:Decrypt, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncryptFrom, kms:ReEncryptTo, kms:CreateGrant)`);
    expect(missing?.detail).toContain(`organization ${ORG_ID} (`);
    expect(missing?.detail).toContain(`OU ou-a1b2-33333333 of ${ORG_ID} (`);
    const statements = JSON.parse(missing?.fix?.slice(missing.fix.indexOf('[')) ?? '[]') as PolicyStatement[];
    expect(statements).toEqual([
      {
        Sid: 'AllowLaunchOfTheSharedAmiBy444455556666',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
        Resource: '*',
      },
      {
        Sid: 'AllowAttachmentOfPersistentResourcesForTheSharedAmiBy444455556666',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: ['kms:CreateGrant'],
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      expect.objectContaining({ Sid: 'AllowLaunchOfTheSharedAmiByoa1b2c3d4e5', Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } } }),
      expect.objectContaining({
        Sid: 'AllowAttachmentOfPersistentResourcesForTheSharedAmiByoa1b2c3d4e5',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      expect.objectContaining({
        Sid: 'AllowLaunchOfTheSharedAmiByoua1b233333333',
        Principal: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID }, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${ORG_ID}/*/ou-a1b2-33333333/*` } },
      }),
      expect.objectContaining({ Sid: 'AllowAttachmentOfPersistentResourcesForTheSharedAmiByoua1b233333333' }),
    ]);
    expect(missing?.fix).toMatch(new RegExp(`^Add these statements to the key policy of ${key.arn}:\\n\\[`));
    expect(missing?.error?.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(fx.sent.map((c) => `${c.side} ${c.command} ${c.region}`)).toEqual([`target GetKeyPolicy ${SOURCE_REGION}`]);
  });

  it('is ok once the key policy has those statements (whatever the OU path), with the note on their own IAM policies', async () => {
    const recipients = [ACCOUNT, ORG, OU];
    const fx = setup(recipients, ...recipients.flatMap((r) => recipientKeyStatements(r, 'aws')));
    expect(await onwardSharingFindings(fx.ctx, [key])).toEqual([
      {
        check: CHECK,
        side: 'target',
        status: 'ok',
        detail: `${key.arn} lets account 444455556666, organization ${ORG_ID}, OU ou-a1b2-33333333 of ${ORG_ID} launch the shared AMI (their own IAM policies must allow the key too).`,
      },
    ]);
  });

  it("lets an organization's statement serve an OU of it, but asks for kms:CreateGrant that AWS's guide statement lacks", async () => {
    const fx = setup([OU], GUIDE_ORG_STATEMENT);
    const [missing] = await onwardSharingFindings(fx.ctx, [key]);
    expect(missing?.status).toBe('missing');
    expect(missing?.detail).toContain(`OU ou-a1b2-33333333 of ${ORG_ID} (kms:CreateGrant)`);
    expect(JSON.parse(missing?.fix?.slice(missing.fix.indexOf('[')) ?? '[]')).toEqual([recipientKeyStatements(OU, 'aws')[1]]);
  });

  it('leaves unchecked what depends on facts the action cannot know: an OU path naming a parent, an account limited to its organization', async () => {
    const byPath: PolicyStatement = {
      ...GUIDE_ORG_STATEMENT,
      Sid: 'ProductionOusOnly',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*', 'kms:CreateGrant'],
      Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${ORG_ID}/r-a1b2/ou-a1b2-11111111/*` } },
    };
    const byOrg: PolicyStatement = { ...byPath, Sid: 'OurOrganization', Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } } };
    const fx = setup([OU, ACCOUNT], byPath, byOrg);
    const findings = await onwardSharingFindings(fx.ctx, [key]);
    expect(findings.map((f) => f.status)).toEqual(['unchecked', 'ok']);
    expect(findings[0]?.detail).toMatch(/^for account 444455556666, a condition could not be evaluated: /);
    expect(findings[0]?.detail).toContain('OurOrganization: aws:PrincipalOrgID: the organization of account 444455556666 is not known to the action');
    expect(findings[1]?.detail).toContain(`lets OU ou-a1b2-33333333 of ${ORG_ID} launch`);

    const onlyPath = setup([OU], byPath);
    const [unchecked] = await onwardSharingFindings(onlyPath.ctx, [key]);
    expect(unchecked).toMatchObject({ status: 'unchecked' });
    expect(unchecked?.detail).toContain('where the accounts of OU ou-a1b2-33333333 of o-a1b2c3d4e5 sit in the organization is not known to the action');
  });

  it('refuses an explicit Deny for a recipient, naming the statement', async () => {
    const deny: PolicyStatement = { Sid: 'NoOutsiders', Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'kms:*', Resource: '*' };
    const fx = setup([ACCOUNT], ...recipientKeyStatements(ACCOUNT, 'aws'), deny);
    const [denied] = await onwardSharingFindings(fx.ctx, [key]);
    expect(denied).toMatchObject({ status: 'missing' });
    expect(denied?.detail).toContain('explicitly denies account 444455556666 kms:DescribeKey (statement NoOutsiders)');
    expect(denied?.fix).toContain('Remove or narrow that Deny statement');
  });

  it('reports a key policy the target role may not read as unchecked, with the permission to add', async () => {
    const fx = setup([ACCOUNT]);
    fx.target.kms(SOURCE_REGION).on(GetKeyPolicyCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:GetKeyPolicy'));
    expect(await onwardSharingFindings(fx.ctx, [key])).toEqual([
      {
        check: CHECK,
        side: 'target',
        status: 'unchecked',
        detail: `the target role may not read the key policy of ${key.arn} (kms:GetKeyPolicy).`,
        fix: `Allow kms:GetKeyPolicy on ${key.arn} to ${TARGET_ROLE}, so that the preflight checks that the share-with recipients may use the key.`,
      },
    ]);
  });

  it('refuses an organization of another partition before reading anything', async () => {
    const govCloud: Recipient = { ...ORG, arn: `arn:aws-us-gov:organizations::999999999999:organization/${ORG_ID}`, partition: 'aws-us-gov' };
    const fx = setup([ACCOUNT, govCloud]);
    const [refused, ...more] = await onwardSharingFindings(fx.ctx, [key]);
    expect(more).toEqual([]);
    expect(refused).toMatchObject({ status: 'missing', fix: `Remove ${govCloud.arn} from share-with.` });
    expect(refused?.detail).toContain('of another partition than the target account (aws)');
    expect(fx.sent).toEqual([]);
  });

  it('does not check the target account itself, which owns the AMI', async () => {
    const fx = setup([{ kind: 'account', accountId: TARGET_ACCOUNT }]);
    await expect(onwardSharingFindings(fx.ctx, [key])).resolves.toEqual([]);
    expect(fx.sent).toEqual([]);
  });
});
