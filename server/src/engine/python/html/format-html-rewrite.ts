import { rangeOf, type Node } from '../../parse/python';
import type { PythonRuleContext } from '../../rules/python-context';
import { referenceTo, type LocalEdit } from '../import-edits';
import { encodeBody } from '../sql/parameterize';
import type { Provenance } from '../provenance';
import { isFormatCallOnLiteral, type Site, type StringBuild, type StringPart } from '../string-build';
import { automaticFields, parseFormatTemplate } from '../string-templates';
import { callArguments, plainStringValue, unwrap } from '../syntax';

/**
 * Rewrites HTML built by formatting into a `format_html` call that escapes every inserted
 * value: `f"<b>{name}</b>"` → `"<b>{}</b>", name`. The rewrite is offered only when it
 * gives the same HTML for inputs without markup: a value that is itself markup (escaped
 * HTML in a plain `str`, the result of a render method, a name that says HTML) would come
 * out as visible tags, so its presence means no rewrite.
 */

/** The name code can use for `django.utils.html.format_html`, and the import edit when one is needed. */
export function formatHtmlReference(ctx: PythonRuleContext) {
  return referenceTo(ctx.tree, ctx.text, ctx.imports, 'django.utils.html', 'format_html');
}

/** A `format_html` template (its decoded text) and the arguments to insert, with the automatic fields of the template text before each. */
export interface HtmlRebuild {
  /** The literal to write as the template. */
  literal: string;
  /** The template's text (decoded). */
  text: string;
  /** Each moved value's source text and how many automatic `{}` fields of the original template text precede it. */
  values: { text: string; fieldsBefore: number }[];
  /** Automatic `{}` fields the original template had of its own (filled by the call's other arguments). */
  ownFields: number;
}

/** Names that say a value is HTML already: escaping it would show its tags. */
const MARKUP_NAME =
  /html|markup|render|widget|svg|_tag$|^tag$|_tags$|^tags$|icon|button|badge|link$|links$|snippet|content|output|(?:^|_)js$|script|template|(?:^|_)rows?$|(?:^|_)bits$|(?:^|_)forms?$|formset$/i;

/**
 * The template and arguments equivalent to a build of one formatting expression (`node`
 * itself: an f-string, a `%` or `.format()` of a literal, a `+` of literals and values).
 * `text` is how the build's own literal text is read by `format_html`: as plain text
 * (`mark_safe(...)`, braces doubled) or as the template it already was (`format_html(...)`).
 */
export function rebuildAsTemplate(build: StringBuild, node: Node, text: 'plain' | 'template', boundTo?: (identifier: Node) => Node | undefined): HtmlRebuild | undefined {
  const sites = sitesOf(build, unwrap(node));
  if (!sites || !build.straight || build.truncated) return undefined;
  const site = sites[0];
  let template = '';
  let original = '';
  const values: HtmlRebuild['values'] = [];
  const addValue = (expression: Node) => {
    // Inside <script> or <style> the browser decodes no entities: an escaped value changes the code.
    if (/<(script|style)\b(?![\s\S]*<\/\1\s*>)/i.test(original)) return false;
    const fieldsBefore = text === 'template' ? automaticFields(original) : 0;
    if (fieldsBefore === undefined) return false;
    values.push({ text: asArgument(expression), fieldsBefore });
    template += '{}';
    return true;
  };
  for (const item of sites.flatMap((s) => s.items)) {
    if (item.kind === 'own') {
      const part = item.part;
      if (part.kind === 'text') {
        template += text === 'plain' ? part.value.replace(/\{/g, '{{').replace(/\}/g, '}}') : part.value;
        original += part.value;
        continue;
      }
      if (!part.plain || looksLikeMarkup(part.node, boundTo) || part.provenance.trust === 'safe') return undefined;
      if (!addValue(part.node)) return undefined;
      continue;
    }
    // A kept expression: constant text is written into the template, a number or escaped HTML moves unchanged.
    const kept = keptText(item.parts);
    if (kept !== undefined) {
      template += text === 'plain' ? kept.replace(/\{/g, '{{').replace(/\}/g, '}}') : kept;
      original += kept;
      continue;
    }
    const only = item.parts.length === 1 ? item.parts[0] : undefined;
    const interpolation = item.node.type === 'interpolation' ? item.node : undefined;
    const expression = interpolation ? interpolation.childForFieldName('expression') : item.node;
    const decorated = !!interpolation && (!!interpolation.childForFieldName('format_specifier') || !!interpolation.childForFieldName('type_conversion'));
    const provenance = only?.kind === 'safe' ? only.provenance : undefined;
    if (!expression || decorated || !provenance || provenance.parameters || !(provenance.safeString || provenance.numeric)) return undefined;
    if (!addValue(expression)) return undefined;
  }
  if (values.length === 0) return undefined;
  const ownFields = text === 'template' ? automaticFields(original) : 0;
  if (ownFields === undefined) return undefined;
  const style = { ...site.style, prefix: site.style.prefix.replace(/[fbt]/g, '').replace('r', '') };
  const quotes = style.triple ? style.quote.repeat(3) : style.quote;
  return { literal: style.prefix + quotes + encodeBody(template, style, false) + quotes, text: template, values, ownFields };
}

/**
 * The sites that write the whole expression: the expression itself (an f-string, a `%`,
 * a `.format()` or a `+`), or every literal of an implicit concatenation when they share
 * one style and no comment sits between them (it would be lost when they are joined).
 */
