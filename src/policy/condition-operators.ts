import { matchesArnPattern, matchesWildcard } from './wildcard.js';

/**
 * A base condition operator (without ForAnyValue:/ForAllValues: or IfExists). A negated operator
 * (StringNotEquals, ...) is true for a context value when its positive form matches none of the
 * policy values.
 */
export interface BaseOperator {
  negated: boolean;
  matches(contextValue: string, policyValue: string): boolean;
}

type Compare = (a: number, b: number) => boolean;

function parseDate(value: string): number {
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

function numeric(parse: (value: string) => number, compare: Compare): (c: string, p: string) => boolean {
  return (contextValue, policyValue) => {
    const a = parse(contextValue);
    const b = parse(policyValue);
    return !Number.isNaN(a) && !Number.isNaN(b) && compare(a, b);
  };
}

const parseNumber = (value: string) => (value.trim() === '' ? NaN : Number(value));
const equal: Compare = (a, b) => a === b;

const positive = (matches: BaseOperator['matches']): BaseOperator => ({ negated: false, matches });
const negative = (matches: BaseOperator['matches']): BaseOperator => ({ negated: true, matches });

const stringEquals = (c: string, p: string) => c === p;
const stringEqualsIgnoreCase = (c: string, p: string) => c.toLowerCase() === p.toLowerCase();
const stringLike = (c: string, p: string) => matchesWildcard(p, c, false);
const numericEquals = numeric(parseNumber, equal);
const dateEquals = numeric(parseDate, equal);
const arnLike = (c: string, p: string) => matchesArnPattern(p, c);

const OPERATORS: Record<string, BaseOperator> = {
  stringequals: positive(stringEquals),
  stringnotequals: negative(stringEquals),
  stringequalsignorecase: positive(stringEqualsIgnoreCase),
  stringnotequalsignorecase: negative(stringEqualsIgnoreCase),
  stringlike: positive(stringLike),
  stringnotlike: negative(stringLike),
  numericequals: positive(numericEquals),
  numericnotequals: negative(numericEquals),
  numericlessthan: positive(numeric(parseNumber, (a, b) => a < b)),
  numericlessthanequals: positive(numeric(parseNumber, (a, b) => a <= b)),
  numericgreaterthan: positive(numeric(parseNumber, (a, b) => a > b)),
  numericgreaterthanequals: positive(numeric(parseNumber, (a, b) => a >= b)),
  dateequals: positive(dateEquals),
  datenotequals: negative(dateEquals),
  datelessthan: positive(numeric(parseDate, (a, b) => a < b)),
  datelessthanequals: positive(numeric(parseDate, (a, b) => a <= b)),
  dategreaterthan: positive(numeric(parseDate, (a, b) => a > b)),
  dategreaterthanequals: positive(numeric(parseDate, (a, b) => a >= b)),
  bool: positive(stringEqualsIgnoreCase),
  arnequals: positive(arnLike),
  arnlike: positive(arnLike),
  arnnotequals: negative(arnLike),
  arnnotlike: negative(arnLike),
};

/** Looks up a base operator by name, case-insensitively; undefined when it is not supported. */
export function baseOperator(name: string): BaseOperator | undefined {
  return OPERATORS[name.toLowerCase()];
}
