import path from 'node:path';
import type { Project } from '../project/project';
import type { Node } from '../parse/python';
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
  const file = moduleFile(project, fromFile, moduleNode.text);
  return file ? { file, name: original } : undefined;
}

function fileOfModule(project: Project, base: string): string | undefined {
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

/** The file of the module a name is bound to by an import in `root` (`from . import views`, `import shop.views as views`). */
export function moduleImportedAs(project: Project, file: string, root: Node, local: string): string | undefined {
  for (const statement of root.namedChildren) {
    if (statement?.type === 'import_from_statement') {
      const from = statement.childForFieldName('module_name')?.text ?? '';
      for (const child of statement.childrenForFieldName('name')) {
        if (!child) continue;
        const target = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.text;
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : child.text;
        if (alias === local && target) return moduleFile(project, file, from.endsWith('.') ? `${from}${target}` : `${from}.${target}`);
      }
    } else if (statement?.type === 'import_statement') {
      for (const child of statement.namedChildren) {
        if (child?.type === 'aliased_import' && child.childForFieldName('alias')?.text === local) return moduleFile(project, file, child.childForFieldName('name')?.text ?? '');
        if (child?.type === 'dotted_name' && child.text === local) return moduleFile(project, file, local);
      }
    }
  }
  return undefined;
}

/** A module's file from a dotted name, relative (`..views`) to `file` or absolute. */
export function moduleFile(project: Project, file: string, dotted: string): string | undefined {
  const level = /^\.*/.exec(dotted)![0].length;
  const parts = dotted.slice(level).split('.').filter(Boolean);
  if (level === 0) return project.resolveDotted(parts.join('.'));
  let dir = path.dirname(file);
  for (let i = 1; i < level; i++) dir = path.dirname(dir);
  return fileOfModule(project, path.join(dir, ...parts));
}

/** The module-level class or function of that name in a parsed module, decorated or not. */
export function topLevelDefinition(root: Node, name: string): Node | undefined {
  for (const statement of root.namedChildren) {
    const definition = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if ((definition?.type === 'function_definition' || definition?.type === 'class_definition') && definition.childForFieldName('name')?.text === name) return definition;
  }
  return undefined;
}

/** The module and the name a `from … import name` in `root` binds `local` to (`from .views import Base as B`). */
export function memberImportedAs(project: Project, file: string, root: Node, local: string): { file: string; name: string } | undefined {
  for (const statement of root.namedChildren) {
    if (statement?.type !== 'import_from_statement') continue;
    for (const child of statement.childrenForFieldName('name')) {
      const target = child?.type === 'aliased_import' ? child.childForFieldName('name')?.text : child?.text;
      const alias = child?.type === 'aliased_import' ? child.childForFieldName('alias')?.text : child?.text;
      if (alias !== local || !target) continue;
      const module = moduleFile(project, file, statement.childForFieldName('module_name')?.text ?? '');
      return module ? { file: module, name: target } : undefined;
    }
  }
  return undefined;
}

/**
 * The class a base-class expression of `root` (a module of `file`) names, when the project
 * defines it: a class of the same module, one imported by name, or one reached through an
 * imported module (`abstract_views.CreateMixin`). Re-exports are not followed.
 */
export function projectClass(project: Project, file: string, root: Node, expression: Node): { cls: Node; file: string; root: Node } | undefined {
  const dotted = expression.type === 'identifier' || expression.type === 'attribute' ? expression.text.replace(/\s+/g, '') : undefined;
  const parts = dotted?.split('.') ?? [];
  let target: { file: string; name: string } | undefined;
  if (parts.length === 1) {
    const local = topLevelDefinition(root, parts[0]);
    if (local) return local.type === 'class_definition' ? { cls: local, file, root } : undefined;
    target = memberImportedAs(project, file, root, parts[0]);
  } else if (parts.length === 2) {
    const module = moduleImportedAs(project, file, root, parts[0]);
    target = module ? { file: module, name: parts[1] } : undefined;
  }
  if (!target) return undefined;
  const targetRoot = project.store.get(target.file)?.tree().rootNode;
  const cls = targetRoot && topLevelDefinition(targetRoot, target.name);
  return cls?.type === 'class_definition' ? { cls, file: target.file, root: targetRoot! } : undefined;
}
