// The licences of every package in a bundle, from webpack's stats (ncc --stats-out): ncc's own --license file covers
// only the last chunk it writes, and a step bundle has several.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every module path in the stats, concatenated modules included. */
function modulePaths(stats) {
  const paths = [];
  const visit = (modules) => {
    for (const m of modules ?? []) {
      if (m.name) paths.push(m.name);
      visit(m.modules);
    }
  };
  visit(stats.modules);
  return paths;
}

/** The package directory a module path belongs to (the innermost node_modules/<name> or node_modules/@scope/name). */
function packageDir(path) {
  const match = /^(?:\.\/)?(.*node_modules\/(?:@[^/]+\/)?[^/ ]+)/.exec(path);
  return match?.[1];
}

function licenceText(dir) {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : '';
}

/** Writes `out` in ncc's format (name, licence, text), one package per entry, sorted by name. */
export function writeLicences(statsFile, out) {
  const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
  const dirs = [...new Set(modulePaths(stats).map(packageDir).filter(Boolean))].filter((dir) => existsSync(join(dir, 'package.json')));
  const entries = dirs.map((dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return { name: pkg.name, license: typeof pkg.license === 'string' ? pkg.license : JSON.stringify(pkg.license ?? pkg.licenses ?? 'UNKNOWN'), text: licenceText(dir) };
  });
  const unique = [...new Map(entries.map((e) => [`${e.name}\n${e.license}\n${e.text}`, e])).values()].sort((a, b) => a.name.localeCompare(b.name));
  writeFileSync(out, unique.map((e) => `${e.name}\n${e.license}\n${e.text}`).join('\n\n') + '\n');
}
