import type { TemplateNode } from '../../templates/document';
import type { FilterExpression, FilterUse } from '../../templates/filters';
import { tagArgument, tagBits } from '../../templates/tag-arguments';
import { WHICH_TEMPLATES_DOC } from '../../templates/template-files';
import { severityFor } from '../../templates/template-values';
import { fittedMessage, originClause, TEMPLATE_VALUES_DOC } from '../../templates/value-docs';
import type { Finding } from '../../types';
import type { TemplateRule } from '../rule';
import { inJavaScript } from './variable-in-script';

/**
 * Built-in tags whose arguments are never printed or bound for printing: a `|safe` there
 * changes nothing on the page (`{% if x|safe %}`, `{% url 'a' x|safe %}`).
 */
const NON_PRINTING_TAGS = new Set([
  'if',
  'elif',
  'ifequal',
  'ifnotequal',
  'ifchanged',
  'url',
  'load',
  'extends',
  'block',
  'comment',
  'verbatim',
  'trans',
  'translate',
  'static',
  'now',
  'regroup',
  'widthratio',
  'autoescape',
  'filter',
  'templatetag',
  'csrf_token',
  'spaceless',
  'debug',
  'lorem',
  'language',
  'localize',
  'localtime',
  'timezone',
  'get_current_language',
  'get_available_languages',
  'get_current_language_bidi',
  'get_language_info',
  'get_language_info_list',
  'get_static_prefix',
  'get_media_prefix',
]);

