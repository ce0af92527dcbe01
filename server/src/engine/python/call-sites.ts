import type { Node, Tree } from '../parse/python';
import type { Project } from '../project/project';
import { parametersOf } from './scopes';
import { sortedArguments } from './syntax';

/**
 * What the project's own code passes to one parameter of one of its functions, when every
 * use of the function in the project can be seen: the function's name is defined once in
 * the project, and each place that names it outside an import is a call whose arguments
 * line up with the parameters. A function passed around by name, called with `*args`,
 * shadowed by a second definition of the same name or called from nowhere gives no answer.
 *
 * This is evidence for a helper's parameter (`def ids(quantity): … {quantity} …` whose
 * callers pass `len(rows)`), not proof: code outside the project (a library's users) may
 * call it too, which is why callers only ever lower what the parameter is judged to be
 * when each of them passes a value that is safe anyway.
 */

export interface PassedArgument {
  file: string;
  /** The call is in the module being analysed, in the tree the function itself is read from. */
  own: boolean;
  /** The expression a call gives for the parameter. */
  node: Node;
}

/** More than this many files naming the function, or calls of it, and the question is not worth a parse of each. */
const MAX_FILES = 16;
const MAX_CALLS = 64;

/**
 * `ownFile` is the module `fn` is read from: its calls are looked up in `fn`'s own tree, so
 * that a module the editor keeps in blocks (or the code rules' memo reads in part) is not
 * parsed whole again for them.
 */
export function argumentsPassed(project: Project, ownFile: string | undefined, fn: Node, parameter: Node): PassedArgument[] | undefined {
  const name = fn.childForFieldName('name')?.text;
  if (!name || /^__.*__$/.test(name)) return undefined;
  const place = placeOf(fn);
  if (!place) return undefined;
  const parameters = parametersOf(fn);
  const index = parameters.findIndex((p) => p.node.id === parameter.id);
  if (index < 0 || parameters[index].kind !== 'plain' || index < place.bound) return undefined;
  const parameterText = parameters[index].name.text;

  const word = new RegExp(`\\b${name}\\b`);
  const definition = new RegExp(`\\bdef\\s+${name}\\s*\\(`, 'g');
  let definitions = 0;
  const naming: string[] = [];
  for (const other of project.files) {
    if (!other.endsWith('.py')) continue;
    const source = project.store.peek?.(other) ?? project.store.get(other);
    if (!source || !word.test(source.text)) continue;
    definitions += source.text.match(definition)?.length ?? 0;
    naming.push(other);
    if (definitions > 1 || naming.length > MAX_FILES) return undefined;
  }
  if (definitions !== 1) return undefined;

  const passed: PassedArgument[] = [];
  for (const caller of naming) {
    const own = caller === ownFile;
    const tree = own ? fn.tree : project.store.get(caller)?.tree();
    if (!tree) return undefined;
    for (const identifier of identifiersNamed(tree, name)) {
      const use = useOf(identifier);
      if (use === 'ignored') continue;
      if (use === 'opaque') return undefined;
      const args = sortedArguments(use);
      if (args.splats.length > 0) return undefined;
      const given = args.keywords.get(parameterText) ?? args.positional[index - place.bound];
      // A call that leaves the parameter to its default gives no answer either: the default is the function's, not the caller's.
      if (!given) return undefined;
      passed.push({ file: caller, own, node: given });
      if (passed.length > MAX_CALLS) return undefined;
    }
  }
  return passed.length > 0 ? passed : undefined;
}

const identifierIndex = new WeakMap<Tree, Map<string, Node[]>>();

/** The identifiers of a tree with a given text: one walk of the tree however many helpers' callers are looked up in it. */
function identifiersNamed(tree: Tree, name: string): readonly Node[] {
  let index = identifierIndex.get(tree);
  if (!index) {
    index = new Map();
    for (const identifier of tree.rootNode.descendantsOfType('identifier')) {
      if (!identifier) continue;
      const text = identifier.text;
      const list = index.get(text);
      if (list) list.push(identifier);
      else index.set(text, [identifier]);
    }
    identifierIndex.set(tree, index);
  }
  return index.get(name) ?? [];
}

/**
 * How many leading parameters a call does not pass: none for a module's own function or a
 * static method. Undefined for anything else: a nested function, an instance method (it may
 * override a hook the framework calls with other values), a decorated function (the
 * decorator may call it its own way).
 */
function placeOf(fn: Node): { bound: number } | undefined {
  const definition = fn.parent?.type === 'decorated_definition' ? fn.parent : fn;
  const decorators = definition.type === 'decorated_definition' ? definition.namedChildren.filter((d) => d?.type === 'decorator').map((d) => d!.text) : [];
  if (definition.parent?.type === 'module') return decorators.length === 0 ? { bound: 0 } : undefined;
  const owner = definition.parent?.parent;
  if (owner?.type !== 'class_definition' || owner.parent?.type !== 'module') return undefined;
  return decorators.length === 1 && /^@staticmethod\s*$/.test(decorators[0]) ? { bound: 0 } : undefined;
}

/** What one occurrence of the function's name is: its definition or an import (ignored), a call, or a use that cannot be followed. */
function useOf(identifier: Node): Node | 'ignored' | 'opaque' {
  const parent = identifier.parent;
  if (!parent) return 'opaque';
  // The one definition of the name (the count of definitions was checked).
  if (parent.type === 'function_definition' && parent.childForFieldName('name')?.id === identifier.id) return 'ignored';
  if (parent.type === 'dotted_name' || parent.type === 'aliased_import' || parent.type === 'import_from_statement') return 'ignored';
  if (parent.type === 'keyword_argument' && parent.childForFieldName('name')?.id === identifier.id) return 'ignored';
  const callee = parent.type === 'attribute' && parent.childForFieldName('attribute')?.id === identifier.id ? parent : identifier;
  const call = callee.parent;
  return call?.type === 'call' && call.childForFieldName('function')?.id === callee.id ? call : 'opaque';
}
