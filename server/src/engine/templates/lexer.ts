/**
 * A port of Django's template lexer (`django.template.base.Lexer`), token for token, with
 * source offsets kept so that findings and fixes can point into the text.
 */

export type TemplateTokenKind = 'text' | 'var' | 'block' | 'comment';

export interface TemplateToken {
  kind: TemplateTokenKind;
  /**
   * Django's `Token.contents`: the raw text of a TEXT token; the text between the
   * delimiters, stripped, for VAR, BLOCK and COMMENT tokens.
   */
  contents: string;
  /** Offset (UTF-16) of the token's first character, delimiters included. */
  start: number;
  /** Offset just past the token's last character. */
  end: number;
  /** 1-based line of the token's first character, as Django's `Token.lineno`. */
  line: number;
}

// NOTE: Django's tag_re, `({%.*?%}|{{.*?}}|{#.*?#})` without DOTALL: a tag never spans
// lines, and `.` matches everything but \n (\r included). It is matched by TagFinder below,
// which finds what that expression finds in linear time: the expression itself takes
// quadratic time on a line of openers without closers (`{{{{{{…`).
// https://docs.djangoproject.com/en/stable/ref/templates/language/#comments

const CLOSERS: Record<number, string> = { 37 /* % */: '%}', 123 /* { */: '}}', 35 /* # */: '#}' };

/**
 * The tags of a text, left to right, as Django's tag_re finds them: at each `{` followed by
 * `%`, `{` or `#`, the nearest closer after the opener on the same line. The next closer of
 * each kind and the next line break are kept as the search moves on, so each is searched
 * for once per occurrence whatever the number of openers.
 */
class TagFinder {
  private readonly nextCloser = new Map<number, number>();
  private nextBreak = -2;

  constructor(private readonly text: string) {}

  /** The next tag at or after `from`: its start and end, or undefined. */
  next(from: number): { start: number; end: number } | undefined {
    const text = this.text;
    for (let start = text.indexOf('{', from); start !== -1; start = text.indexOf('{', start + 1)) {
      const opener = text.charCodeAt(start + 1);
      const closer = CLOSERS[opener];
      if (!closer) continue;
      let at = this.nextCloser.get(opener) ?? -2;
      if (at !== -1 && at < start + 2) {
        at = text.indexOf(closer, start + 2);
        this.nextCloser.set(opener, at);
      }
      if (at === -1) continue;
      if (this.nextBreak !== -1 && this.nextBreak < start) this.nextBreak = text.indexOf('\n', start);
      if (this.nextBreak !== -1 && this.nextBreak < at) continue;
      return { start, end: at + 2 };
    }
    return undefined;
  }
}

/** Whether Python's `str.isspace()` holds for this UTF-16 code unit (no astral character is a space). */
export function isPySpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return code === 0x85 || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000;
}

/** Python's `str.strip()` with no argument; not JavaScript's `trim()`, which strips another set. */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPySpace(text.charCodeAt(start))) start++;
  while (end > start && isPySpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Python's `str.split()` with no argument: words separated by runs of whitespace. */
export function pySplit(text: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const space = i === text.length || isPySpace(text.charCodeAt(i));
    if (space && start !== -1) {
      words.push(text.slice(start, i));
      start = -1;
    } else if (!space && start === -1) start = i;
  }
  return words;
}

/**
 * Splits a template the way `Lexer(text).tokenize()` does: tags found by Django's regular
 * expression, empty text between them dropped, and everything between
 * `{% verbatim %}` and its matching `{% endverbatim %}` (named ones too) left as TEXT.
 */
export function tokenize(text: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  let verbatim: string | false = false;
  let line = 1;
  let upto = 0;
  // Django's Token.lineno counts \n only. The next \n is kept as the text is read, so a long
  // line is searched once, not once per token on it.
  let nextNewline = text.indexOf('\n');
  const countLines = (to: number) => {
    let n = 0;
    for (; nextNewline !== -1 && nextNewline < to; nextNewline = text.indexOf('\n', nextNewline + 1)) n++;
    return n;
  };
  const tags = new TagFinder(text);
  for (let tag = tags.next(0); tag; tag = tags.next(upto)) {
    const { start, end } = tag;
    if (start > upto) {
      tokens.push({ kind: 'text', contents: text.slice(upto, start), start: upto, end: start, line });
      line += countLines(start);
    }
    const raw = text.slice(start, end);
    const opener = raw.charCodeAt(1);
    // Tags are single-line, so the line does not move across one.
    if (opener === 37 /* % */) {
      const content = pyStrip(raw.slice(2, -2));
      if (verbatim) {
        if (content !== verbatim) tokens.push({ kind: 'text', contents: raw, start, end, line });
        else {
          verbatim = false;
          tokens.push({ kind: 'block', contents: content, start, end, line });
        }
      } else {
        const head = content.slice(0, 9);
        if (head === 'verbatim' || head === 'verbatim ') verbatim = `end${content}`;
        tokens.push({ kind: 'block', contents: content, start, end, line });
      }
    } else if (verbatim) {
      tokens.push({ kind: 'text', contents: raw, start, end, line });
    } else {
      tokens.push({ kind: opener === 123 /* { */ ? 'var' : 'comment', contents: pyStrip(raw.slice(2, -2)), start, end, line });
    }
    upto = end;
  }
  if (upto < text.length) tokens.push({ kind: 'text', contents: text.slice(upto), start: upto, end: text.length, line });
  return tokens;
}
