import * as core from '@actions/core';
import { isAliasName, isAwsManagedAlias, isRegion, parseKmsArn, parseRoleArn } from '../aws/arn.js';
import type { TargetKeySpec } from '../domain/types.js';

export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`Input ${input}: ${message}`);
    this.name = 'InputError';
  }
}

/** Where a value was given: an input, or a part of one (a line, a field of an entry) that its errors name first. */
export type Where = string | { input: string; part: string };

export function inputError(at: Where, message: string): InputError {
  return typeof at === 'string' ? new InputError(at, message) : new InputError(at.input, `${at.part} ${message}`);
}

export function optional(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

export function required(name: string): string {
  const value = core.getInput(name);
  if (value === '') throw new InputError(name, 'is required and was empty.');
  return value;
}

export function parseKmsKeyArn(at: Where, value: string) {
  const parsed = parseKmsArn(value);
  if (typeof parsed === 'string') {
    throw inputError(at, `"${value}" is not a KMS key ARN or alias ARN: ${parsed}.`);
  }
  if (parsed.kind === 'alias' && isAwsManagedAlias(parsed.id)) {
    throw inputError(
      at,
      `"${value}" names an AWS-managed key (${parsed.id}). Snapshots under an AWS-managed key cannot be shared with another account; ` +
        'create a customer-managed symmetric key in the source account and pass its ARN.',
    );
  }
  return parsed;
}

export function parseRole(at: Where, value: string) {
  const parsed = parseRoleArn(value);
  if (typeof parsed === 'string') {
    throw inputError(at, `"${value}" is not an IAM role ARN: ${parsed}.`);
  }
  return parsed;
}

/** Checks region names: each a region, none twice; `spaced` says how to write an item that holds several regions. */
export function checkRegions(at: Where, regions: string[], spaced: (words: string[], item: string) => string): string[] {
  if (regions.length === 0) throw inputError(at, 'lists no region; give one or more region names such as eu-west-1.');
  const seen = new Set<string>();
  for (const region of regions) {
    const words = region.split(/\s+/);
    if (words.length > 1 && words.every(isRegion)) throw inputError(at, spaced(words, region));
    if (!isRegion(region)) throw inputError(at, `"${region}" is not a region name (for example eu-west-1).`);
    if (seen.has(region)) throw inputError(at, `lists "${region}" twice.`);
    seen.add(region);
  }
  return regions;
}

export function parseRegionList(name: string, raw: string): string[] {
  const regions = raw
    .split(/[,\n]/)
    .map((r) => r.trim())
    .filter((r) => r !== '');
  return checkRegions(name, regions, (words, item) => `separate regions with commas or new lines, not spaces: "${words.join(', ')}" instead of "${item}".`);
}

/** The key of a target's copies; `regionsName` names where its regions were given, for the fix of a key in another region. */
export function parseTargetKey(at: Where, raw: string | undefined, targetAccountId: string, regions: string[], regionsName: string): TargetKeySpec {
  if (raw === undefined) return { kind: 'default' };
  if (raw.startsWith('arn:')) {
    const key = parseKmsKeyArn(at, raw);
    if (key.accountId !== targetAccountId) {
      throw inputError(
        at,
        `"${raw}" is in account ${key.accountId}, but the target role is in account ${targetAccountId}. ` +
          "The final copy must use a key of the target account so that the source can't revoke it.",
      );
    }
    if (regions.length !== 1 || regions[0] !== key.region) {
      throw inputError(
        at,
        `"${raw}" is a key in ${key.region} and keys are regional, but ${regionsName} is ${regions.join(', ')}. ` +
          `Set ${regionsName} to that one region, or pass an alias name such as alias/golden-ami that exists in every target region.`,
      );
    }
    return { kind: 'arn', key };
  }
  if (!isAliasName(raw)) {
    throw inputError(at, `"${raw}" is neither a key ARN nor an alias name such as alias/golden-ami.`);
  }
  return { kind: 'alias', aliasName: raw };
}

export function bool(name: string, fallback: boolean): boolean {
  if (core.getInput(name) === '') return fallback;
  try {
    return core.getBooleanInput(name);
  } catch {
    throw new InputError(name, `must be true or false (got "${core.getInput(name)}").`);
  }
}

export function integer(name: string, min: number, max: number, fallback?: number, step = 1): number | undefined {
  const raw = optional(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new InputError(name, `must be a whole number from ${min} to ${max} (got "${raw}").`);
  const value = Number(raw);
  if (value < min || value > max) throw new InputError(name, `must be from ${min} to ${max} (got ${value}).`);
  if (value % step !== 0) throw new InputError(name, `must be a multiple of ${step} (got ${value}).`);
  return value;
}

export function oneOf<T extends string>(name: string, modes: readonly T[], fallback: T): T {
  const value = core.getInput(name) || fallback;
  if (!(modes as readonly string[]).includes(value)) throw new InputError(name, `must be one of ${modes.join(', ')} (got "${value}").`);
  return value as T;
}

/** The non-blank lines of a multi-line input, trimmed, each with its line number (from 1) for messages. */
export function nonEmptyLines(raw: string): { text: string; number: number }[] {
  return raw
    .split('\n')
    .map((line, i) => ({ text: line.trim(), number: i + 1 }))
    .filter((line) => line.text !== '');
}
