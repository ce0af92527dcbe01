import type { Node } from '../parse/python';
import type { Project } from '../project/project';
import { moduleFile, moduleImportedAs } from './project-imports';
import { calleeName, dottedName, plainStringValue, sortedArguments, unwrap } from './syntax';

/**
 * What a URL name (`{% url 'panel:sql_select' %}`) routes to: the views the project's
 * `path()`, `re_path()` and `url()` calls give that `name=`, followed to their definitions,
 * so a template rule can tell whether Django checks the CSRF token of a form posting there.
 */

const ROUTE_FUNCTIONS = new Set(['path', 're_path', 'url']);
/** Re-exports followed from a URLconf to the view's definition. */
const MAX_HOPS = 3;

const cache = new WeakMap<Project, Map<string, boolean | undefined>>();

/**
 * Whether every route named `urlName` (its namespace left out) leads to a view exempt from
 * CSRF checks: `csrf_exempt(view)` in the route, or a view function or class decorated with
 * `@csrf_exempt` (or `@method_decorator(csrf_exempt, …)`, on the class or its `dispatch` or
 * `post`). Undefined when the project routes no view under that name, or one whose
 * definition cannot be found: nothing is known then.
 */
export function urlNameCsrfExempt(project: Project, urlName: string): boolean | undefined {
  let known = cache.get(project);
  if (!known) cache.set(project, (known = new Map()));
  if (known.has(urlName)) return known.get(urlName);
  const verdict = judge(project, urlName.slice(urlName.lastIndexOf(':') + 1));
  known.set(urlName, verdict);
  return verdict;
}

function judge(project: Project, name: string): boolean | undefined {
  if (!/^[\w.-]+$/.test(name)) return undefined;
  const named = new RegExp(`\\bname\\s*=\\s*(['"])${name.replace(/[.-]/g, '\\$&')}\\1`);
  let routes = 0;
  for (const file of project.files) {
    if (!file.endsWith('.py')) continue;
    const source = project.store.get(file);
    if (!source || !named.test(source.text)) continue;
    const root = source.tree().rootNode;
    for (const call of root.descendantsOfType('call')) {
      if (!call || !ROUTE_FUNCTIONS.has(calleeName(call) ?? '')) continue;
      const { positional, keywords } = sortedArguments(call);
      const given = keywords.get('name');
      if (!given || plainStringValue(given) !== name) continue;
      const view = keywords.get('view') ?? positional[1];
      if (!view) return undefined;
      routes++;
      const exempt = viewExempt(project, file, root, view);
      if (exempt !== true) return exempt;
    }
  }
  return routes > 0 ? true : undefined;
}

/** Whether the view a route names is exempt from CSRF checks; undefined when its definition is not found. */
function viewExempt(project: Project, file: string, root: Node, node: Node): boolean | undefined {
  let value = unwrap(node);
  // `csrf_exempt(views.hook)`, `Hook.as_view()`: the wrapper decides, or the wrapped view does.
  for (let hops = 0; value.type === 'call' && hops < 8; hops++) {
    const callee = calleeName(value);
    if (callee === 'csrf_exempt') return true;
    const fn = value.childForFieldName('function');
    if (callee === 'as_view' && fn?.type === 'attribute') value = unwrap(fn.childForFieldName('object')!);
    else {
      const { positional } = sortedArguments(value);
      if (positional.length !== 1) return undefined;
      value = unwrap(positional[0]);
    }
  }
  const dotted = dottedName(value);
  if (!dotted) return undefined;
  const parts = dotted.split('.');
  let target: { file: string; name: string } | undefined;
  if (parts.length === 1) target = { file, name: parts[0] };
  else if (parts.length === 2) {
    const module = moduleImportedAs(project, file, root, parts[0]);
    target = module ? { file: module, name: parts[1] } : undefined;
  }
  return target ? definitionExempt(project, target.file, target.name) : undefined;
}

/** Whether the module-level function or class `name` of `file` is exempt, following `from … import name` re-exports. */
function definitionExempt(project: Project, file: string, name: string): boolean | undefined {
  let current: { file: string; name: string } | undefined = { file, name };
  for (let hop = 0; current && hop <= MAX_HOPS; hop++) {
    const root = project.store.get(current.file)?.tree().rootNode;
    if (!root) return undefined;
    let next: { file: string; name: string } | undefined;
    for (const statement of root.namedChildren) {
      if (!statement) continue;
      const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      if ((definition?.type === 'function_definition' || definition?.type === 'class_definition') && definition.childForFieldName('name')?.text === current.name) {
        return (statement.type === 'decorated_definition' && decoratedExempt(statement)) || (definition.type === 'class_definition' && methodExempt(definition));
      }
      if (statement.type === 'import_from_statement') {
        for (const child of statement.childrenForFieldName('name')) {
          const target = child?.type === 'aliased_import' ? child.childForFieldName('name')?.text : child?.text;
          const alias = child?.type === 'aliased_import' ? child.childForFieldName('alias')?.text : child?.text;
          const module = alias === current.name && target ? moduleFile(project, current.file, statement.childForFieldName('module_name')?.text ?? '') : undefined;
          if (module && target) next = { file: module, name: target };
        }
      }
    }
    current = next;
  }
  return undefined;
}

function decoratedExempt(statement: Node): boolean {
  return statement.namedChildren.some((child) => child?.type === 'decorator' && /\bcsrf_exempt\b/.test(child.text));
}

/** A class-based view whose `dispatch` or `post` is decorated with `csrf_exempt` (through `method_decorator`). */
function methodExempt(definition: Node): boolean {
  const body = definition.childForFieldName('body');
  return (body?.namedChildren ?? []).some((statement) => {
    if (statement?.type !== 'decorated_definition') return false;
    const method = statement.childForFieldName('definition')?.childForFieldName('name')?.text;
    return (method === 'dispatch' || method === 'post') && decoratedExempt(statement);
  });
}
