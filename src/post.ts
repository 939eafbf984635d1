import * as core from '@actions/core';
import { errorMessage } from './aws/errors.js';
import { describeEntry, nothingToUndo } from './domain/cleanup/journal-view.js';
import type { Journal } from './domain/journal.js';
import { createPersistedJournal, readDeploymentState } from './github/state.js';

function leftover(journal: Journal | undefined): string {
  if (!journal) return '';
  const entries = journal.entries().filter((entry) => entry.kind !== 'cleaned' && entry.kind !== 'kept');
  if (entries.length === 0) return '';
  return `\nThe main step recorded these changes, which may still be in place:\n${entries.map((entry) => `- ${describeEntry(entry)}`).join('\n')}`;
}

/** Undoes what the journal holds; true when nothing is left in place. */
async function cleanUp(): Promise<boolean> {
  let journal: Journal | undefined;
  try {
    journal = createPersistedJournal();
    const nothing = nothingToUndo(journal.entries());
    if (nothing) {
      core.info(`Nothing to clean up: ${nothing}`);
      return true;
    }
    const { cleanUpAfterMain } = await import('./github/cleanup-step.js');
    return await cleanUpAfterMain(journal);
  } catch (error) {
    core.setFailed(`Cleanup failed: ${errorMessage(error)}${leftover(journal)}`);
    return false;
  }
}

/**
 * The post step: undoes what the main step left behind (after a failure, a cancellation, or a failed cleanup), then
 * closes a deployment the main step left in progress. With nothing to do it returns before loading the AWS SDK.
 */
export async function run(): Promise<void> {
  const cleanedUp = await cleanUp();
  const deployment = readDeploymentState();
  if (deployment && !deployment.finished) {
    const { closeAfterCancellation } = await import('./github/deployment-step.js');
    await closeAfterCancellation(deployment, cleanedUp);
  }
}
