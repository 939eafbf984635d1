import type { context as toolkitContext } from '@actions/github';

type ToolkitContext = typeof toolkitContext;

/** The workflow run the action runs in, as @actions/github's context describes it (and keeps right on GitHub Enterprise Server). */
export interface RunContext {
  /** owner/name. */
  repository?: string;
  owner?: string;
  repo?: string;
  sha?: string;
  runId?: string;
  runAttempt?: string;
  /** The run's page: <server>/<owner>/<repo>/actions/runs/<id>. */
  runUrl?: string;
}

const numberText = (value: number) => (Number.isInteger(value) && value > 0 ? String(value) : undefined);

/** The toolkit's repo getter throws without GITHUB_REPOSITORY and an event payload naming one. */
function repoOf(context: ToolkitContext): { owner: string; repo: string } | undefined {
  try {
    const { owner, repo } = context.repo;
    return owner && repo ? { owner, repo } : undefined;
  } catch {
    return undefined;
  }
}

export function runContextOf(context: ToolkitContext): RunContext {
  const repo = repoOf(context);
  const repository = repo ? `${repo.owner}/${repo.repo}` : undefined;
  const runId = numberText(context.runId);
  return {
    repository,
    ...repo,
    sha: context.sha || undefined,
    runId,
    runAttempt: numberText(context.runAttempt),
    runUrl: repository && runId ? `${context.serverUrl}/${repository}/actions/runs/${runId}` : undefined,
  };
}

/**
 * The run context. @actions/github exports its Context only from its index, which loads Octokit: it is a chunk of its
 * own, which the main step loads only once its first request (the OIDC token) has been answered.
 */
export async function loadRunContext(): Promise<RunContext> {
  const { context } = await import('@actions/github');
  return runContextOf(context);
}
