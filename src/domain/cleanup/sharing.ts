import { ModifyImageAttributeCommand, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import { RetireGrantCommand, RevokeGrantCommand, type KMSClient } from '@aws-sdk/client-kms';
import { isAccessDenied, isNotFound } from '../../aws/classify.js';
import { PERMISSIONS_PER_CALL, batches } from '../../aws/attribute-limits.js';
import { manual } from './manual.js';
import type { Call, CleanupRun } from './run.js';
import { Gone } from './visibility.js';

interface Permission {
  kind: 'image' | 'snapshot';
  region: string;
  resourceId: string;
}

function removal(permission: Permission, accountIds: string[]): { call: Call; send: (run: CleanupRun) => Promise<unknown> } {
  const { kind, region, resourceId } = permission;
  const accounts = accountIds.join(', ');
  const image = kind === 'image';
  const Remove = accountIds.map((UserId) => ({ UserId }));
  return {
    call: {
      what: `Removing the ${image ? 'launch permission' : 'createVolumePermission'} of account ${accounts} from ${resourceId}`,
      side: 'source',
      region,
      actions: [image ? 'ec2:ModifyImageAttribute' : 'ec2:ModifySnapshotAttribute'],
      manual: accountIds.map((id) => (image ? manual.launchPermission(region, resourceId, id) : manual.volumePermission(region, resourceId, id))).join('; '),
    },
    send: (run) => {
      const ec2 = run.ctx.source.clients.ec2(region);
      return image
        ? ec2.send(new ModifyImageAttributeCommand({ ImageId: resourceId, LaunchPermission: { Remove } }))
        : ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: resourceId, Attribute: 'createVolumePermission', CreateVolumePermission: { Remove } }));
    },
  };
}

/** Removes the permissions this run added for these accounts on one image or snapshot, in as few calls as AWS allows. */
export async function removePermissions(run: CleanupRun, permission: Permission, accountIds: string[]): Promise<void> {
  const { kind, region, resourceId } = permission;
  for (const batch of batches(accountIds, PERMISSIONS_PER_CALL[kind])) {
    const items = batch.map((id) => run.item(`${kind === 'image' ? 'launch permission' : 'createVolumePermission'} of account ${id} on ${resourceId}`, 'source', region));
    const { call, send } = removal(permission, batch);
    try {
      const result = await run.sendUntilFound(call, run.sought(resourceId, `${kind} ${resourceId}`), () => send(run), kind);
      for (const item of items) run.removed(item, result instanceof Gone ? result : undefined);
    } catch (error) {
      for (const item of items) run.failed(item, error);
    }
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
