import { hostMatches } from '../../templates/project-facts';
import { JsState, scanScript, type ScriptCode } from '../../templates/script-scan';
import { WHICH_TEMPLATES_DOC } from '../../templates/template-files';
import type { TemplateRule } from '../rule';
import { runsAsJavaScript } from './variable-in-script';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** DJH307: an inline script that sends a POST with fetch() but no CSRF header. */
export const fetchWithoutCsrfHeader: TemplateRule = {
  meta: {
    code: 'DJH307',
    name: 'fetch-without-csrf-header',
    severity: 'info',
    scope: 'template',
    summary: 'An inline `<script>` calls `fetch()` with POST, PUT, PATCH or DELETE and no `X-CSRFToken` header.',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a \`fetch(url, { method: "POST", … })\` call in an inline \`<script>\` (also PUT, PATCH and DELETE, in any case) whose options name no CSRF header. The header is \`X-CSRFToken\`, or the one \`CSRF_HEADER_NAME\` names.

Stays silent when it cannot tell: options that are not an object literal or that spread another object, a method or headers the script computes, any mention of \`csrf\` or \`xsrf\` in the options (a token read from a cookie, a wrapper's header), a \`FormData\` body (a form's \`{% csrf_token %}\` field travels in it), and a literal URL on another site.

${WHICH_TEMPLATES_DOC} Text templates are not judged.

## Why is this bad
Django's \`CsrfViewMiddleware\` rejects unsafe requests that carry no token, so the call fails with "403 Forbidden". The tempting way out, \`@csrf_exempt\` on the view, lets any other site make a logged-in user's browser call it.

## Example
\`\`\`html
<script>
  fetch("/cart/add/", { method: "POST", body: JSON.stringify({ item: 3 }) });
</script>
\`\`\`

## Use instead
\`\`\`html
<script>
  const csrftoken = document.cookie.match(/csrftoken=([^;]+)/)?.[1];
  fetch("/cart/add/", {
    method: "POST",
    headers: { "X-CSRFToken": csrftoken },
    body: JSON.stringify({ item: 3 }),
  });
</script>
\`\`\`
With \`CSRF_COOKIE_HTTPONLY\` or \`CSRF_USE_SESSIONS\`, read the token from a \`{% csrf_token %}\` field in the page instead.

## Fix safety
No fix: where the script should read the token from depends on the project.

## References
- [Django: CSRF protection with AJAX](https://docs.djangoproject.com/en/stable/howto/csrf/#using-csrf-protection-with-ajax)
- [Django: CSRF_HEADER_NAME](https://docs.djangoproject.com/en/stable/ref/settings/#csrf-header-name)
`,
  triggers: ['fetch'],
  check(ctx) {
    const findings = [];
    for (const element of ctx.html.scripts) {
      if (runsAsJavaScript(element) !== true) continue;
      const body = ctx.text.slice(element.bodyStart, element.bodyEnd);
      if (!body.includes('fetch')) continue;
      const script = scanScript(ctx.text, element);
      for (const call of fetchCalls(script)) {
        const method = unprotectedMethod(ctx.text, script, call, ctx.facts.ownHosts, ctx.facts.csrfHeaders);
        if (!method) continue;
        const at = script.start + call.name;
        if (ctx.notHtmlTemplate) return [];
        const message = `This fetch() sends a ${method} request without an X-CSRFToken header. Django's CSRF check rejects it; exempting the view instead would let any site make that request for a logged-in user.`;
        findings.push(ctx.finding(at, at + 'fetch'.length, message));
      }
    }
    return findings;
  },
};

interface Call {
  /** Offset of `fetch` in the script code. */
  name: number;
  /** The top-level arguments, as code offsets [start, end). */
  args: [number, number][];
}

/** `fetch(…)`, `window.fetch(…)`, `globalThis.fetch(…)` and `self.fetch(…)` calls in code. */
function fetchCalls(script: ScriptCode): Call[] {
  const { code, states } = script;
  const calls: Call[] = [];
  const pattern = /\bfetch\s*\(/g;
  for (let match = pattern.exec(code); match; match = pattern.exec(code)) {
    if (states[match.index] !== JsState.Code) continue;
    const before = code.slice(Math.max(0, match.index - 40), match.index).replace(/\s+$/, '');
    if (before.endsWith('.')) {
      if (!/(?:^|[^\w$.])(window|globalThis|self)\s*\.$/.test(before)) continue;
    } else if (/(?:^|[^\w$])(function\s*\*?|async|get|set|static)$/.test(before)) continue;
    const args = splitArguments(script, match.index + match[0].length);
    if (args) calls.push({ name: match.index, args });
  }
  return calls;
}

/** Top-level, comma-separated pieces from `from` up to the matching closer; undefined when it never closes. */
function splitArguments(script: ScriptCode, from: number, closer = ')'): [number, number][] | undefined {
  const { code, states } = script;
  const pieces: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < code.length; i++) {
    if (states[i] !== JsState.Code) continue;
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) {
        if (c !== closer) return undefined;
        if (code.slice(start, i).trim()) pieces.push([start, i]);
        return pieces;
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      pieces.push([start, i]);
      start = i + 1;
    }
  }
  return undefined;
}

