import { describe, expect, it } from '@jest/globals';
import { CopyImageCommand } from '@aws-sdk/client-ec2';
import { planFrom } from '../../../../src/domain/plan.js';
import { missingFindings, preflight, type PreflightResult } from '../../../../src/domain/preflight/preflight.js';
import { startTargetCopy } from '../../../../src/domain/steps/copy.js';
import { reencrypt } from '../../../../src/domain/steps/reencrypt.js';
import { TAG_BUDGET_CHECK, tagBudgetFindings } from '../../../../src/domain/preflight/tag-budget.js';
import { characterCount } from '../../../../src/domain/tags.js';
import type { Tag } from '../../../../src/domain/types.js';
import { parseTags } from '../../../../src/github/inputs.js';
import {
  KEY_ARN,
  KEY_ID,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  TARGET_ACCOUNT,
  buildContext,
  defaultTargetKey,
  stubSimulation,
  stubWorld,
  type WorldOptions, type RequestOverrides } from '../../../support/pipeline-fixtures.js';

const ROCKET = '🚀';
const sourceTags = (n: number): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: `team-tag-${i}`, Value: `v${i}` }));

async function run(request: RequestOverrides, options: WorldOptions = {}): Promise<{ result: PreflightResult; fx: ReturnType<typeof buildContext> }> {
  const fx = buildContext(request);
  stubWorld(fx, options);
  stubSimulation(fx);
  return { result: await preflight(fx.ctx), fx };
}

const budget = (result: PreflightResult) => result.findings.filter((f) => f.check === TAG_BUDGET_CHECK).map(({ error: _error, accountId: _accountId, ...f }) => f);

describe('counting characters as AWS does', () => {
  it('counts code points: an emoji is one character, not two UTF-16 units', () => {
    expect(characterCount(ROCKET)).toBe(1);
    expect(ROCKET.length).toBe(2);
    expect(characterCount(`a${ROCKET}é`)).toBe(3);
  });

  it('the tags input accepts 256 emoji as a value and 128 as a key, and refuses one more', () => {
    expect(parseTags('tags', `note=${ROCKET.repeat(256)}`).tags).toEqual([{ Key: 'note', Value: ROCKET.repeat(256) }]);
    expect(parseTags('tags', `${ROCKET.repeat(128)}=x`).tags).toEqual([{ Key: ROCKET.repeat(128), Value: 'x' }]);
    expect(() => parseTags('tags', `note=${ROCKET.repeat(257)}`)).toThrow('a tag value has at most 256 characters');
    expect(() => parseTags('tags', `${ROCKET.repeat(129)}=x`)).toThrow('a tag key has at most 128 characters');
  });
});

