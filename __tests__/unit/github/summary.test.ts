import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import * as core from '@actions/core';
import type { Finding } from '../../../src/domain/preflight/findings.js';
import { generatePolicies, type PolicyInputs } from '../../../src/policy/generate.js';
import { addCleanupSummary, addPoliciesSummary, addPreflightSummary } from '../../../src/github/summary.js';
import { KEY_ARN, SOURCE_ACCOUNT, SOURCE_REGION, TARGET_ACCOUNT, TARGET_ROLE, targetKeyArn } from '../../support/pipeline-fixtures.js';

const INPUTS: PolicyInputs = {
  partition: 'aws',
  sourceAccountId: SOURCE_ACCOUNT,
  targetAccountId: TARGET_ACCOUNT,
  sourceRegion: SOURCE_REGION,
  targetRegions: [SOURCE_REGION],
  kmsKeyArn: KEY_ARN,
  targetRoleArn: TARGET_ROLE,
  targetKeyArns: { [SOURCE_REGION]: targetKeyArn(SOURCE_REGION) },
  extraSourceKeyArns: [],
  keyAccess: 'verify',
  autoscalingAccess: 'check',
  repository: 'octo-org/golden-images',
  audience: 'sts.amazonaws.com',
};

/** The <details> blocks of the summary: title and parsed JSON. */
function jsonBlocks(html: string): [string, unknown][] {
  return [...html.matchAll(/<details><summary>(.*?)<\/summary>\n\n```json\n([\s\S]*?)\n```\n\n<\/details>/g)].map((m) => [m[1] as string, JSON.parse(m[2] as string)]);
}

beforeEach(() => {
  core.summary.emptyBuffer();
});

afterEach(() => {
  core.summary.emptyBuffer();
});

describe('addPreflightSummary', () => {
  it('one row per finding, "could not check" for unchecked, the fix under the detail, HTML escaped', () => {
    const findings: Finding[] = [
      { check: 'The source AMI can be promoted', side: 'source', accountId: SOURCE_ACCOUNT, status: 'ok', detail: 'ami-1 is available.' },
      { check: 'The key policy', side: 'source', accountId: SOURCE_ACCOUNT, status: 'missing', detail: 'missing kms:Decrypt & <more>.', fix: 'Add:\n{\n  "Effect": "Allow"\n}' },
      { check: "The target role's IAM policy (simulated)", side: 'target', accountId: TARGET_ACCOUNT, status: 'unchecked', detail: 'may not simulate.', fix: 'Allow iam:SimulatePrincipalPolicy.' },
      { check: 'Billing <codes>', side: 'source', accountId: SOURCE_ACCOUNT, status: 'warning', detail: 'Windows.' },
    ];
    addPreflightSummary(findings);
    expect(core.summary.stringify()).toBe(
      '<h3>Preflight</h3>\n<table>' +
        '<tr><th>Check</th><th>Account</th><th>Result</th><th>Detail and fix</th></tr>' +
        `<tr><td>The source AMI can be promoted</td><td>source account ${SOURCE_ACCOUNT}</td><td>ok</td><td>ami-1 is available.</td></tr>` +
        `<tr><td>The key policy</td><td>source account ${SOURCE_ACCOUNT}</td><td>missing</td><td>missing kms:Decrypt &amp; &lt;more&gt;.<br><b>Fix:</b> <pre>Add:\n{\n  "Effect": "Allow"\n}</pre></td></tr>` +
        `<tr><td>The target role's IAM policy (simulated)</td><td>target account ${TARGET_ACCOUNT}</td><td>could not check</td><td>may not simulate.<br><b>Fix:</b> <pre>Allow iam:SimulatePrincipalPolicy.</pre></td></tr>` +
        `<tr><td>Billing &lt;codes&gt;</td><td>source account ${SOURCE_ACCOUNT}</td><td>warning</td><td>Windows.</td></tr>` +
        '</table>\n',
    );
    expect(core.summary.stringify().match(/<tr>/g)).toHaveLength(findings.length + 1);
  });
});

