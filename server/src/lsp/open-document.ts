import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { Edit, type Point, type Tree } from 'web-tree-sitter';
import { BlockedModule } from '../engine/parse/blocked-module';
import type { ModuleSyntax } from '../engine/parse/module-syntax';
import { parsePython } from '../engine/parse/python';
import { syntaxChangeSpan } from '../engine/parse/syntax-edit';
import { MAX_SOURCE_BYTES } from '../engine/parse/source';
import type { SourceFile } from '../engine/project/source-store';

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
      const span = this.tree || this.blocked ? syntaxChangeSpan(this.document.getText(), start, end, change.text.length) : undefined;
      const startPosition = span && this.pointAt(span.start);
      const oldEndPosition = span && this.pointAt(span.oldEnd);
      const range = { start: this.document.positionAt(start), end: this.document.positionAt(end) };
      TextDocument.update(this.document, [{ range, text: change.text }], version);
      if (span && startPosition && oldEndPosition) {
        // Recorded once the document holds the new text, where the span's new end is placed.
        const edit = new Edit({ startIndex: span.start, oldEndIndex: span.oldEnd, newEndIndex: span.newEnd, startPosition, oldEndPosition, newEndPosition: this.pointAt(span.newEnd) });
        this.tree?.edit(edit);
        this.blocked?.edit(edit);
      }
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
    // A syntax error included: it stays inside its block (see BlockedModule.fromTree).
    this.blocked = BlockedModule.fromTree(this.syntaxTree(), this.read);
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

  /** The settings analysis reads this large module, which is not in blocks yet: ask prepareBlocks again later. */
  get awaitsBlocks(): boolean {
    return !this.blocked && this.blocksWanted && !this.problem && this.largeEnoughForBlocks();
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

  /** Tree-sitter's row and column of an offset: the document's line and character, since the parser reads lone `\r`s as `\n` (see parsePython). */
  private pointAt(offset: number): Point {
    const position = this.document.positionAt(offset);
    return { row: position.line, column: position.character };
  }
}
