import { andList } from '../aws/text.js';
import {
  AUTOSCALING_GRANT,
  EBS_GRANT,
  SOURCE_KEY_ACCESS,
  SOURCE_KEY_GRANT,
  SOURCE_OTHER_KEYS,
  TARGET_AUTOSCALING,
  TARGET_EC2,
  TARGET_RECIPIENT_CHECK,
  TARGET_LAUNCH_TEMPLATE_DEFAULT,
  TARGET_LAUNCH_TEMPLATES,
  TARGET_RETIRE,
  TARGET_SHARE_ONWARD,
  TARGET_SNAPSHOT_COPY,
  actionsOf,
  type Need,
} from './actions.js';
import type { GeneratedPolicies } from './generate.js';
import type { PolicyDocument } from './policy-document.js';

function json(value: unknown): string {
  return ['```json', JSON.stringify(value, null, 2), '```'].join('\n');
}

/** `a`, `b` and `c`. */
function names(needs: readonly Need[]): string {
  return andList(actionsOf(needs).map((action) => `\`${action}\``));
}

/**
 * Why each statement of the roles' IAM policies is there, one line each (the README lists them under each policy).
 * A statement without a line here fails the rendering, so that none goes undocumented.
 */
const WHY: Record<string, string> = {
  DescribeImagesAndSnapshotsHaveNoResourceLevelPermissions:
    'reads the source AMI and its snapshots and finds an intermediate copy; DescribeImages and DescribeSnapshots have no resource types in the Service Authorization Reference, so only `*`, limited to the source region.',
  CopySourceAmisOfTheSourceAccount:
    'CopyImage is authorized on the source AMI too (since October 2024): AMIs the source account owns (`ec2:Owner`), not one ID, so that the role serves every release.',
  MakeOnlyIntermediateCopiesTaggedAsSuch: 'makes the intermediate copy under the shared key; only a new image and snapshots tagged `promote-ami:role=intermediate` at creation.',
  TagTheIntermediateCopyOnlyAsCopyImageMakesIt: "CopyImage's TagSpecifications need `ec2:CreateTags`; allowed only as part of CopyImage (`ec2:CreateAction`) with the intermediate tag.",
  LeaseAndMarkOnlyIntermediateCopies: 'runs lease an intermediate copy and cleanup marks it as going: only lease and going tag keys, only on intermediate copies.',
  ShareSourceAmisOfTheSourceAccount:
    "shares the source AMI itself with the target accounts when it needs no re-encryption, and cleanup unshares it (with `copy-method: snapshots` only reads its UEFI data): only the source account's own AMIs.",
  ShareAndRemoveOnlyIntermediateCopies:
    'shares the intermediate copy with the target accounts, unshares it and deregisters it in cleanup (with `copy-method: snapshots` reads its UEFI data instead of sharing it): only images tagged as intermediate.',
  ShareSourceSnapshotsOfTheSourceAccountNeverPublicly: "shares the source AMI's snapshots (createVolumePermission) when the AMI itself is shared: only the source account's own snapshots, never with the group `all`.",
  ShareAndDeleteOnlyIntermediateSnapshotsNeverPublicly: "shares the intermediate copy's snapshots, unshares and deletes them in cleanup: only snapshots tagged as intermediate, never with the group `all`.",
  UseAndManageTheSharedKey: 'EC2 uses the shared key for the intermediate copy; the action reads its key policy (and changes it, or retires the grant, as key-access asks).',
  ReadTheSourceSnapshotKeys: 'EC2 reads the other customer-managed keys of the source snapshots for the intermediate copy.',
  LetEc2CreateGrantsOnTheKeys: 'EC2 attaches the new snapshots to the keys with grants; only grants EC2 creates (`kms:GrantIsForAWSResource`).',
  GrantTheTargetRoleUseOfTheSharedKey: 'key-access: grant — a grant on the shared key for the target role only (`kms:GranteePrincipal`).',
  UseTheSharedSourceKey: "EC2 reads the shared AMI's snapshots under the source key for the copy.",
  UseTheTargetKeys: 'EC2 writes the copies under the target keys.',
  DescribeCallsAndSettingsHaveNoResourceLevelPermissions:
    'waits for the copies, finds earlier promotions, reads the Allowed AMIs and default-key settings (and launch templates, image references as asked); these actions have no resource types, so only `*`, limited to the target regions.',
  CopyOnlyAmisOfTheSourceAccount: "CopyImage is authorized on the shared AMI: only AMIs owned by the source account (`ec2:Owner`) in the source region (the intermediate copy's ID is not known in advance).",
  CopyTheirSnapshotsWhichHaveNoOwnerKeyForCopyImage: "CopyImage is authorized on the copied AMI's snapshots too; the Service Authorization Reference gives CopyImage's snapshot resource no owner or tag key, so they are limited by region only.",
  MakeOnlyCopiesTaggedAsPromoted: 'makes the promoted copies: only new images and snapshots in the target regions tagged `promote-ami:role=promoted` at creation.',
  TagTheCopiesOnlyAsCopyImageMakesThem: "CopyImage's TagSpecifications need `ec2:CreateTags`; allowed only as part of CopyImage with the promoted tag.",
  RemoveOnlyCopiesTaggedAsPromoted:
    'cleanup deregisters a copy that did not finish, with its snapshots; only images and snapshots tagged as promoted (retire-previous: deregister uses it too).',
  CopySnapshotsOfTheSourceRegion: "copy-method snapshots: CopySnapshot is authorized on the shared snapshot, whose ID is not known in advance: snapshots of the source region.",
  MakeOnlySnapshotCopiesTaggedAsPromoted: 'copy-method snapshots: only new snapshots in the target regions tagged `promote-ami:role=promoted` at creation.',
  TagTheSnapshotCopiesOnlyAsCopySnapshotMakesThem: "copy-method snapshots: CopySnapshot's TagSpecifications need `ec2:CreateTags`; allowed only as part of CopySnapshot with the promoted tag.",
  RegisterOnlyAmisTaggedAsPromoted: 'copy-method snapshots: registers the promoted AMI from the copies; only new images tagged `promote-ami:role=promoted` at creation.',
  RegisterOnlyFromSnapshotCopiesTaggedAsPromoted: 'copy-method snapshots: RegisterImage is authorized on the snapshots it registers from: only snapshot copies tagged as promoted.',
  TagTheAmisOnlyAsRegisterImageMakesThem: "copy-method snapshots: RegisterImage's TagSpecifications need `ec2:CreateTags`; allowed only as part of RegisterImage with the promoted tag.",
  FinishAndShareOnlyPromotedAmis: 'deregistration protection, deprecation and share-with on the promoted AMIs: only images tagged as promoted.',
  PutThePromotedAmiInLaunchTemplates: "launch-template: new versions (and the default) of the account's launch templates in the target regions.",
  RetireOnlyEarlierPromotionsOfTheLineage: 'retire-previous: only promoted AMIs of the lineage (`promote-ami:lineage`).',
  CheckAutoScalingAccessToTheTargetKeys: "reads the target keys' policies to check Auto Scaling's access, and share-with recipients' (and lists its grants with autoscaling-access: grant).",
  GrantAutoScalingUseOfTheTargetKeys: "autoscaling-access: grant — a grant for Auto Scaling's service-linked role only (`kms:GranteePrincipal`).",
  CheckRecipientAccessToTheTargetKeys: "share-with: reads the target keys' policies to check the recipients' access.",
  PublishThePromotedAmiId: 'ssm-parameter: writes the promoted AMI ID to that parameter in each target region.',
  CheckOwnPermissionsInDryRun: "the preflight simulates the role's own policies to report what is missing; optional: without it that check is reported as unchecked.",
};

