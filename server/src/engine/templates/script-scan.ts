import type { HtmlAttribute, RawTextElement } from './html-scanner';
import type { TemplateNode } from './document';

/** Lexical context of one character of inline JavaScript. */
export const enum JsState {
  Code = 0,
  SingleQuoted = 1,
  DoubleQuoted = 2,
  TemplateLiteral = 3,
  Comment = 4,
  Regex = 5,
}

/**
 * The JavaScript of an inline script, each template variable and tag blanked out to `_`
 * (an identifier) and each comment to spaces, and each character's context.
 */
export interface ScriptCode {
  /** Offset of the body in the template. */
  start: number;
  code: string;
  states: Uint8Array;
}

/**
 * Reads an inline script's body as a JavaScript lexer would, far enough to tell code
 * from strings, template literals, comments and regular expressions.
 */
export function scanScript(text: string, element: RawTextElement): ScriptCode {
  const start = element.bodyStart;
  let code = text.slice(start, element.bodyEnd);
  if (element.nodes.length > 0) {
    const chars = code.split('');
    for (const node of element.nodes) {
      // Comments render nothing; variables and tags usually print a value.
      const fill = node.role === 'comment' || node.role === 'commented-out' ? ' ' : '_';
      for (let i = node.start; i < node.end; i++) chars[i - start] = fill;
    }
    code = chars.join('');
  }
  return { start, code, states: javascriptStates(code) };
}

/**
 * The JavaScript an event-handler attribute (`onclick="…"`) runs: its value with character
 * references decoded, as the browser does before running it, each template variable and tag
 * blanked out to `_` and each comment removed; with the place of each template variable in it.
 */
export function scanHandler(attribute: HtmlAttribute): { code: string; states: Uint8Array; at: Map<TemplateNode, number> } {
  let code = '';
  const at = new Map<TemplateNode, number>();
  for (const part of attribute.parts) {
    if (part.kind === 'text') code += decodeCharacterReferences(part.text);
    else if (part.node.role === 'var') {
      at.set(part.node, code.length);
      code += '_';
    } else if (part.node.role !== 'comment' && part.node.role !== 'commented-out') code += '_';
  }
  return { code, states: javascriptStates(code), at };
}

const NAMED_REFERENCES: Record<string, string> = { quot: '"', apos: "'", amp: '&', lt: '<', gt: '>' };

/** Decodes the character references that can change JavaScript (quotes, and any numeric one). */
function decodeCharacterReferences(text: string): string {
  return text.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/g, (whole, name: string) => {
    if (name[0] !== '#') return NAMED_REFERENCES[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** JavaScript's line terminators: a `//` comment ends at any of them; \u2028 and \u2029 may sit in a string. */
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/g;

/** The lexical context of each character of `code`, read as a JavaScript lexer would. */
export function javascriptStates(code: string): Uint8Array {
  const states = new Uint8Array(code.length);
  /** Braces open inside each `${` of the template literals being read. */
  const templateDepth: number[] = [];
  let state = JsState.Code;
  let lastSignificant = '';
  let lastWord = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    switch (state) {
      case JsState.Code: {
        states[i] = JsState.Code;
        if (c === "'" || c === '"' || c === '`') {
          state = c === "'" ? JsState.SingleQuoted : c === '"' ? JsState.DoubleQuoted : JsState.TemplateLiteral;
        } else if (c === '/' && code[i + 1] === '/') {
          LINE_TERMINATOR.lastIndex = i;
          const end = LINE_TERMINATOR.exec(code)?.index ?? -1;
          const stop = end === -1 ? code.length : end;
          states.fill(JsState.Comment, i, stop);
          i = stop - 1;
          continue;
        } else if (c === '/' && code[i + 1] === '*') {
          const end = code.indexOf('*/', i + 2);
          const stop = end === -1 ? code.length : end + 2;
          states.fill(JsState.Comment, i, stop);
          i = stop - 1;
          continue;
        } else if (c === '/' && regexAllowed(lastSignificant, lastWord)) {
          state = JsState.Regex;
        } else if (c === '{' && templateDepth.length > 0) {
          templateDepth[templateDepth.length - 1]++;
        } else if (c === '}' && templateDepth.length > 0) {
          if (templateDepth[templateDepth.length - 1] === 0) {
            templateDepth.pop();
            states[i] = JsState.TemplateLiteral;
            state = JsState.TemplateLiteral;
          } else templateDepth[templateDepth.length - 1]--;
        }
        if (/[A-Za-z0-9_$]/.test(c)) lastWord = i > 0 && states[i - 1] === JsState.Code && /[A-Za-z0-9_$]/.test(code[i - 1]) ? lastWord + c : c;
        if (!/\s/.test(c)) lastSignificant = c;
        break;
      }
      case JsState.SingleQuoted:
      case JsState.DoubleQuoted: {
        states[i] = state;
        if (c === '\\') {
          // A backslash before \r\n continues the string on the next line.
          const escaped = code[i + 1] === '\r' && code[i + 2] === '\n' ? 2 : 1;
          states.fill(state, i + 1, i + 1 + escaped);
          i += escaped;
        } else if ((c === "'" && state === JsState.SingleQuoted) || (c === '"' && state === JsState.DoubleQuoted) || c === '\n' || c === '\r') {
          state = JsState.Code;
          // A value ends here: a slash after it divides.
          lastSignificant = 'a';
          lastWord = '';
        }
        break;
      }
      case JsState.TemplateLiteral: {
        states[i] = state;
        if (c === '\\') {
          states[i + 1] = state;
          i++;
        } else if (c === '`') {
          state = JsState.Code;
          lastSignificant = 'a';
          lastWord = '';
        } else if (c === '$' && code[i + 1] === '{') {
          states[i + 1] = state;
          i++;
          templateDepth.push(0);
          state = JsState.Code;
          lastSignificant = '{';
        }
        break;
      }
      case JsState.Regex: {
        states[i] = state;
        if (c === '\\') {
          states[i + 1] = state;
          i++;
        } else if (c === '[') {
          // A class may hold an unescaped slash.
          const end = code.indexOf(']', i + 1);
          const stop = end === -1 ? code.length - 1 : end;
          states.fill(JsState.Regex, i, stop + 1);
          i = stop;
        } else if (c === '/' || c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') {
          state = JsState.Code;
          lastSignificant = 'a';
          lastWord = '';
        }
        break;
      }
    }
  }
  return states;
}

/** Whether a `/` starts a regular expression after this token rather than dividing. */
function regexAllowed(previous: string, word: string): boolean {
  if (previous === '') return true;
  if (/[A-Za-z0-9_$]/.test(previous)) return /^(return|typeof|instanceof|in|of|new|delete|void|throw|case|do|else|yield|await)$/.test(word);
  return !/[)\]}]/.test(previous);
}
