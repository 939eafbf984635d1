import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type DeregisterImageCommandOutput,
  type EC2Client,
  type Image,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { isAccessDenied, isNotFound } from '../../aws/classify.js';
import { snapshotIdsOf } from '../../aws/images.js';
import { manual } from './manual.js';
import type { Call, CleanupRun } from './run.js';
import { Gone } from './visibility.js';
import { PromotionError, errorMessage, errorName } from '../../aws/errors.js';
import { ROLE_INTERMEDIATE, ROLE_PROMOTED, TAG, tagValue } from '../tags.js';
import type { Side } from '../types.js';

/** One copy made by CopyImage: where it is, its role tag, and how its snapshots are removed. */
export interface Copy {
  side: Side;
  region: string;
  imageId: string;
  /** e.g. "intermediate copy ami-0123", for the log. */
  label: string;
  ec2: EC2Client;
  role: typeof ROLE_INTERMEDIATE | typeof ROLE_PROMOTED;
}

/** The copy as DescribeImages shows it, or Gone (looked for again while it may be too new to be shown). */
export async function findImage(run: CleanupRun, copy: Copy): Promise<Image | Gone> {
  const { side, region, imageId, ec2 } = copy;
  const call: Call = { what: `Describing ${imageId}`, side, region, actions: ['ec2:DescribeImages'], manual: manual.deregister(region, imageId) };
  return run.untilFound(call, run.sought(imageId, copy.label), async () => {
    const response = await run.send(call, () => ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })), 'image');
    if (response instanceof Gone) return response;
    const image = response.Images?.find((candidate) => candidate.ImageId === imageId);
    return image && image.State !== 'deregistered' ? image : Gone.instance;
  });
}

/**
 * Deregisters the copy, even while it is still `pending`: that is how AWS stops a pending AMI copy
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html#ami-copy-stop). Says how to lift
 * deregistration protection when it blocks.
 */
async function deregister(run: CleanupRun, copy: Copy, image: Image): Promise<DeregisterImageCommandOutput | Gone> {
  const { side, region, imageId, ec2 } = copy;
  const call: Call = {
    what: `Deregistering ${imageId} and deleting its snapshots`,
    side,
    region,
    actions: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
    manual: manual.deregister(region, imageId),
  };
  return run.untilFound(call, run.sought(imageId, copy.label), async () => {
    try {
      return await ec2.send(new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: true }));
    } catch (error) {
      if (isNotFound(error, 'image')) return Gone.instance;
      const protectedImage = /deregistration protection/i.test(errorMessage(error)) || /^enabled/i.test(image.DeregistrationProtection ?? '');
      if (!protectedImage || isAccessDenied(error)) throw run.problem(call, error);
      throw new PromotionError({
        what: call.what,
        side,
        accountId: run.side(side).accountId,
        region,
        why: `deregistration protection is on for ${imageId} (${errorName(error) || 'error'}: ${errorMessage(error)}).`,
        fix:
          `Turn it off, then deregister the AMI and delete its snapshots with ${side} account credentials: ${manual.disableProtection(region, imageId)}; ` +
          `${call.manual}. ` +
          'If protection was turned on with a cooldown, the AMI can be deregistered 24 hours after turning it off.',
        cause: error,
      });
    }
  });
}

/** The snapshots that still exist among `ids` (one call each: a missing one does not hide the others). */
async function snapshotsById(run: CleanupRun, copy: Copy, ids: readonly string[]): Promise<Snapshot[]> {
  const { side, region, ec2 } = copy;
  const found: Snapshot[] = [];
  for (const id of ids) {
    const call: Call = { what: `Describing snapshot ${id}`, side, region, actions: ['ec2:DescribeSnapshots'], manual: manual.deleteSnapshot(region, id) };
    const describe = () => ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }));
    const response = await run.sendUntilFound(call, run.sought(id, `snapshot ${id}`, copy.imageId), describe, 'snapshot');
    if (response instanceof Gone) continue;
    const snapshot = response.Snapshots?.find((candidate) => candidate.SnapshotId === id);
    if (snapshot) found.push(snapshot);
  }
  return found;
}

/**
 * Snapshots CopyImage made for the copy ("Copied for DestinationAmi ami-..."), carrying its role tag: for a copy whose
 * snapshot IDs are not known. None found for a copy made a moment ago is looked for again.
 */
