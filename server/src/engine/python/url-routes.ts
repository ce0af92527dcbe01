import path from 'node:path';
import type { Node } from '../parse/python';
import type { Project } from '../project/project';
import { callArguments, calleeName, dottedName, plainStringValue, unwrap } from './syntax';

/**
 * The URL arguments a view receives, read from the URLconfs next to the views module:
 * `path("<int:pk>/", views.detail)` passes `pk` as a number, `<str:slug>` (or `<slug:…>`,
 * `<path:…>`, a plain `<name>`) passes text from the URL.
 */

/** What a URL argument holds. */
export type UrlArgument = 'number' | 'text' | 'unknown';

/** View (function or class) name → parameter name → what the routes pass. */
export type ViewRoutes = Map<string, Map<string, { kind: UrlArgument; route: string; file: string }>>;

// NOTE: the built-in path converters. https://docs.djangoproject.com/en/stable/topics/http/urls/#path-converters
const CONVERTERS: Record<string, UrlArgument> = { int: 'number', uuid: 'number', str: 'text', slug: 'text', path: 'text' };
/** Django's route functions: `path()`, `re_path()` and the old `url()`. */
export const ROUTE_FUNCTIONS = new Set(['path', 're_path', 'url']);
/** Route patterns that only match digits (or a UUID's hex digits). */
const DIGITS = /^(?:\\d|\[0-9\]|\[0-9a-fA-F-\]|\[0-9a-f-\]|\[a-f0-9-\])[+*]?(?:\{\d+(?:,\d*)?\})?\$?$/;

interface RoutesOfFile {
  text: string;
  /** Target module name (last dotted part) → view name → parameters. */
  byModule: Map<string, ViewRoutes>;
}

const cache = new WeakMap<Project, Map<string, RoutesOfFile>>();

/** The routes to views of `viewsFile` declared in the URLconfs of its folder and its parent folder. */
export function routesOf(project: Project, viewsFile: string): ViewRoutes {
  const moduleName = path.basename(viewsFile) === '__init__.py' ? path.basename(path.dirname(viewsFile)) : path.basename(viewsFile, '.py');
  const folders = new Set([path.dirname(viewsFile), path.dirname(path.dirname(viewsFile))]);
  if (path.basename(viewsFile) === '__init__.py') folders.add(path.dirname(path.dirname(path.dirname(viewsFile))));
  const merged: ViewRoutes = new Map();
  for (const file of project.files) {
    if (!folders.has(path.dirname(file)) || !/^urls\.py$|^urls_\w+\.py$/.test(path.basename(file)) || file === viewsFile) continue;
    const routes = routesIn(project, file).get(moduleName);
    if (!routes) continue;
    for (const [view, parameters] of routes) {
      const into = merged.get(view) ?? new Map();
      for (const [name, argument] of parameters) {
        const known = into.get(name);
        if (!known || rank(argument.kind) > rank(known.kind)) into.set(name, argument);
      }
      merged.set(view, into);
    }
  }
  return merged;
}

function rank(kind: UrlArgument): number {
  return kind === 'text' ? 2 : kind === 'unknown' ? 1 : 0;
}

