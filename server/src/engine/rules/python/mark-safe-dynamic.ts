import { rangeOf, type Node } from '../../parse/python';
import { firstUntrusted, flowOf, namesOf, originOf, severityFrom, sourceSentence } from '../../python/evidence';
import { formatCallAsHtml, formatHtmlReference, looksLikeMarkup, rebuildAsTemplate } from '../../python/html/format-html-rewrite';
import type { ModuleAnalysis } from '../../python/module-analysis';
import type { Scopes } from '../../python/scopes';
import { decoratorRange } from '../../python/report-ranges';
import { MAX_DEPTH, MAX_PARTS, type StringBuild, type ValuePart } from '../../python/string-build';
import { callArguments } from '../../python/syntax';
import type { Finding, Fix } from '../../types';
import type { PythonRuleContext } from '../python-context';
import type { PythonRule } from '../rule';

/** What each qualified name is called in messages. */
const SAFE_MARKERS = new Map([
  ['django.utils.safestring.mark_safe', 'mark_safe()'],
  ['django.utils.html.mark_safe', 'mark_safe()'],
  ['django.utils.safestring.SafeString', 'SafeString()'],
  ['django.utils.html.SafeString', 'SafeString()'],
  ['django.utils.safestring.SafeText', 'SafeText()'],
]);
const FORMAT_HTML = 'django.utils.html.format_html';

/**
 * The values of a build the finding is about: untrusted ones always; values of unknown
 * origin when they are text formatted into the HTML here (an f-string, `%`, `.format()`,
 * `+`, `join()`), unless their name says they are HTML already (`html`, `rendered`,
 * `content`…). A value of unknown origin marked safe as it is, without being built here,
 * is not reported: whether it is text or HTML is out of reach. In operator code (management
 * commands, scripts) values of unknown origin are the operator's.
 */
/** What a local name is bound to, when it is bound once: for names that say (through their value) they hold HTML. */
export function boundOnce(scopes: Scopes | undefined): (identifier: Node) => Node | undefined {
  return (identifier) => {
    const resolution = scopes?.resolve(identifier);
    const defs = resolution?.kind === 'local' ? resolution.defs : [];
    return defs.length === 1 && defs[0].kind === 'assign' && !defs[0].unpacked ? defs[0].value : undefined;
  };
}

export function culprits(build: StringBuild, operator = false, scopes?: Scopes): ValuePart[] {
  const formatted = build.sources.size > 0 && !(build.parts.length === 1 && build.parts[0].kind === 'value' && !build.parts[0].site && build.parts[0].source === '+');
  const boundTo = boundOnce(scopes);
  return build.parts.filter(
    (p): p is ValuePart => p.kind === 'value' && (p.provenance.trust === 'untrusted' ? formatted || !fromTemplate(p) : formatted && !operator && !looksLikeMarkup(p.node, boundTo)),
  );
}

/**
 * A template filter's or tag's input. Marked safe whole, not built into HTML here, it is the
 * filter's contract (Django's own `safe` and `safeseq`, a `|json_no_escape`): the template
 * that applies it opts in, as it does with `|safe`.
 */
function fromTemplate(part: ValuePart): boolean {
  return /template (?:filter|tag)/.test(originOf(part.provenance));
}

/**
 * Whether `format_html`'s template was formatted before the call (an f-string, `%`,
 * `.format()` or `+` with values in it): DJH204 reports that one.
 */
export function preformattedValues(build: StringBuild, operator = false, scopes?: Scopes): ValuePart[] {
  const values = build.parts.filter((p): p is ValuePart => p.kind === 'value');
  if (build.sources.size === 0 || (build.parts.length === 1 && values.length === 1 && !values[0].site)) return [];
  return culprits(build, operator, scopes);
}

