import type { Node } from '../parse/python';
import { attributeChain } from './syntax';

/** The statements `importedNames` reads: imports are statements wherever they are (module level, a function, an `if`). */
export const IMPORT_STATEMENTS = ['import_statement', 'import_from_statement'];

/**
 * What each name bound by the import statements (in document order) refers to, fully qualified: `from django.db import
 * connection as c` binds `c` → `django.db.connection`; `import django.utils.safestring as s`
 * binds `s` → `django.utils.safestring`; `import django.db` binds `django` → `django`.
 * Imports anywhere in the module count (inside functions too), as a reader would assume.
 */
export function importedNames(importStatements: readonly Node[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const node of importStatements) {
    if (node.type === 'import_statement') {
      for (const child of node.namedChildren) {
        if (child?.type === 'dotted_name') names.set(child.text.split('.')[0], child.text.split('.')[0]);
        else if (child?.type === 'aliased_import') {
          const target = child.childForFieldName('name')?.text;
          const alias = child.childForFieldName('alias')?.text;
          if (target && alias) names.set(alias, target);
        }
      }
      continue;
    }
    const moduleName = node.childForFieldName('module_name')?.text;
    if (!moduleName || moduleName.startsWith('.')) continue;
    for (const child of node.childrenForFieldName('name')) {
      if (!child) continue;
      const target = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.text;
      const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : child.text;
      if (target && alias) names.set(alias, `${moduleName}.${target}`);
    }
  }
  return names;
}

/** `a.b.c` with its first name resolved through the imports, or undefined if it is not imported. */
export function resolveQualified(node: Node | null | undefined, imports: Map<string, string>): string | undefined {
  if (!node || (node.type !== 'identifier' && node.type !== 'attribute')) return undefined;
  const { base, names } = attributeChain(node);
  if (base.type !== 'identifier') return undefined;
  const qualified = imports.get(base.text);
  return qualified === undefined ? undefined : [qualified, ...names].join('.');
}
