import type { ModuleSyntax } from '../engine/parse/module-syntax';
import type { Node } from '../engine/parse/python';
import { noqaCodes } from '../engine/suppression';
import { parseTemplate } from '../engine/templates/document';
import { lineCount, lineEndOffset, lineText } from '../engine/text';
import type { Range } from '../engine/types';

const NOQA_WITH_CODES = /#\s*noqa:\s*[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*/i;
const TEMPLATE_NOQA_WITH_CODES = /\{#\s*noqa:\s*[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*/i;

/**
 * The edit that silences `code` on one line: the code merged into a `# noqa: …` comment the
 * line already has, else `  # noqa: CODE` at the end of the line. Undefined when the line is
 * already silenced, or when its end lies inside a string or after a line continuation, where
 * a comment cannot go.
 */
export function noqaEdit(tree: ModuleSyntax, text: string, line: number, code: string): { range: Range; newText: string } | undefined {
  if (line < 0 || line >= lineCount(text)) return undefined;
  const content = lineText(text, line);
  const comments = tree.rootNode
    .descendantsOfType('comment', { row: line, column: 0 }, { row: line, column: content.length })
    .filter((node): node is Node => !!node && node.startPosition.row === line);
  for (const comment of comments) {
    const codes = noqaCodes(comment.text);
    if (codes === null || codes.has(code.toUpperCase())) return undefined;
    const match = NOQA_WITH_CODES.exec(comment.text);
    if (codes.size > 0 && match) {
      const at = { line, character: comment.startPosition.column + match.index + match[0].length };
      return { range: { start: at, end: at }, newText: `, ${code}` };
    }
  }
  const end = content.trimEnd().length;
  if (end === 0) return undefined;
  if (insideString(tree, line, end) || endsWithContinuation(content, comments)) return undefined;
  return { range: { start: { line, character: end }, end: { line, character: content.length } }, newText: `  # noqa: ${code}` };
}

/** Whether the end of the line lies inside a string that goes on to a later line. */
function insideString(tree: ModuleSyntax, line: number, column: number): boolean {
  let node: Node | null = tree.rootNode.descendantForPosition({ row: line, column: Math.max(0, column - 1) });
  for (; node; node = node.parent) {
    if ((node.type === 'string' || node.type === 'string_content') && node.endPosition.row > line) return true;
  }
  return false;
}

function endsWithContinuation(lineText: string, comments: Node[]): boolean {
  if (comments.length > 0) return false;
  return lineText.trimEnd().endsWith('\\');
}

/**
 * The edit that silences `code` on one line of a template: the code merged into a
 * `{# noqa: … #}` comment the line already has, else ` {# noqa: CODE #}` at the end of the
 * line (a Django comment renders nothing). Undefined when the line is already silenced, is
 * blank, or ends inside `{% verbatim %}`, which would print the comment.
 */
export function templateNoqaEdit(text: string, line: number, code: string): { range: Range; newText: string } | undefined {
  if (line < 0 || line >= lineCount(text)) return undefined;
  const content = lineText(text, line);
  const codes = noqaCodes(content, true);
  if (codes === null || codes.has(code.toUpperCase())) return undefined;
  const match = TEMPLATE_NOQA_WITH_CODES.exec(content);
  if (codes.size > 0 && match) {
    const at = { line, character: match.index + match[0].length };
    return { range: { start: at, end: at }, newText: `, ${code}` };
  }
  const end = content.trimEnd().length;
  if (end === 0) return undefined;
  const endOffset = lineEndOffset(text, line) - (content.length - end);
  const verbatim = parseTemplate(text).nodes.some((node) => node.verbatim && node.start <= endOffset && endOffset <= node.end);
  if (verbatim) return undefined;
  return { range: { start: { line, character: end }, end: { line, character: content.length } }, newText: ` {# noqa: ${code} #}` };
}
