// What the journal says is left to undo, readable without the AWS SDK (the post step loads it only when needed).
import type { JournalEntry } from '../journal.js';
import { manual } from './manual.js';

/** Why there is nothing to undo, or undefined when the journal holds changes to undo. */
export function nothingToUndo(entries: readonly JournalEntry[]): string | undefined {
  const last = entries.at(-1);
  if (!last) return 'the main step made no change in AWS.';
  if (last.kind === 'cleaned') return 'the main step already removed its temporary sharing, grants and copies.';
  if (last.kind === 'kept') return 'the promotion succeeded with cleanup turned off, so the sharing and grants stay on purpose.';
  return undefined;
}

/** The entries a previous cleanup has not covered: those after the last `cleaned` or `kept` mark. */
export function pending(entries: readonly JournalEntry[]): JournalEntry[] {
  let start = 0;
  entries.forEach((entry, index) => {
    if (entry.kind === 'cleaned' || entry.kind === 'kept') start = index + 1;
  });
  return entries.slice(start);
}

/** A one-line description of a journal entry with the command that undoes it by hand. */
export function describeEntry(entry: JournalEntry): string {
  switch (entry.kind) {
    case 'intermediate-copy':
      return [
        `intermediate copy ${entry.imageId} (source account, ${entry.region}): ${manual.deregister(entry.region, entry.imageId)}`,
        ...entry.snapshotIds.map((id) => manual.deleteSnapshot(entry.region, id)),
      ].join('; then ');
    case 'lease':
      return `lease tag ${entry.key} on the intermediate copy ${entry.imageId} (source account, ${entry.region}): ${manual.deleteTag(entry.region, entry.imageId, entry.key)}`;
    case 'intermediate-gone':
      return `intermediate copy ${entry.imageId} (source account, ${entry.region}): removed by another run`;
    case 'launch-permission':
      return `launch permission of account ${entry.accountId} on ${entry.imageId} (source account, ${entry.region}): ${manual.launchPermission(entry.region, entry.imageId, entry.accountId)}`;
    case 'volume-permission':
      return `createVolumePermission of account ${entry.accountId} on ${entry.snapshotId} (source account, ${entry.region}): ${manual.volumePermission(entry.region, entry.snapshotId, entry.accountId)}`;
    case 'grant':
      return `KMS grant ${entry.grantName} (${entry.grantId}) on ${entry.keyArn}: ${manual.revokeGrant(entry.region, entry.keyArn, entry.grantId)}`;
    case 'key-policy-statement':
      return `key-policy statement ${entry.sid} on ${entry.keyArn} (kept on purpose)`;
    case 'target-copy':
      return `copy ${entry.imageId} (target account${entry.accountId ? ` ${entry.accountId}` : ''}, ${entry.region}): ${manual.deregister(entry.region, entry.imageId)}`;
    case 'target-snapshot-copy':
      return `copy ${entry.snapshotId} of snapshot ${entry.sourceSnapshotId} (target account ${entry.accountId}, ${entry.region}): ${manual.deleteSnapshot(entry.region, entry.snapshotId)}`;
    case 'target-copy-done':
      return `promoted AMI ${entry.imageId} (target account${entry.accountId ? ` ${entry.accountId}` : ''}, ${entry.region})`;
    case 'cleaned':
      return 'cleanup finished';
    case 'kept':
      return 'sharing kept on purpose (cleanup turned off)';
  }
}
