import { formTarget } from '../../templates/form-action';
import { WHICH_TEMPLATES_DOC } from '../../templates/template-files';
import type { TemplateRule } from '../rule';

/** DJH302: a CSRF token sent to another site can be used to forge requests to this one. */
export const csrfTokenLeak: TemplateRule = {
  meta: {
    code: 'DJH302',
    name: 'csrf-token-leak',
    severity: 'warning',
    scope: 'template',
    summary: '`{% csrf_token %}` inside a form whose `action` is an absolute URL on another site.',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports \`{% csrf_token %}\` inside a \`<form>\` whose \`action\` is an absolute URL (\`https://…\`, \`http://…\` or \`//…\`) to a host the project does not name as its own. The project's own hosts are those of \`ALLOWED_HOSTS\` (\`.example.com\` covering subdomains), \`CSRF_TRUSTED_ORIGINS\`, \`SESSION_COOKIE_DOMAIN\` and \`CSRF_COOKIE_DOMAIN\` in any settings module. An action whose host the template computes, a relative URL and \`{% url %}\` are not reported, nor is a loopback host.

${WHICH_TEMPLATES_DOC} Text templates are not judged.

## Why is this bad
The token is posted with the form to the other site, which can then make this site accept forged requests from the same user: the token is the proof that a request came from your own pages. Django's documentation says not to use \`{% csrf_token %}\` in forms that post to external URLs.

## Example
\`\`\`html
<form method="post" action="https://payments.example.net/checkout">
  {% csrf_token %}
  <input type="hidden" name="amount" value="{{ order.total }}">
</form>
\`\`\`

## Use instead
\`\`\`html
<form method="post" action="https://payments.example.net/checkout">
  <input type="hidden" name="amount" value="{{ order.total }}">
</form>
\`\`\`
If the URL is this site's own, add its host to \`ALLOWED_HOSTS\` (or use \`{% url %}\`).

## Fix safety
No fix: only you know whether the form really leaves the site.

## References
- [Django: CSRF protection, how to use it](https://docs.djangoproject.com/en/stable/howto/csrf/)
- [Django: the csrf_token tag](https://docs.djangoproject.com/en/stable/ref/templates/builtins/#csrf-token)
`,
  triggers: ['csrf_token'],
  check(ctx) {
    const findings = [];
    for (const use of ctx.html.tokens) {
      const target = use.forms.map((form) => formTarget(form, ctx.facts.ownHosts)).find((t) => t.kind === 'other-site');
      if (target?.kind !== 'other-site') continue;
      if (ctx.notHtmlTemplate) return [];
      const message = `This {% csrf_token %} is posted to ${target.host}, another site. That site can then forge requests to this one on the user's behalf.`;
      findings.push(ctx.finding(use.node.start, use.node.end, message));
    }
    return findings;
  },
};
