import type { Node } from '../parse/python';

/**
 * Following local variables inside one function, as far as a reader can without running
 * the code: which assignments reach a use, whether they reach it on every path (straight
 * line) or only on some, and where else the variable is read.
 */

/** How a name is bound in a scope. */
export interface Binding {
  /**
   * `assign`: `x = value`; `augment`: `x += value`; `with`: `with value as x`;
   * `param`: a parameter of the function; `other`: anything whose value cannot be read
   * (loop targets, unpacking, `except as`, imports, nested definitions, `global`…).
   */
  kind: 'assign' | 'augment' | 'with' | 'param' | 'other';
  /** The statement that binds the name (for a loop or `except as`, the bound target). */
  statement: Node;
  /** The bound value for `assign`, `augment` and `with`. */
  value?: Node;
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
      /**
       * True when every definition runs, in order, each time before the use: no branch,
       * no loop, no path on which an older value survives.
       */
      straight: boolean;
    };

const SCOPE_TYPES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
const LOOPS = new Set(['for_statement', 'while_statement']);
const TARGET_CONTAINERS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'list_splat_pattern', 'parenthesized_expression', 'as_pattern_target']);

/** The function (or lambda, class body, module) whose local names a node sees. */
export function enclosingScope(node: Node): Node {
  let current = node.parent;
  while (current && !SCOPE_TYPES.has(current.type)) current = current.parent;
  if (current) return current;
  let root = node;
  while (root.parent) root = root.parent;
  return root;
}

/** Whether `inner` lies inside `outer` (or is it). */
export function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** The part of a scope that holds its statements. */
function scopeBody(scope: Node): Node | null {
  return scope.type === 'module' ? scope : scope.childForFieldName('body');
}

/** Identifiers bound by an assignment target (names, tuples, lists, starred). */
function targetNames(target: Node | null | undefined, into: Node[] = []): Node[] {
  if (!target) return into;
  if (target.type === 'identifier') into.push(target);
  else if (TARGET_CONTAINERS.has(target.type)) for (const child of target.namedChildren) if (child) targetNames(child, into);
  return into;
}

/** The block (or module) a statement sits directly in. */
function containerOf(statement: Node): Node | null {
  let current: Node | null = statement.parent;
  while (current && current.type !== 'block' && current.type !== 'module') current = current.parent;
  return current;
}

function loopsBetween(node: Node, scope: Node): Node[] {
  const loops: Node[] = [];
  for (let current = node.parent; current && current.id !== scope.id; current = current.parent) if (LOOPS.has(current.type)) loops.push(current);
  return loops;
}

/**
 * Local-variable facts for one file, cached by node id (tree-sitter hands out a new object
 * for every access, so the ids are the stable keys). Make one per analysed tree.
 */
export class LocalFlow {
  private readonly bindings = new Map<number, Map<string, Binding[]>>();

  /** Every binding of every name directly in `scope` (not in nested functions or classes), in document order. */
  scopeBindings(scope: Node): Map<string, Binding[]> {
    const cached = this.bindings.get(scope.id);
    if (cached) return cached;
    const names = collectBindings(scope);
    this.bindings.set(scope.id, names);
    return names;
  }

  /** Whether a scope binds a name anywhere (a parameter, an assignment, an import…). */
  bindsLocally(scope: Node, name: string): boolean {
    return scope.type !== 'module' && this.scopeBindings(scope).has(name);
  }

  /** The definitions of the identifier `use` that can reach it, within its own scope. */
  reaching(use: Node, scope = enclosingScope(use)): Reaching {
    const name = use.text;
    if (this.boundByInnerScope(use, scope, name)) return { kind: 'inner' };
    const bindings = this.scopeBindings(scope).get(name) ?? [];
    // `x = x + 1` does not reach the `x` on its own right-hand side.
    const before = bindings.filter((b) => b.kind === 'param' || b.statement.endIndex <= use.startIndex);
    let base = -1;
    for (let i = before.length - 1; i >= 0; i--) {
      if (before[i].kind !== 'augment' && dominates(before[i], use)) {
        base = i;
        break;
      }
    }
    const defs = base >= 0 ? before.slice(base) : before;
    // A binding later in a loop that also holds the use reaches it on the next iteration.
    const loops = loopsBetween(use, scope);
    const carried = bindings.filter((b) => b.kind !== 'param' && b.statement.startIndex > use.endIndex && loops.some((loop) => contains(loop, b.statement)));
    if (defs.length === 0 && carried.length === 0) return { kind: 'unbound' };
    // Only imports: the name means what the import says, as for a module-level name seen from a function.
    if (carried.length === 0 && defs.every((b) => b.statement.type === 'import_statement' || b.statement.type === 'import_from_statement')) return { kind: 'unbound' };
    const straight = base >= 0 && carried.length === 0 && defs.every((b) => dominates(b, use) && loopsBetween(b.statement, scope).every((loop) => contains(loop, use)));
    return { kind: 'defs', defs: [...defs, ...carried], straight };
  }

  /** Identifiers in a scope that read `name` (not assignment targets, attribute names or keywords), nested functions included. */
  readsOf(scope: Node, name: string): Node[] {
    const reads: Node[] = [];
    const visit = (node: Node) => {
      if (node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'lambda') {
        if (this.scopeBindings(node).has(name)) return;
      }
      if (node.type === 'identifier') {
        if (node.text === name && isRead(node)) reads.push(node);
        return;
      }
      for (const child of node.namedChildren) if (child) visit(child);
    };
    const body = scopeBody(scope);
    if (body) visit(body);
    return reads;
  }

