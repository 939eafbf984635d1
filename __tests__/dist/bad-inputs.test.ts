import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_ENTRY, node24, runNode24 } from '../../standin/index.js';
import { VALID_INPUTS, runnerInputs } from '../../standin/index.js';
import { execFileSync } from 'node:child_process';

function runnerEnv(inputs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'bad-inputs-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STATE: join(dir, 'state'), GITHUB_STEP_SUMMARY: join(dir, 'summary'), GITHUB_ENV: join(dir, 'env') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  // No AWS endpoint at all: a network call would hang or fail differently than the input error.
  const env = { PATH: process.env.PATH ?? '', HOME: dir, RUNNER_TEMP: dir, AWS_EC2_METADATA_DISABLED: 'true', ...files, ...runnerInputs(inputs) };
  return { env, files, dir };
}

describe('dist/index.js under Node 24', () => {
  it('is run by Node 24 or later', () => {
    expect(Number(/^v(\d+)\./.exec(execFileSync(node24(), ['--version'], { encoding: 'utf8' }))?.[1])).toBeGreaterThanOrEqual(24);
  });

  it.each([
    ['source-ami-id', { 'source-ami-id': 'ami-xyz' }],
    ['kms-key-arn', { 'kms-key-arn': 'arn:aws:kms:eu-west-1:111111111111:alias/aws/ebs' }],
    ['target-regions', { 'target-regions': 'eu-west-1,eu-west-1' }],
    ['cleanup', { cleanup: 'maybe' }],
  ])('fails cleanly, before any network call, on a bad %s', async (input, overrides) => {
    const { env, files, dir } = runnerEnv({ ...VALID_INPUTS, ...overrides });
    const result = await runNode24(DIST_ENTRY, env, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`Input ${input}:`);
    expect(readFileSync(files.GITHUB_OUTPUT, 'utf8')).toBe('');
  });

  it.each([
    ['source-ami-id', { 'source-ami-id': 'ami-0123456789ABCDEF0' }, '"ami-0123456789ABCDEF0" has capital letters, but AMI IDs are lower case: use ami-0123456789abcdef0.'],
    [
      'target-regions',
      { 'target-regions': 'eu-west-1 eu-central-1' },
      'separate regions with commas or new lines, not spaces: "eu-west-1, eu-central-1" instead of "eu-west-1 eu-central-1".',
    ],
  ])('says how to write %s when it is almost right', async (input, overrides, message) => {
    const { env, dir } = runnerEnv({ ...VALID_INPUTS, ...overrides });
    const result = await runNode24(DIST_ENTRY, env, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('::error::'))).toEqual([`::error::Input ${input}: ${message}`]);
  });
});
