/**
 * Launch permissions for organizations and OUs: who sees the AMI, what DescribeImageAttribute shows, and the record
 * of who added them (share-with of the action).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeImageAttributeCommand, DescribeImagesCommand, DescribeSnapshotsCommand, ModifyImageAttributeCommand } from '@aws-sdk/client-ec2';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { clientsFor, expectAwsError, type Clients } from './test-helpers.js';

const { sourceAccount, targetAccount, region, sourceAmiId, sourceSnapshotId, organizationArn, organizationId, targetOu } = DEFAULTS;
const ouArn = (ou: string) => `arn:aws:organizations::999999999999:ou/${organizationId}/${ou}`;
/** In an OU below the target's OU. */
const NESTED = '333333333333';
/** In another OU of the organization. */
const SIBLING = '555555555555';
/** In no organization. */
const OUTSIDER = '666666666666';

let standin: StandIn;
let owner: Clients;
const as = (account: string) => clientsFor(standin, region, standin.credentials(account));

/** Whether the account sees the AMI by its ID (else InvalidAMIID.NotFound). */
async function sees(account: string): Promise<boolean> {
  try {
    return (await as(account).ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] }))).Images?.[0]?.ImageId === sourceAmiId;
  } catch (error) {
    if ((error as Error).name === 'InvalidAMIID.NotFound') return false;
    throw error;
  }
}

beforeEach(async () => {
  const world = defaultWorld();
  world.account(NESTED).organization(organizationArn, [targetOu, 'ou-a1b2-33333333']).admin('admin');
  world.account(SIBLING).organization(organizationArn, ['ou-a1b2-44444444']).admin('admin');
  world.account(OUTSIDER).admin('admin');
  standin = await startStandIn(world);
  owner = as(sourceAccount);
});

afterEach(() => standin.close());

describe('launch permissions for organizations and OUs', () => {
  it('an OU: the accounts in it and below it see the AMI, the others do not; the owner reads the permission back', async () => {
    await owner.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, LaunchPermission: { Add: [{ OrganizationalUnitArn: ouArn(targetOu) }] } }));
    expect(await sees(targetAccount)).toBe(true);
    expect(await sees(NESTED)).toBe(true);
    expect(await sees(SIBLING)).toBe(false);
    expect(await sees(OUTSIDER)).toBe(false);
    const attribute = await owner.ec2.send(new DescribeImageAttributeCommand({ ImageId: sourceAmiId, Attribute: 'launchPermission' }));
    expect(attribute.LaunchPermissions).toEqual([{ OrganizationalUnitArn: ouArn(targetOu) }]);
    expect(standin.image(sourceAccount, region, sourceAmiId)?.launchPermissions).toEqual([
      { organizationalUnitArn: ouArn(targetOu), addedBy: DEFAULTS.sourceAdmin.userArn, addedAt: expect.any(String) },
    ]);
    // Only the AMI is shared: its snapshots stay the owner's alone.
    expect((await as(NESTED).ec2.send(new DescribeSnapshotsCommand({ RestorableByUserIds: ['self'] }))).Snapshots?.map((s) => s.SnapshotId)).not.toContain(sourceSnapshotId);
  });

  it('an organization: every member account sees the AMI, an account outside it does not', async () => {
    await owner.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, LaunchPermission: { Add: [{ OrganizationArn: organizationArn }] } }));
    for (const member of [targetAccount, NESTED, SIBLING]) expect(await sees(member)).toBe(true);
    expect(await sees(OUTSIDER)).toBe(false);
  });

  it('takes OUs in the OperationType form too, and removes them', async () => {
    await owner.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, Attribute: 'launchPermission', OperationType: 'add', OrganizationalUnitArns: [ouArn('ou-a1b2-44444444')] }));
    expect(await sees(SIBLING)).toBe(true);
    expect(await sees(targetAccount)).toBe(false);
    await owner.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, LaunchPermission: { Remove: [{ OrganizationalUnitArn: ouArn('ou-a1b2-44444444') }] } }));
    expect(await sees(SIBLING)).toBe(false);
    expect((await owner.ec2.send(new DescribeImageAttributeCommand({ ImageId: sourceAmiId, Attribute: 'launchPermission' }))).LaunchPermissions).toEqual([]);
  });

  it('an OU of another organization with the same OU id shares nothing here', async () => {
    const foreign = `arn:aws:organizations::888888888888:ou/o-zzzzzzzzzz/${targetOu}`;
    await owner.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, LaunchPermission: { Add: [{ OrganizationalUnitArn: foreign }] } }));
    await expectAwsError(as(targetAccount).ec2.send(new DescribeImagesCommand({ ImageIds: [sourceAmiId] })), 'InvalidAMIID.NotFound');
  });
});
