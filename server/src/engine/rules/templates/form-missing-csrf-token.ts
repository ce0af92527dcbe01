import type { TemplateRuleContext } from '../../templates/context';
import { formTarget } from '../../templates/form-action';
import { attributeOf, literalValue, type FormElement, type HtmlAttribute } from '../../templates/html-scanner';
import { tagBits } from '../../templates/tag-arguments';
import { WHICH_TEMPLATES_DOC } from '../../templates/template-files';
import { lineBreakOf, lineEndAfter, lineStartBefore, splitLines } from '../../text';
import type { TemplateRule } from '../rule';

const TOKEN = '{% csrf_token %}';

/** DJH301: a POST form without `{% csrf_token %}` fails Django's CSRF check. */
export const formMissingCsrfToken: TemplateRule = {
  meta: {
    code: 'DJH301',
    name: 'form-missing-csrf-token',
    severity: 'error',
    scope: 'template',
    summary: 'A `<form method="post">` whose body has no `{% csrf_token %}`.',
    fix: 'safe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a \`<form>\` whose method is POST (in any case, quoted or not) when nothing between its opening tag and its \`</form>\` renders \`{% csrf_token %}\`.

A token written by hand, \`<input type="hidden" name="csrfmiddlewaretoken" value="{{ csrf_token }}">\`, counts as one. So does \`{% partial name %}\` (Django 6.0's template partials) when the \`{% partialdef name %}\` of the template renders the token.

The form is followed through the template as Django and the browser see it: a form opened differently in two \`{% if %}\` branches shares the token that follows \`{% endif %}\`, and a token in one branch is enough. A form is not reported when its method is GET, missing (GET is the default) or computed by the template (\`method="{{ method }}"\`); when its body has an \`{% include %}\` whose template cannot be read (another app's, or a computed name) or that renders the token (itself, through a template it includes or extends, or through a tag the project defines that renders one, as below); when its body uses a template tag the project defines (in a \`templatetags\` module) that renders a template holding the token (\`{% fields_for form %}\` whose function renders \`includes/form_fields.html\`, an inclusion tag's template), the template named as a literal in the tag's decorator or function; when its body has a \`{% block %}\` a child template may fill, or \`{{ block.super }}\`; when it sits inside \`{% verbatim %}\` (a client-side template: Django prints it as it is, and a token tag there would print as text; such a form opens and closes nothing for the forms around it, so a later form is still judged); when its \`action\` is an absolute URL to a host that is not the project's own (see DJH302), since that site must not receive this one's token; or when it opens inside another form, since browsers ignore that start tag and its fields (a token among them) belong to the outer form; or when every URL it can post to reaches only views decorated with \`@csrf_exempt\` (or wrapped in \`csrf_exempt()\` in the route, or a class-based view exempt on the class or its \`dispatch\` or \`post\`): Django then accepts it as it is, and DJH205 reports the exemption. Each submit button posts to its \`formaction\`, or else to the form's \`action\`. An action that is exactly \`{% url 'name' %}\` with a literal name is followed to the views every \`path()\`, \`re_path()\` or \`url()\` of the project routes under that name (namespace left out; all of them must be exempt); a form with no action posts back to the page's own URL, whose views are those that render the template, found by the template's name in the project's code. A computed URL, or one with more than the tag (\`{% url 'hook' %}?next={{ next }}\`), is not followed. \`{% comment %}\` bodies are not rendered and are ignored.

A form that JavaScript probably sends is reported as **info** rather than error: when the template's own text names the CSRF header (\`X-CSRFToken\`, or \`CSRF_HEADER_NAME\`) in a script, an \`hx-headers\` attribute or a variable's default that configures a script (\`{{ csrf_header_name|default:'X-CSRFToken' }}\`); or when the form has no submit button (nor an include or block that could add one) and either a \`data-\` attribute names an endpoint (\`data-url="{% url 'ping' %}"\`, \`data-action-url-value="{{ release_url }}"\`), as Stimulus and htmx controllers read them, or it has no field at all for a user to submit. The same holds when a static script of the project (a \`.js\` or \`.mjs\` file in a \`static\` folder, minified files left out) names the CSRF header or the \`csrfmiddlewaretoken\` field and looks up the form, or one of its submit buttons, by id (\`getElementById('save-profile')\`, or \`#save-profile\` in a selector). A script that cannot be read (binary, not UTF-8, over the size limit) is left out, silently: it is evidence, not a file the check judges. Such a request may carry the token; a plain submission would still be rejected.

${WHICH_TEMPLATES_DOC} Text templates are not judged.

## Why is this bad
Django's \`CsrfViewMiddleware\` rejects a POST request that does not carry the token, so the form fails with "403 Forbidden". The usual way out, \`@csrf_exempt\` on the view, removes the protection: any other site can then make a logged-in user's browser submit the form.

## Example
\`\`\`html
<form method="post" action="{% url 'transfer' %}">
  {{ form }}
  <button>Send</button>
</form>
\`\`\`

## Use instead
\`\`\`html
<form method="post" action="{% url 'transfer' %}">
  {% csrf_token %}
  {{ form }}
  <button>Send</button>
</form>
\`\`\`

## Fix safety
Safe: it only adds the hidden token field. The fix puts \`{% csrf_token %}\` on its own line right after the opening tag, indented like the form's first child (one level deeper than the form when it has none). When the form's content starts on the same line as its opening tag, the token goes right after the tag on that line, so the line is not split.

## References
- [Django: Cross Site Request Forgery protection](https://docs.djangoproject.com/en/stable/ref/csrf/)
- [Django: the csrf_token tag](https://docs.djangoproject.com/en/stable/ref/templates/builtins/#csrf-token)
`,
  triggers: [/<form/i],
  check(ctx) {
    const findings = [];
    let scriptSendsHeader: boolean | undefined;
    for (const form of ctx.html.forms) {
      if (form.tag.verbatim || form.nested || !isPost(form) || mayRenderToken(ctx, form)) continue;
      // A form posting to another site must not carry this site's token (DJH302).
      if (formTarget(form, ctx.facts.ownHosts).kind !== 'this-site') continue;
      if (ctx.notHtmlTemplate) return [];
      // NOTE: a form without an action posts back to the URL that rendered it; when every view rendering
      // this template is exempt from CSRF, Django accepts the form as it is (DJH205 reports the exemption).
      // https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#form-submission-algorithm
      if (postsOnlyToExemptViews(ctx, form)) continue;
      scriptSendsHeader ??= sendsCsrfHeader(ctx);
      const fixes = [ctx.fix('Add {% csrf_token %} to the form', [insertion(ctx, form)])];
      const byScript = scriptSendsHeader ? "this template's script sends an X-CSRFToken header" : (submittedByScript(form) ?? handledByProjectScript(ctx, form));
      if (byScript) {
        const why = byScript;
        const message = `This POST form has no {% csrf_token %}, but JavaScript probably sends it. ${why[0].toUpperCase()}${why.slice(1)}, so the request may carry the token; submitted without the script, the form is rejected.`;
        findings.push(ctx.finding(form.tag.start, form.tag.end, message, { fixes, severity: 'info' }));
        continue;
      }
      const message = 'This POST form has no {% csrf_token %}, so Django rejects its submissions. Exempting the view from CSRF checks instead would let any site submit it for a logged-in user.';
      findings.push(ctx.finding(form.tag.start, form.tag.end, message, { fixes }));
    }
    return findings;
  },
};

/**
 * Whether every URL the form can post to reaches only views exempt from CSRF checks, so
 * Django accepts it as it is (DJH205 reports the exemption). Each submit button posts to its
 * `formaction`, or else to the form's `action`; a form without an action posts back to the
 * URL that rendered it, whose views are those rendering the template. A `{% url 'name' %}`
 * target is followed to the views the project routes under that name.
 */
function postsOnlyToExemptViews(ctx: TemplateRuleContext, form: FormElement): boolean {
  const targets = new Set<HtmlAttribute | undefined>();
  for (const submitter of form.submitterTags) targets.add(attributeOf(submitter, 'formaction') ?? attributeOf(form.tag, 'action'));
  if (form.submitterTags.length === 0) targets.add(attributeOf(form.tag, 'action'));
  for (const target of targets) {
    // NOTE: a form without an action posts back to the URL that rendered it.
    // https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#form-submission-algorithm
    if (postsBack(target)) {
      if (!ctx.renderedOnlyByCsrfExemptViews()) return false;
      continue;
    }
    const name = urlName(ctx, target!);
    if (!name || !ctx.urlNameCsrfExempt(name)) return false;
  }
  return true;
}

/** An action without a value, or an empty one, posts to the page's own URL. */
function postsBack(action: HtmlAttribute | undefined): boolean {
  return !action || action.quote === undefined || literalValue(action)?.trim() === '';
}

/** The URL name of an action that is exactly one `{% url 'name' … %}` tag with a literal name. */
function urlName(ctx: TemplateRuleContext, action: HtmlAttribute): string | undefined {
  const tags = action.parts.filter((part) => part.kind === 'template');
  if (tags.length !== 1 || action.parts.some((part) => part.kind === 'text' && part.text.trim() !== '')) return undefined;
  const node = tags[0].kind === 'template' ? tags[0].node : undefined;
  if (node?.tag !== 'url') return undefined;
  const quoted = tagBits(node, ctx.text)[1]?.text;
  return quoted && /^(['"])[^'"]+\1$/.test(quoted) ? quoted.slice(1, -1) : undefined;
}

/**
 * A static script of the project that sends the token and looks up the form, or one of its
 * submit buttons, by id: it probably sends the form itself.
 */
function handledByProjectScript(ctx: TemplateRuleContext, form: FormElement): string | undefined {
  const ids = [form.tag, ...form.submitterTags].flatMap((tag) => {
    const id = literalValue(attributeOf(tag, 'id'))?.trim();
    return id ? [id] : [];
  });
  const handled = ctx.scriptHandling(ids);
  return handled && `the project's script ${ctx.project.relative(handled.file)} looks up #${handled.id} and sends the CSRF token`;
}

/**
 * Whether the template's own text (a script, an `hx-headers` attribute) names the CSRF
 * header: its requests send the token. Also as a variable's literal default, as a script's
 * configuration gives it (`"csrfHeaderName": "{{ csrf_header_name|default:'X-CSRFToken' }}"`).
 */
function sendsCsrfHeader(ctx: TemplateRuleContext): boolean {
  const headers = ctx.facts.csrfHeaders;
  return ctx.doc.nodes.some((node) => (node.role === 'text' || node.role === 'var') && headers.some((header) => node.contents.toLowerCase().includes(header)));
}

/**
 * Why a form can only be sent by a script, if it can: it has no submit button (nor an
 * include or block that could render one) and either names an endpoint in a `data-`
 * attribute (a URL, `{% url %}`, a `*_url` variable), which a script reads as Stimulus and
 * htmx controllers do, or has no control at all for a user to submit it with.
 */
function submittedByScript(form: FormElement): string | undefined {
  if (form.submitters > 0 || form.includes.length > 0 || form.opaque.length > 0) return undefined;
  const endpoint = form.tag.attributes.some(
    (attribute) =>
      attribute.name.startsWith('data-') &&
      attribute.parts.some((part) =>
        part.kind === 'text' ? part.text.includes('/') : part.node.tag === 'url' || (part.node.role === 'var' && /url|endpoint|href|action|path/i.test(part.node.contents)),
      ),
  );
  if (endpoint) return 'the form has no submit button and names an endpoint in a data- attribute';
  return form.controls === 0 ? 'the form has no submit button and no fields' : undefined;
}

/** A literal POST method. A computed method, or attributes a variable writes before it, cannot be read. */
function isPost(form: FormElement): boolean {
  const method = attributeOf(form.tag, 'method');
  if (!method) return false;
  const index = form.tag.attributes.indexOf(method);
  if (form.tag.attributes.slice(0, index).some((a) => a.name === '\0' || a.name === '')) return false;
  // NOTE: the method attribute is an enumerated attribute matched ASCII case-insensitively;
  // anything else (" post " included) is the GET default.
  // https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#attr-fs-method
  return literalValue(method)?.toLowerCase() === 'post';
}

function mayRenderToken(ctx: TemplateRuleContext, form: FormElement): boolean {
  if (form.hasToken || form.opaque.length > 0) return true;
  return form.includes.some((use) => use.name === undefined || ctx.includeRendersToken(use.name) !== 'none') || form.tags.some((node) => ctx.tagRendersToken(node.tag));
}

/** `{% csrf_token %}` on a line of its own after the opening tag, or inline when content follows the tag. */
function insertion(ctx: TemplateRuleContext, form: FormElement): { start: number; end: number; newText: string } {
  const text = ctx.text;
  const tagEnd = form.tag.end;
  const lineEnd = lineEndAfter(text, tagEnd);
  const rest = text.slice(tagEnd, lineEnd).replace(/\{#[^\n]*?#\}/g, '');
  if (!/^\s*$/.test(rest)) return { start: tagEnd, end: tagEnd, newText: TOKEN };
  const eol = lineBreakOf(text);
  const indent = childIndent(text, lineEnd) ?? indentOf(text, form.tag.start) + indentUnit(text, indentOf(text, form.tag.start));
  if (lineEnd === text.length) return { start: text.length, end: text.length, newText: `${eol}${indent}${TOKEN}` };
  const nextLine = lineEnd + (text.startsWith('\r\n', lineEnd) ? 2 : 1);
  return { start: nextLine, end: nextLine, newText: `${indent}${TOKEN}${eol}` };
}

/** The indentation of the line holding `offset`. */
function indentOf(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStartBefore(text, offset), offset))![0];
}

/**
 * The indentation of the first non-blank line after `from`, unless that line closes the
 * form or the template branch the form opens in (`{% else %}`, `{% endif %}`).
 */
function childIndent(text: string, from: number): string | undefined {
  const pattern = /(?:\r\n|\r|\n)([ \t]*)([^\s][^\r\n]*)/g;
  pattern.lastIndex = from;
  const match = pattern.exec(text);
  if (!match) return undefined;
  const line = match[2];
  if (/^<\/form\b/i.test(line) || /^\{%\s*(end\w*|elif|else|empty)\b/.test(line)) return undefined;
  return match[1];
}

/** One level of indentation in this file: a tab where the form is tab-indented, else the commonest step between lines. */
function indentUnit(text: string, formIndent: string): string {
  return formIndent.includes('\t') ? '\t' : ' '.repeat(commonestIndentStep(text));
}

/** The template last measured, and its step: every form of a template asks again. */
let lastMeasured: { text: string; step: number } | undefined;

/** The commonest increase of indentation from one non-blank line to the next (2 when there is none). */
function commonestIndentStep(text: string): number {
  if (lastMeasured?.text === text) return lastMeasured.step;
  const counts = new Map<number, number>();
  let previous = 0;
  for (const line of splitLines(text)) {
    if (!line.trim()) continue;
    const width = /^ */.exec(line)![0].length;
    if (width > previous) counts.set(width - previous, (counts.get(width - previous) ?? 0) + 1);
    previous = width;
  }
  let best = 2;
  let seen = 0;
  for (const [step, count] of [...counts].sort((a, b) => a[0] - b[0])) {
    if (count > seen) {
      best = step;
      seen = count;
    }
  }
  lastMeasured = { text, step: best };
  return best;
}
