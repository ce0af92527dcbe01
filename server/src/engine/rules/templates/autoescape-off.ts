import { pySplit } from '../../templates/lexer';
import { WHICH_TEMPLATES_DOC } from '../../templates/template-files';
import type { TemplateRule } from '../rule';

/** DJH304: `{% autoescape off %}` prints every variable in the block unescaped. */
export const autoescapeOff: TemplateRule = {
  meta: {
    code: 'DJH304',
    name: 'autoescape-off',
    severity: 'warning',
    scope: 'template',
    summary: '`{% autoescape off %}`: every variable up to `{% endautoescape %}` is printed unescaped.',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports \`{% autoescape off %}\` in an HTML template. \`{% autoescape on %}\` is not reported, nor is the tag inside \`{% comment %}\` or \`{% verbatim %}\`, nor in a text template, whose output must not be HTML-escaped: Django's own \`registration/password_reset_email.html\` is a plain-text email body that starts with \`{% autoescape off %}\`, exactly as it should.

${WHICH_TEMPLATES_DOC}

A template renders text when its extension is \`.txt\` or \`.xml\`; when its name says so (\`*_subject.html\`, \`*-text.html\`, \`*_plain.html\`, \`sms_*.html\`); when the code renders it into an email's subject or plain-text body (\`subject=\`, \`body=\`, \`email_template_name=\`, the first two arguments of \`send_mail()\`), or into a response with a \`content_type\` other than HTML; or when it has no HTML tag at all and nothing shows it is HTML (a view's \`render()\`, a template tag, an \`{% include %}\` from an HTML template, a parent template it extends). See [which templates are judged](../templates.md).

## Why is this bad
Inside the block Django prints every variable as it is, so any value that holds user input can add HTML and script to the page. Unlike \`|safe\` on one trusted value, the block also covers variables added to it later by someone who does not notice it.

## Example
\`\`\`html
{% autoescape off %}
  <p>{{ profile.bio }}</p>
{% endautoescape %}
\`\`\`

## Use instead
\`\`\`html
<p>{{ profile.bio }}</p>
\`\`\`
For a plain-text email body kept in an \`.html\` file that this rule takes for HTML (it holds a tag, or a view renders it), rename it to \`.txt\` or silence the finding with \`{# noqa: DJH304 #}\` on its line.

## Fix safety
No fix: removing the block changes what the page shows.

## References
- [Django: the autoescape tag](https://docs.djangoproject.com/en/stable/ref/templates/builtins/#autoescape)
- [Django: automatic HTML escaping](https://docs.djangoproject.com/en/stable/ref/templates/language/#automatic-html-escaping)
`,
  triggers: ['autoescape'],
  check(ctx) {
    const findings = [];
    for (const node of ctx.doc.nodes) {
      if (node.role !== 'block' || node.tag !== 'autoescape') continue;
      const bits = pySplit(node.contents);
      // Django accepts exactly `autoescape on` or `autoescape off`.
      if (bits.length !== 2 || bits[1] !== 'off') continue;
      if (ctx.notHtmlTemplate) return [];
      findings.push(ctx.finding(node.start, node.end, '{% autoescape off %} prints every variable up to {% endautoescape %} unescaped. User input in any of them can run as script in the page.'));
    }
    return findings;
  },
};
