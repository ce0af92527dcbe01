import type { Position, Range, TextEdit } from './types';

/*
 * The one line model of the engine and its adapters. Lines end at `\r\n`, a lone `\r` or
 * `\n`, as the LSP specification counts them (and as CPython reads source): a position's
 * line and character mean the same thing to the editor, the CLI and every rule. Columns
 * are UTF-16 code units. The functions below follow `vscode-languageserver-textdocument`'s
 * `positionAt`/`offsetAt` exactly (a test compares them on random mixed line endings).
 */

/** The last texts' line starts, most recent first: fixes and rules ask for the same few modules' lines many times in a row. */
const recentStarts: { text: string; starts: readonly number[] }[] = [];
const RECENT_TEXTS = 4;

const LF = 10;
const CR = 13;

export function isLineBreak(code: number): boolean {
  return code === LF || code === CR;
}

/** Offsets of line starts: after each `\r\n`, lone `\r` and `\n`. */
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
  const starts = computeLineStarts(text);
  recentStarts.unshift({ text, starts });
  if (recentStarts.length > RECENT_TEXTS) recentStarts.pop();
  return starts;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  // Most texts have no \r at all: indexOf runs at memory speed.
  if (text.indexOf('\r') === -1) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === CR) {
      if (text.charCodeAt(i + 1) === LF) i++;
      starts.push(i + 1);
    } else if (code === LF) starts.push(i + 1);
  }
  return starts;
}

/** How many lines the text has (an empty text, or one ending in a break, has an empty last line). */
export function lineCount(text: string): number {
  return lineStarts(text).length;
}

/** Steps back over the break characters before `offset`, not past `lineStart`. */
function beforeBreak(text: string, offset: number, lineStart: number): number {
  while (offset > lineStart && isLineBreak(text.charCodeAt(offset - 1))) offset--;
  return offset;
}

/** The offset of a position; a character past the end of its line means the line's end, before its break. */
export function offsetAt(text: string, position: Position, starts = lineStarts(text)): number {
  if (position.line >= starts.length) return text.length;
  if (position.line < 0) return 0;
  const lineStart = starts[position.line];
  if (position.character <= 0) return lineStart;
  const next = position.line + 1 < starts.length ? starts[position.line + 1] : text.length;
  return beforeBreak(text, Math.min(lineStart + position.character, next), lineStart);
}

/** The position of an offset (clamped to the text); an offset inside a `\r\n` is the position of its `\r`. */
export function positionAt(text: string, offset: number, starts = lineStarts(text)): Position {
  offset = Math.max(0, Math.min(offset, text.length));
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: beforeBreak(text, offset, starts[low]) - starts[low] };
}

/** The offset where a line's content ends, before its break. */
export function lineEndOffset(text: string, line: number, starts = lineStarts(text)): number {
  if (line >= starts.length) return text.length;
  const next = line + 1 < starts.length ? starts[line + 1] : text.length;
  return beforeBreak(text, next, starts[Math.max(0, line)]);
}

/** One line's content, without its break; '' past the last line. */
export function lineText(text: string, line: number, starts = lineStarts(text)): string {
  if (line < 0 || line >= starts.length) return '';
  return text.slice(starts[line], lineEndOffset(text, line, starts));
}

/** Every line's content, without breaks: as many as `lineCount` (so `'a\n'` is `['a', '']`). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The start of the line holding `offset`. */
export function lineStartBefore(text: string, offset: number, starts = lineStarts(text)): number {
  return starts[positionAt(text, offset, starts).line];
}

/** The end of the content of the line holding `offset` (where its break starts, or the text's end). */
export function lineEndAfter(text: string, offset: number, starts = lineStarts(text)): number {
  return lineEndOffset(text, positionAt(text, offset, starts).line, starts);
}

/** Whether the text's last line is empty: it ends with a break. */
export function endsWithLineBreak(text: string): boolean {
  return text.length > 0 && isLineBreak(text.charCodeAt(text.length - 1));
}

/** The text with every break written as `\n`, for reading content (not positions): CPython's universal newlines. */
export function normalizeLineBreaks(text: string): string {
  return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
}

/**
 * The text as a parser that ends lines only at `\n` must read it to count lines as this
 * model does: each lone `\r` becomes `\n`. Offsets are unchanged (one character for one), a
 * `\r\n` keeps its `\r` (a column on its line stays the same), and tree-sitter's rows and
 * columns become this model's lines and characters. CPython reads a lone `\r` as a line
 * break too, so the parse is the one Python makes. The same string comes back when there is
 * nothing to change.
 */
export function withLoneCarriageReturnsAsNewlines(text: string): string {
  if (text.indexOf('\r') === -1 || !/\r(?!\n)/.test(text)) return text;
  return text.replace(/\r(?!\n)/g, '\n');
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function rangeContains(outer: Range, inner: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}

/** The line break the file already uses (its first one), so inserted lines match it. */
export function lineBreakOf(text: string): '\r\n' | '\r' | '\n' {
  const lf = text.indexOf('\n');
  // Searched up to the first \n only: callers ask once per fix, of large texts too.
  const cr = (lf === -1 ? text : text.slice(0, lf + 1)).indexOf('\r');
  if (cr === -1) return '\n';
  return cr + 1 === lf ? '\r\n' : '\r';
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

/** Groups edits (or anything else of one file each, such as findings) by file. */
export function editsByFile<T extends Pick<TextEdit, 'file'>>(edits: readonly T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
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
