import * as core from '@actions/core';
import { parse } from 'yaml';
import { isRegion } from '../aws/arn.js';
import type { TargetSpec } from '../domain/types.js';
import { InputError, checkRegions, inputError, nonEmptyLines, optional, parseRole, parseTargetKey, type Where } from './input-values.js';

/** What every target gets unless its entry of `targets` says otherwise. */
export interface TargetDefaults {
  /** The partition of the source key: every role must be in it. */
  partition: string;
  /** target-regions, or the source region. */
  regions: string[];
}

/** A parsed target with where its role was given ("line 2", "entry 2"), for the checks across targets. */
interface GivenTarget {
  spec: TargetSpec;
  at: Where;
  place: string;
}

const ENTRY_FIELDS = ['role-arn', 'regions', 'kms-key'];

const shown = (value: unknown) => (value === null || value === undefined ? 'nothing' : JSON.stringify(value));

/** The target accounts from target-role-arn (one role per line) or from targets (YAML entries); exactly one of them. */
export function readTargets(defaults: TargetDefaults): TargetSpec[] {
  const roles = optional('target-role-arn');
  // Untrimmed: trimming would take away the indentation of the first line only.
  const entriesRaw = core.getInput('targets', { trimWhitespace: false });
  const entries = entriesRaw.trim() === '' ? undefined : entriesRaw;
  if (roles !== undefined && entries !== undefined) {
    throw new InputError(
      'targets',
      'is given together with target-role-arn: give target-role-arn (one role ARN per line; every account gets target-regions and target-kms-key) ' +
        'or targets (each account with its own regions and key), not both.',
    );
  }
  if (entries !== undefined) return distinctAccounts(entriesOf(entries).map((entry, i) => targetOfEntry(entry, i + 1, defaults)), defaults.partition);
  if (roles === undefined) {
    throw new InputError('target-role-arn', 'is required and was empty, and so was targets: give the role ARN of each target account, one per line, or targets.');
  }
  return distinctAccounts(targetsOfRoleLines(roles, defaults), defaults.partition);
}

/** One target per line of target-role-arn, each with target-regions and target-kms-key. */
function targetsOfRoleLines(raw: string, defaults: TargetDefaults): GivenTarget[] {
  const lines = nonEmptyLines(raw).map(({ text, number }) => ({ text, place: `line ${number}` }));
  const keyRaw = optional('target-kms-key');
  if (lines.length > 1 && keyRaw?.startsWith('arn:')) {
    throw new InputError(
      'target-kms-key',
      `"${keyRaw}" is a key ARN, which names one account, but target-role-arn names ${lines.length} accounts. ` +
        'Pass an alias name such as alias/golden-ami that exists in every target account and region, or give each account its key with targets.',
    );
  }
  return lines.map(({ text, place }) => {
    const at: Where = lines.length === 1 ? 'target-role-arn' : { input: 'target-role-arn', part: `${place}:` };
    const values = text.split(/[\s,]+/);
    if (values.length > 1 && values.every((v) => v.startsWith('arn:'))) throw inputError(at, `"${text}" holds ${values.length} ARNs: give one role ARN per line.`);
    const role = parseRole(at, text);
    return { spec: { role, regions: defaults.regions, key: parseTargetKey('target-kms-key', keyRaw, role.accountId, defaults.regions, 'target-regions') }, at, place };
  });
}

/** The entries of the targets input: a YAML (or JSON) list. */
function entriesOf(raw: string): unknown[] {
  let value: unknown;
  try {
    value = parse(raw);
  } catch (error) {
    throw new InputError('targets', `is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(value)) {
    const got = value !== null && typeof value === 'object' ? 'a mapping: start each entry with "- "' : shown(value);
    throw new InputError('targets', `must be a list of entries, one per target account, each with role-arn and optionally regions and kms-key (got ${got}).`);
  }
  if (value.length === 0) throw new InputError('targets', 'lists no target account; give one entry with role-arn per target account.');
  return value;
}

/** One entry of targets: role-arn, and regions and kms-key, which default to target-regions and target-kms-key. */
function targetOfEntry(entry: unknown, n: number, defaults: TargetDefaults): GivenTarget {
  const field = (name: string): Where => ({ input: 'targets', part: `entry ${n}: ${name}` });
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new InputError('targets', `entry ${n} must be a mapping with role-arn and optionally regions and kms-key (got ${shown(entry)}).`);
  }
  const fields = entry as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((name) => !ENTRY_FIELDS.includes(name));
  if (unknown.length > 0) {
    throw new InputError('targets', `entry ${n}: unknown field ${unknown.map((name) => `"${name}"`).join(', ')}; the fields are ${ENTRY_FIELDS.join(', ')}.`);
  }
  const roleArn = fields['role-arn'];
  if (roleArn === undefined) throw new InputError('targets', `entry ${n}: role-arn is required: the IAM role to assume in that target account.`);
  if (typeof roleArn !== 'string') throw inputError(field('role-arn'), `must be an IAM role ARN (got ${shown(roleArn)}).`);
  const role = parseRole(field('role-arn'), roleArn);
  const regions = 'regions' in fields ? entryRegions(field('regions'), fields.regions) : defaults.regions;
  const keyRaw = 'kms-key' in fields ? fields['kms-key'] : optional('target-kms-key');
  const keyAt = field('kms-key' in fields ? 'kms-key' : 'kms-key (from target-kms-key)');
  if (keyRaw !== undefined && typeof keyRaw !== 'string') {
    throw inputError(keyAt, `must be a key ARN or an alias name such as alias/golden-ami (got ${shown(keyRaw)}).`);
  }
  const key = parseTargetKey(keyAt, keyRaw, role.accountId, regions, 'regions');
  return { spec: { role, regions, key }, at: field('role-arn'), place: `entry ${n}` };
}

function entryRegions(at: Where, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    const words = typeof value === 'string' ? value.split(/[\s,]+/).filter((word) => word !== '') : [];
    const fix = words.length > 0 && words.every(isRegion) ? `: write regions: [${words.join(', ')}]` : '';
    throw inputError(at, `must be a list of region names (got ${shown(value)})${fix}.`);
  }
  const regions = value.map((item: string) => item.trim());
  return checkRegions(at, regions, (words, item) => `has "${item}" as one item: write each region as its own item: [${words.join(', ')}].`);
}

/** Every role in the partition of the source key, and each target account once. */
function distinctAccounts(targets: GivenTarget[], partition: string): TargetSpec[] {
  const places = new Map<string, string>();
  for (const { spec, at, place } of targets) {
    const { role } = spec;
    if (role.partition !== partition) {
      throw inputError(at, `"${role.arn}" is in partition ${role.partition}, but kms-key-arn is in ${partition}: the source and target accounts must be in one partition.`);
    }
    const earlier = places.get(role.accountId);
    if (earlier !== undefined) throw inputError(at, `"${role.arn}" is in account ${role.accountId}, like ${earlier}: give each target account once.`);
    places.set(role.accountId, place);
  }
  return targets.map((target) => target.spec);
}
