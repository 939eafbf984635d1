import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImageAttributeCommand, ModifyImageAttributeCommand, type LaunchPermission } from '@aws-sdk/client-ec2';
import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { PromotionError } from '../../../src/aws/errors.js';
import { dryRunPlan } from '../../../src/domain/dry-run.js';
import { promote, runPreflight } from '../../../src/domain/pipeline.js';
import { recipientKeyStatements } from '../../../src/policy/key-policy-statements.js';
import type { PolicyStatement } from '../../../src/policy/policy-document.js';
import type { Recipient } from '../../../src/policy/recipients.js';
import {
  INTERMEDIATE_AMI,
  SECOND_REGION,
  SOURCE_REGION,
  TARGET_ALIAS,
  TARGET_ROOT,
  buildContext,
  keyPolicy,
  stubEarlierPromotion,
  stubSimulation,
  stubWorld,
  targetKeyArn,
  targetSnapshotIds,
  type Fixture,
} from '../../support/pipeline-fixtures.js';

const REGIONS = [SOURCE_REGION, SECOND_REGION];
const OU_ARN = 'arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-a1b2-33333333';
const ACCOUNT: Recipient = { kind: 'account', accountId: '444455556666' };
const OU: Recipient = { kind: 'organizational-unit', arn: OU_ARN, partition: 'aws', organizationId: 'o-a1b2c3d4e5', ouId: 'ou-a1b2-33333333' };
const OWN_ROOT: PolicyStatement = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: TARGET_ROOT }, Action: 'kms:*', Resource: '*' };
const REUSED = (region: string) => (region === SOURCE_REGION ? 'ami-0e0000000000000a1' : 'ami-0e0000000000000b1');

/** A promotion into two regions under the target alias whose key policy has `statements`, shared onward with an account and an OU. */
function setup(statements: PolicyStatement[], existing: LaunchPermission[] = []): Fixture {
  const fx = buildContext({ targetRegions: REGIONS, targetKey: { kind: 'alias', aliasName: TARGET_ALIAS }, shareWith: [ACCOUNT, OU] });
  stubWorld(fx);
  for (const region of REGIONS) {
    fx.target.kms(region).on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(keyPolicy(OWN_ROOT, ...statements)), PolicyName: 'default' });
    fx.target.ec2(region).on(DescribeImageAttributeCommand).resolves({ LaunchPermissions: existing });
    fx.target.ec2(region).on(ModifyImageAttributeCommand).resolves({});
  }
  return fx;
}

const allowed = () => [ACCOUNT, OU].flatMap((r) => recipientKeyStatements(r, 'aws'));

