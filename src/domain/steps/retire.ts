import {
  DeregisterImageCommand,
  DisableImageCommand,
  EnableImageDeprecationCommand,
  type DeleteSnapshotReturnCode,
} from '@aws-sdk/client-ec2';
import { call } from '../../aws/explain.js';
import { manual } from '../cleanup/manual.js';
import { siteOf, type TargetContext } from '../context.js';
import type { EarlierPromotion } from '../lookups/earlier-promotions.js';
import { deprecateAt, planRetirement, type RetirementPlan } from '../retirement-plan.js';
import type { RetireMode } from '../types.js';
import type { FinishedImage } from './finish.js';

export type RetireAction = 'deprecated' | 'disabled' | 'deregistered';

export interface RetiredImage {
  imageId: string;
  name: string;
  action: RetireAction;
  /** The AWS CLI command that reverses it (deprecated and disabled images). */
  undo?: string;
  /** Snapshots of a deregistered image that DeregisterImage did not delete, with why. */
  snapshotsKept: { snapshotId: string; reason: string }[];
}

/** What retire-previous did in one target account and region. */
export interface RetirementReport {
  accountId: string;
  region: string;
  retired: RetiredImage[];
  kept: { imageId: string; name: string; reason: string }[];
}

/**
 * Why DeregisterImage left a snapshot, by DeleteSnapshotResults ReturnCode.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSnapshotReturnCode.html
 */
function snapshotKeptReason(result: DeleteSnapshotReturnCode, region: string): string {
  const byHand = `delete it with ${manual.deleteSnapshot(region, result.SnapshotId ?? 'SNAPSHOT_ID')}`;
  switch (result.ReturnCode) {
    case 'skipped':
      return 'another AMI uses it (skipped)';
    case 'missing-permissions':
      return `the role may not call ec2:DeleteSnapshot on it (missing-permissions); allow it, or ${byHand}`;
    case 'internal-error':
      return `AWS failed to delete it (internal-error); ${byHand}`;
    default:
      return `not deleted (${result.ReturnCode ?? 'no result'}), for example because a snapshot lock holds it; the DeleteSnapshot event in CloudTrail says why; then ${byHand}`;
  }
}

/**
 * Deregisters the image and deletes its snapshots in the same call; a snapshot another AMI uses, or that cannot be
 * deleted, stays and is reported. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeregisterImage.html
 */
async function deregister(ctx: TargetContext, region: string, image: EarlierPromotion): Promise<RetiredImage> {
  const site = { what: `Deregistering the earlier promotion ${image.imageId} and deleting its snapshots`, ...siteOf(ctx.target, region), action: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'] };
  const response = await call(site, () => ctx.target.ec2(region).send(new DeregisterImageCommand({ ImageId: image.imageId, DeleteAssociatedSnapshots: true })));
  const snapshotsKept = (response.DeleteSnapshotResults ?? [])
    .filter((result) => result.ReturnCode !== 'success')
    .map((result) => ({ snapshotId: result.SnapshotId ?? 'unknown', reason: snapshotKeptReason(result, region) }));
  return { imageId: image.imageId, name: image.name, action: 'deregistered', snapshotsKept };
}

/**
 * Disabling removes every launch permission; EnableImage makes the AMI available again, but those who lost access do
 * not regain it. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableImage.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImage.html
 */
async function disable(ctx: TargetContext, region: string, image: EarlierPromotion): Promise<RetiredImage> {
  const site = { what: `Disabling the earlier promotion ${image.imageId}`, ...siteOf(ctx.target, region), action: 'ec2:DisableImage' };
  await call(site, () => ctx.target.ec2(region).send(new DisableImageCommand({ ImageId: image.imageId })));
  const undo = `aws ec2 enable-image --image-id ${image.imageId} --region ${region} (then share it again: disabling removed its launch permissions)`;
  return { imageId: image.imageId, name: image.name, action: 'disabled', undo, snapshotsKept: [] };
}

/** Deprecates the image at the next whole minute (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImageDeprecation.html). */
async function deprecate(ctx: TargetContext, region: string, image: EarlierPromotion): Promise<RetiredImage> {
  const site = { what: `Deprecating the earlier promotion ${image.imageId}`, ...siteOf(ctx.target, region), action: 'ec2:EnableImageDeprecation' };
  const input = { ImageId: image.imageId, DeprecateAt: deprecateAt(ctx.clock.now()) };
  await call(site, () => ctx.target.ec2(region).send(new EnableImageDeprecationCommand(input)));
  const undo = `aws ec2 disable-image-deprecation --image-id ${image.imageId} --region ${region}`;
  return { imageId: image.imageId, name: image.name, action: 'deprecated', undo, snapshotsKept: [] };
}

const RETIRE: Record<Exclude<RetireMode, 'none'>, typeof deprecate> = { deprecate, disable, deregister };

function logReport(ctx: TargetContext, report: RetirementReport): void {
  for (const image of report.retired) {
    ctx.log.info(`retire-previous: ${image.action} ${image.imageId} (${image.name}) in ${report.region}${image.undo ? `; to undo: ${image.undo}` : ''}`);
    for (const snapshot of image.snapshotsKept) ctx.log.warning(`retire-previous: snapshot ${snapshot.snapshotId} of ${image.imageId} was kept: ${snapshot.reason}`);
  }
  for (const image of report.kept) ctx.log.info(`retire-previous: kept ${image.imageId} (${image.name}) in ${report.region}: ${image.reason}`);
}

async function carryOut(ctx: TargetContext, plan: RetirementPlan, mode: Exclude<RetireMode, 'none'>): Promise<RetirementReport> {
  const retired: RetiredImage[] = [];
  for (const image of plan.retire) retired.push(await RETIRE[mode](ctx, plan.region, image));
  const kept = plan.kept.map(({ image, reason }) => ({ imageId: image.imageId, name: image.name, reason }));
  const report = { accountId: ctx.target.identity.accountId, region: plan.region, retired, kept };
  logReport(ctx, report);
  return report;
}

/**
 * retire-previous: in each region where this run has a promoted AMI available, retires the earlier promotions of the
 * lineage that planRetirement does not keep. Mode none makes no call.
 */
export async function retireEarlier(ctx: TargetContext, images: readonly FinishedImage[]): Promise<RetirementReport[]> {
  const { mode } = ctx.request.retire;
  if (mode === 'none') return [];
  const current = images.map((image) => image.imageId);
  const regions = [...new Set(images.map((image) => image.region))];
  return Promise.all(regions.map(async (region) => carryOut(ctx, await planRetirement(ctx, region, current), mode)));
}