function sitesOf(build: StringBuild, node: Node): Site[] | undefined {
  if (build.sites.some((site) => site.node.hasError)) return undefined;
  if (build.sites.length === 1 && build.sites[0].node.id === node.id) {
    const form = build.sites[0].form;
    return form === 'join' || form === 'literal' ? undefined : build.sites;
  }
  if (node.type !== 'concatenated_string' || node.namedChildren.some((c) => c?.type === 'comment')) return undefined;
  const pieces = node.namedChildren.filter((c): c is Node => !!c);
  if (pieces.length !== build.sites.length || !pieces.every((piece, i) => build.sites[i].node.id === piece.id)) return undefined;
  const style = (site: Site) => `${site.style.prefix.replace('f', '')}${site.style.quote}${site.style.triple}`;
  if (!build.sites.every((site) => style(site) === style(build.sites[0]))) return undefined;
  return build.sites.some((site) => site.form === 'f-string') ? build.sites : undefined;
}

function keptText(parts: StringPart[]): string | undefined {
  let text = '';
  for (const part of parts) {
    if (part.kind === 'text') text += part.value;
    else if (part.kind === 'safe' && part.text !== undefined && !part.provenance?.markup) text += part.text;
    else return undefined;
  }
  return text;
}

/**
 * Whether an expression's name says it holds HTML (`html`, `rendered_content`,
 * `self.render_js()`, `links`); for a name bound once (`fallback = rendition.img_tag()`),
 * also what it is bound to, when `boundTo` says.
 */
export function looksLikeMarkup(node: Node, boundTo?: (identifier: Node) => Node | undefined): boolean {
  const first = unwrap(node);
  if (nameSaysMarkup(first)) return true;
  const bound = first.type === 'identifier' ? boundTo?.(first) : undefined;
  return !!bound && nameSaysMarkup(unwrap(bound));
}

function nameSaysMarkup(node: Node): boolean {
  let value = node;
  // `"".join(rows)`, `str(form)`: what is joined or turned into text.
  if (value.type === 'call') {
    const fn = value.childForFieldName('function');
    const [first] = callArguments(value);
    const joined = fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'join';
    if (first && (joined || (fn?.type === 'identifier' && fn.text === 'str')))
      value = unwrap(first.type === 'generator_expression' || first.type === 'list_comprehension' ? (first.childForFieldName('body') ?? first) : first);
  }
  const name =
    value.type === 'identifier'
      ? value.text
      : value.type === 'attribute'
        ? value.childForFieldName('attribute')?.text
        : value.type === 'call'
          ? (value.childForFieldName('function')?.text.split('.').pop() ?? '')
          : '';
  return !!name && MARKUP_NAME.test(name);
}

/**
 * `"<b>{}</b>".format(a, b=…)` marked safe → `format_html("<b>{}</b>", a, b=…)`: the same
 * template and arguments, when every field is plain (no conversion, spec or attribute
 * access) and every argument is text that escaping leaves alone for inputs without markup.
 * `judge` gives an argument's provenance.
 */
export function formatCallAsHtml(call: Node, judge: (node: Node) => Provenance): string | undefined {
  const value = unwrap(call);
  if (!isFormatCallOnLiteral(value)) return undefined;
  const receiver = unwrap(value.childForFieldName('function')!.childForFieldName('object')!);
  const template = plainStringValue(receiver);
  const fields = template === undefined ? undefined : parseFormatTemplate(template);
  if (!fields || fields.some((f) => f.kind === 'field' && !f.plain)) return undefined;
  const args = value.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return undefined;
  for (const arg of callArguments(value)) {
    const expression = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg.type === 'list_splat' || arg.type === 'dictionary_splat' ? arg.namedChildren[0] : arg;
    if (!expression) return undefined;
    const provenance = judge(expression);
    const text = plainStringValue(expression);
    if (provenance.trust !== 'safe') {
      if (looksLikeMarkup(expression)) return undefined;
    } else if (!provenance.safeString && !(provenance.numeric && !provenance.parameters) && !(text !== undefined && !/[<>&"']/.test(text))) return undefined;
  }
  const inner = args.text.slice(1, -1).trim().replace(/,\s*$/, '');
  return inner ? `${receiver.text}, ${inner}` : undefined;
}

/** An expression's text, parenthesised where a bare form would change meaning as a call argument. */
export function asArgument(node: Node): string {
  const bare = node.type === 'expression_list' || node.type === 'generator_expression' || (node.type === 'tuple' && !node.text.startsWith('('));
  return bare || node.type === 'yield' || node.type === 'named_expression' ? `(${node.text})` : node.text;
}

/**
 * Edits that turn `format_html(<formatted>, *rest)` into `format_html(<template>, ...)`:
 * the formatted values become arguments placed among the existing ones in field order.
 */
export function templateEdits(call: Node, rebuild: HtmlRebuild): LocalEdit[] | undefined {
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return undefined;
  const [first, ...rest] = args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
  if (!first || first.type === 'keyword_argument') return undefined;
  if (rest.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
  const positional = rest.filter((a) => a.type !== 'keyword_argument');
  if (rebuild.ownFields > positional.length) return undefined;
  const insertions = new Map<number, string[]>();
  for (const value of rebuild.values) insertions.set(value.fieldsBefore, [...(insertions.get(value.fieldsBefore) ?? []), value.text]);
  const added = (at: number) => (insertions.get(at) ?? []).map((value) => `, ${value}`).join('');
  const edits: LocalEdit[] = [{ range: rangeOf(first), newText: rebuild.literal + added(0) }];
  for (let k = 1; k <= positional.length; k++) {
    const text = added(k);
    if (!text) continue;
    const end = rangeOf(positional[k - 1]).end;
    edits.push({ range: { start: end, end }, newText: text });
  }
  return edits;
}
