import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { Edit, type Point, type Tree } from 'web-tree-sitter';
import { BlockedModule } from '../engine/parse/blocked-module';
import type { ModuleSyntax } from '../engine/parse/module-syntax';
import { parsePython } from '../engine/parse/python';
import { MAX_SOURCE_BYTES } from '../engine/parse/source';
import type { SourceFile } from '../engine/project/source-store';
import { lineStarts, positionAt } from '../engine/text';

/**
 * From this many lines on, a settings module is parsed in blocks (see BlockedModule; it
 * also needs four blocks' worth of statements). Blocks pay off early: a 1,400-line module
 * read whole took 9 ms a keystroke, in blocks 3 ms.
 */
const BLOCKED_MIN_LINES = 200;
/** How much text one read of the parser takes. */
const READ_SIZE = 65536;

/**
 * A document the editor has open: its text, kept in step with incremental changes, and
 * its syntax tree, parsed on demand once per version. Each change is recorded on the
 * previous tree with `tree.edit()`, in order, so the next parse reuses everything the
 * changes did not touch. A large module read by the settings analysis is kept in blocks
 * instead once its first diagnostics are out (see prepareBlocks), so a keystroke reparses
 * one block of it.
 */
export class OpenDocument {
  private document: TextDocument;
  private tree?: Tree;
  private parsedVersion?: number;
  private cachedSource?: SourceFile;
  private blocked?: BlockedModule;
  /** The settings analysis reads this large module (see prepareBlocks). */
  private blocksWanted = false;
  /** The line count at which blocks were last found not worth it. */
  private unblockedAtLines?: number;
  /** The parser's view of the current text (blocks are parsed from it, and their nodes read their text through it). */
  private readonly read = (index: number): string => this.document.getText().slice(index, index + READ_SIZE);

  constructor(
    readonly uri: string,
    /** The file behind a `file:` URI; undefined for untitled and virtual documents. */
    readonly file: string | undefined,
    readonly languageId: string,
    version: number,
    text: string,
  ) {
    this.document = TextDocument.create(uri, languageId, version, text);
  }

  get version(): number {
    return this.document.version;
  }

  get text(): string {
    return this.document.getText();
  }

  get isPython(): boolean {
    return this.languageId === 'python' || /\.pyi?$/.test(this.file ?? '');
  }

  /** Why the document is not analysed (too large, binary), or undefined when it is. */
  get problem(): string | undefined {
    const text = this.document.getText();
    if (text.length > MAX_SOURCE_BYTES) return `the document is too large to analyse (${(text.length / 1024 / 1024).toFixed(1)} M characters)`;
    if (text.slice(0, 8192).includes('\0')) return 'the document looks binary (it contains NUL characters)';
    return undefined;
  }

