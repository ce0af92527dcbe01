import type { Location, Range } from '../types';

/**
 * The row where a block of a module's statements starts now. Locations recorded in the
 * block read their rows through it, so when lines are added or removed above the block
 * only the anchor moves: the recorded settings, values and their locations stay the same
 * objects (and a replay that compares them by identity still holds).
 */
export interface RowAnchor {
  row: number;
}

const anchors = new WeakMap<Location, RowAnchor>();

/**
 * A location in `file` whose rows follow `anchor`: `range` is where it is while the anchor
 * is at `base` (by default where it is now). It reads like any other location: its `range`
 * is an enumerable property, the same object until the anchor moves.
 */
export function anchoredLocation(file: string, range: Range, anchor: RowAnchor, base = anchor.row): Location {
  let row = base;
  let current = range;
  const location = { file } as Location;
  Object.defineProperty(location, 'range', {
    enumerable: true,
    get(): Range {
      if (anchor.row !== row) {
        const delta = anchor.row - base;
        row = anchor.row;
        current = {
          start: { line: range.start.line + delta, character: range.start.character },
          end: { line: range.end.line + delta, character: range.end.character },
        };
      }
      return current;
    },
  });
  anchors.set(location, anchor);
  return location;
}

/** The anchor a location's rows follow, if it has one. */
export function anchorOf(location: object): RowAnchor | undefined {
  return anchors.get(location as Location);
}
