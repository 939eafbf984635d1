// The world and inputs of `npm run demo`: the stand-in's default two-account world, with its roles and keys carrying
// exactly the policies README "Permissions" documents (made by the action's own generatePolicies), so that a
// successful demo has nothing to fix.
import { keyArn } from '../standin/index.js';
import { DEFAULTS, defaultWorld, rootKeyPolicy, type AccountBuilder, type PolicyDocument, type WorldBuilder } from '../standin/index.js';
import { statements } from '../standin/index.js';
import { generatePolicies, type GeneratedPolicies } from '../src/policy/generate.js';
import type { PolicyDocument as GeneratedDocument } from '../src/policy/policy-document.js';

const TARGET_REGIONS = [DEFAULTS.region, DEFAULTS.secondRegion];

export const DEMO_INPUTS = {
  'source-ami-id': DEFAULTS.sourceAmiId,
  'kms-key-arn': DEFAULTS.sourceKeyArn,
  'source-role-arn': DEFAULTS.sourceRoleArn,
  'target-role-arn': DEFAULTS.targetRoleArn,
  'target-regions': TARGET_REGIONS.join(', '),
  'target-kms-key': DEFAULTS.targetKeyAlias,
  tags: 'Release=2026.11\nTeam=platform',
};

/** The demo's job runs in the GitHub environment production, as Quick start's does: the generated trust accepts only it. */
export const DEMO_OIDC = { repository: DEFAULTS.repository, environment: 'production' };

/** The policies for DEMO_INPUTS, as the action's `policies` output and README "Permissions" give them. */
export function demoPolicies(): GeneratedPolicies {
  return generatePolicies({
    partition: 'aws',
    sourceAccountId: DEFAULTS.sourceAccount,
    targetAccountId: DEFAULTS.targetAccount,
    sourceRegion: DEFAULTS.region,
    targetRegions: TARGET_REGIONS,
    kmsKeyArn: DEFAULTS.sourceKeyArn,
    sourceRoleArn: DEFAULTS.sourceRoleArn,
    targetRoleArn: DEFAULTS.targetRoleArn,
    targetKeyArns: Object.fromEntries(TARGET_REGIONS.map((region) => [region, keyArn(DEFAULTS.targetAccount, region, DEFAULTS.targetKeyIds[region] as string)])),
    extraSourceKeyArns: [],
    keyAccess: 'verify',
    autoscalingAccess: 'check',
    repository: DEFAULTS.repository,
    audience: DEFAULTS.audience,
  });
}

// The generator's documents hold only strings, which the stand-in's narrower policy types require.
const asStandIn = (document: GeneratedDocument): PolicyDocument => document as unknown as PolicyDocument;

/** The root-account key policy KMS gives new keys, plus generated statements. */
function keyPolicyWith(accountId: string, extra: GeneratedDocument['Statement']): PolicyDocument {
  const root = rootKeyPolicy(accountId);
  return { ...root, Statement: [...statements(root), ...statements(asStandIn({ Version: '2012-10-17', Statement: extra }))] };
}

/** Replaces every identity policy of a role. */
function setRolePolicies(account: AccountBuilder, roleName: string, policies: Record<string, GeneratedDocument>): void {
  const role = account.config.roles.find((r) => r.name === roleName);
  if (!role) throw new Error(`no role ${roleName} in ${account.id}`);
  role.policies = Object.fromEntries(Object.entries(policies).map(([name, document]) => [name, asStandIn(document)]));
}

/** The default world with the generated policies in place of its own role policies and key statements. */
export function demoWorld(): WorldBuilder {
  const policies = demoPolicies();
  const world = defaultWorld();
  const source = world.account(DEFAULTS.sourceAccount);
  setRolePolicies(source, DEFAULTS.sourceRoleName, { 'ami-promotion-source': policies.sourceRoleIamPolicy });
  source.keyPolicy(DEFAULTS.region, DEFAULTS.sourceKeyAlias, keyPolicyWith(DEFAULTS.sourceAccount, policies.keyPolicyStatements));
  const target = world.account(DEFAULTS.targetAccount);
  setRolePolicies(target, DEFAULTS.targetRoleName, { 'ami-promotion-target': policies.targetRoleIamPolicy });
  target.role(DEFAULTS.targetRoleName, { trustPolicy: asStandIn(policies.targetTrustPolicy) });
  for (const region of TARGET_REGIONS) {
    target.keyPolicy(region, DEFAULTS.targetKeyAlias, keyPolicyWith(DEFAULTS.targetAccount, policies.autoscalingKeyStatements));
  }
  return world;
}