describe('the tag budget in the preflight', () => {
  it('is ok with the exact count of every resource it creates: the intermediate copy and the promoted AMI', async () => {
    const { result } = await run({ tags: [{ Key: 'release', Value: '2030.01' }] });
    expect(budget(result)).toEqual([
      {
        check: TAG_BUDGET_CHECK,
        side: 'target',
        status: 'ok',
        detail: `tags per AMI and per snapshot: the intermediate copy in ${SOURCE_REGION}: 8, the promoted AMI in ${SOURCE_REGION}: 11 (EC2 allows 50).`,
      },
    ]);
  });

  it('counts exactly the tags the copies send in TagSpecifications', async () => {
    const { result, fx } = await run({ tags: [{ Key: 'release', Value: '2030.01' }] });
    const plan = planFrom(result);
    if (!('sourceImage' in plan)) throw new Error('nothing to copy');
    const shared = await reencrypt(fx.ctx, plan.sourceImage, plan.sourceKey, true);
    await startTargetCopy(fx.ctx, plan.sourceImage, shared, plan.targets[0]?.keys[0] as never);
    const sent = (side: 'source' | 'target') => fx[side].ec2(SOURCE_REGION).commandCalls(CopyImageCommand).map((c) => c.args[0].input.TagSpecifications?.map((t) => t.Tags?.length));
    // The intermediate AMI also carries this run's lease; its snapshots do not.
    expect(sent('source')).toEqual([[8, 7]]);
    expect(sent('target')).toEqual([[11, 11]]);
  });

  it('leaves out the intermediate copy when the AMI is shared as it is', async () => {
    const { result } = await run({}, { encryption: 'cmk' });
    expect(budget(result)[0]?.detail).toBe(`tags per AMI and per snapshot: the promoted AMI in ${SOURCE_REGION}: 10 (EC2 allows 50).`);
  });

  it('accepts 50 tags exactly: 42 of the source, 8 of provenance; aws: tags of the source do not count', async () => {
    const { result } = await run({}, { encryption: 'cmk', sourceTags: [...sourceTags(42), { Key: 'aws:cloudformation:stack-name', Value: 'images' }] });
    expect(missingFindings(result)).toEqual([]);
    expect(budget(result)[0]?.detail).toContain('the promoted AMI in eu-west-1: 50 ');
  });

  it('refuses 51 tags on the promoted AMI before any change, with the count and the fix', async () => {
    const { result, fx } = await run({ tags: [{ Key: 'release', Value: '2030.01' }] }, { sourceTags: sourceTags(42) });
    expect(budget(result)).toEqual([
      {
        check: TAG_BUDGET_CHECK,
        side: 'target',
        status: 'missing',
        detail: `the promoted AMI and its snapshots in ${SOURCE_REGION} would get 51 tags; EC2 allows 50 per resource, so CopyImage would fail before copying anything.`,
        fix: "Make room: set copy-tags: false (the source AMI has 42 tags of its own) or remove some from the source AMI; or pass fewer tags in the tags input (it has 1). EC2 allows 50 tags per resource, this action's own promote-ami:* tags included.",
      },
    ]);
    expect(() => planFrom(result)).toThrow(`(target account ${TARGET_ACCOUNT}, ${SOURCE_REGION}) failed: the promoted AMI and its snapshots in ${SOURCE_REGION} would get 51 tags`);
    expect(fx.mutations()).toEqual([]);
  });

  it('refuses the intermediate copy on the source side when the copied source tags alone are too many', async () => {
    const { result } = await run({}, { sourceTags: sourceTags(46) });
    expect(missingFindings(result).map((f) => `${f.side} ${f.detail.split(';')[0]}`)).toEqual([
      `source the intermediate copy and its snapshots in ${SOURCE_REGION} would get 52 tags`,
      `target the promoted AMI and its snapshots in ${SOURCE_REGION} would get 54 tags`,
    ]);
    expect(missingFindings(result)[0]?.error?.message).toContain(`(source account ${SOURCE_ACCOUNT}, ${SOURCE_REGION})`);
  });

  it('with copy-tags: false the same source fits', async () => {
    const { result } = await run({ copyTags: false }, { sourceTags: sourceTags(46) });
    expect(missingFindings(result)).toEqual([]);
  });

  it('names every region with the same problem in one finding', async () => {
    const { result } = await run({ targetRegions: [SOURCE_REGION, SECOND_REGION] }, { encryption: 'cmk', sourceTags: sourceTags(45) });
    expect(missingFindings(result).map((f) => f.detail)).toEqual([
      `the promoted AMI and its snapshots in ${SOURCE_REGION} and ${SECOND_REGION} would get 53 tags; EC2 allows 50 per resource, so CopyImage would fail before copying anything.`,
    ]);
  });

  it('accepts a value of 256 emoji and refuses 257, naming the tag and where it comes from', async () => {
    expect(missingFindings((await run({ tags: [{ Key: 'note', Value: ROCKET.repeat(256) }] })).result)).toEqual([]);
    const { result } = await run({ tags: [{ Key: 'note', Value: ROCKET.repeat(257) }] });
    expect(budget(result)).toEqual([
      expect.objectContaining({
        status: 'missing',
        detail: `the promoted AMI and its snapshots in ${SOURCE_REGION} would get a value of 257 characters for the tag "note"; EC2 allows 256, so CopyImage would fail before copying anything.`,
        fix: 'Shorten the tag "note" in the tags input.',
      }),
    ]);
  });

  it('refuses a key of 129 characters copied from the source AMI, on both copies, shortening it in the message', async () => {
    const key = 'k'.repeat(129);
    const { result } = await run({}, { sourceTags: [{ Key: key, Value: 'x' }] });
    const missing = missingFindings(result);
    expect(missing.map((f) => f.side)).toEqual(['source', 'target']);
    expect(missing[0]?.detail).toBe(`the intermediate copy and its snapshots in ${SOURCE_REGION} would get the tag key "${'k'.repeat(40)}…" of 129 characters; EC2 allows 128, so CopyImage would fail before copying anything.`);
    expect(missing[0]?.fix).toBe(`Shorten the tag "${'k'.repeat(40)}…" on the source AMI ${SOURCE_AMI}, or set copy-tags: false.`);
  });

  it('points at the provenance when one of its values is too long', () => {
    const fx = buildContext({ provenance: { repository: 'r'.repeat(300) } });
    const source = { imageId: SOURCE_AMI, region: SOURCE_REGION, ownerId: SOURCE_ACCOUNT, ownedBySource: true, name: 'n', tags: [], snapshots: [], billingCodes: [], registration: { BlockDeviceMappings: [] } };
    const [finding] = tagBudgetFindings(fx.ctx, source, { arn: KEY_ARN, keyId: KEY_ID, accountId: SOURCE_ACCOUNT, region: SOURCE_REGION }, [
      { accountId: TARGET_ACCOUNT, keys: [defaultTargetKey(SOURCE_REGION)] },
    ]);
    expect(finding?.detail).toContain('for the tag "promote-ami:repository"');
    expect(finding?.fix).toBe(`The tag "promote-ami:repository" is one of this action's provenance tags: shorten the repository name or the server URL it is made of.`);
  });
});

describe('tagBudgetFindings with nothing to create', () => {
  it('reports nothing when no copy will be made', () => {
    const fx = buildContext();
    const source = { imageId: SOURCE_AMI, region: SOURCE_REGION, ownerId: SOURCE_ACCOUNT, ownedBySource: true, name: 'n', tags: [], snapshots: [], billingCodes: [], registration: { BlockDeviceMappings: [] } };
    expect(tagBudgetFindings(fx.ctx, source, undefined, [])).toEqual([]);
  });
});
