import type { Assumptions } from './conditions.js';
import type { KeyPolicyEvaluation } from './evaluate.js';
import type { KeyAccessReport } from './key-access-check.js';

/** The key policy evaluated for the copy (EC2's calls for the role) and for the probe (a DescribeKey by the role itself). */
export interface KeyPolicyAssessment {
  copy: KeyAccessReport;
  probe: KeyPolicyEvaluation;
}

export type CopyVerdict = 'ok' | 'not-ok' | 'unknown';

export interface ProbeInference {
  /** What the key policy means for the copy, given the probe's outcome. */
  verdict: CopyVerdict;
  /** The probe was denied, and the key policy (not only the role's IAM policy) may be what denied it. */
  keyPolicyMayDeny: boolean;
}

/**
 * Condition keys with the same value in every request of one principal: whatever the probe shows about a
 * condition on them holds for EC2's calls on the principal's behalf as well.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
 */
const PRINCIPAL_KEY = /^aws:(principalorgid|principalorgpaths|principaltag\/.+)$/i;
/** Beyond this many unknown principal conditions, the probe is not used to settle them. */
const MAX_UNKNOWNS = 6;

export function copyVerdict(report: KeyAccessReport): CopyVerdict {
  if (report.actions.some((a) => a.status === 'missing' || a.status === 'explicit-deny')) return 'not-ok';
  return report.ok ? 'ok' : 'unknown';
}

function principalUnknowns({ copy, probe }: KeyPolicyAssessment): string[] {
  const conditions = [...probe.conditions, ...copy.actions.flatMap((a) => a.evaluation.conditions)];
  return [...new Set(conditions.filter((c) => c.result === 'unknown' && PRINCIPAL_KEY.test(c.key)).map((c) => c.id))];
}

/** Every way the unknown conditions can turn out (true or false each). */
function assignments(ids: string[]): Assumptions[] {
  const count = ids.length > MAX_UNKNOWNS ? 0 : ids.length;
  return Array.from({ length: 2 ** count }, (_, mask) => new Map(ids.slice(0, count).map((id, bit) => [id, (mask & (1 << bit)) !== 0])));
}

const denies = (evaluation: KeyPolicyEvaluation) => evaluation.decision === 'implicit-deny' || evaluation.decision === 'explicit-deny';

/**
 * What the probe's outcome proves about the copy. Each way the unknown principal conditions (organization,
 * principal tags) can turn out that agrees with the outcome gives one possible verdict for the copy. A
 * passed probe means the key policy allowed it; a denied one, that the key policy denied it or that the role's
 * own IAM policy does not allow the key (which fails the copy too).
 */
export function inferFromProbe(assess: (assumptions: Assumptions) => KeyPolicyAssessment, passed: boolean): ProbeInference {
  const initial = assess(new Map());
  const cases = assignments(principalUnknowns(initial)).map(assess);
  const consistent = cases.filter(({ probe }) => (passed ? !denies(probe) : probe.decision !== 'allow'));
  const verdicts = new Set(consistent.map(({ copy }) => copyVerdict(copy)));
  if (!passed) verdicts.add('not-ok');
  const [only] = verdicts;
  return { verdict: verdicts.size === 1 && only ? only : 'unknown', keyPolicyMayDeny: !passed && consistent.length > 0 };
}
