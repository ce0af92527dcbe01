import path from 'node:path';
import { entryPointKind, type EntryPointKind } from './entry-points';

/**
 * What the project model reads of a project's file list, worked out once per list: relative
 * paths, the files that may name DJANGO_SETTINGS_MODULE, folder listings and module
 * resolutions. The language server keeps one per workspace folder (see EvaluationCache) and
 * builds a new one only when files are added or removed, so a keystroke does not walk
 * thousands of paths again.
 */
export class FileIndex {
  readonly fileSet: Set<string>;
  /** Source roots dotted names resolve from: the project root, src/, and every folder holding manage.py. */
  readonly sourceRoots: string[];
  private relatives = new Map<string, string>();
  private entries?: { file: string; kind: EntryPointKind }[];
  private folders?: Map<string, string[]>;
  private byBase?: Map<string, string[]>;
  /** Dotted name → file, and path without extension → module file. */
  readonly dotted = new Map<string, string | undefined>();
  readonly modules = new Map<string, string | undefined>();

  constructor(
    readonly root: string,
    readonly files: readonly string[],
  ) {
    this.fileSet = new Set(files);
    const roots = new Set<string>([root, path.join(root, 'src')]);
    for (const file of files) if (path.basename(file) === 'manage.py') roots.add(path.dirname(file));
    this.sourceRoots = [...roots];
  }

  /** Whether this index was built from the same list (the same strings, in the same order). */
  matches(root: string, files: readonly string[]): boolean {
    if (root !== this.root || files.length !== this.files.length) return false;
    for (let i = 0; i < files.length; i++) if (files[i] !== this.files[i]) return false;
    return true;
  }

  relative(file: string): string {
    let relative = this.relatives.get(file);
    if (relative === undefined) {
      relative = path.relative(this.root, file).split(path.sep).join('/');
      this.relatives.set(file, relative);
    }
    return relative;
  }

  /** The files that may name DJANGO_SETTINGS_MODULE, with how each starts Django (see entryPointKind). */
  entryPoints(): readonly { file: string; kind: EntryPointKind }[] {
    if (!this.entries) {
      this.entries = [];
      for (const file of this.files) {
        const kind = entryPointKind(this.relative(file));
        if (kind) this.entries.push({ file, kind });
      }
    }
    return this.entries;
  }

  /** The names in a folder of the project (files and subfolders), from the file list. */
  folderListing(relativeDir: string): readonly string[] {
    if (!this.folders) {
      this.folders = new Map();
      for (const file of this.files) {
        const parts = this.relative(file).split('/');
        for (let i = 0; i < parts.length; i++) {
          const dir = parts.slice(0, i).join('/');
          const entries = this.folders.get(dir) ?? [];
          if (!entries.includes(parts[i])) entries.push(parts[i]);
          this.folders.set(dir, entries);
        }
      }
    }
    return this.folders.get(relativeDir) ?? [];
  }

  /** The files named `base`, for matching a path suffix without reading every path. */
  named(base: string): readonly string[] {
    if (!this.byBase) {
      this.byBase = new Map();
      for (const file of this.files) {
        const name = path.basename(file);
        const list = this.byBase.get(name);
        if (list) list.push(file);
        else this.byBase.set(name, [file]);
      }
    }
    return this.byBase.get(base) ?? [];
  }
}
