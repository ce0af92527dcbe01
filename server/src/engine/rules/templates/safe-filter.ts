import { parseFilterExpression } from '../../templates/filters';
import { WHICH_TEMPLATES_DOC } from '../../templates/template-files';
import type { TemplateRule } from '../rule';

/** Filters after which `|safe` marks text that is already escaped. */
const ESCAPING_FILTERS = new Set(['escape', 'force_escape']);

/** DJH303: `|safe` and `|safeseq` switch off escaping for a variable. */
export const safeFilter: TemplateRule = {
  meta: {
    code: 'DJH303',
    name: 'safe-filter',
    severity: 'warning',
    scope: 'template',
    summary: '`{{ value|safe }}` or `|safeseq` on a variable: its HTML is printed unescaped.',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports the \`safe\` and \`safeseq\` filters on a template variable, as in \`{{ comment.body|safe }}\`. A string or number literal (\`{{ "<br>"|safe }}\`) is not reported, nor is \`|safe\` after \`|escape\` or \`|force_escape\`, which have already escaped the value, nor a \`.txt\` template, whose plain-text output (an email body) is not HTML.

${WHICH_TEMPLATES_DOC}

## Why is this bad
Django escapes every variable it prints, which is what keeps user input from becoming HTML or script in the page. \`safe\` turns that off for one value, so if the value ever contains user input (a comment, a profile field, a search term echoed back), that input runs as script in other users' browsers.

## Example
\`\`\`html
<div class="comment">{{ comment.body|safe }}</div>
\`\`\`

## Use instead
\`\`\`html
<div class="comment">{{ comment.body }}</div>
\`\`\`
When the value must hold HTML, sanitise it in the view with an allow-list sanitiser such as nh3 or bleach, or build it with \`format_html()\`, and mark it safe there, where the reason can be read.

## Fix safety
No fix: removing the filter changes what the page shows, and whether the value is trusted is for you to tell.

## References
- [Django: automatic HTML escaping](https://docs.djangoproject.com/en/stable/ref/templates/language/#automatic-html-escaping)
- [Django: the safe filter](https://docs.djangoproject.com/en/stable/ref/templates/builtins/#safe)
`,
  triggers: ['safe'],
  check(ctx) {
    if (ctx.plainText) return [];
    const findings = [];
    for (const node of ctx.doc.nodes) {
      if (node.role !== 'var' || !node.contents.includes('safe')) continue;
      const expression = parseFilterExpression(node, ctx.text);
      if (!expression || expression.head.kind !== 'variable') continue;
      let escaped = false;
      for (const filter of expression.filters) {
        if (ESCAPING_FILTERS.has(filter.name)) escaped = true;
        if ((filter.name !== 'safe' && filter.name !== 'safeseq') || escaped) continue;
        const message = `|${filter.name} turns off HTML escaping for ${expression.head.text}, so any user input in it can run as script in the page.`;
        findings.push(ctx.finding(filter.start, filter.end, message));
      }
    }
    return findings;
  },
};
