import { truthy, unsetView, type Value } from '../../settings/values';
import type { Finding, Fix, Location } from '../../types';
import type { SettingsRuleContext } from '../settings-context';
import type { SettingsRule } from '../rule';
import { defaultWithin, requiredListRead, sourceAt, type SourceWithImports } from './support/environment-reads';
import { MISSING_SETTING_DOCS } from './support/setting-values';
import { debuggingTest } from './support/development-switch';

const ENV_VARIABLE = 'DJANGO_ALLOWED_HOSTS';

/** DJH102: an empty ALLOWED_HOSTS fails the deployment check; a '*' accepts any Host header. */
export const allowedHostsUnsafe: SettingsRule = {
  meta: {
    code: 'DJH102',
    name: 'allowed-hosts-unsafe',
    severity: 'warning',
    scope: 'settings',
    summary: "ALLOWED_HOSTS is empty or contains '*' in a production settings module.",
    fix: 'unsafe',
    djangoChecks: ['security.W020'],
  },
  docs: `## What it does
Reports a production settings module whose \`ALLOWED_HOSTS\` is empty (or unset, which is the same) or contains the wildcard \`'*'\`, including an environment read that falls back to \`'*'\`, such as \`os.environ.get("ALLOWED_HOSTS", "*").split(",")\`.

An environment read whose default is empty is not reported: when the variable is missing, Django refuses every request instead of accepting any host, so the mistake fails closed and shows at once. Nor is an empty list in a module that takes in a settings file the repository does not hold, as a deployment's own overrides (\`try: from .local_settings import *\` with no such module, or \`exec(f.read(), globals())\` in a \`try\`): the deployment must set its hosts there, or the site serves nothing. Only \`'*'\` is a wildcard; \`'.example.com'\` matches one domain and its subdomains and is fine.

A value set in \`base.py\` and overridden in \`production.py\` is not reported, nor is one in a development module (\`dev.py\`, \`local.py\`, \`test.py\`).

${MISSING_SETTING_DOCS}

## Why is this bad
Django builds absolute URLs (password-reset links, redirects, \`request.build_absolute_uri()\`) from the \`Host\` header. With \`'*'\`, an attacker who sends a forged \`Host\` gets links to their own server mailed to your users, or poisons a cache with them. An empty list is what \`startproject\` writes: Django's own \`check --deploy\` reports it as \`security.W020\` (whatever \`DEBUG\` is), and the usual quick repair under pressure is \`'*'\`.

## Example
\`\`\`python
ALLOWED_HOSTS = ["*"]
\`\`\`

## Use instead
\`\`\`python
ALLOWED_HOSTS = os.environ["DJANGO_ALLOWED_HOSTS"].split(",")
\`\`\`
or list the host names the site serves, such as \`["example.com", ".example.com"]\`.

## Fix safety
Unsafe: the site answers only the hosts named in \`DJANGO_ALLOWED_HOSTS\`, which must then be set (the read is required, so a missing variable stops the site at startup instead of opening it). The read follows the module's style: \`os.environ[...]\`, python-decouple's \`config(..., cast=Csv())\` or django-environ's \`env.list(...)\`, with the import it needs. An environment read that falls back to \`'*'\` gets an empty default instead, which keeps the variable and fails closed.

## References
- [Django: ALLOWED_HOSTS](https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts)
- [Django: Host header validation](https://docs.djangoproject.com/en/stable/topics/security/#host-header-validation)
`,
  check(ctx) {
    const value = ctx.value('ALLOWED_HOSTS');
    const view = unsetView(value);
    if (truthy(view) === false) return emptyHosts(ctx, value);
    const wildcard = findWildcard(ctx, value, view);
    const state = ctx.setting('ALLOWED_HOSTS');
    if (!wildcard || !state) return [];
    const fixes = [wildcardFix(ctx, wildcard.env)];
    if (wildcard.env) {
      const message = `ALLOWED_HOSTS falls back to '*' when ${wildcard.env.variable} is unset. Django then accepts any Host header, which lets attackers poison password-reset links and caches.`;
      return [wildcard.loc ? ctx.atValue(wildcard.loc, message, { fixes }) : ctx.atSetting(state, message, { fixes })];
    }
    const message = "ALLOWED_HOSTS contains '*', so Django accepts any Host header. Attackers can then poison password-reset links and caches.";
    return [wildcard.loc ? ctx.atValue(wildcard.loc, message, { fixes }) : ctx.atSetting(state, message, { fixes })];
  },
};

