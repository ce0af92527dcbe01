import { createTwoFilesPatch } from 'diff';

/** A git-style unified diff of one file (`a/` and `b/` prefixes), empty when nothing changed. */
export function unifiedDiff(name: string, before: string, after: string): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  // The separator line jsdiff puts first is not part of git's format.
  return patch.replace(/^=+\r?\n/, '');
}
