import path from 'node:path';
import type { HardenerConfig } from '../config';
import { DEPENDENCY_FILE_PATTERN, readDependencies, type Dependencies } from './dependencies';
import { isSettingsFileByName, looksLikeDevelopment, looksLikeProduction, SETTINGS_REFERENCE_FILES, settingsModuleReferences } from './discovery';
import { evaluateSettingsModule, type EvaluatedModule, type ModuleResolver } from './settings-module';
import type { SourceStore } from './source-store';
import type { EvaluationCache } from './evaluation-cache';
import type { ExternalRead } from './statement-memo';

/**
 * production: judged by the settings rules. development: never judged. base: only judged
 * through the production modules that star-import it.
 */
export type SettingsRole = 'production' | 'development' | 'base';

export interface SettingsModuleInfo {
  file: string;
  role: SettingsRole;
  /** Why it has that role, for the docs and for debugging discovery. */
  reason: string;
  /**
   * True when the module is production by its name or by configuration; false when it is
   * judged as production only because nothing else is (a lone settings.py, which usually
   * serves development too).
   */
  explicit: boolean;
}

/**
 * Star imports followed one inside another at most: a module deeper in a chain is read as
 * one that cannot be resolved (the modules importing it are then not judged). Real chains
 * are two to four modules deep; following one without end would recurse as deep.
 */
export const MAX_IMPORT_DEPTH = 32;

/** What the engine knows of a Django project beyond one file. */
export class Project {
  /** Set when a chain of star imports went deeper than MAX_IMPORT_DEPTH. */
  importDepthExceeded = false;
  private evaluated = new Map<string, EvaluatedModule | undefined>();
  private evaluating = new Set<string>();
  private modules?: SettingsModuleInfo[];
  private deps?: Dependencies;
  private readonly fileSet: Set<string>;
  private readonly sourceRoots: string[];

  constructor(
    readonly root: string,
    /** Absolute paths of the project's files the adapter knows of (Python and configuration). */
    readonly files: readonly string[],
    readonly store: SourceStore,
    readonly config: HardenerConfig,
    /** Evaluations kept from earlier analyses of the same workspace (the language server's). */
    private readonly cache?: EvaluationCache,
  ) {
    this.fileSet = new Set(files);
    const roots = new Set<string>([root, path.join(root, 'src')]);
    for (const file of files) if (path.basename(file) === 'manage.py') roots.add(path.dirname(file));
    this.sourceRoots = [...roots];
  }

  get dependencies(): Dependencies {
    if (!this.deps) {
      const sources = this.files
        .filter((f) => DEPENDENCY_FILE_PATTERN.test(f.split(path.sep).join('/')))
        .flatMap((file) => {
          const source = this.store.get(file);
          return source ? [{ file, text: source.text }] : [];
        });
      this.deps = readDependencies(sources);
    }
    return this.deps;
  }

  /** The lowest Django version the project declares, if it declares one. */
  get djangoVersion(): number[] | undefined {
    return this.dependencies.get('django')?.version;
  }

  relative(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/');
  }

  /** Every settings module of the project with its role. */
  settingsModules(): SettingsModuleInfo[] {
    if (this.modules) return this.modules;
    const candidates = new Map<string, string>();
    for (const file of this.files) {
      if (isSettingsFileByName(this.relative(file)) && !this.isEmptySelector(file)) candidates.set(file, 'named like a settings module');
    }
    for (const file of this.files) {
      if (!SETTINGS_REFERENCE_FILES.has(path.basename(file))) continue;
      const source = this.store.get(file);
      if (!source) continue;
      for (const dotted of settingsModuleReferences(file, source.text)) {
        const target = this.resolveDotted(dotted);
        if (target && !this.isEmptySelector(target)) candidates.set(target, `DJANGO_SETTINGS_MODULE in ${this.relative(file)}`);
      }
    }
    const configured = new Set<string>();
    for (const entry of this.config.productionSettings) {
      const target = entry.endsWith('.py') || entry.includes('/') ? path.resolve(this.root, entry) : this.resolveDotted(entry);
      if (target && this.store.exists(target)) {
        configured.add(target);
        candidates.set(target, 'configured as a production settings module');
      }
    }
    const imported = new Set<string>();
    for (const file of candidates.keys()) {
      const evaluated = this.evaluate(file);
      for (const dependency of evaluated?.starImports ?? []) if (dependency !== file) imported.add(dependency);
    }
    const modules: SettingsModuleInfo[] = [];
    for (const [file, found] of [...candidates].sort(([a], [b]) => a.localeCompare(b))) {
      const relative = this.relative(file);
      let role: SettingsRole;
      let reason: string;
      let explicit = false;
      if (configured.size > 0) {
        role = configured.has(file) ? 'production' : looksLikeDevelopment(relative) ? 'development' : 'base';
        reason = configured.has(file) ? 'configured as production' : 'not among the configured production modules';
        explicit = configured.has(file);
      } else if (looksLikeDevelopment(relative)) {
        role = 'development';
        reason = 'named like a development module';
      } else if (looksLikeProduction(relative)) {
        role = 'production';
        reason = 'named like a production module';
        explicit = true;
      } else if (imported.has(file)) {
        role = 'base';
        reason = 'star-imported by another settings module';
      } else {
        role = 'production';
        reason = found;
      }
      modules.push({ file, role, reason, explicit });
    }
    this.modules = modules;
    return modules;
  }

