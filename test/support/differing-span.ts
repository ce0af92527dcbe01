/**
 * Where two texts differ: the span between their common prefix and their common suffix,
 * as offsets into the old text (start, oldEnd) and the new one (start, newEnd). The one
 * edit that turns the old text into the new, as an editor would send it.
 */
export function differingSpan(before: string, after: string): { start: number; oldEnd: number; newEnd: number } {
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start: prefix, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}
