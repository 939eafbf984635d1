import { andList } from '../aws/text.js';
import {
  AUTOSCALING_GRANT,
  EBS_GRANT,
  SOURCE_KEY_ACCESS,
  SOURCE_KEY_GRANT,
  SOURCE_OTHER_KEYS,
  TARGET_AUTOSCALING,
  TARGET_RECIPIENT_CHECK,
  TARGET_LAUNCH_TEMPLATE_DEFAULT,
  TARGET_LAUNCH_TEMPLATES,
  TARGET_RETIRE,
  TARGET_SHARE_ONWARD,
  actionsOf,
  type Need,
} from './actions.js';
import type { GeneratedPolicies } from './generate.js';

function json(value: unknown): string {
  return ['```json', JSON.stringify(value, null, 2), '```'].join('\n');
}

/** `a`, `b` and `c`. */
function names(needs: readonly Need[]): string {
  return andList(actionsOf(needs).map((action) => `\`${action}\``));
}

const GRANT_ONLY = TARGET_AUTOSCALING.grant.filter((need) => !TARGET_AUTOSCALING.check.includes(need));

/**
 * The README's permissions section (the text between `<!-- policies:start -->` and
 * `<!-- policies:end -->`), rendered from generatePolicies for the example inputs.
 */
export function renderPolicyDocs(policies: GeneratedPolicies): string {
  const sections = [
    '## Permissions',
    'The minimal policies, as `generatePolicies` (`src/policy/generate.ts`) makes them, for example values: ' +
      'source account 111111111111, target account 222222222222, one region eu-west-1, the roles and key of ' +
      'Quick start, the target key `alias/golden-ami` resolved to its key ARN, repository OWNER/REPO. ' +
      'Replace them with yours.',
    '### Source role: IAM policy',
    'Attach to the source role (`source-role-arn`), or to the credentials the job already has for the source ' +
      `account. With \`key-access: key-policy\` it also needs ${names(SOURCE_KEY_ACCESS['key-policy'])} on the key. With ` +
      `\`key-access: grant\` it also needs ${names(SOURCE_KEY_ACCESS.grant)} on the key (cleanup removes the run's grant), and ` +
      `${names([SOURCE_KEY_GRANT])} on the key with the condition \`kms:GranteePrincipal\` equal to the target role. When the ` +
      `source snapshots are under other customer-managed keys, it also needs ${names(SOURCE_OTHER_KEYS)} on those keys, ` +
      `and ${names([EBS_GRANT])} for AWS resources.`,
    json(policies.sourceRoleIamPolicy),
    '### Source key: key-policy statements',
    'Add to the key policy of `kms-key-arn` for `key-access: verify` (the default); the target account must also ' +
      'allow the same actions in the target role\'s IAM policy. With `key-access: key-policy` the action adds ' +
      'these statements itself; with `key-access: grant` it gives the target role a grant for the run instead.',
    json(policies.keyPolicyStatements),
    '### Target role: IAM policy',
    'Attach to the target role (`target-role-arn`). Without `target-kms-key` the copies use the target account\'s ' +
      'default `aws/ebs` key and the `UseTheTargetKeys` statement is not needed. With `ssm-parameter` it also needs ' +
      '`ssm:PutParameter` on that parameter in each target region. With `share-with` it also needs ' +
      `${names(TARGET_SHARE_ONWARD)}, and ${names([TARGET_RECIPIENT_CHECK])} on the target keys. With \`launch-template\` it also needs ` +
      `${names(TARGET_LAUNCH_TEMPLATES)} (and ${names([TARGET_LAUNCH_TEMPLATE_DEFAULT])} with \`launch-template-default: true\`). With ` +
      `\`retire-previous\` it also needs, for \`deprecate\`, ${names(TARGET_RETIRE.deprecate)}; for \`disable\`, ${names(TARGET_RETIRE.disable)}; ` +
      `for \`deregister\`, ${names(TARGET_RETIRE.deregister)}. \`iam:SimulatePrincipalPolicy\` only serves ` +
      'the preflight report of missing permissions.',
    json(policies.targetRoleIamPolicy),
    '### Target role: trust policy',
    'Lets workflows of this repository assume the target role with the job\'s GitHub OIDC token. The target ' +
      'account needs the OIDC identity provider `token.actions.githubusercontent.com` with the audience ' +
      '`sts.amazonaws.com` (or your `audience`). A source role named in `source-role-arn` needs the same trust ' +
      'policy with the source account\'s identity provider.',
    json(policies.targetTrustPolicy),
  ];
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
  return sections.join('\n\n') + '\n';
}
