import type { Node } from '../parse/python';
import { unwrap } from './syntax';

/**
 * Name resolution for one module, as far as a reader can go without running the code:
 * which bindings of a name reach a use inside its function (and whether on every path),
 * what a closure variable or a module-level name is bound to, where a name is read, which
 * values are added to a container held by a name, and what a function returns.
 *
 * Each scope's body is read once, lazily, by an iterative walk (never a recursion over the
 * tree's depth), and the facts are kept by node id for the life of the tree.
 */

/** How a name is bound in a scope. */
export interface Binding {
  /**
   * `assign`: `x = value` (for an unpacking, `value` is the matching element when the
   * right-hand side is a literal tuple or list, else the whole right-hand side, `unpacked`);
   * `augment`: `x += value`; `with`: `with value as x`; `for`: `for x in value` (the
   * iterable); `param`: a parameter of the function; `import`; `definition`: `def x` or
   * `class x`; `other`: anything whose value cannot be read (`except as`, `global`, `del`…).
   */
  kind: 'assign' | 'augment' | 'with' | 'for' | 'param' | 'import' | 'definition' | 'other';
  /** The statement (or parameter, or loop) that binds the name. */
  statement: Node;
  /** The identifier bound, where a trace says "assigned here". */
  target: Node;
  value?: Node;
  /** The bound value is one element of `value`, not `value` itself. */
  unpacked?: boolean;
  /**
   * The blocks in which the binding runs whenever control reaches their end: the block the
   * statement sits in and, through `with` statements, the blocks around them.
   */
  blocks: Node[];
  /** Where the binding statement ends (kept: a node's end is not free to ask for). */
  end: number;
}

/** The definitions of a name that can reach one of its uses. */
export type Reaching =
  /** The scope never binds the name before the use: a global, a builtin or a closure variable. */
  | { kind: 'unbound' }
  /** A comprehension or lambda around the use binds the name. */
  | { kind: 'inner' }
  | {
      kind: 'defs';
      /** In document order; the first is the last binding that reaches the use on every path, when there is one. */
      defs: Binding[];
      /** True when every definition runs, in order, each time before the use: no branch, no loop, no older value. */
      straight: boolean;
    };

/** What an identifier refers to, wherever it is bound. */
export type Resolution =
  | { kind: 'local'; scope: Node; defs: Binding[]; straight: boolean }
  /** A target of a comprehension's `for … in iterable` around the use. */
  | { kind: 'comprehension'; iterable: Node; unpacked: boolean }
  /** A parameter of a lambda around the use. */
  | { kind: 'lambda' }
  /** A variable of an enclosing function: any of its bindings may be the one seen. */
  | { kind: 'closure'; scope: Node; defs: Binding[] }
  /** A module-level name (no bindings: a builtin). */
  | { kind: 'module'; defs: Binding[] };

/** A check of a name against an allow-list that leaves (raises or returns) when it fails. */
interface AllowListGuard {
  /** The `if` or `assert` statement. */
  statement: Node;
  /** The block the statement sits in: the guard holds for uses after it in this block. */
  container: Node;
}

/** A value put into a container: `name.append(v)` (`method` append), `name[k] = v` (`method` undefined)… */
export interface Addition {
  value: Node;
  method?: string;
}

/** A comprehension in a scope's body and the names its clauses bind. */
interface Comprehension {
  node: Node;
  clauses: { names: Set<string>; iterable: Node; unpacked: boolean }[];
}

/** What one walk of a scope's body records. */
interface ScopeIndex {
  bindings: Map<string, Binding[]>;
  /** Identifiers that read a name, in this scope's own body. */
  reads: Map<string, Node[]>;
  /** Values put into the container a name holds: `name.append(v)`, `name[k] = v`, `name.update(v)`… */
  additions: Map<string, Addition[]>;
  guards: Map<string, AllowListGuard[]>;
  /** Where a name is known to be in an allow-list: the body of `if name in X:` and the value of `v if name in X else w`. */
  allowed: Map<string, Node[]>;
  /** `return` (and `yield`) values of a function scope. */
  returns: Node[];
  /** `self.attr = value` in a method: attribute name → values (the first parameter's name is the instance). */
  instanceWrites: Map<string, Node[]>;
  /** Functions, classes and lambdas directly inside this scope, in document order. */
  nested: Node[];
  /** Comprehensions of this scope's body, in document order. */
  comprehensions: Comprehension[];
  /** Loops of this scope's body. */
  loops: Node[];
  /** `if` statements with an `else`, their branches' blocks, and the block they sit in. */
  choices: { node: Node; branches: Node[]; container: Node }[];
}

