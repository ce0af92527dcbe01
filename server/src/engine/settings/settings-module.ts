import path from 'node:path';
import type { ModuleSyntax } from '../parse/module-syntax';
import { stringLiteralValue, type Node } from '../parse/python';
import type { SourceFile } from '../project/source-store';
import type { Location } from '../types';
import { evaluateUnits, TrackedMap, unitsOf, type BlockMemo, type ExternalRead, type OtherWrite, type StatementRecorder, type UnitInterpreter } from './block-memo';
import { definitionsOf, settingState } from './definition-list';
import { binaryOperation, environScheme, evaluateExpression, locationOf, MAX_EXPRESSION_DEPTH, qualifiedName, type Binding, type Scope } from './evaluate-expression';
import { helperBinding, importedHelper } from './helper-functions';
import { moduleLayout, TopLevelStatements } from './module-layout';
import { assignedNamesWithin, boundNames, MUTATING_LIST_METHODS, rootNames } from './statement-names';
import { atPath, conditionalChanges, listOf, mutated, setPath, subscriptPath, widen } from './value-changes';
import type { EvaluatedModule, ModuleResolver, SettingDefinition, SettingState } from './module-state';
import { bounded, truthy, unsetView, UNKNOWN, type Value } from './values';

export type { EvaluatedModule, ModuleLayout, ModuleResolver, SettingDefinition, SettingState } from './module-state';

/** Whether what a module read of other files reads the same now. */
export function readStillHolds(read: ExternalRead, resolver: ModuleResolver, file: string): boolean {
  switch (read.kind) {
    case 'resolve':
      return resolver.resolve(read.from ?? file, read.name, read.level) === read.result;
    case 'evaluate':
      return resolver.evaluate(read.file) === read.result;
    case 'glob':
      return resolver.glob(read.dir, read.pattern).join('\0') === read.result;
    case 'source':
      return resolver.source(read.file) === read.result;
  }
}

/** `if` statements nested deeper than this are not followed (CPython refuses 100 levels of indentation). */
const MAX_BLOCK_DEPTH = 100;

const ENVIRON_READERS = new Set(['environ.Env', 'environ.FileAwareEnv']);
/** How many files `include()` may nest (a component including components). */
const MAX_INCLUDE_DEPTH = 8;