/** One line per statement: its Sid and why it is needed. */
function reasons(document: PolicyDocument): string {
  return document.Statement.map((statement) => {
    const why = WHY[statement.Sid ?? ''];
    if (!why) throw new Error(`No reason is written for the statement ${statement.Sid ?? '(no Sid)'} in render-docs.ts.`);
    return `- \`${statement.Sid}\`: ${why}`;
  }).join('\n');
}

const GRANT_ONLY = TARGET_AUTOSCALING.grant.filter((need) => !TARGET_AUTOSCALING.check.includes(need));

/**
 * The README's permissions section (the text between `<!-- policies:start -->` and
 * `<!-- policies:end -->`), rendered from generatePolicies for the example inputs.
 */
export function renderPolicyDocs(policies: GeneratedPolicies): string {
  const sections = [...roleSections(policies), ...keySections(policies)];
  return sections.join('\n\n') + '\n';
}

/** The roles' policies and the source key's statements, each with what it is for. */
function roleSections(policies: GeneratedPolicies): string[] {
  return [
    '## Permissions',
    'The minimal policies, as `generatePolicies` (`src/policy/generate.ts`) makes them, for example values: ' +
      'source account 111111111111, target account 222222222222, one region eu-west-1, the roles and key of ' +
      'Quick start, the target key `alias/golden-ami` resolved to its key ARN, repository OWNER/REPO. ' +
      'Replace them with yours.',
    '### Source role: IAM policy',
    'Attach to the source role (`source-role-arn`), or to the credentials the job already has for the source ' +
      `account. With \`key-access: key-policy\` it also needs ${names(SOURCE_KEY_ACCESS['key-policy'])} on the key. With ` +
      `\`key-access: grant\` it also needs ${names([SOURCE_KEY_GRANT])} on the key with the condition \`kms:GranteePrincipal\` equal ` +
      "to the target role; cleanup retires the run's grant as its retiring principal, which needs no permission. When the " +
      `source snapshots are under other customer-managed keys, it also needs ${names(SOURCE_OTHER_KEYS)} on those keys, ` +
      `and ${names([EBS_GRANT])} for AWS resources. With \`copy-method: snapshots\` it shares only the snapshots: no ` +
      '`ec2:ModifyImageAttribute`, and `ec2:DescribeImageAttribute` only reads the UEFI data of the AMI it shares.',
    json(policies.sourceRoleIamPolicy),
    reasons(policies.sourceRoleIamPolicy),
    '### Source key: key-policy statements',
    'Add to the key policy of `kms-key-arn` for `key-access: verify` (the default); the target account must also ' +
      'allow the same actions in the target role\'s IAM policy. With `key-access: key-policy` the action adds ' +
      'these statements itself; with `key-access: grant` it gives the target role a grant for the run instead.',
    json(policies.keyPolicyStatements),
    '### Target role: IAM policy',
    'Attach to the target role (`target-role-arn`). Without `target-kms-key` the copies use the target account\'s ' +
      'default `aws/ebs` key and the `UseTheTargetKeys` statement is not needed. With `ssm-parameter` it also needs ' +
      '`ssm:PutParameter` on that parameter in each target region. With `deregistration-protection`, `deprecate-after-days` ' +
      `and \`share-with\` it also needs ${names([...TARGET_EC2.protection, ...TARGET_EC2.deprecation, ...TARGET_SHARE_ONWARD])} on promoted AMIs ` +
      `(\`FinishAndShareOnlyPromotedAmis\`), and with \`share-with\` ${names([TARGET_RECIPIENT_CHECK])} on the target keys. With \`launch-template\` it also needs ` +
      `${names(TARGET_LAUNCH_TEMPLATES)} (and ${names([TARGET_LAUNCH_TEMPLATE_DEFAULT])} with \`launch-template-default: true\`), the describe actions on \`*\`. With ` +
      `\`retire-previous\` it also needs, for \`deprecate\`, ${names(TARGET_RETIRE.deprecate)}; for \`disable\`, ${names(TARGET_RETIRE.disable)}; ` +
      `for \`deregister\`, ${names(TARGET_RETIRE.deregister)}, on promoted AMIs of the lineage. \`iam:SimulatePrincipalPolicy\` only serves ` +
      'the preflight report of missing permissions. No condition can refuse making an AMI public: the Service Authorization ' +
      'Reference gives `ec2:ModifyImageAttribute` no key for the launch permission added (snapshots have `ec2:Add/group`); ' +
      'the action never does it, and Block Public Access for AMIs refuses it account-wide. With `copy-method: snapshots` the ' +
      'copy statements (from `CopyOnlyAmisOfTheSourceAccount` to `TagTheCopiesOnlyAsCopyImageMakesThem`) are replaced by ' +
      `${names(TARGET_SNAPSHOT_COPY)} statements with the same tag conditions (the \`policies\` output shows them), and \`ec2:GetAllowedImagesSettings\` is not needed.`,
    json(policies.targetRoleIamPolicy),
    reasons(policies.targetRoleIamPolicy),
    '### Target role: trust policy',
    "Lets the repository's jobs that run in the GitHub environment `production` assume the target role with their OIDC " +
      'token: the `aud` claim must be `sts.amazonaws.com` (or your `audience`) and the `sub` claim exactly ' +
      '`repo:OWNER/REPO:environment:production` (see [Security](#security) for why an environment, and the branch form ' +
      '`repo:OWNER/REPO:ref:refs/heads/main` for jobs without one). The `policies` output names `production` too, since a ' +
      "run cannot read its environment's name: put yours. The target account needs the OIDC identity provider " +
      '`token.actions.githubusercontent.com`. A source role named in `source-role-arn` needs the same trust policy with the ' +
      "source account's identity provider. With `role-chaining: true` the statement is instead `sts:AssumeRole` for the " +
      "principal of the credentials in the environment (the source account's root when it is not known). The CloudFormation templates of " +
      '[Set up both accounts](#set-up-both-accounts) make these roles for you.',
    json(policies.targetTrustPolicy),
  ];
}

