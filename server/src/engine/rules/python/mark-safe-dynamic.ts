import { rangeOf, type Node } from '../../parse/python';
import { formatHtmlReference, htmlArguments } from '../../python/format-html-rewrite';
import { decoratorRange } from '../../python/report-ranges';
import { Constants, formattedString, unwrap } from '../../python/string-pieces';
import type { Finding } from '../../types';
import type { PythonRule } from '../rule';

/** What each qualified name is called in messages. */
const SAFE_MARKERS = new Map([
  ['django.utils.safestring.mark_safe', 'mark_safe()'],
  ['django.utils.html.mark_safe', 'mark_safe()'],
  ['django.utils.safestring.SafeString', 'SafeString()'],
  ['django.utils.html.SafeString', 'SafeString()'],
  ['django.utils.safestring.SafeText', 'SafeText()'],
]);

/** DJH203: a value built at run time marked safe is HTML that Django will not escape. */
export const markSafeDynamic: PythonRule = {
  meta: {
    code: 'DJH203',
    name: 'mark-safe-dynamic',
    severity: 'warning',
    scope: 'python',
    summary: '`mark_safe`, `SafeString` or `SafeText` is applied to a value built at run time, so it is not escaped.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports \`mark_safe(...)\`, \`SafeString(...)\` and \`SafeText(...)\` from \`django.utils.safestring\` (however they are imported, also as \`django.utils.safestring.mark_safe\` or through a module alias) when the value is built at run time, and \`@mark_safe\` used as a decorator.

It stays quiet when the value is a constant: a literal, a formatting of literals, a translated literal (\`_("<b>Hi</b>")\`), a module-level name assigned once to such a value, or a Django setting. It also stays quiet when the value is already escaped: \`escape(...)\`, \`conditional_escape(...)\`, \`format_html(...)\`, \`format_html_join(...)\`, \`json_script(...)\`, \`render_to_string(...)\`, or a formatted string whose every value is one of those.

## Why is this bad
Django escapes every value a template outputs unless it is marked safe. \`mark_safe\` tells Django the text is trusted HTML; if part of it comes from a user (a name, a comment, a query parameter), that part can carry \`<script>\` or an \`onerror=\` attribute and run in every visitor's browser (cross-site scripting).

## Example
\`\`\`python
from django.utils.safestring import mark_safe

def badge(user):
    return mark_safe(f"<b>{user.display_name}</b>")
\`\`\`

## Use instead
\`format_html\` escapes each value and marks only the template safe:
\`\`\`python
from django.utils.html import format_html

def badge(user):
    return format_html("<b>{}</b>", user.display_name)
\`\`\`

## Fix safety
Unsafe: the fix changes the HTML when a value contains \`<\`, \`>\`, \`&\` or quotes, which now come out escaped. That is the point, but a value that was meant to be markup (a plain \`str\` holding HTML) will show as text; build such a value with \`format_html\` too.

The fix is offered when the argument is an f-string, a \`%s\` formatting of a literal or a \`.format()\` call on a literal: the values become \`format_html\` arguments in order, \`{\` and \`}\` in the literal text are doubled, and \`from django.utils.html import format_html\` is added after the imports (or to an existing \`from django.utils.html import ...\`). There is no fix when the string uses a conversion or a format spec (\`{x!r}\`, \`{x:>5}\`, \`%d\`), when a constant would be moved into an argument (it could hold markup and would be escaped), or when \`format_html\` is bound to something else. The \`mark_safe\` import is left in place: when nothing else uses it, your linter (Ruff's F401) reports it.

## References
- [Django: mark_safe](https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.safestring.mark_safe)
- [Django: format_html](https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.html.format_html)
- [Django security: cross site scripting protection](https://docs.djangoproject.com/en/stable/topics/security/#cross-site-scripting-xss-protection)
`,
  triggers: ['mark_safe', 'SafeString', 'SafeText'],
  nodeTypes: ['call', 'decorator'],
  check(ctx) {
    const constants = new Constants(ctx.tree, ctx.imports);
    const findings: Finding[] = [];
    for (const decorator of ctx.nodes('decorator')) {
      const expression = decorator.namedChildren.find((c) => c?.type !== 'comment');
      if (!expression || SAFE_MARKERS.get(ctx.qualifiedName(expression) ?? '') !== 'mark_safe()') continue;
      const name = definitionName(decorator);
      findings.push(ctx.finding(decoratorRange(decorator), `@mark_safe marks everything ${name ? `${name}() ` : 'the function '}returns as safe HTML, so any user input in it is not escaped (XSS).`));
    }
    for (const call of ctx.nodes('call')) {
      const marker = SAFE_MARKERS.get(ctx.qualifiedName(call.childForFieldName('function')) ?? '');
      if (!marker) continue;
      const args = call.childForFieldName('arguments');
      if (args?.type !== 'argument_list') continue;
      const values = args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
      if (values.length !== 1 || values[0].type === 'keyword_argument' || values[0].type === 'list_splat' || values[0].type === 'dictionary_splat') continue;
      const value = values[0];
      if (constants.isConstant(value) || constants.isEscaping(value)) continue;
      const formatted = formattedString(value, constants);
      if (formatted && formatted.parts.every((part) => constants.isConstant(part) || constants.isEscaping(part))) continue;
      const fixes = [];
      const rebuilt = formatted && htmlArguments(formatted);
      const reference = rebuilt ? formatHtmlReference(ctx) : undefined;
      if (rebuilt && reference) {
        const fn = call.childForFieldName('function')!;
        fixes.push(ctx.fix('Use format_html, which escapes the values', [{ range: rangeOf(fn), newText: reference.expression }, { range: rangeOf(value), newText: rebuilt }, ...reference.edits]));
      }
      const what = unwrap(value).type === 'identifier' ? `\`${unwrap(value).text}\`` : 'a value built at run time';
      findings.push(ctx.finding(call, `${marker} is given ${what}, so it is not escaped and any user input in it can inject script (XSS).`, { fixes }));
    }
    return findings;
  },
};

function definitionName(decorator: Node): string | undefined {
  const definition = decorator.parent?.childForFieldName('definition');
  return definition?.childForFieldName('name')?.text;
}
