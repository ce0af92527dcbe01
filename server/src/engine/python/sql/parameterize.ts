import type { Node } from '../../parse/python';
import { classifyPositions, VALUE_MARK, type Position, type PositionKind } from './positions';
import type { LiteralStyle, Site, StringBuild, StringPart, ValuePart } from '../string-build';

/**
 * The parameterizing fix: SQL text built by interpolation becomes a plain string with `%s`
 * placeholders, and the interpolated values move, in order, into the query's params.
 *
 * - Quotes around a value go (`'{name}'` → `%s`): the driver quotes.
 * - A literal with more than the value in it becomes one placeholder whose parameter is
 *   the rest of the literal around the value: `LIKE '%{q}%'` → `LIKE %s` with `f"%{q}%"`.
 * - Once there are params, the database driver reads `%` as a format character, so a
 *   literal `%` left in the SQL is doubled.
 * - A value where a placeholder cannot stand (a name, an `IN (...)` list, a piece of
 *   syntax), or whose text is not its plain `str()` (`!r`, a format spec), means no fix.
 */

/** Where the params of the query are, or go. */
export interface ParamsSlot {
  /** The params passed today, when not absent or `None`. */
  existing?: Node;
  /** A `None` passed as params: replaced by the new list. */
  none?: Node;
  /** The argument after which a new params argument is inserted. */
  anchor: Node;
  /** The keyword for a new params argument (`params=`), or undefined for a positional one. */
  keyword?: string;
  /**
   * Whether the SQL is read with params formatting even without params given: `raw()`,
   * `RawSQL` and `extra()` always pass a (possibly empty) params sequence to the driver,
   * `cursor.execute(sql)` passes none.
   */
  alwaysParams: boolean;
  /** Placeholders that earlier SQL of the same call puts in the same params (earlier `where=` items); undefined when unknown. */
  before: number | undefined;
  /** Placeholders that later SQL puts in the same params; undefined when unknown. */
  after: number | undefined;
}

/** A replacement of the text between two tree positions. */
export interface NodeEdit {
  start: { row: number; column: number };
  end: { row: number; column: number };
  newText: string;
}

export type NoFixReason = 'identifier' | 'quoted-name' | 'list' | 'fragment' | 'converted' | 'shape';

export type Parameterized = { ok: true; edits: NodeEdit[]; params: string[] } | { ok: false; reason: NoFixReason; culprit?: ValuePart };

/** The SQL-level position of each value part of a build (keyed by the part). */
export function valuePositions(build: StringBuild): Map<ValuePart, Position> {
  const { sql, values } = analysisText(build.parts);
  const positions = classifyPositions(sql);
  const result = new Map<ValuePart, Position>();
  values.forEach((part, index) => result.set(part, positions[index]));
  return result;
}

/** Why no fix is offered for this build, judged from positions and conversions only; undefined when they allow one. */
export function positionProblem(build: StringBuild, positions = valuePositions(build)): { reason: Exclude<NoFixReason, 'shape'>; culprit: ValuePart } | undefined {
  const order: Exclude<NoFixReason, 'shape'>[] = ['identifier', 'quoted-name', 'list', 'fragment', 'converted'];
  let best: { reason: Exclude<NoFixReason, 'shape'>; culprit: ValuePart } | undefined;
  for (const [part, position] of positions) {
    const reason = position.kind !== 'value' ? (position.kind as Exclude<PositionKind, 'value'>) : !part.plain ? 'converted' : undefined;
    if (reason && (!best || order.indexOf(reason) < order.indexOf(best.reason))) best = { reason, culprit: part };
  }
  return best;
}

/** The SQL with one mark per value part, and where each part's text lies in it. */
function analysisText(parts: readonly StringPart[]): { sql: string; values: ValuePart[]; spans: { part: StringPart; start: number; end: number }[] } {
  let sql = '';
  const values: ValuePart[] = [];
  const spans: { part: StringPart; start: number; end: number }[] = [];
  for (const part of parts) {
    const start = sql.length;
    if (part.kind === 'text') sql += part.value;
    else if (part.kind === 'value') {
      sql += VALUE_MARK;
      values.push(part);
    } else if (part.kind === 'safe') sql += part.text ?? (part.placeholders ? '%s' : 'x');
    else sql += 'x';
    spans.push({ part, start, end: sql.length });
  }
  return { sql, values, spans };
}

