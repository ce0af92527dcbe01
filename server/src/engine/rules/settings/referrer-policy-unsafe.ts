import { describe, truthy, unsetView, type Value } from '../../settings/values';
import type { Finding } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { securityMiddlewareInstalled } from './support/middleware';
import { findingMessage, MISSING_SETTING_DOCS } from './support/setting-values';

/** Django's REFERRER_POLICY_VALUES (django/core/checks/security/base.py). */
const REFERRER_POLICY_VALUES = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);

/** Valid policies that still send full URLs, query strings included, to other sites. */
const LEAKING_POLICIES = new Set(['unsafe-url', 'no-referrer-when-downgrade']);

/** Django's CROSS_ORIGIN_OPENER_POLICY_VALUES (Django 4.0 and later). */
const COOP_VALUES = new Set(['same-origin', 'same-origin-allow-popups', 'unsafe-none']);

/** DJH120: a missing, invalid or leaking Referrer-Policy sends full URLs to other sites. */
export const referrerPolicyUnsafe: SettingsRule = {
  meta: {
    code: 'DJH120',
    name: 'referrer-policy-unsafe',
    severity: 'warning',
    scope: 'settings',
    summary: 'SECURE_REFERRER_POLICY is None, invalid or leaks full URLs, or SECURE_CROSS_ORIGIN_OPENER_POLICY is invalid.',
    fix: 'unsafe',
    djangoChecks: ['security.W022', 'security.E023', 'security.E024'],
  },
  docs: `## What it does
Reports, in a production settings module with \`SecurityMiddleware\` installed:
- \`SECURE_REFERRER_POLICY = None\`, which sends no \`Referrer-Policy\` header;
- an empty list or a falsy boolean or number, which send no header either, and a truthy boolean or number, which SecurityMiddleware cannot turn into a header;
- a \`SECURE_REFERRER_POLICY\` that is not a referrer policy (a comma-separated string or a list or tuple of policies is fine when each one is valid);
- a valid policy that sends full URLs to other sites: \`'unsafe-url'\`, or \`'no-referrer-when-downgrade'\` (when a list gives fallbacks, the last policy is the one current browsers apply);
- a \`SECURE_CROSS_ORIGIN_OPENER_POLICY\` that is not \`'same-origin'\`, \`'same-origin-allow-popups'\`, \`'unsafe-none'\` or \`None\`.

An unset \`SECURE_REFERRER_POLICY\` is fine: the default has been \`'same-origin'\` since Django 3.1.

${MISSING_SETTING_DOCS}

The referrer policy is judged for projects on Django 3.0 or later and the opener policy on 4.0 or later (the version declared, or 4.2 when none is): older releases send neither header.

## Why is this bad
The \`Referer\` header carries the address of the page a request comes from. Under a leaking policy, and by default in older browsers when no policy is sent, every link, image and script on another site receives the full URL, path and query string included, which often holds password-reset tokens, search terms or record ids. An invalid value is ignored by browsers, so it protects nothing. An invalid Cross-Origin-Opener-Policy is ignored too, leaving windows that this site opens (or that open it) able to script each other across origins. Django's own \`check --deploy\` reports \`None\` as \`security.W022\`, an invalid referrer policy as \`security.E023\` and an invalid opener policy as \`security.E024\` (Django 4.0 and later); the leaking policies are valid, so Django says nothing about them.

Nothing is reported when \`SecurityMiddleware\` is missing (the settings would have no effect: DJH121 reports the middleware), nor for a value set in \`base.py\` and overridden in \`production.py\`, nor in a development module.

## Example
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
SECURE_REFERRER_POLICY = "unsafe-url"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-site"
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
\`\`\`

## Fix safety
Unsafe: other sites that relied on seeing where their visitors came from (analytics, affiliate links) no longer get the address, and a page that talks to a popup on another origin through \`window.opener\` loses that handle. The fix sets the setting to \`'same-origin'\`.

## References
- [Django: SECURE_REFERRER_POLICY](https://docs.djangoproject.com/en/stable/ref/settings/#secure-referrer-policy)
- [Django: Referrer policy](https://docs.djangoproject.com/en/stable/ref/middleware/#referrer-policy)
- [Django: SECURE_CROSS_ORIGIN_OPENER_POLICY](https://docs.djangoproject.com/en/stable/ref/settings/#secure-cross-origin-opener-policy)
- [MDN: Referrer-Policy](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Referrer-Policy)
`,
  check(ctx) {
    // NOTE: SecurityMiddleware sends Referrer-Policy from Django 3.0, Cross-Origin-Opener-Policy from 4.0.
    if (!securityMiddlewareInstalled(ctx) || !ctx.djangoAtLeast(3, 0)) return [];
    const findings: Finding[] = [];
    const referrer = referrerFinding(ctx);
    if (referrer) findings.push(referrer);
    const opener = openerFinding(ctx);
    if (opener) findings.push(opener);
    return findings;
  },
};

