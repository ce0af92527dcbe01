import type { StatementBlock } from '../parse/module-syntax';
import type { Node } from '../parse/python';

/**
 * A module's top-level statements as the code rules' memo sees them (see definition-memo.ts):
 * each definition (function, class, decorated definition) is a unit whose findings can be
 * kept while its text and what it depends on stay the same; every other statement belongs
 * to the module's context, which every definition depends on.
 */
export interface ModuleUnit {
  node: Node;
  text: string;
  /** A function, class or decorated definition; false for the statements of the module's context. */
  definition: boolean;
  startIndex: number;
  endIndex: number;
  startRow: number;
  startColumn: number;
  endRow: number;
  endColumn: number;
}

const DEFINITIONS = new Set(['function_definition', 'class_definition', 'decorated_definition']);

/** What moduleUnits reads of a top-level node beyond where it starts: each costs a call into WebAssembly. */
interface NodeShape {
  type: string;
  length: number;
  rows: number;
  endColumn: number;
}

/**
 * The shapes of the top-level nodes of the blocks of a module kept in blocks (see
 * BlockedModule), by block identity: a block whose parse is unchanged has the same nodes,
 * moved as a whole by edits above it, so only where each starts is read again (a node
 * gives that without a call into WebAssembly).
 */
export class BlockShapes {
  private shapes = new WeakMap<object, NodeShape[]>();

  of(block: StatementBlock, nodes: readonly (Node | null)[]): NodeShape[] {
    let shapes = this.shapes.get(block.identity);
    if (!shapes || shapes.length !== nodes.length) {
      shapes = nodes.map((node) => (node ? shapeOf(node) : { type: '', length: 0, rows: 0, endColumn: 0 }));
      this.shapes.set(block.identity, shapes);
    }
    return shapes;
  }
}

function shapeOf(node: Node): NodeShape {
  const end = node.endPosition;
  return { type: node.type, length: node.endIndex - node.startIndex, rows: end.row - node.startPosition.row, endColumn: end.column };
}

/**
 * The module's top-level statements in document order with their text in `text`; the
 * top-level comments' texts go to `comments`. Given the module's blocks and the shapes
 * kept of them, only the blocks parsed anew are read node by node.
 */
export function moduleUnits(root: Pick<Node, 'namedChildren'>, text: string, comments?: string[], blocks?: { blocks: readonly StatementBlock[]; shapes: BlockShapes }): ModuleUnit[] {
  const units: ModuleUnit[] = [];
  const add = (node: Node, shape: NodeShape) => {
    if (shape.type === 'comment') {
      comments?.push(text.slice(node.startIndex, node.startIndex + shape.length));
      return;
    }
    const { startPosition: start, startIndex } = node;
    const endIndex = startIndex + shape.length;
    // The module's text at the node's offsets: the parser reads the same offsets (a lone
    // `\r` is read as `\n`, one character for one), and a slice costs less than asking the tree.
    units.push({
      node,
      text: text.slice(startIndex, endIndex),
      definition: DEFINITIONS.has(shape.type),
      startIndex,
      endIndex,
      startRow: start.row,
      startColumn: start.column,
      endRow: start.row + shape.rows,
      endColumn: shape.endColumn,
    });
  };
  if (blocks) {
    for (const block of blocks.blocks) {
      const nodes = block.root.namedChildren;
      const shapes = blocks.shapes.of(block, nodes);
      for (let i = 0; i < nodes.length; i++) if (nodes[i]) add(nodes[i]!, shapes[i]);
    }
    return units;
  }
  for (const node of root.namedChildren) if (node) add(node, shapeOf(node));
  return units;
}