  /** Applies the changes of one `didChange`, in order, each relative to the text the previous left. */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    this.cachedSource = undefined;
    for (const change of changes) {
      if (!('range' in change)) {
        this.dropTree();
        this.dropBlocks();
        this.document = TextDocument.create(this.uri, this.languageId, version, change.text);
        continue;
      }
      let start = this.document.offsetAt(change.range.start);
      let end = this.document.offsetAt(change.range.end);
      if (end < start) [start, end] = [end, start];
      if (this.tree || this.blocked) this.recordEdit(start, end, change.text);
      const range = { start: this.document.positionAt(start), end: this.document.positionAt(end) };
      TextDocument.update(this.document, [{ range, text: change.text }], version);
    }
    // A change list may be empty; the version still moves.
    if (this.document.version !== version) TextDocument.update(this.document, [], version);
  }

  /** The syntax tree of the current version, parsing (incrementally) when the version moved. */
  syntaxTree(): Tree {
    if (this.tree && this.parsedVersion === this.version) return this.tree;
    const previous = this.tree;
    const next = parsePython(this.text, previous);
    // Freeing a large tree takes milliseconds: do it after the analysis that asked for this one.
    if (previous) setImmediate(() => previous.delete());
    this.tree = next;
    this.parsedVersion = this.version;
    return next;
  }

  /** The module's syntax for the settings analysis: in blocks when it is large, else the tree. */
  moduleSyntax(): ModuleSyntax {
    if (this.blocked) return this.blocked.syntax();
    if (this.largeEnoughForBlocks()) this.blocksWanted = true;
    return this.syntaxTree();
  }

  /**
   * Cuts the module into blocks when the settings analysis has read it and it is large;
   * true when it did (analyse it again, so the next keystroke finds its statements recorded
   * by block). Meant for idle time: the cut costs half a whole parse, kept out of the time
   * to the first diagnostics.
   */
  prepareBlocks(): boolean {
    if (this.blocked || !this.blocksWanted || this.problem || !this.largeEnoughForBlocks()) return false;
    const tree = this.syntaxTree();
    // Cut once it parses cleanly: asked again after every analysis, until then.
    if (tree.rootNode.hasError) return false;
    this.blocked = BlockedModule.fromTree(tree, this.read);
    if (!this.blocked) {
      this.unblockedAtLines = this.document.lineCount;
      return false;
    }
    // A new source: the evaluation kept for this version read the whole tree. That tree is
    // not needed any more (the settings analysis reads the blocks, code actions too).
    this.cachedSource = undefined;
    this.dropTree();
    return true;
  }

  /** Worth keeping in blocks: many lines, and not found too small for it at about this size before. */
  private largeEnoughForBlocks(): boolean {
    const lines = this.document.lineCount;
    return lines >= BLOCKED_MIN_LINES && (this.unblockedAtLines === undefined || lines > this.unblockedAtLines * 1.5);
  }

  /** The blocks when the document is kept in blocks already, else the tree: for reading, not worth parsing twice. */
  currentSyntax(): ModuleSyntax {
    return this.blocked ? this.blocked.syntax() : this.syntaxTree();
  }

  /** The document as the engine reads it; undefined when it is not analysed (see `problem`). */
  source(): SourceFile | undefined {
    if (!this.file || this.problem) return undefined;
    this.cachedSource ??= { file: this.file, text: this.text, tree: () => this.syntaxTree(), syntax: () => this.moduleSyntax() };
    return this.cachedSource;
  }

  dispose(): void {
    this.dropTree();
    this.dropBlocks();
  }

  private dropBlocks(): void {
    this.blocked?.dispose();
    this.blocked = undefined;
  }

  private dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.parsedVersion = undefined;
  }

  private recordEdit(start: number, end: number, inserted: string): void {
    const text = this.document.getText();
    // The document's line index gives tree-sitter's rows unless a lone \r (a line break to
    // the document, not to tree-sitter) occurs; only then are the lines counted afresh.
    const starts = text.includes('\r') && /\r(?!\n)/.test(text) ? lineStarts(text) : undefined;
    const startPosition = this.pointAt(start, starts);
    const oldEndPosition = this.pointAt(end, starts);
    const edit = new Edit({
      startIndex: start,
      oldEndIndex: end,
      newEndIndex: start + inserted.length,
      startPosition,
      oldEndPosition,
      newEndPosition: advance(startPosition, inserted),
    });
    this.tree?.edit(edit);
    this.blocked?.edit(edit);
  }

  /** Tree-sitter's row and column (UTF-16 units; rows end at \n only) of an offset. */
  private pointAt(offset: number, starts?: readonly number[]): Point {
    if (!starts) {
      const row = this.document.positionAt(offset).line;
      return { row, column: offset - this.document.offsetAt({ line: row, character: 0 }) };
    }
    const position = positionAt(this.document.getText(), offset, starts);
    return { row: position.line, column: position.character };
  }
}

function advance(from: Point, inserted: string): Point {
  const lastBreak = inserted.lastIndexOf('\n');
  if (lastBreak < 0) return { row: from.row, column: from.column + inserted.length };
  let rows = 0;
  for (let i = 0; i < inserted.length; i++) if (inserted.charCodeAt(i) === 10) rows++;
  return { row: from.row + rows, column: inserted.length - lastBreak - 1 };
}
