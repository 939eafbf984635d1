import { baseOperator, type BaseOperator } from './condition-operators.js';
import type { ConditionEntry } from './policy-document.js';
import { UnknownValue, type RequestContext } from './request-context.js';

export type Tristate = 'match' | 'no-match' | 'unknown';

/** One condition (operator, key, policy values) of a statement checked against a request. */
export interface ConditionCheck {
  /** The same for equal conditions in any statement: operator and key (case-insensitive) and the values. */
  id: string;
  operator: string;
  key: string;
  /** The policy's values. */
  values: string[];
  /** The request's values, `absent` when the request does not carry the key, `unknown` when that cannot be told. */
  request: string[] | 'absent' | 'unknown';
  result: Tristate;
  /** Why the result is unknown. */
  reason?: string;
}

export interface ConditionsResult {
  result: Tristate;
  checks: ConditionCheck[];
}

/** Results assumed for conditions that cannot be evaluated, by ConditionCheck id. */
export type Assumptions = ReadonlyMap<string, boolean>;

type ParsedOperator =
  | { kind: 'null' }
  | { kind: 'values'; set: 'ForAnyValue' | 'ForAllValues' | undefined; ifExists: boolean; base: BaseOperator };

function parseOperator(name: string): ParsedOperator | undefined {
  const qualified = /^(ForAnyValue|ForAllValues):(.*)$/i.exec(name);
  const set = qualified ? (qualified[1]?.toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues') : undefined;
  const rest = qualified?.[2] ?? name;
  const ifExists = /IfExists$/i.test(rest);
  const baseName = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  if (baseName.toLowerCase() === 'null') return set || ifExists ? undefined : { kind: 'null' };
  const base = baseOperator(baseName);
  return base && { kind: 'values', set, ifExists, base };
}

function valuesMatch(
  { set, ifExists, base }: Extract<ParsedOperator, { kind: 'values' }>,
  contextValues: string[] | undefined,
  policyValues: string[],
): boolean {
  if (contextValues === undefined && ifExists) return true;
  const values = contextValues ?? [];
  const matchesAny = (value: string) => policyValues.some((policyValue) => base.matches(value, policyValue));
  const holds = (value: string) => (base.negated ? !matchesAny(value) : matchesAny(value));
  if (set === 'ForAllValues') return values.every(holds);
  if (set === 'ForAnyValue') return values.some(holds);
  return base.negated ? !values.some(matchesAny) : values.some(matchesAny);
}

export function conditionId(entry: ConditionEntry): string {
  return `${entry.operator.toLowerCase()} ${entry.key.toLowerCase()} ${JSON.stringify(entry.values)}`;
}

function evaluateEntry(entry: ConditionEntry, context: RequestContext): ConditionCheck {
  const check = { id: conditionId(entry), operator: entry.operator, key: entry.key, values: entry.values };
  const unknown = (reason: string): ConditionCheck => ({ ...check, request: 'unknown', result: 'unknown', reason });
  const operator = parseOperator(entry.operator);
  if (!operator) return unknown(`condition operator ${entry.operator} (on ${entry.key}) is not supported`);
  if (entry.values.some((value) => value.includes('${'))) return unknown(`condition ${entry.operator} on ${entry.key} uses a policy variable`);
  const contextValues = context.lookup(entry.key);
  if (contextValues instanceof UnknownValue) return unknown(`${entry.key}: ${contextValues.why}`);
  const matched =
    operator.kind === 'null'
      ? entry.values.some((value) => (value.toLowerCase() === 'true') === (contextValues === undefined))
      : valuesMatch(operator, contextValues, entry.values);
  return { ...check, request: contextValues ?? 'absent', result: matched ? 'match' : 'no-match' };
}

function assumed(check: ConditionCheck, assumptions: Assumptions | undefined): ConditionCheck {
  const value = check.result === 'unknown' ? assumptions?.get(check.id) : undefined;
  return value === undefined ? check : { ...check, result: value ? 'match' : 'no-match' };
}

/** All conditions must match (AND); a definite mismatch outweighs an unknown one. */
export function evaluateConditions(entries: ConditionEntry[], context: RequestContext, assumptions?: Assumptions): ConditionsResult {
  const checks = entries.map((entry) => assumed(evaluateEntry(entry, context), assumptions));
  const result = checks.some((c) => c.result === 'no-match') ? 'no-match' : checks.some((c) => c.result === 'unknown') ? 'unknown' : 'match';
  return { result, checks };
}
