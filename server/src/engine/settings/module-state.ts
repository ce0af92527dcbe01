import type { SourceFile } from '../project/source-store';
import type { Location, Position } from '../types';
import type { Binding } from './evaluate-expression';
import type { Value } from './values';

// What the settings interpreter produces and needs, apart from how it runs: the rules,
// the fixes, the block memo and the project model read these.

/** One place that gave a setting its value. */
export interface SettingDefinition {
  name: string;
  value: Value;
  /** The whole statement. */
  statement: Location;
  /** The right-hand side of a plain assignment, when that is what defined it. */
  valueLoc?: Location;
  kind: 'assign' | 'mutate' | 'conditional';
}

export interface SettingState {
  name: string;
  value: Value;
  /** The definition that wins (the last one). */
  definition: SettingDefinition;
  /** Every definition in execution order, across star-imported modules. */
  history: SettingDefinition[];
}

/** Where inserted code goes in a module. */
export interface ModuleLayout {
  /** End of the last top-level import at the head of the module (after the docstring). */
  importsEnd?: Position;
  /** Start of the module body after the docstring and `from __future__` imports. */
  bodyStart: Position;
  /** End of the last top-level assignment, the anchor of a hardening block. */
  lastAssignmentEnd?: Position;
  /** Where a missing setting is reported: the first statement after the imports. */
  anchor: Location;
  /** Names this module imports itself, by the name bound (`os`, `config`, `env`). */
  ownImports: Map<string, string>;
}

export interface EvaluatedModule {
  file: string;
  /**
   * The module's settings by name, in the order Python would have them. An evaluation makes
   * new maps (or returns the last one's, when it applied the very same records in the same
   * order), and nothing changes them once it is done: what an earlier evaluation returned
   * stays as it was (the block memo compares recorded values by identity).
   */
  settings: Map<string, SettingState>;
  bindings: Map<string, Binding>;
  /** Files this module star-imports or includes (django-split-settings), in order, resolved. */
  starImports: string[];
  /** The `from … import *` (or `include(…)`) statements of this module, by the file each one brings in. */
  starImportSites: Map<string, Location>;
  /** Of starImports, the files brought in by django-split-settings' `include()`, run in this module's namespace. */
  included: Set<string>;
  /**
   * Of starImports, the files brought in only under a condition the evaluation cannot read
   * (`if TESTING: from .test import *`, `try: from .local import *`): what the module may
   * become, not what it is built on.
   */
  conditionalImports: Set<string>;
  /**
   * Settings files the repository does not hold that the module (or a module it is built on)
   * takes in under a condition, as a deployment's own overrides: `try: from .local_settings
   * import *` where there is no such module, `exec(open(…).read(), globals())` in a `try`.
   * Each is named as written, with the statement that takes it in.
   */
  localOverrides: { name: string; site: Location }[];
  /** True when a star import could not be resolved, or the module fills its namespace at run time: the effective settings are incomplete. */
  incomplete: boolean;
  /** Why the settings are incomplete, when it is not a star import or include() that cannot be followed. */
  incompleteReason?: string;
  layout: ModuleLayout;
  /** Limits the evaluation stopped at (an expression nested too deeply, …), each read as unknown. */
  limits?: string[];
}

export interface ModuleResolver {
  /** The file a (possibly relative) module name refers to from `fromFile`. */
  resolve(fromFile: string, moduleName: string, level: number): string | undefined;
  /** Evaluates another module (cached, cycle-safe); undefined when it cannot be read. */
  evaluate(file: string): EvaluatedModule | undefined;
  /** The project's files a glob pattern (Python's `glob.glob`, relative to `dir`) matches, sorted. */
  glob(dir: string, pattern: string): string[];
  /** A file's source, for one the module runs in its own namespace (`include()`). */
  source(file: string): SourceFile | undefined;
}
