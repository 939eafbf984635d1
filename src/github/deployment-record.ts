import * as core from '@actions/core';
import {
  REQUEST_TIMEOUT_MS,
  clip,
  deploymentPayload,
  imageList,
  recordingWarning,
  type DeploymentApi,
  type DeploymentStatus,
  type DeploymentTarget,
  type PromotedImage,
} from './deployment.js';
import { saveDeploymentState, type DeploymentState } from './state.js';

const timeout = () => ({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

/** Sets a status of the deployment; the run's page is its log, and after a success also where the promoted AMIs are listed. */
async function setStatus(api: DeploymentApi, target: DeploymentTarget, id: number, state: DeploymentStatus, description: string): Promise<void> {
  const { owner, repo, runUrl } = target;
  const urls = runUrl ? { log_url: runUrl, ...(state === 'success' ? { environment_url: runUrl } : {}) } : {};
  await api.createDeploymentStatus({ owner, repo, deployment_id: id, state, description: clip(description), ...urls, request: timeout() });
}

/**
 * The promotion's deployment. It is created once every promoted AMI has an ID (their copies started, or they were
 * reused), because GitHub cannot change a deployment's payload later; it stays in progress while the copies complete.
 * Each call is tried once; a failure is a warning and never reaches the promotion.
 */
export class DeploymentRecord {
  private client?: Promise<DeploymentApi>;
  private created?: Promise<number | undefined>;

  constructor(
    private readonly load: () => Promise<DeploymentApi>,
    private readonly target: DeploymentTarget,
    private readonly source: { amiId: string; region: string },
  ) {}

  /** Every promoted AMI is known: creates the deployment, in progress, in the background (once). */
  promoted(images: PromotedImage[]): void {
    this.created ??= this.create(images);
  }

  /** The main step ended: the deployment, if it exists, gets its final status, and the post step leaves it alone. */
  async finish(state: 'success' | 'failure', description: string): Promise<void> {
    const id = await this.created;
    if (id === undefined) return;
    await this.attempt(`setting its status to ${state}`, (api) => setStatus(api, this.target, id, state, description));
    saveDeploymentState({ id, finished: true });
  }

  /** The job was cancelled: a creation in flight ends (or times out) so that the post step finds the deployment to close. */
  async settle(): Promise<void> {
    await this.created;
  }

  private async create(images: PromotedImage[]): Promise<number | undefined> {
    const { owner, repo, sha, environment, runUrl } = this.target;
    const description = clip(`Promote ${this.source.amiId}: ${imageList(images)}`);
    const id = await this.attempt('creating the deployment', async (api) => {
      const { data } = await api.createDeployment({
        owner,
        repo,
        ref: sha,
        environment,
        task: 'deploy:ami',
        // Deploy exactly this commit, whatever its status checks say: the AMI was built and approved from it.
        auto_merge: false,
        required_contexts: [],
        // The promoted AMIs stay after the run; production_environment is left to GitHub (true for "production").
        transient_environment: false,
        description,
        payload: deploymentPayload(this.source, images, runUrl),
        request: timeout(),
      });
      if (typeof data.id !== 'number') throw new Error(`no deployment was created (${data.message ?? 'the answer has no ID'})`);
      return data.id;
    });
    if (id === undefined) return undefined;
    saveDeploymentState({ id, finished: false });
    core.info(`Recorded the promotion as deployment ${id} of ${sha.slice(0, 7)} in environment "${environment}".`);
    await this.attempt('setting its status to in_progress', (api) => setStatus(api, this.target, id, 'in_progress', `Copying: ${imageList(images)}`));
    return id;
  }

  private async attempt<T>(what: string, call: (api: DeploymentApi) => Promise<T>): Promise<T | undefined> {
    try {
      this.client ??= this.load();
      return await call(await this.client);
    } catch (error) {
      core.warning(recordingWarning(this.target.environment, what, error));
      return undefined;
    }
  }
}

/**
 * The post step after a main step that never finished its deployment (cancelled, or stopped): inactive when the cleanup
 * undid the run (GitHub: the deployment is no longer active), error when something could not be undone.
 */
export async function finishAfterCancellation(api: DeploymentApi, target: DeploymentTarget, saved: DeploymentState, cleanedUp: boolean): Promise<void> {
  const [state, description]: [DeploymentStatus, string] = cleanedUp
    ? ['inactive', 'Cancelled: the post step removed the unfinished copies and the temporary sharing.']
    : ['error', 'Cancelled: the post step could not undo everything; see the run log.'];
  try {
    await setStatus(api, target, saved.id, state, description);
    core.info(`Deployment ${saved.id} in environment "${target.environment}" is now ${state}.`);
  } catch (error) {
    core.warning(recordingWarning(target.environment, `setting its status to ${state}`, error));
  }
}
