import * as core from '@actions/core';
import { PromotionError, errorMessage } from './aws/errors.js';
import { cleanUp } from './domain/cleanup/cleanup.js';
import { accountOf, systemClock, type Account, type PromotionContext } from './domain/context.js';
import { assumedIdentity, callerIdentity } from './domain/lookups/identity.js';
import { promote, runPreflight, type AfterCopyFailure, type CopyFailure, type PromotionResult } from './domain/pipeline.js';
import { withDecodedAuthorization } from './domain/preflight/decode-authorization.js';
import { policiesForTargets, type FleetPolicies } from './domain/preflight/policy-inputs.js';
import type { PreflightResult } from './domain/preflight/preflight.js';
import { addAfterCopySummary, launchTemplateVersionsOutput, retiredOutput } from './github/after-copy-summary.js';
import { cleanupAccounts } from './github/cleanup-step.js';
import { imageList } from './github/deployment.js';
import { promotedImages } from './github/deployment-progress.js';
import { reportDryRun } from './github/dry-run.js';
import { readDeploymentSettings } from './github/deployment-inputs.js';
import type { DeploymentRecord } from './github/deployment-record.js';
import { openDeploymentRecord, recordOutcome, watchForDeployment } from './github/deployment-step.js';
import type { ActionInputs } from './github/inputs.js';
import { actionsLogger } from './github/logger.js';
import type { RunContext } from './github/run-context.js';
import type { Sessions } from './github/sessions.js';
import { createPersistedJournal } from './github/state.js';
import { addCleanupSummary, addPoliciesSummary, addPreflightSummary, addPromotionSummary, writeSummary } from './github/summary.js';

/** ami-id, ami-ids and snapshot-ids describe the first target account; promotions every account and region. */
function setOutputs(result: PromotionResult): void {
  const regions = result.targets[0]?.regions ?? [];
  core.setOutput('ami-id', regions[0]?.imageId ?? '');
  core.setOutput('ami-ids', JSON.stringify(Object.fromEntries(regions.map((r) => [r.region, r.imageId]))));
  core.setOutput('snapshot-ids', JSON.stringify(Object.fromEntries(regions.map((r) => [r.region, r.snapshotIds]))));
  const promotions = result.targets.map((t) => [t.accountId, Object.fromEntries(t.regions.map((r) => [r.region, { 'ami-id': r.imageId, 'snapshot-ids': r.snapshotIds }]))]);
  core.setOutput('promotions', JSON.stringify(Object.fromEntries(promotions)));
  core.setOutput('reencrypted-ami-id', result.reencryptedImageId ?? '');
  core.setOutput('reused', String(result.reused));
  core.setOutput('launch-template-versions', JSON.stringify(launchTemplateVersionsOutput(result.launchTemplates)));
  core.setOutput('retired', JSON.stringify(retiredOutput(result.retirement)));
}

/** With role-chaining: who the credentials in the environment are (they assume the roles), for the trust policies. */
async function chainingPrincipal({ request, session }: ActionInputs, sessions: Sessions, source: Account): Promise<string | undefined> {
  if (!session.roleChaining) return undefined;
  const principal = request.sourceRole ? (await callerIdentity(sessions.environment, request.sourceRegion, 'source')).principalArn : source.identity.principalArn;
  core.info(`Role chaining: the roles are assumed with sts:AssumeRole by ${principal}`);
  return principal;
}

/**
 * Who the action is in each account: a role's identity follows from its ARN and the session name (the target roles
 * are assumed already, the source role when the preflight first needs it: a re-run may not); only credentials from
 * the environment are identified with a call. With role-chaining, also the principal the roles are assumed from.
 */
async function openContext(inputs: ActionInputs, sessions: Sessions, signal: AbortSignal): Promise<{ ctx: PromotionContext; chainedFrom?: string }> {
  const { request } = inputs;
  const sessionName = inputs.session.roleSessionName;
  const source = request.sourceRole
    ? accountOf(sessions.source, assumedIdentity(request.sourceRole, sessionName, 'source'))
    : accountOf(sessions.source, await callerIdentity(sessions.source, request.sourceRegion, 'source'), 'environment');
  const targets = sessions.targets.map(({ spec, clients }) => ({ ...accountOf(clients, assumedIdentity(spec.role, sessionName, 'target')), spec }));
  core.info(`Source: account ${source.identity.accountId} as ${source.identity.arn}`);
  for (const { identity } of targets) core.info(`Target: account ${identity.accountId} as ${identity.arn}`);
  core.setOutput('target-account-id', targets[0]?.identity.accountId ?? '');
  const chainedFrom = await chainingPrincipal(inputs, sessions, source);
  const started = systemClock.now();
  const ctx: PromotionContext = {
    request,
    source,
    targets,
    journal: createPersistedJournal(),
    log: actionsLogger,
    clock: systemClock,
    signal,
    started,
    deadline: started + request.waitTimeoutMinutes * 60_000,
  };
  return { ctx, chainedFrom };
}

