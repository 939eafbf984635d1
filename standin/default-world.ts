/**
 * The default two-account world tests start from and tweak:
 * - source 111111111111: admin user (access key below), role ami-promotion-source (GitHub OIDC for acme/images)
 *   allowed what the action's own list (src/policy/actions.ts) says the source side needs, on any key of the account,
 *   a CMK in eu-west-1 (alias/ami-share) whose policy allows its root and the target role, and an
 *   unencrypted sample AMI with one root snapshot;
 * - target 222222222222: admin user, role ami-promotion-target (GitHub OIDC for acme/images) allowed, from the
 *   same list, the EC2 actions, the source key, its own keys, SSM, the self-simulation and decoding (not the Auto
 *   Scaling check or grant; plus a few reads the stand-in's own tests make), and a CMK alias/golden-ami in eu-west-1
 *   and eu-central-1;
 * - both accounts in the organization o-a1b2c3d4e5, the source under OU ou-a1b2-11111111 (build), the target under
 *   ou-a1b2-22222222 (production): their requests carry aws:PrincipalOrgID and aws:PrincipalOrgPaths.
 */
import {
  DIAGNOSIS,
  EBS_GRANT,
  EBS_KEY_USE,
  SOURCE_EC2,
  SOURCE_KEY_ACCESS,
  SOURCE_GRANT_REMOVAL,
  SOURCE_KEY_CHECK,
  SOURCE_KEY_GRANT,
  TARGET_EC2,
  TARGET_PUBLISH,
  TARGET_SELF_SIMULATION,
  TARGET_SNAPSHOT_COPY,
  actionsOf,
} from '../src/policy/actions.js';
import { keyArn, organizationPath, roleArn, userArn } from './arns.js';
import { allow, githubOidcTrust, keyUseStatements, policyOf } from './policy-types.js';
import { createWorld, type WorldBuilder } from './world.js';

const SOURCE = '111111111111';
const TARGET = '222222222222';
const REGION = 'eu-west-1';
const SOURCE_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const ORGANIZATION_ARN = `arn:aws:organizations::999999999999:organization/${ORGANIZATION_ID}`;
const SOURCE_OU = 'ou-a1b2-11111111';
const TARGET_OU = 'ou-a1b2-22222222';

export const DEFAULTS = {
  sourceAccount: SOURCE,
  targetAccount: TARGET,
  region: REGION,
  secondRegion: 'eu-central-1',
  repository: 'acme/images',
  audience: 'sts.amazonaws.com',
  sourceAmiId: 'ami-0123456789abcdef0',
  sourceAmiName: 'golden-base-2026.01.1',
  sourceSnapshotId: 'snap-0123456789abcdef0',
  sourceKeyId: SOURCE_KEY_ID,
  sourceKeyArn: keyArn(SOURCE, REGION, SOURCE_KEY_ID),
  sourceKeyAlias: 'alias/ami-share',
  sourceRoleName: 'ami-promotion-source',
  sourceRoleArn: roleArn(SOURCE, 'ami-promotion-source'),
  targetRoleName: 'ami-promotion-target',
  targetRoleArn: roleArn(TARGET, 'ami-promotion-target'),
  targetKeyAlias: 'alias/golden-ami',
  targetKeyIds: {
    'eu-west-1': 'abcd1234-0000-4000-8000-00000000e001',
    'eu-central-1': 'abcd1234-0000-4000-8000-00000000c001',
  } as Record<string, string>,
  sourceAdmin: {
    userName: 'admin',
    userArn: userArn(SOURCE, 'admin'),
    accessKeyId: 'AKIAEXAMPLESOURCE001',
    secretAccessKey: 'source-admin-secret-access-key-example',
  },
  targetAdmin: {
    userName: 'admin',
    userArn: userArn(TARGET, 'admin'),
    accessKeyId: 'AKIAEXAMPLETARGET001',
    secretAccessKey: 'target-admin-secret-access-key-example',
  },
  organizationId: ORGANIZATION_ID,
  organizationArn: ORGANIZATION_ARN,
  sourceOu: SOURCE_OU,
  targetOu: TARGET_OU,
  /** aws:PrincipalOrgPaths of the target account's principals. */
  targetOrganizationPath: organizationPath(ORGANIZATION_ARN, [TARGET_OU]),
  /** Sids of the source-key statements for the target role. */
  targetKeyStatementSids: ['AllowTargetUseOfTheKey', 'AllowTargetAttachmentOfPersistentResources'],
} as const;

/** The EC2 actions the target role needs to copy (either copy-method), tag, protect, deprecate and clean up. */
export const TARGET_EC2_ACTIONS = actionsOf([...Object.values(TARGET_EC2).flat(), ...TARGET_SNAPSHOT_COPY]);

/** The key use of a copy, by EC2 on the copying role's behalf (here without the AWS-resource condition on CreateGrant). */
export const KMS_COPY_ACTIONS = actionsOf([...EBS_KEY_USE, EBS_GRANT]);

