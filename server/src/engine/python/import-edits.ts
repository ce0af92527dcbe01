import type { ModuleSyntax } from '../parse/module-syntax';
import type { Node } from '../parse/python';
import { endsWithLineBreak, lineBreakOf } from '../text';
import type { Position, TextEdit } from '../types';

/** An edit without its file: rules wrap it with `ctx.fix`. */
export type LocalEdit = Omit<TextEdit, 'file'>;

/** How code can refer to an imported object, plus the edits that make the reference valid. */
export interface ImportedReference {
  /** The expression to write, e.g. `format_html`, `html.format_html` or `os.environ`. */
  expression: string;
  /** Empty when the module already imports what is needed. */
  edits: LocalEdit[];
}

/** Names a partial tree of a module binds in the statements it leaves out (see definition-memo.ts). */
const boundElsewhere = new WeakMap<ModuleSyntax, readonly string[]>();

/** Declares the names a partial tree of a module binds at its top level in the statements it leaves out. */
export function bindsElsewhere(tree: ModuleSyntax, names: readonly string[]): void {
  boundElsewhere.set(tree, names);
}

/**
 * Names the module binds at its top level other than through imports (functions, classes,
 * assignments), so an inserted import never shadows or is shadowed by them.
 */
export function topLevelBindings(tree: ModuleSyntax): Set<string> {
  const names = new Set<string>(boundElsewhere.get(tree));
  for (const statement of tree.rootNode.namedChildren) {
    if (!statement) continue;
    const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (definition && (definition.type === 'function_definition' || definition.type === 'class_definition')) {
      const name = definition.childForFieldName('name')?.text;
      if (name) names.add(name);
      continue;
    }
    if (statement.type !== 'expression_statement') continue;
    let expression: Node | null | undefined = statement.namedChildren[0];
    while (expression && (expression.type === 'assignment' || expression.type === 'augmented_assignment')) {
      const left = expression.childForFieldName('left');
      if (left?.type === 'identifier') names.add(left.text);
      else if (left?.type === 'pattern_list' || left?.type === 'tuple_pattern' || left?.type === 'list_pattern') {
        for (const id of left.namedChildren) if (id?.type === 'identifier') names.add(id.text);
      }
      expression = expression.childForFieldName('right');
    }
  }
  return names;
}

/**
 * A reference to `module.name` (e.g. `django.utils.html.format_html`) that works in this file:
 * an existing import of it or of its module, else `from module import name` added after the
 * module's imports (merged into an existing `from module import ...` when there is one).
 * Undefined when the name is already bound to something else.
 */
export function referenceTo(
  tree: ModuleSyntax,
  text: string,
  imports: Map<string, string>,
  module: string,
  name: string,
  /** `module` adds `import module` (for `os.environ`) rather than `from module import name`. */
  style: 'from' | 'module' = 'from',
): ImportedReference | undefined {
  const qualified = `${module}.${name}`;
  for (const [local, target] of imports) if (target === qualified && isTopLevelImport(tree, local)) return { expression: local, edits: [] };
  for (const [local, target] of imports) if (target === module && isTopLevelImport(tree, local)) return { expression: `${local}.${name}`, edits: [] };
  if (style === 'module') {
    const whole = moduleReference(tree, text, imports, module);
    return whole && { expression: `${whole.expression}.${name}`, edits: whole.edits };
  }
  if (imports.has(name) || topLevelBindings(tree).has(name)) return undefined;
  const existing = existingFromImport(tree, module);
  if (existing) {
    const last = existing
      .childrenForFieldName('name')
      .filter((n): n is Node => !!n)
      .pop();
    if (last) return { expression: name, edits: [{ range: pointRange(last.endPosition), newText: `, ${name}` }] };
  }
  return { expression: name, edits: [importInsertion(tree, text, `from ${module} import ${name}`)] };
}

/**
 * A reference to a whole module (`os`), adding `import os` when the file has no binding for
 * it. Undefined when the name is bound to something else.
 */
export function moduleReference(tree: ModuleSyntax, text: string, imports: Map<string, string>, module: string): ImportedReference | undefined {
  for (const [local, target] of imports) if (target === module && isTopLevelImport(tree, local)) return { expression: local, edits: [] };
  if (imports.has(module) || topLevelBindings(tree).has(module)) return undefined;
  return { expression: module, edits: [importInsertion(tree, text, `import ${module}`)] };
}

function isTopLevelImport(tree: ModuleSyntax, local: string): boolean {
  for (const statement of tree.rootNode.namedChildren) {
    if (!statement || (statement.type !== 'import_statement' && statement.type !== 'import_from_statement')) continue;
    for (const child of statement.namedChildren) {
      if (!child) continue;
      if (child.type === 'aliased_import' && child.childForFieldName('alias')?.text === local) return true;
      if (child.type === 'dotted_name' && child.id !== statement.childForFieldName('module_name')?.id && (child.text === local || child.text.split('.')[0] === local)) return true;
    }
  }
  return false;
}

function existingFromImport(tree: ModuleSyntax, module: string): Node | undefined {
  for (const statement of tree.rootNode.namedChildren) {
    if (statement?.type !== 'import_from_statement') continue;
    if (statement.childForFieldName('module_name')?.text !== module) continue;
    if (statement.namedChildren.some((child) => child?.type === 'wildcard_import')) continue;
    return statement;
  }
  return undefined;
}

function pointRange(position: { row: number; column: number }): LocalEdit['range'] {
  const at: Position = { line: position.row, character: position.column };
  return { start: at, end: at };
}

/**
 * Inserts an import statement after the module's leading imports; a module without any
 * gets it before its first statement (after the docstring and `__future__` imports).
 */
export function importInsertion(tree: ModuleSyntax, text: string, statement: string): LocalEdit {
  const eol = lineBreakOf(text);
  const statements = tree.rootNode.namedChildren.filter((s): s is Node => !!s && s.type !== 'comment');
  let index = 0;
  if (statements[0]?.type === 'expression_statement' && statements[0].namedChildren[0]?.type === 'string') index = 1;
  let lastImport: Node | undefined;
  for (; index < statements.length; index++) {
    const s = statements[index];
    if (s.type === 'import_statement' || s.type === 'import_from_statement' || s.type === 'future_import_statement') lastImport = s;
    else break;
  }
  if (lastImport && lastImport.type !== 'future_import_statement') {
    return { range: pointRange(lineEndAfter(lastImport)), newText: eol + statement };
  }
  const first = statements[index];
  if (!first) {
    const end = tree.rootNode.endPosition;
    const needsBreak = text.length > 0 && !endsWithLineBreak(text);
    return { range: pointRange(end), newText: (needsBreak ? eol : '') + (lastImport ? eol : '') + statement + eol };
  }
  // PEP 8 puts two blank lines before a top-level definition, one before other code.
  const definition = ['function_definition', 'class_definition', 'decorated_definition'].includes(first.type);
  // Above the comment lines that belong to the first statement.
  let row = first.startPosition.row;
  for (let previous = first.previousSibling; previous?.type === 'comment' && previous.endPosition.row === row - 1; previous = previous.previousSibling) row = previous.startPosition.row;
  return { range: pointRange({ row, column: 0 }), newText: statement + eol + eol + (definition ? eol : '') };
}

/** The end of a statement's last line, after a trailing comment on that line. */
export function lineEndAfter(statement: Node): { row: number; column: number } {
  const next = statement.nextSibling;
  return next?.type === 'comment' && next.startPosition.row === statement.endPosition.row ? next.endPosition : statement.endPosition;
}