  productionModules(): SettingsModuleInfo[] {
    return this.settingsModules().filter((m) => m.role === 'production');
  }

  /** The settings module record of a file, if it is one. */
  settingsModule(file: string): SettingsModuleInfo | undefined {
    return this.settingsModules().find((m) => m.file === file);
  }

  /** Statically executes a settings module (cached); undefined if it cannot be read. */
  evaluate(file: string): EvaluatedModule | undefined {
    if (this.evaluated.has(file)) return this.evaluated.get(file);
    if (this.evaluating.has(file)) return undefined;
    if (this.evaluating.size >= MAX_IMPORT_DEPTH) {
      this.importDepthExceeded = true;
      return undefined;
    }
    const source = this.store.get(file);
    if (!source) {
      this.evaluated.set(file, undefined);
      return undefined;
    }
    this.evaluating.add(file);
    try {
      const stillReads = (read: ExternalRead) => (read.kind === 'resolve' ? this.resolver.resolve(file, read.name, read.level) === read.result : this.evaluate(read.file) === read.result);
      const reused = this.cache?.reusable(file, source, stillReads);
      if (reused) {
        this.evaluated.set(file, reused);
        return reused;
      }
      const external: ExternalRead[] = [];
      const recording: ModuleResolver = {
        resolve: (from, name, level) => {
          const result = this.resolver.resolve(from, name, level);
          external.push({ kind: 'resolve', name, level, result });
          return result;
        },
        evaluate: (target) => {
          const result = this.evaluate(target);
          external.push({ kind: 'evaluate', file: target, result });
          return result;
        },
      };
      const memo = this.cache?.statementsOf(file);
      const syntax = source.syntax();
      memo?.begin(source.text, syntax);
      const result = evaluateSettingsModule(file, syntax, recording, memo);
      this.evaluated.set(file, result);
      this.cache?.remember(file, source, result, external);
      return result;
    } finally {
      this.evaluating.delete(file);
    }
  }

  /** Production modules whose effective settings read `file` (itself or through star imports). */
  productionModulesReading(file: string): SettingsModuleInfo[] {
    return this.productionModules().filter((m) => this.chainOf(m.file).includes(file));
  }

  /** The module and every module it star-imports, transitively. */
  chainOf(file: string): string[] {
    const seen: string[] = [];
    const visit = (f: string) => {
      if (seen.includes(f)) return;
      seen.push(f);
      for (const next of this.evaluate(f)?.starImports ?? []) visit(next);
    };
    visit(file);
    return seen;
  }

  private readonly resolver: ModuleResolver = {
    resolve: (fromFile, moduleName, level) => {
      if (level > 0) {
        let dir = path.dirname(fromFile);
        for (let i = 1; i < level; i++) dir = path.dirname(dir);
        return this.moduleFile(path.join(dir, ...moduleName.split('.').filter(Boolean)));
      }
      return this.resolveDotted(moduleName);
    },
    evaluate: (file) => this.evaluate(file),
  };

  resolveDotted(dotted: string): string | undefined {
    const parts = dotted.split('.').filter(Boolean);
    if (parts.length === 0) return undefined;
    for (const root of this.sourceRoots) {
      const found = this.moduleFile(path.join(root, ...parts));
      if (found) return found;
    }
    // A project root deeper or shallower than expected: match the path suffix.
    const suffixes = [path.join(...parts) + '.py', path.join(...parts, '__init__.py')];
    for (const file of this.files) if (suffixes.some((s) => file.endsWith(path.sep + s))) return file;
    return undefined;
  }

  private moduleFile(base: string): string | undefined {
    for (const candidate of [base + '.py', path.join(base, '__init__.py')]) {
      if (this.fileSet.has(candidate) || this.store.exists(candidate)) return candidate;
    }
    return undefined;
  }

  /** A settings package's `__init__.py` that only picks a module assigns nothing itself. */
  private isEmptySelector(file: string): boolean {
    if (path.basename(file) !== '__init__.py') return false;
    const source = this.store.get(file);
    if (!source) return true;
    const evaluated = this.evaluate(file);
    if (!evaluated) return true;
    return [...evaluated.settings.values()].every((s) => s.definition.statement.file !== file);
  }
}
