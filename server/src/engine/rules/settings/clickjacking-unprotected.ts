import { asString, pyEquals } from '../../settings/values';
import type { Finding } from '../../types';
import type { SettingsRule } from '../rule';
import { listHas, middlewareInsertFix, XFRAME_MIDDLEWARE } from './support/middleware';
import { currentValuePhrase, findingMessage, MISSING_SETTING_DOCS } from './support/setting-values';

/** DJH117: pages that other sites may frame can be used for clickjacking. */
export const clickjackingUnprotected: SettingsRule = {
  meta: {
    code: 'DJH117',
    name: 'clickjacking-unprotected',
    severity: 'warning',
    scope: 'settings',
    summary: "XFrameOptionsMiddleware is missing from MIDDLEWARE, or X_FRAME_OPTIONS is not 'DENY'.",
    fix: 'unsafe',
    djangoChecks: ['security.W002', 'security.W019'],
  },
  docs: `## What it does
Reports a production settings module whose \`MIDDLEWARE\` lacks \`django.middleware.clickjacking.XFrameOptionsMiddleware\`, or has it with \`X_FRAME_OPTIONS\` set to anything other than \`'DENY'\`.

${MISSING_SETTING_DOCS}

## Why is this bad
A page without an \`X-Frame-Options\` header can be loaded invisibly inside another site's frame, under a decoy, so that the user's clicks land on buttons they cannot see: "delete account", "transfer", "grant access". \`'SAMEORIGIN'\` still lets any page of the site frame the others, which is enough when one page shows user content. Django's own \`check --deploy\` reports the missing middleware as \`security.W002\` and a value other than \`'DENY'\` as \`security.W019\`.

Nothing is reported when \`MIDDLEWARE\` cannot be read, nor for a value set in \`base.py\` and overridden in \`production.py\`, nor in a development module.

## Example
\`\`\`python
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
X_FRAME_OPTIONS = "SAMEORIGIN"
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
X_FRAME_OPTIONS = "DENY"
\`\`\`
A view that must be framed can opt out with \`@xframe_options_sameorigin\` or \`@xframe_options_exempt\`.

## Fix safety
Unsafe: pages the site itself puts in frames (an admin preview, an embedded widget) stop loading. A missing middleware is added at the end of the \`MIDDLEWARE\` list, where \`startproject\` puts it: in the list itself when the production module writes it, else by a statement in the production module (\`MIDDLEWARE.append(...)\`), so development modules that import the same \`base.py\` keep their list (a tuple, which has no such method, is edited where it is written). A project without any \`MIDDLEWARE\` gets one holding Django's security middleware. A wrong \`X_FRAME_OPTIONS\` is set to \`'DENY'\`.

## References
- [Django: Clickjacking protection](https://docs.djangoproject.com/en/stable/ref/clickjacking/)
- [Django: X_FRAME_OPTIONS](https://docs.djangoproject.com/en/stable/ref/settings/#x-frame-options)
- [OWASP: Clickjacking](https://owasp.org/www-community/attacks/Clickjacking)
`,
  check(ctx) {
    const installed = listHas(ctx, 'MIDDLEWARE', XFRAME_MIDDLEWARE);
    const findings: Finding[] = [];
    if (installed === false && !ctx.silenced('security.W002')) {
      const fix = middlewareInsertFix(ctx, XFRAME_MIDDLEWARE, 'last');
      const message = `XFrameOptionsMiddleware is not in ${ctx.middleware}, so pages carry no X-Frame-Options header. Any site can frame them to trick users into clicks (clickjacking).`;
      findings.push(ctx.atSettingOrMissing(ctx.middleware, message, { fixes: fix ? [fix] : [], djangoCheck: 'security.W002' }));
    }
    if (installed === true && !ctx.silenced('security.W019')) {
      const value = ctx.value('X_FRAME_OPTIONS');
      if (pyEquals(value, { kind: 'string', value: 'DENY' }) === false) {
        const fix = ctx.fix(`Set X_FRAME_OPTIONS = ${ctx.str('DENY')}`, [{ kind: 'set', name: 'X_FRAME_OPTIONS', value: ctx.str('DENY') }]);
        const current = currentValuePhrase(ctx, 'X_FRAME_OPTIONS');
        // NOTE: XFrameOptionsMiddleware upper-cases the setting, so 'deny' works; Django's check does not.
        // https://docs.djangoproject.com/en/stable/ref/clickjacking/#setting-x-frame-options-for-all-responses
        const message =
          asString(value)?.toUpperCase() === 'DENY'
            ? findingMessage(current, "Django's deploy check keeps reporting security.W019", 'The header is sent as DENY, but the check compares the setting case-sensitively.')
            : findingMessage(`${current} instead of 'DENY'`, "the site's pages can still be framed", 'Framing is what clickjacking needs.');
        findings.push(ctx.atSettingOrMissing('X_FRAME_OPTIONS', message, { fixes: [fix], djangoCheck: 'security.W019' }));
      }
    }
    return findings;
  },
};
