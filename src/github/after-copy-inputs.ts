import * as core from '@actions/core';
import { TAG_LIMITS, characterCount } from '../domain/tags.js';
import type { PromotionRequest, RetireMode } from '../domain/types.js';
import { InputError, bool, integer, nonEmptyLines, oneOf, optional } from './input-values.js';

const RETIRE_MODES: RetireMode[] = ['none', 'deprecate', 'disable', 'deregister'];

/**
 * A launch template ID, or a name as CreateLaunchTemplate accepts it: 3 to 128 of letters, digits and ( ) . - / _.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html
 */
const TEMPLATE_ID = /^lt-[0-9a-f]{17}$/;
const TEMPLATE_NAME = /^[a-zA-Z0-9().\-/_]{3,128}$/;

/** launch-template: names or IDs, one per line, none twice. */
export function parseLaunchTemplates(name: string, raw: string): string[] {
  const templates: string[] = [];
  for (const { text, number } of nonEmptyLines(raw)) {
    const where = `line ${number} ("${text}")`;
    if (!TEMPLATE_ID.test(text) && (text.startsWith('lt-') || !TEMPLATE_NAME.test(text))) {
      throw new InputError(name, `${where} is neither a launch template ID (lt- and 17 hexadecimal digits) nor a name (3 to 128 letters, digits and ( ) . - / _).`);
    }
    if (templates.includes(text)) throw new InputError(name, `${where} is listed twice.`);
    templates.push(text);
  }
  return templates;
}

/** lineage: the value of a tag, so at most 256 characters; the repository when not given. */
function readLineage(repository: string | undefined): string | undefined {
  const lineage = optional('lineage') ?? repository;
  if (lineage !== undefined && characterCount(lineage) > TAG_LIMITS.valueLength) {
    throw new InputError('lineage', `is ${characterCount(lineage)} characters long; it is a tag value, so at most ${TAG_LIMITS.valueLength}.`);
  }
  return lineage;
}

/** The inputs of what follows the copy: launch templates, the lineage and the retirement of earlier promotions. */
export function readAfterCopy(repository: string | undefined): Pick<PromotionRequest, 'launchTemplates' | 'launchTemplateDefault' | 'lineage' | 'retire'> {
  const launchTemplates = parseLaunchTemplates('launch-template', core.getInput('launch-template'));
  const launchTemplateDefault = bool('launch-template-default', false);
  if (launchTemplateDefault && launchTemplates.length === 0) {
    throw new InputError('launch-template-default', 'is true, but launch-template names no template: list the templates whose new version becomes the default.');
  }
  const lineage = readLineage(repository);
  const mode = oneOf<RetireMode>('retire-previous', RETIRE_MODES, 'none');
  if (mode !== 'none' && lineage === undefined) {
    throw new InputError('lineage', `is needed with retire-previous: ${mode} (there is no repository to default to): name the image family, e.g. lineage: web-server.`);
  }
  return {
    launchTemplates,
    launchTemplateDefault,
    lineage,
    retire: {
      mode,
      keepPrevious: integer('keep-previous', 0, 1000, 2) as number,
      keepIfLaunchedWithinDays: integer('keep-if-launched-within-days', 0, 3650, 30) as number,
    },
  };
}
