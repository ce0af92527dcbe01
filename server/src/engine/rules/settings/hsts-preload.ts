import { truthy } from '../../settings/values';
import type { SettingsRule } from '../rule';
import { securityMiddlewareInstalled } from './support/middleware';
import { currentValuePhrase, findingMessage, isTrue, setTrueFix, truthyNotTrueMessage, MISSING_SETTING_DOCS } from './support/setting-values';

/** DJH115: without `preload`, a user's very first visit is still unprotected by HSTS. */
export const hstsPreload: SettingsRule = {
  meta: {
    code: 'DJH115',
    name: 'hsts-preload',
    severity: 'info',
    scope: 'settings',
    summary: "HSTS is on but SECURE_HSTS_PRELOAD is not True, so the site cannot join the browsers' HSTS preload list.",
    fix: 'unsafe',
    djangoChecks: ['security.W021'],
  },
  docs: `## What it does
Reports a production settings module with \`SecurityMiddleware\` installed and \`SECURE_HSTS_SECONDS\` set, whose \`SECURE_HSTS_PRELOAD\` is not \`True\` (unset, \`False\`, or anything other than the boolean \`True\`, as Django checks it: a truthy value such as \`1\` does add \`preload\`, and is reported only because \`check --deploy\` keeps warning about it).

${MISSING_SETTING_DOCS}

Projects declaring Django older than 1.11, which has no such setting, are not judged.

## Why is this bad
A \`Strict-Transport-Security\` header only protects a browser after its first visit: that first request can still go over plain HTTP and be intercepted. Browsers ship a list of domains that are HTTPS-only from the start, and a site can only be submitted to it when its header carries \`preload\`. Django's own \`check --deploy\` reports it as \`security.W021\`.

Nothing is reported when HSTS is off (DJH113 reports that) or \`SecurityMiddleware\` is missing, nor for a value set in \`base.py\` and overridden in \`production.py\`, nor in a development module.

## Example
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
SECURE_HSTS_SECONDS = 31536000
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
\`\`\`

## Fix safety
Unsafe: the preload list also requires \`includeSubDomains\` and a long max-age, and once the domain is on it, removing it takes months to reach users' browsers. The fix sets \`SECURE_HSTS_PRELOAD = True\` (an environment read with a boolean default gets a \`True\` default instead), with a comment: the list accepts the site only once \`SECURE_HSTS_SECONDS\` is a year or more (DJH113's fix starts at an hour), and submitting the domain at hstspreload.org stays a deliberate step.

## References
- [Django: SECURE_HSTS_PRELOAD](https://docs.djangoproject.com/en/stable/ref/settings/#secure-hsts-preload)
- [HSTS preload list submission](https://hstspreload.org/)
`,
  check(ctx) {
    // NOTE: SECURE_HSTS_PRELOAD (and security.W021) came with Django 1.11.
    if (ctx.silenced('security.W021') || !securityMiddlewareInstalled(ctx) || !ctx.djangoAtLeast(1, 11)) return [];
    if (truthy(ctx.value('SECURE_HSTS_SECONDS')) !== true) return [];
    if (isTrue(ctx.value('SECURE_HSTS_PRELOAD')) !== false) return [];
    const message =
      truthyNotTrueMessage(ctx, 'SECURE_HSTS_PRELOAD', 'security.W021') ??
      findingMessage(currentValuePhrase(ctx, 'SECURE_HSTS_PRELOAD'), "the site cannot join the browsers' HSTS preload list", "Each user's very first request may still go over plain HTTP.");
    const comment = 'The preload list takes the site once SECURE_HSTS_SECONDS is 31536000 or more; submitting it at hstspreload.org is a step of its own';
    return [ctx.atSettingOrMissing('SECURE_HSTS_PRELOAD', message, { fixes: [setTrueFix(ctx, 'SECURE_HSTS_PRELOAD', comment)], djangoCheck: 'security.W021' })];
  },
};
