import type { OffsetEdit, TemplateRuleContext } from '../../templates/context';
import type { TemplateNode } from '../../templates/document';
import type { RawTextElement } from '../../templates/html-scanner';
import type { ScriptCode } from '../../templates/script-scan';
import { lineBreakOf } from '../../text';

/** Filters after which the printed text is not the value's data: json_script would carry something else. */
const TEXT_FILTERS = new Set(['safe', 'safeseq', 'escapejs', 'escape', 'force_escape', 'json_script']);
/** Tags between the script's start and the variable that would leave the moved value in another block or loop. */
const SCOPE_TAGS = new Set(['block', 'endblock', 'for', 'empty', 'endfor', 'with', 'endwith', 'blocktrans', 'endblocktrans', 'blocktranslate', 'endblocktranslate', 'include']);
/** Punctuators an expression may follow. */
const BEFORE_PUNCTUATOR = new Set([...'=(,:[?!+-*/%<>&|^~{};']);
/** Keywords an expression may follow. */
const BEFORE_KEYWORD = new Set(['return', 'typeof', 'void', 'case', 'throw', 'yield', 'await', 'in', 'of', 'else']);
/** What may follow a whole expression: an operator, a closing bracket, a separator, a member access or the end. */
const AFTER_EXPRESSION = /^(?:$|[;,)\]}:?.[*/%<>&|^]|==|!=|\+(?!\+)|-(?!-))/;

/** Whether the code around [start, end) takes a whole expression there. */
function isWholeExpression(code: string, start: number, end: number): boolean {
  let before = start - 1;
  while (before >= 0 && /\s/.test(code[before])) before--;
  if (before >= 0 && !BEFORE_PUNCTUATOR.has(code[before])) {
    let wordStart = before;
    while (wordStart > 0 && /[\w$]/.test(code[wordStart - 1])) wordStart--;
    if (!BEFORE_KEYWORD.has(code.slice(wordStart, before + 1)) || (wordStart > 0 && code[wordStart - 1] === '.')) return false;
  }
  // `++{{ x }}` would assign to the call that replaces it.
  if (before >= 1 && (code.slice(before - 1, before + 1) === '++' || code.slice(before - 1, before + 1) === '--')) return false;
  let after = end;
  while (after < code.length && code[after] !== '\n' && /\s/.test(code[after])) after++;
  return after >= code.length || code[after] === '\n' || AFTER_EXPRESSION.test(code.slice(after, after + 3));
}

/** Moving one variable into a json_script element: the element, and the edit that reads it back in the script. */
export interface JsonScriptMove {
  /** The element's text, `{{ value|json_script:"id" }}`; undefined when an earlier one carries the same value. */
  data?: string;
  replace: OffsetEdit;
  /** Where the element goes: the start of the `<script>` tag's line, or right before the tag. */
  at: number;
  /** Whether the element goes on a line of its own, with this indentation. */
  indent?: string;
}

/**
 * The ids one fix chooses, and what the template already holds: every quoted word (an id
 * must not clash with one) and its json_script elements, read once per template.
 */
export class JsonScriptIds {
  /** Expression → the id chosen for it in this fix. */
  readonly chosen = new Map<string, string>();
  private quoted?: Set<string>;
  private elements?: Map<string, { id: string; at: number }>;

  constructor(private readonly text: string) {}

  /** Whether `id` is written in quotes anywhere in the template, or chosen already. */
  taken(id: string): boolean {
    if (!this.quoted) {
      this.quoted = new Set();
      for (const match of this.text.matchAll(/["']([\w-]+)["']/g)) this.quoted.add(match[1]);
    }
    return this.quoted.has(id) || [...this.chosen.values()].includes(id);
  }

  /** The id of a json_script element the template already has for `contents`, before offset `before`. */
  existing(contents: string, before: number): string | undefined {
    if (!this.elements) {
      this.elements = new Map();
      if (this.text.includes('|json_script:')) {
        for (const match of this.text.matchAll(/\{\{ ([^{}\n]+?)\|json_script:"([\w-]+)" \}\}/g)) if (!this.elements.has(match[1])) this.elements.set(match[1], { id: match[2], at: match.index });
      }
    }
    const found = this.elements.get(contents);
    return found && found.at < before ? found.id : undefined;
  }
}

/**
 * The json_script rewrite of a variable that is a whole JavaScript expression outside any
 * string: `{{ value|json_script:"id" }}` before the `<script>` tag, and
 * `JSON.parse(document.getElementById("id").textContent)` in place of the variable.
 * Undefined when the rewrite could change what the script gets or where the value is read.
 */
export function jsonScriptMove(ctx: TemplateRuleContext, node: TemplateNode, element: RawTextElement, script: ScriptCode, ids = new JsonScriptIds(ctx.text)): JsonScriptMove | undefined {
  // A script that never closes runs to the end of the template: there is no script to read the value in.
  if (element.tag.verbatim || element.bodyEnd >= ctx.text.length) return undefined;
  const expression = ctx.expressionOf(node);
  if (!expression || expression.filters.some((filter) => TEXT_FILTERS.has(filter.name))) return undefined;
  const start = node.start - script.start;
  const end = node.end - script.start;
  if (!isWholeExpression(script.code, start, end)) return undefined;
  // The value must be readable before the script: the same bindings, no loop repeating the id.
  for (let scope = ctx.scopes.scopeOf(node); scope; scope = scope.parent) {
    if (scope.opener === 'for') return undefined;
    if (scope.opener !== '' && scope.opener !== 'autoescape' && scope.start > element.tag.start) return undefined;
  }
  if (element.nodes.some((other) => other.start < node.start && other.role === 'block' && SCOPE_TAGS.has(other.tag))) return undefined;

  const text = ctx.text;
  const lineStart = ctx.doc.lineStart(ctx.doc.position(element.tag.start).line);
  const indent = text.slice(lineStart, element.tag.start);
  const ownLine = /^[ \t]*$/.test(indent);
  const place = { at: ownLine ? lineStart : element.tag.start, indent: ownLine ? indent : undefined };
  const read = (id: string) => ({ start: node.start, end: node.end, newText: `JSON.parse(document.getElementById("${id}").textContent)` });
  const known = ids.chosen.get(node.contents) ?? ids.existing(node.contents, element.tag.start);
  if (known) {
    ids.chosen.set(node.contents, known);
    return { replace: read(known), ...place };
  }
  const base = `${
    expression.head.text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'value'
  }-data`;
  let id = base;
  for (let n = 2; ids.taken(id); n++) id = `${base}-${n}`;
  ids.chosen.set(node.contents, id);
  return { data: `{{ ${node.contents}|json_script:"${id}" }}`, replace: read(id), ...place };
}

/** The edits of one fix moving several variables of one script: one insertion holding every new element, and each variable's replacement. */
export function jsonScriptEdits(text: string, moves: readonly JsonScriptMove[]): OffsetEdit[] {
  const elements = moves.flatMap((move) => (move.data ? [move.data] : []));
  const edits = moves.map((move) => move.replace);
  if (elements.length === 0) return edits;
  const { at, indent } = moves[0];
  const newText = indent === undefined ? elements.join('') : elements.map((element) => `${indent}${element}${lineBreakOf(text)}`).join('');
  return [{ start: at, end: at, newText }, ...edits];
}
