import type { Location, Range } from '../types';

/**
 * A row that locations read theirs through, so that when lines are added or removed above
 * what they point into, only the anchor moves: the recorded settings, values and their
 * locations stay the same objects (and a replay that compares them by identity still holds).
 */
export interface RowAnchor {
  readonly row: number;
}

/**
 * Where a top-level statement starts: a row counted from its block's anchor (see
 * StatementBlock.anchor), or from the first row of a module read whole. Everything the
 * statement recorded follows it: a statement replayed at another row, in its block or
 * another one, is moved by moving its anchor, not by copying what it recorded.
 */
export class StatementAnchor implements RowAnchor {
  #block: RowAnchor;
  #offset: number;

  constructor(block: RowAnchor, row: number) {
    this.#block = block;
    this.#offset = row - block.row;
  }

  get row(): number {
    return this.#block.row + this.#offset;
  }

  /** The statement starts at `row` now, in the block whose anchor is `block` (at that block's current row). */
  moveTo(block: RowAnchor, row: number): void {
    this.#block = block;
    this.#offset = row - block.row;
  }
}

/**
 * A location whose rows follow an anchor. It reads like any other location (`file`,
 * `range`, and as JSON `{ file, range }`); `range` is the same object until the anchor
 * moves. A class with private fields: settings modules create thousands of these.
 */
class AnchoredLocation implements Location {
  #at: Range;
  #row: number;
  readonly #base: Range;
  readonly #baseRow: number;
  readonly #anchor: RowAnchor;

  constructor(
    readonly file: string,
    range: Range,
    anchor: RowAnchor,
    baseRow: number,
  ) {
    this.#at = this.#base = range;
    this.#row = this.#baseRow = baseRow;
    this.#anchor = anchor;
  }

  get range(): Range {
    const row = this.#anchor.row;
    if (row !== this.#row) {
      const delta = row - this.#baseRow;
      const base = this.#base;
      this.#row = row;
      this.#at = {
        start: { line: base.start.line + delta, character: base.start.character },
        end: { line: base.end.line + delta, character: base.end.character },
      };
    }
    return this.#at;
  }

  toJSON(): Location {
    return { file: this.file, range: this.range };
  }
}

/** A location in `file` whose rows follow `anchor` from where it is now. */
export function anchoredLocation(file: string, range: Range, anchor: RowAnchor): Location {
  return new AnchoredLocation(file, range, anchor, anchor.row);
}
