import type { TemplateDocument } from './document';

/** Block tags Jinja2 has and Django's built-ins do not. */
const JINJA_TAGS = new Set(['set', 'endset', 'macro', 'endmacro', 'call', 'endcall', 'import', 'from', 'raw', 'endraw', 'do']);

/** A call other than `_(…)`: `url_for(`, `obj.method(`. */
const CALL = /(?:^|[^\w.])(?!_\()[A-Za-z_]\w*(?:\.\w+)*\s*\(/;
/** Quoted strings, which may hold any character. */
const QUOTED = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;

/**
 * Whether a template uses syntax only Jinja2 accepts, so a Flask or Jinja2 project's file
 * that happens to sit where Django looks is not judged by Django's rules: a call in a
 * variable (`{{ url_for('index') }}`; Django allows only `_("…")`), a Jinja2 tag (`{% set %}`,
 * `{% macro %}`), or whitespace control (`{%- … -%}`).
 */
export function usesJinjaSyntax(doc: TemplateDocument): boolean {
  for (const node of doc.nodes) {
    if (node.role !== 'var' && node.role !== 'block') continue;
    const contents = node.contents;
    const first = contents.charCodeAt(0);
    if (first === 45 /* - */ || first === 43 /* + */ || contents.charCodeAt(contents.length - 1) === 45) return true;
    if (node.role === 'block') {
      if (JINJA_TAGS.has(node.tag)) return true;
      continue;
    }
    if (contents.includes('(') && CALL.test(contents.replace(QUOTED, '""'))) return true;
  }
  return false;
}
