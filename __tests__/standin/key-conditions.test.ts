/**
 * Key-policy conditions as KMS evaluates them: EC2's calls on the copying principal's behalf carry kms:ViaService
 * and kms:CallerAccount, direct calls carry no kms:ViaService, and aws:PrincipalOrgID / aws:PrincipalOrgPaths are in
 * a request only when the principal's account belongs to an organization.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { CopyImageCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { organizationPath } from '../../standin/arns.js';
import { DEFAULTS, KMS_COPY_ACTIONS, defaultWorld } from '../../standin/default-world.js';
import { policyOf, rootKeyPolicy, type PolicyDocument, type PolicyStatement } from '../../standin/index.js';
import type { StandInOptions } from '../../standin/settings.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { assumeRole, clientsFor, expectAwsError } from './test-helpers.js';

const { sourceAccount, targetAccount, region, secondRegion, sourceKeyArn, targetRoleArn } = DEFAULTS;
const ENC_AMI = 'ami-0c0de000000000001';
const DURATION = 1_000;
const EC2 = `ec2.${region}.amazonaws.com`;

let standin: StandIn;
let running = false;

afterEach(async () => {
  if (running) await standin.close();
  running = false;
});

async function start(options: StandInOptions = {}) {
  const world = defaultWorld();
  world.account(sourceAccount).image(region, { imageId: ENC_AMI, name: 'golden-conditions', snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }], sharedWith: [targetAccount] });
  standin = await startStandIn(world, { copyDurationMs: DURATION, ...options });
  running = true;
}

/** The source key's policy: its account root, plus these statements. */
function keyPolicyWith(...statements: PolicyStatement[]): PolicyDocument {
  return policyOf(...(rootKeyPolicy(sourceAccount).Statement as PolicyStatement[]), ...statements);
}

const allowWhen = (Condition: PolicyStatement['Condition'], principal: PolicyStatement['Principal'] = '*'): PolicyStatement => ({
  Sid: 'Conditional',
  Effect: 'Allow',
  Principal: principal,
  Action: KMS_COPY_ACTIONS,
  Resource: '*',
  Condition,
});

async function targetClients(inRegion: string = region) {
  return clientsFor(standin, inRegion, await assumeRole(standin));
}

async function describeDirectly(): Promise<'ok' | string> {
  const { kms } = await targetClients();
  return kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn })).then(
    () => 'ok',
    (error: Error) => error.name,
  );
}

/** Copies the shared AMI into the target account and returns the copy's final state. */
async function copyState(inRegion: string = region): Promise<string | undefined> {
  const { ec2 } = await targetClients(inRegion);
  const { ImageId } = await ec2.send(new CopyImageCommand({ SourceImageId: ENC_AMI, SourceRegion: region, Name: `golden-${Date.now()}`, Encrypted: true, KmsKeyId: DEFAULTS.targetKeyAlias }));
  standin.advanceTime(DURATION);
  return (await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId ?? ''] }))).Images?.[0]?.State;
}

describe('kms:ViaService and kms:CallerAccount', () => {
  it('a role allowed only through EC2: the copy works, a direct DescribeKey is denied', async () => {
    await start();
    standin.setKeyPolicy(sourceAccount, region, sourceKeyArn, keyPolicyWith(allowWhen({ StringEquals: { 'kms:ViaService': EC2 } }, { AWS: targetRoleArn })));
    expect(await describeDirectly()).toBe('AccessDeniedException');
    expect(await copyState()).toBe('available');
    const ec2Calls = standin.calls({ internal: true, account: targetAccount, outcome: 'ok' }).filter((c) => c.params.KeyId === sourceKeyArn);
    expect(ec2Calls.length).toBeGreaterThan(0);
    for (const call of ec2Calls) expect(call.params.ViaService).toBe(EC2);
  });

  it('the aws/ebs pattern: everyone of one account through EC2; the copy\'s calls carry the caller\'s account', async () => {
    await start();
    standin.setKeyPolicy(sourceAccount, region, sourceKeyArn, keyPolicyWith(allowWhen({ StringEquals: { 'kms:ViaService': EC2, 'kms:CallerAccount': targetAccount } })));
    expect(await copyState()).toBe('available');
    standin.setKeyPolicy(sourceAccount, region, sourceKeyArn, keyPolicyWith(allowWhen({ StringEquals: { 'kms:ViaService': EC2, 'kms:CallerAccount': sourceAccount } })));
    expect(await copyState()).toBe('failed');
  });

  it('a copy into another region: which EC2 calls the source key is a switch (AWS does not document it)', async () => {
    await start();
    standin.setKeyPolicy(sourceAccount, region, sourceKeyArn, keyPolicyWith(allowWhen({ StringEquals: { 'kms:ViaService': EC2 } }, { AWS: targetRoleArn })));
    expect(await copyState(secondRegion)).toBe('available');
    standin.configure({ sourceKeyViaServiceRegion: 'copy' });
    expect(await copyState(secondRegion)).toBe('failed');
    const last = standin.calls({ internal: true, account: targetAccount, operation: 'DescribeKey' }).filter((c) => c.params.KeyId === sourceKeyArn).pop();
    expect(last?.params.ViaService).toBe(`ec2.${secondRegion}.amazonaws.com`);
  });
});

