/**
 * A SourceStore whose Python modules are kept in blocks across edits, as the language
 * server keeps a large open module (see BlockedModule), for engine tests.
 */
import { Edit, type Point } from 'web-tree-sitter';
import { BlockedModule, type BlockingOptions } from '../../server/src/engine/parse/blocked-module';
import type { ModuleSyntax, StatementBlock } from '../../server/src/engine/parse/module-syntax';
import { parsePython, type Tree } from '../../server/src/engine/parse/python';
import { syntaxChangeSpan } from '../../server/src/engine/parse/syntax-edit';
import type { SourceFile, SourceStore } from '../../server/src/engine/project/source-store';
import { positionAt } from '../../server/src/engine/text';
import { differingSpan } from '../support/differing-span';

/** The edit that turns `before` into `after`, in tree-sitter's terms, as the language server records a change. */
export function editBetween(before: string, after: string): Edit {
  const differing = differingSpan(before, after);
  const { start, oldEnd, newEnd } = syntaxChangeSpan(before, differing.start, differing.oldEnd, differing.newEnd - differing.start);
  return new Edit({
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(before, start),
    oldEndPosition: pointAt(before, oldEnd),
    newEndPosition: pointAt(after, newEnd),
  });
}

function pointAt(text: string, offset: number): Point {
  const position = positionAt(text, offset);
  return { row: position.line, column: position.character };
}

/** One file's text and, once asked for, its blocks, kept in step with every new text. */
export class BlockedFile {
  private blocked?: BlockedModule;
  private whole?: Tree;
  private parsedText?: string;
  /** Blocks were tried once (a small module stays whole). */
  private tried = false;

  constructor(
    public text: string,
    private readonly options: BlockingOptions,
  ) {}

  private readonly read = (index: number) => this.text.slice(index, index + 4096);

  /** Replaces the text, recording the change on the blocks. */
  update(text: string): void {
    if (text === this.text) return;
    this.blocked?.edit(editBetween(this.text, text));
    this.text = text;
  }

  syntax(): ModuleSyntax {
    if (!this.blocked && !this.tried) {
      this.tried = true;
      const whole = parsePython(this.text);
      this.blocked = BlockedModule.fromTree(whole, this.read, this.options);
      whole.delete();
    }
    if (this.blocked) return this.blocked.syntax();
    if (this.parsedText !== this.text) {
      this.whole?.delete();
      this.whole = parsePython(this.text);
      this.parsedText = this.text;
    }
    return this.whole!;
  }

  /** The blocks once the file is kept in blocks (see syntax), else undefined. */
  keptBlocks(): readonly StatementBlock[] | undefined {
    return this.blocked?.syntax().blocks;
  }

  dispose(): void {
    this.blocked?.dispose();
    this.whole?.delete();
  }
}

/** A store over a map of texts; each file's blocks follow its text from one `get` to the next. */
export class BlockedStore implements SourceStore {
  readonly files = new Map<string, BlockedFile>();
  private readonly sources = new Map<string, SourceFile>();

  constructor(
    readonly texts: Map<string, string>,
    private readonly options: BlockingOptions,
  ) {}

  get(file: string): SourceFile | undefined {
    const text = this.texts.get(file);
    if (text === undefined) return undefined;
    let blocked = this.files.get(file);
    if (!blocked) {
      blocked = new BlockedFile(text, this.options);
      this.files.set(file, blocked);
    }
    const cached = this.sources.get(file);
    if (cached && cached.text === text) return cached;
    blocked.update(text);
    const owner = blocked;
    let tree: Tree | undefined;
    const source: SourceFile = {
      file,
      text,
      tree: () => (tree ??= parsePython(text)),
      syntax: () => owner.syntax(),
      blocks: () => owner.keptBlocks(),
      edited: true,
    };
    this.sources.set(file, source);
    return source;
  }

  exists(file: string): boolean {
    return this.texts.has(file);
  }
}
