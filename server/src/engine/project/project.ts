import path from 'node:path';
import picomatch from 'picomatch';
import type { HardenerConfig } from '../config';
import { DEPENDENCY_FILE_PATTERN, readDependencies, type Dependencies } from './dependencies';
import { excludedFromContentScan, neverSettings, productionWord, roleByName } from './discovery';
import { imageCopies, settingsReferences, type EntryPointKind, type ImageCopy, type SettingsReference } from './entry-points';
import { FileIndex } from './file-index';
import { isPublished, publishedDistribution, type Distribution } from './distribution';
import { holdsInSomeLine } from '../parse/block-text-tests';
import { evaluateSettingsModule, readStillHolds, type EvaluatedModule, type ModuleResolver } from '../settings/settings-module';
import type { SourceFile, SourceStore } from './source-store';
import type { EvaluationCache } from './evaluation-cache';
import type { ExternalRead } from '../settings/block-memo';

/**
 * production: judged by the settings rules. development and test: never judged. base: only
 * judged through the production modules that star-import or include it. fragment: looks
 * like part of a settings module, but nothing runs it on its own, so it is not judged alone.
 */
export type SettingsRole = 'production' | 'development' | 'test' | 'base' | 'fragment';

export interface SettingsModuleInfo {
  file: string;
  /** The dotted name Django would load it by (`mysite.settings.production`). */
  module: string;
  role: SettingsRole;
  /** The reason that decided the role. */
  reason: string;
  /** Everything that made it a settings module and gave it its role, in that order. */
  reasons: string[];
  /**
   * Production, and not also the module developers run (the one manage.py names, or a lone
   * settings.py): a fix may write a production value outright. False for a module that
   * serves development too, where a fix keeps `runserver` working.
   */
  explicit: boolean;
}

/** Core settings: a module assigning enough of them is a settings module by its content. */
const CORE_SETTINGS = ['INSTALLED_APPS', 'MIDDLEWARE', 'MIDDLEWARE_CLASSES', 'ROOT_URLCONF', 'DATABASES', 'SECRET_KEY', 'TEMPLATES'];
/** Settings that shape a project (the others also appear in configuration files of other tools). */
const SHAPING_SETTINGS = new Set(['INSTALLED_APPS', 'MIDDLEWARE', 'MIDDLEWARE_CLASSES', 'ROOT_URLCONF']);
const MIN_CORE_SETTINGS = 3;
/** A cheap look at a module's text before it is read for real: core settings assigned at the start of a line, star imports. */
const CORE_ASSIGNMENT = new RegExp(`^(${CORE_SETTINGS.join('|')})\\s*(?::[^=\\n]*)?\\+?=`, 'gm');
const STAR_IMPORT = /^from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\*/gm;

/** What a module's text says at the start of its lines: the core settings it assigns, the modules it star-imports. */
interface TextFacts {
  core: Set<string>;
  stars: { name: string; level: number }[];
}

const NO_FACTS: TextFacts = { core: new Set(), stars: [] };
const factsOfSource = new WeakMap<SourceFile, TextFacts>();

/** A module's text facts, read once per text with two searches (the text is not parsed). */
function textFacts(source: SourceFile): TextFacts {
  let facts = factsOfSource.get(source);
  if (!facts) {
    const { text } = source;
    // A large open module being edited is looked at block by block, each block's answer kept (see holdsInSomeLine).
    const maybe = holdsInSomeLine(text, source.blocks?.(), 'settings hint', (part) => CORE_SETTINGS.some((name) => part.includes(name)) || part.includes('import *'));
    if (!maybe) facts = NO_FACTS;
    else {
      const core = new Set([...text.matchAll(CORE_ASSIGNMENT)].map((m) => m[1]));
      const stars = [...text.matchAll(STAR_IMPORT)].map((m) => ({ level: m[1].length, name: m[2] }));
      facts = core.size === 0 && stars.length === 0 ? NO_FACTS : { core, stars };
    }
    factsOfSource.set(source, facts);
  }
  return facts;
}

/** What a file that names modules says, and the modules named that the project does not hold. */
interface Naming {
  byFile: Map<string, SettingsReference[]>;
  unresolved: SettingsReference[];
  /** Modules a Dockerfile copies to where they run under another name: file → that module name. */
  placed: Map<string, string>;
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
  private naming?: Naming;
  private deps?: Dependencies;
  private published?: { value: Distribution | undefined };
  private readonly index: FileIndex;

