import { anchoredLocation, type RowAnchor } from './anchored-location';
import { rangeOf, stringLiteralValue, type Node } from '../parse/python';
import type { Location } from '../types';
import { callHelper, type HelperFunction } from './helper-functions';
import { bounded, mapUnset, opened, pyEquals, truthy, unsetView, UNKNOWN, VALUE_LIMITS, type EnvReader, type Value } from './values';

/** What a name refers to while a settings module is read top to bottom. */
export type Binding =
  | { kind: 'value'; value: Value }
  /** `import os` → 'os'; `from decouple import config` → 'decouple.config'. */
  | { kind: 'module'; qualified: string }
  /** `env = environ.Env(DEBUG=(bool, False))`: django-environ's reader with its scheme. */
  | { kind: 'environ-env'; scheme: Map<string, { cast?: string; default?: Value }> }
  /** A small function whose calls are read by running its body (see HelperFunction). */
  | { kind: 'function'; helper: HelperFunction };

/** What a module imported by name offers to `module.NAME` and `getattr(module, "NAME", default)`. */
export interface ImportedModule {
  bindings: ReadonlyMap<string, Binding>;
}

/** The body of a helper function being read for one call (see callHelper). */
export interface CallFrame {
  /** The call: every node of the helper's body is reported there. */
  callSite: Location;
  locals: Map<string, Value>;
  /** Where the caller wrote each argument, by parameter name. */
  argumentLocs: Map<string, Location | undefined>;
  depth: number;
}

export interface Scope {
  lookup(name: string): Binding | undefined;
  file: string;
  /** While a statement is recorded (see BlockMemo), its anchor: the locations it records follow it. */
  anchor?: RowAnchor;
  /**
   * The project module an imported name refers to (`from mysite import configuration`),
   * evaluated; undefined when it is not one the project holds.
   */
  importedModule?(qualified: string): ImportedModule | undefined;
  /** Set while a helper function's body is read. */
  frame?: CallFrame;
  /** Told when an expression is past a limit (see MAX_EXPRESSION_DEPTH) and read as unknown. */
  limitReached?(message: string): void;
}

/**
 * Expressions nested deeper than this (brackets, calls, conditions, operands) are read as
 * unknown rather than followed: CPython itself refuses more than 200 nested brackets, and a
 * chain of `+` (however long) is read without nesting.
 */
export const MAX_EXPRESSION_DEPTH = 100;

/** How deep the evaluation is in nested expressions now (evaluation is synchronous and never re-entered). */
let depth = 0;

/** Where a node is, as a location of the scope's file. */
export function locationOf(scope: Scope, node: Node): Location {
  if (scope.frame) return scope.frame.callSite;
  return scope.anchor ? anchoredLocation(scope.file, rangeOf(node), scope.anchor) : { file: scope.file, range: rangeOf(node) };
}

/**
 * Where the default of an environment read is written, for a fix to change it: inside a
 * helper, only a default the caller passed as an argument is one the caller can change.
 */
function defaultLocation(scope: Scope, node: Node): Location | undefined {
  if (!scope.frame) return locationOf(scope, node);
  return node.type === 'identifier' ? scope.frame.argumentLocs.get(node.text) : undefined;
}

type Cast = 'bool' | 'int' | 'str' | 'list' | 'float' | 'csv' | undefined;

/** Evaluates a Python expression as far as static reading allows. Never throws. */
export function evaluateExpression(node: Node | null | undefined, scope: Scope): Value {
  if (!node) return UNKNOWN;
  const loc = locationOf(scope, node);
  if (depth >= MAX_EXPRESSION_DEPTH) {
    scope.limitReached?.(`an expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels; it is read as unknown`);
    return { kind: 'unknown', loc };
  }
  depth++;
  try {
    return bounded({ ...evaluate(node, scope), loc });
  } catch {
    return { kind: 'unknown', loc };
  } finally {
    depth--;
  }
}

