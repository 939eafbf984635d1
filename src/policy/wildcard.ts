/** Matches a policy pattern where `*` stands for any run of characters and `?` for one character. */
export function matchesWildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** ArnLike / ArnEquals: the six ARN fields are matched one by one, each with wildcards. */
export function matchesArnPattern(pattern: string, arn: string): boolean {
  const patternParts = arnParts(pattern);
  const arnFields = arnParts(arn);
  if (!patternParts || !arnFields) return false;
  return patternParts.every((part, index) => matchesWildcard(part, arnFields[index] ?? '', false));
}
