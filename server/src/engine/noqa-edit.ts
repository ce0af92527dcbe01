import type { ModuleSyntax } from './parse/module-syntax';
import { parsePython, type Node } from './parse/python';
import { noqaCodes } from './suppression';
import { parseTemplate, type TemplateDocument, type TemplateNode } from './templates/document';
import { lineCount, lineText as textOfLine } from './text';
import type { Range } from './types';

const NOQA_WITH_CODES = /#\s*noqa:\s*[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*/i;
const TEMPLATE_NOQA_WITH_CODES = /\{#\s*noqa:\s*[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*/i;

export interface NoqaEdit {
  range: Range;
  newText: string;
}

/**
 * The edit that silences `codes` on one line of a Python module: the codes the line does not
 * silence yet merged into a `# noqa: …` comment it already has, else `  # noqa: CODES` at the
 * end of the line. Undefined when the line already silences them all, or when its end lies
 * inside a string or after a line continuation, where a comment cannot go.
 */
export function noqaEdit(tree: ModuleSyntax, text: string, line: number, codes: string | readonly string[]): NoqaEdit | undefined {
  const lineText = lineAt(text, line);
  if (lineText === undefined) return undefined;
  const comments = tree.rootNode
    .descendantsOfType('comment', { row: line, column: 0 }, { row: line, column: lineText.length })
    .filter((node): node is Node => !!node && node.startPosition.row === line);
  let missing = upper(codes);
  for (const comment of comments) {
    const silenced = noqaCodes(comment.text);
    if (silenced === null) return undefined;
    missing = missing.filter((code) => !silenced.has(code));
  }
  if (missing.length === 0) return undefined;
  for (const comment of comments) {
    const match = NOQA_WITH_CODES.exec(comment.text);
    if (match) {
      const at = { line, character: comment.startPosition.column + match.index + match[0].length };
      return { range: { start: at, end: at }, newText: `, ${missing.join(', ')}` };
    }
  }
  const end = lineText.trimEnd().length;
  if (end === 0) return undefined;
  if (insideString(tree, line, end) || endsWithContinuation(lineText, comments)) return undefined;
  return { range: { start: { line, character: end }, end: { line, character: lineText.length } }, newText: `  # noqa: ${missing.join(', ')}` };
}

/**
 * The same for a Django template, with `{# noqa: CODES #}`. Django drops `{# #}` comments
 * when it lexes the template, so the comment never reaches the page; undefined where the
 * line ends inside `{% verbatim %}` (which would print it) or a `{% comment %}` block.
 */
export function templateNoqaEdit(document: TemplateDocument, line: number, codes: string | readonly string[]): NoqaEdit | undefined {
  const lineText = lineAt(document.text, line);
  if (lineText === undefined) return undefined;
  const silenced = noqaCodes(lineText, true);
  if (silenced === null) return undefined;
  const missing = upper(codes).filter((code) => !silenced.has(code));
  if (missing.length === 0) return undefined;
  const existing = TEMPLATE_NOQA_WITH_CODES.exec(lineText);
  if (existing && silenced.size > 0) {
    const at = { line, character: existing.index + existing[0].length };
    return { range: { start: at, end: at }, newText: `, ${missing.join(', ')}` };
  }
  const end = lineText.trimEnd().length;
  if (end === 0) return undefined;
  const offset = document.lineStart(line) + end - 1;
  const node = nodeAt(document, offset);
  if (node && (node.verbatim || node.role === 'commented-out')) return undefined;
  return { range: { start: { line, character: end }, end: { line, character: lineText.length } }, newText: ` {# noqa: ${missing.join(', ')} #}` };
}

function upper(codes: string | readonly string[]): string[] {
  return [...new Set((typeof codes === 'string' ? [codes] : codes).map((code) => code.toUpperCase()))];
}

function lineAt(text: string, line: number): string | undefined {
  if (line < 0 || line >= lineCount(text)) return undefined;
  return textOfLine(text, line);
}

/** The token covering an offset, by binary search over the tokens in text order. */
function nodeAt(document: TemplateDocument, offset: number): TemplateNode | undefined {
  let low = 0;
  let high = document.nodes.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const node = document.nodes[mid];
    if (offset < node.start) high = mid - 1;
    else if (offset >= node.end) low = mid + 1;
    else return node;
  }
  return undefined;
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

/** Edits silencing codes line by line in one file, its syntax read once. */
export interface NoqaEditor {
  edit(line: number, codes: string | readonly string[]): NoqaEdit | undefined;
  /** Frees the syntax tree it parsed (none when it was given one). */
  dispose(): void;
}

/**
 * The `noqa` edits of one Python module or template: `syntax` is the module's when the caller
 * holds it already (an open document's), else the text is parsed here.
 */
export function noqaEditor(text: string, kind: 'python' | 'template', syntax?: ModuleSyntax): NoqaEditor {
  if (kind === 'template') {
    const document = parseTemplate(text);
    return { edit: (line, codes) => templateNoqaEdit(document, line, codes), dispose: () => {} };
  }
  const parsed = syntax ? undefined : parsePython(text);
  const tree = syntax ?? parsed!;
  return { edit: (line, codes) => noqaEdit(tree, text, line, codes), dispose: () => parsed?.delete() };
}
