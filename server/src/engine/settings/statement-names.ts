import type { Node } from '../parse/python';

// The names a statement binds or changes, read from its syntax alone.

/** List and dict methods that change their receiver in place. */
export const MUTATING_LIST_METHODS = new Set(['append', 'insert', 'extend', 'remove', 'pop', 'clear', 'update', 'setdefault', 'sort', 'reverse']);

export function boundNames(target: Node): string[] {
  if (target.type === 'identifier') return [target.text];
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'list_splat_pattern', 'parenthesized_expression'].includes(target.type)) {
    return target.namedChildren.flatMap((c) => (c ? boundNames(c) : []));
  }
  return rootNames(target);
}

/** The identifier at the root of `a.b[c]`. */
export function rootNames(node: Node): string[] {
  let current: Node | null = node;
  while (current && (current.type === 'subscript' || current.type === 'attribute')) {
    current = current.type === 'subscript' ? current.childForFieldName('value') : current.childForFieldName('object');
  }
  return current?.type === 'identifier' ? [current.text] : [];
}

/** Names a compound statement may rebind or mutate, without descending into nested functions. */
export function assignedNamesWithin(statement: Node): Set<string> {
  const names = new Set<string>();
  const visit = (node: Node) => {
    if (node.type === 'function_definition' || node.type === 'class_definition') {
      const name = node.childForFieldName('name')?.text;
      if (name) names.add(name);
      return;
    }
    if (node.type === 'assignment' || node.type === 'augmented_assignment') {
      const left = node.childForFieldName('left');
      if (left) for (const name of boundNames(left)) names.add(name);
    } else if (node.type === 'for_statement') {
      const left = node.childForFieldName('left');
      if (left) for (const name of boundNames(left)) names.add(name);
    } else if (node.type === 'call') {
      const callee = node.childForFieldName('function');
      if (callee?.type === 'attribute' && MUTATING_LIST_METHODS.has(callee.childForFieldName('attribute')?.text ?? '')) {
        const receiver = callee.childForFieldName('object');
        if (receiver) for (const name of rootNames(receiver)) names.add(name);
      }
    } else if (node.type === 'delete_statement') {
      for (const target of node.namedChildren) if (target) for (const name of boundNames(target)) names.add(name);
      return;
    } else if (node.type === 'import_from_statement') {
      for (const child of node.childrenForFieldName('name')) {
        if (child?.type === 'aliased_import') names.add(child.childForFieldName('alias')?.text ?? '');
        else if (child?.type === 'dotted_name') names.add(child.text);
      }
      return;
    } else if (node.type === 'import_statement') {
      for (const child of node.namedChildren) {
        if (child?.type === 'aliased_import') names.add(child.childForFieldName('alias')?.text ?? '');
        else if (child?.type === 'dotted_name') names.add(child.text.split('.')[0]);
      }
      return;
    } else if (node.type === 'as_pattern') {
      const alias = node.childForFieldName('alias');
      if (alias) for (const name of boundNames(alias.type === 'as_pattern_target' ? (alias.namedChildren[0] ?? alias) : alias)) names.add(name);
    }
    for (const child of node.namedChildren) if (child) visit(child);
  };
  visit(statement);
  names.delete('');
  return names;
}