/** Builds the parameterizing edits for one SQL string reaching a sink. */
export function parameterize(build: StringBuild, slot: ParamsSlot): Parameterized {
  const { sql, values, spans } = analysisText(build.parts);
  if (values.length === 0) return { ok: false, reason: 'shape' };
  const positions = classifyPositions(sql);
  const problem = positionProblem(build, new Map(values.map((v, i) => [v, positions[i]])));
  if (problem) return { ok: false, ...problem };
  if (!build.straight || build.parts.some((p) => p.kind === 'opaque')) return { ok: false, reason: 'shape' };

  const existing = slot.existing ? sequenceOf(slot.existing) : undefined;
  if (slot.existing && !existing) return { ok: false, reason: 'shape' };
  const paramsExist = !!existing;
  if (!paramsExist && (slot.before ?? 0) > 0) return { ok: false, reason: 'shape' };
  // Whether `%` in the SQL text is already read as a format character.
  // NOTE: with params, the driver reads `%` as a format character, so a literal one must be
  // written `%%`. https://docs.djangoproject.com/en/stable/topics/db/sql/#passing-parameters-into-raw
  const paramsSyntax = paramsExist || slot.alwaysParams;

  // Each value, or quoted literal holding values, becomes one placeholder.
  interface Region {
    start: number;
    end: number;
    values: ValuePart[];
    quote?: string;
  }
  const spanOf = new Map<StringPart, { start: number; end: number }>();
  for (const span of spans) spanOf.set(span.part, span);
  const regions: Region[] = [];
  const regionOf = new Map<ValuePart, Region>();
  values.forEach((part, index) => {
    const position = positions[index];
    const at = spanOf.get(part)!.start;
    const last = regions[regions.length - 1];
    if (position.quoted && last && last.start === position.quoted.open) last.values.push(part);
    else {
      const region = position.quoted ? { start: position.quoted.open, end: position.quoted.close + 1, values: [part], quote: position.quoted.quote } : { start: at, end: at + 1, values: [part] };
      regions.push(region);
      regionOf.set(part, region);
    }
  });
  // Which offsets a region removes, marked once (regions are in order and do not overlap).
  const removedAt = new Uint8Array(sql.length);
  for (const region of regions) removedAt.fill(1, region.start, region.end);
  // Nothing but text and these values may sit inside a quoted region: it all moves into a parameter.
  for (const span of spans) {
    if ((span.part.kind === 'safe' || span.part.kind === 'opaque') && span.end > span.start && removedAt.subarray(span.start, span.end).includes(1)) return { ok: false, reason: 'shape' };
  }

  // The new SQL text of every part.
  const newText = new Map<StringPart, string>();
  for (const span of spans) {
    const part = span.part;
    if (part.kind !== 'text') continue;
    let text = '';
    let run = span.start;
    for (let i = span.start; i <= span.end; i++) {
      if (i < span.end && !removedAt[i]) continue;
      text += sql.slice(run, i);
      run = i + 1;
    }
    // A literal % becomes %%; where the text is already read with params, %% and %s stay, a lone % is doubled.
    text = paramsSyntax ? text.replace(/%[%s(]|%/g, (m) => (m.length === 2 ? m : '%%')) : text.replace(/%/g, '%%');
    newText.set(part, text);
  }
  for (const region of regions) region.values.forEach((part, index) => newText.set(part, index === 0 ? '%s' : ''));

  // Everything that changes must be written by a site the fix may rewrite.
  for (const span of spans) {
    const part = span.part;
    if (part.kind === 'text' && newText.get(part) !== part.value && !part.site) return { ok: false, reason: 'shape' };
    if (part.kind === 'value' && !part.site) return { ok: false, reason: 'shape' };
    if (part.kind === 'safe' && !paramsSyntax && (part.placeholders || (part.text ?? '').includes('%'))) return { ok: false, reason: 'shape' };
    if (part.kind === 'safe' && paramsExist && part.placeholders) return { ok: false, reason: 'shape' };
  }

  // Where each new parameter goes among the existing ones.
  const params: { text: string; index: number }[] = [];
  let placeholders = slot.before ?? 0;
  for (const span of spans) {
    const part = span.part;
    if (part.kind === 'text' || part.kind === 'safe') {
      if (!paramsExist) continue;
      const count = countPlaceholders(part.kind === 'text' ? newText.get(part)! : (part.text ?? ''));
      if (count === undefined) return { ok: false, reason: 'shape' };
      placeholders += count;
      continue;
    }
    if (part.kind !== 'value') continue;
    const region = regionOf.get(part);
    if (!region) continue;
    const text = paramText(region, sql, paramsSyntax, build);
    if (text === undefined) return { ok: false, reason: 'shape' };
    params.push({ text, index: placeholders + params.length });
  }
  if (paramsExist) {
    if (slot.before === undefined || slot.after === undefined) return { ok: false, reason: 'shape' };
    if (existing!.items.length !== placeholders + slot.after) return { ok: false, reason: 'shape' };
  }

  const edits: NodeEdit[] = [];
  for (const site of build.sites) {
    const changed = site.items.some((item) => item.kind === 'own' && (item.part.kind === 'value' || newText.get(item.part) !== item.part.value));
    if (!changed) continue;
    const text = emitSite(site, newText);
    if (text === undefined) return { ok: false, reason: 'shape' };
    edits.push({ start: site.node.startPosition, end: site.node.endPosition, newText: text });
  }
  // `"… %s" % params` with `params` a tuple whose every item became a parameter, in order: the tuple is the parameters.
  const named = build.sites.length === 1 ? build.sites[0].argumentsName : undefined;
  const whole = named && !existing && params.length === values.length && values.every((v, i) => params[i].text === v.node.text) ? named.text : undefined;
  // Listing the tuple's items again would evaluate them twice: the tuple is used whole, or there is no fix.
  if (named && !whole) return { ok: false, reason: 'shape' };
  const paramEdits = paramsEdits(slot, existing, params, whole);
  if (!paramEdits) return { ok: false, reason: 'shape' };
  edits.push(...paramEdits);
  if (overlapping(edits)) return { ok: false, reason: 'shape' };
  return { ok: true, edits, params: params.map((p) => p.text) };
}

/** `%s` placeholders in SQL written for a params-taking call; undefined for named or other placeholders. */
function countPlaceholders(text: string): number | undefined {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') continue;
    const next = text[i + 1];
    if (next === '%') i++;
    else if (next === 's') {
      count++;
      i++;
    } else return undefined;
  }
  return count;
}

