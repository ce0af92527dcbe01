import { Edit, type Point, type Tree } from 'web-tree-sitter';
import { BlockedModule, type TextReader } from './blocked-module';
import type { ModuleSyntax, StatementBlock } from './module-syntax';
import { parsePython } from './python';
import { syntaxChangeSpan } from './syntax-edit';

/**
 * From this many lines on, a module the settings analysis reads is kept in blocks while it
 * is edited (BlockedModule also wants four blocks' worth of statements). Blocks pay off
 * early: a 1,400-line module read whole took 9 ms a keystroke, in blocks 3 ms.
 */
export const BLOCKING_MIN_LINES = 200;

/** What decides whether a module is kept in blocks. */
export interface BlockingFacts {
  /** Whether the text is kept and edited (an open document), or read once (the command line, a file on disk). */
  edited: boolean;
  /** Whether an analysis that keeps its work per block reads the module's syntax (the settings evaluation, the code rules' definition memo). */
  readBySettings: boolean;
  /** Whether the text is analysed at all (not too large, not binary). */
  analysable: boolean;
  lines: number;
  /** The line count at which blocks were last found not worth it (too few statements to cut). */
  notWorthItAtLines?: number;
}

/** `whole`: read the whole tree; `blocks`: cut it (a syntax error stays inside its block, see BlockedModule.fromTree). */
export type BlockingDecision = 'whole' | 'blocks';

/**
 * When a module is kept in blocks, for every way the engine is used: blocks make the next
 * keystroke cheap, so a text read once is read whole. One function, so the command line and
 * the language server cannot disagree on what is read how.
 */
export function blockingDecision(facts: BlockingFacts): BlockingDecision {
  return facts.edited && facts.readBySettings && facts.analysable && largeEnough(facts.lines, facts.notWorthItAtLines) ? 'blocks' : 'whole';
}

function largeEnough(lines: number, notWorthItAtLines: number | undefined): boolean {
  return lines >= BLOCKING_MIN_LINES && (notWorthItAtLines === undefined || lines > notWorthItAtLines * 1.5);
}

/** What a live module reads of the document that holds its text. */
export interface LiveText {
  readonly text: string;
  readonly version: number;
  readonly lineCount: number;
  /** Why the text is not analysed (too large, binary), or undefined. */
  readonly problem: string | undefined;
  /** tree-sitter's row and column of an offset of the current text. */
  pointAt(offset: number): Point;
}

/**
 * The syntax of a module being edited: its tree, parsed on demand once per version with
 * every change recorded on the previous tree (`tree.edit()`, in order), so the next parse
 * reuses what the changes did not touch; or, for a large module the settings analysis
 * reads, its blocks (see BlockedModule and blockingDecision), cut once its first analysis
 * is done so that a keystroke reparses one block.
 */
export class LiveModule {
  private tree?: Tree;
  private parsedVersion?: number;
  private blocked?: BlockedModule;
  /** An analysis that keeps its work per block (settings evaluation, the code rules' memo) reads this module's syntax. */
  private readBySettings = false;
  private notWorthItAtLines?: number;

  constructor(
    private readonly document: LiveText,
    private readonly read: TextReader,
  ) {}

  /**
   * Records one change: `start`–`end` of the current text becomes `insertedLength`
   * characters, which `apply` writes into the document.
   */
  change(start: number, end: number, insertedLength: number, apply: () => void): void {
    const span = this.tree || this.blocked ? syntaxChangeSpan(this.document.text, start, end, insertedLength) : undefined;
    const startPosition = span && this.document.pointAt(span.start);
    const oldEndPosition = span && this.document.pointAt(span.oldEnd);
    apply();
    if (span && startPosition && oldEndPosition) {
      // Recorded once the document holds the new text, where the span's new end is placed.
      const edit = new Edit({ startIndex: span.start, oldEndIndex: span.oldEnd, newEndIndex: span.newEnd, startPosition, oldEndPosition, newEndPosition: this.document.pointAt(span.newEnd) });
      this.tree?.edit(edit);
      this.blocked?.edit(edit);
    }
  }

  /** The whole text was replaced: nothing parsed before is of use. */
  replaced(): void {
    this.dispose();
  }

  /** The syntax tree of the current version, parsing (incrementally) when the version moved. */
  syntaxTree(): Tree {
    if (this.tree && this.parsedVersion === this.document.version) return this.tree;
    const previous = this.tree;
    const next = parsePython(this.document.text, previous);
    // Freeing a large tree takes milliseconds: do it after the analysis that asked for this one.
    if (previous) setImmediate(() => previous.delete());
    this.tree = next;
    this.parsedVersion = this.document.version;
    return next;
  }

  /** The module's syntax for the analyses that keep their work per block: its blocks when it is kept in blocks, else the tree. */
  moduleSyntax(): ModuleSyntax {
    if (this.blocked) return this.blocked.syntax();
    this.readBySettings = true;
    return this.syntaxTree();
  }

  /** The blocks when the module is kept in blocks (an edited block is parsed again first), else undefined: nothing is parsed whole. */
  keptBlocks(): readonly StatementBlock[] | undefined {
    return this.blocked?.syntax().blocks;
  }

  /** The blocks when the module is kept in blocks already, else the tree: for reading, not worth parsing twice. */
  currentSyntax(): ModuleSyntax {
    return this.blocked ? this.blocked.syntax() : this.syntaxTree();
  }

  /**
   * Cuts the module into blocks when blockingDecision says so; true when it did (analyse it
   * again, so the next keystroke finds its statements recorded by block). Meant for idle
   * time: the cut costs half a whole parse, kept out of the time to the first diagnostics.
   */
  prepareBlocks(): boolean {
    if (this.blocked || this.decision() !== 'blocks') return false;
    this.blocked = BlockedModule.fromTree(this.syntaxTree(), this.read);
    if (!this.blocked) {
      this.notWorthItAtLines = this.document.lineCount;
      return false;
    }
    // The settings analysis reads the blocks from now on, code actions too.
    this.dropTree();
    return true;
  }

  dispose(): void {
    this.dropTree();
    this.blocked?.dispose();
    this.blocked = undefined;
  }

  private decision(): BlockingDecision {
    return blockingDecision({
      edited: true,
      readBySettings: this.readBySettings,
      analysable: this.document.problem === undefined,
      lines: this.document.lineCount,
      notWorthItAtLines: this.notWorthItAtLines,
    });
  }

  private dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.parsedVersion = undefined;
  }
}
