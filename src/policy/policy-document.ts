export type OneOrMany<T> = T | T[];

/** One element alone, several as a list (as IAM policies write them). */
export function oneOrMany(list: string[]): string | string[] {
  return list.length === 1 ? (list[0] as string) : list;
}

export type ConditionValue = string | boolean | number;

/** Operator → condition key → value(s), as written in a policy. */
export type ConditionBlock = Record<string, Record<string, OneOrMany<ConditionValue>>>;

export type PrincipalBlock = '*' | Record<string, OneOrMany<string>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalBlock;
  NotPrincipal?: PrincipalBlock;
  Action?: OneOrMany<string>;
  NotAction?: OneOrMany<string>;
  Resource?: OneOrMany<string>;
  NotResource?: OneOrMany<string>;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Id?: string;
  Statement: PolicyStatement[];
}

/** A list element of a statement (Principal, Action or Resource) or its Not- form. */
export interface ElementList {
  negated: boolean;
  values: string[];
}

/** A condition with its values normalised to strings. */
export interface ConditionEntry {
  operator: string;
  key: string;
  values: string[];
}

export interface NormalizedStatement {
  /** The Sid, or the position when there is none. */
  id: string;
  effect: 'Allow' | 'Deny';
  /** AWS principals only: other principal types (Service, Federated) can never name a role. */
  principals: ElementList;
  actions: ElementList;
  resources: ElementList;
  conditions: ConditionEntry[];
}

export class PolicyFormatError extends Error {
  override name = 'PolicyFormatError';
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item): item is string => typeof item === 'string')) {
    throw new PolicyFormatError(`${where} must be a string or an array of strings.`);
  }
  return list;
}

function elementList(statement: JsonObject, name: string, where: string): ElementList {
  const positive = statement[name];
  const negative = statement[`Not${name}`];
  if ((positive === undefined) === (negative === undefined)) {
    throw new PolicyFormatError(`${where} must have exactly one of ${name} and Not${name}.`);
  }
  const negated = positive === undefined;
  const label = `${where} ${negated ? 'Not' : ''}${name}`;
  return { negated, values: stringList(negated ? negative : positive, label) };
}

function principalList(statement: JsonObject, where: string): ElementList {
  const positive = statement.Principal;
  const negative = statement.NotPrincipal;
  if ((positive === undefined) === (negative === undefined)) {
    throw new PolicyFormatError(`${where} must have exactly one of Principal and NotPrincipal.`);
  }
  const negated = positive === undefined;
  const block = negated ? negative : positive;
  if (block === '*') return { negated, values: ['*'] };
  if (!isObject(block)) throw new PolicyFormatError(`${where} Principal must be "*" or an object such as {"AWS": ...}.`);
  return { negated, values: block.AWS === undefined ? [] : stringList(block.AWS, `${where} Principal.AWS`) };
}

function conditionEntries(statement: JsonObject, where: string): ConditionEntry[] {
  const block = statement.Condition;
  if (block === undefined) return [];
  if (!isObject(block)) throw new PolicyFormatError(`${where} Condition must be an object.`);
  return Object.entries(block).flatMap(([operator, keys]) => {
    if (!isObject(keys)) throw new PolicyFormatError(`${where} Condition.${operator} must be an object.`);
    return Object.entries(keys).map(([key, raw]) => {
      const list = Array.isArray(raw) ? raw : [raw];
      if (!list.every((item) => ['string', 'boolean', 'number'].includes(typeof item))) {
        throw new PolicyFormatError(`${where} Condition.${operator}.${key} must be strings, booleans or numbers.`);
      }
      return { operator, key, values: list.map(String) };
    });
  });
}

function normalizeStatement(raw: unknown, index: number): NormalizedStatement {
  const where = `Statement ${index}`;
  if (!isObject(raw)) throw new PolicyFormatError(`${where} is not an object.`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    throw new PolicyFormatError(`${where} Effect must be "Allow" or "Deny".`);
  }
  return {
    id: typeof raw.Sid === 'string' && raw.Sid !== '' ? raw.Sid : `#${index}`,
    effect: raw.Effect,
    principals: principalList(raw, where),
    actions: elementList(raw, 'Action', where),
    resources: elementList(raw, 'Resource', where),
    conditions: conditionEntries(raw, where),
  };
}

/**
 * Parses a key policy as returned by GetKeyPolicy (a JSON string) or already parsed.
 * Statements are identified by Sid, or `#N` (their zero-based position) when they have none.
 */
export function parseKeyPolicy(policy: string | object): NormalizedStatement[] {
  let document: unknown = policy;
  if (typeof policy === 'string') {
    try {
      document = JSON.parse(policy);
    } catch (error) {
      throw new PolicyFormatError(`The key policy is not JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(document) || document.Statement === undefined) {
    throw new PolicyFormatError('The key policy has no Statement.');
  }
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements.map(normalizeStatement);
}
