/**
 * The proof that the generated policies are exactly enough: a world whose roles and keys carry only what the action's
 * `policies` output says, and the pieces of those policies (statements, actions, conditions) to take out one at a time.
 */
import type { PolicyDocument, PolicyStatement } from '../../src/policy/policy-document.js';
import { DEFAULTS, rootKeyPolicy, type StandIn } from '../../standin/index.js';

/** The policies output: the first target account's, and with several target accounts each one's in `targets`. */
export interface Generated {
  sourceRoleIamPolicy: PolicyDocument;
  keyPolicyStatements: PolicyStatement[];
  targetRoleIamPolicy: PolicyDocument;
  autoscalingKeyStatements: PolicyStatement[];
  recipientKeyStatements: PolicyStatement[];
  targets?: Record<string, { targetRoleIamPolicy: PolicyDocument; autoscalingKeyStatements: PolicyStatement[] }>;
}

/** Where a generated statement goes. */
export type Place = 'source role' | 'source key' | 'target role' | 'target keys';

export interface Piece {
  place: Place;
  /** The statement's index in its place. */
  statement: number;
  kind: 'statement' | 'action' | 'condition';
  /** The action taken out (kind action), or the condition key made unmatchable (kind condition). */
  name?: string;
  label: string;
}

/** The role policies the default world gives the two roles, all replaced by the generated ones. */
const DEFAULT_ROLE_POLICIES: Record<string, string[]> = {
  [DEFAULTS.sourceRoleName]: ['ami-promotion-source'],
  [DEFAULTS.targetRoleName]: ['ami-promotion-ec2', 'ami-promotion-source-key', 'ami-promotion-own-keys', 'ami-promotion-misc', 'standin-tests'],
};

export function parseGenerated(output: string | undefined): Generated {
  const parsed = JSON.parse(output ?? '{}') as Generated;
  if (!parsed.sourceRoleIamPolicy || !parsed.targetRoleIamPolicy) throw new Error(`no policies output: ${output}`);
  return parsed;
}

function statementsOf(generated: Generated, place: Place): PolicyStatement[] {
  switch (place) {
    case 'source role':
      return generated.sourceRoleIamPolicy.Statement;
    case 'target role':
      return generated.targetRoleIamPolicy.Statement;
    case 'source key':
      return generated.keyPolicyStatements;
    case 'target keys':
      return [...generated.autoscalingKeyStatements, ...generated.recipientKeyStatements];
  }
}

/** One target account's role and keys with exactly its generated policies (the keys keep their account's root statement). */
function attachTarget(standin: StandIn, accountId: string, role: PolicyDocument, keyStatements: PolicyStatement[], keyRegions: string[]): void {
  const { targetRoleName, targetKeyAlias } = DEFAULTS;
  for (const name of DEFAULT_ROLE_POLICIES[targetRoleName] ?? []) standin.setRolePolicy(accountId, targetRoleName, name, undefined);
  standin.setRolePolicy(accountId, targetRoleName, 'generated', forStandIn(role));
  for (const keyRegion of keyRegions) standin.setKeyPolicy(accountId, keyRegion, targetKeyAlias, withStatements(rootKeyPolicy(accountId), keyStatements));
}

/** Gives the roles and keys of every account exactly the generated policies. */
export function attachExactly(standin: StandIn, generated: Generated, targetKeyRegions: string[]): void {
  const { sourceAccount, targetAccount, sourceRoleName, region, sourceKeyAlias } = DEFAULTS;
  for (const name of DEFAULT_ROLE_POLICIES[sourceRoleName] ?? []) standin.setRolePolicy(sourceAccount, sourceRoleName, name, undefined);
  standin.setRolePolicy(sourceAccount, sourceRoleName, 'generated', forStandIn(generated.sourceRoleIamPolicy));
  standin.setKeyPolicy(sourceAccount, region, sourceKeyAlias, withStatements(rootKeyPolicy(sourceAccount), generated.keyPolicyStatements));
  attachTarget(standin, targetAccount, generated.targetRoleIamPolicy, statementsOf(generated, 'target keys'), targetKeyRegions);
  for (const [accountId, own] of Object.entries(generated.targets ?? {})) {
    if (accountId !== targetAccount) attachTarget(standin, accountId, own.targetRoleIamPolicy, [...own.autoscalingKeyStatements, ...generated.recipientKeyStatements], targetKeyRegions);
  }
}

