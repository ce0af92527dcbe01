import { parsePython, type Node, type Tree } from '../parse/python';
import type { Location } from '../types';
import { evaluateExpression, locationOf, type Binding, type Scope } from './evaluate-expression';
import { truthy, unsetView, UNKNOWN, type Value } from './values';

/**
 * A small function of the settings package (`envbool`, `get_bool_from_env`, `get_list`),
 * kept as its source text: its calls are read by running its body statically with the
 * call's arguments, so `DEBUG = envbool("DEBUG", "True")` is the environment read it wraps.
 * The text, not a syntax node, is kept: a node dies with the tree it came from, and the
 * binding outlives the module's next parse.
 */
export interface HelperFunction {
  name: string;
  text: string;
  /** The names of the module that defines it, when it was imported from another module. */
  globals?: ReadonlyMap<string, Binding>;
}

/** How deep helpers may call helpers (`get_bool_from_env` → `str_to_bool`). */
const MAX_DEPTH = 4;
/** Statements a call may run, loops aside: a helper is a few lines. */
const MAX_STATEMENTS = 64;

/** Decorators that leave what a call returns as the body says. */
const TRANSPARENT_DECORATORS = new Set(['overload', 'typing.overload', 'lru_cache', 'functools.lru_cache', 'cache', 'functools.cache']);

const functionBindings = new Map<string, Binding>();

/**
 * The binding of a top-level `def` (or one decorated only with `@overload`, `@lru_cache`):
 * one object per function text, so a statement that runs again binds the very object it
 * bound before and what calls it still replays. Undefined when the function is not one
 * whose calls can be read (other decorators, `*args`).
 */
export function helperBinding(statement: Node): Binding | undefined {
  let definition: Node | null = statement;
  if (statement.type === 'decorated_definition') {
    for (const decorator of statement.namedChildren) {
      if (decorator?.type !== 'decorator') continue;
      const expression = decorator.namedChildren[0];
      const name = expression?.type === 'call' ? expression.childForFieldName('function')?.text : expression?.text;
      if (!name || !TRANSPARENT_DECORATORS.has(name)) return undefined;
    }
    definition = statement.childForFieldName('definition');
  }
  if (!definition || definition.type !== 'function_definition' || definition.hasError) return undefined;
  const name = definition.childForFieldName('name')?.text;
  if (!name) return undefined;
  const text = definition.text;
  const key = `${name}\0${text}`;
  let binding = functionBindings.get(key);
  if (!binding) {
    if (functionBindings.size >= 1_000) functionBindings.clear();
    binding = { kind: 'function', helper: { name, text } };
    functionBindings.set(key, binding);
  }
  return binding;
}

/** The same function, read with the names of the module that defines it. */
export function importedHelper(binding: Extract<Binding, { kind: 'function' }>, globals: ReadonlyMap<string, Binding>): Binding {
  return { kind: 'function', helper: { ...binding.helper, globals } };
}

/** Parsed function texts, kept while in use; one parse per distinct helper. */
const parsed = new Map<string, Tree>();
let active = 0;

function definitionOf(text: string): Node | undefined {
  let tree = parsed.get(text);
  if (!tree) {
    if (active === 0 && parsed.size >= 256) {
      for (const old of parsed.values()) old.delete();
      parsed.clear();
    }
    tree = parsePython(text);
    parsed.set(text, tree);
  }
  const node = tree.rootNode.namedChildren[0];
  return node?.type === 'function_definition' && !tree.rootNode.hasError ? node : undefined;
}

interface Frame {
  callSite: Location;
  locals: Map<string, Value>;
  /** Where each argument was written in the caller, by parameter name. */
  argumentLocs: Map<string, Location | undefined>;
  depth: number;
  statements: number;
  /** The first environment read a condition on the path taken depended on. */
  governing?: Extract<Value, { kind: 'env' }>;
}

const RAISED = Symbol('raised');
const GAVE_UP = Symbol('gave up');
type Outcome = Value | typeof RAISED | typeof GAVE_UP | undefined;

/**
 * What a call of a helper returns, as static reading tells it: the body is run with the
 * arguments bound, taking at each `if` the branch the values take when environment
 * variables are unset. A result reached through a condition on an environment read is that
 * read, with the result as its value when unset (`return default` under `if value is None`
 * is the default of `os.environ.get(name)`); a `raise` on that path makes the variable
 * required. Anything the reading cannot follow (loops, `try`, unknown conditions) is unknown.
 */
export function callHelper(helper: HelperFunction, positional: Node[], keywords: Map<string, Node>, call: Node, caller: Scope): Value {
  const depth = (caller.frame?.depth ?? 0) + 1;
  if (depth > MAX_DEPTH) return UNKNOWN;
  active++;
  try {
    const definition = definitionOf(helper.text);
    if (!definition) return UNKNOWN;
    const callSite = locationOf(caller, call);
    const frame: Frame = { callSite, locals: new Map(), argumentLocs: new Map(), depth, statements: 0 };
    const globals = helper.globals;
    const scope: Scope = {
      file: caller.file,
      lookup: (name) => {
        const local = frame.locals.get(name);
        if (local) return { kind: 'value', value: local };
        return globals ? globals.get(name) : caller.lookup(name);
      },
      importedModule: caller.importedModule,
      frame,
    };
    if (!bindArguments(definition, positional, keywords, caller, scope, frame)) return UNKNOWN;
    const body = definition.childForFieldName('body');
    const outcome = body ? runBlock(body, scope, frame) : undefined;
    if (outcome === GAVE_UP) return UNKNOWN;
    if (outcome === RAISED) return frame.governing ? { ...frame.governing, whenUnset: UNKNOWN, defaultLoc: undefined } : UNKNOWN;
    const result = outcome ?? { kind: 'none' };
    if (result.kind === 'env' || !frame.governing) return result;
    return { ...frame.governing, whenUnset: unsetView(result), defaultLoc: frame.governing.defaultLoc ?? result.loc };
  } catch {
    return UNKNOWN;
  } finally {
    active--;
  }
}

