import { stringLiteralValue, type Node } from '../../../parse/python';
import type { SourceStore } from '../../../project/source-store';
import { lineBreakOf, lineText } from '../../../text';
import type { Location, Position, Range } from '../../../types';

/** The syntax node that spans exactly `location`, if the file parses and one does. */
export function nodeAt(store: SourceStore, location: Location | undefined): Node | undefined {
  if (!location) return undefined;
  const source = store.get(location.file);
  if (!source) return undefined;
  const { start, end } = location.range;
  const node = source.syntax().rootNode.descendantForPosition({ row: start.line, column: start.character }, { row: end.line, column: end.character });
  return node && spans(node, location.range) ? node : undefined;
}

function spans(node: Node, range: Range): boolean {
  return (
    node.startPosition.row === range.start.line && node.startPosition.column === range.start.character && node.endPosition.row === range.end.line && node.endPosition.column === range.end.character
  );
}

function position(point: { row: number; column: number }): Position {
  return { line: point.row, character: point.column };
}

/** The elements of a list, tuple, set or dict literal, without comments. */
export function elementsOf(container: Node): Node[] {
  return container.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

const CONTAINERS = new Set(['list', 'tuple', 'dictionary']);

/**
 * The range that deletes one element (a list/tuple item or a dict pair) from its literal,
 * with its comma, keeping the rest of the literal's layout: an element alone on its line
 * takes the line (and a comment after it) with it; a last element takes the comma before it, except the last-but-one
 * of a tuple, which keeps its comma so the value stays a tuple.
 */
export function elementRemoval(store: SourceStore, file: string, element: Node): Location | undefined {
  const container = element.parent;
  if (!container || !CONTAINERS.has(container.type)) return undefined;
  if (container.namedChildren.some((c) => c?.type === 'list_splat' || c?.type === 'dictionary_splat')) return undefined;
  const text = store.get(file)?.text;
  if (text === undefined) return undefined;
  const elements = elementsOf(container);
  const index = elements.findIndex((e) => e.id === element.id);
  if (index < 0) return undefined;
  const next = element.nextSibling;
  const comma = next?.type === ',' ? next : undefined;
  const endNode = comma ?? element;
  const lineOf = (row: number) => lineText(text, row);

  const before = lineOf(element.startPosition.row).slice(0, element.startPosition.column);
  const after = lineOf(endNode.endPosition.row).slice(endNode.endPosition.column);
  // A comment after the element on its line is about the element, and goes with it.
  const aloneOnLines = element.startPosition.row > container.startPosition.row && before.trim() === '' && /^\s*(#.*)?$/.test(after) && endNode.endPosition.row < container.endPosition.row;
  if (aloneOnLines) {
    return { file, range: { start: { line: element.startPosition.row, character: 0 }, end: { line: endNode.endPosition.row + 1, character: 0 } } };
  }
  const following = elements[index + 1];
  if (following) {
    if (following.startPosition.row === endNode.endPosition.row) {
      return { file, range: { start: position(element.startPosition), end: position(following.startPosition) } };
    }
    // The next element is on a later line: take the space after the previous comma instead.
    const previousComma = index > 0 ? elements[index - 1].nextSibling : undefined;
    const start = previousComma?.type === ',' && previousComma.endPosition.row === element.startPosition.row ? position(previousComma.endPosition) : position(element.startPosition);
    return { file, range: { start, end: position(endNode.endPosition) } };
  }
  const previous = elements[index - 1];
  if (!previous) return { file, range: { start: position(element.startPosition), end: position(endNode.endPosition) } };
  const keepComma = container.type === 'tuple' && elements.length === 2;
  const previousComma = previous.nextSibling?.type === ',' ? previous.nextSibling : undefined;
  if (!previousComma) return undefined;
  const start = keepComma ? position(previousComma.endPosition) : position(previous.endPosition);
  return { file, range: { start, end: position(endNode.endPosition) } };
}

/** The pair of a dict literal whose key is the string `key`, the last one as Python keeps it. */
export function dictPair(dict: Node, key: string): Node | undefined {
  let found: Node | undefined;
  for (const child of elementsOf(dict)) {
    if (child.type !== 'pair') continue;
    const keyNode = child.childForFieldName('key');
    if (keyNode && stringLiteralValue(keyNode) === key) found = child;
  }
  return found;
}

/** How a list or dict literal lays out its elements: one per line (with their indent) or inline. */
export function elementLayout(container: Node): { multiline: boolean; indent: string } {
  const elements = elementsOf(container);
  const first = elements[0];
  const last = elements[elements.length - 1];
  if (!first || first.startPosition.row === container.startPosition.row || last.endPosition.row === container.endPosition.row) {
    return { multiline: false, indent: '' };
  }
  return { multiline: true, indent: ' '.repeat(first.startPosition.column) };
}

/**
 * An edit that appends `entries` (list items, or `"key": value` pairs) to a list or dict
 * literal, laid out like the elements already there: inline after the last one, or one per
 * line at their indent (a comment after the last element stays on its line).
 */
export function elementInsertion(store: SourceStore, file: string, container: Node, entries: string[]): { location: Location; text: string } | undefined {
  if (container.type !== 'dictionary' && container.type !== 'list') return undefined;
  const source = store.get(file)?.text;
  if (source === undefined || entries.length === 0) return undefined;
  const eol = lineBreakOf(source);
  const elements = elementsOf(container);
  if (elements.some((e) => (container.type === 'dictionary' ? e.type !== 'pair' : e.type === 'list_splat'))) return undefined;
  const at = (p: Position): Location => ({ file, range: { start: p, end: p } });
  if (elements.length === 0) return { location: at({ line: container.startPosition.row, character: container.startPosition.column + 1 }), text: entries.join(', ') };
  const last = elements[elements.length - 1];
  const trailingComma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  const layout = elementLayout(container);
  if (!layout.multiline) return { location: at(position(last.endPosition)), text: entries.map((e) => `, ${e}`).join('') };
  const anchor = trailingComma ?? last;
  const lineRest = lineText(source, anchor.endPosition.row).slice(anchor.endPosition.column);
  const end = { line: anchor.endPosition.row, character: anchor.endPosition.column + lineRest.length };
  const added = entries.map((e) => `${eol}${layout.indent}${e}`);
  if (trailingComma) return { location: { file, range: { start: position(anchor.endPosition), end } }, text: `${lineRest}${added.map((a) => `${a},`).join('')}` };
  return { location: { file, range: { start: position(last.endPosition), end } }, text: `,${lineRest}${added.join(',')}` };
}
