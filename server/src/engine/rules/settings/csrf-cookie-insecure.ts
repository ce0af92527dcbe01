import { truthy } from '../../settings/values';
import type { SettingsRule } from '../rule';
import { CSRF_MIDDLEWARE, listHas } from './support/middleware';
import { currentValuePhrase, findingMessage, setWhenNotDebuggingFix, MISSING_SETTING_DOCS } from './support/setting-values';

/** DJH112: a CSRF cookie without the Secure flag also travels over plain HTTP. */
export const csrfCookieInsecure: SettingsRule = {
  meta: {
    code: 'DJH112',
    name: 'csrf-cookie-insecure',
    severity: 'warning',
    scope: 'settings',
    summary: 'CSRF_COOKIE_SECURE is not True while CsrfViewMiddleware sets a CSRF cookie, so the token is also sent over plain HTTP.',
    fix: 'unsafe',
    djangoChecks: ['security.W016'],
  },
  docs: `## What it does
Reports a production settings module with \`CsrfViewMiddleware\` in \`MIDDLEWARE\` whose \`CSRF_COOKIE_SECURE\` is false: unset (the default is \`False\`), \`False\`, or an environment read that comes out false when its variable is unset. Like Django, it accepts any true value.

Nothing is reported when \`CSRF_USE_SESSIONS\` is true (the token then lives in the session, not in its own cookie), when the middleware is missing (DJH121 reports that), for a value set in \`base.py\` and overridden in \`production.py\`, or in a development module.

${MISSING_SETTING_DOCS}

## Why is this bad
Without the \`Secure\` flag the browser also sends the CSRF cookie with plain HTTP requests, where a network sniffer can read the token, and an attacker on the network can set a cookie of their own, which weakens the protection the token gives. Django's own \`check --deploy\` reports it as \`security.W016\`.

## Example
\`\`\`python
MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
CSRF_COOKIE_SECURE = False
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
CSRF_COOKIE_SECURE = True
\`\`\`

## Fix safety
Unsafe: over plain HTTP (a local \`runserver\` sharing these settings, a site not yet on HTTPS) the browser no longer sends the cookie, so every form post fails the CSRF check there. The fix sets \`CSRF_COOKIE_SECURE = True\`; an environment read with a boolean default gets a \`True\` default instead.

## References
- [Django: CSRF_COOKIE_SECURE](https://docs.djangoproject.com/en/stable/ref/settings/#csrf-cookie-secure)
- [Django deployment checklist](https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#csrf-cookie-secure)
`,
  check(ctx) {
    if (ctx.silenced('security.W016') || listHas(ctx, 'MIDDLEWARE', CSRF_MIDDLEWARE) !== true) return [];
    // NOTE: with CSRF_USE_SESSIONS the token is kept in the session and no CSRF cookie is set.
    // https://docs.djangoproject.com/en/stable/ref/settings/#csrf-use-sessions
    if (truthy(ctx.value('CSRF_USE_SESSIONS')) !== false) return [];
    if (truthy(ctx.value('CSRF_COOKIE_SECURE')) !== false) return [];
    const message = findingMessage(currentValuePhrase(ctx, 'CSRF_COOKIE_SECURE'), 'the CSRF cookie is also sent over plain HTTP', 'A network sniffer can read the token there.');
    return [ctx.atSettingOrMissing('CSRF_COOKIE_SECURE', message, { fixes: [setWhenNotDebuggingFix(ctx, 'CSRF_COOKIE_SECURE')], djangoCheck: 'security.W016' })];
  },
};