  constructor(
    readonly root: string,
    /** Absolute paths of the project's files the adapter knows of (Python and configuration). */
    readonly files: readonly string[],
    readonly store: SourceStore,
    readonly config: HardenerConfig,
    /** Evaluations kept from earlier analyses of the same workspace (the language server's). */
    private readonly cache?: EvaluationCache,
    /** The settings modules found by another thread for the same files (the command line's workers). */
    known?: SettingsModuleInfo[],
  ) {
    this.index = cache?.indexFor(root, files) ?? new FileIndex(root, files);
    this.modules = known;
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

  /** The distribution the repository publishes, if its packaging metadata says which packages it ships. */
  get distribution(): Distribution | undefined {
    if (this.published === undefined) {
      const absolute = (relative: string) => path.join(this.root, relative);
      const isFile = (relative: string) => this.index.fileSet.has(absolute(relative));
      this.published = {
        value: publishedDistribution({
          has: isFile,
          hasFolder: (relative) => this.index.folderListing(relative).length > 0,
          packagesUnder: (where) => this.index.folderListing(where).filter((name) => isFile(where ? `${where}/${name}/__init__.py` : `${name}/__init__.py`)),
          read: (relative) => this.store.get(absolute(relative))?.text,
        }),
      };
    }
    return this.published.value;
  }

  /** The lowest Django version the project declares, if it declares one. */
  get djangoVersion(): number[] | undefined {
    return this.dependencies.get('django')?.version;
  }

  relative(file: string): string {
    return this.index.relative(file);
  }

  /** The dotted name of a module, from the nearest source root above it. */
  moduleName(file: string): string {
    let best: string | undefined;
    for (const root of this.index.sourceRoots) {
      const relative = path.relative(root, file);
      if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
      const dotted = relative
        .replace(/\.py$/, '')
        .split(path.sep)
        .filter((part, index, all) => !(part === '__init__' && index === all.length - 1))
        .join('.');
      if (best === undefined || dotted.length < best.length) best = dotted;
    }
    return best ?? this.relative(file).replace(/\.py$/, '').split('/').join('.');
  }

  /**
   * Every settings module of the project with its role and the reasons for it. A module is
   * one because Django can load it as one: named by DJANGO_SETTINGS_MODULE where the project
   * starts Django, reached from such a module (star imports, `include()`), or, when nothing
   * names it, assigning several core settings (or star-importing a settings module) itself.
   */
  settingsModules(): SettingsModuleInfo[] {
    this.modules ??= this.discover();
    return this.modules;
  }

  productionModules(): SettingsModuleInfo[] {
    return this.settingsModules().filter((m) => m.role === 'production');
  }

  /** The settings module record of a file, if it is one. */
  settingsModule(file: string): SettingsModuleInfo | undefined {
    return this.settingsModules().find((m) => m.file === file);
  }

  /** Modules named by DJANGO_SETTINGS_MODULE that the project does not hold, with where. */
  unresolvedReferences(): SettingsReference[] {
    return this.referencesByFile().unresolved;
  }

  private discover(): SettingsModuleInfo[] {
    const reasons = new Map<string, string[]>();
    const note = (file: string, reason: string) => {
      const list = reasons.get(file) ?? [];
      if (!list.includes(reason)) list.push(reason);
      reasons.set(file, list);
    };
    const { byFile: named } = this.referencesByFile();

    const configured = new Set<string>();
    for (const entry of this.config.productionSettings) {
      const target = entry.endsWith('.py') || entry.includes('/') ? path.resolve(this.root, entry) : this.resolveDotted(entry);
      if (target && this.store.exists(target)) configured.add(target);
    }

    // A package's __init__.py that only star-imports is a selector: what names it names what it imports.
    const fragments = new Map<string, string>();
    const candidates = new Set<string>([...configured]);
    for (const [file, references] of named) {
      const selected = this.selectorTargets(file);
      if (!selected) {
        candidates.add(file);
        continue;
      }
      fragments.set(file, `only star-imports ${selected.map((t) => this.relative(t)).join(', ')}, judged instead`);
      for (const target of selected) {
        named.set(target, [...(named.get(target) ?? []), ...references]);
        candidates.add(target);
      }
      named.delete(file);
    }
    for (const [file, references] of named) {
      for (const reference of references) note(file, `named by DJANGO_SETTINGS_MODULE in ${this.relative(reference.file)}${kindNote(reference.kind)}`);
    }
    for (const file of configured) note(file, 'configured as a production settings module (production-settings)');

    // By content, where nothing names the module: core settings assigned, or a settings module
    // star-imported. The text says which modules are worth reading for real; only those are evaluated.
    const facts = new Map<string, TextFacts>();
    for (const file of this.files) {
      if (!file.endsWith('.py') || candidates.has(file) || fragments.has(file)) continue;
      // Per keystroke in a large workspace: a cached look at each text first, paths only for the few that hint.
      const source = this.store.peek?.(file) ?? this.store.get(file);
      const found = source ? textFacts(source) : NO_FACTS;
      if (found === NO_FACTS) continue;
      // A module whose text hints at settings is an input of the model: a read, not only a look.
      this.store.get(file);
      const relative = this.relative(file);
      if (excludedFromContentScan(relative) || neverSettings(relative, source!.text, (dir) => this.index.folderListing(dir))) continue;
      facts.set(file, found);
    }
    /** The core settings a module assigns itself at top level, unconditionally, read for real. */
    const ownCore = (file: string): string[] => {
      const evaluated = this.evaluate(file);
      if (!evaluated) return [];
      return CORE_SETTINGS.filter((name) => evaluated.settings.get(name)?.history.some((d) => d.statement.file === file && d.kind !== 'conditional'));
    };
    const cores = new Map<string, string[]>();
    for (const [file, found] of facts) {
      if (found.core.size < MIN_CORE_SETTINGS || ![...found.core].some((name) => SHAPING_SETTINGS.has(name))) continue;
      const core = ownCore(file);
      cores.set(file, core);
      if (core.length >= MIN_CORE_SETTINGS && core.some((name) => SHAPING_SETTINGS.has(name))) {
        candidates.add(file);
        note(file, `assigns ${core.join(', ')}`);
      }
    }

    // Reached from a settings module: what it star-imports or includes is part of it.
    const reachedBy = new Map<string, { from: string; include: boolean }[]>();
    const seen = new Set<string>();
    const reach = (start: string) => {
      const queue = [start];
      seen.add(start);
      while (queue.length > 0) {
        const file = queue.shift()!;
        const evaluated = this.evaluate(file);
        for (const target of evaluated?.starImports ?? []) {
          if (target === file) continue;
          const include = evaluated!.included.has(target);
          reachedBy.set(target, [...(reachedBy.get(target) ?? []), { from: file, include }]);
          note(target, `${include ? 'included by' : 'star-imported by'} ${this.relative(file)}`);
          if (!seen.has(target)) {
            seen.add(target);
            queue.push(target);
          }
        }
      }
    };
    for (const file of candidates) if (!seen.has(file)) reach(file);
    // A module star-importing a settings module is one (production.py on base.py), and so on up.
    const starTargets = new Map<string, string[]>();
    for (const [file, found] of facts) {
      const targets = found.stars.map((star) => this.resolver.resolve(file, star.name, star.level)).filter((t): t is string => !!t && t !== file);
      if (targets.length > 0) starTargets.set(file, targets);
    }
    for (let changed = true; changed;) {
      changed = false;
      for (const [file, targets] of starTargets) {
        if (seen.has(file)) continue;
        const settings = targets.find((target) => seen.has(target));
        if (!settings) continue;
        candidates.add(file);
        note(file, `star-imports ${this.relative(settings)}, a settings module`);
        reach(file);
        changed = true;
      }
    }
    const settingsFolders = new Set([...seen].map((f) => path.dirname(f)));
    for (const [file, found] of facts) {
      if (seen.has(file) || fragments.has(file) || found.core.size === 0) continue;
      // One core setting alone is a fragment only beside settings modules (a component of a settings package).
      if (found.core.size === 1 && !settingsFolders.has(path.dirname(file))) continue;
      const core = cores.get(file) ?? ownCore(file);
      if (core.length === 0) continue;
      fragments.set(file, `assigns ${core.join(', ')} but not enough of a project's settings to be run on its own, and nothing names or imports it`);
    }

    const roles = new RoleDecider(this, named, configured, reachedBy, reasons);
    const modules: SettingsModuleInfo[] = [...seen].map((file) => roles.decide(file));
    roles.settlePending(modules);
    for (const [file, reason] of fragments) {
      if (seen.has(file)) continue;
      modules.push({ file, module: this.moduleName(file), role: 'fragment', reason, reasons: [...(reasons.get(file) ?? []), reason], explicit: false });
    }
    return modules.sort((a, b) => a.file.localeCompare(b.file));
  }

  /** Every file naming DJANGO_SETTINGS_MODULE, its references resolved to files of the project. */
  private referencesByFile(): Naming {
    if (this.naming) return this.naming;
    const byFile = new Map<string, SettingsReference[]>();
    const unresolved: SettingsReference[] = [];
    const copies: ImageCopy[] = [];
    const references: SettingsReference[] = [];
    const placed = new Map<string, string>();
    for (const { file } of this.index.entryPoints()) {
      const relative = this.relative(file);
      const source = this.store.get(file);
      if (!source) continue;
      references.push(...settingsReferences(file, relative, source.text));
      if (/^(dockerfile|containerfile)|\.dockerfile$/i.test(path.basename(file))) copies.push(...imageCopies(file, this.root, source.text));
    }
    for (const reference of references) {
      // A script finds modules beside it first (Python puts its folder first on sys.path).
      const beside = reference.file.endsWith('.py') ? this.moduleFile(path.join(path.dirname(reference.file), ...reference.module.split('.'))) : undefined;
      const found = beside ?? this.resolveDotted(reference.module);
      const target = found ?? this.copiedModule(reference, copies);
      if (!target) {
        unresolved.push(reference);
        continue;
      }
      if (!found) placed.set(target, reference.module);
      byFile.set(target, [...(byFile.get(target) ?? []), reference]);
    }
    this.naming = { byFile, unresolved, placed };
    return this.naming;
  }

  /** A module named in a container image that a Dockerfile copies there from elsewhere in the repository. */
  private copiedModule(reference: SettingsReference, copies: ImageCopy[]): string | undefined {
    const tails = [reference.module.split('.').join('/') + '.py', reference.module.split('.').join('/') + '/__init__.py'];
    const matches = (imagePath: string) => tails.some((tail) => imagePath === '/' + tail || imagePath.endsWith('/' + tail));
    for (const copy of copies) {
      for (const source of copy.sources) {
        if (this.index.fileSet.has(source)) {
          const imagePath = copy.intoFolder ? path.posix.join(copy.destination, path.basename(source)) : copy.destination;
          if (matches(imagePath)) return source;
          continue;
        }
        const prefix = source + path.sep;
        for (const file of this.files) {
          if (file.startsWith(prefix) && matches(path.posix.join(copy.destination, path.relative(source, file).split(path.sep).join('/')))) return file;
        }
      }
    }
    return undefined;
  }

  /** The modules a package `__init__.py` star-imports when it assigns nothing itself; undefined for any other module. */
  private selectorTargets(file: string): string[] | undefined {
    if (path.basename(file) !== '__init__.py') return undefined;
    const evaluated = this.evaluate(file);
    if (!evaluated || evaluated.starImports.length === 0 || evaluated.included.size > 0) return undefined;
    for (const state of evaluated.settings.values()) if (state.history.some((d) => d.statement.file === file)) return undefined;
    return evaluated.starImports;
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
      const stillReads = (read: ExternalRead) => readStillHolds(read, this.resolver, file);
      const reused = this.cache?.reusable(file, source, stillReads);
      if (reused) {
        this.evaluated.set(file, reused);
        return reused;
      }
      const external: ExternalRead[] = [];
      const recording: ModuleResolver = {
        resolve: (from, name, level) => {
          const result = this.resolver.resolve(from, name, level);
          external.push(from === file ? { kind: 'resolve', name, level, result } : { kind: 'resolve', from, name, level, result });
          return result;
        },
        evaluate: (target) => {
          const result = this.evaluate(target);
          external.push({ kind: 'evaluate', file: target, result });
          return result;
        },
        glob: (dir, pattern) => {
          const result = this.resolver.glob(dir, pattern);
          external.push({ kind: 'glob', dir, pattern, result: result.join('\0') });
          return result;
        },
        source: (target) => {
          const result = this.resolver.source(target);
          external.push({ kind: 'source', file: target, result });
          return result;
        },
      };
      const result = evaluateSettingsModule(file, source.syntax(), recording, this.cache?.memoOf(file));
      this.evaluated.set(file, result);
      this.cache?.remember(file, source, result, external);
      return result;
    } finally {
      this.evaluating.delete(file);
    }
  }

