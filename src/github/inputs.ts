import * as core from '@actions/core';
import { isRegion } from '../aws/arn.js';
import { TAG_LIMITS, characterCount } from '../domain/tags.js';
import type { AutoscalingAccessMode, CopyMethod, KeyAccessMode, PromotionRequest, Tag } from '../domain/types.js';
import { InputError, bool, integer, nonEmptyLines, oneOf, optional, parseKmsKeyArn, parseRegionList, parseRole, required } from './input-values.js';
import { readAfterCopy } from './after-copy-inputs.js';
import { readTargets } from './target-inputs.js';
import type { RunContext } from './run-context.js';

export { InputError };
import { parseRecipient, recipientId, type Recipient } from '../policy/recipients.js';

export interface SessionSettings {
  audience: string;
  roleSessionName: string;
  roleDurationSeconds: number;
  /** role-chaining: roles are assumed with sts:AssumeRole from the credentials in the environment, not the OIDC token. */
  roleChaining: boolean;
}

export interface ActionInputs {
  request: PromotionRequest;
  session: SessionSettings;
  /** Inputs that are valid but probably not what the user meant, for the main step to show as warnings. */
  warnings: string[];
}

const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const AMI_NAME = /^[a-zA-Z0-9()[\] ./\-'@_]{3,128}$/;
const SSM_NAME = /^(?:\/?[a-zA-Z0-9_.-]+)+$/;
const KEY_ACCESS_MODES: KeyAccessMode[] = ['verify', 'grant', 'key-policy'];
const AUTOSCALING_MODES: AutoscalingAccessMode[] = ['check', 'grant', 'off'];
const COPY_METHODS: CopyMethod[] = ['image', 'snapshots'];



/** A warning for a value that looks like more tags on the same line, e.g. Name=web,Env=prod. */
function commaSeparatedTagsWarning(name: string, where: string, text: string, key: string, value: string): string | undefined {
  if (!/,\s*[^,=\s][^,=]*=/.test(value)) return undefined;
  const lines = text.split(',').map((part) => `  ${part.trim()}`);
  return (
    `Input ${name}: ${where} gives the tag ${key} the value "${value}". Tags are one Key=Value per line; ` +
    `if you meant several tags, write:\n${name}: |\n${lines.join('\n')}`
  );
}

export function parseTags(name: string, raw: string): { tags: Tag[]; warnings: string[] } {
  const tags: Tag[] = [];
  const warnings: string[] = [];
  const keys = new Set<string>();
  for (const [index, line] of raw.split('\n').entries()) {
    const text = line.trim();
    if (text === '') continue;
    const eq = text.indexOf('=');
    const where = `line ${index + 1} ("${text}")`;
    if (eq <= 0) throw new InputError(name, `${where} is not Key=Value.`);
    const key = text.slice(0, eq).trim();
    const value = text.slice(eq + 1).trim();
    if (characterCount(key) > TAG_LIMITS.keyLength) throw new InputError(name, `${where}: a tag key has at most 128 characters.`);
    if (characterCount(value) > TAG_LIMITS.valueLength) throw new InputError(name, `${where}: a tag value has at most 256 characters.`);
    if (key.toLowerCase().startsWith('aws:')) throw new InputError(name, `${where}: tag keys starting with "aws:" are reserved by AWS.`);
    if (keys.has(key)) throw new InputError(name, `${where}: the key "${key}" is given twice.`);
    keys.add(key);
    tags.push({ Key: key, Value: value });
    const warning = commaSeparatedTagsWarning(name, where, text, key, value);
    if (warning) warnings.push(warning);
  }
  return { tags, warnings };
}

function defaultSessionName(run: RunContext): string {
  return run.runId ? `promote-ami-${run.runId}-${run.runAttempt ?? '1'}` : `promote-ami-${Date.now()}`;
}

function provenance({ repository, sha, runId, runAttempt, runUrl }: RunContext): PromotionRequest['provenance'] {
  return { repository, commitSha: sha, runId, runAttempt, runUrl };
}

function readSourceAmiId(): string {
  const sourceAmiId = required('source-ami-id');
  if (AMI_ID.test(sourceAmiId.toLowerCase()) && !AMI_ID.test(sourceAmiId)) {
    // EC2 resource IDs are lower case: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
    throw new InputError('source-ami-id', `"${sourceAmiId}" has capital letters, but AMI IDs are lower case: use ${sourceAmiId.toLowerCase()}.`);
  }
  if (!AMI_ID.test(sourceAmiId)) {
    throw new InputError('source-ami-id', `"${sourceAmiId}" is not an AMI ID (ami- followed by 8 or 17 hex digits, e.g. ami-0123456789abcdef0).`);
  }
  return sourceAmiId;
}

/** The source key, role and region, and the target accounts, in one partition. */
function readAccounts(): Pick<PromotionRequest, 'kmsKey' | 'sourceRole' | 'sourceRegion' | 'targets'> {
  const kmsKey = parseKmsKeyArn('kms-key-arn', required('kms-key-arn'));
  const sourceRoleRaw = optional('source-role-arn');
  const sourceRole = sourceRoleRaw === undefined ? undefined : parseRole('source-role-arn', sourceRoleRaw);
  if (sourceRole && sourceRole.partition !== kmsKey.partition) {
    throw new InputError('source-role-arn', `is in partition ${sourceRole.partition} but kms-key-arn is in ${kmsKey.partition}.`);
  }
  const sourceRegion = optional('source-region') ?? kmsKey.region;
  if (!isRegion(sourceRegion)) throw new InputError('source-region', `"${sourceRegion}" is not a region name (for example eu-west-1).`);
  if (kmsKey.region !== sourceRegion) {
    throw new InputError(
      'kms-key-arn',
      `the key is in ${kmsKey.region} but source-region is ${sourceRegion}. KMS keys are regional: pass a key in ${sourceRegion}, or leave source-region empty.`,
    );
  }
  const targetRegionsRaw = optional('target-regions');
  const regions = targetRegionsRaw === undefined ? [sourceRegion] : parseRegionList('target-regions', targetRegionsRaw);
  return { kmsKey, sourceRole, sourceRegion, targets: readTargets({ partition: kmsKey.partition, regions }) };
}


/** The promoted AMI's name and description, and the SSM parameter to publish it in. */
function readImageSettings(): Pick<PromotionRequest, 'amiName' | 'amiDescription' | 'ssmParameter'> {
  const amiName = optional('ami-name');
  if (amiName !== undefined && !AMI_NAME.test(amiName)) {
    throw new InputError('ami-name', `"${amiName}" is not a valid AMI name: 3 to 128 letters, digits, spaces and ( ) [ ] . / - ' @ _.`);
  }
  const amiDescription = optional('ami-description');
  if (amiDescription !== undefined && amiDescription.length > 255) {
    throw new InputError('ami-description', `has ${amiDescription.length} characters; AMI descriptions have at most 255.`);
  }
  const ssmParameter = optional('ssm-parameter');
  if (ssmParameter !== undefined) {
    const bare = ssmParameter.replace(/^\//, '').toLowerCase();
    if (!SSM_NAME.test(ssmParameter) || ssmParameter.length > 1011 || bare.startsWith('aws') || bare.startsWith('ssm')) {
      throw new InputError(
        'ssm-parameter',
        `"${ssmParameter}" is not a valid parameter name: letters, digits and . - _ / (e.g. /golden-ami/latest), not starting with aws or ssm.`,
      );
    }
  }
  return { amiName, amiDescription, ssmParameter };
}

/** How the roles are assumed: with an OIDC token for `audience`, or with role chaining (no token). Needs no run context. */
export function readTokenSettings(): Pick<SessionSettings, 'audience' | 'roleChaining'> {
  return { audience: core.getInput('audience') || 'sts.amazonaws.com', roleChaining: bool('role-chaining', false) };
}

function readSession(run: RunContext): SessionSettings {
  const roleSessionName = optional('role-session-name') ?? defaultSessionName(run);
  if (!SESSION_NAME.test(roleSessionName)) {
    throw new InputError('role-session-name', `"${roleSessionName}" must be 2 to 64 characters of letters, digits and +=,.@_-.`);
  }
  return { ...readTokenSettings(), roleSessionName, roleDurationSeconds: integer('role-duration-seconds', 900, 43200, 3600) as number };
}

/** Reads and validates every input; throws InputError naming the first bad one. Makes no network call. */
export function readInputs(run: RunContext): ActionInputs {
  const sourceAmiId = readSourceAmiId();
  const accounts = readAccounts();
  const keyAccess = oneOf<KeyAccessMode>('key-access', KEY_ACCESS_MODES, 'verify');
  const autoscalingAccess = oneOf<AutoscalingAccessMode>('autoscaling-access', AUTOSCALING_MODES, 'check');
  const image = readImageSettings();
  const session = readSession(run);
  const tags = parseTags('tags', core.getInput('tags'));
  const origin = provenance(run);
  const { repository } = origin;
  const request: PromotionRequest = {
    sourceAmiId,
    ...accounts,
    keyAccess,
    autoscalingAccess,
    ...image,
    tags: tags.tags,
    copyTags: bool('copy-tags', true),
    cleanup: bool('cleanup', true),
    waitTimeoutMinutes: integer('wait-timeout-minutes', 1, 2880, 120) as number,
    deregistrationProtection: bool('deregistration-protection', false),
    deprecateAfterDays: integer('deprecate-after-days', 1, 3650),
    copyCompletionMinutes: integer('copy-completion-minutes', 15, 2880, undefined, 15),
    maxParallelCopies: integer('max-parallel-copies', 1, 1000, 200) as number,
    shareWith: parseShareWith('share-with', core.getInput('share-with')),
    ...readAfterCopy(repository),
    dryRun: bool('dry-run', false),
    provenance: origin,
    copyMethod: oneOf<CopyMethod>('copy-method', COPY_METHODS, 'image'),
  };
  return { request, session, warnings: tags.warnings };
}

/**
 * share-with: account IDs, organization ARNs and OU ARNs, one per line. Never `all`: the promoted AMI is never made
 * public.
 */
export function parseShareWith(name: string, raw: string): Recipient[] {
  const recipients: Recipient[] = [];
  const lines = new Map<string, number>();
  for (const { text, number } of nonEmptyLines(raw)) {
    const where = `line ${number} ("${text}")`;
    if (text.toLowerCase() === 'all') {
      throw new InputError(name, `${where}: "all" would make the promoted AMI public, which this action never does. Name the accounts, organizations or OUs to share it with.`);
    }
    const recipient = parseRecipient(text);
    if (typeof recipient === 'string') throw new InputError(name, `${where} is not a recipient: ${recipient}.`);
    const first = lines.get(recipientId(recipient));
    if (first !== undefined) throw new InputError(name, `${where} repeats line ${first}.`);
    lines.set(recipientId(recipient), number);
    recipients.push(recipient);
  }
  return recipients;
}
