import type { Tree } from '../parse/python';

/** A file's text as the engine sees it, parsed on demand. */
export interface SourceFile {
  file: string;
  text: string;
  /** Parsed lazily; Python only. */
  tree(): Tree;
}

/**
 * Where the engine reads files from. The CLI reads the disk; the language server serves
 * open documents from memory and the rest from disk.
 */
export interface SourceStore {
  /** The decoded source, or undefined when the file is missing, binary or undecodable. */
  get(file: string): SourceFile | undefined;
  exists(file: string): boolean;
}