const SCOPE_TYPES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);
const TARGET_CONTAINERS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'list_splat_pattern', 'parenthesized_expression', 'as_pattern_target']);
const CONTAINER_METHODS = new Set(['append', 'extend', 'insert', 'add', 'update', 'setdefault', 'appendleft', 'extendleft']);
/** How far up from a use the resolver looks for comprehensions, lambdas and guards; deeper nesting is not read. */
const MAX_HOPS = 256;

/** Whether `inner` lies inside `outer` (or is it). */
export function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** Identifiers bound by an assignment target (names, tuples, lists, starred), read without recursion. */
export function targetNames(target: Node | null | undefined): Node[] {
  const names: Node[] = [];
  const stack: Node[] = target ? [target] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'identifier') names.push(node);
    else if (TARGET_CONTAINERS.has(node.type)) {
      const children = node.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) if (children[i]) stack.push(children[i]!);
    }
  }
  return names;
}

/** The items of a literal tuple or list (no starred item), or undefined. */
function literalItems(node: Node): Node[] | undefined {
  const value = unwrap(node);
  if (value.type !== 'tuple' && value.type !== 'list' && value.type !== 'expression_list') return undefined;
  const items = value.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  return items.some((item) => item.type === 'list_splat') ? undefined : items;
}

/** The part of a scope that holds its statements. */
function scopeBody(scope: Node): Node | null {
  return scope.type === 'module' ? scope : scope.childForFieldName('body');
}

/** The name node of a parameter (`x`, `x=1`, `x: int`, `*args`, `**kw`), or undefined. */
export function parameterName(parameter: Node): Node | undefined {
  if (parameter.type === 'identifier') return parameter;
  const named = parameter.childForFieldName('name');
  if (named?.type === 'identifier') return named;
  for (const child of parameter.namedChildren) {
    if (child?.type === 'identifier') return child;
    if (child?.type === 'typed_parameter' || child?.type === 'list_splat_pattern' || child?.type === 'dictionary_splat_pattern') return parameterName(child);
  }
  return undefined;
}

/** The parameters of a function or lambda, in order, with their name nodes. */
export function parametersOf(fn: Node): { node: Node; name: Node; kind: 'plain' | 'args' | 'kwargs' }[] {
  const result: { node: Node; name: Node; kind: 'plain' | 'args' | 'kwargs' }[] = [];
  for (const parameter of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!parameter) continue;
    const name = parameterName(parameter);
    if (!name) continue;
    const text = parameter.type === 'typed_parameter' ? (parameter.namedChildren[0]?.type ?? '') : parameter.type;
    const kind = text === 'list_splat_pattern' ? 'args' : text === 'dictionary_splat_pattern' ? 'kwargs' : 'plain';
    result.push({ node: parameter, name, kind });
  }
  return result;
}

/** Whether an identifier is read where it stands (not an assignment target, an attribute or keyword name, a definition's name…). */
export function isRead(identifier: Node, parent: Node | null = identifier.parent, parentType = parent?.type): boolean {
  if (!parent) return false;
  const isField = (name: string) => parent.childForFieldName(name)?.id === identifier.id;
  switch (parentType) {
    case 'attribute':
      return !isField('attribute');
    case 'keyword_argument':
      return !isField('name');
    case 'assignment':
      return !isField('left');
    case 'augmented_assignment':
      return true;
    case 'for_statement':
    case 'for_in_clause':
      return !isField('left');
    case 'default_parameter':
    case 'typed_default_parameter':
      return isField('value');
    case 'as_pattern_target':
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'function_definition':
    case 'class_definition':
    case 'parameters':
    case 'lambda_parameters':
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
    case 'aliased_import':
    case 'dotted_name':
    case 'global_statement':
    case 'nonlocal_statement':
    case 'keyword_pattern':
      return false;
    case 'named_expression':
      return !isField('name');
    default:
      return true;
  }
}

