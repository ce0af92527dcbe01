import { truthy } from '../../settings/values';
import type { SettingsRule } from '../rule';
import { securityMiddlewareInstalled } from './support/middleware';
import { currentValuePhrase, findingMessage, isTrue, setWhenNotDebuggingFix, MISSING_SETTING_DOCS } from './support/setting-values';

/** DJH110: without SECURE_SSL_REDIRECT, pages requested over plain HTTP are served over plain HTTP. */
export const sslRedirectDisabled: SettingsRule = {
  meta: {
    code: 'DJH110',
    name: 'ssl-redirect-disabled',
    severity: 'warning',
    scope: 'settings',
    summary: 'SECURE_SSL_REDIRECT is not True, so requests over plain HTTP are not redirected to HTTPS.',
    fix: 'unsafe',
    djangoChecks: ['security.W008'],
  },
  docs: `## What it does
Reports a production settings module with \`SecurityMiddleware\` installed whose \`SECURE_SSL_REDIRECT\` is not \`True\`: unset (the default is \`False\`), \`False\`, or an environment read that comes out false when its variable is unset. Like Django, it wants exactly \`True\`: a truthy value such as \`1\` is reported too.

Nothing is reported when \`SecurityMiddleware\` is missing (DJH121 reports that, and without it the setting does nothing), nor for a value set in \`base.py\` and overridden in \`production.py\`, nor in a development module.

${MISSING_SETTING_DOCS}

## Why is this bad
A user who types the address or follows an old \`http://\` link gets the page, and the session cookie if it is not marked secure, over plain HTTP, where anyone on the network can read and change it. Django's own \`check --deploy\` reports it as \`security.W008\`.

If a load balancer or reverse proxy already redirects every HTTP request to HTTPS, silence the check instead: add \`"security.W008"\` to \`SILENCED_SYSTEM_CHECKS\`.

## Example
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
SECURE_SSL_REDIRECT = False
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
SECURE_SSL_REDIRECT = True
\`\`\`

## Fix safety
Unsafe: a site that is not reachable over HTTPS becomes unreachable, and behind a proxy that terminates TLS, \`SECURE_PROXY_SSL_HEADER\` must be set or every request redirects to itself. The fix sets \`SECURE_SSL_REDIRECT = True\`; an environment read with a boolean default gets a \`True\` default instead.

## References
- [Django: SECURE_SSL_REDIRECT](https://docs.djangoproject.com/en/stable/ref/settings/#secure-ssl-redirect)
- [Django: SSL/HTTPS](https://docs.djangoproject.com/en/stable/topics/security/#ssl-https)
`,
  check(ctx) {
    if (ctx.silenced('security.W008') || !securityMiddlewareInstalled(ctx)) return [];
    const value = ctx.value('SECURE_SSL_REDIRECT');
    if (isTrue(value) !== false) return [];
    const phrase = currentValuePhrase(ctx, 'SECURE_SSL_REDIRECT');
    // NOTE: SecurityMiddleware redirects on any true value; only Django's check wants exactly True.
    const message =
      truthy(value) === true
        ? findingMessage(`${phrase}, not True`, "Django's deploy check keeps warning", 'It does redirect: the check accepts only the boolean True.')
        : findingMessage(phrase, 'plain-HTTP requests are served instead of redirected to HTTPS', 'Anyone on the network path can read and change what such a request carries.');
    return [ctx.atSettingOrMissing('SECURE_SSL_REDIRECT', message, { fixes: [setWhenNotDebuggingFix(ctx, 'SECURE_SSL_REDIRECT')], djangoCheck: 'security.W008' })];
  },
};
