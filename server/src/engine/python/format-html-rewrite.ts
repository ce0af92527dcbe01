import { rangeOf, type Node } from '../parse/python';
import type { PythonRuleContext } from '../rules/python-context';
import { referenceTo, type LocalEdit } from './import-edits';
import { argumentsInner, asArgument, type FormattedString, type Piece } from './string-pieces';

/** The name code can use for `django.utils.html.format_html`, and the import edit when one is needed. */
export function formatHtmlReference(ctx: PythonRuleContext) {
  return referenceTo(ctx.tree, ctx.text, ctx.imports, 'django.utils.html', 'format_html');
}

/** Literal text as source for a `str.format` template whose run-time value must equal the original text. */
function htmlText(piece: Extract<Piece, { kind: 'text' }>): string {
  // f-string text already doubles its braces, exactly as a format template needs.
  return piece.fString ? piece.source : piece.source.replace(/\{/g, '{{').replace(/\}/g, '}}');
}

/** Literal text as source whose run-time value is the original run-time value (which was itself a template). */
function templateText(piece: Extract<Piece, { kind: 'text' }>): string {
  return piece.fString ? piece.source.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : piece.source;
}

/**
 * The `format_html` arguments that produce the same HTML as the formatted string, with every
 * value escaped: `f"<b>{x}</b>"` → `"<b>{}</b>", x`. Undefined when it cannot be rebuilt.
 */
export function htmlArguments(formatted: FormattedString): string | undefined {
  if (formatted.format) {
    const inner = argumentsInner(formatted.format.args);
    return inner ? `${formatted.format.receiver.text}, ${inner}` : undefined;
  }
  if (!formatted.pieces || formatted.opening === undefined || formatted.closing === undefined) return undefined;
  let body = '';
  const values: string[] = [];
  for (const piece of formatted.pieces) {
    if (piece.kind === 'text') body += htmlText(piece);
    else {
      body += '{}';
      values.push(asArgument(piece.node));
    }
  }
  if (values.length === 0) return undefined;
  return [formatted.opening + body + formatted.closing, ...values].join(', ');
}

/** Counts the automatic `{}` fields of a template text; undefined for a numbered field or an unbalanced brace. */
function autoFields(text: string): number | undefined {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ((ch === '{' || ch === '}') && text[i + 1] === ch) {
      i++;
      continue;
    }
    if (ch === '}') return undefined;
    if (ch !== '{') continue;
    const close = text.indexOf('}', i);
    if (close < 0) return undefined;
    const field = text.slice(i + 1, close);
    if (field.includes('{')) return undefined;
    const name = field.split(/[!:]/)[0];
    if (name === '') count++;
    else if (!/^[A-Za-z_]\w*$/.test(name)) return undefined;
    i = close;
  }
  return count;
}

/**
 * Edits that turn `format_html(<formatted>, *rest)` into `format_html(<template>, ...)` where the
 * formatted values become arguments placed among the existing ones in field order.
 */
export function templateEdits(call: Node, formatted: FormattedString): LocalEdit[] | undefined {
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return undefined;
  const [first, ...rest] = args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
  if (!first || first.type === 'keyword_argument') return undefined;
  if (rest.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
  const positional = rest.filter((a) => a.type !== 'keyword_argument');

  if (formatted.format) {
    // The receiver's own fields would be filled twice; only a template with no braces of its own passes through.
    const receiver = formatted.format.receiver.text;
    const inner = argumentsInner(formatted.format.args);
    if (rest.length > 0 || !inner || /\{\{|\}\}/.test(receiver)) return undefined;
    return [{ range: rangeOf(first), newText: `${receiver}, ${inner}` }];
  }
  if (!formatted.pieces || formatted.opening === undefined || formatted.closing === undefined) return undefined;
  let body = '';
  let consumed = 0;
  const insertions = new Map<number, string[]>();
  for (const piece of formatted.pieces) {
    if (piece.kind === 'text') {
      const text = templateText(piece);
      const fields = autoFields(text);
      if (fields === undefined) return undefined;
      consumed += fields;
      body += text;
    } else {
      body += '{}';
      insertions.set(consumed, [...(insertions.get(consumed) ?? []), asArgument(piece.node)]);
    }
  }
  if (consumed > positional.length || insertions.size === 0) return undefined;
  const edits: LocalEdit[] = [];
  const added = (at: number) => (insertions.get(at) ?? []).map((value) => `, ${value}`).join('');
  edits.push({ range: rangeOf(first), newText: formatted.opening + body + formatted.closing + added(0) });
  for (let k = 1; k <= positional.length; k++) {
    const text = added(k);
    if (!text) continue;
    const end = rangeOf(positional[k - 1]).end;
    edits.push({ range: { start: end, end }, newText: text });
  }
  return edits;
}