/** A membership test `name in X` (or `name not in X` when `negated`) on the identifier `name`. */
function membershipOf(test: Node | null | undefined, negated: boolean): string | undefined {
  if (!test) return undefined;
  const node = unwrap(test);
  if (node.type !== 'comparison_operator') return undefined;
  const operands = node.namedChildren;
  const operators = node.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
  if (operands.length !== 2 || operands[0]?.type !== 'identifier') return undefined;
  return operators.join(' ') === (negated ? 'not in' : 'in') ? operands[0].text : undefined;
}

/** Whether a `try` statement has handlers and each of them returns, raises, breaks or continues. */
function handlersLeave(tryStatement: Node): boolean {
  const handlers = tryStatement.namedChildren.filter((c) => c?.type === 'except_clause' || c?.type === 'except_group_clause');
  return handlers.length > 0 && handlers.every((handler) => leaves(handler!.namedChildren.find((c) => c?.type === 'block')));
}

function leaves(block: Node | null | undefined): boolean {
  if (!block) return false;
  const children = block.namedChildren.filter((c) => c && c.type !== 'comment');
  const last = children[children.length - 1];
  return !!last && (last.type === 'raise_statement' || last.type === 'return_statement' || last.type === 'continue_statement' || last.type === 'break_statement');
}

/** Name resolution for one parsed module. Make one per tree. */
export class Scopes {
  private readonly indexes = new Map<number, ScopeIndex>();
  private readonly scopeCache = new Map<number, Node>();
  private readonly positionFree = new Map<string, Resolution>();

  constructor(readonly root: Node) {}

  /**
   * The function (or lambda, class body, module) whose local names a node sees. Found from
   * the module down, by position (a node's parent is not cheap to ask for in a deep tree).
   */
  scopeOf(node: Node): Node {
    const cached = this.scopeCache.get(node.id);
    if (cached) return cached;
    let scope = this.root;
    for (let hops = 0; hops < MAX_HOPS; hops++) {
      const inner = innermostContaining(this.index(scope).nested, node);
      if (!inner) break;
      scope = inner;
    }
    this.scopeCache.set(node.id, scope);
    return scope;
  }

  /** The scope a scope sits in, skipping class bodies (methods do not see class-level names); undefined for the module. */
  enclosingFunctionScope(scope: Node): Node | undefined {
    let current = scope.type === 'module' ? undefined : this.scopeOf(scope);
    while (current && current.type === 'class_definition') current = this.scopeOf(current);
    return current;
  }

  /** Every binding of every name directly in `scope`, in document order. */
  bindings(scope: Node): Map<string, Binding[]> {
    return this.index(scope).bindings;
  }

  /** Identifiers that read `name` in `scope`, nested functions that do not rebind it included. */
  readsOf(scope: Node, name: string): Node[] {
    const reads: Node[] = [];
    const stack = [scope];
    while (stack.length > 0) {
      const current = stack.pop()!;
      const index = this.index(current);
      if (current !== scope && index.bindings.has(name)) continue;
      for (const read of index.reads.get(name) ?? []) reads.push(read);
      for (const nested of index.nested) stack.push(nested);
    }
    return reads.sort((a, b) => a.startIndex - b.startIndex);
  }

  /** What is put into the container held by `name` in `scope` (appends, item assignments, updates), anywhere in the scope. */
  additions(scope: Node, name: string): Addition[] {
    return this.index(scope).additions.get(name) ?? [];
  }

  /** `return` (and `yield`) values of a function. */
  returns(fn: Node): Node[] {
    return this.index(fn).returns;
  }

  /** Values assigned to `self.<name>` in the methods of a class and of the module's classes that derive from it. */
  instanceWrites(cls: Node, name: string): Node[] {
    const values: Node[] = [];
    const className = cls.childForFieldName('name')?.text;
    const classes = [
      cls,
      ...this.index(this.root).nested.filter(
        (other) => other.type === 'class_definition' && other.id !== cls.id && !!className && new RegExp(`\\b${className}\\b`).test(other.childForFieldName('superclasses')?.text ?? ''),
      ),
    ];
    for (const owner of classes) {
      for (const method of this.index(owner).nested) {
        if (method.type === 'function_definition') for (const value of this.index(method).instanceWrites.get(name) ?? []) values.push(value);
      }
    }
    return values;
  }

  /** Functions, classes and lambdas directly inside a scope. */
  nestedScopes(scope: Node): Node[] {
    return this.index(scope).nested;
  }

