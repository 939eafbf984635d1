import { ssmParameterArn } from '../aws/arn.js';
import { DEFAULT_SUBJECT, assumeRoleTrustStatement, chainingPrincipal, githubOidcTrustStatement, githubSubject, type OidcSubject } from '../aws/trust-policy.js';
import {
  AUTOSCALING_GRANT,
  EBS_GRANT,
  EBS_KEY_USE,
  GRANT_FOR_AWS_RESOURCE,
  SOURCE_KEY_ACCESS,
  SOURCE_KEY_CHECK,
  SOURCE_KEY_GRANT,
  SOURCE_OTHER_KEYS,
  TARGET_AUTOSCALING,
  TARGET_PUBLISH,
  TARGET_RECIPIENT_CHECK,
  TARGET_SELF_SIMULATION,
  sortedActions,
} from './actions.js';
import { sourceEc2Statements, targetEc2Statements } from './ec2-statements.js';
import { autoScalingKeyStatements, autoScalingServiceLinkedRoleArn, recipientKeyStatements, targetRoleKeyStatements } from './key-policy-statements.js';
import type { AutoscalingAccessMode, CopyMethod, KeyAccessMode, RetireMode } from './modes.js';
import { oneOrMany, type PolicyDocument, type PolicyStatement } from './policy-document.js';
import { recipientsOf, type Recipient } from './recipients.js';

export interface PolicyInputs {
  partition: string;
  sourceAccountId: string;
  targetAccountId: string;
  sourceRegion: string;
  targetRegions: string[];
  /** The resolved key ARN of the customer-managed key the AMI is shared under. */
  kmsKeyArn: string;
  /** Not needed by any policy: the source IAM policy goes on this role, or on the environment's credentials. */
  sourceRoleArn?: string;
  targetRoleArn: string;
  /** Target region → key ARN; undefined (or no entry) for the target account's default aws/ebs key. */
  targetKeyArns: Record<string, string | undefined>;
  /** Whether the source AMI is re-encrypted (an intermediate copy) or shared as it is; undefined when not known: both. */
  reencrypt?: boolean;
  /** Customer-managed keys, other than kmsKeyArn, of the source AMI's snapshots. */
  extraSourceKeyArns: string[];
  keyAccess: KeyAccessMode;
  autoscalingAccess: AutoscalingAccessMode;
  ssmParameter?: string;
  /** share-with: who may launch the promoted AMIs; empty or absent: not shared onward. */
  shareWith?: Recipient[];
  /** launch-template given: new versions of the templates; with launchTemplateDefault, made the default. */
  launchTemplates?: boolean;
  launchTemplateDefault?: boolean;
  /** retire-previous; absent: none. */
  retire?: RetireMode;
  /** The lineage tag of the promoted AMIs: retire-previous acts only on AMIs that carry it. */
  lineage?: string;
  /** deregistration-protection and deprecate-after-days given. */
  deregistrationProtection?: boolean;
  deprecation?: boolean;
  /** The jobs of the repository allowed to assume the target role; DEFAULT_SUBJECT when absent. */
  subject?: OidcSubject;
  /** copy-method; absent: image (CopyImage). */
  copyMethod?: CopyMethod;
  /** owner/name of the repository allowed to assume the target role; OWNER/REPO when unknown. */
  repository?: string;
  audience: string;
  /** role-chaining: the target role is assumed with sts:AssumeRole by chainingPrincipalArn, not with the OIDC token. */
  roleChaining?: boolean;
  /** With roleChaining: the principal (role or user ARN) of the credentials in the environment, which assume the roles. */
  chainingPrincipalArn?: string;
}

export interface GeneratedPolicies {
  sourceRoleIamPolicy: PolicyDocument;
  /** For the key policy of kmsKeyArn. */
  keyPolicyStatements: PolicyStatement[];
  targetRoleIamPolicy: PolicyDocument;
  targetTrustPolicy: PolicyDocument;
  /** For the key policy of each customer-managed target key; empty when every target uses aws/ebs. */
  autoscalingKeyStatements: PolicyStatement[];
  /** share-with: for the key policy of each customer-managed target key, so that the recipients can launch the AMI. */
  recipientKeyStatements: PolicyStatement[];
}


function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function ebsGrantStatement(keyArns: string[]): PolicyStatement {
  return { Sid: 'LetEc2CreateGrantsOnTheKeys', Effect: 'Allow', Action: EBS_GRANT.action, Resource: oneOrMany(keyArns), Condition: GRANT_FOR_AWS_RESOURCE };
}

