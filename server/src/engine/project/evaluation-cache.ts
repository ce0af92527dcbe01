import { FileIndex } from './file-index';
import type { EvaluatedModule } from '../settings/settings-module';
import { StatementMemo, type ExternalRead } from './statement-memo';

interface ModuleRecord {
  source: object;
  result: EvaluatedModule;
  external: ExternalRead[];
}

/**
 * Evaluations kept between analyses of one workspace: per module, the last result with
 * the source it was computed from and what it read of other modules (so an unchanged
 * base.py is not evaluated again when production.py changes), and per module the
 * statement effects of its last evaluation.
 */
export class EvaluationCache {
  private readonly modules = new Map<string, ModuleRecord>();
  private readonly statements = new Map<string, StatementMemo>();
  private index?: FileIndex;

  /** The index of a file list: the last one while the list stays the same. */
  indexFor(root: string, files: readonly string[]): FileIndex {
    if (!this.index?.matches(root, files)) this.index = new FileIndex(root, files);
    return this.index;
  }

  statementsOf(file: string): StatementMemo {
    let memo = this.statements.get(file);
    if (!memo) {
      memo = new StatementMemo();
      this.statements.set(file, memo);
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
    this.statements.delete(file);
    // Module resolutions may have read the file's existence.
    this.index = undefined;
  }

  clear(): void {
    this.modules.clear();
    this.statements.clear();
    this.index = undefined;
  }
}
