// Writes the CloudFormation templates (cloudformation/*.yaml) and the README's permissions section (between the
// policy markers) from the policy generator; unit tests fail when either differs from what is committed.
import { readFileSync, writeFileSync } from 'node:fs';
import { EXAMPLE_INPUTS } from '../__tests__/unit/policy/example-inputs.js';
import { renderTemplates } from '../src/policy/cloudformation.js';
import { generatePolicies } from '../src/policy/generate.js';
import { renderPolicyDocs } from '../src/policy/render-docs.js';

const root = new URL('../', import.meta.url);
for (const [path, text] of Object.entries(renderTemplates())) {
  writeFileSync(new URL(path, root), text);
  console.log(`wrote ${path}`);
}

const START = '<!-- policies:start -->';
const END = '<!-- policies:end -->';
const readmePath = new URL('README.md', root);
const readme = readFileSync(readmePath, 'utf8');
const [before, rest] = [readme.slice(0, readme.indexOf(START) + START.length), readme.slice(readme.indexOf(END))];
writeFileSync(readmePath, `${before}\n${renderPolicyDocs(generatePolicies(EXAMPLE_INPUTS))}${rest}`);
console.log('wrote the permissions section of README.md');
