import { unsetView, type Value } from '../../settings/values';
import type { SettingState } from '../../settings/settings-module';
import { rangeContains } from '../../text';
import type { Finding, Fix, Location } from '../../types';
import type { SettingsRuleContext } from '../settings-context';
import type { SettingsRule } from '../rule';
import { optionalListRead, schemeDefault, sourceAt } from './support/environment-reads';
import { externaliseSetting } from './support/externalise';
import { listItemRemoval } from './support/list-item';
import { weakKeyReason } from './support/secrets';
import { DEVELOPMENT_SECRET_KEY } from './support/development-switch';

const KEY_VARIABLE = 'DJANGO_SECRET_KEY';

/** DJH103: a SECRET_KEY written in the source is known to everyone who can read the source. */
export const hardcodedSecretKey: SettingsRule = {
  meta: {
    code: 'DJH103',
    name: 'hardcoded-secret-key',
    severity: 'error',
    scope: 'settings',
    summary: 'SECRET_KEY or SECRET_KEY_FALLBACKS is written in the source (or is the default of an environment read) in a production settings module.',
    fix: 'unsafe',
    djangoChecks: ['security.W009', 'security.W025'],
  },
  docs: `## What it does
Reports a production settings module whose \`SECRET_KEY\` is a string literal, or an environment read with a non-empty literal default such as \`os.environ.get("DJANGO_SECRET_KEY", "dev-key")\`, and each key of \`SECRET_KEY_FALLBACKS\` that is a literal or the literal default of an environment read, including an empty one: unlike an empty \`SECRET_KEY\`, which stops Django at startup, an empty fallback key is accepted, so \`os.environ.get("DJANGO_SECRET_KEY_FALLBACKS", "").split(",")\` is reported when the variable is unset. Fallback keys are judged in projects on Django 4.1 or later (the version declared, or 4.2 when none is), the release that introduced the setting.

The message adds "weak" when Django's own \`check --deploy\` would also call the key weak (\`security.W009\`, and \`security.W025\` for a fallback key): fewer than 50 characters, fewer than 5 distinct characters, or the \`django-insecure-\` prefix that \`startproject\` puts on the key it generates. When \`SILENCED_SYSTEM_CHECKS\` silences that check, the key is still reported as hard-coded, without the "weak".

Nothing is reported when \`SECRET_KEY\` is not set or cannot be read statically (a function call, a file read), nor for an empty key or an environment read without a default: Django refuses to start without a key, so those fail closed. A value set in \`base.py\` and overridden in \`production.py\` is not reported, nor is one in a development module (\`dev.py\`, \`local.py\`, \`test.py\`).

## Why is this bad
\`SECRET_KEY\` signs sessions (with cookie-based sessions, their whole content), password-reset links, messages and every \`signing.dumps()\` value. Anyone who has the key, which means anyone with a copy of the repository, its history, a fork or a leaked backup, can forge a session for any user and reset any password. A key in \`SECRET_KEY_FALLBACKS\` is still accepted when verifying signatures, so a leaked fallback key is as bad as a leaked \`SECRET_KEY\`.

## Example
\`\`\`python
SECRET_KEY = "django-insecure-7x!q0^l3h2w$9v..."
\`\`\`

## Use instead
\`\`\`python
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
\`\`\`
Generate the value with \`python -c "from django.core.management.utils import get_random_secret_key; print(get_random_secret_key())"\` and keep it in the deployment's secret store. A key that was ever committed must be replaced, not only moved.

## Fix safety
Unsafe: the new key signs differently, so everyone is logged out and outstanding password-reset links stop working, and the site does not start until \`DJANGO_SECRET_KEY\` is set. The fix replaces the value with a required read of \`DJANGO_SECRET_KEY\` (or of the variable the module already reads) in the module's style: \`os.environ[...]\`, python-decouple's \`config(...)\` or django-environ's \`env(...)\`, adding the import it needs. A key inherited from a base module gets an override in the production module, so development modules keep their own key; when another statement reads it (\`"SIGNING_KEY": SECRET_KEY\`), the key is replaced in the base module instead, provided that module already imports what the read needs. A hard-coded fallback key is removed from \`SECRET_KEY_FALLBACKS\`: it is compromised, so whatever it signed must stop being accepted. A fallback list read from the environment gets a read that is empty when the variable is unset (\`env.list(..., default=[])\`, or a comprehension that drops empty keys with \`os.environ\`). No fix is offered for a default kept in a django-environ scheme (\`environ.Env(SECRET_KEY=(str, "..."))\`): remove it there.

## References
- [Django: SECRET_KEY](https://docs.djangoproject.com/en/stable/ref/settings/#secret-key)
- [Django: SECRET_KEY_FALLBACKS](https://docs.djangoproject.com/en/stable/ref/settings/#secret-key-fallbacks)
- [Django deployment checklist](https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#secret-key)
`,
  check(ctx) {
    // NOTE: SECRET_KEY_FALLBACKS exists from Django 4.1; before it, the setting is an unused name.
    return [...secretKeyFindings(ctx), ...(ctx.djangoAtLeast(4, 1) ? fallbackFindings(ctx) : [])];
  },
};

type EnvRead = Extract<Value, { kind: 'env' }>;

