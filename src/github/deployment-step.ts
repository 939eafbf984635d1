import * as core from '@actions/core';
import { errorMessage } from '../aws/errors.js';
import type { Journal } from '../domain/journal.js';
import type { PromotionResult } from '../domain/pipeline.js';
import type { PreflightResult } from '../domain/preflight/preflight.js';
import type { PromotionRequest } from '../domain/types.js';
import { deploymentTarget, imageList, octokitDeploymentApi, recordingWarning } from './deployment.js';
import { readDeploymentSettings, type DeploymentSettings } from './deployment-inputs.js';
import { promotedImages, watchPromotedImages } from './deployment-progress.js';
import { DeploymentRecord, finishAfterCancellation } from './deployment-record.js';
import { loadRunContext, type RunContext } from './run-context.js';
import type { DeploymentState } from './state.js';

/** The main step's deployment record; undefined without deployment-environment, in a dry run, or outside a workflow run. */
export function openDeploymentRecord(settings: DeploymentSettings | undefined, run: RunContext, request: PromotionRequest): DeploymentRecord | undefined {
  if (!settings) return undefined;
  if (request.dryRun) {
    core.info(`Dry run: nothing is recorded in environment "${settings.environment}".`);
    return undefined;
  }
  const target = deploymentTarget(settings, run);
  return target && new DeploymentRecord(() => octokitDeploymentApi(settings.token), target, { amiId: request.sourceAmiId, region: request.sourceRegion });
}

/** The run's journal, telling the record when every promoted AMI has its ID. */
export function watchForDeployment(record: DeploymentRecord | undefined, journal: Journal, pre: PreflightResult): Journal {
  return record ? watchPromotedImages(journal, pre, (images) => record.promoted(images)) : journal;
}

const firstLine = (error: unknown) => errorMessage(error).split('\n')[0] ?? '';

/** The final status from how the main step ended; after a cancellation the post step sets it, once it has cleaned up. */
export async function recordOutcome(record: DeploymentRecord | undefined, outcome: { result?: PromotionResult; error?: unknown; cancelled: boolean }): Promise<void> {
  if (!record) return;
  if (outcome.cancelled) return record.settle();
  const { result } = outcome;
  if (!result) return record.finish('failure', `Failed: ${firstLine(outcome.error)}`);
  const images = promotedImages(result);
  // A copy that never started (it failed at once) left the others unannounced: they are recorded now.
  if (images.length > 0) record.promoted(images);
  const promoted = imageList(images);
  if (result.failures.length > 0) return record.finish('failure', `${result.failures.length} copies failed; promoted: ${promoted || 'none'}`);
  if (result.afterCopyFailures.length > 0) return record.finish('failure', `Promoted ${promoted}, but ${result.afterCopyFailures.map((f) => f.step).join(', ')} failed`);
  return record.finish('success', `Promoted ${promoted}`);
}

/** The post step: closes a deployment the main step left in progress (cancelled), once cleanup has run. */
export async function closeAfterCancellation(saved: DeploymentState, cleanedUp: boolean): Promise<void> {
  const settings = readDeploymentSettings();
  if (!settings) return;
  const target = deploymentTarget(settings, await loadRunContext());
  if (!target) return;
  try {
    await finishAfterCancellation(await octokitDeploymentApi(settings.token), target, saved, cleanedUp);
  } catch (error) {
    core.warning(recordingWarning(settings.environment, 'closing it after the cancellation', error));
  }
}
