/**
 * The IAM actions a promotion needs, per side and purpose, each with why: the one list that the policy generator,
 * the preflight's simulation of the target role and the stand-in's default accounts use. Every AWS call the
 * action sends needs its action here (a unit test scans src/ for the commands sent).
 */
import type { GrantOperation } from '@aws-sdk/client-kms';
import type { AutoscalingAccessMode, CopyMethod, KeyAccessMode, RetireMode } from './modes.js';

export interface Need {
  action: string;
  why: string;
  /** The run goes on without it (the call only informs): granted, but never reported missing. */
  optional?: boolean;
}

export const actionsOf = (needs: readonly Need[]): string[] => needs.map((need) => need.action);

/** The actions whose absence fails the run: what the preflight checks. */
export const requiredActions = (needs: readonly Need[]): string[] => actionsOf(needs.filter((need) => !need.optional));

/** Each action once, in alphabetical order, as the generated policies list them. */
export const sortedActions = (needs: readonly Need[]): string[] => [...new Set(actionsOf(needs))].sort();

/** The operations of a KMS grant that gives exactly these actions (kms:Decrypt → Decrypt). */
export const grantOperations = (actions: readonly string[]): GrantOperation[] => actions.map((action) => action.replace(/^kms:/, '') as GrantOperation);

// --- KMS calls EC2 makes on the copying principal's behalf ------------------------------------------------

/**
 * What EBS documents a principal needs on a key to make encrypted snapshots and volumes, copies included. Which of
 * them a copy checks on the key it reads and which on the key it writes is not documented: the generated policies
 * give all of them on both.
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
 */
export const EBS_KEY_USE: readonly Need[] = [
  { action: 'kms:Decrypt', why: 'EC2 decrypts the data keys of the snapshots it copies' },
  { action: 'kms:DescribeKey', why: 'EC2 checks the key before it uses it; the action reads the key itself too' },
  { action: 'kms:GenerateDataKeyWithoutPlaintext', why: 'EC2 makes the data keys of the new snapshots' },
  { action: 'kms:ReEncrypt*', why: 'EC2 re-encrypts data keys from the key read (ReEncryptFrom) to the key written (ReEncryptTo)' },
];

/** Allowed only under GRANT_FOR_AWS_RESOURCE. */
export const EBS_GRANT: Need = { action: 'kms:CreateGrant', why: 'EC2 attaches the new snapshots to the key with a grant' };

/**
 * The condition that keeps a principal's kms:CreateGrant to grants an AWS service (EC2) creates on its behalf.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
 */
export const GRANT_FOR_AWS_RESOURCE = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };

/**
 * The kms:ViaService of these calls: the endpoint of the EC2 that makes them.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
export const ec2ViaService = (region: string): string => `ec2.${region}.amazonaws.com`;

/**
 * The concrete actions of EBS_KEY_USE and EBS_GRANT that EC2 checks for the copying principal on the key of the
 * snapshots a copy reads: what the simulator and the key-policy check test, and what the target role's grant gives.
 */
export const COPY_READ_KEY: readonly Need[] = [
  { action: 'kms:DescribeKey', why: 'EC2 checks the key of the snapshots it copies' },
  { action: 'kms:Decrypt', why: 'EC2 decrypts their data keys' },
  { action: 'kms:ReEncryptFrom', why: 'EC2 re-encrypts their data keys away from the key' },
  EBS_GRANT,
];

/** The same for the key a copy writes its snapshots under. */
export const COPY_WRITE_KEY: readonly Need[] = [
  { action: 'kms:DescribeKey', why: 'EC2 checks the key it writes the new snapshots under' },
  EBS_GRANT,
  { action: 'kms:GenerateDataKeyWithoutPlaintext', why: 'EC2 makes the data keys of the new snapshots' },
  { action: 'kms:ReEncryptTo', why: 'EC2 re-encrypts data keys to the key' },
];

/**
 * The EC2 actions of these lists that the Service Authorization Reference lists without a resource type: they take
 * only Resource "*" (the generated policies limit them with aws:RequestedRegion). Every other EC2 action here is
 * authorized on image, snapshot or launch-template ARNs.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-actions-as-permissions
 */
const NO_RESOURCE_LEVEL: ReadonlySet<string> = new Set([
  'ec2:DescribeImages',
  'ec2:DescribeSnapshots',
  'ec2:DescribeImageReferences',
  'ec2:DescribeLaunchTemplates',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:GetAllowedImagesSettings',
  'ec2:GetEbsDefaultKmsKeyId',
]);

