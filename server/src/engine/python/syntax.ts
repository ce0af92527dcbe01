import { unescapePython, type Node } from '../parse/python';

/**
 * Small readings of tree-sitter-python nodes that every Python analysis needs: parentheses,
 * call arguments, string literals. None of them recurses over the tree's depth.
 */

/** `((x))` → `x`, through any number of parentheses. */
export function unwrap(node: Node): Node {
  let current = node;
  while (current.type === 'parenthesized_expression') {
    let only: Node | undefined;
    let count = 0;
    for (const child of current.namedChildren) {
      if (!child || child.type === 'comment') continue;
      only = child;
      count++;
    }
    if (count !== 1 || !only) return current;
    current = only;
  }
  return current;
}

/** The arguments of a call, comments left out; `f(x for x in y)` has the generator itself as its only argument. */
export function callArguments(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (!args) return [];
  if (args.type === 'generator_expression') return [args];
  return args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
}

/** A call's arguments sorted by kind. */
export interface SortedArguments {
  positional: Node[];
  keywords: Map<string, Node>;
  /** `*args` and `**kwargs` arguments. */
  splats: Node[];
}

export function sortedArguments(call: Node): SortedArguments {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const splats: Node[] = [];
  for (const arg of callArguments(call)) {
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name && value) keywords.set(name, value);
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') splats.push(arg);
    else positional.push(arg);
  }
  return { positional, keywords, splats };
}

/** The last name of a callee: `f` for `f(...)`, `m` for `x.y.m(...)`. */
export function calleeName(call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'attribute') return fn.childForFieldName('attribute')?.text;
  return undefined;
}

/** The receiver of a method call (`x` in `x.m(...)`), or undefined. */
export function methodReceiver(call: Node): Node | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? (fn.childForFieldName('object') ?? undefined) : undefined;
}

/** The style of a string literal: its prefix letters (lower case), quote and whether it is triple-quoted. */
export interface LiteralStyle {
  prefix: string;
  quote: '"' | "'";
  triple: boolean;
}

/** A `string` node with its quotes (not a fragment of one). */
export function isStringNode(node: Node): boolean {
  return node.type === 'string' && node.firstChild?.type === 'string_start';
}

/** The style of a `string` node. */
export function literalStyle(node: Node): LiteralStyle {
  const start = node.firstChild?.type === 'string_start' ? node.firstChild.text : '"';
  const prefix = start.replace(/['"]+$/, '').toLowerCase();
  const quotes = start.slice(prefix.length);
  return { prefix, quote: quotes[0] === "'" ? "'" : '"', triple: quotes.length === 3 };
}

export function isFString(node: Node): boolean {
  return isStringNode(node) && literalStyle(node).prefix.includes('f');
}

export function isBytes(node: Node): boolean {
  return isStringNode(node) && literalStyle(node).prefix.includes('b');
}

/** A template string (`t"..."`, Python 3.14): not a `str`, so none of the string rules apply. */
export function isTemplateString(node: Node): boolean {
  return isStringNode(node) && literalStyle(node).prefix.includes('t');
}

/** The decoded text of one `string_content` piece of a literal of the given style. */
export function decodeContent(content: Node, style: LiteralStyle): string | undefined {
  let text = content.text.replace(/\r\n?/g, '\n');
  if (style.prefix.includes('f')) text = text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  return style.prefix.includes('r') ? text : unescapePython(text);
}

/** The strings of an implicit concatenation (`"a" "b"`), or the string itself. */
export function literalPieces(node: Node): Node[] {
  if (node.type === 'concatenated_string') return node.namedChildren.filter((c): c is Node => !!c && isStringNode(c));
  return isStringNode(node) ? [node] : [];
}

/** The value of a plain string literal (not f, not bytes, not t), implicit concatenations included; undefined otherwise. */
export function plainStringValue(node: Node): string | undefined {
  node = unwrap(node);
  if (node.type !== 'string' && node.type !== 'concatenated_string') return undefined;
  let value = '';
  for (const piece of node.type === 'concatenated_string' ? node.namedChildren : [node]) {
    if (!piece || piece.type === 'comment') continue;
    if (!isStringNode(piece)) return undefined;
    const style = literalStyle(piece);
    // An f-string without interpolations is a constant (its doubled braces are single ones).
    if (/[bt]/.test(style.prefix) || (style.prefix.includes('f') && interpolations(piece).length > 0)) return undefined;
    for (const child of piece.namedChildren) {
      if (child?.type !== 'string_content') continue;
      const decoded = decodeContent(child, style);
      if (decoded === undefined) return undefined;
      value += decoded;
    }
  }
  return value;
}

/** Interpolations of an f-string node. */
export function interpolations(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child?.type === 'interpolation');
}

/** Whether an expression is a string literal of any kind (plain, f-string, implicit concatenation), not bytes. */
export function isStringLiteral(node: Node): boolean {
  const pieces = literalPieces(unwrap(node));
  return pieces.length > 0 && pieces.every((p) => !/[bt]/.test(literalStyle(p).prefix));
}

/** The operands of a chain of one binary operator (`a + b + c`), flattened left to right without recursion. */
export function operatorChain(node: Node, operator: string): Node[] {
  const operands: Node[] = [];
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const current = unwrap(stack.pop()!);
    if (current.type === 'binary_operator' && current.childForFieldName('operator')?.text === operator) {
      const left = current.childForFieldName('left');
      const right = current.childForFieldName('right');
      // Right pushed first so the left comes out first.
      if (right) stack.push(right);
      if (left) stack.push(left);
    } else operands.push(current);
  }
  return operands;
}

/** `a.b.c` as text when it is a plain dotted name (identifiers and attributes only), read without recursion. */
export function dottedName(node: Node | null | undefined): string | undefined {
  const names: string[] = [];
  let current = node ? unwrap(node) : undefined;
  while (current) {
    if (current.type === 'identifier') {
      names.push(current.text);
      return names.reverse().join('.');
    }
    if (current.type !== 'attribute') return undefined;
    const attribute = current.childForFieldName('attribute');
    const object = current.childForFieldName('object');
    if (!attribute || !object) return undefined;
    names.push(attribute.text);
    current = unwrap(object);
  }
  return undefined;
}

/** The innermost base of an attribute chain (`a` in `a.b.c`), and the attribute names after it. */
export function attributeChain(node: Node): { base: Node; names: string[] } {
  const names: string[] = [];
  let current = unwrap(node);
  while (current.type === 'attribute') {
    const attribute = current.childForFieldName('attribute');
    const object = current.childForFieldName('object');
    if (!attribute || !object) break;
    names.push(attribute.text);
    current = unwrap(object);
  }
  return { base: current, names: names.reverse() };
}

/** An expression's text on one line, cut to `max` characters, for messages. */
export function shortText(node: Node | string, max = 30): string {
  const text = (typeof node === 'string' ? node : node.text).replace(/\s+/g, ' ');
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}
