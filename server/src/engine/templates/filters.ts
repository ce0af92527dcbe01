import type { TemplateNode } from './document';

/** What `{{ … }}` starts with: a variable, a string literal (maybe `_("…")`) or a number. */
export interface FilterHead {
  kind: 'variable' | 'constant' | 'number';
  text: string;
}

export interface FilterUse {
  name: string;
  /** Offsets of the filter's name in the template. */
  start: number;
  end: number;
}

export interface FilterExpression {
  head: FilterHead;
  filters: FilterUse[];
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
const FILTER_RE = new RegExp(String.raw`^(?<constant>${CONSTANT})|^(?<variable>${VAR_CHARS}+|${NUM})|(?:${SPACE}*\|${SPACE}*(?<filter>${WORD}+)(?::(?:${CONSTANT}|${VAR_CHARS}+|${NUM}))?)`, 'gu');
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * Reads the expression of a `{{ }}` variable as Django's FilterExpression does: the head,
 * then each `|filter:arg`. Undefined when Django would reject it (a template syntax error).
 */
export function parseFilterExpression(node: TemplateNode, source: string): FilterExpression | undefined {
  const contents = node.contents;
  if (contents.length === 0) return undefined;
  // `contents` is the stripped inside of the tag; find where it starts in the source.
  const contentStart = source.indexOf(contents, node.start + 2);
  let head: FilterHead | undefined;
  const filters: FilterUse[] = [];
  let upto = 0;
  FILTER_RE.lastIndex = 0;
  for (let match = FILTER_RE.exec(contents); match; match = FILTER_RE.exec(contents)) {
    if (match[0].length === 0) {
      FILTER_RE.lastIndex++;
      continue;
    }
    if (match.index !== upto) return undefined;
    const groups = match.groups!;
    if (!head) {
      if (groups.constant !== undefined) head = { kind: 'constant', text: groups.constant };
      else if (groups.variable !== undefined) head = { kind: NUMBER.test(groups.variable) ? 'number' : 'variable', text: groups.variable };
      else return undefined;
    } else {
      if (groups.filter === undefined) return undefined;
      const at = match.index + match[0].indexOf(groups.filter, match[0].indexOf('|'));
      filters.push({ name: groups.filter, start: contentStart + at, end: contentStart + at + groups.filter.length });
    }
    upto = match.index + match[0].length;
  }
  if (!head || upto !== contents.length) return undefined;
  return { head, filters };
}