/** The needs whose actions take only Resource "*", and the others. */
export function byResourceLevel(needs: readonly Need[]): { unscoped: Need[]; scoped: Need[] } {
  return { unscoped: needs.filter((n) => NO_RESOURCE_LEVEL.has(n.action)), scoped: needs.filter((n) => !NO_RESOURCE_LEVEL.has(n.action)) };
}

// --- the source account --------------------------------------------------------------------------------

/** EC2 in the source region, by purpose. */
export const SOURCE_EC2 = {
  inspect: [
    { action: 'ec2:DescribeImages', why: 'reads the source AMI; finds an intermediate copy to reuse or to clean up' },
    { action: 'ec2:DescribeSnapshots', why: "reads the source snapshots' keys; finds an intermediate copy's snapshots in cleanup" },
  ],
  reencrypt: [
    { action: 'ec2:CopyImage', why: 'makes the intermediate copy under the shared key' },
    { action: 'ec2:CreateTags', why: "tags the intermediate copy as CopyImage creates it (TagSpecifications); leases a copy another run made; cleanup marks it as going" },
  ],
  share: [
    { action: 'ec2:DescribeImageAttribute', why: 'reads who may already launch the AMI; with copy-method snapshots, reads its UEFI data instead' },
    { action: 'ec2:ModifyImageAttribute', why: 'shares the AMI with the target account; cleanup unshares it' },
    { action: 'ec2:DescribeSnapshotAttribute', why: 'reads who may already create volumes from each snapshot' },
    { action: 'ec2:ModifySnapshotAttribute', why: 'shares each snapshot with the target account; cleanup unshares it' },
  ],
  cleanup: [
    { action: 'ec2:DeregisterImage', why: 'removes the intermediate copy' },
    { action: 'ec2:DeleteSnapshot', why: "removes the intermediate copy's snapshots" },
    { action: 'ec2:DeleteTags', why: "removes the run's lease from the intermediate copy, and its going mark when another run still uses it" },
  ],
} as const satisfies Record<string, readonly Need[]>;

/** The shared key (kms-key-arn), besides EBS_KEY_USE and EBS_GRANT for the intermediate copy. */
export const SOURCE_KEY_CHECK: readonly Need[] = [
  { action: 'kms:GetKeyPolicy', why: "reads the key policy to check, or change, the target role's access" },
];

/** The shared key, for each key-access mode. */
export const SOURCE_KEY_ACCESS: Record<KeyAccessMode, readonly Need[]> = {
  verify: [],
  'key-policy': [{ action: 'kms:PutKeyPolicy', why: 'adds the statements for the target role to the key policy' }],
  grant: [],
};

/**
 * Cleanup removes the run's grant with RetireGrant as the grant's retiring principal (the source role), which needs no
 * permission: "Principals specified in the grant can retire a grant without the kms:RetireGrant permission"; RevokeGrant
 * is only tried when retiring is refused. Neither is in the generated policies; the error of a refused revoke names it.
 * https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html
 */
export const SOURCE_GRANT_REMOVAL: readonly Need[] = [
  { action: 'kms:RetireGrant', why: "cleanup retires the run's grant as its retiring principal (no permission needed)", optional: true },
  { action: 'kms:RevokeGrant', why: 'cleanup revokes the grant when retiring it is refused', optional: true },
];

/** key-access: grant — only for the target role (condition kms:GranteePrincipal). */
export const SOURCE_KEY_GRANT: Need = { action: 'kms:CreateGrant', why: 'grants the target role use of the shared key for the run' };

/** Other customer-managed keys of the source snapshots: the intermediate copy only reads them (EBS_GRANT aside). */
export const SOURCE_OTHER_KEYS: readonly Need[] = COPY_READ_KEY.filter((need) => need !== EBS_GRANT);

// --- the target account --------------------------------------------------------------------------------