  /** Production modules whose effective settings read `file` (itself or through star imports and includes). */
  productionModulesReading(file: string): SettingsModuleInfo[] {
    return this.productionModules().filter((m) => this.chainOf(m.file).includes(file));
  }

  /** The module and every module it star-imports or includes, transitively. */
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
      // A module copied into the image under another name (docker/config.py run as settings.config) imports relative to where it lands.
      const landed = level > 0 ? this.referencesByFile().placed.get(fromFile) : undefined;
      if (landed) {
        const parts = landed.split('.');
        return parts.length > level ? this.resolveDotted([...parts.slice(0, parts.length - level), ...moduleName.split('.').filter(Boolean)].join('.')) : undefined;
      }
      if (level > 0) {
        let dir = path.dirname(fromFile);
        for (let i = 1; i < level; i++) dir = path.dirname(dir);
        return this.moduleFile(path.join(dir, ...moduleName.split('.').filter(Boolean)));
      }
      return this.resolveDotted(moduleName);
    },
    evaluate: (file) => this.evaluate(file),
    glob: (dir, pattern) => this.glob(dir, pattern),
    source: (file) => this.store.get(file),
  };

  resolveDotted(dotted: string): string | undefined {
    const memo = this.index.dotted;
    if (memo.has(dotted)) return memo.get(dotted);
    const found = this.findDotted(dotted);
    memo.set(dotted, found);
    return found;
  }

  private findDotted(dotted: string): string | undefined {
    const parts = dotted.split('.').filter(Boolean);
    if (parts.length === 0) return undefined;
    for (const root of this.index.sourceRoots) {
      const found = this.moduleFile(path.join(root, ...parts));
      if (found) return found;
    }
    // A project root deeper or shallower than expected: match the path suffix (two parts at
    // least, so `os` or `json` never match some file of the project).
    if (parts.length < 2) return undefined;
    const last = parts[parts.length - 1];
    for (const [base, tail] of [
      [`${last}.py`, path.join(...parts) + '.py'],
      ['__init__.py', path.join(...parts, '__init__.py')],
    ]) {
      const found = this.index.named(base).find((file) => file.endsWith(path.sep + tail));
      if (found) return found;
    }
    return undefined;
  }

  /** Python's `glob.glob(os.path.join(dir, pattern))` over the project's files, sorted (see README: include order). */
  private glob(dir: string, pattern: string): string[] {
    const absolute = path.resolve(dir, pattern);
    if (!/[*?[]/.test(pattern)) return this.index.fileSet.has(absolute) || this.store.exists(absolute) ? [absolute] : [];
    const matcher = picomatch(absolute.split(path.sep).join('/'), { dot: false, noglobstar: true });
    return this.files.filter((file) => matcher(file.split(path.sep).join('/'))).sort();
  }

  private moduleFile(base: string): string | undefined {
    const memo = this.index.modules;
    if (memo.has(base)) return memo.get(base);
    let found: string | undefined;
    for (const candidate of [base + '.py', path.join(base, '__init__.py')]) {
      if (this.index.fileSet.has(candidate) || this.store.exists(candidate)) {
        found = candidate;
        break;
      }
    }
    memo.set(base, found);
    return found;
  }
}

