import { afterEach, describe, expect, it } from '@jest/globals';
import * as core from '@actions/core';
import { addLaunchTemplateSummary, addRetirementSummary, launchTemplateVersionsOutput, retiredOutput } from '../../../src/github/after-copy-summary.js';
import type { LaunchTemplateVersion } from '../../../src/domain/steps/launch-templates.js';
import type { RetirementReport } from '../../../src/domain/steps/retire.js';
import { SECOND_REGION, SOURCE_REGION, TARGET_ACCOUNT } from '../../support/pipeline-fixtures.js';

afterEach(() => {
  core.summary.emptyBuffer();
});

const version = (region: string, templateId: string, v: number, extra: Partial<LaunchTemplateVersion> = {}): LaunchTemplateVersion => ({
  accountId: TARGET_ACCOUNT,
  region,
  templateId,
  templateName: 'web',
  version: v,
  created: true,
  isDefault: false,
  ...extra,
});

describe('launch-template-versions', () => {
  it('maps account → region → template ID → version', () => {
    const versions = [version(SOURCE_REGION, 'lt-0a000000000000001', 3), version(SOURCE_REGION, 'lt-0a000000000000002', 7), version(SECOND_REGION, 'lt-0a000000000000003', 2)];
    expect(launchTemplateVersionsOutput(versions)).toEqual({
      [TARGET_ACCOUNT]: { [SOURCE_REGION]: { 'lt-0a000000000000001': 3, 'lt-0a000000000000002': 7 }, [SECOND_REGION]: { 'lt-0a000000000000003': 2 } },
    });
    expect(launchTemplateVersionsOutput([])).toEqual({});
  });

  it('says which versions this run made and which are the default', () => {
    addLaunchTemplateSummary([version(SOURCE_REGION, 'lt-0a000000000000001', 3, { isDefault: true }), version(SECOND_REGION, 'lt-0a000000000000002', 2, { created: false })]);
    const html = core.summary.stringify();
    expect(html).toContain('<td>3</td><td>made by this run, default version</td>');
    expect(html).toContain('<td>2</td><td>already there (re-run)</td>');
  });
});

describe('retired and the summary of earlier promotions', () => {
  const reports: RetirementReport[] = [
    {
      accountId: TARGET_ACCOUNT,
      region: SOURCE_REGION,
      retired: [
        { imageId: 'ami-0b00000000000000a', name: 'web-1', action: 'deregistered', snapshotsKept: [{ snapshotId: 'snap-0b00000000000000a', reason: 'a <lock>' }] },
        { imageId: 'ami-0b00000000000000b', name: 'web-2', action: 'disabled', undo: 'aws ec2 enable-image --image-id ami-0b00000000000000b', snapshotsKept: [] },
      ],
      kept: [{ imageId: 'ami-0b00000000000000c', name: 'web-3', reason: 'referenced by arn:aws:ec2:eu-west-1:222222222222:instance/i-1 (instance)' }],
    },
  ];

  it('lists what was retired with its account, region and action', () => {
    expect(retiredOutput(reports)).toEqual([
      { 'account-id': TARGET_ACCOUNT, region: SOURCE_REGION, 'ami-id': 'ami-0b00000000000000a', action: 'deregistered' },
      { 'account-id': TARGET_ACCOUNT, region: SOURCE_REGION, 'ami-id': 'ami-0b00000000000000b', action: 'disabled' },
    ]);
  });

  it('shows the undo command, the snapshots left and why each kept AMI was kept, escaped', () => {
    addRetirementSummary(reports);
    const html = core.summary.stringify();
    expect(html).toContain('<td>deregistered</td><td>not reversible<br><code>snap-0b00000000000000a</code> not deleted: a &lt;lock&gt;</td>');
    expect(html).toContain('Undo: <code>aws ec2 enable-image --image-id ami-0b00000000000000b</code>');
    expect(html).toContain('<td>kept</td><td>referenced by arn:aws:ec2:eu-west-1:222222222222:instance/i-1 (instance)</td>');
  });

  it('says so when there was no earlier promotion', () => {
    addRetirementSummary([{ accountId: TARGET_ACCOUNT, region: SOURCE_REGION, retired: [], kept: [] }]);
    expect(core.summary.stringify()).toContain('No earlier promotion of this lineage');
  });
});
