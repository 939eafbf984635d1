import type { ContextEntry } from '@aws-sdk/client-iam';
import { imageArn, launchTemplateArn, snapshotArn } from '../../aws/arn.js';
import { TARGET_EC2, TARGET_RETIRE, byResourceLevel, requiredActions, targetCopyNeeds, type Need } from '../../policy/actions.js';
import { KEYS, finishingNeeds } from '../../policy/ec2-statements.js';
import { ROLE_PROMOTED, TAG } from '../../policy/tag-keys.js';
import type { TargetContext } from '../context.js';
import { finishingFeatures } from './policy-inputs.js';

export interface Simulation {
  label: string;
  actions: string[];
  resource: string;
  resourcePolicy?: string;
  resourceOwner?: string;
  context: ContextEntry[];
  /** A key of the role's own account: its key policy may allow the role directly, without any IAM statement. */
  ownAccountKey?: boolean;
}

/**
 * A context entry of SimulatePrincipalPolicy: the simulator knows no request, so the keys the generated policies test
 * are passed as EC2 would send them (ContextKeyName, ContextKeyValues, ContextKeyType).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html
 */
export function contextEntry(name: string, value: string, type: 'string' | 'boolean' = 'string'): ContextEntry {
  return { ContextKeyName: name, ContextKeyValues: [value], ContextKeyType: type };
}

/** The EC2 actions the target role needs for this request (the finishing steps run after the copy: a permission missing there fails the run late). */
function targetNeeds(ctx: TargetContext): Need[] {
  const { images, templates } = finishingNeeds(finishingFeatures(ctx.request));
  return [...targetCopyNeeds(ctx.request.copyMethod), ...TARGET_EC2.cleanup, ...images, ...templates, ...TARGET_RETIRE[ctx.request.retire.mode]];
}

const isImageAction = (action: string) => /Image/.test(action) && action !== 'ec2:CopyImage' && action !== 'ec2:RegisterImage';

/** CopyImage on the shared AMI (its owner) and its snapshots, and with CreateTags on the new image and snapshots. */
function copySimulations(ctx: TargetContext, region: string): Simulation[] {
  const { partition } = ctx.target.spec.role;
  const { request } = ctx;
  const atCopy = [contextEntry(KEYS.requestTag(TAG.role), ROLE_PROMOTED), contextEntry(KEYS.createAction, 'CopyImage')];
  return [
    { label: 'the copy of the shared AMI', actions: ['ec2:CopyImage'], resource: imageArn(partition, request.sourceRegion, request.sourceAmiId), context: [contextEntry(KEYS.owner, ctx.source.identity.accountId)] },
    { label: "the copy of the shared AMI's snapshots", actions: ['ec2:CopyImage'], resource: snapshotArn(partition, request.sourceRegion, '*'), context: [] },
    { label: 'the new copies tagged at creation', actions: ['ec2:CopyImage', 'ec2:CreateTags'], resource: imageArn(partition, region, '*'), context: atCopy },
    { label: "the new copies' snapshots tagged at creation", actions: ['ec2:CopyImage', 'ec2:CreateTags'], resource: snapshotArn(partition, region, '*'), context: atCopy },
  ];
}

/**
 * copy-method snapshots: CopySnapshot of the shared snapshots, the copies tagged at creation (CreateTags with
 * ec2:CreateAction CopySnapshot), RegisterImage of the new AMI tagged at creation and from the promoted snapshot copies.
 */
function snapshotCopySimulations(ctx: TargetContext, region: string): Simulation[] {
  const { partition } = ctx.target.spec.role;
  const tagged = (action: string) => [contextEntry(KEYS.requestTag(TAG.role), ROLE_PROMOTED), contextEntry(KEYS.createAction, action)];
  return [
    { label: 'the copy of the shared snapshots', actions: ['ec2:CopySnapshot'], resource: snapshotArn(partition, ctx.request.sourceRegion, '*'), context: [] },
    { label: 'the snapshot copies tagged at creation', actions: ['ec2:CopySnapshot', 'ec2:CreateTags'], resource: snapshotArn(partition, region, '*'), context: tagged('CopySnapshot') },
    { label: 'the registered AMIs tagged at creation', actions: ['ec2:RegisterImage', 'ec2:CreateTags'], resource: imageArn(partition, region, '*'), context: tagged('RegisterImage') },
    { label: 'the snapshot copies AMIs are registered from', actions: ['ec2:RegisterImage'], resource: snapshotArn(partition, region, '*'), context: [contextEntry(KEYS.resourceTag(TAG.role), ROLE_PROMOTED)] },
  ];
}

/**
 * The EC2 simulations of the target role, each on the resource ARN EC2 authorizes the call on and with the condition
 * keys it sends, so that a policy as narrow as the generated one (src/policy/ec2-statements.ts) is reported as allowed:
 * the actions without resource-level permissions on "*" in the first target region; CopyImage on the shared AMI (its
 * owner) and its snapshots, and with CreateTags on the new image and snapshots tagged at creation; what acts on
 * promoted AMIs and their snapshots with their tags; launch templates on their ARNs. IDs not known yet are "*".
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 */
export function ec2Simulations(ctx: TargetContext): Simulation[] {
  const region = ctx.target.spec.regions[0] as string;
  const { partition } = ctx.target.spec.role;
  const { request } = ctx;
  const accountId = ctx.target.identity.accountId;
  const { unscoped, scoped } = byResourceLevel(targetNeeds(ctx));
  const actions = (test: (action: string) => boolean) => [...new Set(requiredActions(scoped).filter(test))];
  const promoted = [contextEntry(KEYS.resourceTag(TAG.role), ROLE_PROMOTED), ...(request.lineage ? [contextEntry(KEYS.resourceTag(TAG.lineage), request.lineage)] : [])];
  const list: Simulation[] = [
    { label: 'EC2 calls without resource-level permissions', actions: requiredActions(unscoped), resource: '*', context: [contextEntry(KEYS.requestedRegion, region)] },
    ...(request.copyMethod === 'snapshots' ? snapshotCopySimulations(ctx, region) : copySimulations(ctx, region)),
    { label: 'the promoted AMIs', actions: actions(isImageAction), resource: imageArn(partition, region, '*'), context: promoted },
    { label: "the promoted AMIs' snapshots", actions: actions((action) => action === 'ec2:DeleteSnapshot'), resource: snapshotArn(partition, region, '*'), context: promoted },
  ];
  const templates = actions((action) => action.includes('LaunchTemplate'));
  if (templates.length > 0) list.push({ label: 'the launch templates', actions: templates, resource: launchTemplateArn(partition, region, accountId, '*'), context: [] });
  return list;
}
