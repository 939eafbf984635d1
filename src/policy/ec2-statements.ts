/**
 * The EC2 statements of the generated policies, in the narrowest form the Service Authorization Reference (SAR) for EC2
 * allows: resource ARNs wherever an action has a resource type, tag conditions that encode the action's own rules, and
 * Resource "*" with aws:RequestedRegion only for the actions that have none.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 */
import { imageArn, launchTemplateArn, snapshotArn } from '../aws/arn.js';
import {
  SOURCE_EC2,
  TARGET_EC2,
  TARGET_LAUNCH_TEMPLATES,
  TARGET_LAUNCH_TEMPLATE_DEFAULT,
  TARGET_RETIRE,
  TARGET_SHARE_ONWARD,
  byResourceLevel,
  targetCopyNeeds,
  sortedActions,
  type Need,
} from './actions.js';
import type { PolicyInputs } from './generate.js';
import { oneOrMany, type ConditionBlock, type PolicyStatement } from './policy-document.js';
import { MARK, ROLE_INTERMEDIATE, ROLE_PROMOTED, TAG } from './tag-keys.js';

/** The condition keys the statements use, as written in them. */
export const KEYS = {
  requestedRegion: 'aws:RequestedRegion',
  /** https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html */
  createAction: 'ec2:CreateAction',
  tagKeys: 'aws:TagKeys',
  owner: 'ec2:Owner',
  addGroup: 'ec2:Add/group',
  requestTag: (key: string) => `aws:RequestTag/${key}`,
  resourceTag: (key: string) => `ec2:ResourceTag/${key}`,
} as const;

type Statement = Omit<PolicyStatement, 'Effect'>;

const allow = (statement: Statement): PolicyStatement => ({ Sid: statement.Sid, Effect: 'Allow', ...statement });

/** One action alone, several as a sorted list. */
const actionList = (needs: readonly Need[]) => oneOrMany(sortedActions(needs));

const only = (needs: readonly Need[], ...actions: string[]): Need[] => needs.filter((need) => actions.includes(need.action));

/** Resources that carry the action's role tag (ec2:ResourceTag, which every image and snapshot action here supports). */
const taggedAs = (role: string, more: Record<string, string> = {}): ConditionBlock => ({ StringEquals: { [KEYS.resourceTag(TAG.role)]: role, ...more } });

/** New resources that CopyImage tags with the role at creation (TagSpecifications give the request tags). */
const requestTaggedAs = (role: string): ConditionBlock => ({ StringEquals: { [KEYS.requestTag(TAG.role)]: role } });

/**
 * CreateTags only as part of CopyImage, with the role tag: what TagSpecifications imply.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
 */
const taggingAtCopy = (role: string, action = 'CopyImage'): ConditionBlock => ({ StringEquals: { [KEYS.createAction]: action, [KEYS.requestTag(TAG.role)]: role } });

/**
 * Never with group "all": ModifySnapshotAttribute carries the groups added in ec2:Add/group (absent when none is, which
 * a negated operator treats as a match). ModifyImageAttribute has no such key in the SAR, so no condition can refuse
 * making an AMI public there: the action never does, and Block Public Access for AMIs refuses it account-wide.
 */
const NEVER_PUBLIC: ConditionBlock = { StringNotEquals: { [KEYS.addGroup]: 'all' } };

function regionLimited(sid: string, needs: readonly Need[], regions: string[]): PolicyStatement[] {
  if (needs.length === 0) return [];
  return [allow({ Sid: sid, Action: actionList(needs), Resource: '*', Condition: { StringEquals: { [KEYS.requestedRegion]: oneOrMany(regions) } } })];
}

