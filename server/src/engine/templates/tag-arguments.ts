import type { TemplateNode } from './document';
import { parseFilterText, type FilterExpression } from './filters';
import { isPySpace } from './lexer';

/** One word of a block tag as `Token.split_contents()` splits it, with its offset in the template. */
export interface TagBit {
  text: string;
  start: number;
}

// NOTE: a port of django.utils.text.smart_split_re: words, with quoted strings kept whole.
// https://github.com/django/django/blob/stable/3.2.x/django/utils/text.py
const SMART_SPLIT = /((?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+)/g;

/**
 * The bits of a block tag, as `Token.split_contents()` gives them: quoted strings kept
 * whole, and a translated string `_("a b")` split on its spaces joined back.
 */
export function tagBits(node: TemplateNode, source: string): TagBit[] {
  const contents = node.contents;
  const offset = source.indexOf(contents, node.start + 2);
  const bits: TagBit[] = [];
  if (!contents.includes('"') && !contents.includes("'")) {
    // No quoted string: the bits are the words.
    let start = -1;
    for (let i = 0; i <= contents.length; i++) {
      const space = i === contents.length || isPySpace(contents.charCodeAt(i));
      if (space && start !== -1) {
        bits.push({ text: contents.slice(start, i), start: offset + start });
        start = -1;
      } else if (!space && start === -1) start = i;
    }
    return bits;
  }
  let pending: TagBit | undefined;
  let sentinel = '';
  SMART_SPLIT.lastIndex = 0;
  for (let match = SMART_SPLIT.exec(contents); match; match = SMART_SPLIT.exec(contents)) {
    const bit = { text: match[0], start: offset + match.index };
    if (pending) {
      pending.text += ` ${bit.text}`;
      if (bit.text.endsWith(sentinel)) {
        bits.push(pending);
        pending = undefined;
      }
      continue;
    }
    if ((bit.text.startsWith('_("') || bit.text.startsWith("_('")) && !bit.text.endsWith(`${bit.text[2]})`)) {
      pending = bit;
      sentinel = `${bit.text[2]})`;
      continue;
    }
    bits.push(bit);
  }
  if (pending) bits.push(pending);
  return bits;
}

/** A tag argument read as a filter expression, with the keyword it is given to (`name=value`), if any. */
export interface TagArgument {
  keyword?: string;
  expression: FilterExpression;
}

const KEYWORD = /^(\w+)=(.+)$/su;

/** A bit read as Django's `kwarg_re` and a filter expression; undefined when it is neither. */
export function tagArgument(bit: TagBit): TagArgument | undefined {
  const keyword = KEYWORD.exec(bit.text);
  const text = keyword ? keyword[2] : bit.text;
  const expression = parseFilterText(text, bit.start + bit.text.length - text.length);
  return expression ? { keyword: keyword?.[1], expression } : undefined;
}