/** The message for HTML marked safe with values in it: the first sentence stands alone, by the evidence. */
export function markedSafeMessage(what: string, values: ValuePart[], kind: 'marks' | 'template'): string {
  const untrusted = firstUntrusted(values.map((v) => v.provenance));
  const plural = new Set(values.map((v) => v.node.text)).size > 1;
  const them = plural ? 'them' : 'it';
  const advice =
    kind === 'template'
      ? 'Pass each value as an argument of format_html(), which escapes it.'
      : `Escape ${them} with conditional_escape(), or build the HTML with format_html(), which escapes each value.`;
  if (untrusted) {
    const origin = originOf(untrusted);
    const first = kind === 'template' ? `${what} formats ${origin} into its template without escaping it (XSS).` : `${what} marks ${origin} as safe HTML without escaping it (XSS).`;
    return `${first} ${sourceSentence(untrusted)} ${advice.replace(/\bthem\b/, 'it')}`;
  }
  const names = namesOf(
    values.map((v) => v.node),
    2,
  );
  let first =
    kind === 'template'
      ? `${what} formats ${names}, of unknown origin, into its template without escaping ${them}.`
      : `${what} marks ${names}, of unknown origin, as safe HTML without escaping ${them}.`;
  if (first.length > 100)
    first = kind === 'template' ? `${what} formats values of unknown origin into its template without escaping them.` : `${what} marks values of unknown origin as safe HTML without escaping them.`;
  return `${first} If user input can reach ${first.includes('without escaping them') ? 'them' : them}, it can inject script (XSS). ${advice}`;
}

/**
 * Where the values come from, for the finding: its severity, trace and related locations.
 * Values of unknown origin make a note, not a warning: on real projects (netbox,
 * DefectDojo) they were nearly always choice labels, numbers, constants passed in from
 * another module, or HTML some other code rendered, which the analysis cannot see.
 */
export function evidenceOptions(ctx: PythonRuleContext, values: ValuePart[], sink: Node, sinkMessage: string) {
  const provenances = values.map((v) => v.provenance);
  const untrusted = firstUntrusted(provenances);
  const flow = flowOf(ctx.file, untrusted, { node: sink, message: sinkMessage });
  const severity = severityFrom(provenances);
  return { severity: severity === 'warning' ? ('info' as const) : severity, flow, related: flow };
}