/** Reads a settings module top to bottom the way Python would execute it, statically. */
export function evaluateSettingsModule(file: string, tree: ModuleSyntax, resolver: ModuleResolver, memo?: BlockMemo): EvaluatedModule {
  const settings = new TrackedMap<SettingState>(0);
  const bindings = new TrackedMap<Binding>(1);
  const starImports: string[] = [];
  const starImportSites = new Map<string, Location>();
  const included = new Set<string>();
  /** Files star-imported at least once with no condition in the way. */
  const unconditional = new Set<string>();
  let incomplete = false;
  let incompleteReason: string | undefined;
  let recorder: StatementRecorder | undefined;

  // Everything a statement does beyond the two maps goes through these, so it can be recorded.
  const resolve = (name: string, level: number): string | undefined => {
    // An included file imports relative to where it is.
    const from = scope.file;
    const result = resolver.resolve(from, name, level);
    recorder?.readExternal(from === file ? { kind: 'resolve', name, level, result } : { kind: 'resolve', from, name, level, result });
    return result;
  };
  const globFiles = (dir: string, pattern: string): string[] => {
    const result = resolver.glob(dir, pattern);
    recorder?.readExternal({ kind: 'glob', dir, pattern, result: result.join('\0') });
    return result;
  };
  const sourceOf = (target: string): SourceFile | undefined => {
    const result = resolver.source(target);
    recorder?.readExternal({ kind: 'source', file: target, result });
    return result;
  };
  const evaluateOther = (target: string): EvaluatedModule | undefined => {
    const result = resolver.evaluate(target);
    recorder?.readExternal({ kind: 'evaluate', file: target, result });
    return result;
  };
  const addStarImport = (target: string, site: Location, include: boolean, conditional: boolean) => {
    recorder?.write(['star-import', target, site, include, conditional]);
    noteStarImport(target, site, include, conditional);
  };
  const localOverrides: { name: string; site: Location }[] = [];
  const addLocalOverride = (name: string, site: Location) => {
    recorder?.write(['local-override', name, site]);
    noteLocalOverride(name, site);
  };
  const markIncomplete = (reason?: string) => {
    recorder?.write(reason ? ['incomplete', reason] : ['incomplete']);
    incomplete = true;
    incompleteReason ??= reason;
  };

  const limits = new Set<string>();
  const scope: Scope = {
    file,
    lookup: (name) => bindings.get(name),
    importedModule: (qualified) => {
      const { name, level } = splitRelative(qualified);
      const target = resolve(name, level);
      return target && target !== file ? evaluateOther(target) : undefined;
    },
    limitReached: (message) => limits.add(message),
  };
  /** How deep `if` statements nest at the statement being run. */
  let blockDepth = 0;
  const loc = (node: Node): Location => locationOf(scope, node);

  const define = (name: string, computed: Value, definition: Omit<SettingDefinition, 'name' | 'value'>) => {
    const value = bounded(computed);
    const def: SettingDefinition = { name, value, ...definition };
    settings.set(name, settingState(name, value, def, definitionsOf(settings.get(name)).append([def])));
    bindings.set(name, { kind: 'value', value });
  };
  const markUnknown = (name: string, statement: Node) => define(name, { kind: 'unknown', loc: loc(statement) }, { statement: loc(statement), kind: 'conditional' });

  const starImport = (statement: Node, conditional: boolean) => {
    const moduleNode = statement.childForFieldName('module_name');
    if (!moduleNode) return;
    const { name, level } = splitRelative(moduleNode.text);
    const target = resolve(name, level);
    const evaluated = target ? evaluateOther(target) : undefined;
    if (!evaluated) {
      if (!conditional) markIncomplete();
      // A module the repository does not hold, taken in only if it is there: the deployment's own settings.
      else if (!target) addLocalOverride(`from ${moduleNode.text} import *`, loc(statement));
      return;
    }
    addStarImport(target!, loc(statement), false, conditional);
    if (evaluated.incomplete && !conditional) markIncomplete(evaluated.incompleteReason);
    if (!conditional) for (const override of evaluated.localOverrides) addLocalOverride(override.name, override.site);
    for (const [bound, binding] of evaluated.bindings) {
      if (bound.startsWith('_')) continue;
      const state = evaluated.settings.get(bound);
      if (conditional) {
        if (state) markUnknown(bound, statement);
        continue;
      }
      bindings.set(bound, binding);
      if (state) {
        settings.set(bound, settingState(state.name, state.value, state.definition, definitionsOf(settings.get(bound)).append(state.history)));
      }
    }
  };

  const importStatement = (statement: Node) => {
    if (statement.type === 'import_statement') {
      for (const child of statement.namedChildren) {
        if (!child) continue;
        if (child.type === 'dotted_name') {
          const top = child.text.split('.')[0];
          bindings.set(top, moduleBinding(top));
        } else if (child.type === 'aliased_import') {
          const target = child.childForFieldName('name')?.text;
          const alias = child.childForFieldName('alias')?.text;
          if (target && alias) bindings.set(alias, moduleBinding(target));
        }
      }
      return;
    }
    if (statement.type === 'import_from_statement') {
      if (statement.namedChildren.some((c) => c?.type === 'wildcard_import')) {
        starImport(statement, false);
        return;
      }
      const moduleNode = statement.childForFieldName('module_name');
      const moduleName = moduleNode?.text ?? '';
      let source: EvaluatedModule | undefined;
      if (moduleNode) {
        const { name, level } = splitRelative(moduleName);
        const resolved = resolve(name, level);
        source = resolved && resolved !== file ? evaluateOther(resolved) : undefined;
      }
      for (const child of statement.childrenForFieldName('name')) {
        if (!child) continue;
        const target = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.text;
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : child.text;
        if (!target || !alias) continue;
        // `from .base import SECRET_KEY` brings the setting with its history.
        const state = source?.settings.get(target);
        const binding = source?.bindings.get(target);
        if (state) {
          const history = state.history.map((d) => ({ ...d, name: alias }));
          settings.set(alias, { name: alias, value: state.value, definition: history[history.length - 1], history });
          bindings.set(alias, { kind: 'value', value: state.value });
          continue;
        }
        settings.delete(alias);
        const qualified = moduleName.endsWith('.') ? `${moduleName}${target}` : `${moduleName}.${target}`;
        if (binding) {
          // A helper keeps reading the names of the module that defines it.
          bindings.set(alias, binding.kind === 'function' ? importedHelper(binding, source!.bindings) : binding);
        } else if (!source && isSettingName(alias)) {
          // A settings value from a module that cannot be read (often a git-ignored secrets file).
          markUnknown(alias, statement);
          bindings.set(alias, moduleBinding(qualified));
        } else {
          bindings.set(alias, moduleBinding(qualified));
        }
      }
    }
  };

  const assignment = (statement: Node, expr: Node) => {
    const targets: Node[] = [];
    let right: Node | null = expr;
    while (right && right.type === 'assignment') {
      const left = right.childForFieldName('left');
      if (left) targets.push(left);
      right = right.childForFieldName('right');
    }
    if (!right) {
      // `X: int` only annotates; it binds nothing.
      if (expr.childForFieldName('type') && targets.length === 1) return;
      for (const t of targets) for (const name of boundNames(t)) markUnknown(name, statement);
      return;
    }
    const callee = right.type === 'call' ? (qualifiedName(right.childForFieldName('function'), scope) ?? '') : undefined;
    // environ.Env(...) creates a reader, not a setting; FileAwareEnv also reads `X_FILE` files, the same way.
    if (callee !== undefined && ENVIRON_READERS.has(callee)) {
      const scheme = environScheme(right, scope);
      for (const t of targets) if (t.type === 'identifier') bindings.set(t.text, { kind: 'environ-env', scheme });
      return;
    }
    if (callee !== undefined && /^decouple\.(AutoConfig|Config)$/.test(callee)) {
      for (const t of targets) if (t.type === 'identifier') bindings.set(t.text, moduleBinding('decouple.config'));
      return;
    }
    const value = evaluateExpression(right, scope);
    for (const target of targets) {
      if (target.type === 'identifier') {
        // The value carries where its expression is (see evaluateExpression).
        define(target.text, value, { statement: loc(statement), valueLoc: value.loc ?? loc(right), kind: 'assign' });
      } else if (target.type === 'subscript') {
        subscriptAssignment(statement, target, value);
      } else {
        for (const name of boundNames(target)) markUnknown(name, statement);
      }
    }
  };

  /** `DATABASES['default']['PASSWORD'] = ...` updates the known dict in place. */
  const subscriptAssignment = (statement: Node, target: Node, value: Value) => {
    const path: Value[] = [];
    let node: Node | null = target;
    while (node && node.type === 'subscript') {
      const subscripts = node.childrenForFieldName('subscript');
      if (subscripts.length !== 1 || !subscripts[0]) return;
      path.push(evaluateExpression(subscripts[0], scope));
      node = node.childForFieldName('value');
    }
    path.reverse();
    if (!node || node.type !== 'identifier') return;
    if (path.length > MAX_EXPRESSION_DEPTH) {
      scope.limitReached?.(`a subscript assignment goes deeper than ${MAX_EXPRESSION_DEPTH} levels; its setting is read as unknown`);
      if (settings.has(node.text)) markUnknown(node.text, statement);
      return;
    }
    const state = settings.get(node.text);
    if (!state) return;
    const updated = setPath(state.value, path, value);
    define(node.text, updated, { statement: loc(statement), kind: 'mutate' });
  };

  const augmentedAssignment = (statement: Node, expr: Node) => {
    const left = expr.childForFieldName('left');
    const right = expr.childForFieldName('right');
    const op = expr.childForFieldName('operator')?.text;
    if (!left || left.type !== 'identifier') {
      if (left) for (const name of rootNames(left)) if (settings.has(name)) markUnknown(name, statement);
      return;
    }
    const current = settings.get(left.text)?.value ?? UNKNOWN;
    const addend = evaluateExpression(right, scope);
    let next: Value = UNKNOWN;
    if (op === '+=') {
      const c = unsetView(current);
      const a = unsetView(addend);
      // NOTE: list += any iterable extends the list, tuple or not.
      next = c.kind === 'list' && !c.tuple && a.kind === 'list' ? listOf([...c.items, ...a.items], !!(c.open || a.open)) : binaryOperation('+', c, a);
    } else if (op) {
      next = binaryOperation(op.slice(0, -1), unsetView(current), unsetView(addend));
    }
    define(left.text, next, { statement: loc(statement), kind: 'mutate' });
  };

  const methodCall = (statement: Node, call: Node) => {
    const callee = call.childForFieldName('function');
    if (!callee || callee.type !== 'attribute') return;
    const method = callee.childForFieldName('attribute')?.text ?? '';
    const receiver = callee.childForFieldName('object');
    if (!receiver || !MUTATING_LIST_METHODS.has(method)) return;
    const target = subscriptPath(receiver, scope);
    const rootName = target?.root ?? rootNames(receiver)[0];
    if (!rootName || !settings.has(rootName)) return;
    if (!target) {
      markUnknown(rootName, statement);
      return;
    }
    const state = settings.get(rootName)!;
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
    const values = args.map((a) => (a.type === 'keyword_argument' || a.type.endsWith('splat') ? UNKNOWN : evaluateExpression(a, scope)));
    // `TEMPLATES[0]["OPTIONS"]["context_processors"].append(...)` changes one list inside the setting.
    const next = atPath(state.value, target.path, (container) => mutated(unsetView(container), method, values));
    define(rootName, next, { statement: loc(statement), kind: 'mutate' });
  };

  /**
   * django-split-settings: `include("components/*.py", optional("local.py"))` runs each file
   * matched, in order, in this module's namespace, as if its statements were written here;
   * what they set is located in their own file. A required file that is missing (Django would
   * not start) or a pattern that cannot be read leaves the module incomplete.
   */
  const include = (statement: Node, call: Node) => {
    const patterns = includePatterns(call, scope);
    if (!patterns || includeDepth >= MAX_INCLUDE_DEPTH) {
      markIncomplete(patterns ? `its include()s nest deeper than ${MAX_INCLUDE_DEPTH} files` : `it includes files whose names cannot be read statically (\`${shortened(call.text)}\`)`);
      return;
    }
    const site = loc(statement);
    const dir = path.dirname(scope.file);
    const done = new Set<string>();
    for (const { pattern, optional } of patterns) {
      const files = globFiles(dir, pattern);
      if (files.length === 0 && !optional) markIncomplete(`it includes ${pattern}, which matches no file`);
      for (const target of files) {
        if (target === file || target === scope.file || done.has(target)) continue;
        done.add(target);
        const source = sourceOf(target);
        if (!source) {
          if (!optional) markIncomplete(`it includes ${path.relative(dir, target)}, which cannot be read`);
          continue;
        }
        addStarImport(target, site, true, false);
        runIncluded(target, source);
      }
    }
  };
  let includeDepth = 0;
  /**
   * Runs an included file's statements in this namespace, recorded as the including
   * statement's: with a memo, by its own memo of that file, so an edit to it runs the
   * statements it touched, not the whole file.
   */
  const runIncluded = (target: string, source: SourceFile) => {
    const saved = { file: scope.file, anchor: scope.anchor };
    const including = recorder;
    scope.file = target;
    scope.anchor = undefined;
    includeDepth++;
    try {
      const included: UnitInterpreter = {
        settings,
        bindings,
        enter: (anchor, statementRecorder) => {
          scope.anchor = anchor;
          recorder = settings.recorder = bindings.recorder = statementRecorder ?? including;
        },
        run: runTopLevel,
        leave: () => {
          const inner = recorder;
          scope.anchor = undefined;
          recorder = settings.recorder = bindings.recorder = including;
          if (including && inner && inner !== including) including.absorb(inner.recorded());
        },
        applyOther,
        stillReads,
        replayed: (records) => {
          for (const record of records) including?.absorb(record);
        },
      };
      evaluateUnits(unitsOf(source.syntax()), included, new TopLevelStatements(), including && memo?.included(target));
    } finally {
      recorder = settings.recorder = bindings.recorder = including;
      includeDepth--;
      scope.file = saved.file;
      scope.anchor = saved.anchor;
    }
  };

  const compound = (statement: Node) => {
    if (statement.type === 'if_statement' && blockDepth >= MAX_BLOCK_DEPTH) {
      scope.limitReached?.(`\`if\` statements nest deeper than ${MAX_BLOCK_DEPTH} levels; what the deeper ones assign is read as unknown`);
    } else if (statement.type === 'if_statement') {
      const condition = statement.childForFieldName('condition');
      if (condition?.type === 'named_expression') {
        // `if v := os.getenv("HOSTS"):` binds v for the branch.
        const name = condition.childForFieldName('name')?.text;
        if (name) bindings.set(name, { kind: 'value', value: evaluateExpression(condition.childForFieldName('value'), scope) });
      }
      const chosen = chooseIfBranch(statement, scope);
      if (chosen !== undefined) {
        blockDepth++;
        try {
          if (chosen) for (const child of chosen.namedChildren) if (child) run(child);
        } finally {
          blockDepth--;
        }
        return;
      }
    }
    // What may or may not run: a list only added to keeps what it held ("contains at least").
    const changes = conditionalChanges(statement, scope);
    for (const name of assignedNamesWithin(statement)) {
      if (name.startsWith('*')) continue;
      const state = settings.get(name);
      const widened = state && changes.get(name)?.reduce<Value>((value, change) => widen(value, change), state.value);
      if (widened && widened.kind !== 'unknown') define(name, widened, { statement: loc(statement), kind: 'conditional' });
      else markUnknown(name, statement);
    }
    for (const imp of statement.descendantsOfType('import_from_statement')) {
      if (imp?.namedChildren.some((c) => c?.type === 'wildcard_import')) starImport(imp, true);
    }
    // `exec(f.read(), globals())` under a condition (a `try` around reading a file): a file of the deployment's own, run in the module's namespace.
    for (const call of statement.descendantsOfType('call')) {
      const callee = call?.childForFieldName('function');
      if (callee?.type === 'identifier' && callee.text === 'exec' && /\bglobals\(\s*\)/.test(call!.childForFieldName('arguments')?.text ?? '')) addLocalOverride('exec(…, globals())', loc(call!));
    }
  };

  const run = (statement: Node) => {
    switch (statement.type) {
      case 'import_statement':
      case 'import_from_statement':
        importStatement(statement);
        return;
      case 'expression_statement': {
        const expr = statement.namedChildren[0];
        if (!expr) return;
        if (expr.type === 'assignment') assignment(statement, expr);
        else if (expr.type === 'augmented_assignment') augmentedAssignment(statement, expr);
        else if (expr.type === 'call') {
          if (qualifiedName(expr.childForFieldName('function'), scope) === SPLIT_SETTINGS_INCLUDE) include(statement, expr);
          else if (writesModuleNamespace(expr)) markIncomplete(`it fills its namespace at run time (\`${shortened(expr.text)}\`)`);
          else methodCall(statement, expr);
        }
        return;
      }
      case 'delete_statement':
        for (const target of statement.namedChildren.flatMap((c) => (c?.type === 'expression_list' ? c.namedChildren : [c]))) {
          if (target?.type === 'identifier') {
            settings.delete(target.text);
            bindings.delete(target.text);
          } else if (target) for (const name of rootNames(target)) if (settings.has(name)) markUnknown(name, statement);
        }
        return;
      case 'function_definition':
      case 'class_definition':
      case 'decorated_definition': {
        const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
        const name = definition?.childForFieldName('name')?.text;
        if (name) {
          // The name now refers to a function or class: it shadows builtins such as bool().
          settings.delete(name);
          bindings.set(name, helperBinding(statement) ?? { kind: 'value', value: UNKNOWN });
        }
        return;
      }
      case 'if_statement':
      case 'try_statement':
      case 'with_statement':
      case 'for_statement':
      case 'while_statement':
      case 'match_statement':
        compound(statement);
        return;
      default:
        return;
    }
  };

  /** Runs one top-level statement; false when it failed half way (what it may assign is then unknown). */
  function runTopLevel(statement: Node): boolean {
    try {
      run(statement);
      return true;
    } catch {
      // Deeply nested or malformed code: what the statement may assign is unknown.
      try {
        for (const name of assignedNamesWithin(statement)) markUnknown(name, statement);
      } catch {
        markIncomplete();
      }
      return false;
    }
  }
  /** A star import or include of `target`: an unconditional one makes it so whatever came before. */
  function noteStarImport(target: string, site: Location, include: boolean, conditional: boolean): void {
    starImports.push(target);
    starImportSites.set(target, site);
    if (include) included.add(target);
    if (!conditional) unconditional.add(target);
  }
  function noteLocalOverride(name: string, site: Location): void {
    if (!localOverrides.some((known) => known.name === name && known.site.file === site.file)) localOverrides.push({ name, site });
  }
  /** A replayed statement's write to neither map; its recorder (if any) is told by whoever replays it. */
  function applyOther(write: OtherWrite): void {
    if (write[0] === 'star-import') noteStarImport(write[1], write[2], write[3], write[4]);
    else if (write[0] === 'local-override') noteLocalOverride(write[1], write[2]);
    else {
      incomplete = true;
      incompleteReason ??= write[1];
    }
  }
  function stillReads(read: ExternalRead): boolean {
    return readStillHolds(read, resolver, file);
  }

  const statements = new TopLevelStatements();
  evaluateUnits(
    unitsOf(tree),
    {
      settings,
      bindings,
      enter: (anchor, unitRecorder) => {
        scope.anchor = anchor;
        recorder = settings.recorder = bindings.recorder = unitRecorder;
      },
      run: runTopLevel,
      leave: () => {
        scope.anchor = undefined;
        recorder = settings.recorder = bindings.recorder = undefined;
      },
      applyOther,
      stillReads,
    },
    statements,
    memo,
  );
  memo?.keepIncluded(included);
  return {
    file,
    settings: settings.map,
    bindings: bindings.map,
    starImports,
    starImportSites,
    included,
    conditionalImports: new Set(starImports.filter((target) => !unconditional.has(target))),
    localOverrides,
    incomplete,
    ...(incompleteReason ? { incompleteReason } : {}),
    layout: moduleLayout(file, statements),
    ...(limits.size > 0 ? { limits: [...limits] } : {}),
  };
}

