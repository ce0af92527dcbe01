import type { Node } from '../parse/python';
import { evaluateExpression, type Scope } from './evaluate-expression';
import { boundNames, MUTATING_LIST_METHODS } from './statement-names';
import { opened, pyEquals, unsetView, UNKNOWN, type Value } from './values';

// What a statement does to a setting's value: a list or dict method, an assignment into a
// container, or a change that may or may not happen (under a condition that cannot be read).

/** Mutations that keep whatever a list or dict held (they only add, or change one entry). */
const ADDING_METHODS = new Set(['append', 'insert', 'extend', 'update', 'setdefault']);

export function listOf(items: Value[], open: boolean): Value {
  return open ? { kind: 'list', tuple: false, items, open } : { kind: 'list', tuple: false, items };
}

/**
 * The value a list or dict method leaves (`append`, `insert`, `extend`, `remove`, `clear`,
 * `update`, `setdefault`); unknown for anything else. What is added unknown is kept as
 * "contains at least" (see Value).
 */
export function mutated(current: Value, method: string, values: Value[]): Value {
  if (current.kind === 'list' && !current.tuple) {
    const items = [...current.items];
    const open = !!current.open;
    if (method === 'append' && values.length === 1) return listOf([...items, values[0]], open);
    if (method === 'extend' && values.length === 1) {
      const extra = unsetView(values[0]);
      return extra.kind === 'list' ? listOf([...items, ...extra.items], open || !!extra.open) : listOf(items, true);
    }
    if (method === 'insert' && values.length === 2) {
      const index = unsetView(values[0]);
      if (!open && index.kind === 'number' && Number.isInteger(index.value)) {
        const at = index.value < 0 ? Math.max(0, items.length + index.value) : Math.min(index.value, items.length);
        items.splice(at, 0, values[1]);
        return listOf(items, false);
      }
      // Somewhere: present, in an order no longer known.
      return listOf([...items, values[1]], true);
    }
    if (method === 'remove' && values.length === 1) {
      const at = items.findIndex((item) => pyEquals(item, values[0]) === true);
      const before = at < 0 ? items : items.slice(0, at);
      if (!before.every((item) => pyEquals(item, values[0]) === false)) return UNKNOWN;
      if (at >= 0) items.splice(at, 1);
      // A list that may hold more may have held the removed item elsewhere, before it.
      if (open) return listOf(items, true);
      return at >= 0 ? listOf(items, false) : UNKNOWN;
    }
    if (method === 'clear' && values.length === 0) return listOf([], false);
    return UNKNOWN;
  }
  if (current.kind === 'dict' && method === 'update' && values.length === 1) {
    const extra = unsetView(values[0]);
    if (extra.kind === 'dict') return { kind: 'dict', entries: [...current.entries, ...extra.entries], ...(current.open || extra.open ? { open: true } : {}) };
    return { kind: 'dict', entries: current.entries.map((entry) => ({ key: entry.key, value: UNKNOWN })), open: true };
  }
  return UNKNOWN;
}

/** A setting's value with the container at `keys` replaced by what `change` makes of it; unknown when the path is not known. */
export function atPath(value: Value, keys: readonly Value[], change: (container: Value) => Value): Value {
  const current = unsetView(value);
  if (keys.length === 0) return change(current);
  if (value.kind === 'env') return UNKNOWN;
  const [key, ...rest] = keys;
  if (current.kind === 'dict') {
    for (let i = current.entries.length - 1; i >= 0; i--) {
      const same = pyEquals(current.entries[i].key, key);
      if (same === undefined) return UNKNOWN;
      if (same) {
        const entries = [...current.entries];
        entries[i] = { key: entries[i].key, value: atPath(entries[i].value, rest, change) };
        return { ...current, entries };
      }
    }
    return UNKNOWN;
  }
  if (current.kind === 'list' && !current.open) {
    const k = unsetView(key);
    if (k.kind !== 'number' || !Number.isInteger(k.value)) return UNKNOWN;
    const index = k.value < 0 ? current.items.length + k.value : k.value;
    if (index < 0 || index >= current.items.length) return UNKNOWN;
    const items = [...current.items];
    items[index] = atPath(items[index], rest, change);
    return { ...current, items };
  }
  return UNKNOWN;
}

/** `A["x"][0]` as its root name and the keys below it, when every key can be read. */
export function subscriptPath(node: Node, scope: Scope): { root: string; path: Value[] } | undefined {
  const keys: Value[] = [];
  let current: Node | null = node;
  while (current?.type === 'subscript') {
    const subscripts = current.childrenForFieldName('subscript');
    if (subscripts.length !== 1 || !subscripts[0]) return undefined;
    const key = evaluateExpression(subscripts[0], scope);
    if (key.kind === 'unknown' || key.kind === 'env') return undefined;
    keys.unshift(key);
    current = current.childForFieldName('value');
  }
  return current?.type === 'identifier' ? { root: current.text, path: keys } : undefined;
}

