import { readFileSync, statSync } from 'node:fs';
import { decodeSource, MAX_SOURCE_BYTES } from '../parse/source';
import { parsePython, type Tree } from '../parse/python';
import type { SourceFile, SourceStore } from './source-store';

export interface SourceProblem {
  file: string;
  message: string;
}

/**
 * Reads files from disk once, decoding them as Python would and parsing on demand.
 * Files that cannot be read are remembered with the reason, for the CLI to report.
 */
export class DiskSourceStore implements SourceStore {
  private readonly cache = new Map<string, SourceFile | null>();
  private readonly bom = new Set<string>();
  readonly problems = new Map<string, string>();

  /** Texts that replace the disk's (open editor documents, or fixes applied in memory). */
  constructor(private readonly overrides: Map<string, string> = new Map()) {}

  get(file: string): SourceFile | undefined {
    const cached = this.cache.get(file);
    if (cached !== undefined) return cached ?? undefined;
    const text = this.overrides.get(file) ?? this.readDisk(file);
    const source = text === undefined ? null : makeSource(file, text);
    this.cache.set(file, source);
    return source ?? undefined;
  }

  exists(file: string): boolean {
    if (this.overrides.has(file) || this.cache.get(file)) return true;
    try {
      return statSync(file).isFile();
    } catch {
      return false;
    }
  }

  hadBom(file: string): boolean {
    return this.bom.has(file);
  }

  /** Frees the parse trees (WASM memory) held by the cache. */
  dispose(): void {
    for (const source of this.cache.values()) (source as CachedSource | null)?.dispose();
    this.cache.clear();
  }

  private readDisk(file: string): string | undefined {
    let bytes: Buffer;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) {
        this.problems.set(file, 'not a regular file');
        return undefined;
      }
      if (stat.size > MAX_SOURCE_BYTES) {
        this.problems.set(file, `file is too large to analyse (${(stat.size / 1024 / 1024).toFixed(1)} MB, limit ${MAX_SOURCE_BYTES / 1024 / 1024} MB)`);
        return undefined;
      }
      bytes = readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.problems.set(file, code === 'ENOENT' ? 'no such file' : code === 'ELOOP' ? 'symbolic link loop' : `cannot read (${code ?? (error as Error).message})`);
      return undefined;
    }
    const decoded = decodeSource(bytes);
    if (!decoded.ok) {
      this.problems.set(file, decoded.problem);
      return undefined;
    }
    if (decoded.hadBom) this.bom.add(file);
    return decoded.text;
  }
}

interface CachedSource extends SourceFile {
  dispose(): void;
}

export function makeSource(file: string, text: string): CachedSource {
  let tree: Tree | undefined;
  return {
    file,
    text,
    tree() {
      tree ??= parsePython(text);
      return tree;
    },
    syntax() {
      return this.tree();
    },
    dispose() {
      tree?.delete();
      tree = undefined;
    },
  };
}
