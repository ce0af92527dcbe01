import type { Node } from '../../parse/python';
import { parametersOf, type Binding, type Scopes } from '../scopes';
import { callArguments as argumentNodes, unwrap } from '../syntax';
import type { ParamsSlot } from './parameterize';

/**
 * Calls that run SQL text: `Model.objects.raw()` (any manager or queryset by its shape),
 * `cursor.execute()` / `executemany()` on a cursor of Django's `connection` /
 * `connections[...]`, `RawSQL()`, and `QuerySet.extra()`. A method that merely shares a
 * name with these on some other object is not one of them.
 */

export type SinkKind = 'raw' | 'execute' | 'executemany' | 'RawSQL' | 'extra';

/** What a SQL argument is in its call. */
export type SqlRole = 'query' | 'where' | 'select' | 'select-alias' | 'tables' | 'order_by';

export interface SqlArgument {
  node: Node;
  role: SqlRole;
  /** Where its params go; undefined when a fix cannot add params (executemany, table and column lists). */
  slot?: Omit<ParamsSlot, 'before' | 'after'> & { siblings: Node[] };
}

export interface SqlSink {
  call: Node;
  kind: SinkKind;
  /** How messages name the call: `Book.objects.raw()`, `cursor.execute()`, `RawSQL()`, `extra(where=…)`. */
  label: string;
  arguments: SqlArgument[];
  /**
   * The database driver's own cursor (`connection.connection.cursor()`): its placeholder
   * style is the driver's (`%s` for psycopg, `?` for sqlite3), not Django's.
   */
  driver?: boolean;
}

export interface SinkEnvironment {
  scopes: Scopes;
  qualifiedName(node: Node): string | undefined;
  /** Attribute names assigned a manager in a class body of this file (`published = PublishedManager()`). */
  managers(): ReadonlySet<string>;
}

const MANAGER_ATTRIBUTES = new Set(['objects', '_default_manager', '_base_manager']);
/** QuerySet methods that return a QuerySet, so that `.raw` / `.extra` after them is still a QuerySet's. */
const QUERYSET_METHODS = new Set([
  'all',
  'filter',
  'exclude',
  'order_by',
  'using',
  'select_related',
  'prefetch_related',
  'annotate',
  'alias',
  'values',
  'values_list',
  'only',
  'defer',
  'distinct',
  'none',
  'select_for_update',
  'reverse',
  'extra',
  'get_queryset',
  'union',
  'intersection',
  'difference',
  'complex_filter',
  'dates',
  'datetimes',
  'db_manager',
]);
const EXTRA_PARAMETERS = ['select', 'where', 'params', 'tables', 'order_by', 'select_params'];
const RAWSQL_NAMES = new Set(['django.db.models.expressions.RawSQL', 'django.db.models.RawSQL']);
const CONNECTION_NAMES = new Set(['django.db.connection']);
const MAX_DEPTH = 8;
/** The last name of every callee that can be a sink: anything else is skipped before any lookup. */
const SINK_NAMES = new Set(['raw', 'execute', 'executemany', 'extra', 'RawSQL']);

/** Names of class attributes that hold managers in this file. */
export function declaredManagers(root: Node): Set<string> {
  const names = new Set<string>();
  const visitClass = (cls: Node) => {
    for (const statement of cls.childForFieldName('body')?.namedChildren ?? []) {
      const assignment = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
      if (assignment?.type !== 'assignment') continue;
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type !== 'identifier' || right?.type !== 'call') continue;
      const callee = right.childForFieldName('function')?.text ?? '';
      if (/Manager$|\.as_manager$|from_queryset\(/.test(callee) || /Manager\(\)$/.test(right.text)) names.add(left.text);
    }
  };
  const visit = (node: Node, depth: number) => {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'class_definition') visitClass(child);
      else if (child.type === 'decorated_definition') {
        const definition = child.childForFieldName('definition');
        if (definition?.type === 'class_definition') visitClass(definition);
      } else if (depth < 2 && (child.type === 'if_statement' || child.type === 'block' || child.type === 'try_statement')) visit(child, depth + 1);
    }
  };
  visit(root, 0);
  return names;
}

interface CallArguments {
  positional: Node[];
  keywords: Map<string, Node>;
  all: Node[];
  hasSplat: boolean;
}

function callArguments(call: Node): CallArguments {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const all: Node[] = [];
  let hasSplat = false;
  for (const arg of argumentNodes(call)) {
    all.push(arg);
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name && value) keywords.set(name, value);
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') hasSplat = true;
    else positional.push(arg);
  }
  return { positional, keywords, all, hasSplat };
}

