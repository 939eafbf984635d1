import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface ActionYaml {
  inputs: Record<string, { required?: boolean; default?: string; description: string }>;
  outputs: Record<string, { description: string }>;
}

export const actionYaml = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as ActionYaml;

/** What the runner gives `${{ github.token }}` (github-token's default) in these runs. */
export const JOB_TOKEN = 'ghs_standInJobToken0123456789abcdefABCDEF';

/** A declared default as the runner evaluates it: the only expression action.yml uses is the job's token. */
const evaluated = (value: string) => value.replace('${{ github.token }}', JOB_TOKEN);

/** The INPUT_* variables the runner sets: declared defaults, overridden by `given`. */
export function runnerInputs(given: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(actionYaml.inputs)) env[`INPUT_${name.toUpperCase()}`] = evaluated(spec.default ?? '');
  for (const [name, value] of Object.entries(given)) {
    if (!(name in actionYaml.inputs)) throw new Error(`unknown input ${name}`);
    env[`INPUT_${name.toUpperCase()}`] = value;
  }
  return env;
}

export const VALID_INPUTS = {
  'source-ami-id': 'ami-0123456789abcdef0',
  'kms-key-arn': 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  'target-role-arn': 'arn:aws:iam::222222222222:role/ami-promotion-target',
};

/** Replaces the process's INPUT_* variables with the runner's for `given`. */
export function setInputs(given: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  Object.assign(process.env, runnerInputs(given));
}
