import { stringLiteralValue } from '../../parse/python';
import { qualifiedName } from '../../settings/evaluate-expression';
import { asString, asStringList, unsetView, type Value } from '../../settings/values';
import type { Finding, Fix } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { elementRemoval, nodeAt } from './support/literals';
import { lookup } from './support/settings-lookup';
import { findingMessage } from './support/setting-values';

/** One source list that decides what scripts (or every fetch) may do. */
interface Directive {
  /** The setting it is read from. */
  setting: string;
  /** How the message names it: `SECURE_CSP's script-src`, `CSP_SCRIPT_SRC`. */
  label: string;
  directive: 'script-src' | 'default-src';
  /** True when this list is what the browser applies to scripts. */
  governsScripts: boolean;
  items: Value[];
  /** django-csp 3 adds a nonce to the directives listed in CSP_INCLUDE_NONCE_IN. */
  nonceSetting: boolean;
}

/** Why each unsafe source defeats the policy: in the script policy, and (host/scheme sources) elsewhere. */
const UNSAFE: Record<string, { scriptsOnly: boolean; why: string; whyOthers?: string }> = {
  "'unsafe-inline'": { scriptsOnly: true, why: 'an injected <script> block or onclick= attribute runs and the policy no longer stops cross-site scripting' },
  "'unsafe-eval'": { scriptsOnly: true, why: 'injected text that reaches eval() or new Function() runs as code' },
  '*': {
    scriptsOnly: false,
    why: 'the page runs scripts from any host, including one an attacker controls',
    whyOthers: 'frames, plugins, connections and every other resource without its own directive load from any host',
  },
  'http:': {
    scriptsOnly: false,
    why: 'scripts can load over plain HTTP, where anyone on the network can replace them',
    whyOthers: 'resources without their own directive can load over plain HTTP, where anyone on the network can replace them',
  },
  'data:': { scriptsOnly: true, why: 'an attacker can inject a script as a data: URL' },
};

const NONCE_SENTINEL = '<CSP_NONCE_SENTINEL>';

/** The source keywords Django 6 (`django.utils.csp.CSP`) and django-csp 4 (`csp.constants`) name. */
const CONSTANTS: Record<string, string> = {
  NONE: "'none'",
  REPORT_SAMPLE: "'report-sample'",
  SELF: "'self'",
  STRICT_DYNAMIC: "'strict-dynamic'",
  UNSAFE_EVAL: "'unsafe-eval'",
  UNSAFE_HASHES: "'unsafe-hashes'",
  UNSAFE_INLINE: "'unsafe-inline'",
  WASM_UNSAFE_EVAL: "'wasm-unsafe-eval'",
  NONCE: NONCE_SENTINEL,
};
const CONSTANT_MODULES = ['django.utils.csp.CSP.', 'csp.constants.'];

