import * as core from '@actions/core';
import { systemClock } from '../domain/context.js';
import { MemoryJournal, type Journal, type JournalEntry } from '../domain/journal.js';

/** The state name under which the main step saves its journal for the post step. */
const JOURNAL_STATE = 'journal';

const KINDS = new Set<string>([
  'intermediate-copy',
  'lease',
  'intermediate-gone',
  'launch-permission',
  'volume-permission',
  'grant',
  'key-policy-statement',
  'target-copy',
  'target-copy-done',
  'target-snapshot-copy',
  'cleaned',
  'kept',
]);

/** Parses saved journal state; empty or absent state is an empty journal. */
export function parseJournalState(raw: string): JournalEntry[] {
  if (raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`The saved state "${JOURNAL_STATE}" is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!Array.isArray(parsed)) throw new Error(`The saved state "${JOURNAL_STATE}" is not a list of journal entries.`);
  parsed.forEach((entry: unknown, index) => {
    const kind = typeof entry === 'object' && entry !== null ? (entry as { kind?: unknown }).kind : undefined;
    if (typeof kind !== 'string' || !KINDS.has(kind)) {
      throw new Error(`The saved state "${JOURNAL_STATE}" has an entry ${index + 1} of unknown kind: ${JSON.stringify(entry)}.`);
    }
  });
  return parsed as JournalEntry[];
}

/** The run's journal, loaded from saved state (in the post step) and saved again on every record, each entry with its time. */
export function createPersistedJournal(): Journal {
  let initial: JournalEntry[];
  try {
    initial = parseJournalState(core.getState(JOURNAL_STATE));
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)} The post step cannot tell what the main step changed; ` +
        'look in the main step log for the resources it shared, granted or copied and remove them by hand.',
      { cause: error },
    );
  }
  return new MemoryJournal(initial, (entries) => core.saveState(JOURNAL_STATE, JSON.stringify(entries)), systemClock.now);
}

/** The state name under which the main step saves the GitHub deployment it recorded, for the post step. */
const DEPLOYMENT_STATE = 'deployment';

/** The deployment the main step recorded; `finished` once main set its final status (else the post step does). */
export interface DeploymentState {
  id: number;
  finished: boolean;
}

export function saveDeploymentState(state: DeploymentState): void {
  core.saveState(DEPLOYMENT_STATE, JSON.stringify(state));
}

/** The saved deployment, or undefined when none was recorded (or the state is unreadable: recording never fails a step). */
export function readDeploymentState(): DeploymentState | undefined {
  try {
    const parsed = JSON.parse(core.getState(DEPLOYMENT_STATE) || 'null') as Partial<DeploymentState> | null;
    return typeof parsed?.id === 'number' ? { id: parsed.id, finished: parsed.finished === true } : undefined;
  } catch {
    return undefined;
  }
}
