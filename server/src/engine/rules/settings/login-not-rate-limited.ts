import { compareVersions } from '../../project/dependencies';
import type { SettingsIntent } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { listEditable } from './support/settings-lookup';
import { MISSING_SETTING_DOCS } from './support/setting-values';

const AXES_APPS = ['axes', 'defender'];
const MODEL_BACKEND = 'django.contrib.auth.backends.ModelBackend';
const AXES_MIDDLEWARE = 'axes.middleware.AxesMiddleware';

/** DJH123: nothing stops an attacker from trying passwords as fast as the server answers. */
export const loginNotRateLimited: SettingsRule = {
  meta: {
    code: 'DJH123',
    name: 'login-not-rate-limited',
    severity: 'info',
    scope: 'settings',
    summary: 'Neither django-axes nor django-defender is in INSTALLED_APPS, so failed logins are never limited.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a production settings module that uses \`django.contrib.auth\` but has neither django-axes (\`axes\`) nor django-defender (\`defender\`) in \`INSTALLED_APPS\`.

${MISSING_SETTING_DOCS}

## Why is this bad
Django does not limit failed logins: the admin and every login view answer wrong passwords as fast as the server can, so an attacker can try a password list against one account, or one common password against every account. Lockout after a few failures turns that into a handful of guesses per cool-off period.

Rate limiting done elsewhere (a reverse proxy, a WAF, a custom backend) is invisible to this rule; silence it with \`# noqa: DJH123\` on the reported line if that is your case. A project whose \`INSTALLED_APPS\` cannot be read is not reported.

## Example
\`\`\`python
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    # ...
]
\`\`\`

## Use instead
With \`django-axes\` in the requirements:
\`\`\`python
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    # ...
    "axes",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE = [
    # ...
    "axes.middleware.AxesMiddleware",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
\`\`\`

## Fix safety
Unsafe, and only offered when the project declares \`django-axes\` in its dependencies: a fix never adds an app the project cannot import. Without it, the message says what to install. The fix adds \`axes\` last to \`INSTALLED_APPS\`, the axes backend first to \`AUTHENTICATION_BACKENDS\` (creating the setting with \`ModelBackend\` after it when it is unset), \`AxesMiddleware\` last to \`MIDDLEWARE\`, and \`AXES_FAILURE_LIMIT = 5\` / \`AXES_COOLOFF_TIME = 1\` (one hour) unless they are set. The backend is \`AxesStandaloneBackend\`, or \`AxesBackend\` when the declared version is older than 5.36, which introduced the standalone one; axes older than 5.0 (no backend, no middleware) gets no fix. After the fix, run \`python manage.py migrate\` (axes keeps its attempts in the database), and expect legitimate users to be locked out for an hour after five wrong passwords.

## References
- [django-axes: installation](https://django-axes.readthedocs.io/en/latest/2_installation.html)
- [django-defender](https://github.com/jazzband/django-defender)
- [OWASP Authentication Cheat Sheet: protect against automated attacks](https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks)
`,
  check(ctx) {
    const apps = ctx.strings('INSTALLED_APPS');
    // NOTE: without django.contrib.auth there is no password login to rate-limit.
    // https://docs.djangoproject.com/en/stable/topics/auth/
    if (!apps || !apps.includes('django.contrib.auth')) return [];
    if (apps.some((app) => AXES_APPS.some((name) => app === name || app.startsWith(`${name}.`)))) return [];
    const axes = ctx.project.dependencies.get('django-axes');
    if (!axes) {
      const message = 'Logins are not rate-limited: neither django-axes nor django-defender is installed. Passwords can be guessed as fast as the server answers; add django-axes to the requirements.';
      return [ctx.atSettingOrMissing('INSTALLED_APPS', message)];
    }
    const intents = axesIntents(ctx, axes.version);
    const fixes = intents ? [ctx.fix('Lock out repeated failed logins with django-axes', intents)] : [];
    const message = 'Logins are not rate-limited: django-axes is declared but not in INSTALLED_APPS. Passwords can be guessed as fast as the server answers.';
    return [ctx.atSettingOrMissing('INSTALLED_APPS', message, { fixes })];
  },
};

/** Every change django-axes needs, or undefined when one of them cannot be made exactly. */
function axesIntents(ctx: SettingsRuleContext, version: number[] | undefined): SettingsIntent[] | undefined {
  if (version && compareVersions(version, [5]) < 0) return undefined;
  // NOTE: AxesStandaloneBackend arrived in django-axes 5.36; older releases only have AxesBackend.
  // https://django-axes.readthedocs.io/en/latest/2_installation.html
  const backend = version && compareVersions(version, [5, 36]) < 0 ? 'axes.backends.AxesBackend' : 'axes.backends.AxesStandaloneBackend';
  const middleware = ctx.strings(ctx.middleware);
  if (!ctx.isSet(ctx.middleware) || !middleware || !listEditable(ctx, ctx.middleware) || !listEditable(ctx, 'INSTALLED_APPS')) return undefined;
  const intents: SettingsIntent[] = [{ kind: 'list-insert', name: 'INSTALLED_APPS', item: ctx.str('axes'), position: 'last' }];
  if (!ctx.isSet('AUTHENTICATION_BACKENDS')) {
    intents.push({ kind: 'set', name: 'AUTHENTICATION_BACKENDS', value: `[${ctx.str(backend)}, ${ctx.str(MODEL_BACKEND)}]` });
  } else {
    const backends = ctx.strings('AUTHENTICATION_BACKENDS');
    if (!backends || !listEditable(ctx, 'AUTHENTICATION_BACKENDS')) return undefined;
    if (!backends.includes(backend)) intents.push({ kind: 'list-insert', name: 'AUTHENTICATION_BACKENDS', item: ctx.str(backend), position: 'first' });
  }
  if (!middleware.includes(AXES_MIDDLEWARE)) intents.push({ kind: 'list-insert', name: ctx.middleware, item: ctx.str(AXES_MIDDLEWARE), position: 'last' });
  const comment = 'django-axes: lock out for AXES_COOLOFF_TIME hours after AXES_FAILURE_LIMIT failed logins';
  if (!ctx.isSet('AXES_FAILURE_LIMIT')) intents.push({ kind: 'set', name: 'AXES_FAILURE_LIMIT', value: '5', comment });
  if (!ctx.isSet('AXES_COOLOFF_TIME')) intents.push({ kind: 'set', name: 'AXES_COOLOFF_TIME', value: '1', comment: ctx.isSet('AXES_FAILURE_LIMIT') ? comment : undefined });
  return intents;
}