function routesIn(project: Project, file: string): Map<string, ViewRoutes> {
  const source = project.store.get(file);
  if (!source) return new Map();
  let files = cache.get(project);
  if (!files) cache.set(project, (files = new Map()));
  const cached = files.get(file);
  if (cached && cached.text === source.text) return cached.byModule;
  const byModule = new Map<string, ViewRoutes>();
  // Only URLconfs that call path()/re_path()/url() are worth a parse.
  if (/\b(?:re_)?path\(|\burl\(/.test(source.text)) readRoutes(source.tree().rootNode, file, byModule);
  files.set(file, { text: source.text, byModule });
  return byModule;
}

/** Names bound by the URLconf's imports: local name → the module it comes from (last part) and the imported name, if a member. */
function importedViews(root: Node): Map<string, { module: string; member?: string }> {
  const names = new Map<string, { module: string; member?: string }>();
  for (const statement of root.namedChildren) {
    if (statement?.type !== 'import_from_statement') continue;
    const moduleNode = statement.childForFieldName('module_name');
    const dotted = moduleNode?.text.replace(/^\.+/, '') ?? '';
    for (const child of statement.childrenForFieldName('name')) {
      if (!child) continue;
      const target = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.text;
      const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : child.text;
      if (!target || !alias) continue;
      // `from . import views` names a module; `from .views import detail` names a member of one.
      names.set(alias, dotted === '' ? { module: target } : { module: dotted.split('.').at(-1)!, member: target });
    }
  }
  return names;
}

function readRoutes(root: Node, file: string, byModule: Map<string, ViewRoutes>): void {
  const imports = importedViews(root);
  for (const call of root.descendantsOfType('call')) {
    if (!call) continue;
    const fn = call.childForFieldName('function');
    const fnName = fn?.type === 'identifier' ? fn.text : fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    if (!fnName || !ROUTE_FUNCTIONS.has(fnName)) continue;
    const [routeNode, viewNode] = callArguments(call);
    const route = routeNode ? plainStringValue(routeNode) : undefined;
    if (route === undefined || !viewNode) continue;
    const target = viewTarget(viewNode, imports);
    if (!target) continue;
    const parameters = fnName === 'path' ? pathParameters(route) : regexParameters(route);
    if (parameters.size === 0) continue;
    const routes = byModule.get(target.module) ?? new Map();
    const view = routes.get(target.view) ?? new Map();
    for (const [name, kind] of parameters) {
      const known = view.get(name);
      if (!known || rank(kind) > rank(known.kind)) view.set(name, { kind, route, file });
    }
    routes.set(target.view, view);
    byModule.set(target.module, routes);
  }
}

/** The module and view a route's view expression names: `views.detail`, `detail`, `views.Detail.as_view()`, `csrf_exempt(views.hook)`. */
function viewTarget(node: Node, imports: Map<string, { module: string; member?: string }>): { module: string; view: string } | undefined {
  const dotted = dottedName(wrappedView(node)?.view);
  if (!dotted) return undefined;
  const parts = dotted.split('.');
  if (parts.length === 1) {
    const imported = imports.get(parts[0]);
    return imported?.member ? { module: imported.module, view: imported.member } : undefined;
  }
  const view = parts[parts.length - 1];
  const base = parts[parts.length - 2];
  // `views.detail` after `from . import views`, or after `from shop import views` (the member is itself a module).
  const imported = parts.length === 2 ? imports.get(base) : undefined;
  return { module: imported ? (imported.member ?? imported.module) : base, view };
}

/**
 * The view a route's view expression wraps, with the names of the wrappers around it
 * (`csrf_exempt(views.hook)` → `views.hook`, ['csrf_exempt']; `Detail.as_view()` →
 * `Detail`, ['as_view']); undefined when a wrapper takes more than the view.
 */
export function wrappedView(node: Node): { view: Node; wrappers: string[] } | undefined {
  let value = unwrap(node);
  const wrappers: string[] = [];
  for (let hops = 0; value.type === 'call' && hops < 8; hops++) {
    const fn = value.childForFieldName('function');
    wrappers.push(calleeName(value) ?? '');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'as_view') value = unwrap(fn.childForFieldName('object')!);
    else {
      const args = callArguments(value);
      if (args.length !== 1) return undefined;
      value = unwrap(args[0]);
    }
  }
  return { view: value, wrappers };
}

/** `"<int:pk>/<slug>/"` → pk: number, slug: text. */
function pathParameters(route: string): Map<string, UrlArgument> {
  const parameters = new Map<string, UrlArgument>();
  for (const match of route.matchAll(/<(?:([A-Za-z_]\w*):)?([A-Za-z_]\w*)>/g)) {
    parameters.set(match[2], match[1] === undefined ? 'text' : (CONVERTERS[match[1]] ?? 'unknown'));
  }
  return parameters;
}

/** `r"^(?P<pk>\d+)/(?P<slug>[-\w]+)/$"` → pk: number, slug: text. */
function regexParameters(route: string): Map<string, UrlArgument> {
  const parameters = new Map<string, UrlArgument>();
  for (const match of route.matchAll(/\(\?P<([A-Za-z_]\w*)>((?:[^()\\]|\\.)*)\)/g)) {
    parameters.set(match[1], DIGITS.test(match[2]) ? 'number' : 'text');
  }
  return parameters;
}
