import { removeSnapshotCopy, removeTargetCopy } from './images.js';
import { removeIntermediateCopy } from './intermediate.js';
import { nothingToUndo, pending } from './journal-view.js';
import type { CleanupContext, CleanupReport } from './report.js';
import { CleanupRun } from './run.js';
import { removeGrant, removePermissions } from './sharing.js';
import type { JournalEntry } from '../journal.js';

function unique<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

type Entry<K extends JournalEntry['kind']> = Extract<JournalEntry, { kind: K }>;

function ofKind<K extends JournalEntry['kind']>(entries: readonly JournalEntry[], kind: K): Entry<K>[] {
  return entries.filter((entry): entry is Entry<K> => entry.kind === kind);
}

/** The accounts of each image or snapshot's permissions, in journal order. */
type Shared = { kind: 'image' | 'snapshot'; region: string; resourceId: string };

function byResource(permissions: (Shared & { accountId: string })[]): { permission: Shared; accountIds: string[] }[] {
  const groups = new Map<string, { permission: Shared; accountIds: string[] }>();
  for (const { kind, region, resourceId, accountId } of permissions) {
    const key = `${region} ${resourceId}`;
    const group = groups.get(key) ?? { permission: { kind, region, resourceId }, accountIds: [] as string[] };
    group.accountIds.push(accountId);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * When this run created each image, snapshot and grant it recorded (the first record of it): a resource is created
 * with its journal entry, and a copy's snapshots with the copy. Entries without a time (older journals) and
 * intermediate copies the run saw removed by another run are left out: "not found" is final for them.
 */
function creationTimes(entries: readonly JournalEntry[]): Map<string, number> {
  const times = new Map<string, number>();
  const note = (id: string, at: number | undefined) => {
    if (at !== undefined && at < (times.get(id) ?? Infinity)) times.set(id, at);
  };
  for (const entry of entries) {
    if (entry.kind === 'intermediate-copy' || entry.kind === 'target-copy') note(entry.imageId, entry.at);
    if (entry.kind === 'grant') note(entry.grantId, entry.at);
    if (entry.kind === 'target-snapshot-copy') note(entry.snapshotId, entry.at);
  }
  for (const entry of ofKind(entries, 'intermediate-copy')) {
    for (const snapshotId of entry.snapshotIds) note(snapshotId, times.get(entry.imageId));
  }
  for (const entry of ofKind(entries, 'intermediate-gone')) times.delete(entry.imageId);
  return times;
}

const copyKey = (e: Entry<'target-copy' | 'target-copy-done'>) => `${e.accountId ?? ''} ${e.region} ${e.imageId}`;

const siteKey = (e: { accountId?: string; region: string }) => `${e.accountId ?? ''} ${e.region}`;

/**
 * Copies in the target accounts that never finished, each deregistered with its snapshots (with copy-method snapshots,
 * the snapshot copies of its account and region), then the snapshot copies of a region whose AMI was never
 * registered. A finished copy and its snapshots are the product: never touched.
 */
async function unfinishedCopies(run: CleanupRun, todo: JournalEntry[]): Promise<void> {
  const done = new Set(ofKind(todo, 'target-copy-done').map(copyKey));
  const doneSites = new Set(ofKind(todo, 'target-copy-done').map(siteKey));
  const unfinished = unique(ofKind(todo, 'target-copy'), copyKey).filter((entry) => !done.has(copyKey(entry)));
  const snapshotCopies = unique(ofKind(todo, 'target-snapshot-copy'), (e) => `${siteKey(e)} ${e.snapshotId}`).filter((e) => !doneSites.has(siteKey(e)));
  const copiesAt = (site: string) => snapshotCopies.filter((e) => siteKey(e) === site).map((e) => e.snapshotId);
  const imageSites = new Set(unfinished.map(siteKey));
  await Promise.all([
    ...unfinished.map((entry) => removeTargetCopy(run.forTarget(entry.accountId), entry.region, entry.imageId, copiesAt(siteKey(entry)))),
    ...snapshotCopies
      .filter((entry) => !imageSites.has(siteKey(entry)))
      .map((entry) => removeSnapshotCopy(run.forTarget(entry.accountId), entry.region, entry.snapshotId, entry.sourceSnapshotId)),
  ]);
}

/** Sharing with the target accounts: only the accounts recorded are removed, all of a resource's in one call. */
async function sharing(run: CleanupRun, todo: JournalEntry[]): Promise<void> {
  const images = unique(ofKind(todo, 'launch-permission'), (e) => `${e.region} ${e.imageId} ${e.accountId}`);
  const snapshots = unique(ofKind(todo, 'volume-permission'), (e) => `${e.region} ${e.snapshotId} ${e.accountId}`);
  const permissions = [
    ...images.map((e) => ({ kind: 'image' as const, region: e.region, resourceId: e.imageId, accountId: e.accountId })),
    ...snapshots.map((e) => ({ kind: 'snapshot' as const, region: e.region, resourceId: e.snapshotId, accountId: e.accountId })),
  ];
  await Promise.all(byResource(permissions).map(({ permission, accountIds }) => removePermissions(run, permission, accountIds)));
}

async function grants(run: CleanupRun, todo: JournalEntry[]): Promise<void> {
  const entries = unique(ofKind(todo, 'grant'), (e) => `${e.region} ${e.keyArn} ${e.grantId}`);
  await Promise.all(entries.map((entry) => removeGrant(run, entry.region, entry.keyArn, entry.grantId, entry.grantName)));
}

/**
 * This run's leases on the intermediate copy, then the copy unless another run still uses it. The copy is looked at
 * while `undone` (the rest of cleanup) runs, and removed only after it, when no unfinished copy reads its snapshots.
 */
async function intermediateCopies(run: CleanupRun, todo: JournalEntry[], undone: Promise<unknown>): Promise<void> {
  const intermediates = new Map<string, Entry<'intermediate-copy'>>();
  for (const entry of ofKind(todo, 'intermediate-copy')) {
    const key = `${entry.region} ${entry.imageId}`;
    const seen = intermediates.get(key);
    intermediates.set(key, seen ? { ...seen, snapshotIds: [...new Set([...seen.snapshotIds, ...entry.snapshotIds])] } : entry);
  }
  const removals = [...intermediates.values()].map((entry) => {
    const onIt = <E extends { region: string; imageId: string }>(e: E) => e.region === entry.region && e.imageId === entry.imageId;
    const accounts = new Set(ofKind(todo, 'launch-permission').filter(onIt).map((p) => p.accountId));
    const leases = [...new Set(ofKind(todo, 'lease').filter(onIt).map((l) => l.key))];
    return removeIntermediateCopy(run, entry.region, entry.imageId, entry.snapshotIds, { accounts, leases }, undone);
  });
  await Promise.all([undone, ...removals]);
}

/** What stays on purpose: key-policy statements asked for, and the promoted AMIs. */
function keptOnPurpose(run: CleanupRun, todo: JournalEntry[]): void {
  for (const entry of unique(ofKind(todo, 'key-policy-statement'), (e) => `${e.region} ${e.keyArn} ${e.sid}`)) {
    run.kept(
      run.item(`key-policy statement ${entry.sid} on ${entry.keyArn}`, 'source', entry.region),
      'key-access is key-policy: the statement was asked for and stays; remove it from the key policy by hand when the target account no longer needs the key.',
    );
  }
  for (const entry of unique(ofKind(todo, 'target-copy-done'), copyKey)) {
    run.kept(run.forTarget(entry.accountId).item(`promoted AMI ${entry.imageId}`, 'target', entry.region), 'it is the result of the promotion.');
  }
}

/**
 * Undoes what the journal records and no earlier cleanup undid: unfinished target copies, the sharing and grants, all
 * at once, then the intermediate copy. Every undo is attempted; failures are collected in the report. Records
 * `cleaned` when nothing failed.
 */
export async function cleanUp(ctx: CleanupContext): Promise<CleanupReport> {
  const entries = ctx.journal.entries();
  const nothing = nothingToUndo(entries);
  if (nothing) {
    ctx.log.info(`Nothing to clean up: ${nothing}`);
    return { nothingToDo: nothing, removed: [], kept: [], failed: [] };
  }
  const todo = pending(entries);
  const run = new CleanupRun(ctx, creationTimes(entries));
  const undone = Promise.all([unfinishedCopies(run, todo), sharing(run, todo), grants(run, todo)]);
  await intermediateCopies(run, todo, undone);
  keptOnPurpose(run, todo);
  if (run.report.failed.length === 0) ctx.journal.record({ kind: 'cleaned' });
  return run.report;
}
