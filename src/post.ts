import * as core from '@actions/core';
import { describeEntry, nothingToUndo } from './domain/cleanup/journal-view.js';
import type { Journal } from './domain/journal.js';
import { createPersistedJournal } from './github/state.js';

function leftover(journal: Journal | undefined): string {
  if (!journal) return '';
  const entries = journal.entries().filter((entry) => entry.kind !== 'cleaned' && entry.kind !== 'kept');
  if (entries.length === 0) return '';
  return `\nThe main step recorded these changes, which may still be in place:\n${entries.map((entry) => `- ${describeEntry(entry)}`).join('\n')}`;
}

/**
 * The post step: undoes what the main step left behind (after a failure, a cancellation, or a failed cleanup).
 * With nothing to undo it returns before loading the AWS SDK.
 */
export async function run(): Promise<void> {
  let journal: Journal | undefined;
  try {
    journal = createPersistedJournal();
    const nothing = nothingToUndo(journal.entries());
    if (nothing) {
      core.info(`Nothing to clean up: ${nothing}`);
      return;
    }
    const { cleanUpAfterMain } = await import('./github/cleanup-step.js');
    await cleanUpAfterMain(journal);
  } catch (error) {
    core.setFailed(`Cleanup failed: ${error instanceof Error ? error.message : String(error)}${leftover(journal)}`);
  }
}
