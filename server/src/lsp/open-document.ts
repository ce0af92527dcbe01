import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { LiveModule, MAX_SOURCE_BYTES, type ModuleSyntax, type Point, type SourceFile, type Tree } from '../engine';

/** How much text one read of the parser takes. */
const READ_SIZE = 65536;

/**
 * A document the editor has open: its text, kept in step with incremental changes, and
 * its syntax, kept by the engine (LiveModule): the tree, parsed on demand once per version
 * and edited with each change, or for a large settings module its blocks, once its first
 * diagnostics are out (see prepareBlocks), so a keystroke reparses one block of it.
 */
export class OpenDocument {
  private document: TextDocument;
  private cachedSource?: SourceFile;
  private readonly syntax: LiveModule;

  constructor(
    readonly uri: string,
    /** The file behind a `file:` URI; undefined for untitled and virtual documents. */
    readonly file: string | undefined,
    readonly languageId: string,
    version: number,
    text: string,
  ) {
    this.document = TextDocument.create(uri, languageId, version, text);
    // The parser's view of the current text (blocks are parsed from it, and their nodes read their text through it).
    this.syntax = new LiveModule(this, (index) => this.document.getText().slice(index, index + READ_SIZE));
  }

  get version(): number {
    return this.document.version;
  }

  get text(): string {
    return this.document.getText();
  }

  get lineCount(): number {
    return this.document.lineCount;
  }

  /** tree-sitter's row and column of an offset: the document's line and character, since the parser reads lone `\r`s as `\n` (see parsePython). */
  pointAt(offset: number): Point {
    const position = this.document.positionAt(offset);
    return { row: position.line, column: position.character };
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
        this.syntax.replaced();
        this.document = TextDocument.create(this.uri, this.languageId, version, change.text);
        continue;
      }
      let start = this.document.offsetAt(change.range.start);
      let end = this.document.offsetAt(change.range.end);
      if (end < start) [start, end] = [end, start];
      const range = { start: this.document.positionAt(start), end: this.document.positionAt(end) };
      this.syntax.change(start, end, change.text.length, () => TextDocument.update(this.document, [{ range, text: change.text }], version));
    }
    // A change list may be empty; the version still moves.
    if (this.document.version !== version) TextDocument.update(this.document, [], version);
  }

  /** The syntax tree of the current version, parsing (incrementally) when the version moved. */
  syntaxTree(): Tree {
    return this.syntax.syntaxTree();
  }

  /** The module's syntax for the settings analysis: in blocks when the engine keeps it so, else the tree. */
  moduleSyntax(): ModuleSyntax {
    return this.syntax.moduleSyntax();
  }

  /**
   * Cuts the module into blocks when the engine's blocking policy says so (see
   * LiveModule.prepareBlocks); true when it did: analyse it again.
   */
  prepareBlocks(): boolean {
    if (!this.syntax.prepareBlocks()) return false;
    // A new source: the evaluation kept for this version read the whole tree.
    this.cachedSource = undefined;
    return true;
  }

  /** The blocks when the document is kept in blocks already, else the tree: for reading, not worth parsing twice. */
  currentSyntax(): ModuleSyntax {
    return this.syntax.currentSyntax();
  }

  /** The document as the engine reads it; undefined when it is not analysed (see `problem`). */
  source(): SourceFile | undefined {
    if (!this.file || this.problem) return undefined;
    this.cachedSource ??= { file: this.file, text: this.text, tree: () => this.syntaxTree(), syntax: () => this.moduleSyntax(), blocks: () => this.syntax.keptBlocks(), edited: true };
    return this.cachedSource;
  }

  dispose(): void {
    this.syntax.dispose();
  }
}