/** The call as a SQL sink, or undefined when it runs no SQL text we know of. */
export function sqlSink(call: Node, env: SinkEnvironment): SqlSink | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const name = fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn.type === 'identifier' ? fn.text : undefined;
  if (!name || !SINK_NAMES.has(name)) return undefined;
  const args = callArguments(call);
  if (fn.type === 'attribute') {
    const method = name;
    const object = fn.childForFieldName('object');
    if (!object) return undefined;
    if (method === 'raw' && isQuerysetShaped(object, env, 0)) return querySink(call, 'raw', `${shortText(object)}.raw()`, args, 'raw_query', true);
    if ((method === 'execute' || method === 'executemany') && isDjangoCursor(object, env, 0)) {
      const sink = querySink(call, method, `${shortText(object)}.${method}()`, args, 'sql', false);
      if (sink && isDriverCursor(object, env, 0)) sink.driver = true;
      return sink;
    }
    if (method === 'extra' && (isQuerysetShaped(object, env, 0) || looksLikeExtra(args))) return extraSink(call, args);
  }
  if (RAWSQL_NAMES.has(env.qualifiedName(fn) ?? '')) return querySink(call, 'RawSQL', 'RawSQL()', args, 'sql', true);
  return undefined;
}

function shortText(node: Node): string {
  const text = node.text.replace(/\s+/g, ' ');
  return text.length <= 40 ? text : '…';
}

/** A call whose only arguments are `extra()`'s keywords, with SQL among them. */
function looksLikeExtra(args: CallArguments): boolean {
  if (args.positional.length > 0 || args.hasSplat || args.keywords.size === 0) return false;
  if (![...args.keywords.keys()].every((k) => EXTRA_PARAMETERS.includes(k))) return false;
  return ['select', 'where', 'tables', 'order_by'].some((k) => args.keywords.has(k));
}

/** `raw(sql, params)`, `execute(sql, params)`, `RawSQL(sql, params)`. */
function querySink(call: Node, kind: SinkKind, label: string, args: CallArguments, sqlKeyword: string, alwaysParams: boolean): SqlSink | undefined {
  const byKeyword = !args.positional[0];
  const sql = args.positional[0] ?? args.keywords.get(sqlKeyword);
  if (!sql || args.hasSplat) return undefined;
  const paramsNode = args.positional[1] ?? args.keywords.get(kind === 'executemany' ? 'param_list' : 'params');
  const argument: SqlArgument = { node: sql, role: 'query' };
  if (kind !== 'executemany') {
    const none = paramsNode?.type === 'none' ? paramsNode : undefined;
    // A new params argument goes right after the SQL, positionally, unless the SQL is given by keyword.
    argument.slot = {
      existing: none ? undefined : paramsNode,
      none,
      anchor: byKeyword ? args.all[args.all.length - 1] : sql,
      keyword: byKeyword ? 'params' : undefined,
      alwaysParams,
      siblings: [sql],
    };
  }
  return { call, kind, label, arguments: [argument] };
}

/** `extra(select={...}, where=[...], params=[...], tables=[...], order_by=[...], select_params=[...])`. */
function extraSink(call: Node, args: CallArguments): SqlSink | undefined {
  if (args.hasSplat) return undefined;
  const value = (name: string) => args.keywords.get(name) ?? args.positional[EXTRA_PARAMETERS.indexOf(name)];
  const last = args.all[args.all.length - 1];
  const result: SqlSink = { call, kind: 'extra', label: 'extra()', arguments: [] };
  const items = (node: Node | undefined) => {
    const list = node ? unwrap(node) : undefined;
    return list && (list.type === 'list' || list.type === 'tuple') ? list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : undefined;
  };
  const where = items(value('where'));
  if (where) {
    const params = value('params');
    for (const item of where) {
      result.arguments.push({
        node: item,
        role: 'where',
        slot: { existing: params?.type === 'none' ? undefined : params, none: params?.type === 'none' ? params : undefined, anchor: last, keyword: 'params', alwaysParams: true, siblings: where },
      });
    }
  } else if (value('where')) result.arguments.push({ node: value('where')!, role: 'where' });
  const select = value('select') ? unwrap(value('select')!) : undefined;
  if (select?.type === 'dictionary') {
    const params = value('select_params');
    const pairs = select.namedChildren.filter((c): c is Node => c?.type === 'pair');
    const values = pairs.map((pair) => pair.childForFieldName('value')!).filter(Boolean);
    for (const pair of pairs) {
      const key = pair.childForFieldName('key');
      const sql = pair.childForFieldName('value');
      if (key) result.arguments.push({ node: key, role: 'select-alias' });
      if (sql) {
        result.arguments.push({
          node: sql,
          role: 'select',
          slot: {
            existing: params?.type === 'none' ? undefined : params,
            none: params?.type === 'none' ? params : undefined,
            anchor: last,
            keyword: 'select_params',
            alwaysParams: true,
            siblings: values,
          },
        });
      }
    }
  } else if (select) result.arguments.push({ node: select, role: 'select' });
  for (const name of ['tables', 'order_by'] as const) {
    const list = items(value(name));
    if (list) for (const item of list) result.arguments.push({ node: item, role: name });
    else if (value(name)) result.arguments.push({ node: value(name)!, role: name });
  }
  if (result.arguments.length === 0) return undefined;
  const roles = [...new Set(result.arguments.map((a) => (a.role === 'select-alias' ? 'select' : a.role)))];
  result.label = `extra(${roles.map((r) => `${r}=…`).join(', ')})`;
  return result;
}

