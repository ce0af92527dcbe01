import { compareVersions } from '../../project/dependencies';
import { unsetView } from '../../settings/values';
import type { Finding, SettingsIntent } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { listEditable, literal } from './support/settings-lookup';
import { MISSING_SETTING_DOCS } from './support/setting-values';

const BUILT_IN_MIDDLEWARE = 'django.middleware.csp.ContentSecurityPolicyMiddleware';
const DJANGO_CSP_MIDDLEWARE = 'csp.middleware.CSPMiddleware';
const SECURITY_MIDDLEWARE = 'django.middleware.security.SecurityMiddleware';
/** django-csp 3's per-directive settings; any of them means the project configured it. */
const CSP3_SETTINGS = /^CSP_[A-Z_]+$/;

type Flavour = 'django' | 'django-csp-4' | 'django-csp-3';

/** DJH124: without a Content-Security-Policy, an injected script runs with the page's full authority. */
export const cspMissing: SettingsRule = {
  meta: {
    code: 'DJH124',
    name: 'csp-missing',
    severity: 'info',
    scope: 'settings',
    summary: 'No Content-Security-Policy is sent: MIDDLEWARE has no CSP middleware, or the built-in one has an empty policy.',
    fix: 'unsafe',
    djangoChecks: ['security.W026'],
  },
  docs: `## What it does
Reports a production settings module whose \`MIDDLEWARE\` has no Content-Security-Policy middleware — neither Django 6.0's \`django.middleware.csp.ContentSecurityPolicyMiddleware\` nor django-csp's \`csp.middleware.CSPMiddleware\` — or has Django's middleware with both \`SECURE_CSP\` and \`SECURE_CSP_REPORT_ONLY\` empty, so that no header is sent.

${MISSING_SETTING_DOCS}

On Django 6.0 and later (declared), a \`SECURE_CSP\` or \`SECURE_CSP_REPORT_ONLY\` that is not a dict is reported instead, as Django's own \`security.W026\` check does: the built-in middleware reads the policy as a dict of directives.

## Why is this bad
A Content-Security-Policy tells the browser where scripts, styles and frames may come from. Without one, any cross-site scripting hole — a \`|safe\` filter too many, a \`mark_safe\` on user input — runs the attacker's script with the full authority of the page. A policy of \`default-src 'self'\` blocks inline and third-party scripts, which stops most injected payloads.

Any middleware whose dotted path mentions CSP or Content-Security-Policy counts as one (a project's own middleware, another package). A header added by the web server is invisible to this rule: silence it with \`# noqa: DJH124\` on the reported line if that is your case. A \`MIDDLEWARE\` that cannot be read is not reported.

## Example
\`\`\`python
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # ... no CSP middleware
]
\`\`\`

## Use instead
On Django 6.0 and later:
\`\`\`python
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # ...
]
SECURE_CSP = {"default-src": ["'self'"]}
\`\`\`
With django-csp 4.x: \`"csp"\` in \`INSTALLED_APPS\`, \`"csp.middleware.CSPMiddleware"\` in \`MIDDLEWARE\` and \`CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"]}}\`. With django-csp 3.x: the middleware and \`CSP_DEFAULT_SRC = ("'self'",)\`.

## Fix safety
Unsafe: a \`'self'\`-only policy blocks inline scripts and styles and anything loaded from another origin (CDNs, analytics, fonts) until you list them; try it as a report-only policy first if the site relies on them. The format follows the versions the project declares: the built-in middleware with \`SECURE_CSP\` (a flat dict, the shape Django's \`security.W026\` check expects) when Django 6.0 or later is declared; else django-csp 4.x (\`CONTENT_SECURITY_POLICY\` with \`"DIRECTIVES"\`, and \`"csp"\` in \`INSTALLED_APPS\`, which its installation guide asks for so its system checks run) or 3.x (\`CSP_DEFAULT_SRC\`; that version needs no app). A declared django-csp wins over Django 6.0 when its settings are already there. django-csp declared without a version is taken as the current 4.x. A policy setting that is already set is kept. The middleware goes right after \`SecurityMiddleware\` (last when that is absent). With none of these declared, no fix is offered, since adding a package the project does not install would break it.

## References
- [Django: Content Security Policy](https://docs.djangoproject.com/en/dev/ref/csp/)
- [django-csp: configuration](https://django-csp.readthedocs.io/en/latest/configuration.html)
- [MDN: Content-Security-Policy](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy)
`,
  check(ctx) {
    const shape = policyShapeFindings(ctx);
    if (shape.length > 0) return shape;
    const middleware = ctx.strings(ctx.middleware);
    if (!middleware) return [];
    if (middleware.some((m) => m !== BUILT_IN_MIDDLEWARE && /csp|content_?security_?policy/i.test(m))) return [];
    if (middleware.includes(BUILT_IN_MIDDLEWARE)) {
      if (!emptyPolicy(ctx, 'SECURE_CSP') || !emptyPolicy(ctx, 'SECURE_CSP_REPORT_ONLY')) return [];
      const fixes = [ctx.fix('Set a same-origin SECURE_CSP policy', [policyIntent(ctx, 'django')])];
      const message = 'SECURE_CSP is empty, so no Content-Security-Policy header is sent. The browser runs any script an attacker manages to inject.';
      return [ctx.atSettingOrMissing('SECURE_CSP', message, { fixes })];
    }
    const flavour = chooseFlavour(ctx);
    const intents = flavour ? cspIntents(ctx, flavour) : undefined;
    const fixes = intents ? [ctx.fix(fixTitle(flavour!), intents)] : [];
    const first = `No Content-Security-Policy header is sent: ${ctx.middleware} has no CSP middleware. The browser runs any script an attacker manages to inject`;
    const advice = ctx.django.declared && !ctx.djangoAtLeast(6, 0) ? 'add django-csp to the requirements' : "use Django 6.0's ContentSecurityPolicyMiddleware or add django-csp to the requirements";
    const message = flavour ? `${first}.` : `${first}; ${advice}.`;
    return [ctx.atSettingOrMissing(ctx.middleware, message, { fixes })];
  },
};