async function cleanUpAfter(ctx: PromotionContext): Promise<void> {
  const accounts = cleanupAccounts(ctx.request, ctx.source, ctx.targets.map((target) => ({ spec: target.spec, clients: target })));
  const report = await core.group('Clean up', () => cleanUp({ ...accounts, journal: ctx.journal, log: ctx.log, clock: ctx.clock, signal: ctx.signal }));
  addCleanupSummary(report);
  await writeSummary();
  for (const item of report.failed) core.warning(item.message);
}

/** The error with AWS's authorization message decoded where it carries one. */
async function decoded(ctx: PromotionContext | undefined, error: unknown): Promise<unknown> {
  return error instanceof PromotionError && ctx ? withDecodedAuthorization(error, ctx, ctx.request.sourceRegion) : error;
}

/** Fails the step naming every copy that failed; the other copies were kept, and a re-run copies only these. */
async function copiesFailed(ctx: PromotionContext, failures: CopyFailure[]): Promise<void> {
  const messages = await Promise.all(failures.map(async (f) => errorMessage(await decoded(ctx, f.error))));
  if (messages.length === 1) return core.setFailed(messages[0] as string);
  const list = failures.map((f, i) => `${i + 1}. account ${f.accountId}, ${f.region}: ${messages[i]}`).join('\n\n');
  core.setFailed(
    `${failures.length} of the copies failed; the others succeeded and are kept. Re-run with the same inputs to copy only the missing ones.\n\n${list}`,
  );
}

/** Fails the step naming each account where launch templates or retirement failed; the promoted AMIs stand. */
async function afterCopyFailed(ctx: PromotionContext, failures: AfterCopyFailure[]): Promise<void> {
  const messages = await Promise.all(failures.map(async (f) => `${f.step} failed in account ${f.accountId}: ${errorMessage(await decoded(ctx, f.error))}`));
  core.setFailed(`The AMIs are promoted (see the outputs), but ${failures.length} step(s) after the copy failed; a re-run with the same inputs reuses the AMIs and tries them again.\n\n${messages.join('\n\n')}`);
}

/** After a failure: the error with AWS's authorization message decoded, then cleanup unless the job was cancelled. */
async function failed(ctx: PromotionContext | undefined, caught: unknown, cancelled: boolean): Promise<void> {
  core.setFailed(errorMessage(await decoded(ctx, caught)));
  if (!ctx || cancelled) return;
  try {
    await cleanUpAfter(ctx);
  } catch (cleanupError) {
    core.warning(`Cleanup after the failure did not finish; the post step tries again: ${errorMessage(cleanupError)}`);
  }
}

/** The policies the promotion to every target account needs, as an output and in the summary. */
function policiesFor(ctx: PromotionContext, pre: PreflightResult, audience: string, chainedFrom: string | undefined): FleetPolicies {
  const policies = policiesForTargets(ctx, pre, audience, chainedFrom);
  core.setOutput('policies', JSON.stringify(policies));
  return policies;
}

/**
 * The main step once the inputs are read and the target roles assumed (main.ts): preflight, then the promotion (or the
 * dry run's report), the summary and cleanup.
 */
export async function runPromotion(run: RunContext, inputs: ActionInputs, sessions: Sessions, controller: AbortController): Promise<void> {
  let ctx: PromotionContext | undefined;
  let pre: PreflightResult | undefined;
  let policies: FleetPolicies | undefined;
  const summarise = async (result?: PromotionResult) => {
    if (result && ctx) {
      addPromotionSummary(ctx.request, result);
      addAfterCopySummary(ctx.request, result);
    }
    if (pre) addPreflightSummary(pre.findings);
    if (policies) addPoliciesSummary(policies);
    await writeSummary();
  };
  let result: PromotionResult | undefined;
  let deployment: DeploymentRecord | undefined;
  try {
    deployment = openDeploymentRecord(readDeploymentSettings(), run, inputs.request);
    const opened = await openContext(inputs, sessions, controller.signal);
    ctx = opened.ctx;
    pre = await runPreflight(ctx);
    ctx.journal = watchForDeployment(deployment, ctx.journal, pre);
    policies = policiesFor(ctx, pre, inputs.session.audience, opened.chainedFrom);
    if (ctx.request.dryRun) {
      reportDryRun(ctx.request, pre);
      return await summarise();
    }
    result = await promote(ctx, pre);
    setOutputs(result);
    core.info(`Promoted ${ctx.request.sourceAmiId} to ${imageList(promotedImages(result))}.`);
  } catch (caught) {
    await summarise();
    const cancelled = controller.signal.aborted;
    await Promise.all([failed(ctx, caught, cancelled), recordOutcome(deployment, { error: caught, cancelled })]);
    return;
  }
  await summarise(result);
  if (!result || !ctx) return;
  const recorded = recordOutcome(deployment, { result, cancelled: false });
  if (result.failures.length > 0) await copiesFailed(ctx, result.failures);
  if (result.afterCopyFailures.length > 0) await afterCopyFailed(ctx, result.afterCopyFailures);
  if (ctx.request.cleanup || result.failures.length > 0) await cleanUpAfter(ctx);
  else if (ctx.journal.entries().length > 0) ctx.journal.record({ kind: 'kept' });
  await recorded;
}
