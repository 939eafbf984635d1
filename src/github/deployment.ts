/**
 * The promotion as a GitHub deployment of the commit to an environment, through the REST API:
 * POST /repos/{owner}/{repo}/deployments and POST /repos/{owner}/{repo}/deployments/{id}/statuses
 * (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment,
 * https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status).
 * Recording never fails or holds up the promotion: every call has a short timeout, is never retried, and a failure is
 * one warning after which nothing more is sent.
 */
import * as core from '@actions/core';
import { errorMessage } from '../aws/errors.js';
import type { DeploymentSettings } from './deployment-inputs.js';
import type { RunContext } from './run-context.js';

/** in_progress while copying; success or failure at the end; inactive or error after a cancellation (see finishAfterCancellation). */
export type DeploymentStatus = 'in_progress' | 'success' | 'failure' | 'inactive' | 'error';

// A type, not an interface: Octokit's parameters have an index signature.
type RepoParams = {
  owner: string;
  repo: string;
  request: { signal: AbortSignal };
};

/** The two calls, as Octokit's rest.repos names them. */
export interface DeploymentApi {
  createDeployment(
    params: RepoParams & {
      ref: string;
      environment: string;
      task: string;
      auto_merge: boolean;
      required_contexts: string[];
      transient_environment: boolean;
      description: string;
      payload: Record<string, unknown>;
    },
  ): Promise<{ data: { id?: number; message?: string } }>;
  createDeploymentStatus(
    params: RepoParams & { deployment_id: number; state: DeploymentStatus; description: string; log_url?: string; environment_url?: string },
  ): Promise<unknown>;
}

/** One promoted AMI: its account, region and ID. */
export interface PromotedImage {
  accountId: string;
  region: string;
  imageId: string;
}

export interface DeploymentTarget {
  environment: string;
  owner: string;
  repo: string;
  sha: string;
  runUrl?: string;
}

// Short enough that a cancelled main step still saves the deployment's ID before the runner kills it (about 10 s after SIGINT).
export const REQUEST_TIMEOUT_MS = 5_000;
// "The maximum description length is 140 characters" (deployment statuses); deployments take the same short text.
const DESCRIPTION_LIMIT = 140;

export const clip = (text: string) => (text.length <= DESCRIPTION_LIMIT ? text : `${text.slice(0, DESCRIPTION_LIMIT - 1)}…`);

export const imageList = (images: PromotedImage[]) => images.map((i) => `${i.imageId} (${i.accountId} ${i.region})`).join(', ');

/** The Octokit client of @actions/github (which honours GITHUB_API_URL), loaded only when a deployment is recorded. */
export async function octokitDeploymentApi(token: string): Promise<DeploymentApi> {
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token).rest.repos;
}

/** The deployment target of this run, or undefined (with a warning) outside a workflow run that names its repository and commit. */
export function deploymentTarget(settings: DeploymentSettings, run: RunContext): DeploymentTarget | undefined {
  const { owner, repo, sha, runUrl } = run;
  if (owner && repo && sha) return { environment: settings.environment, owner, repo, sha, runUrl };
  core.warning(`The promotion is not recorded in environment "${settings.environment}": the run context names no repository or commit (GITHUB_REPOSITORY, GITHUB_SHA).`);
  return undefined;
}

/** What the warning says about a failed call: GitHub's answer, and the permission to add when GitHub refused. */
export function recordingWarning(environment: string, what: string, error: unknown): string {
  const status = (error as { status?: unknown }).status;
  const name = (error as { name?: unknown }).name;
  const message = errorMessage(error);
  const answer =
    name === 'TimeoutError' || name === 'AbortError' ? `GitHub did not answer within ${REQUEST_TIMEOUT_MS / 1000} s` : `GitHub answered ${typeof status === 'number' ? `${status}: ` : ''}${message}`;
  const head = `Could not record the promotion in environment "${environment}" (${what}): ${answer}. The promotion itself is not affected.`;
  if (status === 403 || status === 401 || status === 404) {
    return (
      `${head} The token (github-token) needs the permission to write deployments: add to the job\n` +
      'permissions:\n  contents: read\n  id-token: write\n  deployments: write\n' +
      '(a token other than the job\'s needs "Deployments" read and write on this repository).'
    );
  }
  return head;
}

/** The deployment's payload: the promoted AMIs by account and region, what they were promoted from, and the run. */
export function deploymentPayload(source: { amiId: string; region: string }, images: PromotedImage[], runUrl: string | undefined): Record<string, unknown> {
  const amis: Record<string, Record<string, string>> = {};
  for (const image of images) (amis[image.accountId] ??= {})[image.region] = image.imageId;
  return { 'source-ami-id': source.amiId, 'source-region': source.region, amis, ...(runUrl ? { 'run-url': runUrl } : {}) };
}
