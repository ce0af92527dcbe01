import { rangeOf, type Node } from '../parse/python';
import type { Range } from '../types';

/** A decorator's range without a comment that follows it on the same line: `@name(...)`. */
export function decoratorRange(decorator: Node): Range {
  const expression = decorator.namedChildren.find((child) => child?.type !== 'comment');
  return { start: rangeOf(decorator).start, end: expression ? rangeOf(expression).end : rangeOf(decorator).end };
}
