import type { Node, Point, Tree } from 'web-tree-sitter';

/**
 * What the settings analysis reads of a module's root: a whole tree's root node is one, and
 * so is the root of a module parsed in blocks (see BlockedModule), which answers from the
 * blocks' own roots.
 */
export type ModuleRoot = Pick<Node, 'type' | 'hasError' | 'endPosition' | 'namedChildren' | 'descendantsOfType' | 'descendantForPosition'>;

/** A Python module's syntax as the settings analysis reads it. */
export interface ModuleSyntax {
  readonly rootNode: ModuleRoot;
  /**
   * The top-level statements in consecutive blocks, each parsed on its own; undefined when
   * the module is one tree.
   */
  readonly blocks?: readonly StatementBlock[];
}

/** Consecutive top-level statements parsed on their own: the block's root is a `module` node holding only them. */
export interface StatementBlock {
  /**
   * The same object for as long as the block's parse is unchanged (a block moved by lines
   * added or removed above it keeps it): what was computed from its statements holds as
   * long as it does, at `startRow`.
   */
  readonly identity: object;
  /** The offset (UTF-16 units) of the block's first character, at the start of a line; the next block starts where it ends. */
  readonly startIndex: number;
  /** The row of the block's first line. */
  readonly startRow: number;
  readonly root: Node;
}

/** A whole tree is a module syntax too; this says so where a Tree is at hand. */
export function wholeSyntax(tree: Tree): ModuleSyntax {
  return tree;
}

/** The whole tree a module syntax is, or undefined for a module parsed in blocks. */
export function wholeTreeOf(syntax: ModuleSyntax): Tree | undefined {
  return syntax.blocks ? undefined : (syntax as Tree);
}

/** The root of a module parsed in blocks: children, searches and error flags are the blocks' together. */
export class BlocksRoot implements ModuleRoot {
  readonly type = 'module';

  constructor(private readonly blocks: readonly StatementBlock[]) {}

  get hasError(): boolean {
    return this.blocks.some((block) => block.root.hasError);
  }

  get endPosition(): Point {
    return this.blocks[this.blocks.length - 1].root.endPosition;
  }

  get namedChildren(): Node[] {
    return this.blocks.flatMap((block) => block.root.namedChildren);
  }

  descendantsOfType(types: string | string[], startPosition?: Point, endPosition?: Point): Node[] {
    const found: Node[] = [];
    for (const [index, block] of this.blocks.entries()) {
      if (endPosition && block.startRow > endPosition.row) break;
      const nextRow = this.blocks[index + 1]?.startRow;
      if (startPosition && nextRow !== undefined && nextRow < startPosition.row) continue;
      found.push(...block.root.descendantsOfType(types, startPosition, endPosition));
    }
    return found;
  }

  /**
   * The smallest node spanning the range, searched in the block where the range starts; a
   * range that runs past that block gets the block's root, a `module` node like the whole
   * tree's.
   */
  descendantForPosition(start: Point, end: Point = start): Node | null {
    const index = this.blockAt(start.row);
    const block = this.blocks[index];
    const nextRow = this.blocks[index + 1]?.startRow;
    if (nextRow !== undefined && end.row >= nextRow) return block.root;
    return block.root.descendantForPosition(start, end);
  }

  private blockAt(row: number): number {
    let low = 0;
    let high = this.blocks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.blocks[middle].startRow <= row) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}