function emptyHosts(ctx: SettingsRuleContext, value: Value): Finding[] {
  // NOTE: an environment read with an empty default fails closed: Django answers every
  // request with 400 until the variable is set, so nothing is exposed meanwhile.
  // https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts
  if (value.kind === 'env' || ctx.silenced('security.W020')) return [];
  // A deployment's own settings file, taken in if it is there, must set the hosts, or the site
  // serves nothing: the empty list in the repository fails closed like an empty default.
  if (ctx.evaluated.localOverrides.length > 0) return [];
  const read = hostsRead(ctx);
  const fix = ctx.fix(`Read ALLOWED_HOSTS from ${ENV_VARIABLE}`, [{ kind: 'set', name: 'ALLOWED_HOSTS', value: read.text, imports: read.imports }]);
  const message = `ALLOWED_HOSTS is ${ctx.isSet('ALLOWED_HOSTS') ? 'empty' : 'not set'}, so Django refuses every request once DEBUG is off. A deployed site must list the host names it serves.`;
  return [ctx.atSettingOrMissing('ALLOWED_HOSTS', message, { fixes: [fix], djangoCheck: 'security.W020' })];
}

type EnvRead = Extract<Value, { kind: 'env' }>;

/**
 * Where the '*' (Django's only wildcard) comes from: a literal entry (with its location), or
 * the default of an environment read whose default text holds it.
 */
function findWildcard(ctx: SettingsRuleContext, value: Value, view: Value): { loc?: Location; env?: EnvRead } | undefined {
  const fromDefault = (read: Value): EnvRead | undefined => (read.kind === 'env' && read.defaultLoc && (sourceAt(ctx, read.defaultLoc) ?? '').includes('*') ? read : undefined);
  // NOTE: a string is iterated character by character, so "*" as a string is a wildcard too.
  if (view.kind === 'string') return view.value.includes('*') ? { env: fromDefault(value) } : undefined;
  if (view.kind !== 'list') return undefined;
  for (const item of view.items) {
    const entry = unsetView(item);
    if (entry.kind !== 'string' || entry.value !== '*') continue;
    // A '*' in the default of a read (os.environ.get, a helper, django-environ's scheme) is what production gets unset.
    if (value.kind === 'env') return { loc: item.kind === 'string' ? item.loc : undefined, env: fromDefault(item) ?? fromDefault(value) ?? value };
    if (item.kind === 'string' && item.loc) return { loc: item.loc };
    return { env: fromDefault(item) ?? fromDefault(value) };
  }
  return undefined;
}

/**
 * An environment read falling back to '*' gets an empty default (same variable, fails
 * closed); anything else becomes a required read of DJANGO_ALLOWED_HOSTS.
 */
function wildcardFix(ctx: SettingsRuleContext, read: EnvRead | undefined): Fix {
  if (read?.defaultLoc && defaultWithin(read)) {
    const current = sourceAt(ctx, read.defaultLoc) ?? '';
    const empty = /^[rRuU]?['"]/.test(current) ? ctx.str('') : current.startsWith('[') ? '[]' : current.startsWith('(') ? '()' : undefined;
    if (empty) return ctx.fix(`Default ${read.variable} to no host`, [{ kind: 'replace', location: read.defaultLoc, value: empty }]);
  }
  const required = hostsRead(ctx);
  return ctx.fix(`Read ALLOWED_HOSTS from ${ENV_VARIABLE}`, [{ kind: 'set', name: 'ALLOWED_HOSTS', value: required.text, imports: required.imports }]);
}

/**
 * A required read of DJANGO_ALLOWED_HOSTS; in a module that also serves development, an
 * empty list while the DEBUG switch is on, which Django takes for the local hosts.
 */
function hostsRead(ctx: SettingsRuleContext): SourceWithImports {
  const required = requiredListRead(ctx, ENV_VARIABLE);
  const test = debuggingTest(ctx, 'ALLOWED_HOSTS');
  // NOTE: with DEBUG on and ALLOWED_HOSTS empty, Django allows localhost and 127.0.0.1.
  // https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts
  return test ? { text: `[] if ${test.text} else ${required.text}`, imports: [...required.imports, ...test.imports] } : required;
}