/** Django 6.0's security.W026: SECURE_CSP and SECURE_CSP_REPORT_ONLY must be dicts of directives. */
function policyShapeFindings(ctx: SettingsRuleContext): Finding[] {
  if (!ctx.djangoAtLeast(6, 0)) return [];
  const findings: Finding[] = [];
  for (const name of ['SECURE_CSP', 'SECURE_CSP_REPORT_ONLY']) {
    const state = ctx.setting(name);
    const value = state ? unsetView(state.value) : undefined;
    if (!state || !value || value.kind === 'unknown' || value.kind === 'dict' || value.kind === 'none') continue;
    if (ctx.silenced('security.W026')) continue;
    const shown = value.kind === 'list' ? (value.tuple ? 'a tuple' : 'a list') : `a ${value.kind}`;
    const message = `${name} is ${shown}, not a dict of directives, so Django builds no policy from it. Django's deploy check reports security.W026; write it as {"default-src": [CSP.SELF], ...}.`;
    findings.push(ctx.atSetting(state, message, { djangoCheck: 'security.W026' }));
  }
  return findings;
}

function emptyPolicy(ctx: SettingsRuleContext, name: string): boolean {
  if (!ctx.isSet(name)) return true;
  const value = unsetView(ctx.value(name));
  return value.kind === 'none' || (value.kind === 'dict' && value.entries.length === 0);
}

function chooseFlavour(ctx: SettingsRuleContext): Flavour | undefined {
  const csp = ctx.project.dependencies.get('django-csp');
  const cspFlavour: Flavour | undefined = csp
    ? !csp.version || compareVersions(csp.version, [4]) >= 0
      ? 'django-csp-4'
      : compareVersions(csp.version, [3]) >= 0
        ? 'django-csp-3'
        : undefined
    : undefined;
  // forEach, not an iterator: it visits every setting on every keystroke, and iterators allocate.
  let configured = ctx.isSet('CONTENT_SECURITY_POLICY');
  if (!configured) ctx.evaluated.settings.forEach((_, name) => (configured ||= CSP3_SETTINGS.test(name)));
  if (cspFlavour && configured) return cspFlavour;
  const django = ctx.project.djangoVersion;
  if (django && compareVersions(django, [6]) >= 0) return 'django';
  return cspFlavour;
}

function fixTitle(flavour: Flavour): string {
  if (flavour === 'django') return "Add Django's ContentSecurityPolicyMiddleware with a same-origin policy";
  return "Add django-csp's CSPMiddleware with a same-origin policy";
}

function policyIntent(ctx: SettingsRuleContext, flavour: Flavour): SettingsIntent {
  const self = `[${literal(ctx, "'self'")}]`;
  const directives = `{${ctx.str('default-src')}: ${self}}`;
  if (flavour === 'django') return { kind: 'set', name: 'SECURE_CSP', value: directives };
  if (flavour === 'django-csp-4') return { kind: 'set', name: 'CONTENT_SECURITY_POLICY', value: `{${ctx.str('DIRECTIVES')}: ${directives}}` };
  return { kind: 'set', name: 'CSP_DEFAULT_SRC', value: `(${literal(ctx, "'self'")},)` };
}

/** The middleware, the policy and (django-csp 4) the app, or undefined when one cannot be added exactly. */
function cspIntents(ctx: SettingsRuleContext, flavour: Flavour): SettingsIntent[] | undefined {
  const middleware = ctx.strings(ctx.middleware);
  if (!middleware || !ctx.isSet(ctx.middleware) || !listEditable(ctx, ctx.middleware)) return undefined;
  const intents: SettingsIntent[] = [];
  const item = ctx.str(flavour === 'django' ? BUILT_IN_MIDDLEWARE : DJANGO_CSP_MIDDLEWARE);
  // NOTE: the CSP middleware's position does not matter for the header; after SecurityMiddleware keeps
  // the security headers together. https://docs.djangoproject.com/en/dev/ref/csp/
  intents.push({ kind: 'list-insert', name: ctx.middleware, item, position: middleware.includes(SECURITY_MIDDLEWARE) ? { after: SECURITY_MIDDLEWARE } : 'last' });
  if (flavour === 'django-csp-4') {
    // NOTE: django-csp 4 asks for "csp" in INSTALLED_APPS, where its system checks (which catch
    // leftover 3.x settings) live; 3.x has no app. https://django-csp.readthedocs.io/en/latest/installation.html
    const apps = ctx.strings('INSTALLED_APPS');
    if (!apps || !listEditable(ctx, 'INSTALLED_APPS')) return undefined;
    if (!apps.includes('csp')) intents.push({ kind: 'list-insert', name: 'INSTALLED_APPS', item: ctx.str('csp'), position: 'last' });
  }
  const policySetting = flavour === 'django' ? 'SECURE_CSP' : flavour === 'django-csp-4' ? 'CONTENT_SECURITY_POLICY' : 'CSP_DEFAULT_SRC';
  if (flavour === 'django' ? emptyPolicy(ctx, policySetting) : !ctx.isSet(policySetting)) intents.push(policyIntent(ctx, flavour));
  return intents;
}
