import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImageAttributeCommand, ModifyImageAttributeCommand, type LaunchPermission } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { shareOnward } from '../../../../src/domain/steps/share-onward.js';
import type { Recipient } from '../../../../src/policy/recipients.js';
import { SECOND_REGION, SOURCE_REGION, TARGET_ACCOUNT, awsError, buildContext, targetImageId } from '../../../support/pipeline-fixtures.js';

const ORG_ARN = 'arn:aws:organizations::999999999999:organization/o-a1b2c3d4e5';
const OU_ARN = 'arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-a1b2-33333333';
const ACCOUNT: Recipient = { kind: 'account', accountId: '444455556666' };
const ORG: Recipient = { kind: 'organization', arn: ORG_ARN, partition: 'aws', organizationId: 'o-a1b2c3d4e5' };
const OU: Recipient = { kind: 'organizational-unit', arn: OU_ARN, partition: 'aws', organizationId: 'o-a1b2c3d4e5', ouId: 'ou-a1b2-33333333' };

const regions = [SOURCE_REGION, SECOND_REGION];
const images = regions.map((region) => ({ region, imageId: targetImageId(region) }));

function setup(shareWith: Recipient[], existing: LaunchPermission[] = []) {
  const fx = buildContext({ targetRegions: regions, shareWith });
  for (const region of regions) {
    fx.target.ec2(region).on(DescribeImageAttributeCommand).resolves({ ImageId: targetImageId(region), LaunchPermissions: existing });
    fx.target.ec2(region).on(ModifyImageAttributeCommand).resolves({});
  }
  return fx;
}

const modifications = (fx: ReturnType<typeof setup>, region: string) => fx.target.ec2(region).commandCalls(ModifyImageAttributeCommand).map((c) => c.args[0].input);

describe('sharing the promoted AMIs onward (share-with)', () => {
  it('adds every recipient in one ModifyImageAttribute call per AMI, with the client of its region, and journals nothing', async () => {
    const fx = setup([ACCOUNT, ORG, OU]);
    const shares = await shareOnward(fx.ctx, images);
    for (const { region, imageId } of images) {
      expect(fx.target.ec2(region).commandCalls(DescribeImageAttributeCommand).map((c) => c.args[0].input)).toEqual([{ ImageId: imageId, Attribute: 'launchPermission' }]);
      expect(modifications(fx, region)).toEqual([
        { ImageId: imageId, LaunchPermission: { Add: [{ UserId: '444455556666' }, { OrganizationArn: ORG_ARN }, { OrganizationalUnitArn: OU_ARN }] } },
      ]);
    }
    expect(shares).toEqual(images.map(({ region, imageId }) => ({ accountId: TARGET_ACCOUNT, region, imageId, added: ['444455556666', ORG_ARN, OU_ARN], already: [] })));
    expect(fx.sent.every((c) => c.side === 'target')).toBe(true);
    // The onward sharing is the result: cleanup must never find it in the journal.
    expect(fx.journal.entries()).toEqual([]);
    expect(fx.log.messages('info')).toContain(`${images[0]?.imageId} (${TARGET_ACCOUNT}, ${SOURCE_REGION}) may be launched by 444455556666, ${ORG_ARN}, ${OU_ARN}: added 444455556666, ${ORG_ARN}, ${OU_ARN}.`);
  });

  it('adds only the recipients the AMI is not shared with yet, leaving the others as they are', async () => {
    const fx = setup([ACCOUNT, ORG, OU], [{ OrganizationalUnitArn: OU_ARN }, { UserId: '777788889999' }]);
    const shares = await shareOnward(fx.ctx, images);
    for (const { region, imageId } of images) {
      expect(modifications(fx, region)).toEqual([{ ImageId: imageId, LaunchPermission: { Add: [{ UserId: '444455556666' }, { OrganizationArn: ORG_ARN }] } }]);
    }
    expect(shares[0]).toMatchObject({ added: ['444455556666', ORG_ARN], already: [OU_ARN] });
  });

  it('changes nothing on a re-run: every recipient already has its launch permission', async () => {
    const fx = setup([ACCOUNT, ORG, OU], [{ UserId: '444455556666' }, { OrganizationArn: ORG_ARN }, { OrganizationalUnitArn: OU_ARN }]);
    const shares = await shareOnward(fx.ctx, images);
    expect(fx.mutations()).toEqual([]);
    expect(shares.map((s) => s.added)).toEqual([[], []]);
    expect(shares.map((s) => s.already)).toEqual([
      ['444455556666', ORG_ARN, OU_ARN],
      ['444455556666', ORG_ARN, OU_ARN],
    ]);
    expect(fx.log.messages('info').some((line) => line.includes('nothing new; already shared: 444455556666'))).toBe(true);
  });

  it('does not share an AMI with the account that owns it, nor call anything without share-with', async () => {
    const own = setup([{ kind: 'account', accountId: TARGET_ACCOUNT }]);
    await expect(shareOnward(own.ctx, images)).resolves.toEqual([]);
    expect(own.sent).toEqual([]);
    const none = setup([]);
    await expect(shareOnward(none.ctx, images)).resolves.toEqual([]);
    expect(none.sent).toEqual([]);
  });

  it('gives at most 10,000 account IDs to one call, as the API allows', async () => {
    const many: Recipient[] = Array.from({ length: 10_001 }, (_, i) => ({ kind: 'account', accountId: String(100_000_000_000 + i) }));
    const fx = setup(many);
    await shareOnward(fx.ctx, images.slice(0, 1));
    expect(modifications(fx, SOURCE_REGION).map((m) => m.LaunchPermission?.Add?.length)).toEqual([10_000, 1]);
  });

  it('explains a refused call: where, which permission, and the statement to add', async () => {
    const fx = setup([ACCOUNT]);
    fx.target.ec2(SECOND_REGION).on(ModifyImageAttributeCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const error = await shareOnward(fx.ctx, images).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromotionError);
    expect((error as PromotionError).details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SECOND_REGION, what: `Sharing ${targetImageId(SECOND_REGION)} with 444455556666` });
    expect((error as PromotionError).details.fix).toContain('"Action": "ec2:ModifyImageAttribute"');
  });
});
