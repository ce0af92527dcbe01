/** Offsets of a change: text[start, oldEnd) of the text before it became text[start, newEnd) after it. */
export interface ChangeSpan {
  start: number;
  oldEnd: number;
  newEnd: number;
}

const LF = 10;
const CR = 13;

/**
 * The span of a change as a parse must be told of it: it takes in a `\r` right before it
 * and a `\n` right after it. The change can make a `\r\n` of them or split one, which
 * changes what the parser reads there (a lone `\r` is a `\n` to it, see parsePython), and
 * no edge then falls inside a `\r\n`, where the line model's positions and the parser's
 * rows differ.
 */
export function syntaxChangeSpan(before: string, start: number, oldEnd: number, insertedLength: number): ChangeSpan {
  const from = start > 0 && before.charCodeAt(start - 1) === CR ? start - 1 : start;
  const to = before.charCodeAt(oldEnd) === LF ? oldEnd + 1 : oldEnd;
  return { start: from, oldEnd: to, newEnd: from + (start - from) + insertedLength + (to - oldEnd) };
}
