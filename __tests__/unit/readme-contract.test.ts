import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { actionYaml } from '../../standin/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function tableRows(heading: string): string[][] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|')),
    );
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');

describe('README documents action.yml exactly', () => {
  it('lists every input with its required flag, default and description', () => {
    const rows = tableRows('Inputs');
    expect(rows.map((r) => unquote(r[0] ?? ''))).toEqual(Object.keys(actionYaml.inputs));
    for (const [name, required, defaultValue, description] of rows) {
      const spec = actionYaml.inputs[unquote(name ?? '')];
      expect({ name, required, default: unquote(defaultValue ?? ''), description }).toEqual({
        name,
        required: spec?.required ? 'yes' : 'no',
        default: spec?.default ?? '',
        description: spec?.description,
      });
    }
  });

  it('lists every output with its description', () => {
    const rows = tableRows('Outputs');
    expect(rows.map(([name, description]) => [unquote(name ?? ''), description])).toEqual(
      Object.entries(actionYaml.outputs).map(([name, spec]) => [name, spec.description]),
    );
  });

  it('runs on node24 with an always-run post step', () => {
    const runs = (actionYaml as unknown as { runs: Record<string, string> }).runs;
    expect(runs).toEqual({ using: 'node24', main: 'dist/main/index.js', post: 'dist/post/index.js', 'post-if': 'always()' });
  });
});
