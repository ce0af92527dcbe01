import { truthy } from '../../settings/values';
import type { SettingsRule } from '../rule';
import { listHas, SESSION_MIDDLEWARE, SESSIONS_APP } from './support/middleware';
import { currentValuePhrase, findingMessage, setWhenNotDebuggingFix, MISSING_SETTING_DOCS } from './support/setting-values';

/** DJH111: a session cookie without the Secure flag also travels over plain HTTP. */
export const sessionCookieInsecure: SettingsRule = {
  meta: {
    code: 'DJH111',
    name: 'session-cookie-insecure',
    severity: 'warning',
    scope: 'settings',
    summary: 'SESSION_COOKIE_SECURE is not True while sessions are in use, so the session cookie is also sent over plain HTTP.',
    fix: 'unsafe',
    djangoChecks: ['security.W010', 'security.W011', 'security.W012'],
  },
  docs: `## What it does
Reports a production settings module that uses sessions (\`django.contrib.sessions\` in \`INSTALLED_APPS\`, \`SessionMiddleware\` in \`MIDDLEWARE\`, or both) whose \`SESSION_COOKIE_SECURE\` is false: unset (the default is \`False\`), \`False\`, or an environment read that comes out false when its variable is unset. It mirrors Django's \`security.W010\` (the app only), \`security.W011\` (the middleware only) and \`security.W012\` (both), and like Django it accepts any true value.

When one of the two lists holds entries that cannot be read statically, it is still reported as long as Django warns whatever those entries are (without naming the exact Django id). Nothing is reported when neither the app nor the middleware is installed, nor for a value set in \`base.py\` and overridden in \`production.py\`, nor in a development module.

${MISSING_SETTING_DOCS}

## Why is this bad
Without the \`Secure\` flag the browser also sends the session cookie with plain HTTP requests: one visit to an \`http://\` link on a café network is enough for a sniffer to copy the cookie and be logged in as that user.

## Example
\`\`\`python
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
SESSION_COOKIE_SECURE = False
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
SESSION_COOKIE_SECURE = True
\`\`\`

## Fix safety
Unsafe: over plain HTTP (a local \`runserver\` sharing these settings, a site not yet on HTTPS) the browser no longer sends the cookie, so nobody can stay logged in there. The fix sets \`SESSION_COOKIE_SECURE = True\`; an environment read with a boolean default gets a \`True\` default instead.

## References
- [Django: SESSION_COOKIE_SECURE](https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-secure)
- [Django deployment checklist](https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#session-cookie-secure)
`,
  check(ctx) {
    if (truthy(ctx.value('SESSION_COOKIE_SECURE')) !== false) return [];
    const ids = possibleChecks(listHas(ctx, 'INSTALLED_APPS', SESSIONS_APP), listHas(ctx, 'MIDDLEWARE', SESSION_MIDDLEWARE));
    // Fire only when Django warns whatever the unknown entries are, and not when every id it could report is silenced.
    if (ids.includes(undefined) || ids.every((id) => ctx.silenced(id!))) return [];
    const djangoCheck = ids.length === 1 ? ids[0] : undefined;
    const message = findingMessage(currentValuePhrase(ctx, 'SESSION_COOKIE_SECURE'), 'the session cookie is also sent over plain HTTP', 'A network sniffer can copy it there and hijack the session.');
    return [ctx.atSettingOrMissing('SESSION_COOKIE_SECURE', message, { fixes: [setWhenNotDebuggingFix(ctx, 'SESSION_COOKIE_SECURE')], djangoCheck })];
  },
};

/**
 * The ids Django's `check_session_cookie_secure` can report for what is known of the
 * sessions app and middleware; `undefined` stands for "no warning at all".
 */
function possibleChecks(app: boolean | undefined, middleware: boolean | undefined): (string | undefined)[] {
  const ids = new Set<string | undefined>();
  for (const a of app === undefined ? [true, false] : [app]) {
    for (const m of middleware === undefined ? [true, false] : [middleware]) {
      ids.add(a && m ? 'security.W012' : a ? 'security.W010' : m ? 'security.W011' : undefined);
    }
  }
  return [...ids];
}