function kindNote(kind: EntryPointKind): string {
  switch (kind) {
    case 'build':
      return ' (while the image is built)';
    case 'docs':
      return ' (a documentation build)';
    case 'test':
      return ' (test configuration)';
    case 'local':
      return ' (local development)';
    default:
      return '';
  }
}

/** The modules a module is built on: what it star-imports, unless only under a condition it cannot read (see conditionalImports). */
function unconditionalStarImports(evaluated: EvaluatedModule | undefined): string[] {
  return evaluated ? evaluated.starImports.filter((target) => !evaluated.conditionalImports.has(target)) : [];
}

/** The entry points startproject writes beside a settings module: they name it wherever it is run, deployed or not. */
const STARTPROJECT_ENTRY_POINTS = new Set(['wsgi.py', 'asgi.py']);

/** Decides each settings module's role from its names, what names it and what it imports (see SettingsRole). */
class RoleDecider {
  private readonly decided = new Map<string, SettingsModuleInfo>();
  private readonly deciding = new Set<string>();
  /** Modules whose role depends on whether the project has another production module. */
  private readonly pending = new Set<string>();

  constructor(
    private readonly project: Project,
    private readonly named: Map<string, SettingsReference[]>,
    private readonly configured: Set<string>,
    private readonly reachedBy: Map<string, { from: string; include: boolean }[]>,
    private readonly reasons: Map<string, string[]>,
  ) {}

