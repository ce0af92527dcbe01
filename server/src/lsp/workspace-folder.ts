import { existsSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import {
  CONFIG_FILE_NAMES,
  DEFAULT_CONFIG,
  DEFAULT_EXCLUDES,
  DEPENDENCY_FILE_PATTERN,
  dependencyFilesAbove,
  EvaluationCache,
  isInterestingFile,
  loadProjectConfig,
  walkFiles,
  type HardenerConfig,
} from '../engine';
import { DEFAULT_EDITOR_SETTINGS, mergeConfig, type EditorSettings } from './configuration';
import { FolderAnalysis } from './folder-analysis';

/**
 * One workspace folder (or, for a file opened outside any folder, the project around it):
 * its file list, its configuration, and what was last published for its files.
 */
export class WorkspaceFolder {
  readonly files = new Set<string>();
  editor: EditorSettings = DEFAULT_EDITOR_SETTINGS;
  config: HardenerConfig = { ...DEFAULT_CONFIG };
  /** The latest findings, kept so a change re-analyses what it can affect. */
  readonly analysis = new FolderAnalysis();
  /** The open documents inside the folder. */
  readonly openFiles = new Set<string>();
  /** Settings modules' evaluations, kept so a keystroke re-executes only what it changed. */
  readonly evaluations = new EvaluationCache();
  /** A key of the diagnostics last published per file, to skip unchanged republishing. */
  readonly published = new Map<string, string>();
  private excluded: (relative: string) => boolean = () => false;

  constructor(
    readonly root: string,
    readonly uri: string,
    /** False for the project around a file opened outside every folder: it is not walked recursively unless it has manage.py. */
    readonly walked: boolean,
  ) {}

  get enabled(): boolean {
    return this.editor.enable;
  }

  contains(file: string): boolean {
    const relative = path.relative(this.root, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  }

  /**
   * Re-reads pyproject.toml and merges the editor settings over it. Returns true when the
   * exclusions changed, so the file list must be walked again.
   */
  configure(editor: EditorSettings, log: (message: string) => void): boolean {
    const loaded = loadProjectConfig(this.root);
    for (const problem of loaded.problems) log(`${loaded.file ?? 'pyproject.toml'}: ${problem.message} (ignored)`);
    const before = JSON.stringify(this.config.exclude);
    this.editor = editor;
    this.config = mergeConfig(loaded.config, editor.config);
    this.excluded = picomatch(
      [...DEFAULT_EXCLUDES, ...this.config.exclude].map((g) => g.replace(/\/$/, '')),
      { dot: true },
    );
    return JSON.stringify(this.config.exclude) !== before;
  }

  /**
   * Lists the folder's files once; watched-file events keep the list current after that.
   * Dependency lists above the folder, up to its repository's root, count too (a folder
   * opened at `src/shop` of a repository whose requirements.txt is at the top), as for the
   * command line.
   */
  walk(log: (message: string) => void): void {
    this.files.clear();
    if (!this.walked) return;
    const { files, problems } = walkFiles([this.root], this.config.exclude, this.root);
    for (const file of [...files, ...dependencyFilesAbove(this.root)]) this.files.add(file);
    for (const problem of problems.slice(0, 20)) log(`${problem.file}: ${problem.message}`);
  }

  /** Whether a created file belongs in the list (the walk's own filters). */
  accepts(file: string): boolean {
    if (!this.contains(file) || !isInterestingFile(file)) return false;
    const relative = path.relative(this.root, file).split(path.sep).join('/');
    const parts = relative.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (this.excluded(prefix) || this.excluded(parts[i - 1])) return false;
    }
    return true;
  }

  /** Whether a file feeds the project model beyond its own text (dependencies, configuration). */
  static isProjectModelFile(file: string): boolean {
    return DEPENDENCY_FILE_PATTERN.test(file.split(path.sep).join('/')) || CONFIG_FILE_NAMES.includes(path.basename(file));
  }
}

/**
 * The project around a file opened outside every workspace folder: the nearest folder
 * above it with manage.py (walked like a workspace folder), else the file's own folder.
 */
export function projectRootFor(file: string): { root: string; walked: boolean } {
  let dir = path.dirname(file);
  for (let depth = 0; depth < 4; depth++) {
    if (existsSync(path.join(dir, 'manage.py'))) return { root: dir, walked: true };
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { root: path.dirname(file), walked: false };
}
