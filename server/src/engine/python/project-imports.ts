import path from 'node:path';
import type { Project } from '../project/project';
import type { Binding, Scopes } from './scopes';

/**
 * What a name imported from another module of the project is bound to there: a function of
 * that module (whose summary the analysis can use), data assigned at its module level
 * (configuration, constants), or code (a class, a module). Relative and absolute
 * `from … import name` are followed, re-exports too, a few hops at most.
 */

/** The module and the name a `from … import` binding refers to. */
export interface ImportTarget {
  file: string;
  name: string;
}

/** How many re-exports (`from .a import x` in `b`, imported from `b`) are followed. */
const MAX_HOPS = 3;

/** The module file and original name an import binding of `name` refers to, when the module is part of the project. */
export function importTarget(project: Project, fromFile: string, binding: Binding, name: string): ImportTarget | undefined {
  const statement = binding.statement;
  if (statement.type !== 'import_from_statement') return undefined;
  const moduleNode = statement.childForFieldName('module_name');
  if (!moduleNode) return undefined;
  let original: string | undefined;
  for (const child of statement.childrenForFieldName('name')) {
    if (!child) continue;
    const target = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.text;
    const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : child.text;
    if (alias === name) original = target;
  }
  if (!original || original.includes('.')) return undefined;
  const dotted = moduleNode.text;
  const level = /^\.*/.exec(dotted)![0].length;
  const parts = dotted.slice(level).split('.').filter(Boolean);
  let file: string | undefined;
  if (level > 0) {
    let dir = path.dirname(fromFile);
    for (let i = 1; i < level; i++) dir = path.dirname(dir);
    file = moduleFile(project, path.join(dir, ...parts));
  } else file = project.resolveDotted(parts.join('.'));
  return file ? { file, name: original } : undefined;
}

function moduleFile(project: Project, base: string): string | undefined {
  for (const candidate of [base + '.py', path.join(base, '__init__.py')]) if (project.store.exists(candidate)) return candidate;
  return undefined;
}

/** A module of the project by its file: its scopes, for following a name to its module-level binding. */
export interface ImportedModule {
  file: string;
  scopes: Scopes;
}

/** The module-level binding a name imported from another module ends at, following re-exports. */
export function importedBinding(project: Project, target: ImportTarget, open: (file: string) => ImportedModule | undefined): { module: ImportedModule; binding: Binding } | undefined {
  let current: ImportTarget | undefined = target;
  for (let hops = 0; current && hops <= MAX_HOPS; hops++) {
    const module = open(current.file);
    if (!module) return undefined;
    const bindings = module.scopes.bindings(module.scopes.root).get(current.name) ?? [];
    if (bindings.length !== 1) return bindings.length > 1 ? { module, binding: bindings[bindings.length - 1] } : undefined;
    const binding = bindings[0];
    if (binding.kind !== 'import') return { module, binding };
    current = importTarget(project, current.file, binding, current.name);
  }
  return undefined;
}
