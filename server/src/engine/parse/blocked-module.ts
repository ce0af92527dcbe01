import type { Edit, Node, Range as SyntaxRange, Tree } from 'web-tree-sitter';
import { BlocksRoot, type ModuleSyntax, type StatementBlock } from './module-syntax';
import { parsePythonRange } from './python';

/** Where a parse reads the module's current text: from an offset on, as much as it likes. */
export type TextReader = (index: number) => string;

export interface BlockingOptions {
  /** Statements per block when a module is cut into blocks (a merged block is cut again beyond twice this). */
  statementsPerBlock: number;
}

export const DEFAULT_BLOCKING: BlockingOptions = { statementsPerBlock: 32 };

const UNBOUNDED = 0xffffffff;
/** Blocks with errors this close are tried as one (a construct open across the blocks between them): about 400 statements. */
const MAX_BLOCKS_APART = 6;
/** Merges tried on one reparse at most (each is a parse of up to seven blocks). */
const MAX_TRIALS = 4;

interface Block {
  tree: Tree;
  /** Offset (UTF-16 units) and row of the block's first character, always at the start of a line. */
  startIndex: number;
  startRow: number;
  identity: object;
  /** Edited since its last parse. */
  dirty: boolean;
}

/**
 * A large module parsed as consecutive blocks of top-level statements, each a tree of its
 * own over the module's text (tree-sitter's included ranges), so that an edit reparses one
 * block instead of the whole module. tree-sitter's incremental reparse is linear in the
 * number of top-level statements (every one is revisited under the module node): 10–20 ms
 * for 7,500 of them, above a keystroke's budget before any analysis.
 *
 * Blocks start where the whole module's parse has a top-level statement at the start of a
 * line, so an error-free module parses exactly as it would whole. An edit touching a block
 * boundary merges the blocks on both sides, and blocks whose syntax errors a cut made
 * are merged (see repairCuts), so valid text does not keep an error that only the cut
 * made. A genuine syntax error stays in its block, where tree-sitter's recovery cannot
 * take over the statements of the others.
 */
export class BlockedModule {
  private syntaxCache?: ModuleSyntax;

  private constructor(
    private blocks: Block[],
    private readonly read: TextReader,
    private readonly options: BlockingOptions,
  ) {}

  /**
   * Cuts a parse of the whole current text into blocks (the tree stays the caller's), or
   * returns undefined when it has too few top-level statements to be worth it (fewer than
   * four blocks' worth) or no place to cut. A module with a syntax error is cut too (see
   * cutCandidates): a block with an error is a block like any other, its error kept inside
   * it, and an edit elsewhere reparses its own block only.
   */
  static fromTree(tree: Tree, read: TextReader, options: BlockingOptions = DEFAULT_BLOCKING): BlockedModule | undefined {
    if (cutCandidates(tree.rootNode).length < options.statementsPerBlock * 4) return undefined;
    const whole = tree.copy();
    const module = new BlockedModule([], read, options);
    module.blocks = module.cut({ tree: whole, startIndex: 0, startRow: 0, identity: {}, dirty: false }, undefined);
    if (module.blocks.length < 2) {
      module.dispose();
      return undefined;
    }
    return module;
  }

  /** Records one change of the text (offsets and points before and after, as tree-sitter takes them). */
  edit(edit: Edit): void {
    this.syntaxCache = undefined;
    const blocks = this.blocks;
    if (blocks.length === 0) return;
    // Blocks touching the edited span, boundaries included: an edit at the start of a
    // block's first line may change where its first statement starts.
    let first = 0;
    while (first + 1 < blocks.length && blocks[first + 1].startIndex < edit.startIndex) first++;
    let last = first;
    while (last + 1 < blocks.length && blocks[last + 1].startIndex <= edit.oldEndIndex) last++;
    this.merge(first, last);
    const indexDelta = edit.newEndIndex - edit.oldEndIndex;
    const rowDelta = edit.newEndPosition.row - edit.oldEndPosition.row;
    blocks[first].tree.edit(edit);
    blocks[first].dirty = true;
    for (let i = first + 1; i < blocks.length; i++) {
      const block = blocks[i];
      block.tree.edit(edit);
      block.startIndex += indexDelta;
      block.startRow += rowDelta;
    }
  }