describe('a promotion with share-with', () => {
  it('shares every promoted AMI onward once it is copied and finished, and journals none of it', async () => {
    const fx = setup(allowed());
    const pre = await runPreflight(fx.ctx);
    expect(pre.findings.filter((f) => f.check.startsWith('The share-with recipients')).map((f) => f.status)).toEqual(['ok', 'ok']);
    const result = await promote(fx.ctx, pre);
    const mutations = fx.mutations().filter((m) => m.startsWith('target'));
    expect(mutations).toEqual(expect.arrayContaining(REGIONS.map((r) => `target ec2 ${r} ModifyImageAttribute`)));
    for (const region of REGIONS) {
      expect(mutations.indexOf(`target ec2 ${region} ModifyImageAttribute`)).toBeGreaterThan(mutations.indexOf(`target ec2 ${region} CopyImage`));
      const imageId = result.targets[0]?.regions.find((r) => r.region === region)?.imageId;
      expect(fx.target.ec2(region)).toHaveReceivedCommandWith(ModifyImageAttributeCommand, {
        ImageId: imageId,
        LaunchPermission: { Add: [{ UserId: '444455556666' }, { OrganizationalUnitArn: OU_ARN }] },
      });
    }
    expect(result.onward.map((s) => [s.region, s.added])).toEqual(REGIONS.map((r) => [r, ['444455556666', OU_ARN]]));
    // Cleanup undoes only what the journal holds: the sharing of the source AMI, never the onward sharing.
    expect(fx.journal.entries().flatMap((e) => (e.kind === 'launch-permission' ? [e.imageId] : []))).toEqual([INTERMEDIATE_AMI]);
    expect(fx.log.messages('group')).toContain('Share onward');
  });

  it('re-runs idempotently: reused AMIs that already have the permissions get no change at all', async () => {
    const fx = setup(allowed(), [{ UserId: '444455556666' }, { OrganizationalUnitArn: OU_ARN }]);
    for (const region of REGIONS) stubEarlierPromotion(fx, region, REUSED(region), targetSnapshotIds(region));
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(result.reused).toBe(true);
    expect(fx.mutations()).toEqual([]);
    expect(result.onward.map((s) => [s.imageId, s.added, s.already])).toEqual(REGIONS.map((r) => [REUSED(r), [], ['444455556666', OU_ARN]]));
  });

  it('shares reused AMIs with a recipient added since the first run', async () => {
    const fx = setup(allowed(), [{ UserId: '444455556666' }]);
    for (const region of REGIONS) stubEarlierPromotion(fx, region, REUSED(region), targetSnapshotIds(region));
    await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(fx.mutations()).toEqual(REGIONS.map((r) => `target ec2 ${r} ModifyImageAttribute`));
    expect(fx.target.ec2(SECOND_REGION)).toHaveReceivedCommandWith(ModifyImageAttributeCommand, { ImageId: REUSED(SECOND_REGION), LaunchPermission: { Add: [{ OrganizationalUnitArn: OU_ARN }] } });
  });

  it.each([
    ['a new promotion', false],
    ['a re-run that reuses every AMI', true],
  ])('refuses %s before any change when the target key policy lacks a recipient, with the statements to add', async (_label, reuse) => {
    const fx = setup(recipientKeyStatements(ACCOUNT, 'aws'));
    if (reuse) for (const region of REGIONS) stubEarlierPromotion(fx, region, REUSED(region), targetSnapshotIds(region));
    const error = await promote(fx.ctx, await runPreflight(fx.ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromotionError);
    expect(fx.mutations()).toEqual([]);
    expect(fx.journal.entries()).toEqual([]);
    const message = (error as PromotionError).message;
    expect(message).toContain(`the key policy of ${targetKeyArn(SOURCE_REGION)} does not let OU ou-a1b2-33333333 of o-a1b2c3d4e5`);
    expect(message).toContain(`the key policy of ${targetKeyArn(SECOND_REGION)} does not let OU ou-a1b2-33333333 of o-a1b2c3d4e5`);
    expect(message).toContain('"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/*/ou-a1b2-33333333/*"');
    expect(message).not.toContain('AllowLaunchOfTheSharedAmiBy444455556666');
  });

  it("simulates the target role's IAM policy for the sharing too: a missing ec2:ModifyImageAttribute is refused before any change", async () => {
    const fx = setup(allowed());
    const iam = stubSimulation(fx, (action) => (action === 'ec2:ModifyImageAttribute' ? 'implicitDeny' : undefined));
    const error = await promote(fx.ctx, await runPreflight(fx.ctx)).catch((e: unknown) => e);
    const promoted = iam.commandCalls(SimulatePrincipalPolicyCommand).find((c) => c.args[0].input.ActionNames?.includes('ec2:ModifyImageAttribute'))?.args[0].input;
    expect(promoted?.ActionNames).toEqual(expect.arrayContaining(['ec2:DescribeImageAttribute', 'ec2:ModifyImageAttribute']));
    expect(promoted?.ResourceArns).toEqual([`arn:aws:ec2:${SOURCE_REGION}::image/*`]);
    expect(error).toBeInstanceOf(PromotionError);
    expect((error as PromotionError).message).toContain(`ec2:ModifyImageAttribute on arn:aws:ec2:${SOURCE_REGION}::image/* is not allowed`);
    expect(fx.mutations()).toEqual([]);
  });

  it('says in the dry-run plan whom the promoted AMI will be shared with', async () => {
    const fx = setup(allowed());
    const plan = dryRunPlan(fx.request, await runPreflight(fx.ctx));
    expect(plan).toContain(`Let 444455556666 and ${OU_ARN} launch the promoted AMI in every target region (launch permissions, kept).`);
    expect(plan.at(-1)).toMatch(/^Then remove/);
    expect(fx.mutations()).toEqual([]);
  });
});