/** The target keys' statements, when the inputs need any. */
function keySections(policies: GeneratedPolicies): string[] {
  const sections: string[] = [];
  if (policies.autoscalingKeyStatements.length > 0) {
    sections.push(
      '### Target key: statements for Auto Scaling',
      'When Auto Scaling groups in the target account launch the promoted AMI, add these to the key policy of ' +
        'the target key so that its Auto Scaling service-linked role can use the key. The default `aws/ebs` key ' +
        'needs nothing. The target role\'s `CheckAutoScalingAccessToTheTargetKeys` statement lets the action check ' +
        'this (`autoscaling-access: check`, the default); with `autoscaling-access: grant` the action instead creates ' +
        `a lasting grant for the service-linked role, which also needs ${names(GRANT_ONLY)} there and ${names([AUTOSCALING_GRANT])} on ` +
        'the target keys with the condition `kms:GranteePrincipal` equal to that role; with `off` neither is needed.',
      json(policies.autoscalingKeyStatements),
    );
  }
  if (policies.recipientKeyStatements.length > 0) {
    sections.push(
      '### Target key: statements for the recipients of `share-with`',
      'Add to the key policy of each target key so that the accounts, organizations and OUs the promoted AMI is shared ' +
        'with can launch it; their own IAM policies must allow the key too.',
      json(policies.recipientKeyStatements),
    );
  }
  return sections;
}