/** The source role in the source region. */
export function sourceEc2Statements(inputs: PolicyInputs): PolicyStatement[] {
  const { partition, sourceRegion: region } = inputs;
  const anyImage = imageArn(partition, region, '*');
  const anySnapshot = snapshotArn(partition, region, '*');
  // The role serves every release: the source AMIs and their snapshots by owner, not by ID.
  const ownedBySource: ConditionBlock = { StringEquals: { [KEYS.owner]: inputs.sourceAccountId } };
  const all = Object.values(SOURCE_EC2).flat();
  const asIs = inputs.reencrypt !== true;
  const viaCopy = inputs.reencrypt !== false;
  const imageActions = imageShareActions(inputs);
  return [
    ...regionLimited('DescribeImagesAndSnapshotsHaveNoResourceLevelPermissions', byResourceLevel(all).unscoped, [region]),
    ...(viaCopy ? intermediateStatements(anyImage, anySnapshot, ownedBySource, imageActions) : []),
    ...(asIs ? sourceShareStatements(anyImage, anySnapshot, inputs.sourceAccountId, imageActions) : []),
  ];
}

/**
 * What the source role does to the shared AMI itself: launch permissions (read and changed); with copy-method snapshots
 * no launch permission at all, only DescribeImageAttribute for its UEFI data.
 */
function imageShareActions(inputs: PolicyInputs): Need[] {
  const actions = inputs.copyMethod === 'snapshots' ? ['ec2:DescribeImageAttribute'] : ['ec2:DescribeImageAttribute', 'ec2:ModifyImageAttribute'];
  return only(SOURCE_EC2.share, ...actions);
}

/** Re-encryption: the intermediate copy, made, leased, shared and removed only as tagged. */
function intermediateStatements(anyImage: string, anySnapshot: string, ownedBySource: ConditionBlock, imageActions: Need[]): PolicyStatement[] {
  const share = SOURCE_EC2.share;
  const intermediate = taggedAs(ROLE_INTERMEDIATE);
  return [
    // The SAR authorizes CopyImage on the source image (with ec2:Owner) and its snapshots (no owner or tag key there).
    allow({ Sid: 'CopySourceAmisOfTheSourceAccount', Action: 'ec2:CopyImage', Resource: anyImage, Condition: ownedBySource }),
    allow({ Sid: 'CopyTheirSnapshotsWhichHaveNoOwnerKeyForCopyImage', Action: 'ec2:CopyImage', Resource: anySnapshot }),
    allow({ Sid: 'MakeOnlyIntermediateCopiesTaggedAsSuch', Action: 'ec2:CopyImage', Resource: [anyImage, anySnapshot], Condition: requestTaggedAs(ROLE_INTERMEDIATE) }),
    allow({ Sid: 'TagTheIntermediateCopyOnlyAsCopyImageMakesIt', Action: 'ec2:CreateTags', Resource: [anyImage, anySnapshot], Condition: taggingAtCopy(ROLE_INTERMEDIATE) }),
    allow({
      Sid: 'LeaseAndMarkOnlyIntermediateCopies',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: anyImage,
      Condition: { ...intermediate, 'ForAllValues:StringLike': { [KEYS.tagKeys]: [`${MARK.lease}*`, `${MARK.going}*`] } },
    }),
    allow({
      Sid: 'ShareAndRemoveOnlyIntermediateCopies',
      Action: actionList([...imageActions, ...only(SOURCE_EC2.cleanup, 'ec2:DeregisterImage')]),
      Resource: anyImage,
      Condition: intermediate,
    }),
    allow({
      Sid: 'ShareAndDeleteOnlyIntermediateSnapshotsNeverPublicly',
      Action: actionList([...only(share, 'ec2:DescribeSnapshotAttribute', 'ec2:ModifySnapshotAttribute'), ...only(SOURCE_EC2.cleanup, 'ec2:DeleteSnapshot')]),
      Resource: anySnapshot,
      Condition: { ...intermediate, ...NEVER_PUBLIC },
    }),
  ];
}

/** No re-encryption: the source AMI and its snapshots shared as they are, only the source account's own. */
function sourceShareStatements(anyImage: string, anySnapshot: string, sourceAccountId: string, imageActions: Need[]): PolicyStatement[] {
  const share = SOURCE_EC2.share;
  const owned = { [KEYS.owner]: sourceAccountId };
  return [
    allow({ Sid: 'ShareSourceAmisOfTheSourceAccount', Action: actionList(imageActions), Resource: anyImage, Condition: { StringEquals: owned } }),
    allow({
      Sid: 'ShareSourceSnapshotsOfTheSourceAccountNeverPublicly',
      Action: actionList(only(share, 'ec2:DescribeSnapshotAttribute', 'ec2:ModifySnapshotAttribute')),
      Resource: anySnapshot,
      Condition: { StringEquals: owned, ...NEVER_PUBLIC },
    }),
  ];
}

