import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as core from '@actions/core';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceImage } from '../../../src/domain/lookups/inspect.js';
import { preflight, type PreflightFinding, type PreflightResult } from '../../../src/domain/preflight/preflight.js';
import { dryRunPlan as planLines } from '../../../src/domain/dry-run.js';
import { reportDryRun } from '../../../src/github/dry-run.js';
import {
  KEY_ARN,
  KEY_ID,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  TARGET_ACCOUNT,
  TARGET_ALIAS,
  TARGET_ROLE,
  buildContext,
  defaultRequest,
  image,
  policyWithoutTarget,
  stubSimulation,
  stubWorld,
  targetDefaultKeyArn,
  targetImageId,
  targetKeyArn,
  targetSnapshotIds,
  customerTargetKey,
  defaultTargetKey,
  preflightResult,
  type RequestOverrides,
} from '../../support/pipeline-fixtures.js';

const SLR = `arn:aws:iam::${TARGET_ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;

function sourceImage(underCmk: boolean, ownedBySource = true): SourceImage {
  const snapshot = (i: number) => ({ snapshotId: `snap-${i}`, deviceName: `/dev/xvd${'ab'[i]}`, encrypted: underCmk, kmsKeyId: underCmk ? KEY_ARN : undefined });
  return { imageId: SOURCE_AMI, region: SOURCE_REGION, ownerId: SOURCE_ACCOUNT, ownedBySource, name: 'golden', tags: [], snapshots: [snapshot(0), snapshot(1)], billingCodes: [], registration: { BlockDeviceMappings: [] } };
}

const fx = buildContext({ targetRegions: [SOURCE_REGION, SECOND_REGION] });

function pre(overrides: Parameters<typeof preflightResult>[1] = {}): PreflightResult {
  return preflightResult(fx, {
    sourceImage: sourceImage(false),
    sourceKey: { arn: KEY_ARN, keyId: KEY_ID, accountId: SOURCE_ACCOUNT, region: SOURCE_REGION },
    keys: [customerTargetKey(SOURCE_REGION), defaultTargetKey(SECOND_REGION)],
    ...overrides,
  });
}

const request = (overrides: RequestOverrides = {}) => defaultRequest({ targetRegions: [SOURCE_REGION, SECOND_REGION], ...overrides });

const REENCRYPT = `Re-encrypt ${SOURCE_AMI} with ${KEY_ARN} in the source account (${SOURCE_REGION}) as an intermediate copy.`;
const SHARE = `Share the AMI and its 2 snapshot(s) with account ${TARGET_ACCOUNT} only.`;
const COPIES = [`${SOURCE_REGION}: copy into account ${TARGET_ACCOUNT} under ${targetKeyArn(SOURCE_REGION)}.`, `${SECOND_REGION}: copy into account ${TARGET_ACCOUNT} under ${targetDefaultKeyArn(SECOND_REGION)} (default EBS key).`];

describe('planLines', () => {
  it('verify, re-encrypting: every step, and a cleanup of the sharing and the intermediate copy only', () => {
    expect(planLines(request(), pre())).toEqual([
      REENCRYPT,
      'Key access: nothing to change; the key policy and the target roles already allow the copy.',
      SHARE,
      ...COPIES,
      'Then remove the sharing and the intermediate copy.',
    ]);
  });

  it('grant, shared as it is: the grant is created and retired, there is no intermediate copy', () => {
    expect(planLines(request({ keyAccess: 'grant' }), pre({ sourceImage: sourceImage(true) }))).toEqual([
      `Share ${SOURCE_AMI} as it is: every snapshot is already under ${KEY_ARN}.`,
      `Key access: create a grant on ${KEY_ARN} for ${TARGET_ROLE}, retired after the run.`,
      SHARE,
      ...COPIES,
      'Then remove the sharing and the grant.',
    ]);
  });

  it('an AMI of another account under the CMK is still re-encrypted', () => {
    expect(planLines(request(), pre({ sourceImage: sourceImage(true, false) }))[0]).toBe(REENCRYPT);
  });

  it('key-policy: the statements are added and kept', () => {
    expect(planLines(request({ keyAccess: 'key-policy' }), pre())[1]).toBe(`Key access: add the missing statements for ${TARGET_ROLE} to the key policy of ${KEY_ARN} (kept).`);
  });

  it.each([
    ['verify', 'Then keep the sharing and the intermediate copy (cleanup: false).'],
    ['grant', 'Then keep the sharing, the grant and the intermediate copy (cleanup: false).'],
    ['key-policy', 'Then keep the sharing and the intermediate copy (cleanup: false).'],
  ] as const)('cleanup: false with %s keeps what the run added', (keyAccess, last) => {
    const lines = planLines(request({ keyAccess, cleanup: false }), pre());
    expect(lines.at(-1)).toBe(last);
    if (keyAccess === 'grant') expect(lines[1]).toBe(`Key access: create a grant on ${KEY_ARN} for ${TARGET_ROLE}, kept (cleanup: false).`);
  });

  it('grant with cleanup: the sharing, the grant and the intermediate copy are removed', () => {
    expect(planLines(request({ keyAccess: 'grant' }), pre()).at(-1)).toBe('Then remove the sharing, the grant and the intermediate copy.');
  });

  it('reuses the regions that already have the promotion and copies into the others', () => {
    const existing = [{ region: SECOND_REGION, imageId: targetImageId(SECOND_REGION), snapshotIds: targetSnapshotIds(SECOND_REGION) }];
    expect(planLines(request(), pre({ existing })).slice(3, 5)).toEqual([COPIES[0], `${SECOND_REGION}: reuse ${targetImageId(SECOND_REGION)} in account ${TARGET_ACCOUNT}.`]);
  });

  it('every region reused: only the finishing settings would be re-applied', () => {
    const existing = [SOURCE_REGION, SECOND_REGION].map((region) => ({ region, imageId: targetImageId(region), snapshotIds: targetSnapshotIds(region) }));
    expect(planLines(request(), pre({ existing, sourceImage: undefined, sourceKey: undefined }))).toEqual([
      `Every target region already has this promotion (${SOURCE_REGION}: ${targetImageId(SOURCE_REGION)}, ${SECOND_REGION}: ${targetImageId(SECOND_REGION)}); a real run would only re-apply the finishing settings.`,
    ]);
  });

  it('autoscaling-access: grant adds the lasting grant on each customer-managed target key', () => {
    const lines = planLines(request({ autoscalingAccess: 'grant' }), pre());
    expect(lines.slice(5, 6)).toEqual([`Auto Scaling: create a grant on ${targetKeyArn(SOURCE_REGION)} for ${SLR} unless it has one (kept).`]);
    expect(lines.filter((l) => l.startsWith('Auto Scaling'))).toHaveLength(1);
    expect(planLines(request({ autoscalingAccess: 'check' }), pre()).filter((l) => l.startsWith('Auto Scaling'))).toEqual([]);
  });

  it('nothing to plan without the source AMI or key', () => {
    expect(planLines(request(), pre({ sourceImage: undefined }))).toEqual([]);
  });
});

describe('reportDryRun', () => {
  let stdout: string[];
  let summaryFile: string;

  beforeEach(async () => {
    stdout = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
    summaryFile = join(await mkdtemp(join(tmpdir(), 'dry-run-')), 'summary.md');
    await writeFile(summaryFile, '');
    process.env.GITHUB_STEP_SUMMARY = summaryFile;
    core.summary.emptyBuffer();
    process.exitCode = undefined;
  });

  afterEach(() => {
    jest.restoreAllMocks();
    core.summary.emptyBuffer();
    delete process.env.GITHUB_STEP_SUMMARY;
    process.exitCode = undefined;
  });

  /** The workflow commands and lines written, with the command escapes undone. */
  const output = () => stdout.join('').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');

  const missing = (n: number, side: 'source' | 'target'): PreflightFinding => ({
    check: `Check ${n}`,
    side,
    accountId: side === 'source' ? SOURCE_ACCOUNT : TARGET_ACCOUNT,
    status: 'missing',
    detail: `detail ${n}`,
    fix: `fix ${n}`,
  });

  it('without missing findings: logs the plan, adds it to the summary, and does not fail', async () => {
    const findings: PreflightFinding[] = [
      { check: 'A', side: 'source', status: 'ok', detail: 'fine' },
      { check: 'B', side: 'target', status: 'unchecked', detail: 'could not' },
      { check: 'C', side: 'source', status: 'warning', detail: 'careful' },
    ];
    reportDryRun(request(), pre({ findings }));
    const lines = planLines(request(), pre());
    expect(process.exitCode).toBeUndefined();
    expect(output()).toBe(`Dry run: nothing was changed. A real run would:\n${lines.map((l) => `- ${l}`).join('\n')}\n`);
    expect(output()).not.toContain('::error::');
    expect(core.summary.stringify()).toBe(
      `<h2>AMI promotion: dry run</h2>\nNothing was changed in any account.\nA real run would:\n<ul>${lines.map((l) => `<li>${l}</li>`).join('')}</ul>\n`,
    );
    await core.summary.write();
    expect(await readFile(summaryFile, 'utf8')).toContain('<h2>AMI promotion: dry run</h2>');
  });

  it('with missing findings: fails the step (exit code 1) listing each missing item with its fix', () => {
    const findings: PreflightFinding[] = [missing(1, 'source'), { check: 'ok one', side: 'target', status: 'ok', detail: 'fine' }, missing(2, 'target'), { ...missing(3, 'target'), fix: undefined }];
    reportDryRun(request(), pre({ findings }));
    expect(process.exitCode).toBe(1);
    expect(output()).toBe(
      '::error::Dry run: nothing was changed; 3 thing(s) must be fixed before a real run:\n' +
        '1. Check 1 (source account 111111111111): detail 1\n   Fix: fix 1\n' +
        '2. Check 2 (target account 222222222222): detail 2\n   Fix: fix 2\n' +
        '3. Check 3 (target account 222222222222): detail 3\n',
    );
    expect(core.summary.stringify()).toBe(
      '<h2>AMI promotion: dry run</h2>\nNothing was changed in any account.\nA real run would stop: 3 thing(s) are missing (see the preflight table).\n',
    );
  });

  it('from a real preflight of a key policy without the target: fails with the statements to add', async () => {
    const fx = buildContext({ dryRun: true, targetKey: { kind: 'alias', aliasName: TARGET_ALIAS } });
    stubWorld(fx, { policy: policyWithoutTarget() });
    stubSimulation(fx);
    const result = await preflight(fx.ctx);
    reportDryRun(fx.request, result);
    expect(process.exitCode).toBe(1);
    expect(output()).toMatch(/^::error::Dry run: nothing was changed; 1 thing\(s\) must be fixed before a real run:\n1\. The source key policy lets the target role copy \(source account 111111111111\): /);
    expect(output()).toContain(`   Fix: Add these statements to the key policy of ${KEY_ARN}:\n[\n  {\n    "Sid": "AllowUseOfTheKeyForAmiPromotion${TARGET_ACCOUNT}"`);
    expect(fx.mutations()).toEqual([]);
  });

  it('from a real preflight where the AMI name is taken in a target region: lists it with the AMI, the name and the fix', async () => {
    const fx = buildContext({ dryRun: true });
    stubWorld(fx);
    stubSimulation(fx);
    fx.target
      .ec2(SOURCE_REGION)
      .on(DescribeImagesCommand, { Filters: [{ Name: 'name', Values: ['golden-base-2030.01.01'] }] })
      .resolves({ Images: [image({ imageId: 'ami-0dddddddddddddddd', ownerId: TARGET_ACCOUNT, tags: [] })] });
    reportDryRun(fx.request, await preflight(fx.ctx));
    expect(process.exitCode).toBe(1);
    expect(output()).toContain(
      `1. The AMI name is free in ${SOURCE_REGION} (target account ${TARGET_ACCOUNT}): account ${TARGET_ACCOUNT} already has ami-0dddddddddddddddd named "golden-base-2030.01.01" in ${SOURCE_REGION}; AMI names are unique per account and region, so CopyImage would fail with InvalidAMIName.Duplicate.\n   Fix: Set the ami-name input to a name not used yet`,
    );
    expect(fx.mutations()).toEqual([]);
  });
});