/** DJH125: an unsafe source in the script policy switches most of CSP's protection off. */
export const cspUnsafe: SettingsRule = {
  meta: {
    code: 'DJH125',
    name: 'csp-unsafe',
    severity: 'warning',
    scope: 'settings',
    summary: "A CSP script-src or default-src allows 'unsafe-inline', 'unsafe-eval', '*', 'http:' or (for scripts) 'data:'.",
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports an unsafe source in the enforced Content-Security-Policy of a production settings module, in any of the three formats: Django 6.0's \`SECURE_CSP\`, django-csp 4's \`CONTENT_SECURITY_POLICY["DIRECTIVES"]\`, and django-csp 3's \`CSP_SCRIPT_SRC\` / \`CSP_DEFAULT_SRC\`. The finding is on the offending item.

- In the script policy — \`script-src\`, or \`default-src\` when there is no \`script-src\` — \`'unsafe-inline'\`, \`'unsafe-eval'\`, \`*\`, \`http:\` and \`data:\` are reported.
- In a \`default-src\` that a \`script-src\` overrides for scripts, only \`*\` and \`http:\` are, since they still open every other resource type.

## Why is this bad
CSP's main job is to stop injected scripts. \`'unsafe-inline'\` lets any injected \`<script>\` or event-handler attribute run, \`'unsafe-eval'\` lets injected strings run through \`eval()\`, \`data:\` lets an attacker ship a script inline as a URL, and \`*\` or \`http:\` let scripts come from any host or over plain HTTP. A policy with any of them gives little protection against cross-site scripting.

Browsers ignore \`'unsafe-inline'\` when the same directive also has a nonce or a hash (the backwards-compatible "strict CSP" pattern), and ignore host and scheme sources (\`*\`, \`http:\`, \`data:\`) next to \`'strict-dynamic'\`: those are not reported. A source list with an item this rule cannot read (such as a \`NONCE\` constant) is taken to have a nonce. For django-csp 3, a directive listed in \`CSP_INCLUDE_NONCE_IN\` counts as having one. Report-only policies (\`SECURE_CSP_REPORT_ONLY\`, \`CONTENT_SECURITY_POLICY_REPORT_ONLY\`) enforce nothing and are not judged.

## Example
\`\`\`python
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
}
\`\`\`

## Use instead
\`\`\`python
from django.utils.csp import CSP

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
}
\`\`\`
and give inline scripts the nonce: \`<script nonce="{{ csp_nonce }}">\`.

## Fix safety
Unsafe: inline scripts, \`eval\`-based libraries or third-party hosts that the site relies on stop working until they get a nonce, a hash or an explicit host. The fix deletes the item (with its comma, or its line) where the list is written, which may be a base module that development settings share. No fix is offered when deleting the unsafe sources would leave the directive empty, since an empty directive changes what the policy means, nor when the item is not a string literal inside a list.

## References
- [Django: Content Security Policy](https://docs.djangoproject.com/en/dev/ref/csp/)
- [django-csp: configuration](https://django-csp.readthedocs.io/en/latest/configuration.html)
- [MDN: script-src](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy/script-src)
- [web.dev: Mitigate cross-site scripting with a strict CSP](https://web.dev/articles/strict-csp)
`,
  check(ctx) {
    const findings: Finding[] = [];
    for (const directive of directives(ctx)) findings.push(...judge(ctx, directive));
    return findings;
  },
};

function directives(ctx: SettingsRuleContext): Directive[] {
  const found: Directive[] = [];
  const fromDict = (owner: string, dict: Value | null | undefined) => {
    if (!dict || unsetView(dict).kind !== 'dict') return;
    const script = lookup(dict, 'script-src');
    const fallback = lookup(dict, 'default-src');
    // NOTE: default-src applies to scripts only when there is no script-src.
    // https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy/default-src
    if (script) found.push(directive(owner, `${owner}'s script-src`, 'script-src', true, script, false));
    if (fallback && script !== undefined) found.push(directive(owner, `${owner}'s default-src`, 'default-src', script === null, fallback, false));
  };
  if (ctx.isSet('SECURE_CSP')) fromDict('SECURE_CSP', ctx.value('SECURE_CSP'));
  if (ctx.isSet('CONTENT_SECURITY_POLICY')) fromDict('CONTENT_SECURITY_POLICY', lookup(ctx.value('CONTENT_SECURITY_POLICY'), 'DIRECTIVES'));
  const nonceIn = ctx.isSet('CSP_INCLUDE_NONCE_IN') ? asStringList(ctx.value('CSP_INCLUDE_NONCE_IN')) : [];
  const nonceFor = (name: string) => nonceIn === undefined || nonceIn.includes(name);
  if (ctx.isSet('CSP_SCRIPT_SRC')) found.push(directive('CSP_SCRIPT_SRC', 'CSP_SCRIPT_SRC', 'script-src', true, ctx.value('CSP_SCRIPT_SRC'), nonceFor('script-src')));
  if (ctx.isSet('CSP_DEFAULT_SRC')) found.push(directive('CSP_DEFAULT_SRC', 'CSP_DEFAULT_SRC', 'default-src', !ctx.isSet('CSP_SCRIPT_SRC'), ctx.value('CSP_DEFAULT_SRC'), nonceFor('default-src')));
  return found.filter((d) => d.items.length > 0);
}

function directive(setting: string, label: string, name: Directive['directive'], governsScripts: boolean, value: Value, nonceSetting: boolean): Directive {
  const list = unsetView(value);
  return { setting, label, directive: name, governsScripts, items: list.kind === 'list' ? list.items : [], nonceSetting };
}

/** A source as a string: a literal, or one of the named constants Django and django-csp provide. */
function sourceOf(ctx: SettingsRuleContext, item: Value): string | undefined {
  const known = asString(item);
  if (known !== undefined) return known;
  const node = nodeAt(ctx.project.store, item.loc);
  if (!node || (node.type !== 'attribute' && node.type !== 'identifier')) return undefined;
  const qualified = qualifiedName(node, { file: item.loc!.file, lookup: (name) => ctx.evaluated.bindings.get(name) });
  const prefix = qualified && CONSTANT_MODULES.find((m) => qualified.startsWith(m));
  return prefix ? CONSTANTS[qualified!.slice(prefix.length)] : undefined;
}

function judge(ctx: SettingsRuleContext, d: Directive): Finding[] {
  const sources = d.items.map((item) => sourceOf(ctx, item)?.trim().toLowerCase());
  const hasNonce = d.nonceSetting || sources.some((s) => s === undefined || s === NONCE_SENTINEL.toLowerCase() || /^'(nonce-|sha256-|sha384-|sha512-)/.test(s));
  const strictDynamic = sources.includes("'strict-dynamic'");
  const unsafe = (source: string | undefined): string | undefined => {
    if (source === undefined || !(source in UNSAFE)) return undefined;
    if (UNSAFE[source].scriptsOnly && !d.governsScripts) return undefined;
    // NOTE: browsers ignore 'unsafe-inline' next to a nonce or hash, and host/scheme sources next to
    // 'strict-dynamic'. https://www.w3.org/TR/CSP3/#allow-all-inline
    if (source === "'unsafe-inline'" && hasNonce) return undefined;
    if (strictDynamic && (source === '*' || source === 'http:' || source === 'data:')) return undefined;
    return source;
  };
  const flagged = sources.map(unsafe);
  const kept = flagged.filter((f) => f === undefined).length;
  const findings: Finding[] = [];
  flagged.forEach((source, index) => {
    if (!source) return;
    const item = d.items[index];
    const where = d.governsScripts && d.directive === 'default-src' ? `${d.label}, which also governs scripts,` : d.label;
    const message = findingMessage(`${where} allows ${source === '*' ? 'the wildcard *' : source}`, d.governsScripts ? UNSAFE[source].why : (UNSAFE[source].whyOthers ?? UNSAFE[source].why));
    const fixes: Fix[] = [];
    const removal = kept > 0 ? removalOf(ctx, item) : undefined;
    if (removal) fixes.push(ctx.fix(`Remove ${source} from ${d.directive}`, [{ kind: 'replace', location: removal, value: '' }]));
    findings.push(item.loc ? ctx.atValue(item.loc, message, { fixes }) : ctx.atSettingOrMissing(d.setting, message, { fixes }));
  });
  return findings;
}

function removalOf(ctx: SettingsRuleContext, item: Value) {
  if (!item.loc) return undefined;
  const node = nodeAt(ctx.project.store, item.loc);
  const literalString = (node?.type === 'string' || node?.type === 'concatenated_string') && stringLiteralValue(node) !== undefined;
  if (!node || !(literalString || node.type === 'attribute' || node.type === 'identifier')) return undefined;
  if (node.parent?.type !== 'list' && node.parent?.type !== 'tuple') return undefined;
  return elementRemoval(ctx.project.store, item.loc.file, node);
}
