import type { Position, Range, TextEdit } from './types';

/** The last texts' line starts, most recent first: fixes and rules ask for the same few modules' lines many times in a row. */
const recentStarts: { text: string; starts: readonly number[] }[] = [];
const RECENT_TEXTS = 4;

/** Offsets of line starts; lines end at \n (a \r before it belongs to the line). */
export function lineStarts(text: string): readonly number[] {
  for (let i = 0; i < recentStarts.length; i++) {
    // Identity first: the same string object is the common case, and compares in no time.
    if (recentStarts[i].text === text) {
      const hit = recentStarts[i];
      if (i > 0) {
        recentStarts.splice(i, 1);
        recentStarts.unshift(hit);
      }
      return hit.starts;
    }
  }
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  recentStarts.unshift({ text, starts });
  if (recentStarts.length > RECENT_TEXTS) recentStarts.pop();
  return starts;
}

/** The offset of a position; a character past the end of its line means the line's end, before its break. */
export function offsetAt(text: string, position: Position, starts = lineStarts(text)): number {
  if (position.line >= starts.length) return text.length;
  const lineStart = starts[position.line];
  let lineEnd = position.line + 1 < starts.length ? starts[position.line + 1] - 1 : text.length;
  if (lineEnd > lineStart && position.line + 1 < starts.length && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  return Math.min(lineStart + Math.max(0, position.character), lineEnd);
}

export function positionAt(text: string, offset: number, starts = lineStarts(text)): Position {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: offset - starts[low] };
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function rangeContains(outer: Range, inner: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}

/** The line break the file already uses, so inserted lines match it. */
export function lineBreakOf(text: string): string {
  const index = text.indexOf('\n');
  return index > 0 && text[index - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * Applies edits to one file's text. Edits must not overlap; insertions at the same
 * position keep their given order.
 */
export function applyTextEdits(text: string, edits: readonly Pick<TextEdit, 'range' | 'newText'>[]): string {
  const starts = lineStarts(text);
  const resolved = edits
    .map((edit, order) => ({ start: offsetAt(text, edit.range.start, starts), end: offsetAt(text, edit.range.end, starts), newText: edit.newText, order }))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.order - b.order);
  let result = '';
  let cursor = 0;
  for (const edit of resolved) {
    if (edit.start < cursor) throw new Error('overlapping edits');
    result += text.slice(cursor, edit.start) + edit.newText;
    cursor = edit.end;
  }
  return result + text.slice(cursor);
}

/** Groups edits by file. */
export function editsByFile(edits: readonly TextEdit[]): Map<string, TextEdit[]> {
  const grouped = new Map<string, TextEdit[]>();
  for (const edit of edits) {
    const list = grouped.get(edit.file) ?? [];
    list.push(edit);
    grouped.set(edit.file, list);
  }
  return grouped;
}

/** A percent-encoded text decoded, or as it is when it is not valid percent-encoding (a password with a literal `%`). */
export function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
