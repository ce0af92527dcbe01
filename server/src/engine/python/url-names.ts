import type { Node } from '../parse/python';
import type { Project } from '../project/project';
import { memberImportedAs, moduleImportedAs, topLevelDefinition } from './project-imports';
import { calleeName, dottedName, plainStringValue, sortedArguments } from './syntax';
import { ROUTE_FUNCTIONS, wrappedView } from './url-routes';
import { decoratedCsrfExempt } from './view-requests';

/**
 * What a URL name (`{% url 'panel:sql_select' %}`) routes to: the views the project's
 * `path()`, `re_path()` and `url()` calls give that `name=`, followed to their definitions,
 * so a template rule can tell whether Django checks the CSRF token of a form posting there.
 */

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
  // `csrf_exempt(views.hook)` decides in the route; `Hook.as_view()` is the class's to decide.
  const wrapped = wrappedView(node);
  if (wrapped?.wrappers.includes('csrf_exempt')) return true;
  const dotted = dottedName(wrapped?.view);
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
    const definition = topLevelDefinition(root, current.name);
    if (definition) return decoratedCsrfExempt(definition.parent?.type === 'decorated_definition' ? definition.parent : definition);
    current = memberImportedAs(project, current.file, root, current.name);
  }
  return undefined;
}