type StandInPolicy = ReturnType<typeof rootKeyPolicy>;

/** The action's policy types as the stand-in's (the same JSON; the stand-in's condition values leave out numbers). */
const forStandIn = (policy: PolicyDocument) => policy as unknown as StandInPolicy;

function withStatements(policy: StandInPolicy, statements: PolicyStatement[]): StandInPolicy {
  return { ...policy, Statement: [policy.Statement, forStandIn({ Version: '2012-10-17', Statement: statements }).Statement].flat() };
}

const actionsOf = (statement: PolicyStatement): string[] => [statement.Action ?? []].flat();

function describePiece(place: Place, statement: PolicyStatement, index: number): string {
  return `${place} statement ${statement.Sid ?? index}`;
}

/** Every statement, every action of a statement with several, every condition key: what each run takes out. */
export function piecesOf(generated: Generated): Piece[] {
  const places: Place[] = ['source role', 'source key', 'target role', 'target keys'];
  return places.flatMap((place) =>
    statementsOf(generated, place).flatMap((statement, index) => {
      const at = describePiece(place, statement, index);
      const actions = actionsOf(statement);
      const conditions = Object.values(statement.Condition ?? {}).flatMap((byKey) => Object.keys(byKey as object));
      return [
        { place, statement: index, kind: 'statement' as const, label: at },
        ...(actions.length > 1 ? actions.map((name) => ({ place, statement: index, kind: 'action' as const, name, label: `${name} in ${at}` })) : []),
        ...conditions.map((name) => ({ place, statement: index, kind: 'condition' as const, name, label: `the condition on ${name} in ${at}` })),
      ];
    }),
  );
}

/** A condition value no request carries: the statement then never applies. */
const UNMATCHABLE = 'no-request-carries-this';

function withoutPiece(statement: PolicyStatement, piece: Piece): PolicyStatement | undefined {
  if (piece.kind === 'statement') return undefined;
  if (piece.kind === 'action') return { ...statement, Action: actionsOf(statement).filter((a) => a !== piece.name) };
  const condition = Object.fromEntries(
    Object.entries(statement.Condition ?? {}).map(([operator, byKey]) => [
      operator,
      Object.fromEntries(Object.entries(byKey).map(([key, value]) => [key, key === piece.name ? UNMATCHABLE : value])),
    ]),
  );
  return { ...statement, Condition: condition };
}

/** The generated policies with one piece taken out (a condition: made unmatchable, since taking it out only widens). */
export function without(generated: Generated, piece: Piece): Generated {
  const edit = (statements: PolicyStatement[], place: Place) =>
    place === piece.place ? statements.flatMap((s, i) => (i === piece.statement ? [withoutPiece(s, piece)].filter((x): x is PolicyStatement => x !== undefined) : [s])) : statements;
  const autoscaling = generated.autoscalingKeyStatements.length;
  const targetKeys = edit([...generated.autoscalingKeyStatements, ...generated.recipientKeyStatements], 'target keys');
  return {
    sourceRoleIamPolicy: { ...generated.sourceRoleIamPolicy, Statement: edit(generated.sourceRoleIamPolicy.Statement, 'source role') },
    keyPolicyStatements: edit(generated.keyPolicyStatements, 'source key'),
    targetRoleIamPolicy: { ...generated.targetRoleIamPolicy, Statement: edit(generated.targetRoleIamPolicy.Statement, 'target role') },
    autoscalingKeyStatements: targetKeys.slice(0, piece.place === 'target keys' && piece.kind === 'statement' && piece.statement < autoscaling ? autoscaling - 1 : autoscaling),
    recipientKeyStatements: targetKeys.slice(piece.place === 'target keys' && piece.kind === 'statement' && piece.statement < autoscaling ? autoscaling - 1 : autoscaling),
  };
}

/** The statement a piece belongs to. */
export function statementOf(generated: Generated, piece: Piece): PolicyStatement | undefined {
  return statementsOf(generated, piece.place)[piece.statement];
}

/** The actions of the statement a piece belongs to. */
export function statementActions(generated: Generated, piece: Piece): string[] {
  const statement = statementOf(generated, piece);
  return statement ? actionsOf(statement) : [];
}
