import { describe, expect, it } from '@jest/globals';
import { InputError, readInputs } from '../../../src/github/inputs.js';
import { parseLaunchTemplates } from '../../../src/github/after-copy-inputs.js';
import type { RunContext } from '../../../src/github/run-context.js';
import { VALID_INPUTS, setInputs } from '../../../standin/index.js';

const RUN = { repository: 'acme/images' };

function refusal(inputs: Record<string, string>, run: RunContext = RUN): string {
  setInputs({ ...VALID_INPUTS, ...inputs });
  try {
    readInputs(run);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(inputs)}`);
}

describe('launch-template', () => {
  it('is empty by default, and the default version is left alone', () => {
    setInputs(VALID_INPUTS);
    const { request } = readInputs(RUN);
    expect(request.launchTemplates).toEqual([]);
    expect(request.launchTemplateDefault).toBe(false);
  });

  it('reads names and IDs, one per line', () => {
    expect(parseLaunchTemplates('launch-template', ' web-servers \n\nlt-0123456789abcdef0\napi/(blue)_v2.1\n')).toEqual(['web-servers', 'lt-0123456789abcdef0', 'api/(blue)_v2.1']);
  });

  it.each([
    ['lt-123', 'line 1 ("lt-123") is neither a launch template ID'],
    ['ab', 'line 1 ("ab") is neither'],
    ['web servers', 'is neither'],
  ])('refuses %j', (raw, message) => {
    expect(() => parseLaunchTemplates('launch-template', raw)).toThrow(message);
  });

  it('refuses a template listed twice', () => {
    expect(() => parseLaunchTemplates('launch-template', 'web\napi\nweb')).toThrow('line 3 ("web") is listed twice');
  });

  it('refuses launch-template-default without a template', () => {
    expect(refusal({ 'launch-template-default': 'true' })).toContain('Input launch-template-default: is true, but launch-template names no template');
  });
});

describe('lineage and retire-previous', () => {
  it('default to the repository and to retiring nothing, keeping 2 and anything launched within 30 days', () => {
    setInputs(VALID_INPUTS);
    const { request } = readInputs(RUN);
    expect(request.lineage).toBe('acme/images');
    expect(request.retire).toEqual({ mode: 'none', keepPrevious: 2, keepIfLaunchedWithinDays: 30 });
  });

  it('reads every input', () => {
    setInputs({ ...VALID_INPUTS, lineage: 'web-server', 'retire-previous': 'deregister', 'keep-previous': '0', 'keep-if-launched-within-days': '7' });
    const { request } = readInputs(RUN);
    expect(request.lineage).toBe('web-server');
    expect(request.retire).toEqual({ mode: 'deregister', keepPrevious: 0, keepIfLaunchedWithinDays: 7 });
  });

  it('refuses an unknown mode', () => {
    expect(refusal({ 'retire-previous': 'delete' })).toBe('Input retire-previous: must be one of none, deprecate, disable, deregister (got "delete").');
  });

  it('needs a lineage to retire when there is no repository', () => {
    expect(refusal({ 'retire-previous': 'disable' }, {})).toContain('Input lineage: is needed with retire-previous: disable');
  });

  it('refuses a lineage longer than a tag value', () => {
    expect(refusal({ lineage: 'x'.repeat(257) })).toContain('Input lineage: is 257 characters long');
  });
});
