import { classify, type ErrorKind } from './classify.js';
import { PromotionError, errorMessage, errorName, type Side } from './errors.js';

export interface CallSite {
  /** What the action was doing, e.g. "Sharing snapshot snap-0123 with account 222222222222". */
  what: string;
  side: Side;
  accountId?: string;
  region?: string;
  /** The IAM action(s) of the call, e.g. ec2:ModifySnapshotAttribute. */
  action: string | readonly string[];
  /** The resource ARN the call acts on ("*" for EC2 calls that take no resource ARN). */
  resource?: string;
  /** The principal that made the call (role ARN), named in the fix. */
  principal?: string;
  /**
   * Where the side's credentials come from: a role the action assumes with the job's OIDC token (and renews), or the
   * environment (an earlier step, which the action cannot renew). Unset: not known.
   */
  credentials?: 'assumed' | 'environment';
}

interface Reason {
  why: string;
  fix: string;
}

const RETRY_FRESH = 'Re-run the job to retry with fresh credentials.';

export function identityStatement(action: string | readonly string[], resource = '*'): string {
  return JSON.stringify({ Effect: 'Allow', Action: action, Resource: resource }, null, 2);
}

/** The fix for calls the IAM policy of `principal` does not allow. */
export function identityPolicyFix(principal: string, action: string | readonly string[], resource?: string): string {
  return `Add this statement to the IAM policy of ${principal}:\n${identityStatement(action, resource)}`;
}

/**
 * No principal may use a KMS key unless its key policy allows it, for the principal itself or by enabling IAM policies
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
 */
function keyPolicyNote(site: CallSite, who: string): string {
  if (![site.action].flat().some((action) => action.startsWith('kms:'))) return '';
  const key = site.resource && site.resource !== '*' ? site.resource : 'the key';
  return `\nThe key policy of ${key} must allow it too: for ${who} itself, or for the IAM policies of its account (as the default key policy does).`;
}

function deniedReason(error: unknown, site: CallSite): Reason {
  const who = site.principal ?? `the ${site.side} credentials`;
  const on = site.resource && site.resource !== '*' ? ` on ${site.resource}` : '';
  return {
    why: `${who} may not call ${[site.action].flat().join(' and ')}${on} (${errorName(error) || 'error'}: ${errorMessage(error)}).`,
    fix: identityPolicyFix(who, site.action, site.resource) + keyPolicyNote(site, who),
  };
}

function credentialsReason(kind: 'expired' | 'invalid-credentials' | 'no-credentials', error: unknown, site: CallSite): Reason {
  const { side, credentials } = site;
  const environment = credentials === 'environment';
  if (kind === 'expired') {
    const fixes = {
      assumed: RETRY_FRESH,
      environment: `Credentials from an earlier configure-aws-credentials step cannot be renewed here: set ${side}-role-arn instead, so that the action assumes the ${side} role with the job's OIDC token and renews them, and re-run the job.`,
      unknown: `${RETRY_FRESH} If the ${side} credentials come from an earlier configure-aws-credentials step, set ${side}-role-arn instead so they are renewed.`,
    };
    return { why: `the ${side} credentials expired (${errorName(error)}).`, fix: fixes[credentials ?? 'unknown'] };
  }
  if (kind === 'invalid-credentials') {
    return {
      why: `AWS refused the ${side} credentials${environment ? ' from the environment' : ''} (${errorName(error)}: ${errorMessage(error)}).`,
      fix:
        credentials === 'assumed'
          ? RETRY_FRESH
          : `Check the credentials an earlier step put in the environment (for example aws-actions/configure-aws-credentials), or set ${side}-role-arn to a role the action assumes with the job's OIDC token.`,
    };
  }
  return {
    why: `no ${side} credentials were found${environment ? ' in the environment' : ''} (${errorMessage(error)}).`,
    fix:
      credentials === 'assumed'
        ? `Check ${side}-role-arn and that the job has the permission id-token: write.`
        : `Set ${side}-role-arn to a role in the ${side} account that trusts this repository, or run aws-actions/configure-aws-credentials before this step and leave its credentials in the environment until the job ends.`,
  };
}

/** Why an AWS error of this kind probably happened, and the fix: the one wording of every layer. */
function reason(kind: ErrorKind, error: unknown, site: CallSite): Reason {
  const detail = `${errorName(error) || 'error'}: ${errorMessage(error)}`;
  switch (kind) {
    case 'denied':
      return deniedReason(error, site);
    case 'expired':
    case 'invalid-credentials':
    case 'no-credentials':
      return credentialsReason(kind, error, site);
    case 'throttled':
      return {
        why: `AWS kept throttling the requests after every retry (${errorName(error)}).`,
        fix: 'Re-run the job when the account is less busy, or raise AWS_MAX_ATTEMPTS in the job environment.',
      };
    case 'key-unusable':
      return {
        why: `the state of the KMS key${site.resource && site.resource !== '*' ? ` ${site.resource}` : ''} does not allow this call, for example because it is disabled or pending deletion (${detail}).`,
        fix: 'Enable the key (or cancel its deletion), then re-run the job.',
      };
    case 'in-use':
      return { why: `the snapshot is still used by an AMI (${detail}).`, fix: 'Deregister the AMI that uses it, then delete the snapshot.' };
    default:
      return { why: detail, fix: 'See the AWS message above; re-run the job if the error was transient.' };
  }
}

/**
 * Turns an AWS SDK error into a PromotionError that says what failed, where, why, and the fix. `extra` is appended to
 * the fix (cleanup: the CLI command that does the same by hand). An error already explained (a PromotionError, e.g.
 * the session could not be had) passes through; with an `extra` it is told for this call, with the extra appended.
 */
export function explainAwsError(error: unknown, site: CallSite, extra?: string): PromotionError {
  const place = { what: site.what, side: site.side, accountId: site.accountId, region: site.region };
  const withExtra = (fix: string) => (extra ? `${fix}\n${extra}` : fix);
  if (error instanceof PromotionError) {
    return extra ? new PromotionError({ ...place, why: error.details.why, fix: withExtra(error.details.fix), cause: error }) : error;
  }
  const { why, fix } = reason(classify(error), error, site);
  return new PromotionError({ ...place, why, fix: withExtra(fix), cause: error });
}

/** Runs one AWS call and explains its failure. */
export async function call<T>(site: CallSite, fn: () => Promise<T>, extra?: string): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw explainAwsError(error, site, extra);
  }
}
