import type { Location, Range } from '../types';

/**
 * The first row of a unit of evaluation (see BlockMemo): what the unit records locates
 * itself from it, so that when lines are added or removed above the unit only the anchor
 * moves, and the recorded settings, values and locations stay the same objects (a replay
 * that compares them by identity still holds).
 */
export interface RowAnchor {
  row: number;
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
  ) {
    this.#at = this.#base = range;
    this.#row = this.#baseRow = anchor.row;
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
  return new AnchoredLocation(file, range, anchor);
}
