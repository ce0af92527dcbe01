import { anchoredLocation, anchorOf, type RowAnchor } from './anchored-locations';
import { lineStarts, positionAt } from '../text';
import type { Position } from '../types';

/**
 * Where the positions of an old text of a file are in its new text, when lines were added
 * or removed between them. The two texts are aligned on their common prefix and suffix:
 * what lies before the changed span keeps its place, what lies after it moves with it, and
 * what lies inside has no place (undefined).
 */
export class LineShift {
  private constructor(
    private readonly oldText: string,
    private readonly newText: string,
    /** Offset where the texts start to differ. */
    private readonly changeStart: number,
    /** Offset in the old text where the common suffix starts. */
    private readonly oldChangeEnd: number,
    private readonly oldStarts: readonly number[],
    private readonly newStarts: readonly number[],
  ) {}

  /** The shift from `oldText` to `newText`, or undefined when every line keeps its number (nothing needs moving). */
  static between(oldText: string, newText: string): LineShift | undefined {
    if (oldText === newText) return undefined;
    const shorter = Math.min(oldText.length, newText.length);
    // Whole blocks first (a native comparison), then character by character.
    const BLOCK = 512;
    let prefix = 0;
    while (prefix + BLOCK <= shorter && oldText.slice(prefix, prefix + BLOCK) === newText.slice(prefix, prefix + BLOCK)) prefix += BLOCK;
    while (prefix < shorter && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (suffix + BLOCK <= shorter - prefix && oldText.slice(oldText.length - suffix - BLOCK, oldText.length - suffix) === newText.slice(newText.length - suffix - BLOCK, newText.length - suffix)) {
      suffix += BLOCK;
    }
    while (suffix < shorter - prefix && oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)) suffix++;
    const oldChangeEnd = oldText.length - suffix;
    const newChangeEnd = newText.length - suffix;
    if (countLineBreaks(oldText, prefix, oldChangeEnd) === countLineBreaks(newText, prefix, newChangeEnd)) return undefined;
    return new LineShift(oldText, newText, prefix, oldChangeEnd, lineStarts(oldText), lineStarts(newText));
  }

  /** The new place of a position that starts something (a statement, a location). */
  start(position: Position): Position | undefined {
    const offset = this.offsetOf(position);
    if (offset < this.changeStart) return position;
    if (offset < this.oldChangeEnd) return undefined;
    return this.moved(offset);
  }

  /** The new place of a position that ends something: an end right before an insertion stays. */
  end(position: Position): Position | undefined {
    const offset = this.offsetOf(position);
    if (offset <= this.changeStart) return position;
    if (offset <= this.oldChangeEnd) return undefined;
    return this.moved(offset);
  }

  private moved(offset: number): Position {
    return positionAt(this.newText, offset + this.newText.length - this.oldText.length, this.newStarts);
  }

  private offsetOf(position: Position): number {
    if (position.line >= this.oldStarts.length) return this.oldText.length;
    return Math.min(this.oldStarts[position.line] + position.character, this.oldText.length);
  }
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * Copies an object graph (settings states, values, definitions, recorded effects) with every
 * location in `file` moved by `shift`. Objects holding no moved location are returned as
 * they are, and an object reached twice is copied once, so identities that matched before
 * still match after.
 */
export class LocationMover {
  private readonly copies = new Map<object, unknown>();

  constructor(
    private readonly file: string,
    /** Undefined when no line moved: locations are then only anchored (see `anchors`). */
    private readonly shift: LineShift | undefined,
    /**
     * With `keepAnchored`, locations that follow an anchor (see RowAnchor) stay as they are;
     * the others are moved, and anchored where `target` says (with the anchor's row in the
     * new text) when it is given.
     */
    private readonly anchors: { keepAnchored?: boolean; target?: (position: Position) => { anchor: RowAnchor; row: number } | undefined } = {},
  ) {}

  move<T>(value: T): T {
    if (value === null || typeof value !== 'object') return value;
    const known = this.copies.get(value);
    if (known !== undefined) return known as T;
    const moved = this.copy(value);
    this.copies.set(value, moved);
    return moved as T;
  }

  /** A copy only where something inside moved; the same object otherwise (no allocation on that path). */
  private copy(value: object): unknown {
    if (Array.isArray(value)) {
      let items: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const moved = this.move(value[i]);
        if (moved !== value[i] && !items) items = value.slice(0, i);
        items?.push(moved);
      }
      return items ?? value;
    }
    if (value instanceof Map) {
      let entries: [unknown, unknown][] | undefined;
      let index = 0;
      for (const [k, v] of value) {
        const moved = this.move(v);
        if (moved !== v && !entries) entries = [...value].slice(0, index);
        entries?.push([k, moved]);
        index++;
      }
      return entries ? new Map(entries) : value;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.file === 'string' && isRange(record.range)) {
      if (record.file !== this.file) return value;
      const anchor = anchorOf(record);
      if (anchor && this.anchors.keepAnchored) return value;
      const start = this.shift ? this.shift.start(record.range.start) : record.range.start;
      const end = this.shift ? this.shift.end(record.range.end) : record.range.end;
      // A location inside the changed span belongs to a statement that runs again; it is never replayed.
      if (!start || !end) return value;
      const unchanged = start === record.range.start && end === record.range.end;
      const to = this.anchors.target?.(start);
      if (to) return unchanged && anchor === to.anchor ? value : anchoredLocation(this.file, { start, end }, to.anchor, to.row);
      if (unchanged) return value;
      return { ...record, range: { start, end } };
    }
    let copy: Record<string, unknown> | undefined;
    for (const key in record) {
      const field = record[key];
      if (field === null || typeof field !== 'object') continue;
      const moved = this.move(field);
      if (moved === field) continue;
      // A spread copy keeps the object's shape, so code reading moved values stays fast.
      copy ??= { ...record };
      copy[key] = moved;
    }
    return copy ?? value;
  }
}

function isRange(value: unknown): value is { start: Position; end: Position } {
  const range = value as { start?: unknown; end?: unknown } | undefined;
  return !!range && typeof range === 'object' && typeof range.start === 'object' && typeof range.end === 'object';
}