  /** The module's syntax at the current text: edited blocks are parsed again first. */
  syntax(): ModuleSyntax {
    if (this.syntaxCache) return this.syntaxCache;
    if (this.blocks.some((block) => block.dirty)) {
      const changed = new Set<Block>();
      for (let i = 0; i < this.blocks.length; i++) {
        if (!this.blocks[i].dirty) continue;
        this.reparse(i);
        changed.add(this.blocks[i]);
      }
      this.repairCuts(changed);
      // A block grown by merges is cut again once it parses cleanly.
      for (let i = 0; i < this.blocks.length; i++) {
        const block = this.blocks[i];
        if (block.tree.rootNode.namedChildCount > this.options.statementsPerBlock * 2 && !block.tree.rootNode.hasError) {
          const parts = this.cut(block, this.blocks[i + 1]);
          this.blocks.splice(i, 1, ...parts);
          i += parts.length - 1;
        }
      }
    }
    const blocks: StatementBlock[] = this.blocks.map((block) => ({ identity: block.identity, startIndex: block.startIndex, startRow: block.startRow, root: block.tree.rootNode }));
    this.syntaxCache = { rootNode: new BlocksRoot(blocks), blocks };
    return this.syntaxCache;
  }

  dispose(): void {
    for (const block of this.blocks) block.tree.delete();
    this.blocks = [];
    this.syntaxCache = undefined;
  }

  /** The text range block `index` covers: up to the next block's start, or to the end. */
  private rangeOf(index: number): SyntaxRange {
    const block = this.blocks[index];
    const next = this.blocks[index + 1];
    return this.range(block, next);
  }

  private range(block: Block, next: Block | undefined): SyntaxRange {
    return {
      startIndex: block.startIndex,
      startPosition: { row: block.startRow, column: 0 },
      endIndex: next ? next.startIndex : UNBOUNDED,
      endPosition: next ? { row: next.startRow, column: 0 } : { row: UNBOUNDED, column: UNBOUNDED },
    };
  }

  private reparse(index: number): void {
    const block = this.blocks[index];
    const tree = parsePythonRange(this.read, this.rangeOf(index), block.tree);
    block.tree.delete();
    block.tree = tree;
    renew(block);
  }

  /** Blocks first..last become one (the first's tree, edited, is the old tree of its next parse). */
  private merge(first: number, last: number): void {
    if (last <= first) return;
    for (const gone of this.blocks.splice(first + 1, last - first)) gone.tree.delete();
    this.blocks[first].dirty = true;
  }

  /**
   * Merges blocks whose syntax errors come from a cut between them rather than from the
   * text: a construct left open at the end of a block (a bracket or string closed in the
   * next, a header whose body follows), a block that starts by continuing the one before it
   * (`else:`), or errors in blocks near each other (a construct open across the blocks
   * between them). A merge is tried on a parse of its own and kept only when the blocks
   * together parse cleanly: a genuine error (a bracket opened and not closed yet) stays in
   * its block, and never makes the parser recover across the rest of the module, which
   * takes it seconds when a bracket opens near the top.
   *
   * Only merges that take in a block parsed again now are tried (the others failed before,
   * on the same text), and at most MAX_TRIALS of them: a module with errors in many blocks
   * does not pay for parses that cannot help on every keystroke.
   */
  private repairCuts(changed: Set<Block>): void {
    let trials = 0;
    for (;;) {
      const failing = this.blocks.flatMap((block, index) => (block.tree.rootNode.hasError ? [index] : []));
      const spans = this.candidateMerges(failing).filter(([first, last]) => this.blocks.slice(first, last + 1).some((block) => changed.has(block)));
      const mended = spans.find(([first, last]) => trials++ < MAX_TRIALS && this.mergeIfClean(first, last));
      if (!mended) return;
      changed.add(this.blocks[mended[0]]);
    }
  }

  /** Spans of blocks whose merge might mend an error, nearest first. */
  private candidateMerges(failing: number[]): [number, number][] {
    const spans: [number, number][] = [];
    for (let i = 0; i + 1 < failing.length; i++) {
      if (failing[i + 1] - failing[i] <= MAX_BLOCKS_APART) spans.push([failing[i], failing[i + 1]]);
    }
    for (const index of failing) {
      const root = this.blocks[index].tree.rootNode;
      if (index + 1 < this.blocks.length && edgeStatement(root, 'last')?.hasError) {
        // Closed in the next block, or a few further on where the closing side shows no error
        // on its own (a string closed inside what reads as a comment there).
        spans.push([index, index + 1]);
        const further = Math.min(index + MAX_BLOCKS_APART, this.blocks.length - 1);
        if (further > index + 1) spans.push([index, further]);
      }
      if (index > 0 && edgeStatement(root, 'first')?.hasError) spans.push([index - 1, index]);
    }
    return spans;
  }

