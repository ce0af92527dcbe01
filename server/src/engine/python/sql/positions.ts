/**
 * Where a value sits in SQL text: inside a string literal or as a bare value (a query
 * parameter can take its place), as a table or column name, as the whole list of an
 * `IN (...)`, or as a piece of SQL syntax (no parameter can take its place).
 *
 * The SQL is given as text in which each inserted value is one marker character. The
 * lexer knows string literals ('…' with '' escapes), quoted identifiers ("…", `…`) and
 * comments, which is all it takes to tell these positions apart.
 */

/** The character that stands for an inserted value in the text given to `classifyPositions`. */
export const VALUE_MARK = '\u0001';

export type PositionKind = 'value' | 'identifier' | 'quoted-name' | 'list' | 'fragment';

export interface Position {
  kind: PositionKind;
  /**
   * For a value in a quoted literal: the offsets of its opening and closing quote. The
   * whole literal becomes one placeholder.
   */
  quoted?: { open: number; close: number; quote: string };
}

type LexState = 'code' | "'" | '"' | '`' | 'line-comment' | 'block-comment';

/** Lexer state at every offset, plus where each quoted section opened and closed. */
function lex(sql: string): { states: LexState[]; opens: number[]; closes: Map<number, number> } {
  const states: LexState[] = new Array(sql.length);
  const opens: number[] = new Array(sql.length).fill(-1);
  const closes = new Map<number, number>();
  let state: LexState = 'code';
  let open = -1;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (state === 'code') {
      states[i] = 'code';
      if (ch === "'" || ch === '"' || ch === '`') {
        state = ch;
        open = i;
      } else if (ch === '-' && sql[i + 1] === '-') state = 'line-comment';
      else if (ch === '/' && sql[i + 1] === '*') state = 'block-comment';
      continue;
    }
    if (state === "'" || state === '"' || state === '`') {
      if (ch === state) {
        if (sql[i + 1] === state) {
          // A doubled quote is the quote character itself.
          states[i] = state;
          states[i + 1] = state;
          opens[i] = open;
          opens[i + 1] = open;
          i++;
          continue;
        }
        states[i] = 'code';
        closes.set(open, i);
        state = 'code';
        continue;
      }
      states[i] = state;
      opens[i] = open;
      continue;
    }
    states[i] = state;
    if (state === 'line-comment' && ch === '\n') state = 'code';
    else if (state === 'block-comment' && ch === '/' && sql[i - 1] === '*' && states[i - 1] === 'block-comment') state = 'code';
  }
  return { states, opens, closes };
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$.]/;
const VALUE_OPERATORS = ['<=', '>=', '<>', '!=', '==', '=', '<', '>', '+', '-', '*', '/', '||', '%'];
const VALUE_KEYWORDS = new Set(['LIKE', 'ILIKE', 'GLOB', 'REGEXP', 'RLIKE', 'MATCH', 'TO', 'BETWEEN', 'LIMIT', 'OFFSET', 'THEN', 'ELSE', 'IS', 'ESCAPE']);
const IDENTIFIER_KEYWORDS = new Set([
  'FROM',
  'JOIN',
  'INTO',
  'UPDATE',
  'TABLE',
  'BY',
  'AS',
  'SELECT',
  'DISTINCT',
  'SET',
  'INDEX',
  'VIEW',
  'DESCRIBE',
  'TRUNCATE',
  'ALTER',
  'DROP',
  'EXISTS',
  'SCHEMA',
  'DATABASE',
  'COLUMN',
  'USING',
]);
const CONDITION_KEYWORDS = new Set(['WHERE', 'AND', 'OR', 'NOT', 'ON', 'HAVING', 'WHEN']);
/** Read at the offset after a value (sticky), never on a copy of the rest of the text. */
const COMPARISON_AFTER = /\s*(?:<=|>=|<>|!=|==|=|<|>|(?:NOT\s+)?(?:LIKE|ILIKE|IN|BETWEEN|GLOB|REGEXP)\b|IS\b)/iy;
const CLOSE_AFTER = /\s*\)/y;

/** The last token before `end` in code (skipping spaces): a word, an operator or a single character. */
function previousToken(sql: string, end: number): { token: string; start: number } {
  let i = end - 1;
  while (i >= 0 && /\s/.test(sql[i])) i--;
  if (i < 0) return { token: '', start: 0 };
  if (/[A-Za-z_]/.test(sql[i])) {
    let start = i;
    while (start > 0 && /[A-Za-z0-9_]/.test(sql[start - 1])) start--;
    return { token: sql.slice(start, i + 1).toUpperCase(), start };
  }
  for (const operator of VALUE_OPERATORS) {
    if (sql.slice(i - operator.length + 1, i + 1) === operator) return { token: operator, start: i - operator.length + 1 };
  }
  return { token: sql[i], start: i };
}

/** The lexer's reading plus, for every offset, the innermost parenthesis open in code there (-1 for none). */
interface Reading {
  sql: string;
  states: LexState[];
  opens: number[];
  closes: Map<number, number>;
  parens: Int32Array;
  parenKinds: Map<number, ParenKind>;
}