function evaluate(node: Node, scope: Scope): Value {
  switch (node.type) {
    case 'true':
      return { kind: 'bool', value: true };
    case 'false':
      return { kind: 'bool', value: false };
    case 'none':
      return { kind: 'none' };
    case 'integer': {
      const n = Number(node.text.replace(/_/g, '').toLowerCase().replace(/l$/, ''));
      return Number.isFinite(n) ? { kind: 'number', value: n } : UNKNOWN;
    }
    case 'float': {
      const n = Number(node.text.replace(/_/g, ''));
      return Number.isFinite(n) ? { kind: 'number', value: n } : UNKNOWN;
    }
    case 'string':
    case 'concatenated_string': {
      const s = stringLiteralValue(node);
      return s === undefined ? UNKNOWN : { kind: 'string', value: s };
    }
    case 'parenthesized_expression':
      return evaluateExpression(withoutComments(node)[0], scope);
    case 'list':
    case 'tuple':
    case 'expression_list':
      return evaluateSequence(node, scope, node.type !== 'list');
    case 'dictionary':
      return evaluateDict(node, scope);
    case 'identifier': {
      const binding = scope.lookup(node.text);
      return binding?.kind === 'value' ? binding.value : UNKNOWN;
    }
    case 'not_operator':
      return mapUnset(evaluateExpression(node.childForFieldName('argument'), scope), (v) => {
        const t = truthy(v);
        return t === undefined ? UNKNOWN : { kind: 'bool', value: !t };
      });
    case 'unary_operator': {
      const operand = evaluateExpression(node.childForFieldName('argument'), scope);
      const op = node.childForFieldName('operator')?.text;
      return mapUnset(operand, (v) => (v.kind === 'number' && op === '-' ? { kind: 'number', value: -v.value } : v.kind === 'number' && op === '+' ? v : UNKNOWN));
    }
    case 'comparison_operator':
      return evaluateComparison(node, scope);
    case 'boolean_operator':
      return evaluateBooleanOperator(node, scope);
    case 'binary_operator':
      return evaluateBinary(node, scope);
    case 'conditional_expression': {
      const [whenTrue, condition, whenFalse] = withoutComments(node);
      const test = evaluateExpression(condition, scope);
      const branch = (c: Value): Value | undefined => {
        const t = truthy(c);
        return t === undefined ? undefined : evaluateExpression(t ? whenTrue : whenFalse, scope);
      };
      if (test.kind !== 'env') return branch(test) ?? UNKNOWN;
      // An environment-driven condition keeps the variable: a deployment may set it.
      return mapUnset(test, (c) => unsetView(branch(c) ?? UNKNOWN));
    }
    case 'call':
      return evaluateCall(node, scope);
    case 'list_comprehension':
      return evaluateComprehension(node, scope);
    case 'subscript':
      return evaluateSubscript(node, scope);
    case 'attribute':
      return moduleAttribute(node, scope) ?? UNKNOWN;
    case 'named_expression': {
      // `if v := os.getenv("X"):` inside a helper binds `v` for the branch it guards.
      const value = evaluateExpression(node.childForFieldName('value'), scope);
      const name = node.childForFieldName('name')?.text;
      if (scope.frame && name) scope.frame.locals.set(name, value);
      return value;
    }
    default:
      return UNKNOWN;
  }
}

/** `base.DEBUG` on a module of the project imported by name: the value that module gives it. */
function moduleAttribute(node: Node, scope: Scope): Value | undefined {
  const binding = attributeBinding(node, scope);
  return binding?.kind === 'value' ? binding.value : undefined;
}

/** What `module.NAME` is bound to, for a module of the project imported by name. */
function attributeBinding(node: Node, scope: Scope): Binding | undefined {
  const objectNode = node.childForFieldName('object');
  const attribute = node.childForFieldName('attribute')?.text;
  if (!objectNode || !attribute) return undefined;
  const qualified = qualifiedName(objectNode, scope);
  const module = qualified ? scope.importedModule?.(qualified) : undefined;
  const binding = module?.bindings.get(attribute);
  // A helper keeps reading the names of the module that defines it.
  return binding?.kind === 'function' && !binding.helper.globals ? { kind: 'function', helper: { ...binding.helper, globals: module!.bindings } } : binding;
}

