import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { planFrom } from '../../../../src/domain/plan.js';
import { missingFindings, preflight } from '../../../../src/domain/preflight/preflight.js';
import { nameFinding } from '../../../../src/domain/preflight/name-check.js';
import {
  SECOND_REGION,
  SOURCE_REGION,
  TARGET_ACCOUNT,
  TARGET_ALIAS,
  awsError,
  buildContext,
  defaultTargetKey,
  expectedProvenanceTags,
  image,
  stubEarlierPromotion,
  stubSimulation,
  stubWorld,
  targetImageId,
  targetKeyArn,
  targetSnapshotIds,
  type Fixture, type RequestOverrides } from '../../../support/pipeline-fixtures.js';

const SOURCE_NAME = 'golden-base-2030.01.01';
const TAKEN_BY = 'ami-0dddddddddddddddd';
const nameFilter = (name: string) => ({ Filters: [{ Name: 'name', Values: [name] }] });

function setup(request: RequestOverrides = {}): Fixture {
  const fx = buildContext(request);
  stubWorld(fx);
  stubSimulation(fx);
  return fx;
}

/** An AMI of the target account named `name` in a region. */
function holder(fx: Fixture, region: string, name: string, shape: Partial<Image> = {}): void {
  const held = { ...image({ imageId: TAKEN_BY, ownerId: TARGET_ACCOUNT, name, tags: [] }), ...shape };
  fx.target.ec2(region).on(DescribeImagesCommand, nameFilter(name)).resolves({ Images: [held] });
}

function nameLookups(fx: Fixture, region: string) {
  return fx.target
    .ec2(region)
    .commandCalls(DescribeImagesCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.Filters?.some((f) => f.Name === 'name'));
}