/** EC2 in the target regions, by purpose. */
export const TARGET_EC2 = {
  copy: [
    { action: 'ec2:CopyImage', why: 'copies the shared AMI into each target region under the target key' },
    { action: 'ec2:DescribeImages', why: 'finds an earlier promotion to reuse and a name already taken; waits for the copies' },
    { action: 'ec2:DescribeSnapshots', why: "waits for the copies' snapshots; finds them in cleanup" },
    { action: 'ec2:CreateTags', why: 'tags each copy and its snapshots as CopyImage creates them (TagSpecifications)' },
    { action: 'ec2:GetEbsDefaultKmsKeyId', why: 'names the default EBS key in the log when no target-kms-key is given', optional: true },
    { action: 'ec2:GetAllowedImagesSettings', why: "reads each target region's Allowed AMIs setting, which can hide the shared AMI (unchecked without it)", optional: true },
  ],
  cleanup: [
    { action: 'ec2:DeregisterImage', why: 'removes a copy that did not finish' },
    { action: 'ec2:DeleteSnapshot', why: "removes that copy's snapshots" },
  ],
  protection: [{ action: 'ec2:EnableImageDeregistrationProtection', why: 'deregistration-protection: protects each promoted AMI' }],
  deprecation: [{ action: 'ec2:EnableImageDeprecation', why: 'deprecate-after-days: sets the deprecation time of each promoted AMI' }],
} as const satisfies Record<string, readonly Need[]>;

/**
 * copy-method snapshots: what replaces CopyImage in the target regions.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html
 */
export const TARGET_SNAPSHOT_COPY: readonly Need[] = [
  { action: 'ec2:CopySnapshot', why: 'copy-method snapshots: copies each shared snapshot into each target region under the target key' },
  { action: 'ec2:RegisterImage', why: 'copy-method snapshots: registers the promoted AMI from the snapshot copies' },
];

/**
 * The target's copy needs for a copy method: with snapshots, CopySnapshot and RegisterImage instead of CopyImage, and
 * no Allowed AMIs check (the registered AMI is the target's own, always allowed).
 */
export function targetCopyNeeds(method: CopyMethod = 'image'): Need[] {
  if (method === 'image') return [...TARGET_EC2.copy];
  return [...TARGET_SNAPSHOT_COPY, ...TARGET_EC2.copy.filter((need) => need.action !== 'ec2:CopyImage' && need.action !== 'ec2:GetAllowedImagesSettings')];
}

// The source key and the target keys need EBS_KEY_USE and EBS_GRANT (the DescribeKey of EBS_KEY_USE also covers the
// role's own DescribeKey probe of the source key and the resolution of target-kms-key).

const AUTOSCALING_CHECK: Need = {
  action: 'kms:GetKeyPolicy',
  why: "reads the key policy to check that Auto Scaling's service-linked role may use the key (unchecked without it)",
  optional: true,
};

/** The customer-managed target keys, for each autoscaling-access mode. */
export const TARGET_AUTOSCALING: Record<AutoscalingAccessMode, readonly Need[]> = {
  off: [],
  check: [AUTOSCALING_CHECK],
  grant: [AUTOSCALING_CHECK, { action: 'kms:ListGrants', why: 'finds a grant the service-linked role already has' }],
};

/** autoscaling-access: grant — only for the service-linked role (condition kms:GranteePrincipal). */
export const AUTOSCALING_GRANT: Need = { action: 'kms:CreateGrant', why: 'grants the service-linked role use of the key' };

/**
 * What Auto Scaling's service-linked role uses a target key for, which its grant and key-policy statements must give
 * (kms:CreateGrant aside).
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 */
export const AUTOSCALING_KEY_USE: readonly string[] = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
];

/**
 * share-with: the target role lets the recipients launch each promoted AMI (launch permissions only: launching needs no
 * permission on the snapshots). Never undone by cleanup: the onward sharing is part of the result.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html
 */
export const TARGET_SHARE_ONWARD: readonly Need[] = [
  { action: 'ec2:DescribeImageAttribute', why: 'share-with: reads who may already launch each promoted AMI' },
  { action: 'ec2:ModifyImageAttribute', why: 'share-with: lets the recipients launch each promoted AMI' },
];

/** share-with: on the customer-managed target keys. */
export const TARGET_RECIPIENT_CHECK: Need = {
  action: 'kms:GetKeyPolicy',
  why: 'share-with: reads the key policy to check that the recipients may use the key (unchecked without it)',
  optional: true,
};

/**
 * The concrete actions EC2 checks, on the recipient's behalf, on the key of the AMI's snapshots when a recipient launches
 * it: what EBS documents for encrypted volumes (kms:ReEncrypt as ReEncryptFrom and ReEncryptTo), CreateGrant for AWS
 * resources only.
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
 */
