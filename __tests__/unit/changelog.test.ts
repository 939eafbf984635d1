import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { changelogSection } from '../../scripts/changelog.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string };

describe('CHANGELOG.md', () => {
  it('has release notes for the version of package.json, which the release workflow publishes', () => {
    expect(changelogSection(read('CHANGELOG.md'), pkg.version)?.trim()).toMatch(/\S/);
  });

  it('takes one section: from its heading to the next release', () => {
    const text = '# Changelog\n\n## [1.1.0] - 2026-12-01\n\n- New.\n\n## [1.0.0] - 2026-11-29\n\n- First.\n';
    expect(changelogSection(text, '1.1.0')).toBe('- New.\n');
    expect(changelogSection(text, '1.0.0')).toBe('- First.\n');
    expect(changelogSection(text, '1.0')).toBeUndefined();
    expect(changelogSection(text, '1.0.0.0')).toBeUndefined();
  });
});
