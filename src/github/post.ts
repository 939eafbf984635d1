import * as core from '@actions/core';
import { cleanUp, describeEntry, nothingToUndo } from '../domain/cleanup.js';
import { systemClock } from '../domain/context.js';
import type { Journal } from '../domain/journal.js';
import { readInputs } from './inputs.js';
import { actionsLogger } from './logger.js';
import { openSessions } from './sessions.js';
import { createPersistedJournal } from './state.js';
import { addCleanupSummary, writeSummary } from './summary.js';

function leftover(journal: Journal | undefined): string {
  if (!journal) return '';
  const entries = journal.entries().filter((entry) => entry.kind !== 'cleaned' && entry.kind !== 'kept');
  if (entries.length === 0) return '';
  return `\nThe main step recorded these changes, which may still be in place:\n${entries.map((entry) => `- ${describeEntry(entry)}`).join('\n')}`;
}

/** The post step: undoes what the main step left behind (after a failure, a cancellation, or a failed cleanup). */
export async function runPost(): Promise<void> {
  let journal: Journal | undefined;
  try {
    journal = createPersistedJournal();
    const nothing = nothingToUndo(journal.entries());
    if (nothing) {
      core.info(`Nothing to clean up: ${nothing}`);
      return;
    }
    const inputs = readInputs();
    const { request } = inputs;
    const sessions = openSessions(inputs);
    const ctx = {
      source: sessions.source,
      target: sessions.target,
      journal,
      log: actionsLogger,
      clock: systemClock,
      sides: {
        source: { accountId: request.kmsKey.accountId, roleArn: request.sourceRole?.arn },
        target: { accountId: request.targetRole.accountId, roleArn: request.targetRole.arn },
      },
    };
    const report = await core.group('Clean up', () => cleanUp(ctx));
    addCleanupSummary(report);
    await writeSummary();
    if (report.failed.length > 0) {
      core.setFailed(
        `Cleanup could not undo ${report.failed.length} change(s); they are still in place:\n\n` +
          report.failed.map((item) => item.message).join('\n\n'),
      );
    } else {
      core.info(`Cleanup done: ${report.removed.length} removed, ${report.kept.length} kept on purpose.`);
    }
  } catch (error) {
    core.setFailed(`Cleanup failed: ${error instanceof Error ? error.message : String(error)}${leftover(journal)}`);
  }
}
