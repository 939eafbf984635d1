import { accountRootArn } from '../aws/arn.js';
import { LAUNCH_KEY, ec2ViaService } from './actions.js';
import { conditionId, evaluateConditions, type Assumptions } from './conditions.js';
import { ebsRequests, runCheck, type KeyAccessReport } from './key-access-check.js';
import { recipientKeyStatements } from './key-policy-statements.js';
import { parseKeyPolicy } from './policy-document.js';
import { recipientLabel, type Recipient } from './recipients.js';
import { RequestContext, type ContextValue } from './request-context.js';

type Group = Exclude<Recipient, { kind: 'account' }>;

/** Stands for any account of an organization or OU: no statement names it, so only statements for all members apply. */
const ANY_MEMBER_ACCOUNT = '000000000000';

const ORG_PATHS = 'aws:PrincipalOrgPaths';

/**
 * aws:PrincipalOrgPaths values a member account may have: directly under the root (or the OU), and nested deeper. An
 * OU's ID carries its root's (ou-ROOT-…).
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_OrganizationalUnit.html
 */
function memberPaths(group: Group): string[] {
  const org = group.organizationId;
  if (group.kind === 'organization') return [`${org}/r-0000/`, `${org}/r-0000/ou-0000-00000000/ou-0000-11111111/`];
  const root = group.ouId.split('-')[1] as string;
  return [`${org}/r-${root}/${group.ouId}/`, `${org}/r-${root}/ou-${root}-00000000/${group.ouId}/ou-${root}-11111111/`];
}

/**
 * The conditions on aws:PrincipalOrgPaths that hold for every member account, wherever it sits: those that hold for
 * each of the sample paths (negated operators aside: they could exclude a level the samples do not have). The others
 * stay unknown, since the real paths are not known here.
 */
function orgPathAssumptions(policy: string | object, paths: string[]): Assumptions {
  const assumptions = new Map<string, boolean>();
  const contexts = paths.map((path) => new RequestContext({ [ORG_PATHS]: [path] }));
  for (const { conditions } of parseKeyPolicy(policy)) {
    for (const entry of conditions) {
      if (entry.key.toLowerCase() !== ORG_PATHS.toLowerCase() || /not/i.test(entry.operator)) continue;
      if (contexts.every((context) => evaluateConditions([entry], context).result === 'match')) assumptions.set(conditionId(entry), true);
    }
  }
  return assumptions;
}

interface RecipientRequest {
  principalArn: string;
  principalAccount: string;
  context: Record<string, ContextValue>;
  unknownKeys: Record<string, string>;
  assumptions?: Assumptions;
}

/**
 * A request of the recipient: an account as its root (any principal of it; its IAM policies decide further), an
 * organization or OU as any principal of any member account, with the organization ID it carries.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
 */
function requestOf(policy: string | object, recipient: Recipient, partition: string): RecipientRequest {
  if (recipient.kind === 'account') {
    const unknown = `the organization of account ${recipient.accountId} is not known to the action`;
    return {
      principalArn: accountRootArn(partition, recipient.accountId),
      principalAccount: recipient.accountId,
      context: {},
      unknownKeys: { 'aws:PrincipalOrgID': unknown, [ORG_PATHS]: unknown },
    };
  }
  return {
    principalArn: accountRootArn(partition, ANY_MEMBER_ACCOUNT),
    principalAccount: ANY_MEMBER_ACCOUNT,
    context: { 'aws:PrincipalOrgID': recipient.organizationId },
    unknownKeys: { [ORG_PATHS]: `where the accounts of ${recipientLabel(recipient)} sit in the organization is not known to the action` },
    assumptions: orgPathAssumptions(policy, memberPaths(recipient)),
  };
}

export interface RecipientAccessOptions {
  /** The target key of the promoted AMI. */
  keyArn: string;
  /** The AMI's region: EC2 there calls KMS on the launching principal's behalf. */
  region: string;
  recipient: Recipient;
  partition: string;
}

/**
 * Whether the key policy lets a recipient of the shared AMI launch it: EC2, on the behalf of a principal of the
 * recipient, uses the key of the AMI's snapshots for the new volumes. Recipients in other accounts also need their own
 * IAM policies to allow the key.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html
 */
export function checkRecipientLaunchAccess(policy: string | object, { keyArn, region, recipient, partition }: RecipientAccessOptions): KeyAccessReport {
  const { principalArn, principalAccount, context, unknownKeys, assumptions } = requestOf(policy, recipient, partition);
  return runCheck({
    policy,
    principalArn,
    principalAccount,
    keyArn,
    unknownKeys,
    assumptions,
    required: ebsRequests(LAUNCH_KEY, { ...context, 'kms:ViaService': ec2ViaService(region) }),
    accountIsEnough: true,
    statements: recipientKeyStatements(recipient, partition),
  });
}