async function snapshotsOfCopy(run: CleanupRun, copy: Copy): Promise<Snapshot[]> {
  const { side, region, imageId, ec2 } = copy;
  const call: Call = {
    what: `Looking for the snapshots of ${imageId}`,
    side,
    region,
    actions: ['ec2:DescribeSnapshots'],
    manual:
      `aws ec2 describe-snapshots --region ${region} --owner-ids self --filters Name=description,Values='*${imageId}*'; ` +
      `then ${manual.deleteSnapshot(region, 'SNAPSHOT_ID')} for each`,
  };
  const found = await run.untilFound(call, run.sought(`snapshots of ${imageId}`, `any snapshot of ${imageId}`, imageId), async () => {
    const list: Snapshot[] = [];
    let token: string | undefined;
    do {
      const response = await run.send(call, () =>
        ec2.send(
          new DescribeSnapshotsCommand({
            OwnerIds: ['self'],
            Filters: [
              { Name: `tag:${TAG.role}`, Values: [copy.role] },
              { Name: 'description', Values: [`*${imageId}*`] },
            ],
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      if (response instanceof Gone) break;
      list.push(...(response.Snapshots ?? []));
      token = response.NextToken;
    } while (token);
    const ours = list.filter((snapshot) => snapshot.Description?.includes(imageId));
    return ours.length > 0 ? ours : Gone.instance;
  });
  return found instanceof Gone ? [] : found;
}

async function deleteSnapshot(run: CleanupRun, copy: Copy, snapshotId: string, what: string): Promise<void> {
  const { side, region, ec2 } = copy;
  const item = run.item(what, side, region);
  try {
    const result = await run.send(
      { what: `Deleting ${what}`, side, region, actions: ['ec2:DeleteSnapshot'], manual: manual.deleteSnapshot(region, snapshotId) },
      () => ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })),
      'snapshot',
    );
    run.removed(item, result instanceof Gone ? result : undefined);
  } catch (error) {
    run.failed(item, error);
  }
}

/**
 * Deletes the copy's snapshots that are left: those with `ids` when known (from the journal or the image), else those
 * found by tag and description. Only snapshots carrying the copy's role tag are deleted.
 */
export async function removeSnapshots(run: CleanupRun, copy: Copy, ids: readonly string[] | undefined): Promise<void> {
  let leftovers: Snapshot[];
  try {
    leftovers = ids ? await snapshotsById(run, copy, ids) : await snapshotsOfCopy(run, copy);
  } catch (error) {
    run.failed(run.item(`snapshots of ${copy.imageId}`, copy.side, copy.region), error);
    return;
  }
  for (const snapshot of leftovers) {
    const what = `snapshot ${snapshot.SnapshotId} of ${copy.imageId}`;
    if (tagValue(snapshot.Tags, TAG.role) !== copy.role) {
      run.kept(run.item(what, copy.side, copy.region), `it does not carry the tag ${TAG.role}=${copy.role}.`);
      continue;
    }
    await deleteSnapshot(run, copy, snapshot.SnapshotId as string, what);
  }
}

/** Snapshot IDs DeregisterImage reports as deleted with the image. */
function deletedWith(result: DeregisterImageCommandOutput | Gone): string[] {
  if (result instanceof Gone) return [];
  return (result.DeleteSnapshotResults ?? []).flatMap((r) => (r.ReturnCode === 'success' && r.SnapshotId ? [r.SnapshotId] : []));
}

/**
 * Deregisters the copy and deletes its snapshots in the same call (DeleteAssociatedSnapshots:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeregisterImage.html). Returns the snapshots of `knownIds`
 * and the image that were not deleted with it, or undefined when none is known (then they are found by tag).
 */
export async function deregisterWithSnapshots(
  run: CleanupRun,
  copy: Copy,
  image: Image,
  knownIds: readonly string[] = [],
): Promise<{ result: DeregisterImageCommandOutput | Gone; leftover: string[] | undefined }> {
  const result = await deregister(run, copy, image);
  const deleted = deletedWith(result);
  const known = [...new Set([...knownIds, ...snapshotIdsOf(image), ...deleted])];
  return { result, leftover: known.length > 0 ? known.filter((id) => !deleted.includes(id)) : undefined };
}

// --- target copies that never finished -----------------------------------------------------------------

/**
 * Deregisters an unfinished copy in a target account with its snapshots. `knownSnapshotIds`: snapshot copies the
 * journal names for it (copy-method snapshots), deleted by the same call or after it, also when the image is gone.
 */
export async function removeTargetCopy(run: CleanupRun, region: string, imageId: string, knownSnapshotIds: readonly string[] = []): Promise<void> {
  const ec2 = run.target.clients.ec2(region);
  const copy: Copy = { side: 'target', region, imageId, label: `unfinished copy ${imageId}`, ec2, role: ROLE_PROMOTED };
  const item = run.item(copy.label, 'target', region);
  let ids: string[] | undefined = knownSnapshotIds.length > 0 ? [...knownSnapshotIds] : undefined;
  try {
    const image = await findImage(run, copy);
    if (image instanceof Gone) {
      run.removed(item, image);
    } else {
      if (tagValue(image.Tags, TAG.role) !== ROLE_PROMOTED) {
        run.kept(item, `it does not carry the tag ${TAG.role}=${ROLE_PROMOTED}, so it is not treated as this action's copy and is left alone.`);
        return;
      }
      const { result, leftover } = await deregisterWithSnapshots(run, copy, image, knownSnapshotIds);
      run.removed(item, result instanceof Gone ? result : undefined);
      ids = leftover;
    }
  } catch (error) {
    run.failed(item, error);
    return;
  }
  await removeSnapshots(run, copy, ids);
}

// --- copy-method snapshots: snapshot copies whose AMI did not finish -----------------------------------

/**
 * Deletes a snapshot copy the run made in a target account, pending or not, when it carries the promoted role tag.
 * That deleting a pending copy stops it is what the EBS guide's copy page says
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html); not verified against AWS here.
 */
export async function removeSnapshotCopy(run: CleanupRun, region: string, snapshotId: string, sourceSnapshotId: string): Promise<void> {
  const ec2 = run.target.clients.ec2(region);
  const copy: Copy = { side: 'target', region, imageId: sourceSnapshotId, label: `copy of ${sourceSnapshotId}`, ec2, role: ROLE_PROMOTED };
  await removeSnapshots(run, copy, [snapshotId]);
}
