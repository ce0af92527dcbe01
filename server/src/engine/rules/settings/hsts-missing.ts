import { truthy } from '../../settings/values';
import type { SettingsRule } from '../rule';
import { securityMiddlewareInstalled } from './support/middleware';
import { currentValuePhrase, findingMessage, setNumberFix, MISSING_SETTING_DOCS } from './support/setting-values';

/** An hour: short enough to undo, as the HSTS advice goes, while HTTPS is checked everywhere. */
const START = 3600;

/** DJH113: without HSTS, a user's first plain-HTTP request can be intercepted and downgraded. */
export const hstsMissing: SettingsRule = {
  meta: {
    code: 'DJH113',
    name: 'hsts-missing',
    severity: 'warning',
    scope: 'settings',
    summary: 'SECURE_HSTS_SECONDS is unset or 0 while SecurityMiddleware is installed, so no Strict-Transport-Security header is sent.',
    fix: 'unsafe',
    djangoChecks: ['security.W004'],
  },
  docs: `## What it does
Reports a production settings module whose \`MIDDLEWARE\` holds \`SecurityMiddleware\` but whose \`SECURE_HSTS_SECONDS\` is unset, \`0\` or \`None\`, including an environment read that comes out as \`0\` when its variable is unset.

${MISSING_SETTING_DOCS}

## Why is this bad
Without a \`Strict-Transport-Security\` header, browsers keep trying plain HTTP first whenever a user types the address or follows an \`http://\` link. Anyone on the network path can answer that request, strip the redirect to HTTPS and read or change everything the user sends, cookies included. Django's own \`check --deploy\` reports it as \`security.W004\`.

Nothing is reported when \`SecurityMiddleware\` is missing (the setting would have no effect: DJH121 reports the middleware), nor for a value set in \`base.py\` and overridden in \`production.py\`, nor in a development module (\`dev.py\`, \`local.py\`, \`test.py\`).

## Example
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", ...]
SECURE_HSTS_SECONDS = 0
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", ...]
SECURE_HSTS_SECONDS = 31536000  # one year
\`\`\`

## Fix safety
Unsafe: once a browser has seen the header it refuses plain HTTP for the whole period, and that cannot be taken back from the server. So the fix starts short, as the usual advice goes: \`SECURE_HSTS_SECONDS = 3600\` (an hour), with a comment saying to raise it to \`31536000\` (a year) once every page and every subdomain is served over HTTPS, which is also what the browsers' preload list requires. An environment read with a numeric default gets \`3600\` as its default, so the variable still works. The value and the comment always agree.

## References
- [Django: SECURE_HSTS_SECONDS](https://docs.djangoproject.com/en/stable/ref/settings/#secure-hsts-seconds)
- [Django: HTTP Strict Transport Security](https://docs.djangoproject.com/en/stable/ref/middleware/#http-strict-transport-security)
- [MDN: Strict-Transport-Security](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Strict-Transport-Security)
`,
  check(ctx) {
    if (ctx.silenced('security.W004') || !securityMiddlewareInstalled(ctx)) return [];
    if (truthy(ctx.value('SECURE_HSTS_SECONDS')) !== false) return [];
    // NOTE: HSTS cannot be withdrawn early from browsers that cached it, so the fix starts short.
    // https://docs.djangoproject.com/en/stable/ref/middleware/#http-strict-transport-security
    const comment = 'HSTS: an hour to start; once every page and subdomain works over HTTPS, raise it to 31536000 (a year), which the preload list requires';
    const fix = setNumberFix(ctx, 'SECURE_HSTS_SECONDS', START, comment);
    const message = findingMessage(
      currentValuePhrase(ctx, 'SECURE_HSTS_SECONDS'),
      'browsers are never told to insist on HTTPS',
      'A request made over plain HTTP can then be intercepted and downgraded.',
    );
    return [ctx.atSettingOrMissing('SECURE_HSTS_SECONDS', message, { fixes: [fix], djangoCheck: 'security.W004' })];
  },
};
