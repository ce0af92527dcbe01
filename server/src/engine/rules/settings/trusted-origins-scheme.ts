import { stringLiteralValue } from '../../parse/python';
import { asString, presentItems } from '../../settings/values';
import type { Finding, Fix, Location } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { nodeAt } from './support/literals';
import { FIRST_SENTENCE_LIMIT } from './support/setting-values';

/** DJH133: from Django 4.0 a CSRF_TRUSTED_ORIGINS entry without a scheme stops Django from starting. */
export const trustedOriginsScheme: SettingsRule = {
  meta: {
    code: 'DJH133',
    name: 'trusted-origins-scheme',
    severity: 'error',
    scope: 'settings',
    summary: 'A CSRF_TRUSTED_ORIGINS entry has no scheme, which Django 4.0 and later refuse to start with.',
    fix: 'unsafe',
    djangoChecks: ['4_0.E001'],
  },
  docs: `## What it does
Reports an entry of \`CSRF_TRUSTED_ORIGINS\` without a scheme (\`example.com\`, \`.example.com\`) in a production settings module of a project on Django 4.0 or later: the version the project declares (requirements, \`pyproject.toml\`, \`Pipfile\`, \`setup.cfg\`), or 4.2 when it declares none. On an older declared Django nothing is reported: there, entries were host names without a scheme. An entry that is the default of an environment read is reported too, as what production gets when the variable is unset.

## Why is this bad
Django 4.0 changed what the setting holds, from host names to origins: \`https://example.com\`, or \`https://*.example.com\` for subdomains. An entry without \`://\` fails Django's system check \`4_0.E001\`, an error: \`runserver\`, \`migrate\` and every management command refuse to run, and a project upgraded without the change does not start. Until then, the old host names no longer match any request's origin, so the cross-site POSTs they were meant to allow (a payment page, another subdomain) are rejected.

## Example
\`\`\`python
CSRF_TRUSTED_ORIGINS = ["shop.example.com", ".example.org"]
\`\`\`

## Use instead
\`\`\`python
CSRF_TRUSTED_ORIGINS = ["https://shop.example.com", "https://*.example.org"]
\`\`\`

## Fix safety
Unsafe: it decides the scheme. The fix prefixes \`https://\` to an entry written as a string literal (a leading dot, the old way to cover subdomains, becomes \`https://*.\`), where it is written, which may be a base module. A site that really takes those requests over plain HTTP needs \`http://\` instead, and DJH129 reports that. Entries that are not string literals get no fix.

## References
- [Django 4.0 release notes: CSRF_TRUSTED_ORIGINS](https://docs.djangoproject.com/en/stable/releases/4.0/#csrf-trusted-origins-changes)
- [Django: CSRF_TRUSTED_ORIGINS](https://docs.djangoproject.com/en/stable/ref/settings/#csrf-trusted-origins)
`,
  check(ctx) {
    // NOTE: django/core/checks/compatibility/django_4_0.py: `if "://" not in origin` is 4_0.E001.
    if (!ctx.djangoAtLeast(4, 0)) return [];
    const state = ctx.setting('CSRF_TRUSTED_ORIGINS');
    const present = state ? presentItems(state.value) : undefined;
    if (!state || !present) return [];
    const findings: Finding[] = [];
    const when = state.value.kind === 'env' ? ` when ${state.value.variable} is unset` : '';
    for (const item of present.items) {
      const origin = asString(item);
      if (origin === undefined || origin.includes('://')) continue;
      const version = ctx.django.declared ? `Django ${ctx.django.version.join('.')}` : 'Django 4.0+';
      const more = "Since Django 4.0 its entries are origins such as 'https://example.com' (system check 4_0.E001).";
      const first = `CSRF_TRUSTED_ORIGINS holds '${origin}' without a scheme${when}, so ${version} refuses to start.`;
      const message = first.length <= FIRST_SENTENCE_LIMIT ? `${first} ${more}` : `A CSRF_TRUSTED_ORIGINS entry has no scheme, so ${version} refuses to start. It is '${origin}'${when}. ${more}`;
      const fix = schemeFix(ctx, item.loc, origin);
      const options = { fixes: fix ? [fix] : [], djangoCheck: '4_0.E001' };
      findings.push(item.loc && !when ? ctx.atValue(item.loc, message, options) : ctx.atSetting(state, message, options));
    }
    return findings;
  },
};

/** `"shop.example.com"` → `"https://shop.example.com"`, `".example.org"` → `"https://*.example.org"`, for a plain string literal. */
function schemeFix(ctx: SettingsRuleContext, loc: Location | undefined, origin: string): Fix | undefined {
  const node = nodeAt(ctx.project.store, loc);
  if (!loc || !node || node.type !== 'string' || stringLiteralValue(node) !== origin) return undefined;
  const prefixed = origin.startsWith('.') ? `https://*${origin}` : `https://${origin}`;
  const text = node.text.replace(/^([a-zA-Z]*["']{1,3})/, `$1${origin.startsWith('.') ? 'https://*' : 'https://'}`);
  if (text === node.text) return undefined;
  return ctx.fix(`Trust ${prefixed}`, [{ kind: 'replace', location: loc, value: text }]);
}