/** The inputs that decide what the target role does after the copy. */
export type FinishingFeatures = Pick<PolicyInputs, 'deregistrationProtection' | 'deprecation' | 'shareWith' | 'launchTemplates' | 'launchTemplateDefault' | 'retire'>;

/** What the target role does to the promoted AMIs and launch templates, as the inputs ask (retirement: TARGET_RETIRE). */
export function finishingNeeds(inputs: FinishingFeatures): { images: Need[]; templates: Need[] } {
  return {
    images: [
      ...(inputs.deregistrationProtection ? TARGET_EC2.protection : []),
      ...(inputs.deprecation ? TARGET_EC2.deprecation : []),
      ...(inputs.shareWith?.length ? TARGET_SHARE_ONWARD : []),
    ],
    templates: [...(inputs.launchTemplates ? TARGET_LAUNCH_TEMPLATES : []), ...(inputs.launchTemplates && inputs.launchTemplateDefault ? [TARGET_LAUNCH_TEMPLATE_DEFAULT] : [])],
  };
}

/** The copy into the target regions from the source account's AMI, tagged as promoted at creation. */
function copyStatements(inputs: PolicyInputs, images: string[], snapshots: string[]): PolicyStatement[] {
  const { partition, sourceRegion } = inputs;
  return [
    // The shared AMI is the source AMI or the intermediate copy (its ID unknown here), both the source account's.
    allow({ Sid: 'CopyOnlyAmisOfTheSourceAccount', Action: 'ec2:CopyImage', Resource: imageArn(partition, sourceRegion, '*'), Condition: { StringEquals: { [KEYS.owner]: inputs.sourceAccountId } } }),
    // CopyImage's snapshot resource has no owner or tag key in the SAR: the shared AMI's snapshots by region only.
    allow({ Sid: 'CopyTheirSnapshotsWhichHaveNoOwnerKeyForCopyImage', Action: 'ec2:CopyImage', Resource: snapshotArn(partition, sourceRegion, '*') }),
    allow({ Sid: 'MakeOnlyCopiesTaggedAsPromoted', Action: 'ec2:CopyImage', Resource: [...images, ...snapshots], Condition: requestTaggedAs(ROLE_PROMOTED) }),
    allow({ Sid: 'TagTheCopiesOnlyAsCopyImageMakesThem', Action: 'ec2:CreateTags', Resource: [...images, ...snapshots], Condition: taggingAtCopy(ROLE_PROMOTED) }),
  ];
}

/**
 * copy-method snapshots: CopySnapshot from the source region and RegisterImage in the target regions, each new
 * resource tagged as promoted at creation. The SAR authorizes CopySnapshot on snapshots (the shared one and the copy)
 * and RegisterImage on the new image and the snapshots it is registered from, with ec2:CreateTags for the tags given
 * at creation (ec2:CreateAction names the call):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
 */
function snapshotCopyStatements(inputs: PolicyInputs, images: string[], snapshots: string[]): PolicyStatement[] {
  const { partition, sourceRegion } = inputs;
  return [
    // The shared snapshot's ID is unknown here (the source's or the intermediate copy's): by region, as for CopyImage.
    allow({ Sid: 'CopySnapshotsOfTheSourceRegion', Action: 'ec2:CopySnapshot', Resource: snapshotArn(partition, sourceRegion, '*') }),
    allow({ Sid: 'MakeOnlySnapshotCopiesTaggedAsPromoted', Action: 'ec2:CopySnapshot', Resource: oneOrMany(snapshots), Condition: requestTaggedAs(ROLE_PROMOTED) }),
    allow({ Sid: 'TagTheSnapshotCopiesOnlyAsCopySnapshotMakesThem', Action: 'ec2:CreateTags', Resource: oneOrMany(snapshots), Condition: taggingAtCopy(ROLE_PROMOTED, 'CopySnapshot') }),
    allow({ Sid: 'RegisterOnlyAmisTaggedAsPromoted', Action: 'ec2:RegisterImage', Resource: oneOrMany(images), Condition: requestTaggedAs(ROLE_PROMOTED) }),
    allow({ Sid: 'RegisterOnlyFromSnapshotCopiesTaggedAsPromoted', Action: 'ec2:RegisterImage', Resource: oneOrMany(snapshots), Condition: taggedAs(ROLE_PROMOTED) }),
    allow({ Sid: 'TagTheAmisOnlyAsRegisterImageMakesThem', Action: 'ec2:CreateTags', Resource: oneOrMany(images), Condition: taggingAtCopy(ROLE_PROMOTED, 'RegisterImage') }),
  ];
}