const SPLIT_SETTINGS_INCLUDE = 'split_settings.tools.include';
const SPLIT_SETTINGS_OPTIONAL = 'split_settings.tools.optional';

/** The patterns an `include(...)` call names, each marked optional or not; undefined when one cannot be read. */
function includePatterns(call: Node, scope: Scope): { pattern: string; optional: boolean }[] | undefined {
  const patterns: { pattern: string; optional: boolean }[] = [];
  const stringOf = (node: Node | null | undefined): string | undefined => {
    if (!node) return undefined;
    const literal = stringLiteralValue(node);
    if (literal !== undefined) return literal;
    const value = evaluateExpression(node, scope);
    return value.kind === 'string' ? value.value : undefined;
  };
  for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!argument || argument.type === 'comment' || argument.type === 'keyword_argument') continue;
    if (argument.type === 'list_splat') {
      const spread = unsetView(evaluateExpression(argument.namedChildren[0], scope));
      if (spread.kind !== 'list' || spread.open) return undefined;
      for (const item of spread.items) {
        const value = unsetView(item);
        if (value.kind !== 'string') return undefined;
        patterns.push({ pattern: value.value, optional: false });
      }
      continue;
    }
    if (argument.type === 'call' && qualifiedName(argument.childForFieldName('function'), scope) === SPLIT_SETTINGS_OPTIONAL) {
      const inner = argument.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
      const pattern = inner.length === 1 ? stringOf(inner[0]) : undefined;
      if (pattern === undefined) return undefined;
      patterns.push({ pattern, optional: true });
      continue;
    }
    const pattern = stringOf(argument);
    if (pattern === undefined) return undefined;
    patterns.push({ pattern, optional: false });
  }
  return patterns;
}

