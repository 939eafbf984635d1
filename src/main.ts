import * as core from '@actions/core';
import { errorMessage } from './aws/errors.js';
import { loadServiceClients } from './aws/clients.js';
import { readInputs, readTokenSettings } from './github/inputs.js';
import { earlyToken } from './github/oidc.js';
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

/** The OIDC token the first session will use, asked for at once; none with role chaining or bad inputs (reported later). */
function firstToken(): Promise<string> | undefined {
  try {
    const { audience, roleChaining } = readTokenSettings();
    return roleChaining ? undefined : earlyToken(audience);
  } catch {
    return undefined;
  }
}

/**
 * The main step, loading only what each of its first requests needs: the OIDC token is asked for first, then the run
 * context (@actions/github) loads and the target roles are assumed with STS, and only then does the rest of the action
 * (the promotion and the EC2, KMS, SSM and IAM clients) load. Loading code blocks the event loop: done while a request
 * waits, it would hold the request back rather than overlap it.
 */
export async function run(): Promise<void> {
  const controller = cancellation();
  const token = firstToken();
  // Its failure is explained by the session that uses it.
  await token?.catch(() => undefined);
  let started;
  try {
    const runContext = await loadRunContext();
    const inputs = readInputs(runContext);
    for (const warning of inputs.warnings) core.warning(warning);
    const sessions = openSessions(inputs, token);
    await Promise.all(sessions.targets.map(({ clients }) => clients.connect()));
    const [step] = await Promise.all([import('./promotion-step.js'), loadServiceClients()]);
    started = { step, runContext, inputs, sessions };
  } catch (caught) {
    core.setFailed(errorMessage(caught));
    return;
  }
  await started.step.runPromotion(started.runContext, started.inputs, started.sessions, controller);
}
