import * as core from '@actions/core';
import { callerIdentity } from '../domain/identity.js';
import { readInputs } from './inputs.js';
import { openSessions } from './sessions.js';

export async function runMain(): Promise<void> {
  try {
    const inputs = readInputs();
    const { request } = inputs;
    const sessions = openSessions(inputs);
    const [sourceIdentity, targetIdentity] = await Promise.all([
      callerIdentity(sessions.source, request.sourceRegion, 'source'),
      callerIdentity(sessions.target, request.sourceRegion, 'target'),
    ]);
    core.info(`Source: account ${sourceIdentity.accountId} as ${sourceIdentity.arn}`);
    core.info(`Target: account ${targetIdentity.accountId} as ${targetIdentity.arn}`);
    core.setOutput('target-account-id', targetIdentity.accountId);
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
