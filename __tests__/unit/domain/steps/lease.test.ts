import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { CreateTagsCommand, DescribeImageAttributeCommand } from '@aws-sdk/client-ec2';
import { PromotionError } from '../../../../src/aws/errors.js';
import { LEASE_TIMING, activeMarks, holderOf, leaseTag, takeLease } from '../../../../src/domain/steps/lease.js';
import { shareWithTargets } from '../../../../src/domain/steps/share.js';
import {
  INTERMEDIATE_AMI,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_REGION,
  START,
  awsError,
  buildContext,
  intermediateSnapshotIds,
} from '../../../support/pipeline-fixtures.js';

const at = (ms: number) => new Date(START + ms).toISOString();

describe('the lease of a run', () => {
  it('is named by run, attempt and targets, and holds until the deadline plus the time cleanup may take', () => {
    const fx = buildContext();
    expect(holderOf(fx.ctx)).toMatch(/^4242-1-[0-9a-f]{10}$/);
    expect(leaseTag(fx.ctx)).toEqual({ Key: `promote-ami:lease:${holderOf(fx.ctx)}`, Value: new Date(fx.ctx.deadline + LEASE_TIMING.afterDeadlineMs).toISOString() });
  });

  it('differs between the jobs of a matrix (other targets) and between attempts, not between runs of the same job', () => {
    const holders = [
      holderOf(buildContext().ctx),
      holderOf(buildContext().ctx),
      holderOf(buildContext({ targetRegions: [SECOND_REGION] }).ctx),
      holderOf(buildContext({ targetKey: { kind: 'alias', aliasName: 'alias/other' } }).ctx),
      holderOf(buildContext({ provenance: { runId: '4242', runAttempt: '2' } }).ctx),
    ];
    expect(holders[0]).toBe(holders[1]);
    expect(new Set(holders).size).toBe(4);
  });

  it('counts the marks still valid, other than the own ones; a value that is no time has expired', () => {
    const tags = [
      { Key: 'promote-ami:role', Value: 'intermediate' },
      { Key: 'promote-ami:lease:1-1-aaaaaaaaaa', Value: at(60_000) },
      { Key: 'promote-ami:lease:2-1-bbbbbbbbbb', Value: at(-1) },
      { Key: 'promote-ami:lease:3-1-cccccccccc', Value: 'soon' },
      { Key: 'promote-ami:lease:4-1-dddddddddd', Value: at(1) },
      { Key: 'promote-ami:going:5-1-eeeeeeeeee', Value: at(60_000) },
    ];
    expect(activeMarks(tags, 'promote-ami:lease:', START)).toEqual([
      { key: 'promote-ami:lease:1-1-aaaaaaaaaa', until: at(60_000) },
      { key: 'promote-ami:lease:4-1-dddddddddd', until: at(1) },
    ]);
    expect(activeMarks(tags, 'promote-ami:lease:', START, new Set(['promote-ami:lease:1-1-aaaaaaaaaa']))).toEqual([{ key: 'promote-ami:lease:4-1-dddddddddd', until: at(1) }]);
    expect(activeMarks(tags, 'promote-ami:going:', START + 60_000)).toEqual([]);
    expect(activeMarks(undefined, 'promote-ami:lease:', START)).toEqual([]);
  });
});

describe('taking a lease on a copy another run made', () => {
  it('journals the lease before it tags the copy, in the source account and region', async () => {
    const fx = buildContext();
    const ec2 = fx.source.ec2(SOURCE_REGION);
    ec2.on(CreateTagsCommand).callsFake(async () => {
      expect(fx.journal.entries()).toEqual([{ kind: 'lease', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, key: leaseTag(fx.ctx).Key }]);
      return {};
    });
    await expect(takeLease(fx.ctx, INTERMEDIATE_AMI)).resolves.toBe(true);
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([{ Resources: [INTERMEDIATE_AMI], Tags: [leaseTag(fx.ctx)] }]);
  });

  it('answers false for a copy that is gone', async () => {
    const fx = buildContext();
    fx.source.ec2(SOURCE_REGION).on(CreateTagsCommand).rejects(awsError('InvalidAMIID.NotFound'));
    await expect(takeLease(fx.ctx, INTERMEDIATE_AMI)).resolves.toBe(false);
  });

  it('explains a copy without room for one more tag', async () => {
    const fx = buildContext();
    fx.source.ec2(SOURCE_REGION).on(CreateTagsCommand).rejects(awsError('TagLimitExceeded', 'The maximum number of tags for a resource (50) would be exceeded'));
    const error = (await takeLease(fx.ctx, INTERMEDIATE_AMI).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
    expect(error.details.why).toContain('one lease per run that uses it');
    expect(error.details.fix).toContain('copy-tags: false');
  });

  it('explains a denied CreateTags with the statement to add', async () => {
    const fx = buildContext();
    fx.source.ec2(SOURCE_REGION).on(CreateTagsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(takeLease(fx.ctx, INTERMEDIATE_AMI)).rejects.toThrow('"Action": "ec2:CreateTags"');
  });
});

describe('sharing an intermediate copy that is gone', () => {
  it('says that the cleanup of another run most probably removed it', async () => {
    const fx = buildContext();
    fx.source.ec2(SOURCE_REGION).on(DescribeImageAttributeCommand).rejects(awsError('InvalidAMIID.NotFound', `The image id '[${INTERMEDIATE_AMI}]' does not exist`));
    const error = (await shareWithTargets(fx.ctx, { imageId: INTERMEDIATE_AMI, snapshotIds: intermediateSnapshotIds(), intermediate: true, deviceSnapshots: {} }).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details.why).toContain(`the intermediate copy ${INTERMEDIATE_AMI} is gone (InvalidAMIID.NotFound): most probably the cleanup of another run`);
    expect(error.details.fix).toMatch(/^Re-run this job/);
  });

  it('leaves other failures as they are explained', async () => {
    const fx = buildContext();
    fx.source.ec2(SOURCE_REGION).on(DescribeImageAttributeCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(shareWithTargets(fx.ctx, { imageId: INTERMEDIATE_AMI, snapshotIds: [], intermediate: true, deviceSnapshots: {} })).rejects.toThrow('"Action": "ec2:DescribeImageAttribute"');
  });
});
