/** One change a run made in AWS, recorded as soon as it succeeds so that cleanup can undo it. */
export type Change =
  /** The re-encrypted copy in the source account (possibly shared with another run of the same source). */
  | { kind: 'intermediate-copy'; region: string; imageId: string; snapshotIds: string[] }
  /** This run's lease tag on the intermediate copy (recorded before it is written): cleanup deletes it. */
  | { kind: 'lease'; region: string; imageId: string; key: string }
  /** An intermediate copy this run saw removed by another run: cleanup does not wait for it to show. */
  | { kind: 'intermediate-gone'; region: string; imageId: string }
  | { kind: 'launch-permission'; region: string; imageId: string; accountId: string }
  | { kind: 'volume-permission'; region: string; snapshotId: string; accountId: string }
  | { kind: 'grant'; region: string; keyArn: string; grantId: string; grantName: string }
  /** A statement added to a key policy: kept on purpose, recorded for the report. */
  | { kind: 'key-policy-statement'; region: string; keyArn: string; sid: string }
  /** A copy in a target account; accountId is absent in journals of versions with one target. */
  | { kind: 'target-copy'; accountId?: string; region: string; imageId: string }
  | { kind: 'target-copy-done'; accountId?: string; region: string; imageId: string }
  /** copy-method snapshots: one snapshot copied into a target account, before the AMI is registered from the copies. */
  | { kind: 'target-snapshot-copy'; accountId: string; region: string; snapshotId: string; sourceSnapshotId: string }
  /** Cleanup ran to the end; nothing is left to undo. */
  | { kind: 'cleaned' }
  /** The run succeeded with cleanup turned off: the sharing and grants stay on purpose. */
  | { kind: 'kept' };

/**
 * A change with the time it was recorded (epoch ms), set by a journal that has a clock. Cleanup uses it to tell a
 * resource too new to be visible yet (EC2 and KMS are eventually consistent) from one that is gone; journals saved
 * without it (older versions of the action) read as changes of unknown age.
 */
export type JournalEntry = Change & { at?: number };

export interface Journal {
  record(entry: JournalEntry): void;
  entries(): readonly JournalEntry[];
}

export class MemoryJournal implements Journal {
  private readonly list: JournalEntry[];

  /** `now`, when given, stamps each recorded entry with `at`. */
  constructor(
    initial: readonly JournalEntry[] = [],
    private readonly onChange?: (entries: readonly JournalEntry[]) => void,
    private readonly now?: () => number,
  ) {
    this.list = [...initial];
  }

  record(entry: JournalEntry): void {
    this.list.push(this.now ? { ...entry, at: this.now() } : entry);
    this.onChange?.(this.list);
  }

  entries(): readonly JournalEntry[] {
    return this.list;
  }
}