describe('addPoliciesSummary', () => {
  it('contains the four policies as JSON, and the Auto Scaling statements for a customer-managed target key', () => {
    const policies = generatePolicies(INPUTS);
    addPoliciesSummary(policies);
    const html = core.summary.stringify();
    expect(html.startsWith('<h3>Policies for these inputs</h3>\n')).toBe(true);
    expect(jsonBlocks(html)).toEqual([
      ['Source role: IAM policy', policies.sourceRoleIamPolicy],
      ['Source key: key-policy statements for the target role', policies.keyPolicyStatements],
      ['Target role: IAM policy', policies.targetRoleIamPolicy],
      ['Target role: trust policy', policies.targetTrustPolicy],
      ['Target key: statements for the Auto Scaling service-linked role', policies.autoscalingKeyStatements],
    ]);
    expect(html).toContain(JSON.stringify(policies.targetRoleIamPolicy, null, 2));
    expect(policies.autoscalingKeyStatements).toHaveLength(2);
  });

  it('only the four policies when every target uses the default key', () => {
    const policies = generatePolicies({ ...INPUTS, targetKeyArns: { [SOURCE_REGION]: undefined } });
    addPoliciesSummary(policies);
    expect(jsonBlocks(core.summary.stringify()).map(([title]) => title)).toEqual([
      'Source role: IAM policy',
      'Source key: key-policy statements for the target role',
      'Target role: IAM policy',
      'Target role: trust policy',
    ]);
  });

  it("with several target accounts: the source policies once, then each account's role policies and key statements, named by account", () => {
    const first = generatePolicies(INPUTS);
    const second = generatePolicies({ ...INPUTS, targetAccountId: '333333333333', targetRoleArn: 'arn:aws:iam::333333333333:role/t', targetKeyArns: {} });
    const own = (p: typeof first) => ({ targetRoleIamPolicy: p.targetRoleIamPolicy, targetTrustPolicy: p.targetTrustPolicy, autoscalingKeyStatements: p.autoscalingKeyStatements, keyPolicyStatements: p.keyPolicyStatements });
    const keyPolicyStatements = [...first.keyPolicyStatements, ...second.keyPolicyStatements];
    addPoliciesSummary({ ...first, keyPolicyStatements, targets: { [TARGET_ACCOUNT]: own(first), '333333333333': own(second) } });
    expect(jsonBlocks(core.summary.stringify())).toEqual([
      ['Source role: IAM policy', first.sourceRoleIamPolicy],
      ['Source key: key-policy statements for the target roles', keyPolicyStatements],
      [`Target role in account ${TARGET_ACCOUNT}: IAM policy`, first.targetRoleIamPolicy],
      [`Target role in account ${TARGET_ACCOUNT}: trust policy`, first.targetTrustPolicy],
      [`Target key in account ${TARGET_ACCOUNT}: statements for the Auto Scaling service-linked role`, first.autoscalingKeyStatements],
      ['Target role in account 333333333333: IAM policy', second.targetRoleIamPolicy],
      ['Target role in account 333333333333: trust policy', second.targetTrustPolicy],
    ]);
  });
});

describe('addCleanupSummary', () => {
  it('says why something just created was taken as gone, and what was kept or failed', () => {
    addCleanupSummary({
      removed: [
        { what: 'intermediate copy ami-1', side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION, alreadyGone: true, note: 'not seen within 180 s of its creation' },
        { what: 'launch permission of account 2 on ami-1', side: 'source', region: SOURCE_REGION },
      ],
      kept: [{ what: 'promoted AMI ami-2', side: 'target', region: SOURCE_REGION, reason: 'it is the result of the promotion.' }],
      failed: [],
    });
    const html = core.summary.stringify();
    expect(html).toContain(`<td>removed</td><td>intermediate copy ami-1</td><td>source ${SOURCE_ACCOUNT}, ${SOURCE_REGION}</td><td>already gone (not seen within 180 s of its creation)</td>`);
    expect(html).toContain(`<td>removed</td><td>launch permission of account 2 on ami-1</td><td>source, ${SOURCE_REGION}</td><td>removed by this run</td></tr>`);
    expect(html).toContain('<td>kept</td><td>promoted AMI ami-2</td>');
  });
});