describe('the AMI name check', () => {
  it('is ok when the target account has no AMI of that name, asking with target credentials in that region, disabled AMIs included', async () => {
    const fx = setup();
    const finding = await nameFinding(fx.ctx, defaultTargetKey(SOURCE_REGION), SOURCE_NAME);
    expect(finding).toEqual({ check: `The AMI name is free in ${SOURCE_REGION}`, side: 'target', status: 'ok', detail: `account ${TARGET_ACCOUNT} has no AMI named "${SOURCE_NAME}" in ${SOURCE_REGION}.` });
    expect(nameLookups(fx, SOURCE_REGION)).toEqual([{ Owners: ['self'], Filters: [{ Name: 'name', Values: [SOURCE_NAME] }], IncludeDisabled: true }]);
    expect(fx.sent.map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`)).toEqual([`target ec2 ${SOURCE_REGION} DescribeImages`]);
  });

  it('refuses a name another AMI of the target account holds, naming the account, region, AMI and name, with the fix', async () => {
    const fx = setup();
    holder(fx, SOURCE_REGION, SOURCE_NAME);
    const finding = await nameFinding(fx.ctx, defaultTargetKey(SOURCE_REGION), SOURCE_NAME);
    expect(finding).toMatchObject({
      check: `The AMI name is free in ${SOURCE_REGION}`,
      side: 'target',
      status: 'missing',
      detail: `account ${TARGET_ACCOUNT} already has ${TAKEN_BY} named "${SOURCE_NAME}" in ${SOURCE_REGION}; AMI names are unique per account and region, so CopyImage would fail with InvalidAMIName.Duplicate.`,
      fix: `Set the ami-name input to a name not used yet, for example with the release number in it (ami-name: ${SOURCE_NAME}-\${{ github.run_number }}), or deregister ${TAKEN_BY} in ${SOURCE_REGION} of account ${TARGET_ACCOUNT} if it is no longer needed.`,
    });
    expect(finding.error?.message).toContain(`(target account ${TARGET_ACCOUNT}, ${SOURCE_REGION})`);
  });

  it.each([
    ['under another key', { Tags: expectedProvenanceTags(targetKeyArn(SOURCE_REGION)) }, `it is a promotion of the same source AMI under another key (${targetKeyArn(SOURCE_REGION)}), so it is not reused`],
    ['still pending', { State: 'pending' as const, Tags: expectedProvenanceTags('default') }, 'it is a promotion of the same source AMI that is pending, so it is not reused'],
    [
      'from another source region',
      { Tags: expectedProvenanceTags('default').map((t) => (t.Key === 'promote-ami:source-region' ? { ...t, Value: 'us-east-1' } : t)) },
      'it is a promotion of an AMI with the same ID from another region, so it is not reused',
    ],
  ])('says why a promotion of the same source holding the name (%s) is not reused', async (_, shape, because) => {
    const fx = setup();
    holder(fx, SOURCE_REGION, SOURCE_NAME, shape);
    const finding = await nameFinding(fx.ctx, defaultTargetKey(SOURCE_REGION), SOURCE_NAME);
    expect(finding.status).toBe('missing');
    expect(finding.detail).toContain(`already has ${TAKEN_BY} named "${SOURCE_NAME}" in ${SOURCE_REGION} (${because});`);
  });

  it('turns a denied lookup into a missing finding with the IAM statement, not an exception', async () => {
    const fx = setup();
    fx.target.ec2(SOURCE_REGION).on(DescribeImagesCommand, nameFilter(SOURCE_NAME)).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const result = await preflight(fx.ctx);
    const [finding, ...others] = missingFindings(result);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ check: `The AMI name is free in ${SOURCE_REGION}`, side: 'target', status: 'missing' });
    expect(finding?.fix).toContain('"Action": "ec2:DescribeImages"');
  });
});

describe('the AMI name check in the preflight', () => {
  it('checks the ami-name input, not the source name, when it is set', async () => {
    const fx = setup({ amiName: 'golden-base-release-7' });
    holder(fx, SOURCE_REGION, SOURCE_NAME);
    const result = await preflight(fx.ctx);
    expect(missingFindings(result)).toEqual([]);
    expect(nameLookups(fx, SOURCE_REGION)).toEqual([{ Owners: ['self'], Filters: [{ Name: 'name', Values: ['golden-base-release-7'] }], IncludeDisabled: true }]);
  });

  it('refuses before any change: planFrom throws the refusal, nothing was changed', async () => {
    const fx = setup({ targetRegions: [SOURCE_REGION, SECOND_REGION] });
    holder(fx, SECOND_REGION, SOURCE_NAME);
    const result = await preflight(fx.ctx);
    expect(missingFindings(result).map((f) => f.check)).toEqual([`The AMI name is free in ${SECOND_REGION}`]);
    expect(result.findings.find((f) => f.check === `The AMI name is free in ${SOURCE_REGION}`)?.status).toBe('ok');
    expect(() => planFrom(result)).toThrow(`already has ${TAKEN_BY} named "${SOURCE_NAME}" in ${SECOND_REGION}`);
    expect(fx.mutations()).toEqual([]);
  });

  it('does not look up the name in a region that reuses an earlier promotion: that region copies nothing', async () => {
    const fx = setup({ targetRegions: [SOURCE_REGION, SECOND_REGION] });
    stubEarlierPromotion(fx, SECOND_REGION, targetImageId(SECOND_REGION), targetSnapshotIds(SECOND_REGION));
    const result = await preflight(fx.ctx);
    expect(missingFindings(result)).toEqual([]);
    expect(nameLookups(fx, SECOND_REGION)).toEqual([]);
    expect(nameLookups(fx, SOURCE_REGION)).toHaveLength(1);
    expect(result.findings.map((f) => f.check)).not.toContain(`The AMI name is free in ${SECOND_REGION}`);
  });

  it('does not look up the name where the lookup of an earlier promotion already failed', async () => {
    const fx = setup();
    fx.target.ec2(SOURCE_REGION).on(DescribeImagesCommand, { Owners: ['self'] }).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const result = await preflight(fx.ctx);
    expect(missingFindings(result).map((f) => f.check)).toEqual([`An earlier promotion in ${SOURCE_REGION}`]);
    expect(nameLookups(fx, SOURCE_REGION)).toEqual([]);
  });

  it('looks up every region at the same time, not one after the other', async () => {
    const fx = setup({ targetRegions: [SOURCE_REGION, SECOND_REGION], targetKey: { kind: 'alias', aliasName: TARGET_ALIAS } });
    const asked: string[] = [];
    let release: () => void = () => undefined;
    const bothAsked = new Promise<void>((resolve) => (release = resolve));
    for (const region of [SOURCE_REGION, SECOND_REGION]) {
      fx.target
        .ec2(region)
        .on(DescribeImagesCommand, nameFilter(SOURCE_NAME))
        .callsFake(async () => {
          asked.push(region);
          if (asked.length === 2) release();
          await bothAsked;
          return { Images: [] };
        });
    }
    const result = await preflight(fx.ctx);
    expect(asked.sort()).toEqual([SECOND_REGION, SOURCE_REGION].sort());
    expect(result.findings.filter((f) => f.check.startsWith('The AMI name is free')).map((f) => f.status)).toEqual(['ok', 'ok']);
  });

  it('is not run when every region reuses an earlier promotion', async () => {
    const fx = setup();
    stubEarlierPromotion(fx, SOURCE_REGION, targetImageId(SOURCE_REGION), targetSnapshotIds(SOURCE_REGION));
    await preflight(fx.ctx);
    expect(nameLookups(fx, SOURCE_REGION)).toEqual([]);
    expect(fx.sent.filter((c) => c.side === 'source')).toEqual([]);
  });
});
