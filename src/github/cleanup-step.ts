import * as core from '@actions/core';
import { cleanUp } from '../domain/cleanup/cleanup.js';
import { systemClock } from '../domain/context.js';
import { loadServiceClients, type AccountClients } from '../aws/clients.js';
import type { CleanupContext } from '../domain/cleanup/report.js';
import type { Journal } from '../domain/journal.js';
import type { PromotionRequest, TargetSpec } from '../domain/types.js';
import { readInputs } from './inputs.js';
import { actionsLogger } from './logger.js';
import { loadRunContext } from './run-context.js';
import { openSessions } from './sessions.js';
import { addCleanupSummary, writeSummary } from './summary.js';

/**
 * The accounts as cleanup names them, from the inputs alone (the post step identifies no one): the source account owns
 * the key; a source without source-role-arn uses credentials from the environment.
 */
export function cleanupAccounts(
  request: PromotionRequest,
  source: AccountClients,
  targets: readonly { spec: TargetSpec; clients: AccountClients }[],
): Pick<CleanupContext, 'source' | 'targets'> {
  return {
    source: { clients: source, accountId: request.kmsKey.accountId, roleArn: request.sourceRole?.arn },
    targets: targets.map(({ spec, clients }) => ({ clients, accountId: spec.role.accountId, roleArn: spec.role.arn })),
  };
}

/** The post step's cleanup with fresh sessions: loaded only when the journal holds something to undo; true when nothing is left. */
export async function cleanUpAfterMain(journal: Journal): Promise<boolean> {
  const [run] = await Promise.all([loadRunContext(), loadServiceClients()]);
  const inputs = readInputs(run);
  const sessions = openSessions(inputs);
  const accounts = cleanupAccounts(inputs.request, sessions.source, sessions.targets);
  const ctx = { ...accounts, journal, log: actionsLogger, clock: systemClock };
  const report = await core.group('Clean up', () => cleanUp(ctx));
  addCleanupSummary(report);
  await writeSummary();
  if (report.failed.length > 0) {
    core.setFailed(
      `Cleanup could not undo ${report.failed.length} change(s); they are still in place:\n\n` + report.failed.map((item) => item.message).join('\n\n'),
    );
  } else {
    core.info(`Cleanup done: ${report.removed.length} removed, ${report.kept.length} kept on purpose.`);
  }
  return report.failed.length === 0;
}
