import { existsSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser, type Node, type Range as SyntaxRange, type Tree } from 'web-tree-sitter';
import { withLoneCarriageReturnsAsNewlines } from '../text';
import type { Position, Range } from '../types';

export type { Node, Tree };

let parser: Parser | undefined;
let initialising: Promise<Parser> | undefined;

/**
 * Finds a WASM file beside the running bundle (dist/, the .vsix) or, when running from
 * compiled sources in tests, in the package that ships it.
 */
function locateWasm(fileName: string, packageSpecifier: string): string {
  const besideBundle = path.join(__dirname, fileName);
  if (existsSync(besideBundle)) return besideBundle;
  try {
    return require.resolve(packageSpecifier);
  } catch {
    throw new Error(`cannot find ${fileName} next to ${__dirname} nor in node_modules: the build must copy it there`);
  }
}

/** Loads the Python grammar once per process (or worker). */
export function initPythonParser(): Promise<Parser> {
  initialising ??= (async () => {
    await Parser.init({
      locateFile: () => locateWasm('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm'),
    });
    const language = await Language.load(locateWasm('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'));
    const created = new Parser();
    created.setLanguage(language);
    parser = created;
    return created;
  })();
  return initialising;
}

/**
 * Parses Python source; `initPythonParser()` must have resolved first. The parser reads a
 * lone `\r` as `\n` (see withLoneCarriageReturnsAsNewlines), so rows are the lines of the
 * engine's line model; a node's `text` then has `\n` where the source has a lone `\r`.
 */
