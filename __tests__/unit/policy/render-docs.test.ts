import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { generatePolicies } from '../../../src/policy/generate.js';
import { renderPolicyDocs } from '../../../src/policy/render-docs.js';
import { EXAMPLE_INPUTS } from './example-inputs.js';

const START = '<!-- policies:start -->';
const END = '<!-- policies:end -->';

function jsonBlocks(markdown: string): unknown[] {
  return [...markdown.matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1] ?? ''));
}

describe('renderPolicyDocs', () => {
  const policies = generatePolicies(EXAMPLE_INPUTS);

  it('is what the README shows between the policy markers', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END));
    // To regenerate: replace the text between the markers with "\n" + renderPolicyDocs(generatePolicies(EXAMPLE_INPUTS)).
    expect(section).toBe('\n' + renderPolicyDocs(policies));
  });

  it('shows every generated policy as a JSON block, in order', () => {
    expect(jsonBlocks(renderPolicyDocs(policies))).toEqual([
      policies.sourceRoleIamPolicy,
      policies.keyPolicyStatements,
      policies.targetRoleIamPolicy,
      policies.targetTrustPolicy,
      policies.autoscalingKeyStatements,
    ]);
  });

  it("says in one line why each statement of the roles' policies is needed, for every optional input too", () => {
    const all = generatePolicies({ ...EXAMPLE_INPUTS, keyAccess: 'grant', autoscalingAccess: 'grant', ssmParameter: '/x', extraSourceKeyArns: ['arn:aws:kms:eu-west-1:111111111111:key/ffff0000-12ab-34cd-56ef-1234567890ab'], shareWith: [{ kind: 'account', accountId: '444455556666' }], launchTemplates: true, retire: 'disable', lineage: 'web', deprecation: true, deregistrationProtection: true });
    const markdown = renderPolicyDocs(all);
    for (const statement of [...all.sourceRoleIamPolicy.Statement, ...all.targetRoleIamPolicy.Statement]) {
      expect(markdown).toMatch(new RegExp(`^- \`${statement.Sid}\`: .+$`, 'm'));
    }
  });

  it('says why each statement of the copy-method snapshots policies is needed', () => {
    const snapshots = generatePolicies({ ...EXAMPLE_INPUTS, reencrypt: undefined, copyMethod: 'snapshots' });
    const markdown = renderPolicyDocs(snapshots);
    for (const statement of [...snapshots.sourceRoleIamPolicy.Statement, ...snapshots.targetRoleIamPolicy.Statement]) {
      expect(markdown).toMatch(new RegExp(`^- \`${statement.Sid}\`: .+$`, 'm'));
    }
  });

  it('leaves out the Auto Scaling section when every target uses the default aws/ebs key', () => {
    const markdown = renderPolicyDocs(generatePolicies({ ...EXAMPLE_INPUTS, targetKeyArns: {} }));
    expect(markdown).not.toContain('Auto Scaling');
    expect(jsonBlocks(markdown)).toHaveLength(4);
  });
});
