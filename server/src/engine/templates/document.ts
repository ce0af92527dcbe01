import { lineStarts, positionAt } from '../text';
import type { Position, Range } from '../types';
import { pySplit, tokenize, type TemplateToken } from './lexer';

/**
 * What a token means once Django's parser has seen it. `commented-out` marks everything
 * between `{% comment %}` and `{% endcomment %}`: the parser skips it, so nothing in it
 * renders or runs.
 */
export type TemplateRole = 'text' | 'var' | 'block' | 'comment' | 'commented-out';

export interface TemplateNode extends TemplateToken {
  role: TemplateRole;
  /** The tag name of a block (`if`, `csrf_token`), the first word of its contents; '' for others. */
  tag: string;
  /** True between `{% verbatim %}` and its `{% endverbatim %}`: Django prints this text as it is. */
  verbatim: boolean;
}

/** A template split into tokens, with positions for the offsets. */
export class TemplateDocument {
  private starts?: readonly number[];

  constructor(
    readonly text: string,
    readonly nodes: readonly TemplateNode[],
  ) {}

  position(offset: number): Position {
    this.starts ??= lineStarts(this.text);
    return positionAt(this.text, offset, this.starts);
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** Offset of the start of a 0-based line. */
  lineStart(line: number): number {
    this.starts ??= lineStarts(this.text);
    return line < this.starts.length ? this.starts[line] : this.text.length;
  }
}

/**
 * Lexes a template as Django does and marks what its parser would skip: the bodies of
 * `{% comment %}` blocks (up to a block whose contents are exactly `endcomment`, as
 * `Parser.skip_past` does; an unclosed one runs to the end) and `{# #}` comments.
 */
export function parseTemplate(text: string): TemplateDocument {
  const tokens = tokenize(text);
  const nodes: TemplateNode[] = new Array(tokens.length);
  let inComment = false;
  let verbatimEnd: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    let role: TemplateRole = token.kind;
    let tag = '';
    let verbatim = false;
    if (inComment) {
      role = 'commented-out';
      if (token.kind === 'block' && token.contents === 'endcomment') {
        inComment = false;
        role = 'block';
        tag = 'endcomment';
      }
    } else if (token.kind === 'block') {
      tag = pySplit(token.contents)[0] ?? '';
      if (verbatimEnd !== undefined && token.contents === verbatimEnd) verbatimEnd = undefined;
      else if (tag === 'comment') inComment = true;
      else if (token.contents.slice(0, 9) === 'verbatim' || token.contents.slice(0, 9) === 'verbatim ') verbatimEnd = `end${token.contents}`;
    } else if (token.kind === 'text') {
      verbatim = verbatimEnd !== undefined;
    }
    // Spelled out: an object spread here is an order of magnitude slower.
    nodes[i] = { kind: token.kind, contents: token.contents, start: token.start, end: token.end, line: token.line, role, tag, verbatim };
  }
  return new TemplateDocument(text, nodes);
}
