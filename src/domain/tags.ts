import { TAG_PREFIX } from '../policy/tag-keys.js';
import type { Tag } from './types.js';

export { MARK, ROLE_INTERMEDIATE, ROLE_PROMOTED, TAG } from '../policy/tag-keys.js';

/**
 * EC2's tag limits per resource (images and snapshots alike): 50 user tags (keys starting with aws: do not count),
 * keys up to 128 and values up to 256 Unicode characters; EC2 allows any Unicode character in tags.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions
 * (The API reference's Tag type says 127 for keys, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html;
 * the user guide's 128 is used so that nothing AWS accepts is refused.)
 */
export const TAG_LIMITS = { perResource: 50, keyLength: 128, valueLength: 256 } as const;

/** Length as AWS counts it: Unicode characters (code points), so an emoji is one character, not two UTF-16 units. */
export function characterCount(text: string): number {
  return [...text].length;
}

export function tagValue(tags: readonly { Key?: string; Value?: string }[] | undefined, key: string): string | undefined {
  return tags?.find((tag) => tag.Key === key)?.Value;
}

/** Later tags replace earlier ones with the same key; AWS reserves the aws: prefix. */
export function mergeTags(...lists: readonly (readonly { Key?: string; Value?: string }[])[]): Tag[] {
  const merged = new Map<string, string>();
  for (const list of lists) {
    for (const tag of list) {
      if (!tag.Key || tag.Key.toLowerCase().startsWith('aws:')) continue;
      merged.delete(tag.Key);
      merged.set(tag.Key, tag.Value ?? '');
    }
  }
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

/** A resource's own tags, without this action's provenance tags (a new promotion writes its own). */
export function userTags(tags: readonly { Key?: string; Value?: string }[] | undefined): Tag[] {
  return (tags ?? []).flatMap((t) => (t.Key && !t.Key.startsWith(TAG_PREFIX) ? [{ Key: t.Key, Value: t.Value ?? '' }] : []));
}
