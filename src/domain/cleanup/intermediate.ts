// The intermediate copy: removed by the last run that uses it (the lease protocol is described in steps/lease.ts).
import { CreateTagsCommand, DeleteTagsCommand, DescribeImageAttributeCommand, type Image, type LaunchPermission, type Tag } from '@aws-sdk/client-ec2';
import { LEASE_TIMING, activeMarks, describeMarks, type Mark } from '../steps/lease.js';
import { MARK, ROLE_INTERMEDIATE, TAG, tagValue } from '../tags.js';
import { deregisterWithSnapshots, findImage, removeSnapshots, type Copy } from './images.js';
import { manual } from './manual.js';
import type { Call, CleanupRun } from './run.js';
import { Gone } from './visibility.js';

/** What this run added to the copy: the accounts it shared it with, and its lease tags. */
export interface Ours {
  accounts: ReadonlySet<string>;
  leases: readonly string[];
}

/** Who else uses the copy now, seen on the image: other accounts' launch permissions and other runs' valid leases. */
interface Users {
  image: Image;
  permissions: LaunchPermission[];
  leases: Mark[];
}

/** Gone after this cleanup saw it: another run's cleanup removed it meanwhile, and deletes its snapshots. */
const REMOVED_MEANWHILE = new Gone("another run's cleanup removed it meanwhile (and deletes its snapshots)");

/** The decision on the copy: deregister this image, it is gone already (or was removed meanwhile), or it is kept and why. */
type Decision = Image | Gone | { kept: string };

function describePermission(permission: LaunchPermission): string {
  if (permission.UserId) return `account ${permission.UserId}`;
  if (permission.OrganizationArn) return `organization ${permission.OrganizationArn}`;
  if (permission.OrganizationalUnitArn) return `organizational unit ${permission.OrganizationalUnitArn}`;
  if (permission.Group) return `group ${permission.Group}`;
  return 'another principal';
}

/** Who else the copy is shared with (another run using it), or Gone. */
async function otherPermissions(run: CleanupRun, copy: Copy, ourAccounts: ReadonlySet<string>): Promise<LaunchPermission[] | Gone> {
  const { region, imageId, ec2 } = copy;
  const call: Call = {
    what: `Reading the launch permissions of ${imageId}`,
    side: 'source',
    region,
    actions: ['ec2:DescribeImageAttribute'],
    manual: manual.deregister(region, imageId),
  };
  const describe = () => ec2.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }));
  const attribute = await run.sendUntilFound(call, run.sought(imageId, copy.label), describe, 'image');
  if (attribute instanceof Gone) return attribute;
  return (attribute.LaunchPermissions ?? []).filter((permission) => !(permission.UserId && ourAccounts.has(permission.UserId)));
}

/**
 * The first look asks for the permissions, then the image: AWS may show a new copy to one call and not yet to the
 * other (eventual consistency), and each is asked again until it shows. Once both were seen, "not found" means gone,
 * so later looks ask both at once.
 */
async function lookAtUsers(run: CleanupRun, copy: Copy, ours: Ours, seen = false): Promise<Users | Gone> {
  const [permissions, image] = seen
    ? await Promise.all([otherPermissions(run, copy, ours.accounts), findImage(run, copy)])
    : [await otherPermissions(run, copy, ours.accounts), undefined];
  if (permissions instanceof Gone) return permissions;
  const shown = image ?? (await findImage(run, copy));
  if (shown instanceof Gone) return shown;
  return { image: shown, permissions, leases: activeMarks(shown.Tags, MARK.lease, run.ctx.clock.now(), new Set(ours.leases)) };
}

const inUse = (users: Users) => users.permissions.length > 0 || users.leases.length > 0;

function keptFor(users: Users): string {
  const reasons = [
    ...(users.permissions.length > 0 ? [`it is still shared with ${users.permissions.map(describePermission).join(', ')}`] : []),
    ...(users.leases.length > 0 ? [`another run still holds a lease on it: ${describeMarks(users.leases)}`] : []),
  ];
  return `${reasons.join('; ')}. Another run (for example a job matrix promoting the same AMI to another account) is using it; the last run to finish removes it.`;
}

/** CreateTags or DeleteTags of one tag on the copy; Gone when the copy is. */
async function tagCopy(run: CleanupRun, copy: Copy, change: 'create' | 'delete', tag: Tag): Promise<unknown> {
  const { region, imageId, ec2 } = copy;
  const call: Call = {
    what: `${change === 'create' ? 'Tagging' : 'Deleting the tag'} ${tag.Key} ${change === 'create' ? 'on' : 'from'} ${imageId}`,
    side: 'source',
    region,
    actions: [change === 'create' ? 'ec2:CreateTags' : 'ec2:DeleteTags'],
    manual: change === 'create' ? manual.deregister(region, imageId) : manual.deleteTag(region, imageId, tag.Key as string),
  };
  const send = () =>
    change === 'create'
      ? ec2.send(new CreateTagsCommand({ Resources: [imageId], Tags: [tag] }))
      : ec2.send(new DeleteTagsCommand({ Resources: [imageId], Tags: [{ Key: tag.Key }] }));
  return run.sendUntilFound(call, run.sought(imageId, copy.label), send, 'image');
}

