import { FileIndex } from './file-index';
import { BlockMemo, type ExternalRead } from '../settings/block-memo';
import type { EvaluatedModule } from '../settings/module-state';

interface ModuleRecord {
  source: object;
  result: EvaluatedModule;
  external: ExternalRead[];
}

/**
 * Evaluations kept between analyses of one workspace: per module, the last result with
 * the source it was computed from and what it read of other modules (so an unchanged
 * base.py is not evaluated again when production.py changes), and per module the units
 * its last evaluation recorded (see BlockMemo).
 */
export class EvaluationCache {
  private readonly modules = new Map<string, ModuleRecord>();
  private readonly memos = new Map<string, BlockMemo>();
  private index?: FileIndex;

  /** The index of a file list: the last one while the list stays the same. */
  indexFor(root: string, files: readonly string[]): FileIndex {
    if (!this.index?.matches(root, files)) this.index = new FileIndex(root, files);
    return this.index;
  }

  memoOf(file: string): BlockMemo {
    let memo = this.memos.get(file);
    if (!memo) {
      memo = new BlockMemo();
      this.memos.set(file, memo);
    }
    return memo;
  }

  /** The last result for `file` if its source is the same object and everything it read still reads the same. */
  reusable(file: string, source: object, stillReads: (read: ExternalRead) => boolean): EvaluatedModule | undefined {
    const record = this.modules.get(file);
    if (!record || record.source !== source) return undefined;
    return record.external.every(stillReads) ? record.result : undefined;
  }

  remember(file: string, source: object, result: EvaluatedModule, external: ExternalRead[]): void {
    this.modules.set(file, { source, result, external });
  }

  forget(file: string): void {
    this.modules.delete(file);
    this.memos.delete(file);
    // Module resolutions may have read the file's existence.
    this.index = undefined;
  }

  clear(): void {
    this.modules.clear();
    this.memos.clear();
    this.index = undefined;
  }
}