/**
 * retire-previous: only earlier promotions of the lineage. What is already allowed on every promoted AMI adds nothing:
 * deregistering with the snapshots (RemoveOnlyCopiesTaggedAsPromoted, which cleanup needs) and, with
 * deprecate-after-days, deprecating (FinishAndShareOnlyPromotedAmis).
 */
function retireStatements(inputs: PolicyInputs, images: string[], allowedOnEveryPromoted: readonly Need[]): PolicyStatement[] {
  const covered = new Set([...TARGET_EC2.cleanup, ...allowedOnEveryPromoted].map((need) => need.action));
  const needs = byResourceLevel(TARGET_RETIRE[inputs.retire ?? 'none']).scoped.filter((need) => !covered.has(need.action));
  if (needs.length === 0) return [];
  const lineage: Record<string, string> = inputs.lineage ? { [KEYS.resourceTag(TAG.lineage)]: inputs.lineage } : {};
  return [allow({ Sid: 'RetireOnlyEarlierPromotionsOfTheLineage', Action: actionList(needs), Resource: oneOrMany(images), Condition: taggedAs(ROLE_PROMOTED, lineage) })];
}

/** What the copy reads; the default EBS key's name only where a target region uses that key. */
function copyReads(inputs: PolicyInputs): Need[] {
  const usesDefaultKey = inputs.targetRegions.some((region) => !inputs.targetKeyArns[region]);
  return targetCopyNeeds(inputs.copyMethod).filter((need) => usesDefaultKey || need.action !== 'ec2:GetEbsDefaultKmsKeyId');
}

/** The target role in the target regions. */
export function targetEc2Statements(inputs: PolicyInputs): PolicyStatement[] {
  const { partition, targetRegions: regions } = inputs;
  const images = regions.map((region) => imageArn(partition, region, '*'));
  const snapshots = regions.map((region) => snapshotArn(partition, region, '*'));
  const finishing = finishingNeeds(inputs);
  const retire = TARGET_RETIRE[inputs.retire ?? 'none'];
  const templates = byResourceLevel(finishing.templates);
  const statements = [
    ...regionLimited('DescribeCallsAndSettingsHaveNoResourceLevelPermissions', byResourceLevel([...copyReads(inputs), ...templates.unscoped, ...retire]).unscoped, regions),
    ...(inputs.copyMethod === 'snapshots' ? snapshotCopyStatements(inputs, images, snapshots) : copyStatements(inputs, images, snapshots)),
    // Cleanup deregisters an unfinished copy with its snapshots (DeleteAssociatedSnapshots needs ec2:DeleteSnapshot).
    allow({ Sid: 'RemoveOnlyCopiesTaggedAsPromoted', Action: actionList(TARGET_EC2.cleanup), Resource: [...images, ...snapshots], Condition: taggedAs(ROLE_PROMOTED) }),
  ];
  if (finishing.images.length > 0) {
    statements.push(allow({ Sid: 'FinishAndShareOnlyPromotedAmis', Action: actionList(finishing.images), Resource: oneOrMany(images), Condition: taggedAs(ROLE_PROMOTED) }));
  }
  if (templates.scoped.length > 0) {
    const arns = regions.map((region) => launchTemplateArn(partition, region, inputs.targetAccountId, '*'));
    statements.push(allow({ Sid: 'PutThePromotedAmiInLaunchTemplates', Action: actionList(templates.scoped), Resource: oneOrMany(arns) }));
  }
  return [...statements, ...retireStatements(inputs, images, finishing.images)];
}
