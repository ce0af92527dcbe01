import type { Location } from '../types';

/** How a setting was read from the environment; decides what an externalising fix writes. */
export type EnvReader = 'os.environ' | 'os.getenv' | 'decouple' | 'environ';

/**
 * What static reading can tell about a Python value. Environment reads keep the value the
 * expression has when the variable is unset (`whenUnset`), which is what a forgotten
 * variable in production turns into.
 */
export type Value =
  | { kind: 'none'; loc?: Location }
  | { kind: 'bool'; value: boolean; loc?: Location }
  | { kind: 'number'; value: number; loc?: Location }
  | { kind: 'string'; value: string; loc?: Location }
  /**
   * `open`: the list certainly holds `items` (in that order, as far as they go) but may hold
   * more, anywhere ("contains at least"): something unknown was added to it.
   */
  | { kind: 'list'; items: Value[]; tuple: boolean; open?: boolean; loc?: Location }
  /** `open`: the entries are certainly there, but unknown keys may be too. */
  | { kind: 'dict'; entries: DictEntry[]; open?: boolean; loc?: Location }
  | { kind: 'env'; variable: string; reader: EnvReader; whenUnset: Value; defaultLoc?: Location; loc?: Location }
  | { kind: 'unknown'; loc?: Location };

export interface DictEntry {
  key: Value;
  value: Value;
}

export const UNKNOWN: Value = { kind: 'unknown' };

/**
 * Past these a value is not followed: it is unknown, as a value that cannot be read is.
 * No real settings value comes near (the largest list in the projects we read holds 193
 * items), and every operation on a value (a copy, a comparison, a lookup) stays bounded, so
 * a module is evaluated in time linear in its text whatever it does to one setting.
 */
export const VALUE_LIMITS = {
  /** Lists, tuples and dicts nested in one another (through names too: `A = [B]`). */
  depth: 64,
  /** Items of one list or dict. */
  items: 1000,
  /** Characters of one string. */
  stringLength: 100_000,
};

const depths = new WeakMap<Value, number>();

/** How deeply lists, dicts and environment defaults nest in a value (a scalar is 0); remembered from 2 on. */
function depthOf(value: Value): number {
  if (value.kind !== 'list' && value.kind !== 'dict' && value.kind !== 'env') return 0;
  let depth = depths.get(value);
  if (depth !== undefined) return depth;
  depth = 0;
  if (value.kind === 'list') for (const item of value.items) depth = Math.max(depth, depthOf(item));
  else if (value.kind === 'dict') for (const entry of value.entries) depth = Math.max(depth, depthOf(entry.key), depthOf(entry.value));
  else depth = depthOf(value.whenUnset);
  // A container of scalars (most values) is cheaper to measure again than to remember.
  if (++depth > 1) depths.set(value, depth);
  return depth;
}

/** The value, or unknown (at the same place) when it is past VALUE_LIMITS. */
export function bounded(value: Value): Value {
  const over =
    (value.kind === 'list' && value.items.length > VALUE_LIMITS.items) ||
    (value.kind === 'dict' && value.entries.length > VALUE_LIMITS.items) ||
    (value.kind === 'string' && value.value.length > VALUE_LIMITS.stringLength) ||
    depthOf(value) > VALUE_LIMITS.depth;
  return over ? { kind: 'unknown', loc: value.loc } : value;
}

/** The value a production deployment ends up with when no environment variable is set. */
export function unsetView(value: Value): Value {
  return value.kind === 'env' ? unsetView(value.whenUnset) : value;
}

export function isKnown(value: Value): boolean {
  const view = unsetView(value);
  return view.kind !== 'unknown';
}

/** Python truthiness, or undefined when it cannot be told. */
export function truthy(value: Value): boolean | undefined {
  const v = unsetView(value);
  switch (v.kind) {
    case 'none':
      return false;
    case 'bool':
      return v.value;
    case 'number':
      return v.value !== 0;
    case 'string':
      return v.value.length > 0;
    case 'list':
      return v.items.length > 0 ? true : v.open ? undefined : false;
    case 'dict':
      return v.entries.length > 0 ? true : v.open ? undefined : false;
    default:
      return undefined;
  }
}

