import type { StatementBlock } from '../parse/module-syntax';
import type { Node } from '../parse/python';

/**
 * A module's top-level statements as the code rules' memo sees them (see definition-memo.ts):
 * each definition (function, class, decorated definition) is a unit whose findings can be
 * kept while its text and what it depends on stay the same; every other statement belongs
 * to the module's context, which every definition depends on.
 */
export interface ModuleUnit {
  /** The statement's node (read on demand for a statement of a block kept from an earlier analysis). */
  readonly node: Node;
  text: string;
  /** A function, class or decorated definition; false for the statements of the module's context. */
  definition: boolean;
  /** Its text has the word `import` (a definition without it imports nothing). */
  mentionsImport: boolean;
  startIndex: number;
  endIndex: number;
  startRow: number;
  startColumn: number;
  endRow: number;
  endColumn: number;
}

const DEFINITIONS = new Set(['function_definition', 'class_definition', 'decorated_definition']);
const IMPORT_WORD = /\bimport\b/;

/**
 * A top-level statement of a block as read once per parse of the block: its text, its kind,
 * and where it lies relative to the block's start (a block starts at the start of a line,
 * so its columns are the module's).
 */
interface BlockPart {
  /** Its index among the block root's named children. */
  child: number;
  text: string;
  definition: boolean;
  mentionsImport: boolean;
  offset: number;
  row: number;
  column: number;
  rows: number;
  endColumn: number;
}

interface BlockReading {
  parts: BlockPart[];
  comments: string[];
}

/**
 * The top-level statements of the blocks of a module kept in blocks (see BlockedModule), by
 * block identity. A block whose parse is unchanged has the same statements with the same
 * text, moved as a whole by edits above it: they are read from the tree and the text once,
 * and given again at the block's new place without a call into WebAssembly; the text is
 * the same string each time, so maps keyed by it do not hash it again.
 */
export class BlockUnits {
  private readings = new WeakMap<object, BlockReading>();

  of(block: StatementBlock, text: string): BlockReading {
    let reading = this.readings.get(block.identity);
    if (!reading) {
      reading = readBlock(block, text);
      this.readings.set(block.identity, reading);
    }
    return reading;
  }
}

function readBlock(block: StatementBlock, text: string): BlockReading {
  return readStatements(block.root.namedChildren, text, block.startIndex, block.startRow);
}

/** Top-level nodes read once: each statement's text, kind and place relative to `baseIndex` and `baseRow` (the start of a line). */
function readStatements(nodes: readonly (Node | null)[], text: string, baseIndex: number, baseRow: number): BlockReading {
  const parts: BlockPart[] = [];
  const comments: string[] = [];
  for (let child = 0; child < nodes.length; child++) {
    const node = nodes[child];
    if (!node) continue;
    const { startIndex, startPosition: start, endPosition: end } = node;
    // The module's text at the node's offsets: the parser reads the same offsets (a lone
    // `\r` is read as `\n`, one character for one), and a slice costs less than asking the tree.
    const own = text.slice(startIndex, node.endIndex);
    const type = node.type;
    if (type === 'comment') {
      comments.push(own);
      continue;
    }
    parts.push({
      child,
      text: own,
      definition: DEFINITIONS.has(type),
      mentionsImport: IMPORT_WORD.test(own),
      offset: startIndex - baseIndex,
      row: start.row - baseRow,
      column: start.column,
      rows: end.row - start.row,
      endColumn: end.column,
    });
  }
  return { parts, comments };
}

/** A statement of a block read at an earlier analysis, at the block's current place; its node is asked of the block when needed. */
class KeptUnit implements ModuleUnit {
  readonly text: string;
  readonly definition: boolean;
  readonly mentionsImport: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startRow: number;
  readonly startColumn: number;
  readonly endRow: number;
  readonly endColumn: number;
  private read?: Node;

  constructor(
    private readonly block: StatementBlock,
    private readonly part: BlockPart,
  ) {
    this.text = part.text;
    this.definition = part.definition;
    this.mentionsImport = part.mentionsImport;
    this.startIndex = block.startIndex + part.offset;
    this.endIndex = this.startIndex + part.text.length;
    this.startRow = block.startRow + part.row;
    this.startColumn = part.column;
    this.endRow = this.startRow + part.rows;
    this.endColumn = part.endColumn;
  }

  get node(): Node {
    this.read ??= this.block.root.namedChild(this.part.child)!;
    return this.read;
  }
}

/**
 * The module's top-level statements in document order with their text in `text`; the
 * top-level comments' texts go to `comments`. Given the module's blocks and what was read
 * of them, only the blocks parsed anew are read node by node.
 */
export function moduleUnits(root: Pick<Node, 'namedChildren'>, text: string, comments?: string[], blocks?: { blocks: readonly StatementBlock[]; units: BlockUnits }): ModuleUnit[] {
  const units: ModuleUnit[] = [];
  if (blocks) {
    for (const block of blocks.blocks) {
      const reading = blocks.units.of(block, text);
      for (const part of reading.parts) units.push(new KeptUnit(block, part));
      comments?.push(...reading.comments);
    }
    return units;
  }
  const nodes = root.namedChildren;
  const reading = readStatements(nodes, text, 0, 0);
  comments?.push(...reading.comments);
  for (const part of reading.parts) {
    units.push({
      node: nodes[part.child]!,
      text: part.text,
      definition: part.definition,
      mentionsImport: part.mentionsImport,
      startIndex: part.offset,
      endIndex: part.offset + part.text.length,
      startRow: part.row,
      startColumn: part.column,
      endRow: part.row + part.rows,
      endColumn: part.endColumn,
    });
  }
  return units;
}

/**
 * Values computed from a statement's text, kept across analyses of one module for the texts
 * asked for since the last `settle`: the cache follows the module as it is edited.
 */
export class ByStatementText<T> {
  private current = new Map<string, T>();
  private next = new Map<string, T>();

  of(text: string, compute: () => T): T {
    let value = this.next.get(text);
    if (value === undefined) {
      value = this.current.get(text) ?? compute();
      this.next.set(text, value);
    }
    return value;
  }

  /** Keeps the values of the texts asked for since the last call only. */
  settle(): void {
    this.current = this.next;
    this.next = new Map();
  }
}