const moduleBindings = new Map<string, Binding>();

/**
 * One object per imported name: a statement that runs again (next to a syntax error, say)
 * binds the very object it bound before, so what reads it (`os.environ.get(...)` on every
 * other line) still replays.
 */
function moduleBinding(qualified: string): Binding {
  let binding = moduleBindings.get(qualified);
  if (!binding) {
    // Names typed letter by letter in an import would pile up: start over now and then.
    if (moduleBindings.size >= 10_000) moduleBindings.clear();
    binding = { kind: 'module', qualified };
    moduleBindings.set(qualified, binding);
  }
  return binding;
}

/** Django reads only upper-case module attributes as settings (`str.isupper()`). */
function isSettingName(name: string): boolean {
  return /[A-Z]/.test(name) && !/[a-z]/.test(name);
}

function splitRelative(moduleText: string): { name: string; level: number } {
  const match = /^(\.*)(.*)$/.exec(moduleText.replace(/\s+/g, ''))!;
  return { level: match[1].length, name: match[2] };
}

/** The block an `if` statement runs when its conditions can be read, `null` for none. */
function chooseIfBranch(statement: Node, scope: Scope): Node | null | undefined {
  const condition = truthy(evaluateExpression(statement.childForFieldName('condition'), scope));
  if (condition === undefined) return undefined;
  if (condition) return statement.childForFieldName('consequence');
  for (const alternative of statement.childrenForFieldName('alternative')) {
    if (!alternative) continue;
    if (alternative.type === 'else_clause') return alternative.childForFieldName('body');
    if (alternative.type === 'elif_clause') {
      const c = truthy(evaluateExpression(alternative.childForFieldName('condition'), scope));
      if (c === undefined) return undefined;
      if (c) return alternative.childForFieldName('consequence');
    }
  }
  return null;
}

