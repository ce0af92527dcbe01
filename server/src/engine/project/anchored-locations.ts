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
 * Where a top-level statement of a module kept in blocks starts: a row within its block,
 * whose own anchor follows the block (see StatementBlock.anchor). Everything the statement
 * recorded follows it: a statement replayed at another row, in its block or another one,
 * is moved by moving its anchor, not by copying what it recorded.
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

  get anchor(): RowAnchor {
    return this.#anchor;
  }

  toJSON(): Location {
    return { file: this.file, range: this.range };
  }
}

/**
 * A location in `file` whose rows follow `anchor`: `range` is where it is while the anchor
 * is at `base` (by default where it is now).
 */
export function anchoredLocation(file: string, range: Range, anchor: RowAnchor, base = anchor.row): Location {
  return new AnchoredLocation(file, range, anchor, base);
}

/** The anchor a location's rows follow, if it has one. */
export function anchorOf(location: object): RowAnchor | undefined {
  return location instanceof AnchoredLocation ? location.anchor : undefined;
}
