import type { Node } from '../../parse/python';
import { rebuildAsTemplate, templateEdits } from '../../python/html/format-html-rewrite';
import type { Finding } from '../../types';
import type { PythonRule } from '../rule';
import { boundOnce, evidenceOptions, markedSafeMessage, preformattedValues } from './mark-safe-dynamic';

/** DJH204: `format_html` only escapes its arguments; values already formatted into the template are not. */
export const formatHtmlPreformatted: PythonRule = {
  meta: {
    code: 'DJH204',
    name: 'format-html-preformatted',
    severity: 'error',
    scope: 'python',
    summary: '`format_html` is given a template already formatted with request data (error) or values of unknown origin (info), which bypass escaping.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports \`format_html(...)\` (from \`django.utils.html\`, however imported) whose first argument, the template, was formatted before the call with values that are not provably safe: an f-string, a \`%\` formatting, a \`.format()\` call or a \`+\` concatenation, directly or through local variables.

The severity comes from where the formatted values come from (see [the provenance analysis](../provenance.md)), as for DJH203: **error** when request data or a template filter's input is formatted into the template (with the path as related information), **info** for values of unknown origin (a note for review, as for DJH203), **nothing** when every value is safe (constants, numbers, URLs Django builds, escaped values: \`format_html(f"<a href='{reverse("home")}'>{{}}</a>", title)\` is fine).

## Why is this bad
\`format_html\` escapes the *arguments* it is given and trusts the template. A value formatted into the template beforehand is not escaped, so user input there can inject markup and script (cross-site scripting). Worse, the template is then parsed by \`str.format\`: braces in the value are read as format fields, so input such as \`{0.__class__}\` can read attributes of the other arguments, and a stray \`{\` raises an error.

## Example
\`\`\`python
from django.utils.html import format_html

def link(url, title):
    return format_html(f"<a href='{url}'>{title}</a>")
\`\`\`

## Use instead
\`\`\`python
from django.utils.html import format_html

def link(url, title):
    return format_html("<a href='{}'>{}</a>", url, title)
\`\`\`

## Fix safety
Unsafe: values that contain \`<\`, \`>\`, \`&\` or quotes now come out escaped, which changes the HTML (that is the point, but a value meant as markup must itself be built with \`format_html\`).

The fix turns each formatted value into a \`{}\` field and a \`format_html\` argument, placed among the existing arguments in field order, and undoes the f-string brace doubling so existing \`{}\` fields keep working. A constant of known text stays in the template as it was. There is no fix for a conversion or a format spec (\`{x!r}\`, \`%d\`), numbered fields (\`{0}\`), a template that is not a literal, \`*args\`/\`**kwargs\` arguments, a value that is HTML already (escaping it would show its tags) or one inside \`<script>\`/\`<style>\`.

## References
- [Django: format_html](https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.html.format_html)
- [Django security: cross site scripting protection](https://docs.djangoproject.com/en/stable/topics/security/#cross-site-scripting-xss-protection)
`,
  triggers: ['format_html'],
  nodeTypes: ['call'],
  check(ctx) {
    const analysis = ctx.analysis();
    const findings: Finding[] = [];
    for (const call of ctx.nodes('call')) {
      if (ctx.qualifiedName(call.childForFieldName('function')) !== 'django.utils.html.format_html') continue;
      const args = call.childForFieldName('arguments');
      if (args?.type !== 'argument_list') continue;
      const template = args.namedChildren.find((a): a is Node => !!a && a.type !== 'comment');
      if (!template || template.type === 'keyword_argument' || template.type === 'list_splat') continue;
      const build = analysis.strings.build(template, 'value');
      const values = preformattedValues(build, analysis.isOperatorCode(), analysis.scopes);
      const options = evidenceOptions(ctx, values, call, 'is formatted into the template of format_html()');
      if (!options.severity) continue;
      const rebuild = rebuildAsTemplate(build, template, 'template', boundOnce(analysis.scopes));
      const edits = rebuild ? templateEdits(call, rebuild) : undefined;
      const fixes = edits ? [ctx.fix('Pass the values as format_html arguments', edits)] : [];
      findings.push(ctx.finding(call, markedSafeMessage('format_html()', values, 'template'), { ...options, fixes }));
    }
    return findings;
  },
};