/** A manager or QuerySet by its shape: `X.objects…`, a known manager, a local assigned one, `self` in a Manager/QuerySet class. */
export function isQuerysetShaped(node: Node, env: SinkEnvironment, depth: number): boolean {
  node = unwrap(node);
  if (depth > MAX_DEPTH) return false;
  if (node.type === 'attribute') {
    const attribute = node.childForFieldName('attribute')?.text ?? '';
    return MANAGER_ATTRIBUTES.has(attribute) || env.managers().has(attribute);
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'attribute') return false;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (method === 'get_queryset') return true;
    return QUERYSET_METHODS.has(method) && isQuerysetShaped(fn.childForFieldName('object')!, env, depth + 1);
  }
  if (node.type === 'identifier') {
    if (node.text === 'self' || node.text === 'cls') return insideManagerClass(node, env);
    const defs = boundValues(node, env);
    return defs.length > 0 && defs.every((def) => def.kind === 'assign' && !!def.value && isQuerysetShaped(def.value, env, depth + 1));
  }
  return false;
}

/** Inside a method of a class deriving from a Manager or a QuerySet. */
function insideManagerClass(node: Node, env: SinkEnvironment): boolean {
  const method = env.scopes.scopeOf(node);
  const cls = method.type === 'function_definition' ? env.scopes.scopeOf(method) : undefined;
  if (cls?.type !== 'class_definition') return false;
  const bases = cls.childForFieldName('superclasses')?.namedChildren ?? [];
  return bases.some((base) => !!base && /(Manager|QuerySet)$/.test(base.text.replace(/\[.*\]$/, '')));
}

/** The bindings a name may hold at a use: its reaching definitions, or an enclosing function's bindings for a closure variable. */
function boundValues(node: Node, env: SinkEnvironment): Binding[] {
  const resolution = env.scopes.resolve(node);
  return resolution.kind === 'local' || resolution.kind === 'closure' ? resolution.defs : [];
}

/** A connection of Django's: `connection`, `connections[alias]`, `transaction.get_connection()`, or a local holding one. */
function isDjangoConnection(node: Node, env: SinkEnvironment, depth: number): boolean {
  node = unwrap(node);
  if (depth > MAX_DEPTH) return false;
  if (node.type === 'identifier') {
    const resolution = env.scopes.resolve(node);
    if (resolution.kind === 'local' || resolution.kind === 'closure') return resolution.defs.every((def) => def.kind === 'assign' && !!def.value && isDjangoConnection(def.value, env, depth + 1));
    if (resolution.kind !== 'module') return false;
    return CONNECTION_NAMES.has(env.qualifiedName(node) ?? '');
  }
  if (node.type === 'attribute') return CONNECTION_NAMES.has(env.qualifiedName(node) ?? '');
  if (node.type === 'subscript') {
    const value = node.childForFieldName('value');
    if (!value) return false;
    if (value.type === 'identifier' && env.scopes.resolve(value).kind !== 'module') return false;
    return env.qualifiedName(value) === 'django.db.connections';
  }
  if (node.type === 'call') return env.qualifiedName(node.childForFieldName('function')!) === 'django.db.transaction.get_connection';
  return false;
}

/**
 * A cursor of a Django connection: `connection.cursor()`, the driver's own cursor
 * (`connection.connection.cursor()`, psycopg's), `closing(connection.cursor())`, or a name
 * holding one: a local, a `with … as` target, a closure variable, or a parameter that a call
 * in this module passes such a cursor (or that is named `cursor`).
 */