/** DJH303: `|safe` and `|safeseq` switch off escaping for a variable. */
export const safeFilter: TemplateRule = {
  meta: {
    code: 'DJH303',
    name: 'safe-filter',
    severity: 'warning',
    scope: 'template',
    summary: '`|safe` or `|safeseq` on a value that can carry markup: its HTML is printed unescaped.',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports the \`safe\` and \`safeseq\` filters on a value that can carry markup, in a \`{{ }}\` variable (\`{{ comment.body|safe }}\`) or in a tag's arguments: \`{% with bio=profile.bio|safe %}\`, \`{% blocktranslate with name=user.name|safe %}\`, \`{% include "card.html" with body=post.body|safe %}\`, \`{% for item in items|safeseq %}\` and custom tags. Arguments of tags that print nothing (\`{% if %}\`, \`{% url %}\`) are not judged.

The severity says how much the template shows about the value:

- **warning** when it holds request data (\`request.GET\`, \`request.path\`, \`form.data\`, \`field.value\`, a \`{% with %}\` or \`{% for %}\` name bound to one) or stored user data (the user's \`first_name\`, \`last_name\`, \`email\`, \`get_full_name\`; not \`username\`, which Django's validator limits to letters, digits and \`@.+-_\`, so it is info), or when a view rendering the template passes request data or a model's text field (the finding's trace shows the path through the view);
- **info** when neither the template nor the views rendering it show where the value comes from: a note to check that the view sanitises it;
- **silent** when the value cannot carry markup an attacker chose.

${TEMPLATE_VALUES_DOC}

Also silent: \`|safe\` inside \`{% autoescape off %}\` (DJH304 reports the block), \`|safe\` whose mark a later filter drops (\`|safe|upper\` is escaped again), and \`|safe\` in a \`<script>\` or an event-handler attribute while DJH306 runs: DJH306 reports that expression once, with both reasons.

${WHICH_TEMPLATES_DOC} Text templates (an email subject or plain-text body, an SMS or chat payload) are not judged: their output is not HTML.

## Why is this bad
Django escapes every variable it prints, which is what keeps user input from becoming HTML or script in the page. \`safe\` turns that off for one value, so if the value ever contains user input (a comment, a profile field, a search term echoed back), that input runs as script in other users' browsers.

## Example
\`\`\`html
<p>You searched for {{ request.GET.q|safe }}</p>   {# warning: request data #}
<div class="comment">{{ comment.body|safe }}</div> {# info, or warning when the view passes a Comment whose body is a TextField #}
{% with bio=profile.bio|safe %}{{ bio }}{% endwith %}
\`\`\`

Not reported:
<!-- example: silent -->
\`\`\`html
{{ form.email|safe }}  {{ field.help_text|safe }}  {{ items|length|safe }}  {{ body|linebreaksbr|safe }}
\`\`\`

## Use instead
\`\`\`html
<div class="comment">{{ comment.body }}</div>
\`\`\`
When the value must hold HTML, sanitise it in the view with an allow-list sanitiser such as nh3, or build it with \`format_html()\`, and mark it safe there, where the reason can be read. An info finding on a value the view already sanitises can be silenced with \`{# noqa: DJH303 #}\` on its line.

## Fix safety
No fix: removing the filter changes what the page shows, and whether the value is trusted is for you to tell.

## References
- [Django: automatic HTML escaping](https://docs.djangoproject.com/en/stable/ref/templates/language/#automatic-html-escaping)
- [Django: the safe filter](https://docs.djangoproject.com/en/stable/ref/templates/builtins/#safe)
- [Django: help_text is not escaped](https://docs.djangoproject.com/en/stable/ref/models/fields/#help-text)
`,
  triggers: ['safe'],
  check(ctx) {
    const findings: Finding[] = [];
    const report = (expression: FilterExpression, node: TemplateNode) => {
      if (!expression.filters.some((filter) => filter.name === 'safe' || filter.name === 'safeseq')) return;
      // Inside {% autoescape off %} the block is the problem, which DJH304 reports.
      if (!ctx.scopes.autoescape(ctx.scopes.scopeOf(node))) return;
      const judged = ctx.judge(expression, node);
      const mark = judged.safeMark;
      if (!mark) return;
      const severity = severityFor(mark.marked.trust);
      if (!severity) return;
      // Worked out only now, and once: it may read the project's code.
      if (ctx.notHtmlTemplate) return;
      const text = ctx.text.slice(expression.start, expression.end);
      findings.push(
        ctx.finding(mark.filter.start, mark.filter.end, safeMessage(expression, text, mark.filter, mark.marked), {
          severity,
          flow: mark.marked.flow,
          sink: `printed unescaped by |${mark.filter.name}`,
        }),
      );
    };
    for (const node of ctx.doc.nodes) {
      if ((node.role !== 'var' && node.role !== 'block') || !node.contents.includes('safe')) continue;
      if (node.role === 'var') {
        const expression = ctx.expressionOf(node);
        if (!expression) continue;
        // DJH306 reports a |safe printed as JavaScript, with both reasons.
        if (ctx.enabled('DJH306')) {
          const where = ctx.html.vars.get(node);
          if (where && inJavaScript(where)) continue;
        }
        report(expression, node);
        continue;
      }
      if (NON_PRINTING_TAGS.has(node.tag) || node.tag.startsWith('end')) continue;
      for (const bit of tagBits(node, ctx.text).slice(1)) {
        if (!bit.text.includes('safe')) continue;
        const argument = tagArgument(bit);
        if (argument) report(argument.expression, node);
      }
    }
    return findings;
  },
};

function safeMessage(expression: FilterExpression, text: string, filter: FilterUse, marked: { trust: string; why: string }): string {
  // The expression up to the marking filter: what it marks.
  const marks = text.slice(0, filter.start - expression.start).replace(/\s*\|\s*$/, '');
  // A long lookup is named by its last part (`{{ ….description }}`) before "this value".
  const lookups = expression.head.text.split('.');
  const tail = lookups.length > 1 ? [`{{ ….${lookups[lookups.length - 1]} }}`] : [];
  const names = [`{{ ${marks} }}`, `{{ ${expression.head.text} }}`, ...tail, 'this value'];
  const first = (name: string) => `|${filter.name} prints ${name} unescaped${originClause(marked.trust, marked.why)}`;
  if (marked.trust === 'unknown') return fittedMessage(names, first, `If it can hold user input, that input runs as script in the page: sanitise it in the view, or drop |${filter.name}.`);
  return fittedMessage(names, first, `Any HTML in it runs as script in other users' pages: drop |${filter.name}, or sanitise the value in the view (nh3).`);
}
