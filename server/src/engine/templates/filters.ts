import type { TemplateNode } from './document';

/** What a filter expression starts with: a variable, a string literal (maybe `_("…")`) or a number. */
export interface FilterHead {
  kind: 'variable' | 'constant' | 'number';
  text: string;
  /** Offsets of the head in the template. */
  start: number;
  end: number;
}

/** The argument of `|filter:arg`, as written. */
export interface FilterArgument {
  kind: 'variable' | 'constant' | 'number';
  text: string;
}

export interface FilterUse {
  name: string;
  /** Offsets of the filter's name in the template. */
  start: number;
  end: number;
  arg?: FilterArgument;
}

export interface FilterExpression {
  head: FilterHead;
  filters: FilterUse[];
  /** Offsets of the whole expression in the template. */
  start: number;
  end: number;
}

// A port of django.template.base.filter_re. Python's \w and \d are Unicode-aware, hence
// the property classes.
const STR_DQ = String.raw`"[^"\\]*(?:\\.[^"\\]*)*"`;
const STR_SQ = String.raw`'[^'\\]*(?:\\.[^'\\]*)*'`;
const CONSTANT = String.raw`(?:_\(${STR_DQ}\)|_\(${STR_SQ}\)|${STR_DQ}|${STR_SQ})`;
const NUM = String.raw`[\-+.]?\p{Nd}[\p{Nd}.e]*`;
const VAR_CHARS = String.raw`[\p{L}\p{N}_.]`;
const WORD = String.raw`[\p{L}\p{N}_]`;
const SPACE = String.raw`[\s\x1c-\x1f\x85]`;
const FILTER_RE = new RegExp(
  String.raw`^(?<constant>${CONSTANT})|^(?<variable>${VAR_CHARS}+|${NUM})|(?:${SPACE}*\|${SPACE}*(?<filter>${WORD}+)(?::(?:(?<constantArg>${CONSTANT})|(?<variableArg>${VAR_CHARS}+|${NUM})))?)`,
  'gu',
);
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function kindOf(text: string): 'variable' | 'number' {
  return NUMBER.test(text) ? 'number' : 'variable';
}

/**
 * Reads the expression of a `{{ }}` variable as Django's FilterExpression does: the head,
 * then each `|filter:arg`. Undefined when Django would reject it (a template syntax error).
 */
export function parseFilterExpression(node: TemplateNode, source: string): FilterExpression | undefined {
  if (node.contents.length === 0) return undefined;
  // `contents` is the stripped inside of the tag; find where it starts in the source.
  return parseFilterText(node.contents, source.indexOf(node.contents, node.start + 2));
}

/** Reads `text`, which starts at `offset` in the template, as a filter expression. */
export function parseFilterText(text: string, offset: number): FilterExpression | undefined {
  let head: FilterHead | undefined;
  const filters: FilterUse[] = [];
  let upto = 0;
  FILTER_RE.lastIndex = 0;
  for (let match = FILTER_RE.exec(text); match; match = FILTER_RE.exec(text)) {
    if (match[0].length === 0) {
      FILTER_RE.lastIndex++;
      continue;
    }
    if (match.index !== upto) return undefined;
    const groups = match.groups!;
    if (!head) {
      const start = offset + match.index;
      if (groups.constant !== undefined) head = { kind: 'constant', text: groups.constant, start, end: start + groups.constant.length };
      else if (groups.variable !== undefined) head = { kind: kindOf(groups.variable), text: groups.variable, start, end: start + groups.variable.length };
      else return undefined;
    } else {
      if (groups.filter === undefined) return undefined;
      const at = match.index + match[0].indexOf(groups.filter, match[0].indexOf('|'));
      const use: FilterUse = { name: groups.filter, start: offset + at, end: offset + at + groups.filter.length };
      if (groups.constantArg !== undefined) use.arg = { kind: 'constant', text: groups.constantArg };
      else if (groups.variableArg !== undefined) use.arg = { kind: kindOf(groups.variableArg), text: groups.variableArg };
      filters.push(use);
    }
    upto = match.index + match[0].length;
  }
  if (!head || upto !== text.length) return undefined;
  return { head, filters, start: offset, end: offset + text.length };
}

/** The text of a string constant (`"a"`, `'a'`, `_("a")`), its escapes undone as Django does. */
export function constantText(constant: string): string {
  const quoted = constant.startsWith('_(') ? constant.slice(2, -1) : constant;
  return quoted.slice(1, -1).replace(/\\(.)/g, '$1');
}