  decide(file: string): SettingsModuleInfo {
    const known = this.decided.get(file);
    if (known) return known;
    this.deciding.add(file);
    const found = this.reasons.get(file) ?? [];
    const info = (role: SettingsRole, reason: string, explicit = false): SettingsModuleInfo => ({
      file,
      module: this.project.moduleName(file),
      role,
      reason,
      reasons: found.includes(reason) ? found : [...found, reason],
      explicit,
    });
    const result = this.roleOf(file, info);
    this.deciding.delete(file);
    this.decided.set(file, result);
    return result;
  }

  /** Whether a module is a settings module in its own right: it assigns, or takes from what it imports, a setting that shapes a project (INSTALLED_APPS, DATABASES, SECRET_KEY…). */
  private isWholeModule(file: string): boolean {
    const settings = this.project.evaluate(file)?.settings;
    return !!settings && CORE_SETTINGS.some((name) => settings.has(name));
  }

  private roleOf(file: string, info: (role: SettingsRole, reason: string, explicit?: boolean) => SettingsModuleInfo): SettingsModuleInfo {
    const relative = this.project.relative(file);
    const references = this.named.get(file) ?? [];
    const kinds = new Set(references.map((r) => r.kind));
    const byName = roleByName(relative);
    const reached = this.reachedBy.get(file) ?? [];
    const by = [...new Set(reached.map((r) => this.project.relative(r.from)))].sort();
    // A file include() runs is a part of the module that includes it, whatever its name.
    if (references.length === 0 && !this.configured.has(file) && reached.length > 0 && reached.every((r) => r.include)) return info('base', `only reached from ${by.join(', ')}`);
    if (this.configured.size > 0) {
      if (this.configured.has(file)) return info('production', 'configured as a production settings module (production-settings)', true);
      if (byName) return info(byName.role, byName.reason);
      if (references.length === 0 && this.reachedBy.has(file)) return info('base', `only reached from other settings modules`);
      return info('development', 'not among the configured production modules (production-settings)');
    }
    if (byName) return info(byName.role, byName.reason);
    if (kinds.size > 0 && [...kinds].every((k) => k === 'test')) return info('test', 'named only by test configuration');
    if (kinds.size > 0 && [...kinds].every((k) => k === 'docs')) return info('development', 'named only by a documentation build');
    if (kinds.size > 0 && [...kinds].every((k) => k === 'local' || k === 'test' || k === 'docs')) return info('development', 'named only where the project runs locally');
    if (kinds.has('build') && [...kinds].every((k) => k === 'build' || k === 'local' || k === 'test' || k === 'docs')) {
      return info('development', 'named only by a build step (a RUN line of a Dockerfile, such as collectstatic), which serves no requests');
    }
    // What a module is built on says what it is for: docker.py on dev.py is development. A
    // component it takes in (`from .debug_toolbar.settings import *`, a few settings of one
    // tool) is not what it is built on, whatever the component's name.
    const evaluated = this.project.evaluate(file);
    for (const target of unconditionalStarImports(evaluated)) {
      if (target === file || this.deciding.has(target) || evaluated!.included.has(target) || !this.isWholeModule(target)) continue;
      const base = this.decide(target);
      if (base.role === 'development' || base.role === 'test') return info(base.role, `star-imports ${this.project.relative(target)}, a ${base.role} module`);
    }
    const demo = this.demoProject(file, references, reached.length > 0);
    if (demo) return info('development', demo);
    const servesDevelopment = kinds.has('manage');
    // wsgi.py's `setdefault` gives way where the site runs: a Dockerfile or a Procfile that
    // names a module built on this one runs that module instead, and so does a module built on
    // this one and named for production (`production.py` on `base.py`), which the platform's
    // environment selects.
    const deployed = references.filter((r) => r.kind === 'deploy');
    if (deployed.length > 0 && deployed.every((r) => r.fallback)) {
      const builtOnThis = [...new Set(reached.filter((r) => !r.include).map((r) => r.from))];
      const replacing = builtOnThis.find((from) => (this.named.get(from) ?? []).some((r) => r.kind === 'deploy' && !r.fallback));
      const where = deployed.map((r) => this.project.relative(r.file)).join(', ');
      if (replacing) return info('base', `only a default in ${where}; where the site is deployed, ${this.project.relative(replacing)} runs and star-imports it`);
      const production = builtOnThis.find((from) => productionWord(this.project.relative(from)) && !roleByName(this.project.relative(from)));
      if (production) return info('base', `only a default in ${where}; ${this.project.relative(production)}, named for production, star-imports it and is what a deployment selects`);
    }
    if (kinds.has('deploy')) {
      const where = references.filter((r) => r.kind === 'deploy').map((r) => this.project.relative(r.file));
      return info('production', `run where the site is deployed (${where.join(', ')})`, !servesDevelopment);
    }
    const word = productionWord(relative);
    if (word) return info('production', `named like a production module (${word})`, !servesDevelopment);
    for (const target of unconditionalStarImports(evaluated)) {
      if (target === file || this.deciding.has(target) || evaluated!.included.has(target)) continue;
      const base = this.decide(target);
      if (this.pending.has(target)) {
        this.pending.add(file);
        return info('production', 'pending');
      }
      if (base.role === 'production') return info('production', `star-imports ${this.project.relative(target)}, a production module`, !servesDevelopment);
    }
    if (references.length === 0 && reached.length > 0) return info('base', `only reached from ${by.join(', ')}`);
    this.pending.add(file);
    return info('production', 'pending');
  }