/** Deletes this run's lease tags, so that other runs finishing at the same time see that this one is gone. */
async function releaseLeases(run: CleanupRun, copy: Copy, keys: readonly string[]): Promise<void> {
  await Promise.all(
    keys.map(async (key) => {
      const item = run.item(`lease tag ${key} on ${copy.imageId}`, 'source', copy.region);
      try {
        const result = await tagCopy(run, copy, 'delete', { Key: key });
        run.removed(item, result instanceof Gone ? result : undefined);
      } catch (error) {
        run.failed(item, error);
      }
    }),
  );
}

/**
 * Deregister only when nobody else uses the copy. This run's leases are released while it first looks (the look
 * leaves them out). Seeing other users, looks again after a while (runs finishing at the same time each see the
 * other's lease until its removal shows). Seeing none, waits for `undone`, marks the copy as going and looks once
 * more: a run that has just leased it either shows here or sees the mark (steps/lease.ts) and waits.
 */
async function decide(run: CleanupRun, copy: Copy, ours: Ours, undone: Promise<unknown>): Promise<Decision> {
  let [, users] = await Promise.all([releaseLeases(run, copy, ours.leases), lookAtUsers(run, copy, ours)]);
  if (users instanceof Gone) return users;
  if (tagValue(users.image.Tags, TAG.role) !== ROLE_INTERMEDIATE || tagValue(users.image.Tags, TAG.sourceAmiId) === undefined) {
    return { kept: `it does not carry the tags ${TAG.role}=${ROLE_INTERMEDIATE} and ${TAG.sourceAmiId}, so it is not treated as this action's copy and is left alone.` };
  }
  if (inUse(users)) {
    await run.ctx.clock.sleep(LEASE_TIMING.settleMs, run.ctx.signal);
    users = await lookAtUsers(run, copy, ours, true);
    if (users instanceof Gone) return REMOVED_MEANWHILE;
    if (inUse(users)) return { kept: keptFor(users) };
  }
  await undone;
  const holder = ours.leases[0]?.slice(MARK.lease.length) ?? 'cleanup';
  const going: Tag = { Key: `${MARK.going}${holder}`, Value: new Date(run.ctx.clock.now() + LEASE_TIMING.goingMs).toISOString() };
  if ((await tagCopy(run, copy, 'create', going)) instanceof Gone) return REMOVED_MEANWHILE;
  users = await lookAtUsers(run, copy, ours, true);
  if (users instanceof Gone) return REMOVED_MEANWHILE;
  if (!inUse(users)) return users.image;
  await tagCopy(run, copy, 'delete', going);
  return { kept: keptFor(users) };
}

/**
 * Removes this run's leases, then the intermediate copy and its snapshots unless another run still uses it; the copy
 * is removed only after `undone` (the rest of cleanup) has finished.
 */
export async function removeIntermediateCopy(
  run: CleanupRun,
  region: string,
  imageId: string,
  recordedSnapshotIds: readonly string[],
  ours: Ours,
  undone: Promise<unknown>,
): Promise<void> {
  const ec2 = run.ctx.source.clients.ec2(region);
  const copy: Copy = { side: 'source', region, imageId, label: `intermediate copy ${imageId}`, ec2, role: ROLE_INTERMEDIATE };
  const item = run.item(copy.label, 'source', region);
  // A copy cancelled while pending was journaled before its snapshots were known: take them from the image too.
  let ids: string[] | undefined = recordedSnapshotIds.length > 0 ? [...recordedSnapshotIds] : undefined;
  try {
    const decision = await decide(run, copy, ours, undone);
    if ('kept' in decision) {
      run.kept(item, decision.kept);
      return;
    }
    if (decision === REMOVED_MEANWHILE) {
      run.removed(item, REMOVED_MEANWHILE);
      return;
    }
    if (decision instanceof Gone) {
      run.removed(item, decision);
    } else {
      const { result, leftover } = await deregisterWithSnapshots(run, copy, decision, recordedSnapshotIds);
      if (result instanceof Gone) {
        run.removed(item, REMOVED_MEANWHILE);
        return;
      }
      run.removed(item);
      ids = leftover;
    }
  } catch (error) {
    run.failed(item, error);
    return;
  }
  await removeSnapshots(run, copy, ids);
}
