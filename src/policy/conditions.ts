import { baseOperator, type BaseOperator } from './condition-operators.js';
import type { ConditionEntry } from './policy-document.js';
import { UNKNOWN, type RequestContext } from './request-context.js';

export type Tristate = 'match' | 'no-match' | 'unknown';

export interface ConditionsResult {
  result: Tristate;
  /** Why the result is unknown; empty otherwise. */
  unknownReasons: string[];
}

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

function evaluateEntry(entry: ConditionEntry, context: RequestContext): { result: Tristate; reason?: string } {
  const operator = parseOperator(entry.operator);
  if (!operator) return { result: 'unknown', reason: `condition operator ${entry.operator} (on ${entry.key}) is not supported` };
  if (entry.values.some((value) => value.includes('${'))) {
    return { result: 'unknown', reason: `condition ${entry.operator} on ${entry.key} uses a policy variable` };
  }
  const contextValues = context.lookup(entry.key);
  if (contextValues === UNKNOWN) return { result: 'unknown', reason: `condition key ${entry.key} is not in the request context` };
  const matched =
    operator.kind === 'null'
      ? entry.values.some((value) => (value.toLowerCase() === 'true') === (contextValues === undefined))
      : valuesMatch(operator, contextValues, entry.values);
  return { result: matched ? 'match' : 'no-match' };
}

/** All conditions must match (AND); a definite mismatch outweighs an unknown one. */
export function evaluateConditions(entries: ConditionEntry[], context: RequestContext): ConditionsResult {
  const results = entries.map((entry) => evaluateEntry(entry, context));
  if (results.some(({ result }) => result === 'no-match')) return { result: 'no-match', unknownReasons: [] };
  const unknownReasons = results.flatMap(({ reason }) => (reason ? [reason] : []));
  return { result: unknownReasons.length > 0 ? 'unknown' : 'match', unknownReasons };
}
