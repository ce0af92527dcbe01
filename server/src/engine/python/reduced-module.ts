import type { Position } from '../types';
import type { ModuleUnit } from './module-units';

/**
 * The module the code rules' memo runs the rules on (see definition-memo.ts): its
 * statements with the definitions not kept left out. The first left-out definition
 * becomes a stub of the same kind and name (the statement after the imports keeps its
 * kind, where an import a fix adds goes); the names of the others are returned, for the
 * tree to declare (see bindsElsewhere), so the module binds the same names at its top level.
 */
export interface ReducedModule {
  text: string;
  /** The rows of the stub: its nodes are not the rules' to read. */
  stubRows: Set<number>;
  /** The left-out definitions' names but the stub's. */
  others: string[];
  /** Where a position of the reduced text is in the module, or undefined where it stands for nothing there; absent when the rows are the module's. */
  toModule?: (position: Position) => Position | undefined;
}

/**
 * The kept statements at their own rows and columns, the left-out ones turned into blank
 * lines: positions are the module's. Each blank line costs the parser about as much as a
 * short statement (it tracks indentation line by line).
 */
export function keptInPlace(text: string, units: readonly ModuleUnit[], kept: (index: number) => boolean, nameOf: (index: number) => string | undefined): ReducedModule {
  const parts: string[] = [];
  const stubRows = new Set<number>();
  const left = [...units.keys()].filter((index) => !kept(index));
  const others = left
    .slice(1)
    .map(nameOf)
    .filter((name): name is string => !!name);
  let at = 0;
  for (const [position, index] of left.entries()) {
    const unit = units[index];
    parts.push(text.slice(at, unit.startIndex));
    let stub = '';
    if (position === 0) {
      stub = stubOf(unit, nameOf(index));
      stubRows.add(unit.startRow);
    }
    parts.push(stub + '\n'.repeat(unit.endRow - unit.startRow));
    at = unit.endIndex;
  }
  parts.push(text.slice(at));
  return { text: parts.join(''), stubRows, others };
}

interface Piece {
  /** Its first row in the reduced text, and in the module. */
  row: number;
  moduleRow: number;
  /** Rows after its first. */
  rows: number;
  stub: boolean;
}

/**
 * The kept statements one after the other, the stub where the first left-out definition
 * was: a keystroke in a large module parses the few statements it analyses, not a line
 * per statement left out. Positions are mapped back through the statements, each at
 * column 0 in both; undefined when a kept statement does not start a line (`a = 1; b = 2`).
 */
export function keptTogether(units: readonly ModuleUnit[], kept: (index: number) => boolean, nameOf: (index: number) => string | undefined): ReducedModule | undefined {
  const parts: string[] = [];
  const pieces: Piece[] = [];
  const stubRows = new Set<number>();
  const others: string[] = [];
  let row = 0;
  let stubbed = false;
  for (let index = 0; index < units.length; index++) {
    const unit = units[index];
    if (kept(index)) {
      if (unit.startColumn !== 0) return undefined;
      const rows = unit.endRow - unit.startRow;
      pieces.push({ row, moduleRow: unit.startRow, rows, stub: false });
      parts.push(unit.text, '\n');
      row += rows + 1;
    } else if (!stubbed) {
      stubbed = true;
      pieces.push({ row, moduleRow: unit.startRow, rows: 0, stub: true });
      stubRows.add(row);
      parts.push(stubOf(unit, nameOf(index)), '\n');
      row += 1;
    } else {
      const name = nameOf(index);
      if (name) others.push(name);
    }
  }
  const toModule = (position: Position): Position | undefined => {
    const piece = pieces[lastPieceAt(pieces, position.line)];
    if (!piece) return undefined;
    const offset = position.line - piece.row;
    // Of a stub, only its start stands for something: the start of the definition it stands for.
    if (piece.stub) return offset === 0 && position.character === 0 ? { line: piece.moduleRow, character: 0 } : undefined;
    return offset <= piece.rows ? { line: piece.moduleRow + offset, character: position.character } : undefined;
  };
  return { text: parts.join(''), stubRows, others, toModule };
}

/** The index of the last piece starting at or before `row`, or -1. */
function lastPieceAt(pieces: readonly Piece[], row: number): number {
  let low = 0;
  let high = pieces.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (pieces[middle].row <= row) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

function stubOf(unit: ModuleUnit, name: string | undefined): string {
  return /^(?:@[^\n]*\n\s*)*class\b/.test(unit.text) ? `class ${name ?? '_'}: pass` : `def ${name ?? '_'}(): pass`;
}