export const LAUNCH_KEY: readonly Need[] = [
  { action: 'kms:DescribeKey', why: 'EC2 checks the key of the volumes it creates from the snapshots' },
  { action: 'kms:Decrypt', why: 'EC2 decrypts the data keys of the snapshots' },
  { action: 'kms:GenerateDataKeyWithoutPlaintext', why: 'EC2 makes the data keys of the new volumes' },
  { action: 'kms:ReEncryptFrom', why: 'EC2 re-encrypts data keys from the key' },
  { action: 'kms:ReEncryptTo', why: 'EC2 re-encrypts data keys to the key' },
  EBS_GRANT,
];

/**
 * launch-template: a new version of each template with the promoted AMI of its account and region.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html
 */
export const TARGET_LAUNCH_TEMPLATES: readonly Need[] = [
  { action: 'ec2:DescribeLaunchTemplates', why: 'launch-template: finds each template by name or ID, with its default version' },
  { action: 'ec2:DescribeLaunchTemplateVersions', why: 'launch-template: reads the default version; finds a version a run already made for the AMI' },
  { action: 'ec2:CreateLaunchTemplateVersion', why: 'launch-template: makes a version of the default version with only the AMI changed' },
];

/** launch-template-default: true. */
export const TARGET_LAUNCH_TEMPLATE_DEFAULT: Need = { action: 'ec2:ModifyLaunchTemplate', why: 'launch-template-default: makes that version the default' };

/**
 * retire-previous, by mode: finding what still uses an earlier promotion, then retiring it. DeregisterImage deletes
 * the snapshots in the same call (DeleteAssociatedSnapshots), which needs ec2:DeleteSnapshot on them.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeregisterImage.html
 */
const RETIRE_REFERENCES: Need = { action: 'ec2:DescribeImageReferences', why: 'retire-previous: finds instances, launch templates and parameters that still use an earlier promotion' };

export const TARGET_RETIRE: Record<RetireMode, readonly Need[]> = {
  none: [],
  deprecate: [
    RETIRE_REFERENCES,
    { action: 'ec2:EnableImageDeprecation', why: 'retire-previous: deprecate — deprecates an earlier promotion' },
  ],
  disable: [
    RETIRE_REFERENCES,
    { action: 'ec2:DisableImage', why: 'retire-previous: disable — disables an earlier promotion' },
  ],
  deregister: [
    RETIRE_REFERENCES,
    { action: 'ec2:DeregisterImage', why: 'retire-previous: deregister — deregisters an earlier promotion' },
    { action: 'ec2:DeleteSnapshot', why: "retire-previous: deregister — deletes its snapshots in the same call" },
  ],
};

export const TARGET_PUBLISH: Need = { action: 'ssm:PutParameter', why: 'ssm-parameter: writes the promoted AMI id in each target region' };

/** On the role itself. */
export const TARGET_SELF_SIMULATION: Need = { action: 'iam:SimulatePrincipalPolicy', why: "the preflight simulates the role's own policies to report what is missing" };

// --- both sides ----------------------------------------------------------------------------------------

/** Not in the generated policies: without it, the error of a denied EC2 call says to allow it. */
export const DIAGNOSIS: Need = { action: 'sts:DecodeAuthorizationMessage', why: 'decodes the encoded message of a denied EC2 call', optional: true };

/**
 * Calls no policy can deny: "No permissions are required to perform this operation."
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
export const NO_PERMISSION_NEEDED: readonly string[] = ['sts:GetCallerIdentity'];

/** Every action in this list, for the test that every call the action sends is in it. */
export function everyAction(): string[] {
  const needs: Need[] = [
    ...Object.values(SOURCE_EC2).flat(),
    ...Object.values(TARGET_EC2).flat(),
    ...TARGET_SNAPSHOT_COPY,
    ...EBS_KEY_USE,
    EBS_GRANT,
    ...SOURCE_KEY_CHECK,
    ...Object.values(SOURCE_KEY_ACCESS).flat(),
    ...SOURCE_GRANT_REMOVAL,
    SOURCE_KEY_GRANT,
    ...Object.values(TARGET_AUTOSCALING).flat(),
    AUTOSCALING_GRANT,
    TARGET_PUBLISH,
    TARGET_SELF_SIMULATION,
    ...TARGET_SHARE_ONWARD,
    TARGET_RECIPIENT_CHECK,
    ...TARGET_LAUNCH_TEMPLATES,
    TARGET_LAUNCH_TEMPLATE_DEFAULT,
    ...Object.values(TARGET_RETIRE).flat(),
    DIAGNOSIS,
  ];
  return [...actionsOf([...needs, ...COPY_READ_KEY, ...COPY_WRITE_KEY, ...LAUNCH_KEY]), ...NO_PERMISSION_NEEDED];
}