export function parsePython(text: string, previous?: Tree): Tree {
  if (!parser) throw new Error('the Python parser is not initialised');
  const tree = parser.parse(withLoneCarriageReturnsAsNewlines(text), previous ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/**
 * Parses the part of a module that `range` covers, reading the text through `read` (the
 * current text from an offset on, as much as it likes), reusing what `previous` (edited to
 * match) still has. Nodes keep their places in the whole module.
 */
export function parsePythonRange(read: (index: number) => string, range: SyntaxRange, previous?: Tree): Tree {
  if (!parser) throw new Error('the Python parser is not initialised');
  const tree = parser.parse(readingLoneCarriageReturnsAsNewlines(read), previous ?? null, { includedRanges: [range] });
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/**
 * A reader giving what `read` gives with each lone `\r` as `\n`, as parsePython reads
 * text. A chunk's last `\r` is held back to the next read, which shows what follows it.
 */
function readingLoneCarriageReturnsAsNewlines(read: (index: number) => string): (index: number) => string {
  return (index) => {
    let chunk = read(index);
    if (chunk === '\r') return read(index + 1).startsWith('\n') ? '\r' : '\n';
    if (chunk.endsWith('\r')) chunk = chunk.slice(0, -1);
    return withLoneCarriageReturnsAsNewlines(chunk);
  };
}

export function rangeOf(node: Node): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

export function countErrorNodes(tree: Tree): number {
  if (!tree.rootNode.hasError) return 0;
  let count = 0;
  const cursor = tree.walk();
  let descend = true;
  for (;;) {
    const node = cursor.currentNode;
    if (descend && (node.type === 'ERROR' || node.isMissing)) count++;
    if (descend && node.hasError && cursor.gotoFirstChild()) continue;
    if (cursor.gotoNextSibling()) {
      descend = true;
      continue;
    }
    if (!cursor.gotoParent()) break;
    descend = false;
  }
  return count;
}

/** Where the first ERROR or missing node of a tree starts, if it has one. */
export function firstSyntaxError(tree: Tree): Position | undefined {
  if (!tree.rootNode.hasError) return undefined;
  const cursor = tree.walk();
  for (;;) {
    const node = cursor.currentNode;
    if (node.type === 'ERROR' || node.isMissing) return { line: node.startPosition.row, character: node.startPosition.column };
    if (node.hasError && cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return undefined;
    }
  }
}

/** The value of a plain (non-f, non-bytes) string literal, or undefined when it is not one. */
export function stringLiteralValue(node: Node): string | undefined {
  if (node.type === 'concatenated_string') {
    let joined = '';
    for (const part of node.namedChildren) {
      if (!part) return undefined;
      if (part.type === 'comment') continue;
      const value = stringLiteralValue(part);
      if (value === undefined) return undefined;
      joined += value;
    }
    return joined;
  }
  if (node.type !== 'string') return undefined;
  // Read from the literal's text: one call into WebAssembly, where its parts cost a dozen.
  const fromText = literalValueOfText(node.text);
  if (fromText !== null) return fromText;
  // A literal the parser had to complete (no closing quote) is read from its parts.
  const start = node.firstChild;
  if (!start || start.type !== 'string_start') return undefined;
  const prefix = start.text.replace(/['"]+$/, '').toLowerCase();
  if (prefix.includes('f') || prefix.includes('b') || prefix.includes('t')) return undefined;
  const raw = prefix.includes('r');
  let value = '';
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'string_content' || child.type === 'escape_sequence') {
      // Python reads source with universal newlines: a CRLF inside a literal is one \n.
      const text = child.text.replace(/\r\n?/g, '\n');
      const part = raw ? text : unescapePython(text);
      if (part === undefined) return undefined;
      value += part;
    } else if (child.type === 'interpolation') return undefined;
  }
  return value;
}

const LITERAL_HEAD = /^([A-Za-z]*)('''|"""|'|")/;

/**
 * The value of a whole string literal's source text (`r"…"`, `'''…'''`): undefined for an
 * f-, t- or bytes literal or an escape that cannot be read; null when the text does not
 * close its quotes.
 */
function literalValueOfText(text: string): string | undefined | null {
  const head = LITERAL_HEAD.exec(text);
  if (!head) return null;
  const quote = head[2];
  const bodyEnd = text.length - quote.length;
  if (bodyEnd < head[0].length || !text.endsWith(quote)) return null;
  const prefix = head[1].toLowerCase();
  if (prefix.includes('f') || prefix.includes('b') || prefix.includes('t')) return undefined;
  // Python reads source with universal newlines: a CRLF inside a literal is one \n.
  const body = text.slice(head[0].length, bodyEnd).replace(/\r\n?/g, '\n');
  return prefix.includes('r') ? body : unescapePython(body);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** The value of the text between the quotes of a non-raw literal. Undefined for a `\N{NAME}` escape (the Unicode name table is not worth carrying) or a code point past U+10FFFF. */
export function unescapePython(text: string): string | undefined {
  let unreadable = false;
  const value = text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]*\}|[\s\S])/g, (whole, seq: string) => {
    if (seq in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[seq];
    if (seq.startsWith('N{')) {
      unreadable = true;
      return whole;
    }
    if (/^[xuU]/.test(seq)) {
      const code = parseInt(seq.slice(1), 16);
      if (code > 0x10ffff) {
        unreadable = true;
        return whole;
      }
      return String.fromCodePoint(code);
    }
    if (/^[0-7]/.test(seq)) return String.fromCodePoint(parseInt(seq, 8));
    return whole;
  });
  return unreadable ? undefined : value;
}

/** Renders a JavaScript string as a Python string literal with the given quote. */
export function pythonString(value: string, quote: '"' | "'" = '"'): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + escaped.split(quote).join('\\' + quote) + quote;
}

/** How much of a module decides its quote style: a module's head shows it as well as its whole. */
const QUOTE_SAMPLE = 64 * 1024;

/** A character after which a quote opens a string literal (for counting quote styles). */
const OPENS_LITERAL = /[=\s([{,:]/;

/** The last sample counted: a keystroke below the sample leaves it as it was, equal as a string. */
let lastQuote: { sample: string; quote: '"' | "'" } | undefined;

/** The quote character a module already uses most, so inserted code looks like its neighbours. */
export function preferredQuote(text: string): '"' | "'" {
  const sample = text.slice(0, QUOTE_SAMPLE);
  if (lastQuote?.sample === sample) return lastQuote.quote;
  // A quote that opens a literal: at the start, or after `=`, whitespace, `(`, `[`, `{`, `,` or `:`.
  let single = 0;
  let double = 0;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    if (code !== 0x22 && code !== 0x27) continue;
    if (i > 0 && !OPENS_LITERAL.test(sample[i - 1])) continue;
    if (code === 0x27) single++;
    else double++;
  }
  const quote = single > double ? "'" : '"';
  lastQuote = { sample, quote };
  return quote;
}
