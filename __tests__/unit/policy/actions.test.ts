import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COPY_READ_KEY, COPY_WRITE_KEY, EBS_GRANT, EBS_KEY_USE, actionsOf, everyAction, type Need } from '../../../src/policy/actions.js';
import { generatePolicies } from '../../../src/policy/generate.js';
import { matchesWildcard } from '../../../src/policy/wildcard.js';
import { DEFAULT_COPY_KEY_REQUIREMENTS } from '../../../standin/settings.js';
import { EXAMPLE_INPUTS } from './example-inputs.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/** Every .ts file of src/ with its text. */
function sources(): { file: string; text: string }[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file, text: readFileSync(join(SRC, file), 'utf8') }));
}

/** The IAM action of every SDK command src/ sends (`new XxxCommand(` of @aws-sdk/client-yyy is yyy:Xxx), with where. */
function actionsSent(): Map<string, string> {
  const sent = new Map<string, string>();
  for (const { file, text } of sources()) {
    const serviceOf = new Map<string, string>();
    for (const [, names = '', service = ''] of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9]+)'/g)) {
      for (const name of names.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim())) serviceOf.set(name, service);
    }
    for (const [, command = ''] of text.matchAll(/new ([A-Z]\w*Command)\(/g)) {
      const service = serviceOf.get(command);
      if (!service) throw new Error(`${file}: ${command} is not imported from an @aws-sdk/client-* package`);
      sent.set(`${service}:${command.replace(/Command$/, '')}`, file);
    }
    // Tags given to CopyImage (TagSpecifications) need ec2:CreateTags.
    if (text.includes('TagSpecifications:')) sent.set('ec2:CreateTags', file);
  }
  return sent;
}

const covered = (action: string, granted: readonly string[]) => granted.some((pattern) => matchesWildcard(pattern, action, true));

/**
 * The one list, the trust policy (sts:AssumeRoleWithWebIdentity), and sts:AssumeRole, which with role-chaining the
 * principal of the environment's credentials needs (its trust statement and its own IAM policy: README "Running outside
 * GitHub-hosted OIDC").
 */
const LISTED = [...everyAction(), ...generatePolicies(EXAMPLE_INPUTS).targetTrustPolicy.Statement.flatMap((s) => s.Action ?? []), 'sts:AssumeRole'];

describe('the list of IAM actions (src/policy/actions.ts)', () => {
  const sent = actionsSent();

  it('finds the commands the action sends', () => {
    expect(sent.size).toBeGreaterThan(20);
    expect([...sent.keys()]).toEqual(expect.arrayContaining(['ec2:CopyImage', 'kms:CreateGrant', 'ssm:PutParameter', 'iam:SimulatePrincipalPolicy', 'sts:AssumeRoleWithWebIdentity']));
  });

  it('covers every command src/ sends, so that a new call without its permission fails here', () => {
    const missing = [...sent].filter(([action]) => !covered(action, LISTED)).map(([action, file]) => `${action} (sent in src/${file})`);
    expect(missing).toEqual([]);
  });

  it("names only EC2, SSM, IAM and STS actions that src/ sends (KMS ones may be EC2's calls on a principal's behalf)", () => {
    const direct = LISTED.filter((action) => /^(ec2|ssm|iam|sts):/.test(action));
    expect(direct.filter((action) => !sent.has(action))).toEqual([]);
  });

  it("has every action the calls' error metadata names", () => {
    const named = sources().flatMap(({ text }) => [...text.matchAll(/\baction: '([a-z0-9]+:[A-Za-z*]+)'/g)].map((m) => m[1] as string));
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((action) => !covered(action, LISTED))).toEqual([]);
  });

  it.each([
    ['read', COPY_READ_KEY],
    ['written', COPY_WRITE_KEY],
  ])('grants with EBS_KEY_USE and EBS_GRANT each action EC2 checks on the key %s by a copy', (_label, needs: readonly Need[]) => {
    const granted = actionsOf([...EBS_KEY_USE, EBS_GRANT]);
    expect(actionsOf(needs).filter((action) => !covered(action, granted))).toEqual([]);
  });

  // The stand-in's model of what AWS checks: each requirement lists alternatives, one of which must be allowed.
  it.each([
    ['source', DEFAULT_COPY_KEY_REQUIREMENTS.source, COPY_READ_KEY],
    ['destination', DEFAULT_COPY_KEY_REQUIREMENTS.destination, COPY_WRITE_KEY],
  ])("asks on the %s key of a copy for what the stand-in's AWS checks", (_label, requirements, needs) => {
    const ours = actionsOf(needs);
    expect(requirements.filter((alternatives) => !alternatives.some((action) => ours.includes(action)))).toEqual([]);
  });
});
