import { truthy } from '../../settings/values';
import type { SettingsRule } from '../rule';
import { securityMiddlewareInstalled } from './support/middleware';
import { currentValuePhrase, findingMessage, isTrue, setTrueFix, truthyNotTrueMessage, MISSING_SETTING_DOCS } from './support/setting-values';

/** DJH114: HSTS that leaves out subdomains lets a plain-HTTP subdomain be used against the site. */
export const hstsSubdomains: SettingsRule = {
  meta: {
    code: 'DJH114',
    name: 'hsts-subdomains',
    severity: 'warning',
    scope: 'settings',
    summary: 'HSTS is on but SECURE_HSTS_INCLUDE_SUBDOMAINS is not True, so subdomains can still be reached over plain HTTP.',
    fix: 'unsafe',
    djangoChecks: ['security.W005'],
  },
  docs: `## What it does
Reports a production settings module with \`SecurityMiddleware\` installed and \`SECURE_HSTS_SECONDS\` set, whose \`SECURE_HSTS_INCLUDE_SUBDOMAINS\` is not \`True\` (unset, \`False\`, or anything other than the boolean \`True\`, as Django checks it: a truthy value such as \`1\` does add \`includeSubDomains\`, and is reported only because \`check --deploy\` keeps warning about it).

${MISSING_SETTING_DOCS}

## Why is this bad
Without \`includeSubDomains\`, the \`Strict-Transport-Security\` header protects only the exact host that sent it. An attacker on the network can lure a browser to \`http://anything.example.com\`, answer it themselves, and set or read cookies scoped to \`example.com\`, which the main site then trusts. Django's own \`check --deploy\` reports it as \`security.W005\`.

Nothing is reported when HSTS is off (DJH113 reports that) or \`SecurityMiddleware\` is missing, nor for a value set in \`base.py\` and overridden in \`production.py\`, nor in a development module.

## Example
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
\`\`\`

## Fix safety
Unsafe: every subdomain, including ones served by other teams or third parties, must then work over HTTPS, or browsers that saw the header will refuse to open them until it expires. The fix sets \`SECURE_HSTS_INCLUDE_SUBDOMAINS = True\`; an environment read with a boolean default gets a \`True\` default instead.

## References
- [Django: SECURE_HSTS_INCLUDE_SUBDOMAINS](https://docs.djangoproject.com/en/stable/ref/settings/#secure-hsts-include-subdomains)
- [Django: HTTP Strict Transport Security](https://docs.djangoproject.com/en/stable/ref/middleware/#http-strict-transport-security)
`,
  check(ctx) {
    if (ctx.silenced('security.W005') || !securityMiddlewareInstalled(ctx)) return [];
    if (truthy(ctx.value('SECURE_HSTS_SECONDS')) !== true) return [];
    if (isTrue(ctx.value('SECURE_HSTS_INCLUDE_SUBDOMAINS')) !== false) return [];
    const message =
      truthyNotTrueMessage(ctx, 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'security.W005') ??
      findingMessage(
        currentValuePhrase(ctx, 'SECURE_HSTS_INCLUDE_SUBDOMAINS'),
        'HSTS does not cover subdomains',
        "A subdomain reached over plain HTTP can be used to plant or read the site's cookies.",
      );
    return [ctx.atSettingOrMissing('SECURE_HSTS_INCLUDE_SUBDOMAINS', message, { fixes: [setTrueFix(ctx, 'SECURE_HSTS_INCLUDE_SUBDOMAINS')], djangoCheck: 'security.W005' })];
  },
};