/** DJH203: HTML marked safe (not escaped) with values of unknown or untrusted origin in it. */
export const markSafeDynamic: PythonRule = {
  meta: {
    code: 'DJH203',
    name: 'mark-safe-dynamic',
    severity: 'error',
    scope: 'python',
    summary: '`mark_safe`, `SafeString`, `SafeText`, `@mark_safe` or an argument-less `format_html` marks HTML with request data (error) or values of unknown origin (info) in it as safe.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports HTML marked safe, so not escaped, with values in it that are not provably safe: \`mark_safe(...)\`, \`SafeString(...)\` and \`SafeText(...)\` from \`django.utils.safestring\` (however imported), \`@mark_safe\` on a function (judged by what it returns), and \`format_html(x)\` called with no arguments, which escapes nothing (Django 5.0 deprecates it; a template formatted beforehand is DJH204's).

The severity comes from where each value comes from (see [the provenance analysis](../provenance.md)):

- **error**: untrusted text reaches the HTML: request data (\`request.GET\`, headers, cookies, the path, \`self.request\`, \`self.kwargs\`, a \`<str:…>\` URL argument, a form's text field), or what a template passes a template filter or a simple tag (templates pass whatever they render). A filter's argument (its second parameter, \`|wrap_in:"strong"\`) is untrusted the same way. A simple tag whose every use in the project's templates passes a literal for the parameter, or a filter whose every use writes a literal argument, (\`{% sort_link "Name" %}\`, \`{% sort_link _("Date") %}\`, or nothing, leaving a literal default) is of unknown origin instead (info), unless the repository publishes the tag's module in a distribution, whose users' templates may pass anything. The finding shows the path from the source as related information, and says when it is in a filter or a tag:

  \`\`\`python
  @register.filter
  def shorten(value):
      return mark_safe(f"{value[:20]}&hellip;")   # error: the filter's input comes from templates
  \`\`\`
- **info**: a value of unknown origin (a model's field, a helper's parameter, a call of unknown code) is formatted into the HTML here, by an f-string, \`%\`, \`.format()\`, \`+\` or \`join()\`: \`mark_safe(f"<b>{user.display_name}</b>")\`. The attributes of an object a filter gets are stored data: of unknown origin. It is a note for review rather than a warning because on real projects such values were nearly always choice labels, numbers, constants passed in from another module or HTML other code rendered, which the analysis cannot see; escape them anyway (\`format_html\`), and the note goes away.
- **nothing**: every piece is safe: constants and translated literals, numbers, \`reverse()\`/\`static()\`/\`get_absolute_url()\`/\`.url\`, escaped or sanitised values (\`escape()\`, \`conditional_escape()\`, \`format_html()\`, \`format_html_join()\`, \`flatatt()\`, \`json_script()\`, \`html.escape()\`, \`bleach.clean()\`, \`nh3.clean()\`, pygments' \`highlight()\`, a sanitiser named so), rendered templates and widgets (\`render_to_string()\`, \`.render*()\`, \`as_p()\`…), constant dicts looked up, and the module's own functions (and the project's) that return such values: \`mark_safe(escape(s).replace("\\n", "<br>"))\`, \`mark_safe("".join(escape(x) for x in xs))\`. \`strip_tags()\` does not count, and neither does \`json.dumps()\` (it escapes no \`<\`), unless its encoder escapes HTML.

Not reported, because the evidence is out of reach: a value of unknown origin marked safe as it is, not built here (\`mark_safe(content)\`: whether it holds text or HTML cannot be told), a template filter's input marked safe whole, not built into HTML (\`return mark_safe(value)\`, as Django's own \`safe\` filter does: the filter's contract, which a template opts into as it does with \`|safe\`), and values whose name says they are HTML already (\`html\`, \`rendered_*\`, \`content\`, \`*_js\`, \`rows\`…). A filter that takes \`autoescape\` escapes by contract when the template autoescapes (Django's \`esc = conditional_escape if autoescape else …\` idiom included). Management commands and scripts count request data only.

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

The fix is offered when the argument is an f-string, a \`%s\` formatting of a literal, a \`.format()\` call on a literal or a \`+\` of literals and values: the values become \`format_html\` arguments in order, \`{\` and \`}\` in the literal text are doubled, and \`from django.utils.html import format_html\` is added after the imports (or to an existing \`from django.utils.html import ...\`). A constant of known text is written into the template, so its markup stays markup; a number or an escaped value (a \`SafeString\`) moves into an argument unchanged. The fix must give the same HTML for values without markup, so there is none when a value is HTML already (escaped HTML in a plain \`str\`, a rendered fragment, a name that says HTML: \`img_tag()\`, \`"".join(sources)\`), when the value sits inside \`<script>\` or \`<style>\` (no entity is decoded there: use \`json_script\`), when the string uses a conversion or a format spec (\`{x!r}\`, \`{x:>5}\`, \`%d\`), or when \`format_html\` is bound to something else. The \`mark_safe\` import is left in place: when nothing else uses it, your linter (Ruff's F401) reports it.

## References
- [Django: mark_safe](https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.safestring.mark_safe)
- [Django: format_html](https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.html.format_html)
- [Django security: cross site scripting protection](https://docs.djangoproject.com/en/stable/topics/security/#cross-site-scripting-xss-protection)
`,
  triggers: ['mark_safe', 'SafeString', 'SafeText', 'format_html'],
  nodeTypes: ['call', 'decorator'],
  check(ctx) {
    const analysis = ctx.analysis();
    const findings: Finding[] = [];
    for (const decorator of ctx.nodes('decorator')) {
      const expression = decorator.namedChildren.find((c) => c?.type !== 'comment');
      if (!expression || SAFE_MARKERS.get(ctx.qualifiedName(expression) ?? '') !== 'mark_safe()') continue;
      const finding = decoratedFunction(ctx, analysis, decorator);
      if (finding) findings.push(finding);
    }
    for (const call of ctx.nodes('call')) {
      const callee = ctx.qualifiedName(call.childForFieldName('function'));
      const marker = SAFE_MARKERS.get(callee ?? '') ?? (callee === FORMAT_HTML ? 'format_html()' : undefined);
      if (!marker) continue;
      const values = callArguments(call);
      if (values.length !== 1 || values[0].type === 'keyword_argument' || values[0].type === 'list_splat' || values[0].type === 'dictionary_splat') continue;
      const value = values[0];
      const build = analysis.strings.build(value, 'value');
      // NOTE: format_html() with no arguments escapes nothing (and Django 5.0 deprecates it);
      // a template formatted beforehand is DJH204's finding.
      // https://docs.djangoproject.com/en/5.0/releases/5.0/#features-deprecated-in-5-0
      if (marker === 'format_html()' && preformattedValues(build, false, analysis.scopes).length > 0) continue;
      const found = culprits(build, analysis.isOperatorCode(), analysis.scopes);
      const options = evidenceOptions(ctx, found, call, `is marked safe by ${marker}`);
      if (!options.severity) continue;
      const fixes: Fix[] = [];
      const rebuild = rebuildAsTemplate(build, value, 'plain', boundOnce(analysis.scopes));
      const args = formatCallAsHtml(value, (node) => analysis.provenance.closed(node)) ?? (rebuild ? [rebuild.literal, ...rebuild.values.map((v) => v.text)].join(', ') : undefined);
      const reference = args && marker !== 'format_html()' ? formatHtmlReference(ctx) : undefined;
      if (args && reference) {
        const fn = call.childForFieldName('function')!;
        fixes.push(ctx.fix('Use format_html, which escapes the values', [{ range: rangeOf(fn), newText: reference.expression }, { range: rangeOf(value), newText: args }, ...reference.edits]));
      }
      const what = marker === 'format_html()' ? 'format_html() without arguments' : marker;
      const note = build.truncated ? ` The HTML is larger than the analysis follows (${MAX_PARTS.toLocaleString('en')} parts or ${MAX_DEPTH} nested strings), so no fix is offered.` : '';
      findings.push(ctx.finding(call, filterNote(ctx, analysis, call, markedSafeMessage(what, found, 'marks') + note), { ...options, fixes }));
    }
    return findings;
  },
};

/** `@mark_safe` on a function: what it returns is marked safe. */
function decoratedFunction(ctx: PythonRuleContext, analysis: ModuleAnalysis, decorator: Node): Finding | undefined {
  const fn = decorator.parent?.childForFieldName('definition');
  if (fn?.type !== 'function_definition') return undefined;
  const name = fn.childForFieldName('name')?.text;
  const found = analysis.scopes.returns(fn).flatMap((value) => culprits(analysis.strings.build(value, 'value'), analysis.isOperatorCode(), analysis.scopes));
  const options = evidenceOptions(ctx, found, decorator, `is returned by ${name ?? 'the function'}() and marked safe by @mark_safe`);
  if (!options.severity) return undefined;
  const message = markedSafeMessage(`@mark_safe on ${name ? `${name}()` : 'this function'}`, found, 'marks');
  return ctx.finding(decoratorRange(decorator), filterNote(ctx, analysis, fn.childForFieldName('body') ?? fn, message), options);
}

/** In a template filter or tag, a note that its input comes from templates. */
function filterNote(ctx: PythonRuleContext, analysis: ModuleAnalysis, at: Node, message: string): string {
  for (let scope = analysis.scopes.scopeOf(at), hops = 0; scope.type !== 'module' && hops < 32; scope = analysis.scopes.scopeOf(scope), hops++) {
    const kind = analysis.provenance.templateFunction(scope);
    if (kind && !/template (?:filter|tag)/.test(message)) return `${message} It is a template ${kind}: its input comes from templates, which pass whatever data they render.`;
    if (kind) return message;
  }
  return message;
}
