import { afterEach, describe, expect, it } from '@jest/globals';
import { context } from '@actions/github';
import { runContextOf } from '../../../src/github/run-context.js';

// A fresh toolkit Context reads the environment as the action's own does at start-up.
const Context = context.constructor as new () => typeof context;
const VARIABLES = ['GITHUB_REPOSITORY', 'GITHUB_SHA', 'GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT', 'GITHUB_SERVER_URL', 'GITHUB_EVENT_PATH'];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

function contextWith(env: Record<string, string>) {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  return runContextOf(new Context());
}

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('runContextOf', () => {
  it("takes the repository, commit, run and attempt from @actions/github's context, the run URL on the run's own server", () => {
    const run = contextWith({
      GITHUB_REPOSITORY: 'acme/images',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '3',
      GITHUB_SERVER_URL: 'https://ghes.example.com',
    });
    expect(run).toEqual({
      repository: 'acme/images',
      owner: 'acme',
      repo: 'images',
      sha: '0123456789abcdef0123456789abcdef01234567',
      runId: '4242',
      runAttempt: '3',
      runUrl: 'https://ghes.example.com/acme/images/actions/runs/4242',
    });
  });

  it('outside a workflow run: nothing, and no error', () => {
    expect(contextWith({})).toEqual({ repository: undefined, sha: undefined, runId: undefined, runAttempt: undefined, runUrl: undefined });
  });

  it('defaults the server to github.com', () => {
    expect(contextWith({ GITHUB_REPOSITORY: 'acme/images', GITHUB_RUN_ID: '7' }).runUrl).toBe('https://github.com/acme/images/actions/runs/7');
  });
});
