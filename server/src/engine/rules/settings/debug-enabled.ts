import { replacementDefault } from '../../fixes/env-default';
import { truthy } from '../../settings/values';
import type { SettingsRule } from '../rule';

/** DJH101: DEBUG on in production shows stack traces, settings and SQL to anyone. */
export const debugEnabled: SettingsRule = {
  meta: {
    code: 'DJH101',
    name: 'debug-enabled',
    severity: 'error',
    scope: 'settings',
    summary: 'DEBUG is True (or defaults to True when its environment variable is unset) in a production settings module.',
    fix: 'unsafe',
    djangoChecks: ['security.W018'],
  },
  docs: `## What it does
Reports \`DEBUG = True\` in a production settings module, including an environment read whose default is true, such as \`env.bool("DEBUG", default=True)\`.

## Why is this bad
With \`DEBUG\` on, every error page shows a stack trace with local variables, most of your settings and the SQL that ran. Django also keeps every query in memory. Django's own \`check --deploy\` reports it as \`security.W018\`.

A value set in \`base.py\` and overridden in \`production.py\` is not reported, nor is one in a development module (\`dev.py\`, \`local.py\`, \`test.py\`).

## Example
\`\`\`python
DEBUG = True
\`\`\`

## Use instead
\`\`\`python
DEBUG = False
\`\`\`
In a single \`settings.py\` that also serves development, read it from the environment with a false default:
\`\`\`python
DEBUG = os.environ.get("DJANGO_DEBUG", "False") == "True"
\`\`\`

## Fix safety
Unsafe: it changes what the running site does. An explicit production module gets \`DEBUG = False\`; a lone \`settings.py\` gets an environment read with a false default (in the module's own style: \`os.environ\`, python-decouple or django-environ); an environment read with a true default gets a false default.

## References
- [Django: DEBUG](https://docs.djangoproject.com/en/stable/ref/settings/#debug)
- [Django deployment checklist](https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#debug)
`,
  check(ctx) {
    if (ctx.silenced('security.W018')) return [];
    const state = ctx.setting('DEBUG');
    if (!state || truthy(state.value) !== true) return [];
    const value = state.value;
    const def = state.definition;
    const fixes = [];
    if (value.kind === 'env' && def.valueLoc) {
      const replacement = replacementDefault(ctx.evaluated, ctx.project.store, def.valueLoc, value, false, ctx.quote);
      if (replacement && value.defaultLoc) {
        fixes.push(ctx.fix(`Default ${value.variable} to false`, [{ kind: 'replace', location: value.defaultLoc, value: replacement }]));
      }
      const message = `DEBUG defaults to True when ${value.variable} is unset. A production server that misses the variable shows stack traces, settings and SQL to anyone.`;
      return [ctx.atSetting(state, message, { fixes, djangoCheck: 'security.W018' })];
    }
    if (ctx.module.explicit) {
      fixes.push(ctx.fix('Set DEBUG = False', [{ kind: 'set', name: 'DEBUG', value: 'False' }]));
    } else {
      const read = debugFromEnvironment(ctx);
      fixes.push(ctx.fix('Read DEBUG from the environment, off by default', [{ kind: 'set', name: 'DEBUG', value: read.text, imports: read.imports }]));
    }
    const message = 'DEBUG is True in a production settings module. Error pages show stack traces, settings and SQL to anyone.';
    return [ctx.atSetting(state, message, { fixes, djangoCheck: 'security.W018' })];
  },
};

function debugFromEnvironment(ctx: Parameters<SettingsRule['check']>[0]): { text: string; imports: string[] } {
  const style = ctx.environmentStyle();
  const name = ctx.str('DJANGO_DEBUG');
  if (style.kind === 'environ') return { text: `${style.env}.bool(${name}, default=False)`, imports: [] };
  if (style.kind === 'decouple') return { text: `${style.config}(${name}, default=False, cast=bool)`, imports: [] };
  return { text: `os.environ.get(${name}, ${ctx.str('False')}) == ${ctx.str('True')}`, imports: ['import os'] };
}
