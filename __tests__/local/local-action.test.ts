/**
 * `npm run local`: the action run from source by @github/local-action against the stand-in, main step then post step.
 * local-action itself exits 0 even when the action fails, so scripts/local.ts judges the run by its outputs, the
 * promoted AMI, the job summary and the log; these tests check that judgement both ways.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TIMEOUT_MS = 60_000;

function local(...args: string[]) {
  const run = spawnSync(`${ROOT}node_modules/.bin/tsx`, ['scripts/local.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: TIMEOUT_MS });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('npm run local', () => {
  it(
    'promotes the demo AMI with role-chaining from a developer\'s keys, then runs the post step',
    () => {
      const { code, output } = local();
      expect(output).toMatch(/^::set-output name=ami-id::ami-[0-9a-f]{17}$/m);
      expect(output).toContain(`Role chaining: the roles are assumed with sts:AssumeRole by arn:aws:iam::111111111111:user/developer`);
      expect(output).toMatch(/Running Post Step[\s\S]*Nothing to clean up/);
      expect(output).not.toMatch(/^::error::/m);
      expect(output).toMatch(/npm run local: promoted ami-[0-9a-f]{17} under local-action\./);
      expect(code).toBe(0);
    },
    TIMEOUT_MS,
  );

  it(
    'fails, although local-action exits 0, when the action fails: without role-chaining there is no OIDC token',
    () => {
      const { code, output } = local('role-chaining=false');
      expect(output).toContain('::error::Getting the job\'s GitHub OIDC token (audience sts.amazonaws.com) failed');
      expect(output).toContain('Set the input role-chaining to true');
      expect(output).toContain('npm run local FAILED: no ami-id output');
      expect(code).toBe(1);
    },
    TIMEOUT_MS,
  );
});
