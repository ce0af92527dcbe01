import type { Finding } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { COMMON_MIDDLEWARE, CSRF_MIDDLEWARE, type InsertPosition, listHas, middlewareInsertFix, SECURITY_MIDDLEWARE, SESSION_MIDDLEWARE } from './support/middleware';
import { MISSING_SETTING_DOCS } from './support/setting-values';

/** DJH121: without SecurityMiddleware or CsrfViewMiddleware, whole classes of protection are off. */
export const securityMiddlewareMissing: SettingsRule = {
  meta: {
    code: 'DJH121',
    name: 'security-middleware-missing',
    severity: 'error',
    scope: 'settings',
    summary: 'MIDDLEWARE lacks SecurityMiddleware or CsrfViewMiddleware.',
    fix: 'unsafe',
    djangoChecks: ['security.W001', 'security.W003'],
  },
  docs: `## What it does
Reports a production settings module whose \`MIDDLEWARE\` lacks \`django.middleware.security.SecurityMiddleware\` or \`django.middleware.csrf.CsrfViewMiddleware\`, once for each missing middleware.

${MISSING_SETTING_DOCS}

## Why is this bad
\`SecurityMiddleware\` is what sends the HSTS, \`X-Content-Type-Options\`, \`Referrer-Policy\` and \`Cross-Origin-Opener-Policy\` headers and performs the HTTPS redirect: without it, \`SECURE_HSTS_SECONDS\`, \`SECURE_CONTENT_TYPE_NOSNIFF\`, \`SECURE_REFERRER_POLICY\` and \`SECURE_SSL_REDIRECT\` are silently ignored (so DJH113–DJH116 and DJH120 say nothing until it is installed). \`CsrfViewMiddleware\` rejects forged cross-site POST requests; without it, any other site can make a logged-in user's browser submit forms to this one. Django's own \`check --deploy\` reports them as \`security.W001\` and \`security.W003\`.

Nothing is reported when \`MIDDLEWARE\` cannot be read (built from an unknown value), nor for a list set in \`base.py\` and overridden in \`production.py\`, nor in a development module.

## Example
\`\`\`python
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
\`\`\`

## Use instead
\`\`\`python
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
\`\`\`
A view that must accept cross-site POSTs (a webhook) can opt out with \`@csrf_exempt\`.

## Fix safety
Unsafe: \`SecurityMiddleware\` starts enforcing whatever the \`SECURE_*\` settings say (an HTTPS redirect, HSTS), and \`CsrfViewMiddleware\` rejects POSTs that carry no CSRF token, such as forms without \`{% csrf_token %}\` and API clients. The middleware goes where \`startproject\` puts it: \`SecurityMiddleware\` first, \`CsrfViewMiddleware\` right after \`CommonMiddleware\` (else after \`SessionMiddleware\`, else after \`SecurityMiddleware\`, else last). The list itself is edited when the production module writes it; a list inherited from \`base.py\` gets a statement in the production module instead (\`MIDDLEWARE.insert(0, ...)\`), so development modules that import the same \`base.py\` keep theirs (a tuple, which has no such method, is edited where it is written). A project without any \`MIDDLEWARE\` gets one holding Django's security middleware.

The middleware Django runs is the list judged and edited: \`MIDDLEWARE_CLASSES\` on a project declaring Django older than 1.10, or Django 1.10 or 1.11 without \`MIDDLEWARE\`, or no version at all with only \`MIDDLEWARE_CLASSES\` set; \`MIDDLEWARE\` otherwise. On Django 2.0 and later a \`MIDDLEWARE_CLASSES\` left behind runs nothing: the finding says to rename it, and no fix is offered, since a new \`MIDDLEWARE\` would drop what the old list holds.

## References
- [Django: SecurityMiddleware](https://docs.djangoproject.com/en/stable/ref/middleware/#module-django.middleware.security)
- [Django: Cross Site Request Forgery protection](https://docs.djangoproject.com/en/stable/ref/csrf/)
- [Django: Middleware ordering](https://docs.djangoproject.com/en/stable/ref/middleware/#middleware-ordering)
`,
  check(ctx) {
    const findings: Finding[] = [];
    // NOTE: Django 2.0 dropped MIDDLEWARE_CLASSES; a list left under that name runs nothing, and
    // replacing it with a fresh MIDDLEWARE would drop what it lists.
    // https://docs.djangoproject.com/en/stable/releases/2.0/#features-removed-in-2-0
    const ignored = ctx.middleware === 'MIDDLEWARE' && !ctx.isSet('MIDDLEWARE') && ctx.isSet('MIDDLEWARE_CLASSES');
    const note = ignored ? ' MIDDLEWARE_CLASSES is ignored since Django 2.0: rename it to MIDDLEWARE.' : '';
    const fixesFor = (item: string, position: InsertPosition) => {
      const fix = ignored ? undefined : middlewareInsertFix(ctx, item, position);
      return fix ? [fix] : [];
    };
    if (listHas(ctx, 'MIDDLEWARE', SECURITY_MIDDLEWARE) === false && !ctx.silenced('security.W001')) {
      const message = `SecurityMiddleware is not in ${ctx.middleware}, so the SECURE_* settings have no effect. No HSTS, nosniff, referrer-policy or HTTPS redirect reaches the browser.${note}`;
      findings.push(ctx.atSettingOrMissing(ctx.middleware, message, { fixes: fixesFor(SECURITY_MIDDLEWARE, 'first'), djangoCheck: 'security.W001' }));
    }
    if (listHas(ctx, 'MIDDLEWARE', CSRF_MIDDLEWARE) === false && !ctx.silenced('security.W003')) {
      const message = `CsrfViewMiddleware is not in ${ctx.middleware}, so requests are not checked for CSRF. Any other site can make a logged-in user's browser submit forms to this one.${note}`;
      findings.push(ctx.atSettingOrMissing(ctx.middleware, message, { fixes: fixesFor(CSRF_MIDDLEWARE, csrfPosition(ctx)), djangoCheck: 'security.W003' }));
    }
    return findings;
  },
};

/** Where `startproject` has CsrfViewMiddleware: after CommonMiddleware, which follows SessionMiddleware. */
function csrfPosition(ctx: SettingsRuleContext): InsertPosition {
  // NOTE: CSRF checks must run before any view-level middleware that trusts the request.
  // https://docs.djangoproject.com/en/stable/ref/middleware/#middleware-ordering
  for (const anchor of [COMMON_MIDDLEWARE, SESSION_MIDDLEWARE, SECURITY_MIDDLEWARE]) {
    if (listHas(ctx, 'MIDDLEWARE', anchor) === true) return { after: anchor };
  }
  return 'last';
}