/** The parameter for one region: the value itself, or an f-string of the literal around it. */
function paramText(region: { start: number; end: number; values: ValuePart[]; quote?: string }, sql: string, paramsSyntax: boolean, build: StringBuild): string | undefined {
  if (!region.quote) return region.values[0].node.text;
  const inner = sql.slice(region.start + 1, region.end - 1);
  if (inner === VALUE_MARK) return region.values[0].node.text;
  // The literal's text as the database would read it: '' is one quote, and %% one % once params are read.
  const quote = region.quote;
  const pieces: ({ text: string } | { value: ValuePart })[] = [];
  let text = '';
  let valueIndex = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === VALUE_MARK) {
      if (text) pieces.push({ text });
      text = '';
      pieces.push({ value: region.values[valueIndex++] });
      continue;
    }
    if (inner[i] === quote && inner[i + 1] === quote) i++;
    else if (paramsSyntax && inner[i] === '%' && inner[i + 1] === '%') i++;
    text += inner[i];
  }
  if (text) pieces.push({ text });
  const style = build.sites[0]?.style ?? { prefix: '', quote: '"', triple: false };
  for (const q of [style.quote, style.quote === '"' ? "'" : '"'] as const) {
    const expressions = pieces.map((p) => ('value' in p ? fStringExpression(p.value.node, q) : undefined));
    if (expressions.some((e, i) => 'value' in pieces[i] && e === undefined)) continue;
    const body = pieces.map((p, i) => ('value' in p ? `{${expressions[i]}}` : encodeBody(p.text, { prefix: '', quote: q, triple: false }, true))).join('');
    return `f${q}${body}${q}`;
  }
  return undefined;
}