/** The policies Django reads from a string (comma-separated) or an iterable; undefined when unknown. */
function policies(value: Value): (string | undefined)[] | undefined {
  if (value.kind === 'string') return value.value.split(',').map((v) => v.trim());
  if (value.kind === 'list') {
    const items = value.items.map(unsetView);
    if (items.some((item) => item.kind === 'unknown')) return undefined;
    return items.map((item) => (item.kind === 'string' ? item.value : undefined));
  }
  return undefined;
}

function referrerFinding(ctx: SettingsRuleContext): Finding | undefined {
  const name = 'SECURE_REFERRER_POLICY';
  const raw = ctx.value(name);
  const value = unsetView(raw);
  const when = raw.kind === 'env' ? ` when ${raw.variable} is unset` : '';
  const fixes = () => [ctx.fix(`Set ${name} = ${ctx.str('same-origin')}`, [{ kind: 'set', name, value: ctx.str('same-origin') }])];
  const noHeader = (shown: string) =>
    findingMessage(`${name} is ${shown}${when}`, 'no Referrer-Policy header is sent', "Browsers fall back to their own default, which in older ones sends each page's full URL to other sites.");
  if (value.kind === 'none') {
    if (ctx.silenced('security.W022')) return undefined;
    return ctx.atSettingOrMissing(name, noHeader('None'), { fixes: fixes(), djangoCheck: 'security.W022' });
  }
  if (value.kind === 'bool' || value.kind === 'number') {
    // NOTE: Django's check crashes on a scalar (it calls set() on it); the middleware sends no
    // header for a falsy one and fails to join a truthy one into a header.
    // https://docs.djangoproject.com/en/stable/ref/settings/#secure-referrer-policy
    if (truthy(value) === false) return ctx.atSettingOrMissing(name, noHeader(describe(value)), { fixes: fixes() });
    const message = findingMessage(`${name} is ${describe(value)}${when}, not a referrer policy`, 'every response fails', 'SecurityMiddleware raises a TypeError when it builds the header.');
    return ctx.atSettingOrMissing(name, message, { fixes: fixes() });
  }
  const values = policies(value);
  if (values === undefined) return undefined;
  if (values.length === 0) {
    // NOTE: Django's check accepts an empty list, but the middleware then sends no header at all.
    // https://docs.djangoproject.com/en/stable/ref/middleware/#referrer-policy
    return ctx.atSettingOrMissing(name, noHeader('empty'), { fixes: fixes() });
  }
  const invalid = values.filter((v) => v === undefined || !REFERRER_POLICY_VALUES.has(v));
  if (invalid.length > 0) {
    if (ctx.silenced('security.E023')) return undefined;
    const shown = invalid.map((v) => (v === undefined ? 'a non-string item' : describe({ kind: 'string', value: v }))).join(', ');
    const message = findingMessage(`${name} holds ${shown}${when}, not a valid referrer policy`, 'browsers ignore it', "Django's deploy check reports it as an error.");
    return ctx.atSettingOrMissing(name, message, { fixes: fixes(), djangoCheck: 'security.E023' });
  }
  // NOTE: browsers apply the last policy of a fallback list that they support; all of these are
  // supported by current browsers, so the last one is what they use.
  // https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Referrer-Policy#specify_a_fallback_policy
  const applied = values[values.length - 1];
  if (applied === undefined || !LEAKING_POLICIES.has(applied)) return undefined;
  const audience = applied === 'unsafe-url' ? 'every site' : 'every HTTPS site';
  const which = values.length > 1 ? `ends with '${applied}'${when}, the policy browsers apply` : `is '${applied}'${when}`;
  const message = findingMessage(`${name} ${which}`, `each page's full URL goes to ${audience} it links to`, 'Query strings included, also to the sites it loads from.');
  return ctx.atSettingOrMissing(name, message, { fixes: fixes() });
}

function openerFinding(ctx: SettingsRuleContext): Finding | undefined {
  if (!ctx.djangoAtLeast(4, 0)) return undefined;
  const name = 'SECURE_CROSS_ORIGIN_OPENER_POLICY';
  const raw = ctx.value(name);
  const value = unsetView(raw);
  if (value.kind === 'none' || value.kind === 'unknown' || value.kind === 'dict') return undefined;
  if (value.kind === 'string' && COOP_VALUES.has(value.value)) return undefined;
  // Django's `value not in {...}` raises on an unhashable list, so only scalars get its id.
  const scalar = value.kind === 'string' || value.kind === 'bool' || value.kind === 'number';
  if (scalar && ctx.silenced('security.E024')) return undefined;
  const when = raw.kind === 'env' ? ` when ${raw.variable} is unset` : '';
  const message = findingMessage(`${name} is ${describe(value)}${when}, not a valid policy`, 'browsers ignore the header', "Other sites' windows keep a handle on this site's pages.");
  const fix = ctx.fix(`Set ${name} = ${ctx.str('same-origin')}`, [{ kind: 'set', name, value: ctx.str('same-origin') }]);
  return ctx.atSettingOrMissing(name, message, { fixes: [fix], djangoCheck: scalar ? 'security.E024' : undefined });
}
