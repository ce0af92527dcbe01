import { truthy } from '../../settings/values';
import type { SettingsRule } from '../rule';
import { listHas, SESSION_MIDDLEWARE, SESSIONS_APP } from './support/middleware';
import { currentValuePhrase, findingMessage, setTrueFix, MISSING_SETTING_DOCS } from './support/setting-values';

/** DJH119: a session cookie readable from JavaScript turns any XSS flaw into session theft. */
export const sessionCookieHttponlyDisabled: SettingsRule = {
  meta: {
    code: 'DJH119',
    name: 'session-cookie-httponly-disabled',
    severity: 'warning',
    scope: 'settings',
    summary: 'SESSION_COOKIE_HTTPONLY is False while sessions are in use, so scripts can read the session cookie.',
    fix: 'unsafe',
    djangoChecks: ['security.W013', 'security.W014', 'security.W015'],
  },
  docs: `## What it does
Reports a false \`SESSION_COOKIE_HTTPONLY\` in a production settings module that uses sessions: \`django.contrib.sessions\` in \`INSTALLED_APPS\` or \`SessionMiddleware\` in \`MIDDLEWARE\`. The default is \`True\`, so this is an explicit \`False\` (or an environment read that comes out false when its variable is unset).

${MISSING_SETTING_DOCS}

## Why is this bad
Without the \`HttpOnly\` flag, \`document.cookie\` exposes the session id to every script on the page. One cross-site scripting flaw, or one compromised third-party script, is then enough to copy the cookie and take over the user's session from anywhere. Django's own \`check --deploy\` reports it as \`security.W013\` (sessions app only), \`security.W014\` (session middleware only) or \`security.W015\` (both).

Nothing is reported when the project uses neither the sessions app nor the session middleware, as Django does, nor for a value set in \`base.py\` and overridden in \`production.py\`, nor in a development module.

## Example
\`\`\`python
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
SESSION_COOKIE_HTTPONLY = False
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
SESSION_COOKIE_HTTPONLY = True
\`\`\`
Or remove the line: \`True\` is the default. Front-end code that needs to know whether a user is logged in should ask an endpoint, not read the cookie.

## Fix safety
Unsafe: JavaScript that reads the session cookie stops working. The fix sets \`SESSION_COOKIE_HTTPONLY = True\`; an environment read with a boolean default gets a \`True\` default instead.

## References
- [Django: SESSION_COOKIE_HTTPONLY](https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-httponly)
- [OWASP: HttpOnly](https://owasp.org/www-community/HttpOnly)
`,
  check(ctx) {
    if (truthy(ctx.value('SESSION_COOKIE_HTTPONLY')) !== false) return [];
    const ids = possibleChecks(listHas(ctx, 'INSTALLED_APPS', SESSIONS_APP), listHas(ctx, 'MIDDLEWARE', SESSION_MIDDLEWARE));
    // Fire only when sessions are known to be in use, and stay quiet when every id Django could report is silenced.
    if (ids.includes(undefined) || ids.every((id) => ctx.silenced(id!))) return [];
    const djangoCheck = ids.length === 1 ? ids[0] : undefined;
    const message = findingMessage(currentValuePhrase(ctx, 'SESSION_COOKIE_HTTPONLY'), 'scripts on the page can read the session cookie', "A single XSS flaw then hands over users' sessions.");
    return [ctx.atSettingOrMissing('SESSION_COOKIE_HTTPONLY', message, { fixes: [setTrueFix(ctx, 'SESSION_COOKIE_HTTPONLY')], djangoCheck })];
  },
};

/**
 * The ids Django's `check_session_cookie_httponly` can report for what is known of the
 * sessions app and middleware; `undefined` stands for "no warning at all".
 */
function possibleChecks(app: boolean | undefined, middleware: boolean | undefined): (string | undefined)[] {
  const ids = new Set<string | undefined>();
  for (const a of app === undefined ? [true, false] : [app]) {
    for (const m of middleware === undefined ? [true, false] : [middleware]) {
      ids.add(a && m ? 'security.W015' : a ? 'security.W013' : m ? 'security.W014' : undefined);
    }
  }
  return [...ids];
}