  /** The definitions of the identifier `use` that can reach it, within its own scope. */
  reaching(use: Node, scope = this.scopeOf(use)): Reaching {
    const name = use.text;
    if (this.innerBinding(use, scope)) return { kind: 'inner' };
    const bindings = this.bindings(scope).get(name) ?? [];
    // `x = x + 1` does not reach the `x` on its own right-hand side; a loop target reaches the loop's body.
    const at = use.startIndex;
    const before = bindings.filter((b) => b.kind === 'param' || (b.kind === 'for' ? b.target.endIndex <= at && !(b.value && contains(b.value, use)) : b.end <= at));
    let base = -1;
    for (let i = before.length - 1; i >= 0; i--) {
      if (before[i].kind !== 'augment' && dominates(before[i], use)) {
        base = i;
        break;
      }
    }
    let defs = base >= 0 ? before.slice(base) : before;
    // `if …: x = a` / `else: x = b` before the use: every path binds it again, so older bindings do not reach.
    const cutoff = this.lastCoveringChoice(use, scope, bindings);
    if (cutoff !== undefined && (base < 0 || before[base].statement.startIndex < cutoff)) defs = defs.filter((b) => b.kind !== 'param' && b.statement.startIndex >= cutoff);
    // A binding later in a loop that also holds the use reaches it on the next iteration.
    const loops = this.loopsAround(use, scope);
    const carried = bindings.filter((b) => b.kind !== 'param' && !defs.includes(b) && b.statement.startIndex > use.endIndex && loops.some((loop) => contains(loop, b.statement)));
    if (defs.length === 0 && carried.length === 0) return { kind: 'unbound' };
    // Only imports: the name means what the import says, as for a module-level name seen from a function.
    if (carried.length === 0 && defs.every((b) => b.kind === 'import')) return { kind: 'unbound' };
    const straight = base >= 0 && carried.length === 0 && defs.every((b) => b.kind !== 'for' && dominates(b, use) && this.loopsAround(b.statement, scope).every((loop) => contains(loop, use)));
    return { kind: 'defs', defs: [...defs, ...carried], straight };
  }

  /** What the identifier `use` refers to. */
  resolve(use: Node): Resolution {
    const scope = this.scopeOf(use);
    const inner = this.innerBinding(use, scope);
    if (inner) return inner;
    // A name the scope binds only as a parameter, or not at all, means the same wherever it is read.
    const own = this.bindings(scope).get(use.text);
    const anywhere = !own || own.every((b) => b.kind === 'param');
    const key = `${scope.id}:${use.text}`;
    if (anywhere) {
      const known = this.positionFree.get(key);
      if (known) return known;
    }
    const resolution = this.resolveAt(use, scope);
    if (anywhere) this.positionFree.set(key, resolution);
    return resolution;
  }

  private resolveAt(use: Node, scope: Node): Resolution {
    const reaching = this.reaching(use, scope);
    if (reaching.kind === 'defs') return { kind: 'local', scope, defs: reaching.defs, straight: reaching.straight };
    const name = use.text;
    if (scope.type !== 'module') {
      const own = this.bindings(scope).get(name) ?? [];
      if (own.length > 0 && own.every((b) => b.kind === 'import')) return { kind: 'module', defs: own };
      let hops = 0;
      for (let outer = this.enclosingFunctionScope(scope); outer && outer.type !== 'module' && hops < MAX_HOPS; outer = this.enclosingFunctionScope(outer), hops++) {
        const defs = this.bindings(outer).get(name);
        if (defs && defs.length > 0) return { kind: 'closure', scope: outer, defs };
      }
    }
    return { kind: 'module', defs: this.bindings(this.root).get(name) ?? [] };
  }

  /** Whether an allow-list check guards the use: `if name not in ALLOWED: raise`, `assert name in ALLOWED`, or the use inside `if name in ALLOWED:`. */
  guardedByAllowList(use: Node, scope = this.scopeOf(use)): boolean {
    const index = this.index(scope);
    const name = use.text;
    if ((index.allowed.get(name) ?? []).some((region) => contains(region, use))) return true;
    return (index.guards.get(name) ?? []).some((guard) => guard.statement.endIndex <= use.startIndex && contains(guard.container, use));
  }

