import type { StatementCondition } from './evaluate.js';

/** The condition as it is written in the policy, e.g. {"StringEquals":{"kms:CallerAccount":"111122223333"}}. */
export function conditionText(condition: StatementCondition): string {
  const values = condition.values.length === 1 ? condition.values[0] : condition.values;
  return JSON.stringify({ [condition.operator]: { [condition.key]: values } });
}

/** What the request carries for the condition's key, e.g. "EC2's calls carry kms:CallerAccount = 222233334444". */
export function requestText(condition: StatementCondition, requests: string): string {
  const { request, key } = condition;
  if (request === 'absent') return `${requests} carry no ${key}`;
  if (request === 'unknown') return condition.reason ?? `${key} cannot be known`;
  return `${requests} carry ${key} = ${request.join(', ')}`;
}

function unique(conditions: StatementCondition[]): StatementCondition[] {
  const seen = new Set<string>();
  return conditions.filter((c) => {
    const id = `${c.statement}\u0000${c.id}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Why Allow statements do not apply: 'statement "X" requires {...}, but EC2's calls carry ...'. */
export function exclusionNotes(conditions: StatementCondition[], requests: string): string[] {
  return unique(conditions.filter((c) => c.result === 'no-match')).map(
    (c) => `statement "${c.statement}" requires ${conditionText(c)}, but ${requestText(c, requests)}`,
  );
}

/** Why a Deny statement applies: 'statement "X" denies when {...}, and EC2's calls carry ...'. */
export function denialNotes(conditions: StatementCondition[], requests: string): string[] {
  return unique(conditions).map((c) => `statement "${c.statement}" denies when ${conditionText(c)}, and ${requestText(c, requests)}`);
}

/** How to change the excluding conditions: 'in statement "X", let {...} allow kms:CallerAccount = 2222...'. */
export function conditionFixes(conditions: StatementCondition[]): string[] {
  return unique(conditions.filter((c) => c.result === 'no-match' && Array.isArray(c.request))).map(
    (c) => `in statement "${c.statement}", change ${conditionText(c)} so that it also allows ${c.key} = ${(c.request as string[]).join(', ')}`,
  );
}

/** Conditions that could not be evaluated: 'statement "X" requires {...} (aws:PrincipalOrgID: why it is not known)'. */
export function unknownNotes(conditions: StatementCondition[]): string[] {
  return unique(conditions.filter((c) => c.result === 'unknown')).map((c) => `statement "${c.statement}" requires ${conditionText(c)} (${c.reason ?? 'unknown'})`);
}
