/**
 * Parsers for the two formatting languages of Python strings: `%` (printf-style) templates
 * and `str.format` templates. Both read the template once, left to right, in time linear in
 * its length.
 */

export type PercentPiece =
  | { kind: 'text'; value: string }
  | {
      kind: 'spec';
      key?: string;
      /** `%s` without flags, width or precision. */
      plain: boolean;
      /** A numeric conversion (`%d`, `%f`…): digits only, whatever the value. */
      numeric: boolean;
      /** Arguments consumed by `*` width and precision. */
      starred: number;
    };

const PERCENT_SPEC = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?([diouxXeEfFgGcrsa%])/y;

/** `"… %s … %(name)s … %%"` split into text and conversion specifiers; undefined when malformed. */
export function parsePercentTemplate(template: string): PercentPiece[] | undefined {
  const pieces: PercentPiece[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const next = template.indexOf('%', i);
    if (next < 0) {
      text += template.slice(i);
      break;
    }
    text += template.slice(i, next);
    PERCENT_SPEC.lastIndex = next;
    const match = PERCENT_SPEC.exec(template);
    if (!match) return undefined;
    i = PERCENT_SPEC.lastIndex;
    const [, key, flags, width, precision, conversion] = match;
    if (conversion === '%') {
      text += '%';
      continue;
    }
    if (text) pieces.push({ kind: 'text', value: text });
    text = '';
    pieces.push({
      kind: 'spec',
      key,
      plain: conversion === 's' && !flags && width === undefined && precision === undefined,
      numeric: 'diouxXeEfFgG'.includes(conversion),
      starred: (width === '*' ? 1 : 0) + (precision === '*' ? 1 : 0),
    });
  }
  if (text) pieces.push({ kind: 'text', value: text });
  return pieces;
}

export type FormatPiece =
  | { kind: 'text'; value: string }
  | {
      kind: 'field';
      /** The argument name: '' (automatic), a number, or a keyword. */
      name: string;
      /** No attribute or index access, conversion or format spec: the text is the value's `str()`. */
      plain: boolean;
      /** A numeric presentation type (`{:d}`, `{:.2f}`): digits only, whatever the value. */
      numeric: boolean;
    };

/** Format spec types that print a number. */
const NUMERIC_FORMAT_TYPE = /[bdoxXneEfFgG%]$/;

/** `"… {} … {0} … {name!r:>5} … {{"` split into text and replacement fields; undefined when malformed. */
export function parseFormatTemplate(template: string): FormatPiece[] | undefined {
  const pieces: FormatPiece[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch === '{' && template[i + 1] === '{') {
      text += '{';
      i += 2;
      continue;
    }
    if (ch === '}' && template[i + 1] === '}') {
      text += '}';
      i += 2;
      continue;
    }
    if (ch === '}') return undefined;
    if (ch !== '{') {
      text += ch;
      i++;
      continue;
    }
    // A field: name, then attribute/index access, then !conversion, then :spec (which may nest one level of fields).
    let j = i + 1;
    let depth = 1;
    let nameEnd = -1;
    let conversionAt = -1;
    let specAt = -1;
    for (; j < template.length; j++) {
      const c = template[j];
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) break;
      } else if (depth === 1 && specAt < 0) {
        if (nameEnd < 0 && (c === '.' || c === '[')) nameEnd = j;
        if (c === '!' && conversionAt < 0) conversionAt = j;
        else if (c === ':') specAt = j;
      }
    }
    if (depth !== 0) return undefined;
    const end = j;
    const headEnd = conversionAt >= 0 ? conversionAt : specAt >= 0 ? specAt : end;
    const name = template.slice(i + 1, nameEnd >= 0 && nameEnd < headEnd ? nameEnd : headEnd);
    const accessed = nameEnd >= 0 && nameEnd < headEnd;
    if (conversionAt >= 0) {
      const conversion = template.slice(conversionAt + 1, specAt >= 0 ? specAt : end);
      if (conversion !== 'r' && conversion !== 's' && conversion !== 'a') return undefined;
    }
    const spec = specAt >= 0 ? template.slice(specAt + 1, end) : '';
    if (text) pieces.push({ kind: 'text', value: text });
    text = '';
    pieces.push({ kind: 'field', name, plain: !accessed && conversionAt < 0 && specAt < 0, numeric: !accessed && conversionAt < 0 && NUMERIC_FORMAT_TYPE.test(spec) && !spec.includes('{') });
    i = end + 1;
  }
  if (text) pieces.push({ kind: 'text', value: text });
  return pieces;
}

/** Counts the automatic `{}` fields of a format template text; undefined when it has numbered fields or is malformed. */
export function automaticFields(template: string): number | undefined {
  const pieces = parseFormatTemplate(template);
  if (!pieces) return undefined;
  let count = 0;
  for (const piece of pieces) {
    if (piece.kind !== 'field') continue;
    if (piece.name === '') count++;
    else if (!/^[A-Za-z_]\w*$/.test(piece.name)) return undefined;
  }
  return count;
}