  /** The comprehension around the use that binds its name, if any (the innermost). */
  private innerBinding(use: Node, scope: Node): Resolution | undefined {
    const name = use.text;
    let found: Resolution | undefined;
    for (const comprehension of this.index(scope).comprehensions) {
      if (comprehension.node.startIndex > use.startIndex) break;
      if (!contains(comprehension.node, use)) continue;
      for (const clause of comprehension.clauses) {
        // A clause's iterable is read before its own target is bound.
        if (clause.names.has(name) && !contains(clause.iterable, use)) found = { kind: 'comprehension', iterable: clause.iterable, unpacked: clause.unpacked };
      }
    }
    return found;
  }

  /** The start of the last `if`/`else` before the use whose every branch binds the name, if there is one. */
  private lastCoveringChoice(use: Node, scope: Node, bindings: Binding[]): number | undefined {
    let cutoff: number | undefined;
    for (const choice of this.index(scope).choices) {
      if (choice.node.endIndex > use.startIndex || !contains(choice.container, use) || (cutoff !== undefined && choice.node.startIndex <= cutoff)) continue;
      const covered = choice.branches.every((branch) => bindings.some((b) => b.kind !== 'augment' && b.kind !== 'param' && b.blocks.some((block) => block.id === branch.id)));
      if (covered) cutoff = choice.node.startIndex;
    }
    return cutoff;
  }

  private loopsAround(node: Node, scope: Node): Node[] {
    return this.index(scope).loops.filter((loop) => contains(loop, node) && loop.id !== node.id);
  }

  private index(scope: Node): ScopeIndex {
    const cached = this.indexes.get(scope.id);
    if (cached) return cached;
    const index = indexScope(scope);
    this.indexes.set(scope.id, index);
    return index;
  }
}