/**
 * Not the action's: what the stand-in's own tests call with the target role's session to check AWS's behaviour
 * (a non-owner reading sharing attributes, cross-account Encrypt, reading back a parameter, aliases, GetRole).
 */
const TARGET_TEST_EXTRAS = ['ec2:DescribeImageAttribute', 'ec2:DescribeSnapshotAttribute', 'kms:Encrypt', 'kms:ListAliases', 'ssm:GetParameter', 'iam:GetRole'];

/** Every KMS action the source role needs on its keys, in any key-access mode. */
const SOURCE_KMS_ACTIONS = actionsOf([...EBS_KEY_USE, EBS_GRANT, ...SOURCE_KEY_CHECK, ...Object.values(SOURCE_KEY_ACCESS).flat(), ...SOURCE_GRANT_REMOVAL, SOURCE_KEY_GRANT]);

export interface TargetAccountOptions {
  /** The account's OU in the default organization. */
  ou?: string;
  /** Region → key ID of the account's key under DEFAULTS.targetKeyAlias; by default eu-west-1 and eu-central-1. */
  keys?: Record<string, string>;
  admin?: { userName: string; accessKeyId: string; secretAccessKey: string };
}

/** A key ID for an account and region that stays the same from run to run. */
function keyIdOf(accountId: string, region: string): string {
  const hex = Buffer.from(`${accountId}${region}`).toString('hex').padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A target account like the default one: the OIDC provider, the target role with the policies the action needs,
 * a key under DEFAULTS.targetKeyAlias in each region, and a statement for its role in the source key's policy.
 */
export function addTargetAccount(world: WorldBuilder, accountId: string, options: TargetAccountOptions = {}): WorldBuilder {
  const d = DEFAULTS;
  const role = roleArn(accountId, d.targetRoleName);
  const account = world.account(accountId).organization(ORGANIZATION_ARN, [options.ou ?? TARGET_OU]).oidcProvider();
  if (options.admin) account.admin(options.admin.userName, options.admin.accessKeyId, options.admin.secretAccessKey);
  account.role(d.targetRoleName, {
    trustPolicy: githubOidcTrust(accountId, `repo:${d.repository}:*`),
    policies: {
      'ami-promotion-ec2': policyOf(allow(TARGET_EC2_ACTIONS)),
      'ami-promotion-source-key': policyOf(allow(KMS_COPY_ACTIONS, d.sourceKeyArn)),
      'ami-promotion-own-keys': policyOf(allow(KMS_COPY_ACTIONS, `arn:aws:kms:*:${accountId}:key/*`)),
      'ami-promotion-misc': policyOf(
        allow(TARGET_PUBLISH.action, `arn:aws:ssm:*:${accountId}:parameter/*`),
        allow(DIAGNOSIS.action),
        allow(TARGET_SELF_SIMULATION.action, role),
      ),
      'standin-tests': policyOf(allow(TARGET_TEST_EXTRAS)),
    },
  });
  const keys = options.keys ?? Object.fromEntries([REGION, d.secondRegion].map((region) => [region, keyIdOf(accountId, region)]));
  for (const [region, keyId] of Object.entries(keys)) account.key(region, { keyId, alias: d.targetKeyAlias, description: 'Golden AMI key' });
  if (accountId !== TARGET) world.account(SOURCE).keyStatements(REGION, d.sourceKeyAlias, ...keyUseStatements(role, `AllowTarget${accountId}`));
  return world;
}

export function defaultWorld(): WorldBuilder {
  const world = createWorld();
  const d = DEFAULTS;
  world
    .account(SOURCE)
    .organization(ORGANIZATION_ARN, [SOURCE_OU])
    .admin(d.sourceAdmin.userName, d.sourceAdmin.accessKeyId, d.sourceAdmin.secretAccessKey)
    .oidcProvider()
    .role(d.sourceRoleName, {
      trustPolicy: githubOidcTrust(SOURCE, `repo:${d.repository}:*`),
      policies: {
        'ami-promotion-source': policyOf(
          allow(actionsOf(Object.values(SOURCE_EC2).flat())),
          allow(SOURCE_KMS_ACTIONS, `arn:aws:kms:*:${SOURCE}:key/*`),
          allow(DIAGNOSIS.action),
        ),
      },
    })
    .key(REGION, {
      keyId: SOURCE_KEY_ID,
      alias: d.sourceKeyAlias,
      description: 'AMI sharing key',
      extraStatements: keyUseStatements(d.targetRoleArn, 'AllowTarget'),
    })
    .image(REGION, {
      imageId: d.sourceAmiId,
      name: d.sourceAmiName,
      description: 'Golden base image',
      snapshots: [{ snapshotId: d.sourceSnapshotId, sizeGiB: 8 }],
      tags: { Name: 'golden-base', Team: 'platform' },
    });

  addTargetAccount(world, TARGET, { ou: TARGET_OU, keys: d.targetKeyIds, admin: d.targetAdmin });
  return world;
}