/** Python `==` between two values, or undefined when it cannot be told. */
export function pyEquals(a: Value, b: Value): boolean | undefined {
  const x = unsetView(a);
  const y = unsetView(b);
  if (x.kind === 'unknown' || y.kind === 'unknown') return undefined;
  if (x.kind === 'none' || y.kind === 'none') return x.kind === y.kind;
  const numeric = (v: Value) => (v.kind === 'bool' ? Number(v.value) : v.kind === 'number' ? v.value : undefined);
  const nx = numeric(x);
  const ny = numeric(y);
  if (nx !== undefined && ny !== undefined) return nx === ny;
  if (x.kind === 'string' && y.kind === 'string') return x.value === y.value;
  if (x.kind === 'list' && y.kind === 'list') {
    if (x.open || y.open) return undefined;
    if (x.tuple !== y.tuple || x.items.length !== y.items.length) return false;
    let all = true;
    for (let i = 0; i < x.items.length; i++) {
      const same = pyEquals(x.items[i], y.items[i]);
      if (same === undefined) return undefined;
      all &&= same;
    }
    return all;
  }
  if (x.kind !== y.kind) return false;
  return undefined;
}

/** A string value, when the value is known to be one. */
export function asString(value: Value | undefined): string | undefined {
  if (!value) return undefined;
  const v = unsetView(value);
  return v.kind === 'string' ? v.value : undefined;
}

/** The items of a list or tuple known whole (not one that may hold more: see presentItems). */
export function asList(value: Value | undefined): Value[] | undefined {
  if (!value) return undefined;
  const v = unsetView(value);
  return v.kind === 'list' && !v.open ? v.items : undefined;
}

/**
 * The items a list or tuple certainly holds, and whether it may hold more: what a question
 * of presence ("is SecurityMiddleware installed?") can use when the whole list is not known.
 */
export function presentItems(value: Value | undefined): { items: Value[]; open: boolean } | undefined {
  if (!value) return undefined;
  const v = unsetView(value);
  return v.kind === 'list' ? { items: v.items, open: !!v.open } : undefined;
}

/**
 * Whether a list holds the string `item`: true when one of its certain items is it, false
 * when the list is known whole and none is, undefined when an unknown item could be it.
 */
export function listHolds(value: Value | undefined, item: string): boolean | undefined {
  const present = presentItems(value);
  if (!present) return undefined;
  let unknown = present.open;
  for (const entry of present.items) {
    const view = unsetView(entry);
    if (view.kind === 'string' && view.value === item) return true;
    if (view.kind !== 'string') unknown = true;
  }
  return unknown ? undefined : false;
}

/** A list or dict that keeps what it certainly holds and may hold more (see Value). */
export function opened(value: Value): Value {
  const v = unsetView(value);
  if (v.kind === 'list' || v.kind === 'dict') return v.open ? v : { ...v, open: true };
  return UNKNOWN;
}

/** The strings of a list whose every item is a known string. */
export function asStringList(value: Value | undefined): string[] | undefined {
  const items = asList(value);
  if (!items) return undefined;
  const strings: string[] = [];
  for (const item of items) {
    const s = asString(item);
    if (s === undefined) return undefined;
    strings.push(s);
  }
  return strings;
}

/** The value under `key` in a dict; undefined when it is absent or cannot be told. */
export function dictGet(value: Value | undefined, key: string): Value | undefined {
  if (!value) return undefined;
  const v = unsetView(value);
  if (v.kind !== 'dict') return undefined;
  for (let i = v.entries.length - 1; i >= 0; i--) {
    const entry = v.entries[i];
    if (asString(entry.key) === key) return entry.value;
  }
  return undefined;
}

export function isDictOrUnknown(value: Value): boolean {
  const v = unsetView(value);
  return v.kind === 'dict' || v.kind === 'unknown';
}

/** Applies `transform` to the value behind an env read, keeping the env wrapper. */
export function mapUnset(value: Value, transform: (v: Value) => Value, loc?: Location): Value {
  if (value.kind === 'env') {
    return { ...value, whenUnset: mapUnset(value.whenUnset, transform), loc: loc ?? value.loc };
  }
  const result = transform(value);
  return loc ? { ...result, loc } : result;
}

export function withLoc(value: Value, loc: Location): Value {
  return { ...value, loc };
}

/** A short Python-like rendering, for messages. */
export function describe(value: Value): string {
  const v = value;
  switch (v.kind) {
    case 'none':
      return 'None';
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'number':
      return String(v.value);
    case 'string':
      return JSON.stringify(v.value).replace(/^"|"$/g, "'");
    case 'list': {
      const items = v.items.map(describe);
      if (v.open) items.push('…');
      return (v.tuple ? '(' : '[') + items.join(', ') + (v.tuple ? ')' : ']');
    }
    case 'dict':
      return '{…}';
    case 'env':
      return `the environment variable ${v.variable} (default ${describe(v.whenUnset)})`;
    default:
      return 'an unknown value';
  }
}
