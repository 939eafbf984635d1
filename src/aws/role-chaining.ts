import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { principalOf, type RoleArn } from './arn.js';
import { classify } from './classify.js';
import { PromotionError, errorMessage, errorName, type Side } from './errors.js';
import { explainAwsError, identityStatement } from './explain.js';
import { durationProblem, renewingCredentials } from './session-credentials.js';
import { assumeRoleTrustStatement } from './trust-policy.js';

export interface ChainedRoleOptions {
  role: RoleArn;
  side: Side;
  sessionName: string;
  durationSeconds: number;
  /** An STS client with the credentials of the environment (the SDK's default chain). */
  sts: STSClient;
  /** Called with every new set of credentials, before anything can log them. */
  onCredentials?: (credentials: AwsCredentialIdentity) => void;
  now?: () => number;
}

const NO_CREDENTIALS_FIX =
  'Give the job AWS credentials before this step: an instance profile or task role on the self-hosted runner, AWS_PROFILE ' +
  '(with aws sso login on a laptop), or an earlier aws-actions/configure-aws-credentials step. Or set role-chaining to false ' +
  "to assume the role with the job's GitHub OIDC token.";

/** Who the environment's credentials are, for the trust-policy fix; undefined when even that cannot be had. */
async function environmentPrincipal(sts: STSClient): Promise<string | undefined> {
  try {
    const arn = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    return arn ? principalOf(arn) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The trust statement naming the environment's principal and, across accounts, the statement its own IAM policy needs:
 * a role in another account is assumed only when both allow it
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, "Permissions").
 */
function trustFix(role: RoleArn, principal: string | undefined): string {
  const named = principal ?? `arn:${role.partition}:iam::SOURCE-ACCOUNT:role/RUNNER-ROLE`;
  const statement = JSON.stringify(assumeRoleTrustStatement(named), null, 2);
  const path = /:role\/[^/]+$/.test(named) ? ` (if ${named} has a path, put it in the ARN: a session ARN does not show it)` : '';
  const fix = `Add this statement to the trust policy of ${role.arn}${path}:\n${statement}`;
  const sameAccount = principal !== undefined && principal.split(':')[4] === role.accountId;
  return sameAccount ? fix : `${fix}\nand this one to the IAM policy of ${principal ?? 'the principal of the credentials in the environment'}:\n${identityStatement('sts:AssumeRole', role.arn)}`;
}

/** AssumeRole's answers (credentials in the environment, trust policy, session length); the rest as for any AWS call. */
async function explainChainedFailure(error: unknown, options: ChainedRoleOptions): Promise<PromotionError> {
  const what = `Assuming ${options.role.arn} with the credentials in the environment (role-chaining)`;
  const explained = (why: string, fix: string) => new PromotionError({ what, side: options.side, accountId: options.role.accountId, why, fix, cause: error });
  const kind = classify(error);
  if (kind === 'no-credentials') return explained(`no AWS credentials were found in the environment (${errorMessage(error)}).`, NO_CREDENTIALS_FIX);
  if (kind === 'expired' || kind === 'invalid-credentials') {
    return explained(`AWS refused the credentials in the environment (${errorName(error)}: ${errorMessage(error)}).`, `Renew or correct them before this step. ${NO_CREDENTIALS_FIX}`);
  }
  if (kind === 'denied') {
    const principal = await environmentPrincipal(options.sts);
    const who = principal ?? 'the principal of the credentials in the environment';
    const why = `the role does not exist, its trust policy does not let ${who} assume it, or (from another account) ${who} may not call sts:AssumeRole on it (${errorMessage(error)}).`;
    return explained(why, trustFix(options.role, principal));
  }
  const duration = errorName(error) === 'ValidationError' ? durationProblem(errorMessage(error), options.role) : undefined;
  if (duration) return explained(duration.why, duration.fix);
  return explainAwsError(error, { what, side: options.side, accountId: options.role.accountId, action: 'sts:AssumeRole', resource: options.role.arn });
}

/**
 * Credentials of a role assumed with sts:AssumeRole from the credentials in the environment (configure-aws-credentials'
 * role-chaining), renewed by assuming the role again before they expire: a session assumed from another role's session
 * lasts at most one hour (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
 */
export function chainedRoleCredentials(options: ChainedRoleOptions): AwsCredentialIdentityProvider {
  const assume = async () => {
    try {
      const input = { RoleArn: options.role.arn, RoleSessionName: options.sessionName, DurationSeconds: options.durationSeconds };
      return (await options.sts.send(new AssumeRoleCommand(input))).Credentials;
    } catch (error) {
      throw await explainChainedFailure(error, options);
    }
  };
  return renewingCredentials({ role: options.role, side: options.side, assume, onCredentials: options.onCredentials, now: options.now });
}