/** The hard-coded key a value amounts to: a literal, or a literal default of an environment read. */
function hardcodedKey(value: Value): { key: string; env?: EnvRead } | undefined {
  if (value.kind === 'string') return value.value ? { key: value.value } : undefined;
  if (value.kind !== 'env') return undefined;
  const unset = unsetView(value);
  // NOTE: an empty key (or None) makes Django raise ImproperlyConfigured at startup: it
  // fails closed, and there is no secret to leak.
  // https://docs.djangoproject.com/en/stable/ref/settings/#secret-key
  return unset.kind === 'string' && unset.value ? { key: unset.value, env: value } : undefined;
}

function secretKeyFindings(ctx: SettingsRuleContext): Finding[] {
  const state = ctx.setting('SECRET_KEY');
  if (!state) return [];
  const found = hardcodedKey(state.value);
  if (!found) return [];
  const weak = ctx.silenced('security.W009') ? undefined : weakKeyReason(found.key);
  const consequence = 'Anyone with the source can forge sessions and password-reset tokens.';
  const message = found.env
    ? `SECRET_KEY falls back to a key written in the source when ${found.env.variable} is unset.${weak ? ` It is also weak (${weak}).` : ''} ${consequence}`
    : weak
      ? `SECRET_KEY is hard-coded and weak (${weak}). ${consequence}`
      : `SECRET_KEY is hard-coded in the source. ${consequence}`;
  const fixes = keyFix(ctx, state, found.env);
  return [ctx.atSetting(state, message, { fixes, djangoCheck: weak ? 'security.W009' : undefined })];
}

function keyFix(ctx: SettingsRuleContext, state: SettingState, env: EnvRead | undefined): Fix[] {
  // A default kept in a django-environ scheme would survive any rewrite of the read itself.
  if (env && schemeDefault(ctx, env.variable)) return [];
  const variable = env?.variable ?? KEY_VARIABLE;
  const title = variable === 'SECRET_KEY' ? 'Read SECRET_KEY from the environment' : `Read SECRET_KEY from ${variable}`;
  return externaliseSetting(ctx, state, variable, title, DEVELOPMENT_SECRET_KEY);
}

function fallbackFindings(ctx: SettingsRuleContext): Finding[] {
  const state = ctx.setting('SECRET_KEY_FALLBACKS');
  if (!state) return [];
  const view = unsetView(state.value);
  if (view.kind !== 'list') return [];
  const whole = state.value.kind === 'env' ? state.value : undefined;
  const silenced = ctx.silenced('security.W025');
  const findings: Finding[] = [];
  view.items.forEach((item, index) => {
    const unset = unsetView(item);
    if (unset.kind !== 'string') return;
    const env = whole ?? (item.kind === 'env' ? item : undefined);
    const which = `SECRET_KEY_FALLBACKS[${index}]`;
    const weak = silenced ? undefined : weakKeyReason(unset.value);
    const when = env ? ` when ${env.variable} is unset` : '';
    // NOTE: unlike an empty SECRET_KEY, an empty fallback key does not stop Django: a value
    // signed with the empty key is accepted, and anyone can compute that signature.
    // https://docs.djangoproject.com/en/stable/ref/settings/#secret-key-fallbacks
    const message = unset.value
      ? `${which} is ${weak ? `a hard-coded, weak key (${weak})` : 'a hard-coded key'}${when}. Django still accepts what it signs, so anyone with the source can forge sessions and tokens.`
      : `${which} is an empty key${when}. Django accepts what it signs, so anyone can forge sessions and tokens.`;
    const options = { fixes: fallbackFix(ctx, state, item, unset.value, whole), djangoCheck: weak ? 'security.W025' : undefined };
    findings.push(item.loc && !whole ? ctx.atValue(item.loc, message, options) : ctx.atSetting(state, message, options));
  });
  return findings;
}

/**
 * A literal key is removed from the list: it is compromised, so keeping it valid would keep
 * forged signatures valid. A list read from the environment gets a read that is empty when
 * the variable is unset; a key read from the environment gets a required read.
 */
function fallbackFix(ctx: SettingsRuleContext, state: SettingState, item: Value, key: string, whole: EnvRead | undefined): Fix[] {
  if (whole) {
    if (schemeDefault(ctx, whole.variable)) return [];
    const read = optionalListRead(ctx, whole.variable);
    return [ctx.fix(`Read SECRET_KEY_FALLBACKS from ${whole.variable}, empty by default`, [{ kind: 'set', name: 'SECRET_KEY_FALLBACKS', value: read.text, imports: read.imports }])];
  }
  if (item.kind === 'env') {
    if (!item.loc || item.loc.file !== ctx.module.file || schemeDefault(ctx, item.variable)) return [];
    const read = ctx.requiredEnvRead(item.variable);
    return [ctx.fix(`Require ${item.variable} without a default`, [{ kind: 'replace', location: item.loc, value: read.text, imports: read.imports }])];
  }
  const removal = item.loc && inListLiteral(ctx, state, item.loc) ? listItemRemoval(ctx, item.loc) : undefined;
  if (!removal) return [];
  const title = key ? 'Remove the hard-coded key from SECRET_KEY_FALLBACKS' : 'Remove the empty key from SECRET_KEY_FALLBACKS';
  return [ctx.fix(title, [{ kind: 'replace', location: removal, value: '' }])];
}

/** Whether an item sits in the list or tuple literal that defines the setting, so it can be removed in place. */
function inListLiteral(ctx: SettingsRuleContext, state: SettingState, location: Location): boolean {
  const def = state.definition;
  if (def.kind !== 'assign' || !def.valueLoc || def.valueLoc.file !== location.file) return false;
  if (!rangeContains(def.valueLoc.range, location.range)) return false;
  return /^[[(]/.test(sourceAt(ctx, def.valueLoc) ?? '');
}
