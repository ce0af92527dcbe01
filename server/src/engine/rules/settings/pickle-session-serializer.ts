import { unsetView } from '../../settings/values';
import type { Fix } from '../../types';
import type { SettingsRule } from '../rule';
import { envDefaultIntent } from './support/settings-lookup';

const JSON_SERIALIZER = 'django.contrib.sessions.serializers.JSONSerializer';

/** DJH131: unpickling session data turns a leaked SECRET_KEY into code execution. */
export const pickleSessionSerializer: SettingsRule = {
  meta: {
    code: 'DJH131',
    name: 'pickle-session-serializer',
    severity: 'error',
    scope: 'settings',
    summary: 'SESSION_SERIALIZER is a pickle serializer, so whoever can forge session data can run code on the server.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a production settings module whose \`SESSION_SERIALIZER\` is \`django.contrib.sessions.serializers.PickleSerializer\`, or any serializer class whose name ends with \`PickleSerializer\` (third-party copies of it, kept after Django removed it), including an environment read with such a default.

## Why is this bad
Session data is unpickled on every request, and unpickling attacker-controlled bytes runs arbitrary code. With the signed-cookie session backend, anyone who learns \`SECRET_KEY\` can write a cookie that executes code on the server; with other backends, any bug that lets an attacker write session data does the same. Django deprecated \`PickleSerializer\` in 4.1 and removed it in 5.0 for this reason.

## Example
\`\`\`python
SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"
\`\`\`

## Use instead
\`\`\`python
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
\`\`\`

## Fix safety
Unsafe: sessions written by the pickle serializer cannot be read by the JSON one, so users are logged out once, and code that stores non-JSON values (datetimes, model instances, sets) in the session fails until it stores JSON-friendly values. The fix sets \`JSONSerializer\` (Django's default): it changes the default of an environment read, replaces a value the production module assigns, or adds an assignment to the production module.

## References
- [Django: Session serialization](https://docs.djangoproject.com/en/stable/topics/http/sessions/#session-serialization)
- [Django 4.1 release notes: PickleSerializer deprecated](https://docs.djangoproject.com/en/stable/releases/4.1/#features-deprecated-in-4-1)
`,
  check(ctx) {
    const state = ctx.setting('SESSION_SERIALIZER');
    if (!state) return [];
    const value = unsetView(state.value);
    if (value.kind !== 'string' || !value.value.trim().endsWith('PickleSerializer')) return [];
    const serializer = value.value.trim().split('.').pop();
    const fromEnv = state.value.kind === 'env' ? state.value : undefined;
    const fixes: Fix[] = [];
    if (fromEnv) {
      const intent = envDefaultIntent(ctx, fromEnv, JSON_SERIALIZER);
      if (intent) fixes.push(ctx.fix(`Default ${fromEnv.variable} to JSONSerializer`, [intent]));
    } else {
      fixes.push(ctx.fix('Serialize sessions as JSON', [{ kind: 'set', name: 'SESSION_SERIALIZER', value: ctx.str(JSON_SERIALIZER) }]));
    }
    const more = 'Unpickling session data lets anyone who can forge a session (with a leaked SECRET_KEY, say) run code on the server.';
    const message = fromEnv ? `SESSION_SERIALIZER defaults to ${serializer} when ${fromEnv.variable} is unset. ${more}` : `SESSION_SERIALIZER is ${serializer}, which unpickles session data. ${more}`;
    return [ctx.atSetting(state, message, { fixes })];
  },
};