/** An expression's text inside `{…}` of an f-string quoted with `quote`, when it can go there. */
function fStringExpression(node: Node, quote: string): string | undefined {
  const text = node.text;
  if (/[\\\n]/.test(text) || text.includes(quote)) return undefined;
  if (['identifier', 'attribute', 'call', 'subscript'].includes(node.type)) return text;
  return `(${text})`;
}

/** Literal body text for `value` in the given style (escapes, quotes, and braces for an f-string). */
export function encodeBody(value: string, style: LiteralStyle, fstring: boolean): string {
  let body = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = ch.charCodeAt(0);
    if (ch === '\\') body += '\\\\';
    else if (ch === style.quote) body += !style.triple || value[i + 1] === style.quote || i === value.length - 1 ? '\\' + ch : ch;
    else if (ch === '\n') body += style.triple ? '\n' : '\\n';
    else if (ch === '\r') body += '\\r';
    else if (ch === '\t') body += '\\t';
    else if (code < 0x20 || code === 0x7f) body += '\\x' + code.toString(16).padStart(2, '0');
    else if (fstring && (ch === '{' || ch === '}')) body += ch + ch;
    else body += ch;
  }
  return body;
}

/** Whether `value` can be written as a raw literal of this style. */
function rawRepresentable(value: string, style: LiteralStyle): boolean {
  if (value.endsWith('\\')) return false;
  if (!style.triple && /[\n\r]/.test(value)) return false;
  if (style.triple ? value.includes(style.quote.repeat(3)) || value.endsWith(style.quote) : value.includes(style.quote)) return false;
  return !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(value);
}

/** A literal holding `value`, in the site's style (its raw and unicode prefixes kept when possible). */
function literal(value: string, style: LiteralStyle, keptExpressions = false): string {
  const quotes = style.triple ? style.quote.repeat(3) : style.quote;
  let prefix = style.prefix.replace(/[fb]/g, '');
  const raw = prefix.includes('r') && rawRepresentable(value, style) && !keptExpressions;
  if (!raw) prefix = prefix.replace('r', '');
  if (keptExpressions) prefix += 'f';
  return prefix + quotes + (raw ? value : encodeBody(value, style, keptExpressions)) + quotes;
}

