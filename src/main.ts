import * as core from '@actions/core';
import { cleanUp } from './domain/cleanup/cleanup.js';
import { systemClock, type PromotionContext } from './domain/context.js';
import { withDecodedAuthorization } from './domain/preflight/decode-authorization.js';
import { PromotionError } from './aws/errors.js';
import { callerIdentity } from './domain/lookups/identity.js';
import { planFrom, promoteWith, runPreflight, type PromotionResult } from './domain/pipeline.js';
import type { PreflightResult } from './domain/preflight/preflight.js';
import { policyInputs } from './domain/preflight/policy-inputs.js';
import { generatePolicies, type GeneratedPolicies } from './policy/generate.js';
import { reportDryRun } from './github/dry-run.js';
import { readInputs } from './github/inputs.js';
import { actionsLogger } from './github/logger.js';
import { openSessions } from './github/sessions.js';
import { createPersistedJournal } from './github/state.js';
import { addCleanupSummary, addPoliciesSummary, addPreflightSummary, addPromotionSummary, writeSummary } from './github/summary.js';

function setOutputs(result: PromotionResult): void {
  const first = result.regions[0];
  core.setOutput('ami-id', first?.imageId ?? '');
  core.setOutput('ami-ids', JSON.stringify(Object.fromEntries(result.regions.map((r) => [r.region, r.imageId]))));
  core.setOutput('snapshot-ids', JSON.stringify(Object.fromEntries(result.regions.map((r) => [r.region, r.snapshotIds]))));
  core.setOutput('reencrypted-ami-id', result.reencryptedImageId ?? '');
  core.setOutput('reused', String(result.reused));
}

/** Aborts on the runner's cancel signals so that waits stop at once and the post step can clean up. */
function cancellation(): AbortController {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      core.warning(`Received ${signal}: stopping. The post step removes what this run shared, granted or copied.`);
      controller.abort(new Error(`The job was cancelled (${signal}).`));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller;
}

async function cleanUpAfter(ctx: PromotionContext): Promise<void> {
  const report = await core.group('Clean up', () =>
    cleanUp({
      source: ctx.source,
      target: ctx.target,
      journal: ctx.journal,
      log: ctx.log,
      clock: ctx.clock,
      signal: ctx.signal,
      sides: {
        source: { accountId: ctx.sourceIdentity.accountId, roleArn: ctx.sourceIdentity.principalArn },
        target: { accountId: ctx.targetIdentity.accountId, roleArn: ctx.targetIdentity.principalArn },
      },
    }),
  );
  addCleanupSummary(report);
  await writeSummary();
  for (const item of report.failed) core.warning(item.message);
}

export async function run(): Promise<void> {
  const controller = cancellation();
  let ctx: PromotionContext | undefined;
  let pre: PreflightResult | undefined;
  let policies: GeneratedPolicies | undefined;
  let summarised = false;
  const summarise = async (result?: PromotionResult) => {
    if (summarised) return;
    summarised = true;
    if (result && ctx) addPromotionSummary(ctx.request, result);
    if (pre) addPreflightSummary(pre.findings);
    if (policies) addPoliciesSummary(policies);
    await writeSummary();
  };
  try {
    const inputs = readInputs();
    const { request } = inputs;
    for (const warning of inputs.warnings) core.warning(warning);
    const journal = createPersistedJournal();
    const sessions = openSessions(inputs);
    const [sourceIdentity, targetIdentity] = await Promise.all([
      callerIdentity(sessions.source, request.sourceRegion, 'source', request.sourceRole),
      callerIdentity(sessions.target, request.sourceRegion, 'target', request.targetRole),
    ]);
    core.info(`Source: account ${sourceIdentity.accountId} as ${sourceIdentity.arn}`);
    core.info(`Target: account ${targetIdentity.accountId} as ${targetIdentity.arn}`);
    core.setOutput('target-account-id', targetIdentity.accountId);
    ctx = {
      request,
      source: sessions.source,
      target: sessions.target,
      sourceIdentity,
      targetIdentity,
      journal,
      log: actionsLogger,
      clock: systemClock,
      signal: controller.signal,
      deadline: systemClock.now() + request.waitTimeoutMinutes * 60_000,
    };

    pre = await runPreflight(ctx);
    policies = generatePolicies(policyInputs(ctx, pre, inputs.session.audience));
    core.setOutput('policies', JSON.stringify(policies));
    if (request.dryRun) {
      reportDryRun(request, pre);
      await summarise();
      return;
    }
    const result = await promoteWith(ctx, planFrom(pre));
    setOutputs(result);
    core.info(`Promoted ${request.sourceAmiId} to ${result.regions.map((r) => `${r.imageId} (${r.region})`).join(', ')}.`);
    await summarise(result);
    if (request.cleanup) await cleanUpAfter(ctx);
    else if (journal.entries().length > 0) journal.record({ kind: 'kept' });
  } catch (caught) {
    const error = caught instanceof PromotionError && ctx ? await withDecodedAuthorization(caught, ctx, ctx.request.sourceRegion) : caught;
    core.setFailed(error instanceof Error ? error.message : String(error));
    await summarise();
    if (ctx && !controller.signal.aborted) {
      try {
        await cleanUpAfter(ctx);
      } catch (cleanupError) {
        core.warning(`Cleanup after the failure did not finish; the post step tries again: ${cleanupError instanceof Error ? cleanupError.message : String(cleanupError)}`);
      }
    }
  }
}