/** Of scopes in document order, the one whose body holds `node`. */
function innermostContaining(scopes: readonly Node[], node: Node): Node | undefined {
  let low = 0;
  let high = scopes.length - 1;
  let candidate = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (scopes[mid].startIndex <= node.startIndex) {
      candidate = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  if (candidate < 0) return undefined;
  const scope = scopes[candidate];
  const body = scope.childForFieldName('body');
  return body && contains(body, node) && scope.id !== node.id ? scope : undefined;
}

/** Whether a binding runs every time before `use`: a block it runs in whenever control passes encloses the use. */
function dominates(binding: Binding, use: Node): boolean {
  if (binding.kind === 'param') return true;
  if (binding.statement.startIndex >= use.startIndex) return false;
  return binding.blocks.some((block) => contains(block, use));
}

/**
 * Reads one scope's body without descending into nested functions, classes or lambdas: a
 * walk with an explicit stack that knows each node's ancestors, so nothing asks a node for
 * its parent.
 */
function indexScope(scope: Node): ScopeIndex {
  const index: ScopeIndex = {
    bindings: new Map(),
    reads: new Map(),
    additions: new Map(),
    guards: new Map(),
    allowed: new Map(),
    returns: [],
    instanceWrites: new Map(),
    nested: [],
    comprehensions: [],
    loops: [],
    choices: [],
  };
  const push = <T>(map: Map<string, T[]>, name: string, item: T) => {
    const list = map.get(name);
    if (list) list.push(item);
    else map.set(name, [item]);
  };
  const selfName = scope.type === 'function_definition' ? parametersOf(scope)[0]?.name.text : undefined;
  const body = scopeBody(scope);
  /** The ancestors of the node being visited, innermost last (from the scope's body down). */
  const path: Node[] = [];
  /** Their types (asking a node for its type crosses into WASM each time). */
  const pathTypes: string[] = [];
  const blocksHere = (): Node[] => {
    const blocks: Node[] = [];
    for (let i = path.length - 1; i >= 0; i--) {
      if (pathTypes[i] !== 'block' && pathTypes[i] !== 'module') continue;
      blocks.push(path[i]);
      // Through a `with` body, the block around the `with` statement runs the binding too; so
      // does the block around a `try` whose every handler leaves (`except ValueError: return`).
      if (pathTypes[i - 1] !== 'with_statement' && !(pathTypes[i - 1] === 'try_statement' && handlersLeave(path[i - 1]))) break;
    }
    if (blocks.length === 0 && body) blocks.push(body);
    return blocks;
  };
  const bind = (target: Node, binding: Omit<Binding, 'target' | 'blocks' | 'end'>) => push(index.bindings, target.text, { ...binding, target, blocks: blocksHere(), end: binding.statement.endIndex });

  if (scope.type === 'function_definition' || scope.type === 'lambda') {
    for (const parameter of parametersOf(scope)) bind(parameter.name, { kind: 'param', statement: parameter.node });
  }

  const bindTargets = (targetNode: Node | null | undefined, statement: Node, kind: 'assign' | 'for' | 'with', value: Node | undefined) => {
    if (!targetNode) return;
    const target = unwrap(targetNode);
    if (target.type === 'identifier') return bind(target, { kind, statement, value });
    if (target.type === 'attribute') {
      const object = target.childForFieldName('object');
      const attribute = target.childForFieldName('attribute');
      if (kind === 'assign' && value && object?.type === 'identifier' && object.text === selfName && attribute) push(index.instanceWrites, attribute.text, value);
      return;
    }
    if (target.type === 'subscript') {
      const container = target.childForFieldName('value');
      if (value && container?.type === 'identifier') push(index.additions, container.text, { value });
      return;
    }
    const items = kind === 'assign' && value ? literalItems(value) : undefined;
    const targets = target.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    if (items && targets.length === items.length && targets.every((t) => t.type === 'identifier')) {
      targets.forEach((t, i) => bind(t, { kind, statement, value: items[i] }));
      return;
    }
    for (const name of targetNames(target)) bind(name, { kind, statement, value, unpacked: true });
  };

  // Enter/exit walk: an entry visits a node; a `null` pops it from the path after its children.
  type Entry = { node: Node; parent: Node | null; parentType?: string } | null;
  const stack: Entry[] = [];
  const enter = (node: Node, type: string) => {
    stack.push(null);
    path.push(node);
    pathTypes.push(type);
  };
  const pushChildren = (node: Node, type: string, skip?: Node | null) => {
    enter(node, type);
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child && child.id !== skip?.id) stack.push({ node: child, parent: node, parentType: type });
    }
  };
  if (body) pushChildren(body, body.type);

  while (stack.length > 0) {
    const entry = stack.pop()!;
    if (entry === null) {
      path.pop();
      pathTypes.pop();
      continue;
    }
    const { node, parent, parentType } = entry;
    const type = node.type;
    switch (type) {
      case 'function_definition':
      case 'class_definition': {
        const name = node.childForFieldName('name');
        if (name) bind(name, { kind: 'definition', statement: node });
        index.nested.push(node);
        // Default values, annotations and base classes are read in this scope.
        const parameters = node.childForFieldName('parameters') ?? node.childForFieldName('superclasses');
        // Plain parameter names are the nested scope's: only defaults and annotations are read here.
        if (parameters && (type === 'class_definition' || /[=:]/.test(parameters.text))) pushChildren(parameters, parameters.type);
        continue;
      }
      case 'lambda':
        index.nested.push(node);
        continue;
      case 'identifier':
        if (isRead(node, parent, parentType)) push(index.reads, node.text, node);
        continue;
      case 'assignment': {
        let right = node.childForFieldName('right');
        const targets = [node.childForFieldName('left')];
        // `a = b = value`: the innermost right-hand side is the value of every target.
        while (right?.type === 'assignment') {
          targets.push(right.childForFieldName('left'));
          right = right.childForFieldName('right');
        }
        for (const target of targets) if (target) bindTargets(target, node, 'assign', right ?? undefined);
        // The objects of subscript and attribute targets, and the value, are read.
        enter(node, type);
        if (right) stack.push({ node: right, parent: node });
        for (const target of targets) if (target && target.type !== 'identifier') stack.push({ node: target, parent: node });
        continue;
      }
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left?.type === 'identifier' && right) {
          bind(left, { kind: 'augment', statement: node, value: right });
          push(index.reads, left.text, left);
          enter(node, type);
          stack.push({ node: right, parent: node });
        } else {
          if (left && right) bindTargets(left, node, 'assign', right);
          pushChildren(node, type);
        }
        continue;
      }
      case 'named_expression': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        if (name) bind(name, { kind: 'assign', statement: node, value: value ?? undefined });
        pushChildren(node, type, name);
        continue;
      }
      case 'for_statement':
      case 'while_statement': {
        index.loops.push(node);
        if (type === 'for_statement') {
          const left = node.childForFieldName('left');
          bindTargets(left, node, 'for', node.childForFieldName('right') ?? undefined);
          pushChildren(node, type, left);
          continue;
        }
        break;
      }
      case 'with_item': {
        const value = node.childForFieldName('value');
        if (value?.type === 'as_pattern') {
          const source = value.namedChildren[0];
          const alias = value.childForFieldName('alias');
          const bound = targetNames(alias);
          const single = bound.length === 1 && alias?.namedChildren[0]?.type === 'identifier';
          for (const name of bound) bind(name, single && source ? { kind: 'with', statement: node, value: source } : { kind: 'other', statement: node });
          enter(node, type);
          if (source) stack.push({ node: source, parent: value });
          continue;
        }
        break;
      }
      case 'except_clause':
      case 'case_clause': {
        for (const child of node.namedChildren) {
          if (child?.type === 'as_pattern') for (const name of targetNames(child.childForFieldName('alias'))) bind(name, { kind: 'other', statement: node });
        }
        break;
      }
      case 'import_statement':
      case 'import_from_statement': {
        for (const child of node.childrenForFieldName('name')) {
          if (!child) continue;
          const bound = child.type === 'aliased_import' ? child.childForFieldName('alias') : child;
          if (!bound) continue;
          const first = bound.type === 'dotted_name' ? (bound.namedChildren[0] ?? bound) : bound;
          bind(first, { kind: 'import', statement: node });
        }
        continue;
      }
      case 'global_statement':
      case 'nonlocal_statement': {
        for (const child of node.namedChildren) if (child?.type === 'identifier') bind(child, { kind: 'other', statement: node });
        continue;
      }
      case 'delete_statement': {
        for (const child of node.namedChildren) for (const name of targetNames(child)) bind(name, { kind: 'other', statement: node });
        continue;
      }
      case 'return_statement':
      case 'yield': {
        const value = node.namedChildren.find((c) => c && c.type !== 'comment');
        if (value && scope.type === 'function_definition') index.returns.push(value);
        break;
      }
      case 'if_statement': {
        const alternatives = node.childrenForFieldName('alternative').filter((a): a is Node => !!a);
        const last = alternatives[alternatives.length - 1];
        if (last?.type === 'else_clause' && parent) {
          const branches = [node.childForFieldName('consequence'), ...alternatives.map((a) => a.childForFieldName(a.type === 'else_clause' ? 'body' : 'consequence'))];
          if (branches.every((b) => !!b)) index.choices.push({ node, branches: branches as Node[], container: parent });
        }
        const condition = node.childForFieldName('condition');
        const negated = membershipOf(condition, true);
        if (negated && leaves(node.childForFieldName('consequence')) && parent) push(index.guards, negated, { statement: node, container: parent });
        const allowed = membershipOf(condition, false);
        const consequence = node.childForFieldName('consequence');
        if (allowed && consequence) push(index.allowed, allowed, consequence);
        break;
      }
      case 'conditional_expression': {
        const [value, test] = node.namedChildren;
        const allowed = membershipOf(test, false);
        if (allowed && value) push(index.allowed, allowed, value);
        break;
      }
      case 'assert_statement': {
        const name = membershipOf(node.namedChildren[0], false);
        if (name && parent) push(index.guards, name, { statement: node, container: parent });
        break;
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression': {
        const clauses: Comprehension['clauses'] = [];
        for (const clause of node.namedChildren) {
          if (clause?.type !== 'for_in_clause') continue;
          const left = clause.childForFieldName('left');
          const right = clause.childForFieldName('right');
          if (right) clauses.push({ names: new Set(targetNames(left).map((n) => n.text)), iterable: right, unpacked: left?.type !== 'identifier' });
        }
        index.comprehensions.push({ node, clauses });
        break;
      }
      case 'string': {
        // Only the interpolations of a string hold names.
        enter(node, type);
        for (const child of node.namedChildren) if (child?.type === 'interpolation') stack.push({ node: child, parent: node });
        continue;
      }
      case 'comment':
      case 'integer':
      case 'float':
        continue;
      case 'call': {
        const fn = node.childForFieldName('function');
        const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
        const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
        if (object?.type === 'identifier' && method && CONTAINER_METHODS.has(method)) {
          const args = node.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment') ?? [];
          const added = method === 'insert' || method === 'setdefault' ? args[1] : args[0];
          if (added) push(index.additions, object.text, { value: added.type === 'keyword_argument' ? (added.childForFieldName('value') ?? added) : added, method });
        }
        break;
      }
    }
    pushChildren(node, type);
  }
  index.comprehensions.sort((a, b) => a.node.startIndex - b.node.startIndex);
  return index;
}
