import { readFileSync, statSync } from 'node:fs';
import { decodeSource, makeSource, MAX_SOURCE_BYTES, type SourceFile, type SourceStore } from '../engine';
import type { OpenDocument } from './open-document';

interface DiskEntry {
  mtimeMs: number;
  size: number;
  source?: ReturnType<typeof makeSource>;
}

/**
 * The engine's view of the workspace: open documents from memory (with their incrementally
 * parsed trees), every other file from disk. Disk files are cached with their parse tree
 * until their modification time or size changes, so a keystroke in one module does not
 * re-read or re-parse the modules it imports.
 */
export class WorkspaceSourceStore implements SourceStore {
  private readonly disk = new Map<string, DiskEntry>();

  constructor(
    private readonly openDocument: (file: string) => OpenDocument | undefined,
    private readonly log: (message: string) => void,
  ) {}

  get(file: string): SourceFile | undefined {
    const document = this.openDocument(file);
    if (document) return document.source();
    return this.fromDisk(file);
  }

  peek(file: string): SourceFile | undefined {
    const document = this.openDocument(file);
    if (document) return document.source();
    return this.disk.get(file)?.source;
  }

  exists(file: string): boolean {
    if (this.openDocument(file)) return true;
    try {
      return statSync(file).isFile();
    } catch {
      return false;
    }
  }

  /** Forgets a file's cached text and tree (it changed or disappeared on disk). */
  invalidate(file: string): void {
    this.disk.get(file)?.source?.dispose();
    this.disk.delete(file);
  }

  clear(): void {
    for (const entry of this.disk.values()) entry.source?.dispose();
    this.disk.clear();
  }

  private fromDisk(file: string): SourceFile | undefined {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      this.invalidate(file);
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const cached = this.disk.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.source;
    this.invalidate(file);
    const entry: DiskEntry = { mtimeMs: stat.mtimeMs, size: stat.size };
    this.disk.set(file, entry);
    if (stat.size > MAX_SOURCE_BYTES) {
      this.log(`skipping ${file}: too large to analyse (${(stat.size / 1024 / 1024).toFixed(1)} MB)`);
      return undefined;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      this.log(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return undefined;
    }
    const decoded = decodeSource(bytes);
    if (!decoded.ok) {
      this.log(`skipping ${file}: ${decoded.problem}`);
      return undefined;
    }
    entry.source = makeSource(file, decoded.text);
    return entry.source;
  }
}