/** Binds parameters to the call's arguments (or their defaults); false when that cannot be done exactly. */
function bindArguments(definition: Node, positional: Node[], keywords: Map<string, Node>, caller: Scope, scope: Scope, frame: Frame): boolean {
  const parameters = definition.childForFieldName('parameters');
  if (!parameters) return false;
  let index = 0;
  let keywordOnly = false;
  const used = new Set<string>();
  for (const parameter of parameters.namedChildren) {
    if (!parameter || parameter.type === 'comment') continue;
    if (parameter.type === 'keyword_separator') {
      keywordOnly = true;
      continue;
    }
    if (parameter.type === 'positional_separator') continue;
    let name: string | undefined;
    let defaultNode: Node | null = null;
    if (parameter.type === 'identifier') name = parameter.text;
    else if (parameter.type === 'typed_parameter') name = parameter.namedChildren.find((c) => c?.type === 'identifier')?.text;
    else if (parameter.type === 'default_parameter' || parameter.type === 'typed_default_parameter') {
      name = parameter.childForFieldName('name')?.text;
      defaultNode = parameter.childForFieldName('value');
    } else return false;
    if (!name) return false;
    let argument: Node | undefined;
    if (!keywordOnly && index < positional.length) argument = positional[index++];
    else if (keywords.has(name)) argument = keywords.get(name);
    if (argument) {
      used.add(name);
      const value = evaluateExpression(argument, caller);
      frame.locals.set(name, value);
      frame.argumentLocs.set(name, value.loc);
    } else if (defaultNode) {
      frame.locals.set(name, evaluateExpression(defaultNode, scope));
      frame.argumentLocs.set(name, undefined);
    } else return false;
  }
  if (index < positional.length) return false;
  for (const keyword of keywords.keys()) if (!used.has(keyword) && !frame.locals.has(keyword)) return false;
  return true;
}

function runBlock(block: Node, scope: Scope, frame: Frame): Outcome {
  for (const statement of block.namedChildren) {
    if (!statement || statement.type === 'comment') continue;
    if (++frame.statements > MAX_STATEMENTS) return GAVE_UP;
    const outcome = runStatement(statement, scope, frame);
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}

function runStatement(statement: Node, scope: Scope, frame: Frame): Outcome {
  switch (statement.type) {
    case 'pass_statement':
      return undefined;
    case 'return_statement': {
      const expression = statement.namedChildren.find((c) => c?.type !== 'comment');
      if (!expression) return { kind: 'none' };
      // A parameter returned as it is keeps where the caller wrote it.
      if (expression.type === 'identifier' && frame.argumentLocs.has(expression.text)) {
        const value = frame.locals.get(expression.text) ?? UNKNOWN;
        return { ...value, loc: frame.argumentLocs.get(expression.text) };
      }
      return evaluateExpression(expression, scope);
    }
    case 'raise_statement':
      return RAISED;
    case 'expression_statement': {
      const expression = statement.namedChildren[0];
      if (!expression || expression.type === 'string' || expression.type === 'call') return undefined;
      if (expression.type === 'assignment') {
        const left = expression.childForFieldName('left');
        const right = expression.childForFieldName('right');
        if (left?.type !== 'identifier' || !right || right.type === 'assignment') return GAVE_UP;
        frame.locals.set(left.text, evaluateExpression(right, scope));
        return undefined;
      }
      return GAVE_UP;
    }
    case 'if_statement': {
      const branch = chosenBranch(statement, scope, frame);
      if (branch === GAVE_UP) return GAVE_UP;
      return branch ? runBlock(branch, scope, frame) : undefined;
    }
    default:
      return GAVE_UP;
  }
}

/** The block an `if` runs, `null` for none; a condition on an environment read is taken as it is when the variable is unset. */
function chosenBranch(statement: Node, scope: Scope, frame: Frame): Node | null | typeof GAVE_UP {
  const test = (condition: Node | null): boolean | typeof GAVE_UP => {
    const value = evaluateExpression(condition, scope);
    const result = truthy(value);
    if (result === undefined) return GAVE_UP;
    if (value.kind === 'env') frame.governing ??= value;
    return result;
  };
  const first = test(statement.childForFieldName('condition'));
  if (first === GAVE_UP) return GAVE_UP;
  if (first) return statement.childForFieldName('consequence');
  for (const alternative of statement.childrenForFieldName('alternative')) {
    if (!alternative) continue;
    if (alternative.type === 'else_clause') return alternative.childForFieldName('body');
    const taken = test(alternative.childForFieldName('condition'));
    if (taken === GAVE_UP) return GAVE_UP;
    if (taken) return alternative.childForFieldName('consequence');
  }
  return null;
}
