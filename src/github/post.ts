import * as core from '@actions/core';
import { cleanUp, describeEntry, nothingToUndo, type CleanupReport } from '../domain/cleanup.js';
import type { Journal } from '../domain/journal.js';
import { readInputs } from './inputs.js';
import { actionsLogger } from './logger.js';
import { openSessions } from './sessions.js';
import { createPersistedJournal } from './state.js';

/** The job summary's "Cleanup" section: one row per item removed, kept or not removed. */
export async function writeCleanupSummary(report: CleanupReport): Promise<void> {
  const place = (item: { side: string; accountId?: string; region: string }) =>
    `${item.side}${item.accountId ? ` ${item.accountId}` : ''}, ${item.region}`;
  const rows = [
    ...report.removed.map((item) => ['removed', item.what, place(item), item.alreadyGone ? 'already gone' : '']),
    ...report.kept.map((item) => ['kept', item.what, place(item), item.reason]),
    ...report.failed.map((item) => ['failed', item.what, place(item), `${item.why} Fix: ${item.fix}`]),
  ];
  const header = ['Result', 'Item', 'Account, region', 'Detail'].map((data) => ({ data, header: true }));
  const summary = core.summary.addHeading('Cleanup', 3);
  if (rows.length === 0) summary.addRaw('Nothing was left to undo.', true);
  else summary.addTable([header, ...rows]);
  await summary.write();
}

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
      sides: {
        source: { accountId: request.kmsKey.accountId, roleArn: request.sourceRole?.arn },
        target: { accountId: request.targetRole.accountId, roleArn: request.targetRole.arn },
      },
    };
    const report = await core.group('Clean up', () => cleanUp(ctx));
    try {
      await writeCleanupSummary(report);
    } catch (error) {
      core.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
    }
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
