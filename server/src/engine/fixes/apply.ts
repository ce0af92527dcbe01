import { applyTextEdits, comparePositions, editsByFile } from '../text';
import type { Fix, TextEdit } from '../types';

export interface AppliedFixes {
  /** New text of each changed file. */
  texts: Map<string, string>;
  applied: Fix[];
  /** Fixes left out because they overlap one already taken; a new round may apply them. */
  deferred: Fix[];
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.file !== b.file) return false;
  // Two insertions at one point would interleave unpredictably: treat them as a clash.
  if (comparePositions(a.range.end, b.range.start) < 0 || comparePositions(b.range.end, a.range.start) < 0) return false;
  const aEmpty = comparePositions(a.range.start, a.range.end) === 0;
  const bEmpty = comparePositions(b.range.start, b.range.end) === 0;
  if (!aEmpty && !bEmpty && (comparePositions(a.range.end, b.range.start) === 0 || comparePositions(b.range.end, a.range.start) === 0)) return false;
  return true;
}

/** Applies as many of the fixes as do not overlap, in order; each file's text comes from `textOf`. */
export function applyFixes(fixes: readonly Fix[], textOf: (file: string) => string | undefined): AppliedFixes {
  const taken: TextEdit[] = [];
  const applied: Fix[] = [];
  const deferred: Fix[] = [];
  for (const fix of fixes) {
    if (fix.edits.length === 0) continue;
    if (fix.edits.some((edit) => taken.some((other) => overlaps(edit, other)))) {
      deferred.push(fix);
      continue;
    }
    taken.push(...fix.edits);
    applied.push(fix);
  }
  const texts = new Map<string, string>();
  for (const [file, edits] of editsByFile(taken)) {
    const original = textOf(file);
    if (original === undefined) continue;
    const updated = applyTextEdits(original, edits);
    if (updated !== original) texts.set(file, updated);
  }
  return { texts, applied, deferred };
}