function sourceRoleIamPolicy(inputs: PolicyInputs, extraKeys: string[]): PolicyDocument {
  const keyActions = sortedActions([...EBS_KEY_USE, ...SOURCE_KEY_CHECK, ...SOURCE_KEY_ACCESS[inputs.keyAccess]]);
  const statements: PolicyStatement[] = [
    ...sourceEc2Statements(inputs),
    { Sid: 'UseAndManageTheSharedKey', Effect: 'Allow', Action: keyActions, Resource: inputs.kmsKeyArn },
  ];
  if (extraKeys.length > 0) {
    statements.push({
      Sid: 'ReadTheSourceSnapshotKeys',
      Effect: 'Allow',
      Action: sortedActions(SOURCE_OTHER_KEYS),
      Resource: oneOrMany(extraKeys),
    });
  }
  statements.push(ebsGrantStatement([inputs.kmsKeyArn, ...extraKeys]));
  if (inputs.keyAccess === 'grant') {
    statements.push({
      Sid: 'GrantTheTargetRoleUseOfTheSharedKey',
      Effect: 'Allow',
      Action: SOURCE_KEY_GRANT.action,
      Resource: inputs.kmsKeyArn,
      Condition: { StringEquals: { 'kms:GranteePrincipal': inputs.targetRoleArn } },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

function sourceKeyUseStatement(keyArn: string): PolicyStatement {
  return { Sid: 'UseTheSharedSourceKey', Effect: 'Allow', Action: sortedActions(EBS_KEY_USE), Resource: keyArn };
}

/** What the target role's own IAM policy needs for the source key alone (named in refusals of a missing one). */
export function targetRoleSourceKeyStatements(keyArn: string): PolicyStatement[] {
  return [sourceKeyUseStatement(keyArn), ebsGrantStatement([keyArn])];
}

/** share-with: reading the target key policies, unless the Auto Scaling check already reads them (one statement per need). */
function shareOnwardStatements(inputs: PolicyInputs, targetKeys: string[]): PolicyStatement[] {
  if (!inputs.shareWith?.length) return [];
  if (targetKeys.length === 0 || TARGET_AUTOSCALING[inputs.autoscalingAccess].some((need) => need.action === TARGET_RECIPIENT_CHECK.action)) return [];
  return [{ Sid: 'CheckRecipientAccessToTheTargetKeys', Effect: 'Allow', Action: [TARGET_RECIPIENT_CHECK.action], Resource: oneOrMany(targetKeys) }];
}

function targetRoleIamPolicy(inputs: PolicyInputs, targetKeys: string[]): PolicyDocument {
  const statements: PolicyStatement[] = [sourceKeyUseStatement(inputs.kmsKeyArn)];
  if (targetKeys.length > 0) {
    statements.push({
      Sid: 'UseTheTargetKeys',
      Effect: 'Allow',
      Action: sortedActions(EBS_KEY_USE),
      Resource: oneOrMany(targetKeys),
    });
  }
  statements.push(
    ebsGrantStatement([inputs.kmsKeyArn, ...targetKeys]),
    ...targetEc2Statements(inputs),
  );
  const autoscaling = TARGET_AUTOSCALING[inputs.autoscalingAccess];
  if (targetKeys.length > 0 && autoscaling.length > 0) {
    statements.push({ Sid: 'CheckAutoScalingAccessToTheTargetKeys', Effect: 'Allow', Action: sortedActions(autoscaling), Resource: oneOrMany(targetKeys) });
  }
  if (targetKeys.length > 0 && inputs.autoscalingAccess === 'grant') {
    statements.push({
      Sid: 'GrantAutoScalingUseOfTheTargetKeys',
      Effect: 'Allow',
      Action: AUTOSCALING_GRANT.action,
      Resource: oneOrMany(targetKeys),
      Condition: { StringEquals: { 'kms:GranteePrincipal': autoScalingServiceLinkedRoleArn(inputs.partition, inputs.targetAccountId) } },
    });
  }
  statements.push(...shareOnwardStatements(inputs, targetKeys));
  const { ssmParameter } = inputs;
  if (ssmParameter !== undefined) {
    statements.push({
      Sid: 'PublishThePromotedAmiId',
      Effect: 'Allow',
      Action: TARGET_PUBLISH.action,
      Resource: oneOrMany(inputs.targetRegions.map((region) => ssmParameterArn(inputs.partition, region, inputs.targetAccountId, ssmParameter))),
    });
  }
  statements.push({ Sid: 'CheckOwnPermissionsInDryRun', Effect: 'Allow', Action: TARGET_SELF_SIMULATION.action, Resource: inputs.targetRoleArn });
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The trust policy of a role the action assumes in `accountId`: the jobs of `subject` with their OIDC token, or with
 * role-chaining the principal of the environment's credentials (the source account when not known) with sts:AssumeRole.
 */
export function roleTrustPolicy(inputs: PolicyInputs, accountId: string): PolicyDocument {
  if (inputs.roleChaining) {
    const principal = chainingPrincipal(inputs.partition, inputs.sourceAccountId, inputs.chainingPrincipalArn);
    return { Version: '2012-10-17', Statement: [{ Sid: 'RoleChainingPrincipal', ...assumeRoleTrustStatement(principal) }] };
  }
  const subject = githubSubject(inputs.repository, inputs.subject ?? DEFAULT_SUBJECT);
  const statement = githubOidcTrustStatement(inputs.partition, accountId, inputs.audience, subject);
  return { Version: '2012-10-17', Statement: [{ Sid: 'GitHubActionsOidc', ...statement }] };
}

/** The IAM policies, trust policy and key-policy statements a promotion needs, with the real ARNs, in a stable order. */
export function generatePolicies(inputs: PolicyInputs): GeneratedPolicies {
  const extraKeys = unique(inputs.extraSourceKeyArns.filter((arn) => arn !== inputs.kmsKeyArn)).sort();
  const targetKeys = unique(inputs.targetRegions.flatMap((region) => inputs.targetKeyArns[region] ?? []));
  return {
    sourceRoleIamPolicy: sourceRoleIamPolicy(inputs, extraKeys),
    keyPolicyStatements: targetRoleKeyStatements(inputs.targetRoleArn, inputs.targetAccountId),
    targetRoleIamPolicy: targetRoleIamPolicy(inputs, targetKeys),
    targetTrustPolicy: roleTrustPolicy(inputs, inputs.targetAccountId),
    autoscalingKeyStatements: targetKeys.length > 0 ? autoScalingKeyStatements(inputs.partition, inputs.targetAccountId) : [],
    recipientKeyStatements: recipientsOf(inputs.shareWith ?? [], inputs.targetAccountId).flatMap((r) => recipientKeyStatements(r, inputs.partition)),
  };
}
