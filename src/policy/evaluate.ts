import { parseKmsArn } from '../aws/arn.js';
import { evaluateConditions, type Assumptions, type ConditionCheck, type Tristate } from './conditions.js';
import { parseKeyPolicy, type ElementList, type NormalizedStatement } from './policy-document.js';
import { matchPrincipal, type PrincipalMatch } from './principal-match.js';
import { RequestContext, type ContextValue } from './request-context.js';
import { matchesWildcard } from './wildcard.js';

export type { ContextValue } from './request-context.js';
export type { Assumptions } from './conditions.js';

export interface KeyRequest {
  /** The calling role, e.g. arn:aws:iam::222222222222:role/ami-promotion-target. */
  principalArn: string;
  principalAccount: string;
  /** For example kms:Decrypt. */
  action: string;
  /** The key ARN. */
  resourceArn: string;
  /** Condition keys of the request; aws:PrincipalArn, aws:PrincipalAccount, kms:CallerAccount and aws:PrincipalIsAWSService are filled in. */
  context?: Record<string, ContextValue>;
  /** Condition keys the request may carry whose values cannot be known, each with the reason. */
  unknownKeys?: Record<string, string>;
  /** Results assumed for conditions that cannot be evaluated (see ConditionCheck.id). */
  assumptions?: Assumptions;
}

/** A condition of a statement, checked against the request. */
export interface StatementCondition extends ConditionCheck {
  /** The statement's Sid, or #N. */
  statement: string;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny' | 'unknown';

export interface KeyPolicyEvaluation {
  decision: Decision;
  /** On allow: whether a statement names the principal (or `*`) or only its account. */
  allowedBy?: PrincipalMatch;
  /** On allow: the principal's own IAM policy must allow the request too (cross-account, or allowed by account). */
  needsIdentityPolicy: boolean;
  /** The decisive statements (Sid, or #N by position): the allowing or denying ones, or those left unknown. */
  statements: string[];
  /** On unknown: which condition could not be evaluated, per statement. */
  unknownReasons: string[];
  /**
   * The conditions behind the decision: those of the allowing or denying statements, those that could not be
   * evaluated, or (implicit deny) those that keep an Allow statement naming the principal, action and key from applying.
   */
  conditions: StatementCondition[];
}

interface StatementOutcome {
  statement: NormalizedStatement;
  principal: PrincipalMatch;
  result: Tristate;
  checks: ConditionCheck[];
}

function listMatches(list: ElementList, value: string, ignoreCase: boolean): boolean {
  const named = list.values.some((pattern) => matchesWildcard(pattern, value, ignoreCase));
  return list.negated ? !named : named;
}

function requestContext(request: KeyRequest): RequestContext {
  return new RequestContext(
    {
      ...request.context,
      'aws:PrincipalArn': request.principalArn,
      'aws:PrincipalAccount': request.principalAccount,
      'aws:PrincipalIsAWSService': false,
      'kms:CallerAccount': request.principalAccount,
    },
    request.unknownKeys,
  );
}

function keyAccount(resourceArn: string): string {
  const key = parseKmsArn(resourceArn);
  if (typeof key === 'string') throw new TypeError(`The resource ${resourceArn} is not a KMS key ARN: ${key}.`);
  return key.accountId;
}

function outcomes(statements: NormalizedStatement[], request: KeyRequest): StatementOutcome[] {
  const context = requestContext(request);
  const principal = { arn: request.principalArn, accountId: request.principalAccount };
  return statements.flatMap((statement) => {
    const principalMatch = matchPrincipal(statement.principals, principal);
    if (!principalMatch) return [];
    if (!listMatches(statement.actions, request.action, true)) return [];
    if (!listMatches(statement.resources, request.resourceArn, false)) return [];
    const { result, checks } = evaluateConditions(statement.conditions, context, request.assumptions);
    return [{ statement, principal: principalMatch, result, checks }];
  });
}

function ids(list: StatementOutcome[]): string[] {
  return list.map(({ statement }) => statement.id);
}

function conditionsOf(list: StatementOutcome[], keep: (check: ConditionCheck) => boolean = () => true): StatementCondition[] {
  return list.flatMap(({ statement, checks }) => checks.filter(keep).map((check) => ({ ...check, statement: statement.id })));
}

function unknown(list: StatementOutcome[]): KeyPolicyEvaluation {
  const conditions = conditionsOf(list, (check) => check.result === 'unknown');
  return {
    decision: 'unknown',
    needsIdentityPolicy: false,
    statements: ids(list),
    unknownReasons: conditions.map(({ statement, reason }) => `${statement}: ${reason ?? ''}`),
    conditions,
  };
}

/**
 * Evaluates a KMS key policy, on its own, for one request. An explicit Deny wins; a Deny whose
 * conditions cannot be evaluated makes the decision unknown even when an Allow applies.
 */
export function evaluateKeyPolicy(policy: string | object, request: KeyRequest): KeyPolicyEvaluation {
  const crossAccount = keyAccount(request.resourceArn) !== request.principalAccount;
  const applicable = outcomes(parseKeyPolicy(policy), request);
  const by = (effect: 'Allow' | 'Deny', result: Tristate) =>
    applicable.filter((outcome) => outcome.statement.effect === effect && outcome.result === result);

  const denies = by('Deny', 'match');
  if (denies.length > 0) {
    return { decision: 'explicit-deny', needsIdentityPolicy: false, statements: ids(denies), unknownReasons: [], conditions: conditionsOf(denies) };
  }
  const unknownDenies = by('Deny', 'unknown');
  if (unknownDenies.length > 0) return unknown(unknownDenies);
  const allows = by('Allow', 'match');
  if (allows.length > 0) {
    const allowedBy = allows.some((outcome) => outcome.principal === 'principal') ? 'principal' : 'account';
    return {
      decision: 'allow',
      allowedBy,
      needsIdentityPolicy: crossAccount || allowedBy === 'account',
      statements: ids(allows),
      unknownReasons: [],
      conditions: conditionsOf(allows),
    };
  }
  const unknownAllows = by('Allow', 'unknown');
  if (unknownAllows.length > 0) return unknown(unknownAllows);
  const excluded = conditionsOf(by('Allow', 'no-match'), (check) => check.result === 'no-match');
  return { decision: 'implicit-deny', needsIdentityPolicy: false, statements: [], unknownReasons: [], conditions: excluded };
}
