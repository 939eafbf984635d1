// The CHANGELOG.md section of one release, for the release notes: `tsx scripts/changelog.ts 1.2.3 > notes.md`.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The body of the section `## [version]` (or `## version`), without its heading; undefined when there is none. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const heading = new RegExp(`^## \\[?${version.replace(/\./g, '\\.')}\\]?(?:\\s|$)`);
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n').trim() + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const version = process.argv[2] ?? '';
  const section = changelogSection(readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8'), version);
  if (!section?.trim()) {
    console.error(`CHANGELOG.md has no section "## [${version}]" with release notes: add one before releasing.`);
    process.exit(1);
  }
  process.stdout.write(section);
}
