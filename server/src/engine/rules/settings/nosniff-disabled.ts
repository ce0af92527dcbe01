import type { SettingsRule } from '../rule';
import { securityMiddlewareInstalled } from './support/middleware';
import { currentValuePhrase, findingMessage, isTrue, setTrueFix, truthyNotTrueMessage, MISSING_SETTING_DOCS } from './support/setting-values';

/** DJH116: without `nosniff`, browsers may run an uploaded file as script or HTML. */
export const nosniffDisabled: SettingsRule = {
  meta: {
    code: 'DJH116',
    name: 'nosniff-disabled',
    severity: 'warning',
    scope: 'settings',
    summary: 'SECURE_CONTENT_TYPE_NOSNIFF is not True, so responses lack X-Content-Type-Options: nosniff.',
    fix: 'unsafe',
    djangoChecks: ['security.W006'],
  },
  docs: `## What it does
Reports a production settings module with \`SecurityMiddleware\` installed whose \`SECURE_CONTENT_TYPE_NOSNIFF\` is not \`True\`. The default has been \`True\` since Django 3.0, so this is usually an explicit \`SECURE_CONTENT_TYPE_NOSNIFF = False\`. A truthy value other than \`True\` (such as \`"True"\`) does send the header, and is reported only because \`check --deploy\` keeps warning about it.

${MISSING_SETTING_DOCS}

## Why is this bad
Without \`X-Content-Type-Options: nosniff\`, a browser may ignore the \`Content-Type\` a response declares and guess from its bytes. A user-uploaded "image" or text file that looks like HTML or JavaScript can then run in the site's origin, which is cross-site scripting. Django's own \`check --deploy\` reports it as \`security.W006\`.

Nothing is reported when the setting is unset (the default is \`True\`) or \`SecurityMiddleware\` is missing, nor for a value set in \`base.py\` and overridden in \`production.py\`, nor in a development module.

## Example
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
SECURE_CONTENT_TYPE_NOSNIFF = False
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
SECURE_CONTENT_TYPE_NOSNIFF = True
\`\`\`

## Fix safety
Unsafe: responses served with a wrong \`Content-Type\` (a script served as \`text/plain\`, a stylesheet without a type) stop working in browsers. The fix sets \`SECURE_CONTENT_TYPE_NOSNIFF = True\`; an environment read with a boolean default gets a \`True\` default instead.

## References
- [Django: SECURE_CONTENT_TYPE_NOSNIFF](https://docs.djangoproject.com/en/stable/ref/settings/#secure-content-type-nosniff)
- [MDN: X-Content-Type-Options](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Content-Type-Options)
`,
  check(ctx) {
    if (ctx.silenced('security.W006') || !securityMiddlewareInstalled(ctx)) return [];
    if (isTrue(ctx.value('SECURE_CONTENT_TYPE_NOSNIFF')) !== false) return [];
    const message =
      truthyNotTrueMessage(ctx, 'SECURE_CONTENT_TYPE_NOSNIFF', 'security.W006') ??
      findingMessage(currentValuePhrase(ctx, 'SECURE_CONTENT_TYPE_NOSNIFF'), 'responses lack X-Content-Type-Options: nosniff', 'Browsers may then run an uploaded file as script or HTML.');
    return [ctx.atSettingOrMissing('SECURE_CONTENT_TYPE_NOSNIFF', message, { fixes: [setTrueFix(ctx, 'SECURE_CONTENT_TYPE_NOSNIFF')], djangoCheck: 'security.W006' })];
  },
};
