import { lineStarts, offsetAt } from '../text';
import type { ModuleSyntax, StatementBlock } from '../parse/module-syntax';
import type { Tree } from '../parse/python';

/** A file's text as the engine sees it, parsed on demand. */
export interface SourceFile {
  file: string;
  text: string;
  /** Parsed lazily; Python only. */
  tree(): Tree;
  /** What the settings analysis reads: the tree, or for a large open module its blocks (see BlockedModule). */
  syntax(): ModuleSyntax;
  /** The blocks of a module kept in blocks (a large open module being edited), else undefined, without parsing it. */
  blocks?(): readonly StatementBlock[] | undefined;
  /** An open document being edited: analyses keep what serves its next version (see DefinitionMemo). */
  edited?: boolean;
}

/**
 * Where the engine reads files from. The CLI reads the disk; the language server serves
 * open documents from memory and the rest from disk.
 */
export interface SourceStore {
  /** The decoded source, or undefined when the file is missing, binary or undecodable. */
  get(file: string): SourceFile | undefined;
  exists(file: string): boolean;
  /**
   * The source the store already holds for a file, without looking at the disk again (the
   * language server's cache, kept current by file events); undefined when it holds none.
   * Scans over every file of a large workspace use it on each keystroke.
   */
  peek?(file: string): SourceFile | undefined;
}

/** The text a location covers. */
export function textAt(source: SourceFile, range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  const starts = lineStarts(source.text);
  return source.text.slice(offsetAt(source.text, range.start, starts), offsetAt(source.text, range.end, starts));
}
