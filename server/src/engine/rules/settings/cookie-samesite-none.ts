import { unsetView } from '../../settings/values';
import type { Finding, Fix } from '../../types';
import type { SettingsRule } from '../rule';
import { envDefaultIntent } from './support/settings-lookup';
import { findingMessage } from './support/setting-values';

const SETTINGS = ['SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE'];

/** DJH128: a cookie sent on cross-site requests gives CSRF and cross-site leaks their way in. */
export const cookieSamesiteNone: SettingsRule = {
  meta: {
    code: 'DJH128',
    name: 'cookie-samesite-none',
    severity: 'warning',
    scope: 'settings',
    summary: "SESSION_COOKIE_SAMESITE or CSRF_COOKIE_SAMESITE is 'None' (or None/False), so the cookie goes along with cross-site requests.",
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports \`SESSION_COOKIE_SAMESITE\` or \`CSRF_COOKIE_SAMESITE\` set to the string \`'None'\` (any case), or to \`None\` or \`False\`, in a production settings module — one finding per setting, including an environment read with such a default.

Projects declaring Django older than 2.1, which has neither setting, are not judged.

## Why is this bad
\`SameSite=Lax\` (Django's default) keeps browsers from sending the cookie with requests that other sites trigger, such as a form auto-submitted from an attacker's page. With \`'None'\` the session cookie rides along with every cross-site request, which leaves CSRF protection to the token alone and opens the door to cross-site leaks and clickjacking-style attacks on logged-in users.

\`None\` and \`False\` make Django omit the attribute entirely; browsers that do not default to \`Lax\` then send the cookie cross-site too.

## Example
\`\`\`python
SESSION_COOKIE_SAMESITE = "None"
\`\`\`

## Use instead
\`\`\`python
SESSION_COOKIE_SAMESITE = "Lax"
\`\`\`

## Fix safety
Unsafe: a site that is embedded in another site's frame, or whose login relies on a cross-site POST (some single sign-on flows, payment provider callbacks), stops receiving the cookie in those requests. The fix sets \`'Lax'\`: it changes the default of an environment read, replaces a value the production module assigns, or adds an assignment to the production module.

## References
- [Django: SESSION_COOKIE_SAMESITE](https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-samesite)
- [Django: CSRF_COOKIE_SAMESITE](https://docs.djangoproject.com/en/stable/ref/settings/#csrf-cookie-samesite)
- [MDN: SameSite cookies](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie#samesitesamesite-value)
`,
  check(ctx) {
    // NOTE: the SameSite settings both came with Django 2.1.
    if (!ctx.djangoAtLeast(2, 1)) return [];
    const findings: Finding[] = [];
    for (const name of SETTINGS) {
      const state = ctx.setting(name);
      if (!state) continue;
      const value = unsetView(state.value);
      const none = value.kind === 'string' && value.value.toLowerCase() === 'none';
      // NOTE: None or False omit the SameSite attribute, leaving the browser's own default.
      // https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-samesite
      const omitted = value.kind === 'none' || (value.kind === 'bool' && !value.value);
      if (!none && !omitted) continue;
      const cookie = name.startsWith('SESSION') ? 'session cookie' : 'CSRF cookie';
      const fromEnv = state.value.kind === 'env' ? state.value : undefined;
      const fixes: Fix[] = [];
      if (fromEnv) {
        const intent = envDefaultIntent(ctx, fromEnv, 'Lax');
        if (intent) fixes.push(ctx.fix(`Default ${fromEnv.variable} to 'Lax'`, [intent]));
      } else {
        fixes.push(ctx.fix(`Set ${name} = 'Lax'`, [{ kind: 'set', name, value: ctx.str('Lax') }]));
      }
      const shown = none ? `'${value.kind === 'string' ? value.value : 'None'}'` : value.kind === 'none' ? 'None' : 'False';
      const is = fromEnv ? `defaults to ${shown} when ${fromEnv.variable} is unset` : `is ${shown}`;
      const message = !none
        ? findingMessage(`${name} ${is}`, `the ${cookie} carries no SameSite attribute`, 'Browsers that do not default to Lax send it with requests other sites trigger.')
        : cookie === 'session cookie'
          ? findingMessage(`${name} ${is}`, `the ${cookie} goes with requests other sites trigger`, "Only the CSRF token then stands between an attacker's page and the user's account.")
          : findingMessage(`${name} ${is}`, `the ${cookie} goes with requests other sites trigger`, "The browser's own layer of defence against cross-site request forgery is given up.");
      findings.push(ctx.atSetting(state, message, { fixes }));
    }
    return findings;
  },
};