type ParenKind = 'in' | 'values' | 'columns' | 'call' | 'group';

function read(sql: string): Reading {
  const { states, opens, closes } = lex(sql);
  const parens = new Int32Array(sql.length + 1);
  const stack: number[] = [];
  for (let i = 0; i < sql.length; i++) {
    parens[i] = stack.length > 0 ? stack[stack.length - 1] : -1;
    if (states[i] !== 'code') continue;
    if (sql[i] === '(') stack.push(i);
    else if (sql[i] === ')') stack.pop();
  }
  parens[sql.length] = stack.length > 0 ? stack[stack.length - 1] : -1;
  return { sql, states, opens, closes, parens, parenKinds: new Map() };
}

/** What a parenthesis holds: an IN list, a VALUES row, a column list, a function's arguments, or a group. */
function parenKind(reading: Reading, paren: number): ParenKind {
  const known = reading.parenKinds.get(paren);
  if (known) return known;
  const sql = reading.sql;
  const before = previousToken(sql, paren);
  let kind: ParenKind = 'group';
  if (before.token === 'IN') kind = 'in';
  else if (before.token === 'VALUES') kind = 'values';
  else if (/^[A-Z_][A-Z0-9_]*$/.test(before.token) && !CONDITION_KEYWORDS.has(before.token) && !IDENTIFIER_KEYWORDS.has(before.token) && !VALUE_KEYWORDS.has(before.token)) {
    const owner = previousToken(sql, before.start);
    kind = owner.token === 'INTO' || owner.token === 'TABLE' || owner.token === '.' ? 'columns' : 'call';
  }
  reading.parenKinds.set(paren, kind);
  return kind;
}

/** The position of every value mark in `sql`, in order, in time linear in the text. */
export function classifyPositions(sql: string): Position[] {
  const reading = read(sql);
  const positions: Position[] = [];
  for (let at = sql.indexOf(VALUE_MARK); at >= 0; at = sql.indexOf(VALUE_MARK, at + 1)) positions.push(classifyAt(reading, at));
  return positions;
}

function classifyAt(reading: Reading, at: number): Position {
  const { sql, states, opens, closes } = reading;
  const state = states[at];
  if (state === "'" || state === '"' || state === '`') {
    const open = opens[at];
    const close = closes.get(open);
    if (close === undefined) return { kind: 'fragment' };
    if (state === "'") return { kind: 'value', quoted: { open, close, quote: state } };
    // NOTE: "…" is an identifier in standard SQL (PostgreSQL, SQLite, Oracle) and a string only
    // in MySQL's default mode: a placeholder there would change what the query means.
    // https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
    return { kind: state === '"' && valueContext(reading, open) === 'value' ? 'quoted-name' : 'identifier' };
  }
  if (state !== 'code') return { kind: 'fragment' };
  const before = sql[at - 1];
  const after = sql[at + 1];
  if ((before !== undefined && IDENTIFIER_CHAR.test(before)) || (after !== undefined && IDENTIFIER_CHAR.test(after))) return { kind: 'identifier' };
  const paren = reading.parens[at];
  const previous = previousToken(sql, at);
  if (previous.token === '(' && paren >= 0 && parenKind(reading, paren) === 'in' && matchesAt(CLOSE_AFTER, sql, at + 1)) return { kind: 'list' };
  return { kind: valueContext(reading, at) };
}

/** What the SQL expects at `at`: a value, a name, or something else (a condition, a keyword). */
function valueContext(reading: Reading, at: number): PositionKind {
  const sql = reading.sql;
  const previous = previousToken(sql, at);
  const token = previous.token;
  if (VALUE_OPERATORS.includes(token)) return 'value';
  if (VALUE_KEYWORDS.has(token)) return 'value';
  if (token === 'AND') {
    // `BETWEEN x AND <value>`
    const operand = previousToken(sql, previous.start);
    if (operand.token !== '' && previousToken(sql, operand.start).token === 'BETWEEN') return 'value';
  }
  if (token === '(' || token === ',') {
    const paren = token === '(' ? previous.start : reading.parens[at];
    if (paren < 0) return token === ',' ? 'identifier' : 'fragment';
    const kind = parenKind(reading, paren);
    if (kind === 'in' || kind === 'values' || kind === 'call') return 'value';
    if (kind === 'columns') return 'identifier';
    return matchesAt(COMPARISON_AFTER, sql, at + 1) ? 'identifier' : 'fragment';
  }
  if (token === '.') return 'identifier';
  if (IDENTIFIER_KEYWORDS.has(token)) return 'identifier';
  if (CONDITION_KEYWORDS.has(token) || token === '') return matchesAt(COMPARISON_AFTER, sql, at + 1) ? 'identifier' : 'fragment';
  return 'fragment';
}

function matchesAt(pattern: RegExp, text: string, at: number): boolean {
  pattern.lastIndex = at;
  return pattern.test(text);
}