function withoutComments(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

function evaluateSubscript(node: Node, scope: Scope): Value {
  const objectNode = node.childForFieldName('value');
  const subscripts = node.childrenForFieldName('subscript').filter((c): c is Node => !!c);
  if (!objectNode || subscripts.length !== 1) return UNKNOWN;
  if (qualifiedName(objectNode, scope) === 'os.environ') {
    const variable = stringLiteralValue(subscripts[0]);
    if (variable === undefined) return UNKNOWN;
    // NOTE: os.environ["X"] raises KeyError when X is unset, so there is no insecure fallback.
    return { kind: 'env', variable, reader: 'os.environ', whenUnset: UNKNOWN };
  }
  const container = unsetView(evaluateExpression(objectNode, scope));
  const key = unsetView(evaluateExpression(subscripts[0], scope));
  if (container.kind === 'dict') {
    for (let i = container.entries.length - 1; i >= 0; i--) {
      const same = pyEquals(container.entries[i].key, key);
      if (same === undefined) return UNKNOWN;
      if (same) return container.entries[i].value;
    }
    return UNKNOWN;
  }
  if (container.kind === 'list' && key.kind === 'number' && Number.isInteger(key.value)) {
    const index = key.value < 0 ? container.items.length + key.value : key.value;
    return container.items[index] ?? UNKNOWN;
  }
  return UNKNOWN;
}

/**
 * `[h.strip() for h in os.environ.get("HOSTS", "*").split(",")]`: one `for` over a list that
 * is known, and no `if`, gives the body's value for each item, the name bound to it. Read
 * from the environment, it is judged by the list the unset variable gives.
 */
const NESTED_LOOPS = ['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'];

function evaluateComprehension(node: Node, scope: Scope): Value {
  const body = node.childForFieldName('body');
  const clauses = withoutComments(node).filter((child) => child.id !== body?.id);
  if (!body || clauses.length !== 1 || clauses[0].type !== 'for_in_clause') return UNKNOWN;
  const name = clauses[0].childForFieldName('left');
  const iterable = clauses[0].childForFieldName('right');
  if (name?.type !== 'identifier' || !iterable) return UNKNOWN;
  // The body runs once per item: one holding another comprehension would multiply the work by each level's items.
  if (body.descendantsOfType(NESTED_LOOPS).length > 0) return UNKNOWN;
  return mapUnset(evaluateExpression(iterable, scope), (items) => {
    if (items.kind !== 'list' || items.open || items.items.length > VALUE_LIMITS.items) return UNKNOWN;
    const values = items.items.map((item) => {
      const bound: Binding = { kind: 'value', value: item };
      return unsetView(evaluateExpression(body, { ...scope, lookup: (looked) => (looked === name.text ? bound : scope.lookup(looked)) }));
    });
    return { kind: 'list', tuple: false, items: values };
  });
}

/** A literal with more items than a value may hold is unknown before any item is read. */
function tooManyItems(node: Node): boolean {
  return node.namedChildCount > VALUE_LIMITS.items && node.namedChildren.filter((child) => child?.type !== 'comment').length > VALUE_LIMITS.items;
}

function evaluateSequence(node: Node, scope: Scope, tuple: boolean): Value {
  if (tooManyItems(node)) return UNKNOWN;
  const items: Value[] = [];
  let open = false;
  for (const child of node.namedChildren) {
    const type = child?.type;
    if (!child || type === 'comment') continue;
    if (type === 'list_splat') {
      // `[*BASE_APPS, "x"]`: an unknown part hides what else is there, not what is written.
      const spread = unsetView(evaluateExpression(child.namedChildren[0], scope));
      if (spread.kind === 'list') {
        items.push(...spread.items);
        open ||= !!spread.open;
      } else open = true;
      continue;
    }
    items.push(evaluateExpression(child, scope));
  }
  return open ? { kind: 'list', items, tuple, open } : { kind: 'list', items, tuple };
}

function evaluateDict(node: Node, scope: Scope): Value {
  if (tooManyItems(node)) return UNKNOWN;
  const entries: { key: Value; value: Value }[] = [];
  let open = false;
  for (const child of node.namedChildren) {
    const type = child?.type;
    if (!child || type === 'comment') continue;
    if (type === 'pair') {
      entries.push({
        key: evaluateExpression(child.childForFieldName('key'), scope),
        value: evaluateExpression(child.childForFieldName('value'), scope),
      });
    } else if (type === 'dictionary_splat') {
      const spread = unsetView(evaluateExpression(child.namedChildren[0], scope));
      if (spread.kind === 'dict') {
        entries.push(...spread.entries);
        open ||= !!spread.open;
      } else {
        // An unknown mapping may replace any value written before it, not the keys.
        for (const entry of entries) entry.value = UNKNOWN;
        open = true;
      }
    } else {
      return UNKNOWN;
    }
  }
  return open ? { kind: 'dict', entries, open } : { kind: 'dict', entries };
}

function evaluateComparison(node: Node, scope: Scope): Value {
  const operands = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (operands.length !== 2) return UNKNOWN;
  const operators = node.children.filter((c): c is Node => !!c && !c.isNamed).map((c) => c.text);
  const op = operators.join(' ');
  if ((op === 'in' || op === 'not in') && qualifiedName(operands[1], scope) === 'os.environ') {
    // NOTE: `"X" in os.environ` is False when the variable is unset, like a read without default.
    const variable = stringValue(operands[0], scope);
    if (variable === undefined) return UNKNOWN;
    return { kind: 'env', variable, reader: 'os.environ', whenUnset: { kind: 'bool', value: op === 'not in' } };
  }
  const left = evaluateExpression(operands[0], scope);
  const right = evaluateExpression(operands[1], scope);
  const compare = (a: Value, b: Value): Value => {
    let result: boolean | undefined;
    if (op === '==' || op === '!=') {
      const eq = pyEquals(a, b);
      result = eq === undefined ? undefined : op === '==' ? eq : !eq;
    } else if (op === 'in' || op === 'not in') {
      const container = unsetView(b);
      const needle = unsetView(a);
      if (container.kind === 'list') {
        let found: boolean | undefined = false;
        for (const item of container.items) {
          const eq = pyEquals(needle, item);
          if (eq === undefined) found = undefined;
          if (eq) {
            found = true;
            break;
          }
        }
        result = found === undefined ? undefined : op === 'in' ? found : !found;
      } else if (container.kind === 'string' && needle.kind === 'string') {
        const found = container.value.includes(needle.value);
        result = op === 'in' ? found : !found;
      }
    } else if (op === 'is' || op === 'is not') {
      if ((a.kind === 'none' || b.kind === 'none') && a.kind !== 'unknown' && b.kind !== 'unknown') {
        const same = a.kind === b.kind;
        result = op === 'is' ? same : !same;
      } else if (a.kind === 'bool' && b.kind === 'bool') {
        // True and False are singletons.
        result = op === 'is' ? a.value === b.value : a.value !== b.value;
      }
    } else if (['<', '>', '<=', '>='].includes(op) && a.kind === 'number' && b.kind === 'number') {
      result = op === '<' ? a.value < b.value : op === '>' ? a.value > b.value : op === '<=' ? a.value <= b.value : a.value >= b.value;
    }
    return result === undefined ? UNKNOWN : { kind: 'bool', value: result };
  };
  if (left.kind === 'env' && right.kind === 'env') return UNKNOWN;
  if (left.kind === 'env') return mapUnset(left, (l) => compare(l, right));
  if (right.kind === 'env') return mapUnset(right, (r) => compare(left, r));
  return compare(left, right);
}

/**
 * The operands of a chain of `node.type` operators that nest to the left (`a + b - c` is
 * `(a + b) - c`), innermost first: each nested operator with its right operand. Read in a
 * loop, so a long chain costs no depth.
 */
function leftChain(node: Node, scope: Scope): { first: Value; steps: { node: Node; op: string | undefined; right: Value }[] } {
  const spine: Node[] = [];
  let left: Node | null = node;
  while (left?.type === node.type) {
    spine.push(left);
    left = left.childForFieldName('left');
  }
  const first = evaluateExpression(left, scope);
  const steps = spine.reverse().map((link) => ({ node: link, op: link.childForFieldName('operator')?.text, right: evaluateExpression(link.childForFieldName('right'), scope) }));
  return { first, steps };
}

/**
 * Folds a left chain with `apply`. An intermediate environment read is placed as its own
 * evaluation would place it (it carries its place on); other intermediate results do not
 * outlive the fold.
 */
function foldChain(node: Node, scope: Scope, apply: (op: string | undefined, left: Value, right: Value) => Value): Value {
  const { first, steps } = leftChain(node, scope);
  let result = first;
  for (const [index, step] of steps.entries()) {
    result = bounded(apply(step.op, result, step.right));
    if (result.kind === 'env' && index < steps.length - 1) result = { ...result, loc: locationOf(scope, step.node) };
  }
  return result;
}

function evaluateBooleanOperator(node: Node, scope: Scope): Value {
  return foldChain(node, scope, booleanOperation);
}

function booleanOperation(op: string | undefined, left: Value, right: Value): Value {
  const combine = (l: Value, r: Value): Value => {
    const t = truthy(l);
    if (t === undefined) return UNKNOWN;
    if (op === 'and') return t ? r : l;
    return t ? l : r;
  };
  if (left.kind === 'env' && right.kind === 'env') {
    // Python reads the right side only when the left does not decide: with the variables
    // unset, `os.environ.get("X", "") and bool(os.environ["X"])` is the left's "".
    const decides = truthy(unsetView(left));
    if (decides !== undefined && (op === 'and' ? !decides : decides)) return left;
    return left.variable === right.variable ? mapUnset(left, (l) => combine(l, unsetView(right))) : UNKNOWN;
  }
  if (left.kind === 'env') return mapUnset(left, (l) => combine(l, unsetView(right)));
  if (right.kind === 'env') return mapUnset(right, (r) => combine(unsetView(left), r));
  return combine(left, right);
}

function evaluateBinary(node: Node, scope: Scope): Value {
  return foldChain(node, scope, binaryOperation);
}

export function binaryOperation(op: string | undefined, left: Value, right: Value): Value {
  const apply = (l: Value, r: Value): Value => {
    if (op === '+') {
      if (l.kind === 'string' && r.kind === 'string') return { kind: 'string', value: l.value + r.value };
      if (l.kind === 'number' && r.kind === 'number') return { kind: 'number', value: l.value + r.value };
      if (l.kind === 'list' && r.kind === 'list' && l.tuple === r.tuple) {
        const joined: Value = { kind: 'list', items: [...l.items, ...r.items], tuple: l.tuple };
        return l.open || r.open ? opened(joined) : joined;
      }
      // `BASE_APPS + extra_apps()`: what the known side holds is still there.
      if (l.kind === 'list' && r.kind === 'unknown') return opened(l);
      if (l.kind === 'unknown' && r.kind === 'list') return opened(r);
    }
    if (op === '%' && l.kind === 'string') return percentFormat(l.value, r);
    if (l.kind === 'number' && r.kind === 'number') {
      if (op === '*') return { kind: 'number', value: l.value * r.value };
      if (op === '-') return { kind: 'number', value: l.value - r.value };
      if (op === '//' && r.value !== 0) return { kind: 'number', value: Math.floor(l.value / r.value) };
      if (op === '**') return { kind: 'number', value: l.value ** r.value };
    }
    return UNKNOWN;
  };
  if (left.kind === 'env' && right.kind === 'env') return UNKNOWN;
  if (left.kind === 'env') return mapUnset(left, (l) => apply(l, unsetView(right)));
  if (right.kind === 'env') return mapUnset(right, (r) => apply(unsetView(left), r));
  return apply(left, right);
}

/** `"environments/%s.py" % ENV`: `%s` and `%d` with known values, `%%`; unknown for anything else. */
function percentFormat(template: string, operand: Value): Value {
  const values = operand.kind === 'list' && operand.tuple && !operand.open ? operand.items.map(unsetView) : [operand];
  let next = 0;
  let failed = false;
  const text = template.replace(/%([sd%])/g, (_, conversion: string) => {
    if (conversion === '%') return '%';
    const value = values[next++];
    if (value?.kind === 'string' && conversion === 's') return value.value;
    if (value?.kind === 'number' && Number.isInteger(value.value)) return String(value.value);
    failed = true;
    return '';
  });
  if (failed || next !== values.length || /%[^%]/.test(template.replace(/%[sd%]/g, ''))) return UNKNOWN;
  return { kind: 'string', value: text };
}

/** The dotted name a callee refers to, with import aliases resolved: `os.environ.get`. */
export function qualifiedName(node: Node | null, scope: Scope): string | undefined {
  // Down the chain of attributes in a loop: `a.b.c…` may be as long as a line.
  const attributes: string[] = [];
  while (node?.type === 'attribute') {
    const attr = node.childForFieldName('attribute')?.text;
    if (!attr) return undefined;
    attributes.push(attr);
    node = node.childForFieldName('object');
  }
  if (node?.type !== 'identifier') return undefined;
  const binding = scope.lookup(node.text);
  if (binding?.kind !== 'module') return undefined;
  return [binding.qualified, ...attributes.reverse()].join('.');
}

interface CallArguments {
  positional: Node[];
  keywords: Map<string, Node>;
}

function callArguments(call: Node): CallArguments | undefined {
  const list = call.childForFieldName('arguments');
  if (!list || list.type !== 'argument_list') return undefined;
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  for (const child of list.namedChildren) {
    if (!child || child.type === 'comment') continue;
    if (child.type === 'keyword_argument') {
      const name = child.childForFieldName('name')?.text;
      const value = child.childForFieldName('value');
      if (name && value) keywords.set(name, value);
    } else if (child.type === 'list_splat' || child.type === 'dictionary_splat') {
      return undefined;
    } else {
      positional.push(child);
    }
  }
  return { positional, keywords };
}

function evaluateCall(node: Node, scope: Scope): Value {
  const callee = node.childForFieldName('function');
  const args = callArguments(node);
  if (!callee || !args) return UNKNOWN;
  // Read once: every step down the callee's attributes is a call into WebAssembly.
  const calleeType = callee.type;
  const named = qualifiedName(callee, scope);

  // Methods on a value: "x".split(","), os.environ.get(...).lower()
  if (calleeType === 'attribute') {
    const read = environmentRead(callee, named, args, scope);
    if (read) return read;
    const imported = attributeBinding(callee, scope);
    if (imported?.kind === 'function') return callHelper(imported.helper, args.positional, args.keywords, node, scope);
    if (!named) {
      const method = callee.childForFieldName('attribute')?.text ?? '';
      const receiver = evaluateExpression(callee.childForFieldName('object'), scope);
      if (receiver.kind !== 'unknown') return stringMethod(receiver, method, args, scope);
    }
    return UNKNOWN;
  }

  const read = environmentRead(callee, named, args, scope);
  if (read) return read;
  const helper = calleeType === 'identifier' ? scope.lookup(callee.text) : undefined;
  if (helper?.kind === 'function') return callHelper(helper.helper, args.positional, args.keywords, node, scope);
  const qualified = named ?? (calleeType === 'identifier' ? `builtins.${callee.text}` : undefined);
  if (!qualified) return UNKNOWN;
  if (qualified === 'builtins.getattr' && !scope.lookup('getattr')) return getattrCall(args, scope);
  if (qualified.startsWith('builtins.') && args.positional.length <= 1 && args.keywords.size === 0) {
    const cast = qualified.slice('builtins.'.length);
    if (scope.lookup(cast)) return UNKNOWN;
    if (['bool', 'int', 'str', 'float', 'list', 'tuple'].includes(cast)) {
      const arg = args.positional.length ? evaluateExpression(args.positional[0], scope) : undefined;
      return castBuiltin(cast, arg);
    }
  }
  return UNKNOWN;
}

/**
 * `getattr(configuration, "NAME", default)` on a module of the project: its value there,
 * or the default when that module does not set it. Unknown for any other object.
 */
function getattrCall(args: CallArguments, scope: Scope): Value {
  if (args.keywords.size > 0 || args.positional.length < 2 || args.positional.length > 3) return UNKNOWN;
  const qualified = qualifiedName(args.positional[0], scope);
  const module = qualified ? scope.importedModule?.(qualified) : undefined;
  const name = stringValue(args.positional[1], scope);
  if (!module || name === undefined) return UNKNOWN;
  const binding = module.bindings.get(name);
  if (binding) return binding.kind === 'value' ? binding.value : UNKNOWN;
  return args.positional.length === 3 ? evaluateExpression(args.positional[2], scope) : UNKNOWN;
}

/** A string the expression certainly is (a literal, or a name or sum known to hold one). */
function stringValue(node: Node, scope: Scope): string | undefined {
  const literal = stringLiteralValue(node);
  if (literal !== undefined) return literal;
  const value = evaluateExpression(node, scope);
  return value.kind === 'string' ? value.value : undefined;
}

function castBuiltin(cast: string, arg: Value | undefined): Value {
  if (!arg) {
    if (cast === 'bool') return { kind: 'bool', value: false };
    if (cast === 'int' || cast === 'float') return { kind: 'number', value: 0 };
    if (cast === 'str') return { kind: 'string', value: '' };
    return { kind: 'list', items: [], tuple: cast === 'tuple' };
  }
  return mapUnset(arg, (v) => {
    if (cast === 'bool') {
      const t = truthy(v);
      return t === undefined ? UNKNOWN : { kind: 'bool', value: t };
    }
    if (cast === 'int' || cast === 'float') {
      if (v.kind === 'number') return { kind: 'number', value: cast === 'int' ? Math.trunc(v.value) : v.value };
      if (v.kind === 'bool') return { kind: 'number', value: Number(v.value) };
      if (v.kind === 'string' && /^\s*[-+]?\d+(\.\d+)?\s*$/.test(v.value)) {
        if (cast === 'int' && v.value.includes('.')) return UNKNOWN;
        return { kind: 'number', value: Number(v.value) };
      }
      return UNKNOWN;
    }
    if (cast === 'str') {
      if (v.kind === 'string') return v;
      if (v.kind === 'number') return { kind: 'string', value: String(v.value) };
      if (v.kind === 'bool') return { kind: 'string', value: v.value ? 'True' : 'False' };
      if (v.kind === 'none') return { kind: 'string', value: 'None' };
      return UNKNOWN;
    }
    if (v.kind === 'list') return { ...v, tuple: cast === 'tuple' };
    return UNKNOWN;
  });
}

function stringMethod(receiver: Value, method: string, args: CallArguments, scope: Scope): Value {
  const argValues = args.positional.map((a) => unsetView(evaluateExpression(a, scope)));
  return mapUnset(receiver, (v) => {
    if (v.kind !== 'string' || args.keywords.size > 0) return UNKNOWN;
    switch (method) {
      case 'lower':
        return argValues.length === 0 ? { kind: 'string', value: v.value.toLowerCase() } : UNKNOWN;
      case 'upper':
        return argValues.length === 0 ? { kind: 'string', value: v.value.toUpperCase() } : UNKNOWN;
      case 'strip':
        return argValues.length === 0 ? { kind: 'string', value: v.value.trim() } : UNKNOWN;
      case 'split': {
        // maxsplit is not modelled.
        if (argValues.length > 1) return UNKNOWN;
        const sep = argValues[0];
        if (!sep || sep.kind === 'none') {
          const parts = v.value.split(/\s+/).filter((p) => p.length > 0);
          return { kind: 'list', tuple: false, items: parts.map((value) => ({ kind: 'string', value })) };
        }
        if (sep.kind !== 'string' || sep.value === '') return UNKNOWN;
        return { kind: 'list', tuple: false, items: v.value.split(sep.value).map((value) => ({ kind: 'string', value })) };
      }
      case 'startswith':
      case 'endswith': {
        const s = argValues[0];
        if (!s || s.kind !== 'string' || argValues.length > 1) return UNKNOWN;
        return { kind: 'bool', value: method === 'startswith' ? v.value.startsWith(s.value) : v.value.endsWith(s.value) };
      }
      default:
        return UNKNOWN;
    }
  });
}

/** Recognises the environment readers of the standard library, python-decouple and django-environ. */
function environmentRead(callee: Node, named: string | undefined, args: CallArguments, scope: Scope): Value | undefined {
  const qualified = named ?? '';
  const nameNode = args.positional[0] ?? args.keywords.get('key') ?? args.keywords.get('option') ?? args.keywords.get('var');
  // Read only for a reader: most calls are not one.
  const variableName = () => (nameNode ? stringValue(nameNode, scope) : undefined);

  if (qualified === 'os.environ.get' || qualified === 'os.getenv') {
    const variable = variableName();
    if (variable === undefined) return UNKNOWN;
    const defaultNode = args.positional[1] ?? args.keywords.get('default');
    const whenUnset: Value = defaultNode ? evaluateExpression(defaultNode, scope) : { kind: 'none' };
    const reader: EnvReader = qualified === 'os.getenv' ? 'os.getenv' : 'os.environ';
    return env(variable, reader, unsetView(whenUnset), defaultNode, scope);
  }

  if (qualified === 'decouple.config') {
    const variable = variableName();
    if (variable === undefined) return UNKNOWN;
    const defaultNode = args.positional[1] ?? args.keywords.get('default');
    const castNode = args.keywords.get('cast') ?? args.positional[2];
    // NOTE: decouple raises UndefinedValueError for an unset variable without a default.
    if (!defaultNode) return env(variable, 'decouple', UNKNOWN, undefined, scope);
    const raw = unsetView(evaluateExpression(defaultNode, scope));
    return env(variable, 'decouple', applyDecoupleCast(raw, castName(castNode, scope), castNode), defaultNode, scope);
  }

  const environ = environReaderCall(callee, scope);
  if (environ) return environRead(variableName(), environ, args, scope);
  return undefined;
}

/**
 * django-environ: `env(var, cast=None, default=NOTSET, parse_default=False)`,
 * `env.list(var, cast=None, default=NOTSET)`, `env.bool(var, default=NOTSET)` and the like.
 */
function environRead(variable: string | undefined, environ: EnvironReader, args: CallArguments, scope: Scope): Value {
  if (variable === undefined) return UNKNOWN;
  const generic = environ.method === undefined || environ.method === 'get_value';
  const takesCast = generic || ['list', 'tuple', 'dict'].includes(environ.method!);
  const defaultNode = args.keywords.get('default') ?? args.positional[takesCast ? 2 : 1];
  const castNode = takesCast ? (args.keywords.get('cast') ?? args.positional[1]) : undefined;
  const parseDefaultNode = args.keywords.get('parse_default') ?? (generic ? args.positional[3] : undefined);
  const scheme = environ.scheme.get(variable);
  const cast = environ.cast ?? (castNode ? environCastName(castNode) : undefined) ?? scheme?.cast;
  let raw: Value | undefined;
  if (defaultNode) raw = unsetView(evaluateExpression(defaultNode, scope));
  else if (scheme?.default) raw = unsetView(scheme.default);
  // NOTE: without a default django-environ raises ImproperlyConfigured for an unset variable.
  if (!raw) return env(variable, 'environ', UNKNOWN, undefined, scope);
  let whenUnset: Value = raw;
  if (parseDefaultNode) {
    if (!generic) return env(variable, 'environ', UNKNOWN, defaultNode, scope);
    const parse = truthy(evaluateExpression(parseDefaultNode, scope));
    // NOTE: a default is returned as given unless parse_default is set (`value != default`
    // in Env.get_value), so `default="False"` stays a truthy string.
    if (parse === undefined) whenUnset = UNKNOWN;
    else if (parse && truthy(raw) !== false) whenUnset = castNode && !cast ? UNKNOWN : applyEnvironCast(raw, cast);
  }
  const read = env(variable, 'environ', whenUnset, defaultNode, scope);
  if (!defaultNode && read.kind === 'env') read.defaultLoc = scheme?.default?.loc;
  return read;
}

function env(variable: string, reader: EnvReader, whenUnset: Value, defaultNode: Node | undefined, scope: Scope): Value {
  return {
    kind: 'env',
    variable,
    reader,
    whenUnset,
    defaultLoc: defaultNode ? defaultLocation(scope, defaultNode) : undefined,
  };
}

interface EnvironReader {
  /** `bool` for `env.bool(...)`; undefined for `env(...)`. */
  method?: string;
  cast?: string;
  scheme: Map<string, { cast?: string; default?: Value }>;
}

const ENVIRON_METHOD_CASTS: Record<string, string | undefined> = {
  bool: 'bool',
  str: 'str',
  int: 'int',
  float: 'float',
  list: 'list',
  tuple: 'tuple',
  get_value: undefined,
};

/** `env(...)`, `env.bool(...)` on an `environ.Env()` instance, with that instance's scheme. */
function environReaderCall(callee: Node, scope: Scope): EnvironReader | undefined {
  const objectNode = callee.type === 'attribute' ? callee.childForFieldName('object') : callee;
  const method = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
  if (!objectNode || objectNode.type !== 'identifier') return undefined;
  const binding = scope.lookup(objectNode.text);
  if (binding?.kind !== 'environ-env') return undefined;
  if (method !== undefined && !(method in ENVIRON_METHOD_CASTS)) return undefined;
  return { method, cast: method ? ENVIRON_METHOD_CASTS[method] : undefined, scheme: binding.scheme };
}

/** The cast named by an `env(var, cast)` argument: `bool`, `[str]`, `(int,)`. */
function environCastName(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'list') return 'list';
  if (node.type === 'tuple') return 'tuple';
  return undefined;
}

