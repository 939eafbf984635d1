import { afterEach, describe, expect, it } from '@jest/globals';
import * as core from '@actions/core';
import type { PromotionResult } from '../../../src/domain/pipeline.js';
import { addPoliciesSummary, addPromotionSummary } from '../../../src/github/summary.js';
import { generatePolicies } from '../../../src/policy/generate.js';
import { EXAMPLE_INPUTS } from '../policy/example-inputs.js';
import { SECOND_REGION, SOURCE_ACCOUNT, SOURCE_REGION, TARGET_ACCOUNT, defaultRequest, targetImageId } from '../../support/pipeline-fixtures.js';

const OU_ARN = 'arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-a1b2-33333333';

afterEach(() => {
  core.summary.emptyBuffer();
});

function result(onward: PromotionResult['onward']): PromotionResult {
  return { sourceAccountId: SOURCE_ACCOUNT, targets: [], failures: [], reused: true, keyChanges: [], finish: { protectedImages: [], ssmParameters: [] }, onward, launchTemplates: [], retirement: [], afterCopyFailures: [] };
}

describe('the job summary of share-with', () => {
  it('lists the onward sharing of every promoted AMI, what this run added and what was there', () => {
    addPromotionSummary(
      defaultRequest(),
      result([
        { accountId: TARGET_ACCOUNT, region: SOURCE_REGION, imageId: targetImageId(SOURCE_REGION), added: ['444455556666', OU_ARN], already: [] },
        { accountId: TARGET_ACCOUNT, region: SECOND_REGION, imageId: targetImageId(SECOND_REGION), added: [], already: ['444455556666'] },
      ]),
    );
    const html = core.summary.stringify();
    expect(html).toContain(`<li>Shared onward (kept): <code>${targetImageId(SOURCE_REGION)}</code> (${TARGET_ACCOUNT}, ${SOURCE_REGION}), added now: 444455556666, ${OU_ARN}</li>`);
    expect(html).toContain(`<li>Shared onward (kept): <code>${targetImageId(SECOND_REGION)}</code> (${TARGET_ACCOUNT}, ${SECOND_REGION}), nothing new; already: 444455556666</li>`);
  });

  it('says nothing of it without share-with', () => {
    addPromotionSummary(defaultRequest(), result([]));
    expect(core.summary.stringify()).not.toContain('Shared onward');
  });

  it("shows the recipients' key-policy statements among the policies, only when there are recipients", () => {
    const shareWith = [{ kind: 'account' as const, accountId: '444455556666' }];
    const policies = generatePolicies({ ...EXAMPLE_INPUTS, shareWith });
    addPoliciesSummary(policies);
    expect(core.summary.stringify()).toContain(
      `<details><summary>Target key: statements for the share-with recipients</summary>\n\n\`\`\`json\n${JSON.stringify(policies.recipientKeyStatements, null, 2)}\n\`\`\``,
    );
    core.summary.emptyBuffer();
    addPoliciesSummary(generatePolicies(EXAMPLE_INPUTS));
    expect(core.summary.stringify()).not.toContain('share-with recipients');
  });
});