/** The properties of an object literal: key → value offsets; undefined when it spreads or cannot be read. */
function objectProperties(script: ScriptCode, start: number, end: number): Map<string, [number, number]> | undefined {
  const { code } = script;
  let open = start;
  while (open < end && /\s/.test(code[open])) open++;
  if (code[open] !== '{') return undefined;
  const pieces = splitArguments(script, open + 1, '}');
  if (!pieces) return undefined;
  const properties = new Map<string, [number, number]>();
  for (const [from, to] of pieces) {
    const piece = code.slice(from, to);
    const match = /^\s*(?:(["'])((?:(?!\1)[^\\]|\\.)*)\1|([A-Za-z_$][\w$]*))\s*(:?)/.exec(piece);
    if (!match || /^\s*\.\.\./.test(piece)) return undefined;
    const key = match[2] ?? match[3];
    if (!match[4]) {
      // Shorthand `{ method }` or a method definition: the value is not literal.
      properties.set(key, [from, from]);
      continue;
    }
    properties.set(key, [from + match[0].length, to]);
  }
  return properties;
}

/** The value of a plain string literal ('…', "…" or a template literal without substitutions). */
function stringLiteral(script: ScriptCode, [start, end]: [number, number]): string | undefined {
  const text = script.code.slice(start, end).trim();
  const match = /^(["'`])((?:(?!\1)[^\\$]|\\.|\$(?!\{))*)\1$/.exec(text);
  return match ? match[2] : undefined;
}

/** The unsafe method a call sends without a CSRF header, when that can be told for sure. */
function unprotectedMethod(text: string, script: ScriptCode, call: Call, ownHosts: readonly string[], headers: readonly string[]): string | undefined {
  if (call.args.length < 2) return undefined;
  const [optionsStart, optionsEnd] = call.args[1];
  const original = text.slice(script.start + optionsStart, script.start + optionsEnd);
  if (/csrf|xsrf/i.test(original) || headers.some((header) => original.toLowerCase().includes(header))) return undefined;
  const properties = objectProperties(script, optionsStart, optionsEnd);
  if (!properties) return undefined;
  const methodAt = properties.get('method');
  if (!methodAt || methodAt[0] === methodAt[1]) return undefined;
  const method = stringLiteral(script, methodAt)?.toUpperCase();
  if (!method || !UNSAFE_METHODS.has(method)) return undefined;
  const headersAt = properties.get('headers');
  if (headersAt && (headersAt[0] === headersAt[1] || !objectProperties(script, headersAt[0], headersAt[1]))) return undefined;
  const bodyAt = properties.get('body');
  if (bodyAt) {
    const body = script.code.slice(bodyAt[0], bodyAt[1]).trim();
    if (bodyAt[0] === bodyAt[1] || /\bFormData\b/.test(body)) return undefined;
    if (/^[A-Za-z_$][\w$]*$/.test(body) && new RegExp(`\\b${body.replace(/\$/g, '\\$')}\\s*=\\s*new\\s+FormData\\b`).test(script.code)) return undefined;
  }
  // A request to another site carries no Django token: that is not this site's CSRF check.
  const url = stringLiteral(script, call.args[0]);
  const host = url && /^(?:https?:)?\/\/([^/?#:]+)/i.exec(url)?.[1]?.toLowerCase();
  if (host && !hostMatches(host, ownHosts)) return undefined;
  return method;
}