  private boundByInnerScope(use: Node, scope: Node, name: string): boolean {
    for (let current = use.parent; current && current.id !== scope.id; current = current.parent) {
      if (COMPREHENSIONS.has(current.type)) {
        for (const clause of current.namedChildren) {
          if (clause?.type === 'for_in_clause' && targetNames(clause.childForFieldName('left')).some((n) => n.text === name)) return true;
        }
      }
      if (current.type === 'lambda' && this.scopeBindings(current).has(name)) return true;
    }
    return false;
  }
}

/**
 * Whether a binding runs every time before `use`: its block encloses the use, so no branch
 * can skip it. A `with` body counts as straight line; branches, `try` bodies and loop
 * bodies do not enclose what follows them.
 */
function dominates(binding: Binding, use: Node): boolean {
  if (binding.kind === 'param') return true;
  if (binding.statement.startIndex >= use.startIndex) return false;
  const block = containerOf(binding.statement);
  if (!block) return false;
  if (contains(block, use)) return true;
  const owner = block.parent;
  if (owner?.type === 'with_statement') return dominates({ ...binding, statement: owner }, use);
  return false;
}

function collectBindings(scope: Node): Map<string, Binding[]> {
  const names = new Map<string, Binding[]>();
  const add = (name: string, binding: Binding) => {
    const list = names.get(name) ?? [];
    list.push(binding);
    names.set(name, list);
  };
  if (scope.type === 'function_definition' || scope.type === 'lambda') {
    for (const parameter of scope.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!parameter) continue;
      const name =
        parameter.type === 'identifier'
          ? parameter
          : (parameter.childForFieldName('name') ?? parameter.namedChildren.find((c) => c?.type === 'identifier') ?? parameter.namedChildren[0]?.namedChildren[0]);
      if (name?.type === 'identifier') add(name.text, { kind: 'param', statement: parameter });
    }
  }
  const visit = (node: Node) => {
    switch (node.type) {
      case 'function_definition':
      case 'class_definition': {
        const name = node.childForFieldName('name');
        if (name) add(name.text, { kind: 'other', statement: name });
        return;
      }
      case 'decorated_definition':
        break;
      case 'lambda':
        return;
      case 'assignment': {
        let right = node.childForFieldName('right');
        // `a = b = value`: the innermost right-hand side is the value of every target.
        const targets = [node.childForFieldName('left')];
        while (right?.type === 'assignment') {
          targets.push(right.childForFieldName('left'));
          right = right.childForFieldName('right');
        }
        for (const target of targets) {
          if (target?.type === 'identifier') add(target.text, right ? { kind: 'assign', statement: node, value: right } : { kind: 'other', statement: node });
          else for (const name of targetNames(target)) add(name.text, { kind: 'other', statement: node });
        }
        if (right) visit(right);
        return;
      }
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left?.type === 'identifier') {
          add(left.text, node.childForFieldName('operator')?.text === '+=' && right ? { kind: 'augment', statement: node, value: right } : { kind: 'other', statement: node });
        }
        if (right) visit(right);
        return;
      }
      case 'with_item': {
        const value = node.childForFieldName('value');
        if (value?.type === 'as_pattern') {
          const source = value.namedChildren[0];
          const alias = value.childForFieldName('alias');
          const bound = targetNames(alias);
          const single = bound.length === 1 && alias?.namedChildren[0]?.type === 'identifier';
          for (const name of bound) add(name.text, single && source ? { kind: 'with', statement: node, value: source } : { kind: 'other', statement: node });
          if (source) visit(source);
          return;
        }
        break;
      }
      case 'for_statement': {
        const left = node.childForFieldName('left');
        for (const name of targetNames(left)) add(name.text, { kind: 'other', statement: left! });
        break;
      }
      case 'except_clause':
      case 'case_clause': {
        for (const child of node.namedChildren) {
          if (child?.type === 'as_pattern') {
            const alias = child.childForFieldName('alias');
            for (const name of targetNames(alias)) add(name.text, { kind: 'other', statement: alias! });
          }
        }
        break;
      }
      case 'import_statement':
      case 'import_from_statement': {
        for (const child of node.childrenForFieldName('name')) {
          if (!child) continue;
          const bound = child.type === 'aliased_import' ? child.childForFieldName('alias') : child;
          if (bound) add(bound.text.split('.')[0], { kind: 'other', statement: node });
        }
        return;
      }
      case 'global_statement':
      case 'nonlocal_statement': {
        for (const child of node.namedChildren) if (child?.type === 'identifier') add(child.text, { kind: 'other', statement: node });
        return;
      }
      case 'named_expression': {
        const name = node.childForFieldName('name');
        if (name) add(name.text, { kind: 'other', statement: node });
        break;
      }
      case 'delete_statement': {
        for (const child of node.namedChildren) for (const name of targetNames(child)) add(name.text, { kind: 'other', statement: node });
        return;
      }
    }
    for (const child of node.namedChildren) if (child) visit(child);
  };
  const body = scopeBody(scope);
  if (body) for (const child of body.namedChildren) if (child) visit(child);
  return names;
}

function isRead(identifier: Node): boolean {
  const parent = identifier.parent;
  if (!parent) return false;
  const isField = (name: string) => parent.childForFieldName(name)?.id === identifier.id;
  switch (parent.type) {
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
    case 'typed_parameter':
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
