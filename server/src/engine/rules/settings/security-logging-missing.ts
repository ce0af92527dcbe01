import { asString, asStringList, truthy, unsetView, type Value } from '../../settings/values';
import type { Fix } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { dictPair, elementInsertion, nodeAt } from './support/literals';
import { eolOf, lookup, stringKeys } from './support/settings-lookup';
import { MISSING_SETTING_DOCS } from './support/setting-values';

/** The logger Django reports suspicious operations and CSRF failures to, then its ancestors. */
const CHAIN = ['django.security', 'django'];
const NULL_HANDLER = 'logging.NullHandler';

/** DJH127: security events that are logged nowhere cannot be noticed or investigated. */
export const securityLoggingMissing: SettingsRule = {
  meta: {
    code: 'DJH127',
    name: 'security-logging-missing',
    severity: 'info',
    scope: 'settings',
    summary: 'LOGGING does not send the django.security logger (or a parent logger) to a handler.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a production settings module whose \`LOGGING\` sends neither \`django.security\` nor one of its parents (\`django\`, the root logger) to a handler, or that does not set \`LOGGING\` at all. A logger whose \`propagate\` is false stops the search; a handler of class \`logging.NullHandler\` does not count. When \`LOGGING\` keeps existing loggers (\`"disable_existing_loggers": False\`) and configures neither \`django.security\` nor \`django\`, Django's default configuration of \`django\` stays in place, and the message says so: the events are then only emailed to \`ADMINS\`, as when \`LOGGING\` is not set.

${MISSING_SETTING_DOCS}

## Why is this bad
Django reports suspicious requests on the \`django.security.*\` loggers: CSRF failures, requests with a forged \`Host\` header (\`DisallowedHost\`), tampered session or signed data, too many fields in a form. Those are often the first signs of an attack, and with \`DEBUG\` off Django's default logging writes them nowhere (errors are at most emailed to \`ADMINS\`).

\`LOGGING\` that this rule cannot read, \`"incremental": True\`, and a \`LOGGING_CONFIG\` other than \`logging.config.dictConfig\` (logging set up another way) are not reported.

## Example
\`\`\`python
LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"myapp": {"handlers": ["console"]}},
}
\`\`\`

## Use instead
\`\`\`python
LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "myapp": {"handlers": ["console"]},
        "django.security": {"handlers": ["console"], "level": "WARNING"},
    },
}
\`\`\`

## Fix safety
Unsafe: it changes what the site logs. When \`LOGGING\` is unset, the fix adds a small configuration with a console handler and the \`django.security\` logger at \`WARNING\`, keeping Django's default loggers (\`"disable_existing_loggers": False\`). When \`LOGGING\` is a dict literal in the production module that already defines a usable handler (\`console\` preferred), the fix adds the \`django.security\` logger to its \`"loggers"\` (or adds \`"loggers"\`), laid out like the entries around it. Otherwise — \`LOGGING\` built elsewhere or computed, no handler to use, a \`django.security\` logger already configured — no fix is offered.

## References
- [Django: the django.security loggers](https://docs.djangoproject.com/en/stable/ref/logging/#django-security)
- [Django: configuring logging](https://docs.djangoproject.com/en/stable/topics/logging/#configuring-logging)
- [OWASP Logging Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html)
`,
  check(ctx) {
    if (ctx.isSet('LOGGING_CONFIG') && asString(ctx.value('LOGGING_CONFIG')) !== 'logging.config.dictConfig') return [];
    const state = ctx.setting('LOGGING');
    // NOTE: with DEBUG off, Django's default configuration sends 'django' records only to mail_admins (errors).
    // https://docs.djangoproject.com/en/stable/ref/logging/#default-logging-configuration
    if (!state) {
      const fixes = [ctx.fix('Log django.security events to the console', [{ kind: 'set', name: 'LOGGING', value: defaultLogging(ctx) }])];
      const message =
        "LOGGING is not set, so security events are only ever emailed to ADMINS. With DEBUG off, Django's default logging records django.security events (CSRF failures, forged Host headers, tampered sessions) nowhere else.";
      return [ctx.atMissing(message, { fixes })];
    }
    const logging = unsetView(state.value);
    if (logging.kind !== 'dict' || routesSecurity(logging) !== false) return [];
    const fixes: Fix[] = [];
    const insertion = loggerInsertion(ctx, logging);
    if (insertion) fixes.push(ctx.fix(`Send django.security to the ${insertion.handler} handler`, [{ kind: 'replace', location: insertion.location, value: insertion.text }]));
    const message = keepsDjangoDefaults(logging)
      ? "LOGGING keeps Django's default loggers and adds none for django.security. Security events are then only ever emailed to ADMINS: with DEBUG off, nothing else records them (CSRF failures, forged Host headers, tampered sessions)."
      : 'LOGGING sends django.security (or a parent logger) to no handler, so security events leave no trace. CSRF failures, forged Host headers and tampered sessions go unrecorded.';
    return [ctx.atSetting(state, message, { fixes })];
  },
};

/**
 * Whether Django's own configuration of the `django` logger survives: LOGGING keeps existing
 * loggers and configures neither `django` nor `django.security`, so the default handlers
 * (mail_admins with DEBUG off) still take the records.
 * https://docs.djangoproject.com/en/stable/ref/logging/#default-logging-configuration
 */
function keepsDjangoDefaults(logging: Value): boolean {
  const keep = lookup(logging, 'disable_existing_loggers');
  if (!keep || truthy(keep) !== false) return false;
  const loggers = lookup(logging, 'loggers');
  return loggers === null || (loggers !== undefined && CHAIN.every((name) => lookup(loggers, name) === null));
}

/** Whether a django.security record reaches a handler: true, false, or undefined when it cannot be told. */
function routesSecurity(logging: Value): boolean | undefined {
  const incremental = lookup(logging, 'incremental');
  if (incremental === undefined || (incremental !== null && truthy(incremental) !== false)) return undefined;
  const loggers = lookup(logging, 'loggers');
  if (loggers === undefined) return undefined;
  const handlers = lookup(logging, 'handlers');
  for (const name of CHAIN) {
    const config = loggers === null ? null : lookup(loggers, name);
    if (config === undefined) return undefined;
    if (config === null) continue;
    const routed = hasHandler(config, handlers);
    if (routed !== false) return routed;
    const propagate = lookup(config, 'propagate');
    if (propagate === undefined) return undefined;
    if (propagate !== null) {
      const t = truthy(propagate);
      if (t === undefined) return undefined;
      if (!t) return false;
    }
  }
  for (const root of [loggers === null ? null : lookup(loggers, ''), lookup(logging, 'root')]) {
    if (root === undefined) return undefined;
    if (root === null) continue;
    const routed = hasHandler(root, handlers);
    if (routed !== false) return routed;
  }
  return false;
}

function hasHandler(config: Value, handlers: Value | null | undefined): boolean | undefined {
  const names = lookup(config, 'handlers');
  if (names === undefined) return undefined;
  if (names === null) return false;
  const list = asStringList(names);
  if (!list) return undefined;
  return list.some((name) => !isNullHandler(handlers, name));
}

function isNullHandler(handlers: Value | null | undefined, name: string): boolean {
  const config = handlers ? lookup(handlers, name) : undefined;
  return !!config && asString(lookup(config, 'class') ?? undefined) === NULL_HANDLER;
}

function defaultLogging(ctx: SettingsRuleContext): string {
  const q = (s: string) => ctx.str(s);
  return [
    '{',
    `    ${q('version')}: 1,`,
    `    ${q('disable_existing_loggers')}: False,`,
    `    ${q('handlers')}: {`,
    `        ${q('console')}: {${q('class')}: ${q('logging.StreamHandler')}},`,
    '    },',
    `    ${q('loggers')}: {`,
    `        ${loggerEntry(ctx, 'console')},`,
    '    },',
    '}',
  ].join(eolOf(ctx));
}

function loggerEntry(ctx: SettingsRuleContext, handler: string): string {
  const q = (s: string) => ctx.str(s);
  return `${q('django.security')}: {${q('handlers')}: [${q(handler)}], ${q('level')}: ${q('WARNING')}}`;
}

/** Where the django.security logger goes in a LOGGING literal of the production module, if exactly. */
function loggerInsertion(ctx: SettingsRuleContext, logging: Value) {
  const def = ctx.setting('LOGGING')!.definition;
  if (def.kind !== 'assign' || !def.valueLoc || def.valueLoc.file !== ctx.module.file) return undefined;
  const node = nodeAt(ctx.project.store, def.valueLoc);
  if (!node || node.type !== 'dictionary' || node.hasError) return undefined;
  const handlers = lookup(logging, 'handlers');
  const usable = (stringKeys(handlers ?? undefined) ?? []).filter((name) => !isNullHandler(handlers, name));
  const handler = usable.includes('console') ? 'console' : usable[0];
  if (!handler) return undefined;
  const entry = loggerEntry(ctx, handler);
  const loggersPair = dictPair(node, 'loggers');
  let insertion;
  if (!loggersPair) {
    insertion = elementInsertion(ctx.project.store, ctx.module.file, node, [`${ctx.str('loggers')}: {${entry}}`]);
  } else {
    const loggers = loggersPair.childForFieldName('value');
    if (!loggers || loggers.type !== 'dictionary' || dictPair(loggers, 'django.security')) return undefined;
    insertion = elementInsertion(ctx.project.store, ctx.module.file, loggers, [entry]);
  }
  return insertion && { ...insertion, handler };
}
