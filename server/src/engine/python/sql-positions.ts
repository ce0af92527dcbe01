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

export type PositionKind = 'value' | 'identifier' | 'list' | 'fragment';

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
const COMPARISON_AFTER = /^\s*(?:<=|>=|<>|!=|==|=|<|>|(?:NOT\s+)?(?:LIKE|ILIKE|IN|BETWEEN|GLOB|REGEXP)\b|IS\b)/i;

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

/** The opening parenthesis that encloses `at`, in code, or -1. */
function enclosingParen(sql: string, states: LexState[], at: number): number {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    if (states[i] !== 'code') continue;
    if (sql[i] === ')') depth++;
    else if (sql[i] === '(') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** What a parenthesis holds: an IN list, a VALUES row, a column list, a function's arguments, or a group. */
function parenKind(sql: string, paren: number): 'in' | 'values' | 'columns' | 'call' | 'group' {
  const before = previousToken(sql, paren);
  if (before.token === 'IN') return 'in';
  if (before.token === 'VALUES') return 'values';
  if (/^[A-Z_][A-Z0-9_]*$/.test(before.token) && !CONDITION_KEYWORDS.has(before.token) && !IDENTIFIER_KEYWORDS.has(before.token) && !VALUE_KEYWORDS.has(before.token)) {
    const owner = previousToken(sql, before.start);
    if (owner.token === 'INTO' || owner.token === 'TABLE' || owner.token === '.') return 'columns';
    return 'call';
  }
  return 'group';
}

/** The position of every value mark in `sql`, in order. */
export function classifyPositions(sql: string): Position[] {
  const { states, opens, closes } = lex(sql);
  const positions: Position[] = [];
  for (let at = 0; at < sql.length; at++) {
    if (sql[at] !== VALUE_MARK) continue;
    positions.push(classifyAt(sql, at, states, opens, closes));
  }
  return positions;
}

function classifyAt(sql: string, at: number, states: LexState[], opens: number[], closes: Map<number, number>): Position {
  const state = states[at];
  if (state === "'" || state === '"' || state === '`') {
    const open = opens[at];
    const close = closes.get(open);
    if (close === undefined) return { kind: 'fragment' };
    if (state === "'") return { kind: 'value', quoted: { open, close, quote: state } };
    // "…" is an identifier in standard SQL, a string in MySQL's default mode: a string only where a value is expected.
    if (state === '"' && valueContext(sql, open, states) === 'value') return { kind: 'value', quoted: { open, close, quote: state } };
    return { kind: 'identifier' };
  }
  if (state !== 'code') return { kind: 'fragment' };
  const before = sql[at - 1];
  const after = sql[at + 1];
  if ((before !== undefined && IDENTIFIER_CHAR.test(before)) || (after !== undefined && IDENTIFIER_CHAR.test(after))) return { kind: 'identifier' };
  const paren = enclosingParen(sql, states, at);
  const previous = previousToken(sql, at);
  if (previous.token === '(' && paren >= 0 && parenKind(sql, paren) === 'in' && /^\s*\)/.test(sql.slice(at + 1))) return { kind: 'list' };
  return { kind: valueContext(sql, at, states) };
}

/** What the SQL expects at `at`: a value, a name, or something else (a condition, a keyword). */
function valueContext(sql: string, at: number, states: LexState[]): PositionKind {
  const previous = previousToken(sql, at);
  const token = previous.token;
  if (VALUE_OPERATORS.includes(token)) return 'value';
  if (VALUE_KEYWORDS.has(token)) return 'value';
  if (token === 'AND') {
    // `BETWEEN x AND <value>`
    const beforeAnd = sql.slice(0, previous.start).toUpperCase();
    if (/\bBETWEEN\s+[^\s]+\s*$/.test(beforeAnd)) return 'value';
  }
  if (token === '(' || token === ',') {
    const paren = token === '(' ? previous.start : enclosingParen(sql, states, at);
    if (paren < 0) return token === ',' ? 'identifier' : 'fragment';
    const kind = parenKind(sql, paren);
    if (kind === 'in' || kind === 'values' || kind === 'call') return 'value';
    if (kind === 'columns') return 'identifier';
    return followedByComparison(sql, at) ? 'identifier' : 'fragment';
  }
  if (token === '.') return 'identifier';
  if (IDENTIFIER_KEYWORDS.has(token)) return 'identifier';
  if (CONDITION_KEYWORDS.has(token) || token === '') return followedByComparison(sql, at) ? 'identifier' : 'fragment';
  return 'fragment';
}

function followedByComparison(sql: string, at: number): boolean {
  return COMPARISON_AFTER.test(sql.slice(at + 1));
}