/** One thing a statement that may or may not run does to a setting: adds to a list, or sets one dict entry. */
export type ConditionalChange = { path: Value[]; op: 'add' } | { path: Value[]; op: 'set'; key: Value } | { path: Value[]; op: 'update' };

/**
 * For each name a compound statement (an `if` whose condition cannot be read, a loop, a
 * `try`) changes only by adding, what it may add; null for a name it may also rebind,
 * remove from or reorder, whose value then becomes unknown.
 */
export function conditionalChanges(statement: Node, scope: Scope): Map<string, ConditionalChange[] | null> {
  const changes = new Map<string, ConditionalChange[] | null>();
  const add = (name: string, change: ConditionalChange) => {
    const known = changes.get(name);
    if (known === null) return;
    changes.set(name, [...(known ?? []), change]);
  };
  const other = (node: Node | null) => {
    if (node) for (const name of boundNames(node)) changes.set(name, null);
  };
  const visit = (node: Node) => {
    if (node.type === 'function_definition' || node.type === 'class_definition') return;
    if (node.type === 'call') {
      const callee = node.childForFieldName('function');
      const method = callee?.type === 'attribute' ? (callee.childForFieldName('attribute')?.text ?? '') : '';
      const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
      if (receiver && MUTATING_LIST_METHODS.has(method)) {
        const target = subscriptPath(receiver, scope);
        if (target && ADDING_METHODS.has(method)) add(target.root, { path: target.path, op: method === 'update' || method === 'setdefault' ? 'update' : 'add' });
        else other(receiver);
      }
    } else if (node.type === 'assignment' || node.type === 'augmented_assignment') {
      const left = node.childForFieldName('left');
      if (node.type === 'assignment' && left?.type === 'identifier' && keepsItself(node.childForFieldName('right'), left.text)) {
        // `MIDDLEWARE = ["metrics.Before", *MIDDLEWARE, "metrics.After"]`: rebound, but to a list holding what it held.
        add(left.text, { path: [], op: 'add' });
        for (const child of node.namedChildren) if (child) visit(child);
        return;
      }
      const target = left?.type === 'subscript' || node.type === 'augmented_assignment' ? left && subscriptPath(left, scope) : undefined;
      if (target && node.type === 'augmented_assignment' && node.childForFieldName('operator')?.text === '+=') add(target.root, { path: target.path, op: 'add' });
      else if (target && node.type === 'assignment' && target.path.length > 0) add(target.root, { path: target.path.slice(0, -1), op: 'set', key: target.path[target.path.length - 1] });
      else other(left);
    } else if (node.type === 'delete_statement') {
      for (const target of node.namedChildren) other(target);
    }
    for (const child of node.namedChildren) if (child) visit(child);
  };
  visit(statement);
  return changes;
}

/**
 * Whether a new value for `name` is a list holding the old one whole: `[..., *NAME, ...]`,
 * `NAME + [...]` or `[...] + NAME`. Such a rebinding only adds.
 */
function keepsItself(right: Node | null, name: string): boolean {
  if (!right) return false;
  if (right.type === 'list') return right.namedChildren.some((item) => item?.type === 'list_splat' && item.namedChildren[0]?.type === 'identifier' && item.namedChildren[0].text === name);
  if (right.type !== 'binary_operator' || right.childForFieldName('operator')?.text !== '+') return false;
  const [a, b] = [right.childForFieldName('left'), right.childForFieldName('right')];
  const isName = (node: Node | null) => node?.type === 'identifier' && node.text === name;
  return (isName(a) && b?.type === 'list') || (isName(b) && a?.type === 'list');
}

/** What a setting may be after a change that may or may not have happened (see conditionalChanges). */
export function widen(value: Value, change: ConditionalChange): Value {
  return atPath(value, change.path, (container) => {
    if (change.op === 'add') return container.kind === 'list' ? opened(container) : UNKNOWN;
    if (container.kind !== 'dict') return UNKNOWN;
    if (change.op === 'update') return { kind: 'dict', entries: container.entries.map((entry) => ({ key: entry.key, value: UNKNOWN })), open: true };
    for (let i = container.entries.length - 1; i >= 0; i--) {
      const same = pyEquals(container.entries[i].key, change.key);
      if (same === undefined) return UNKNOWN;
      if (same) {
        const entries = [...container.entries];
        entries[i] = { key: entries[i].key, value: UNKNOWN };
        return { ...container, entries };
      }
    }
    return opened(container);
  });
}

/** `TEMPLATES[0]["OPTIONS"]["autoescape"] = False`: the container at the path gets the key set. */
export function setPath(container: Value, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  const key = path[path.length - 1];
  return atPath(container, path.slice(0, -1), (target) => {
    if (target.kind === 'list') return target.tuple ? UNKNOWN : atPath(target, [key], () => value);
    if (target.kind !== 'dict') return UNKNOWN;
    for (let i = target.entries.length - 1; i >= 0; i--) {
      const same = pyEquals(target.entries[i].key, key);
      if (same === undefined) return UNKNOWN;
      if (same) return atPath(target, [key], () => value);
    }
    return { ...target, entries: [...target.entries, { key, value }] };
  });
}