/**
 * Whether a call writes settings into the module by name rather than by assignment: a
 * class-based settings loader given the module (`DockerSettings.load_settings(__name__)`,
 * django-configurations' `values.setup(__name__)`), a helper handed the namespace
 * (django-heroku's `django_heroku.settings(locals())`), `globals().update(…)`, `vars().update(…)`,
 * or `setattr(sys.modules[__name__], …)`. What such a module holds is known only when it runs.
 */
function writesModuleNamespace(call: Node): boolean {
  const callee = call.childForFieldName('function');
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
  if (args.some((arg) => (arg.type === 'identifier' && arg.text === '__name__') || isNamespaceCall(arg))) return true;
  if (args[0]?.type === 'subscript' && /^sys\.modules\[\s*__name__\s*\]$/.test(args[0].text)) return true;
  if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'update') return false;
  return isNamespaceCall(callee.childForFieldName('object'));
}

/** `globals()`, `locals()` or `vars()` with no argument: the module's own namespace, at module level. */
function isNamespaceCall(node: Node | null | undefined): boolean {
  if (node?.type !== 'call' || (node.childForFieldName('arguments')?.namedChildCount ?? 1) !== 0) return false;
  const name = node.childForFieldName('function')?.text;
  return name === 'globals' || name === 'vars' || name === 'locals';
}

/** A statement's text on one line, cut short enough for a note. */
function shortened(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 60 ? line.slice(0, 59) + '…' : line;
}