/** The new text of a site, or undefined when its form cannot keep what it embeds. */
function emitSite(site: Site, newText: Map<StringPart, string>): string | undefined {
  const text = (part: StringPart) => newText.get(part) ?? (part.kind === 'text' ? part.value : '');
  if (site.form === 'concat') {
    const pieces: string[] = [];
    let run: string | undefined;
    const flush = () => {
      if (run) pieces.push(literal(run, site.style));
      run = undefined;
    };
    for (const item of site.items) {
      if (item.kind === 'own') run = (run ?? '') + text(item.part);
      else {
        if (item.concat === undefined) return undefined;
        flush();
        pieces.push(item.concat);
      }
    }
    flush();
    if (pieces.length === 0) return literal('', site.style);
    // A lone kept expression must stay a string.
    if (pieces.length === 1 && !pieces[0].match(/^[a-z]*['"]/i)) return undefined;
    return pieces.join(' + ');
  }
  const kept = site.items.filter((item) => item.kind === 'kept');
  if (kept.length > 0 && (site.form !== 'f-string' || kept.some((item) => item.kind === 'kept' && item.fstring === undefined))) return undefined;
  if (kept.length === 0) return literal(site.items.map((item) => (item.kind === 'own' ? text(item.part) : '')).join(''), site.style);
  // An f-string that keeps its safe interpolations: only its own text is re-encoded.
  const style = { ...site.style, triple: site.style.triple };
  let prefix = site.style.prefix.replace(/[b]/g, '').replace('r', '');
  if (!prefix.includes('f')) prefix += 'f';
  const quotes = style.triple ? style.quote.repeat(3) : style.quote;
  const body = site.items.map((item) => (item.kind === 'own' ? encodeBody(text(item.part), style, true) : item.fstring!)).join('');
  return prefix + quotes + body + quotes;
}

/** A list or tuple literal of params with its items; undefined for anything else. */
function sequenceOf(node: Node): { node: Node; kind: 'list' | 'tuple'; items: Node[] } | undefined {
  let current = node;
  // `(x)` is x itself, not a tuple.
  while (current.type === 'parenthesized_expression' && current.namedChildren.length === 1) current = current.namedChildren[0]!;
  if (current.type !== 'list' && current.type !== 'tuple') return undefined;
  const items = current.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (items.some((item) => item.type === 'list_splat')) return undefined;
  return { node: current, kind: current.type, items };
}

/** Edits that add the new params: merged into the existing list or tuple, or a new list argument. */
function paramsEdits(slot: ParamsSlot, existing: ReturnType<typeof sequenceOf>, params: { text: string; index: number }[], whole?: string): NodeEdit[] | undefined {
  if (params.length === 0) return [];
  if (!existing) {
    const list = whole ?? `[${params.map((p) => p.text).join(', ')}]`;
    if (slot.none) return [{ start: slot.none.startPosition, end: slot.none.endPosition, newText: list }];
    const text = slot.keyword ? `, ${slot.keyword}=${list}` : `, ${list}`;
    return [{ start: slot.anchor.endPosition, end: slot.anchor.endPosition, newText: text }];
  }
  const { node, kind, items } = existing;
  const edits: NodeEdit[] = [];
  // Group new params by the existing item they go before (items.length: after the last).
  const byIndex = new Map<number, string[]>();
  let inserted = 0;
  for (const param of params) {
    const before = param.index - inserted;
    inserted++;
    const list = byIndex.get(before) ?? [];
    list.push(param.text);
    byIndex.set(before, list);
  }
  for (const [index, texts] of byIndex) {
    if (index < items.length) {
      edits.push({ start: items[index].startPosition, end: items[index].startPosition, newText: texts.join(', ') + ', ' });
    } else if (items.length > 0) {
      const last = items[items.length - 1];
      const comma = last.nextSibling?.type === ',' ? last.nextSibling : null;
      if (!comma) edits.push({ start: last.endPosition, end: last.endPosition, newText: ', ' + texts.join(', ') });
      // `(a,)` becomes `(a, x)`; a trailing comma kept by choice (`[a, b,]`) stays after the new items.
      else if (kind === 'tuple' && items.length === 1) edits.push({ start: comma.endPosition, end: comma.endPosition, newText: ' ' + texts.join(', ') });
      else edits.push({ start: comma.endPosition, end: comma.endPosition, newText: ' ' + texts.join(', ') + ',' });
    } else {
      // `[]` or `()`: fill the brackets; a one-item tuple needs its comma.
      const open = node.child(0)!;
      const text = texts.join(', ') + (kind === 'tuple' && texts.length === 1 ? ',' : '');
      edits.push({ start: open.endPosition, end: open.endPosition, newText: text });
    }
  }
  return edits;
}

function comparePoint(a: { row: number; column: number }, b: { row: number; column: number }): number {
  return a.row - b.row || a.column - b.column;
}

function overlapping(edits: NodeEdit[]): boolean {
  const sorted = [...edits].sort((a, b) => comparePoint(a.start, b.start) || comparePoint(a.end, b.end));
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    const current = sorted[i];
    if (comparePoint(current.start, previous.end) < 0) return true;
    // Two insertions at one point would interleave unpredictably.
    if (comparePoint(current.start, previous.end) === 0 && comparePoint(previous.start, previous.end) === 0 && comparePoint(current.start, current.end) === 0) return true;
  }
  return false;
}