  /**
   * Why a module is a demo project beside a library, or undefined: the repository publishes a
   * distribution, the module is outside the packages it ships, nothing builds on the module,
   * and only the files startproject writes beside it (wsgi.py, asgi.py, manage.py) or a local,
   * test or documentation run name it, no Dockerfile, Procfile, compose file or server
   * configuration. Such a project is run with runserver next to the library's code (its
   * DEBUG = True is the point), and nothing in the repository deploys it.
   */
  private demoProject(file: string, references: readonly SettingsReference[], reached: boolean): string | undefined {
    if (reached) return undefined;
    if (references.some((r) => r.kind === 'deploy' && !STARTPROJECT_ENTRY_POINTS.has(path.basename(r.file)))) return undefined;
    const distribution = this.project.distribution;
    if (!distribution || isPublished(distribution, this.project.relative(file))) return undefined;
    return `a demo project beside the published distribution ${distribution.name}: outside the packages it ships (${distribution.packages.join(', ')}, from ${distribution.from}), and no deployment names it`;
  }

  /** Whether a module's role waits for the rest of the project (see settlePending). */
  isPending(file: string): boolean {
    return this.pending.has(file);
  }

  /**
   * Modules named only by manage.py (or by nothing) are production when the project has no
   * other production module (a lone settings.py), else what developers run.
   */
  settlePending(modules: SettingsModuleInfo[]): void {
    const others = modules.filter((m) => m.role === 'production' && !this.pending.has(m.file));
    for (const [index, module] of modules.entries()) {
      if (!this.pending.has(module.file)) continue;
      const reasons = module.reasons.filter((r) => r !== 'pending');
      const manage = (this.named.get(module.file) ?? []).some((r) => r.kind === 'manage');
      if (others.length === 0) {
        const reason = manage ? 'the module manage.py runs, and no other module is production' : 'no other settings module is production';
        modules[index] = { ...module, role: 'production', reason, reasons: [...reasons, reason], explicit: false };
      } else {
        const production = others.map((m) => this.project.relative(m.file)).join(', ');
        const reason = `${manage ? "manage.py's default" : 'named by no deployment'} while ${production} is production (name it in production-settings to judge it)`;
        modules[index] = { ...module, role: 'development', reason, reasons: [...reasons, reason], explicit: false };
      }
    }
  }
}
