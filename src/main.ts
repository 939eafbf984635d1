import * as core from '@actions/core';
import { loadServiceClients } from './aws/clients.js';
import { readInputs } from './github/inputs.js';
import { loadRunContext } from './github/run-context.js';
import { openSessions } from './github/sessions.js';

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

/**
 * The main step. Only the inputs, the OIDC token and STS are loaded before the target roles are assumed; the rest of
 * the action (the promotion and the EC2, KMS, SSM and IAM clients) loads while those first requests are on their way.
 */
export async function run(): Promise<void> {
  const controller = cancellation();
  const runContext = await loadRunContext();
  let started;
  try {
    const inputs = readInputs(runContext);
    for (const warning of inputs.warnings) core.warning(warning);
    const sessions = openSessions(inputs);
    const assumed = Promise.all(sessions.targets.map(({ clients }) => clients.connect()));
    const [step] = await Promise.all([import('./promotion-step.js'), loadServiceClients(), assumed]);
    started = { step, inputs, sessions };
  } catch (caught) {
    core.setFailed(caught instanceof Error ? caught.message : String(caught));
    return;
  }
  await started.step.runPromotion(runContext, started.inputs, started.sessions, controller);
}