describe('aws:PrincipalOrgID and aws:PrincipalOrgPaths', () => {
  it('are in the request of a member account, and absent once the account leaves the organization', async () => {
    await start();
    standin.setKeyPolicy(sourceAccount, region, sourceKeyArn, keyPolicyWith(allowWhen({ StringEquals: { 'aws:PrincipalOrgID': DEFAULTS.organizationId } })));
    expect(await describeDirectly()).toBe('ok');
    expect(await copyState()).toBe('available');
    standin.setOrganization(targetAccount, 'arn:aws:organizations::888888888888:organization/o-otherorg12');
    expect(await describeDirectly()).toBe('AccessDeniedException');
    standin.setOrganization(targetAccount, undefined);
    expect(await describeDirectly()).toBe('AccessDeniedException');
    expect(await copyState()).toBe('failed');
  });

  it('carry the account\'s OU path, compared with ForAnyValue', async () => {
    await start();
    const productionOnly = allowWhen({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${DEFAULTS.organizationId}/*/${DEFAULTS.targetOu}/*` } });
    standin.setKeyPolicy(sourceAccount, region, sourceKeyArn, keyPolicyWith(productionOnly));
    expect(DEFAULTS.targetOrganizationPath).toBe(`${DEFAULTS.organizationId}/r-a1b2/${DEFAULTS.targetOu}/`);
    expect(await describeDirectly()).toBe('ok');
    standin.setOrganization(targetAccount, DEFAULTS.organizationArn, [DEFAULTS.sourceOu]);
    expect(await describeDirectly()).toBe('AccessDeniedException');
    expect(organizationPath(DEFAULTS.organizationArn, ['ou-a1b2-1', 'ou-a1b2-2'])).toBe(`${DEFAULTS.organizationId}/r-a1b2/ou-a1b2-1/ou-a1b2-2/`);
  });

  it('show in the world config built for an account', () => {
    const world = defaultWorld().account('333333333333').organization(DEFAULTS.organizationArn, ['ou-a1b2-33333333']).build();
    expect(world.accounts.find((a) => a.id === '333333333333')).toMatchObject({
      organizationArn: DEFAULTS.organizationArn,
      organizationPath: `${DEFAULTS.organizationId}/r-a1b2/ou-a1b2-33333333/`,
    });
    expect(world.accounts.find((a) => a.id === targetAccount)?.organizationPath).toBe(DEFAULTS.targetOrganizationPath);
  });
});

describe('errors', () => {
  it('a direct call denied by a condition is an AccessDeniedException naming the action and key', async () => {
    await start();
    standin.setKeyPolicy(sourceAccount, region, sourceKeyArn, keyPolicyWith(allowWhen({ StringEquals: { 'aws:PrincipalOrgID': 'o-otherorg12' } })));
    const { kms } = await targetClients();
    const error = await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn })), 'AccessDeniedException');
    expect(error.message).toContain(`is not authorized to perform: kms:DescribeKey on resource: ${sourceKeyArn}`);
  });
});
