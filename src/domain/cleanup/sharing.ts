import { ModifyImageAttributeCommand, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import { RetireGrantCommand, RevokeGrantCommand, type KMSClient } from '@aws-sdk/client-kms';
import { isAccessDenied, isNotFound } from '../../aws/classify.js';
import { manual } from './manual.js';
import type { Call, CleanupRun } from './run.js';
import { Gone } from './visibility.js';

export async function removeLaunchPermission(run: CleanupRun, region: string, imageId: string, accountId: string): Promise<void> {
  const item = run.item(`launch permission of account ${accountId} on ${imageId}`, 'source', region);
  const call: Call = {
    what: `Removing the launch permission of account ${accountId} from ${imageId}`,
    side: 'source',
    region,
    actions: ['ec2:ModifyImageAttribute'],
    manual: manual.launchPermission(region, imageId, accountId),
  };
  try {
    const result = await run.sendUntilFound(
      call,
      run.sought(imageId, `image ${imageId}`),
      () => run.ctx.source.clients.ec2(region).send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Remove: [{ UserId: accountId }] } })),
      'image',
    );
    run.removed(item, result instanceof Gone ? result : undefined);
  } catch (error) {
    run.failed(item, error);
  }
}

export async function removeVolumePermission(run: CleanupRun, region: string, snapshotId: string, accountId: string): Promise<void> {
  const item = run.item(`createVolumePermission of account ${accountId} on ${snapshotId}`, 'source', region);
  const call: Call = {
    what: `Removing the createVolumePermission of account ${accountId} from ${snapshotId}`,
    side: 'source',
    region,
    actions: ['ec2:ModifySnapshotAttribute'],
    manual: manual.volumePermission(region, snapshotId, accountId),
  };
  try {
    const result = await run.sendUntilFound(
      call,
      run.sought(snapshotId, `snapshot ${snapshotId}`),
      () =>
        run.ctx.source.clients.ec2(region).send(
          new ModifySnapshotAttributeCommand({
            SnapshotId: snapshotId,
            Attribute: 'createVolumePermission',
            CreateVolumePermission: { Remove: [{ UserId: accountId }] },
          }),
        ),
      'snapshot',
    );
    run.removed(item, result instanceof Gone ? result : undefined);
  } catch (error) {
    run.failed(item, error);
  }
}

/** RetireGrant (`retiring` describes that call), or RevokeGrant when retiring is refused. */
async function retire(run: CleanupRun, kms: KMSClient, retiring: Call, keyArn: string, grantId: string, grantName: string) {
  const { region } = retiring;
  try {
    return await kms.send(new RetireGrantCommand({ KeyId: keyArn, GrantId: grantId }));
  } catch (error) {
    if (isNotFound(error, 'kms')) return Gone.instance;
    if (!isAccessDenied(error)) throw run.problem(retiring, error);
  }
  run.ctx.log.info(`Retiring grant ${grantId} was refused; revoking it instead (source, ${region})`);
  return run.send(
    {
      what: `Revoking the grant ${grantName} (${grantId}) on ${keyArn} (retiring it was refused too)`,
      side: 'source',
      region,
      actions: ['kms:RevokeGrant'],
      resource: keyArn,
      manual: manual.revokeGrant(region, keyArn, grantId),
    },
    () => kms.send(new RevokeGrantCommand({ KeyId: keyArn, GrantId: grantId })),
    'kms',
  );
}

export async function removeGrant(run: CleanupRun, region: string, keyArn: string, grantId: string, grantName: string): Promise<void> {
  const item = run.item(`KMS grant ${grantName} (${grantId}) on ${keyArn}`, 'source', region);
  const call: Call = {
    what: `Retiring the grant ${grantName} (${grantId}) on ${keyArn}`,
    side: 'source',
    region,
    actions: ['kms:RetireGrant'],
    resource: keyArn,
    manual: manual.retireGrant(region, keyArn, grantId),
  };
  const kms = run.ctx.source.clients.kms(region);
  try {
    const attempt = () => retire(run, kms, call, keyArn, grantId, grantName);
    const retired = await run.untilFound(call, run.sought(grantId, `grant ${grantName}`), attempt);
    run.removed(item, retired instanceof Gone ? retired : undefined);
  } catch (error) {
    run.failed(item, error);
  }
}