export function isDjangoCursor(node: Node, env: SinkEnvironment, depth: number): boolean {
  node = unwrap(node);
  if (depth > MAX_DEPTH) return false;
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    if (method === 'cursor' || method === 'chunked_cursor') {
      const owner = unwrap(fn!.childForFieldName('object')!);
      // The DB-API connection Django wraps: `connection.connection.cursor()`.
      if (owner.type === 'attribute' && owner.childForFieldName('attribute')?.text === 'connection' && isDjangoConnection(owner.childForFieldName('object')!, env, depth + 1)) return true;
      return isDjangoConnection(owner, env, depth + 1);
    }
    if (env.qualifiedName(fn!) === 'contextlib.closing') {
      const [inner] = argumentNodes(node);
      return !!inner && isDjangoCursor(inner, env, depth + 1);
    }
    return false;
  }
  if (node.type === 'identifier') {
    const defs = boundValues(node, env);
    if (defs.length === 0) return false;
    return defs.every((def) => {
      if (def.kind === 'param') return isCursorParameter(def.statement, env, depth + 1);
      return (def.kind === 'assign' || def.kind === 'with') && !!def.value && cursorValue(def.value, env, depth + 1);
    });
  }
  return false;
}

const cursorValues = new WeakMap<Scopes, Map<number, boolean>>();

/** `isDjangoCursor` of a bound value, remembered: many calls read one `with connection.cursor() as cursor`. */
function cursorValue(value: Node, env: SinkEnvironment, depth: number): boolean {
  return remembered(cursorValues, env, value, () => isDjangoCursor(value, env, depth));
}

/**
 * A judgement of a node, computed once per module text. `meanwhile` is the answer a question
 * asked again while the first is being computed gets (a helper passing its cursor to itself).
 */
function remembered(caches: WeakMap<Scopes, Map<number, boolean>>, env: SinkEnvironment, node: Node, compute: () => boolean, meanwhile?: boolean): boolean {
  let known = caches.get(env.scopes);
  if (!known) caches.set(env.scopes, (known = new Map()));
  const cached = known.get(node.id);
  if (cached !== undefined) return cached;
  if (meanwhile !== undefined) known.set(node.id, meanwhile);
  const result = compute();
  known.set(node.id, result);
  return result;
}

/** A cursor of the DB-API connection Django wraps (`connection.connection.cursor()`), or a name holding one. */
function isDriverCursor(node: Node, env: SinkEnvironment, depth: number): boolean {
  node = unwrap(node);
  if (depth > MAX_DEPTH) return false;
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    const owner = fn?.type === 'attribute' ? unwrap(fn.childForFieldName('object')!) : undefined;
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'cursor') {
      return owner?.type === 'attribute' && owner.childForFieldName('attribute')?.text === 'connection' && isDjangoConnection(owner.childForFieldName('object')!, env, depth + 1);
    }
    const [inner] = argumentNodes(node);
    return !!inner && env.qualifiedName(fn!) === 'contextlib.closing' && isDriverCursor(inner, env, depth + 1);
  }
  if (node.type === 'identifier') {
    const defs = boundValues(node, env);
    return defs.length > 0 && defs.every((def) => (def.kind === 'assign' || def.kind === 'with') && !!def.value && isDriverCursor(def.value, env, depth + 1));
  }
  return false;
}

const cursorParameters = new WeakMap<Scopes, Map<number, boolean>>();

/** A parameter that receives a cursor: named `cursor`, or passed one by a call of its function in this module. */
function isCursorParameter(parameter: Node, env: SinkEnvironment, depth: number): boolean {
  // A helper passing its cursor parameter to itself is not evidence.
  return remembered(cursorParameters, env, parameter, () => receivesCursor(parameter, env, depth), false);
}

function receivesCursor(parameter: Node, env: SinkEnvironment, depth: number): boolean {
  const fn = parameter.parent?.parent;
  if (fn?.type !== 'function_definition') return false;
  const parameters = parametersOf(fn);
  const index = parameters.findIndex((p) => p.node.id === parameter.id);
  const name = parameters[index]?.name.text;
  if (!name) return false;
  if (name === 'cursor') return true;
  const fnName = fn.childForFieldName('name')?.text;
  if (!fnName) return false;
  const method = parameters[0]?.name.text === 'self';
  for (const call of env.scopes.root.descendantsOfType('call')) {
    if (!call) continue;
    const callee = call.childForFieldName('function');
    const calledName = callee?.type === 'identifier' ? callee.text : callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    if (calledName !== fnName) continue;
    const args = argumentNodes(call);
    const keyword = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name)?.childForFieldName('value');
    const positional = args.filter((a) => a.type !== 'keyword_argument')[method && callee?.type === 'attribute' ? index - 1 : index];
    const passed = keyword ?? positional;
    if (passed && isDjangoCursor(passed, env, depth + 1)) return true;
  }
  return false;
}