  /** Blocks first..last as one, if they parse as one without an error; else nothing changes. */
  private mergeIfClean(first: number, last: number): boolean {
    const block = this.blocks[first];
    const tree = parsePythonRange(this.read, this.range(block, this.blocks[last + 1]), block.tree);
    if (tree.rootNode.hasError) {
      tree.delete();
      return false;
    }
    for (const gone of this.blocks.splice(first + 1, last - first)) gone.tree.delete();
    block.tree.delete();
    block.tree = tree;
    renew(block);
    return true;
  }

  /**
   * Cuts a parsed block into blocks of about `statementsPerBlock` top-level statements,
   * each cut at the start of a line where a statement (not a comment or an error) starts.
   * The parts are parsed from the block's tree, reusing all of it, which is then freed.
   */
  private cut(block: Block, next: Block | undefined): Block[] {
    const candidates = cutCandidates(block.tree.rootNode);
    const starts: CutCandidate[] = [];
    const size = this.options.statementsPerBlock;
    for (let i = size; i < candidates.length - size / 2; i += size) {
      let j = i;
      while (j < candidates.length && !candidates[j].cuts) j++;
      if (j >= candidates.length - size / 4) break;
      starts.push(candidates[j]);
      i = j;
    }
    if (starts.length === 0) return [block];
    const parts: Block[] = [{ ...block, identity: {}, dirty: false }];
    for (const { startIndex, startRow } of starts) parts.push({ tree: block.tree, startIndex, startRow, identity: {}, dirty: false });
    for (let i = 0; i < parts.length; i++) parts[i].tree = parsePythonRange(this.read, this.range(parts[i], parts[i + 1] ?? next), block.tree);
    block.tree.delete();
    return parts;
  }
}

/** The first or last top-level statement of a block, comments passed over. */
function edgeStatement(root: Node, edge: 'first' | 'last'): Node | null {
  let node = edge === 'first' ? root.firstNamedChild : root.lastNamedChild;
  while (node?.type === 'comment') node = edge === 'first' ? node.nextNamedSibling : node.previousNamedSibling;
  return node;
}

/** Where a block may start, in the order of the text: the start of a line, where `cuts` says a block can start. */
interface CutCandidate {
  startIndex: number;
  startRow: number;
  cuts: boolean;
}

/**
 * The top-level statements of a parse, each a candidate start of a block (see isCutPoint).
 * Where the parser could not read a statement across several lines (a bracket left open
 * near the top of a module takes the rest of it into one error), every line inside it
 * that starts with a name is a candidate too: so a module with a syntax error is cut like
 * any other, and the statements after the error parse on their own, in their blocks.
 */
function cutCandidates(root: Node): CutCandidate[] {
  const candidates: CutCandidate[] = [];
  let previous: Node | undefined;
  for (const node of root.namedChildren) {
    const { row } = node.startPosition;
    candidates.push({ startIndex: node.startIndex, startRow: row, cuts: isCutPoint(node, previous) });
    previous = node;
    if (!node.hasError || node.endPosition.row === row) continue;
    // Line starts inside the statement: its text from the start of its line on.
    const text = node.text;
    let line = row;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code !== 10 && code !== 13) continue;
      if (code === 13 && text.charCodeAt(i + 1) === 10) i++;
      line++;
      if (startsName(text.charCodeAt(i + 1))) candidates.push({ startIndex: node.startIndex + i + 1, startRow: line, cuts: true });
    }
  }
  return candidates;
}

/** A letter or underscore (or any character beyond ASCII, as Python names may hold). */
function startsName(code: number): boolean {
  return code === 95 || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127;
}

/** A top-level statement at the start of its line, whose text no earlier statement reaches into. */
function isCutPoint(node: Node, previous: Node | undefined): boolean {
  if (node.type === 'comment' || node.type === 'ERROR' || node.hasError || node.startPosition.column !== 0) return false;
  return !previous || (previous.type !== 'ERROR' && previous.endPosition.row < node.startPosition.row);
}

/** A block parsed anew: what was recorded of its statements is found by their text now, not by the block. */
function renew(block: Block): void {
  block.identity = {};
  block.dirty = false;
}