function castName(node: Node | undefined, scope: Scope): Cast {
  if (!node) return undefined;
  if (node.type === 'identifier' && !scope.lookup(node.text)) {
    if (['bool', 'int', 'str', 'float', 'list'].includes(node.text)) return node.text as Cast;
  }
  if (node.type === 'call') {
    const name = qualifiedName(node.childForFieldName('function'), scope);
    const args = callArguments(node);
    // Csv(cast=int) or a custom delimiter changes the items: only the plain form is modelled.
    if (name === 'decouple.Csv' && args && args.positional.length === 0 && args.keywords.size === 0) return 'csv';
  }
  return undefined;
}

const DECOUPLE_TRUE = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const DECOUPLE_FALSE = new Set(['n', 'no', 'f', 'false', 'off', '0']);
const ENVIRON_TRUE = new Set(['true', 'on', 'ok', 'y', 'yes', '1']);

/** Python's `str()` of a scalar, when it can be told. */
function pythonStr(value: Value): string | undefined {
  if (value.kind === 'string') return value.value;
  if (value.kind === 'bool') return value.value ? 'True' : 'False';
  if (value.kind === 'number' && Number.isInteger(value.value)) return String(value.value);
  if (value.kind === 'none') return 'None';
  return undefined;
}

function applyDecoupleCast(raw: Value, cast: Cast, castNode: Node | undefined): Value {
  if (!cast) return castNode ? UNKNOWN : raw;
  if (cast === 'bool') {
    // decouple's _cast_boolean: str(value), '' is False, else strtobool or ValueError.
    const s = pythonStr(raw)?.toLowerCase();
    if (s === undefined) return UNKNOWN;
    if (s === '') return { kind: 'bool', value: false };
    if (DECOUPLE_TRUE.has(s)) return { kind: 'bool', value: true };
    if (DECOUPLE_FALSE.has(s)) return { kind: 'bool', value: false };
    return UNKNOWN;
  }
  if (cast === 'csv') {
    // Csv() splits with shlex: quotes, escapes and comments change the items.
    if (raw.kind !== 'string' || /["'\\#]/.test(raw.value)) return UNKNOWN;
    const items = raw.value
      .split(/,+/)
      .filter((p) => p.length > 0)
      .map((p) => p.trim());
    return { kind: 'list', tuple: false, items: items.map((value) => ({ kind: 'string', value })) };
  }
  return castBuiltin(cast, raw);
}

/** django-environ's `Env.parse_value` for the casts it models. */
function applyEnvironCast(raw: Value, cast: string | undefined): Value {
  if (!cast) return raw;
  if (cast === 'bool') {
    if (raw.kind === 'bool') return raw;
    if (raw.kind === 'number') return Number.isInteger(raw.value) ? { kind: 'bool', value: raw.value !== 0 } : UNKNOWN;
    if (raw.kind === 'string') {
      if (/^\s*[-+]?\d+\s*$/.test(raw.value)) return { kind: 'bool', value: Number(raw.value) !== 0 };
      return { kind: 'bool', value: ENVIRON_TRUE.has(raw.value.toLowerCase()) };
    }
    return UNKNOWN;
  }
  if (cast === 'list' || cast === 'tuple') {
    if (raw.kind !== 'string') return UNKNOWN;
    const text = cast === 'tuple' ? raw.value.replace(/^\(+/, '').replace(/\)+$/, '') : raw.value;
    const items = text.split(',').filter((p) => p.length > 0);
    return { kind: 'list', tuple: cast === 'tuple', items: items.map((value) => ({ kind: 'string', value })) };
  }
  if (cast === 'str' || cast === 'int') return castBuiltin(cast, raw);
  return UNKNOWN;
}

/** Reads `environ.Env(DEBUG=(bool, False), ...)` into a scheme. */
export function environScheme(call: Node, scope: Scope): Map<string, { cast?: string; default?: Value }> {
  const scheme = new Map<string, { cast?: string; default?: Value }>();
  const args = callArguments(call);
  if (!args) return scheme;
  for (const [name, valueNode] of args.keywords) {
    const parts = valueNode.type === 'tuple' ? valueNode.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];
    if (parts.length === 2) {
      const [castNode, defaultNode] = parts;
      scheme.set(name, { cast: environCastName(castNode), default: evaluateExpression(defaultNode, scope) });
    } else if (valueNode.type === 'identifier' || valueNode.type === 'list') {
      scheme.set(name, { cast: environCastName(valueNode) });
    }
  }
  return scheme;
}

export { applyEnvironCast };