const IDENTIFIER = /[\p{L}_][\p{L}\p{N}_]*/gu;
const DEFINED_NAME = /\b(?:def|class)\s+([\p{L}_][\p{L}\p{N}_]*)/gu;
const GLOBAL_NAMES = /\bglobal\s+([^\n;#]+)/gu;
/** A line assigning names (`x = …`, `a, b = …`, `x: int = …`), a class attribute when it is in a class body. */
const ASSIGNED_NAMES = /^[ \t]*((?:[\p{L}_][\p{L}\p{N}_]*[ \t]*,[ \t]*)*[\p{L}_][\p{L}\p{N}_]*)[ \t]*(?::[^=\n]*)?=(?!=)/gmu;
const SELF_ATTRIBUTE = /\bself\.([\p{L}_][\p{L}\p{N}_]*)\s*(?::[^=\n]*)?=(?!=)/gu;

/** What a definition mentions (every identifier-like word of its text, strings and comments included: more is safe) and what it makes visible outside itself. */
export interface Names {
  mentioned: Set<string>;
  defined: Set<string>;
  /** A definition's own name. */
  own?: string;
}

/** Names per definition text, kept across analyses of one module (see DefinitionGraph). */
export class NamesCache {
  private current = new Map<string, Names>();
  private next = new Map<string, Names>();

  of(unit: ModuleUnit): Names {
    let names = this.next.get(unit.text) ?? this.current.get(unit.text);
    if (!names) names = namesOf(unit);
    this.next.set(unit.text, names);
    return names;
  }

  /** Keeps the names of the texts asked for since the last call only: the cache follows the module. */
  settle(): void {
    this.current = this.next;
    this.next = new Map();
  }
}

/**
 * The names a definition binds for the rest of the module: its own name and `global`s for a
 * function (its locals are its own); for a class also every name assigned, defined or
 * imported in it and every `self.x` it sets (its attributes and methods, which code
 * elsewhere reaches through an instance). An over-approximation only merges more
 * definitions into one group, which costs time, never a wrong finding.
 */
function namesOf(unit: ModuleUnit): Names {
  const text = unit.text;
  const mentioned = new Set(text.match(IDENTIFIER) ?? []);
  const defined = new Set<string>();
  const own = unit.definition ? definitionNode(unit.node)?.childForFieldName('name')?.text : undefined;
  if (own) defined.add(own);
  for (const match of text.matchAll(GLOBAL_NAMES)) for (const name of match[1].match(IDENTIFIER) ?? []) defined.add(name);
  if (definitionNode(unit.node)?.type === 'class_definition') {
    for (const match of text.matchAll(DEFINED_NAME)) defined.add(match[1]);
    for (const match of text.matchAll(ASSIGNED_NAMES)) for (const name of match[1].match(IDENTIFIER) ?? []) defined.add(name);
    for (const match of text.matchAll(SELF_ATTRIBUTE)) defined.add(match[1]);
    for (const name of importedInText(text)) defined.add(name);
  }
  return { mentioned, defined, own };
}

const FROM_IMPORT = /^[ \t]*from[ \t]+\S+[ \t]+import[ \t]+(\([^)]*\)|[^#\n]*)/gmu;
const PLAIN_IMPORT = /^[ \t]*import[ \t]+([^#\n]*)/gmu;

/** Names the import statements of a text bind (`from m import a as b, c` → b, c; `import a.b` → a), read line by line. */
function importedInText(text: string): string[] {
  const names: string[] = [];
  for (const [, list] of text.matchAll(FROM_IMPORT))
    for (const part of list
      .replace(/#[^\n]*/g, '')
      .replace(/[()]/g, '')
      .split(','))
      names.push(...boundName(part, false));
  for (const [, list] of text.matchAll(PLAIN_IMPORT)) for (const part of list.split(',')) names.push(...boundName(part, true));
  return names;
}

function boundName(part: string, dotted: boolean): string[] {
  const words = part.trim().split(/\s+as\s+/u);
  const name = words.length > 1 ? words[1] : dotted ? words[0].split('.')[0] : words[0];
  return (name.match(IDENTIFIER) ?? []).slice(0, 1);
}

function definitionNode(node: Node): Node | null {
  return node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
}

/**
 * The definitions a definition's findings may depend on: those connected to it by names,
 * in either direction (it calls a helper, a caller passes it a cursor, a model class
 * declares the manager it uses), transitively. `names[i]` are the names of `units[i]`.
 * Returns each statement's group (the index of its first member), -1 outside definitions:
 * a union-find over the names the definitions bind.
 */
export function definitionGroups(units: readonly ModuleUnit[], names: readonly Names[]): Int32Array {
  const parent = new Int32Array(units.length);
  for (let i = 0; i < units.length; i++) parent[i] = units[i].definition ? i : -1;
  const find = (index: number): number => {
    let root = index;
    while (parent[root] !== root) root = parent[root];
    // Path compression keeps later finds short.
    for (let at = index; at !== root;) {
      const up = parent[at];
      parent[at] = root;
      at = up;
    }
    return root;
  };
  const binders = new Map<string, number[]>();
  for (let index = 0; index < units.length; index++) {
    if (!units[index].definition) continue;
    for (const name of names[index].defined) {
      const list = binders.get(name);
      if (list) list.push(index);
      else binders.set(name, [index]);
    }
  }
  for (let index = 0; index < units.length; index++) {
    if (!units[index].definition) continue;
    for (const name of names[index].mentioned) {
      const list = binders.get(name);
      if (!list) continue;
      for (const binder of list) {
        const a = find(index);
        const b = find(binder);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  for (let index = 0; index < units.length; index++) if (parent[index] >= 0) parent[index] = find(index);
  return parent;
}
