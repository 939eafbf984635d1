/**
 * The CloudFormation templates as CloudFormation would deploy them: their parameters (with defaults), conditions and
 * the intrinsic functions they use evaluated for a stack in one account and region.
 */
import { readFileSync } from 'node:fs';
import { parseTemplate } from '../../src/policy/cloudformation-yaml.js';
import type { PolicyDocument, PolicyStatement } from '../../src/policy/policy-document.js';

interface Template {
  Parameters: Record<string, { Default?: string }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Properties: Record<string, unknown> }>;
  Outputs: Record<string, { Value: unknown; Condition?: string }>;
}

export interface DeployedRole {
  AssumeRolePolicyDocument: PolicyDocument;
  Policies: { PolicyName: string; PolicyDocument: PolicyDocument }[];
}

/** What Ref of the stack's own OIDC provider gives. */
export const STACK_PROVIDER_ARN = 'provider-made-by-the-stack';

function evaluator(template: Template, values: Record<string, string>) {
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    const [name, argument] = entries[0] ?? [];
    switch (entries.length === 1 ? name : '') {
      case 'Ref': {
        const value = values[argument as string];
        if (value === undefined) throw new Error(`Ref to unknown ${String(argument)}`);
        return value;
      }
      case 'Fn::Sub':
        return (argument as string).replace(/\$\{([\w:]+)\}/g, (_, key: string) => {
          if (values[key] === undefined) throw new Error(`Sub of unknown ${key}`);
          return values[key];
        });
      case 'Fn::If': {
        const [condition, then, otherwise] = argument as [string, unknown, unknown];
        return resolve(resolve(template.Conditions[condition]) === true ? then : otherwise);
      }
      case 'Fn::Equals': {
        const [a, b] = resolve(argument) as unknown[];
        return a === b;
      }
      case 'Fn::Not':
        return !(resolve(argument) as boolean[])[0];
      default:
        return Object.fromEntries(entries.map(([key, value]) => [key, resolve(value)]));
    }
  };
  return resolve;
}

/** The stack of the template at `path` (from the repository root) in `account` and `region`, with `parameters`. */
export function deployTemplate(path: string, account: string, region: string, parameters: Record<string, string>) {
  const template = parseTemplate(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')) as unknown as Template;
  const defaults = Object.fromEntries(Object.entries(template.Parameters).map(([name, spec]) => [name, spec.Default ?? '']));
  const pseudo = { 'AWS::AccountId': account, 'AWS::Region': region, 'AWS::Partition': 'aws', GitHubOidcProvider: STACK_PROVIDER_ARN };
  const resolve = evaluator(template, { ...defaults, ...parameters, ...pseudo });
  return {
    template,
    role: (name: string) => resolve(template.Resources[name]?.Properties) as DeployedRole,
    /** A JSON output (the key-policy statements), undefined when its condition is false. */
    statementsOutput: (name: string): PolicyStatement[] | undefined => {
      const spec = template.Outputs[name];
      if (spec?.Condition && resolve(template.Conditions[spec.Condition]) !== true) return undefined;
      return JSON.parse(resolve(spec?.Value) as string) as PolicyStatement[];
    },
  };
}
