import { stringLiteralValue } from '../../parse/python';
import { asList, asString, truthy } from '../../settings/values';
import type { Finding, Fix } from '../../types';
import type { SettingsRule } from '../rule';
import { elementRemoval, nodeAt } from './support/literals';
import { lookup } from './support/settings-lookup';
import { findingMessage } from './support/setting-values';

/** The two template backends Django ships; both default autoescape to True. */
const BACKENDS: Record<string, string> = {
  'django.template.backends.django.DjangoTemplates': 'Django templates',
  'django.template.backends.jinja2.Jinja2': 'Jinja2 templates',
};

/** DJH132: with autoescaping off, every variable in every template is an XSS hole. */
export const templateAutoescapeDisabled: SettingsRule = {
  meta: {
    code: 'DJH132',
    name: 'template-autoescape-disabled',
    severity: 'error',
    scope: 'settings',
    summary: "A TEMPLATES entry sets OPTIONS['autoescape'] to False, so no template output is HTML-escaped.",
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a \`TEMPLATES\` entry of a production settings module whose \`OPTIONS\` set \`"autoescape"\` to a false value, for Django's two built-in backends (\`DjangoTemplates\` and \`Jinja2\`). The finding is on the false value.

## Why is this bad
Autoescaping is what turns \`<script>\` in user data into harmless \`&lt;script&gt;\`. With it off for a backend, every \`{{ variable }}\` in every template of that backend is written raw, so any user-controlled text becomes cross-site scripting unless each template escapes it by hand. For the Jinja2 backend, Django passes \`autoescape\` to Jinja2's \`Environment\`, and \`False\` likewise means nothing is escaped (Django's backend defaults it to \`True\`, unlike plain Jinja2).

To write trusted HTML, mark that value safe, or turn escaping off for one block with \`{% autoescape off %}\`, instead of switching it off everywhere. Backends other than the two built-in ones are not judged.

## Example
\`\`\`python
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]
\`\`\`

## Use instead
\`\`\`python
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {},
    },
]
\`\`\`

## Fix safety
Unsafe: output that templates relied on being raw HTML gets escaped and shows as markup until it is marked safe on purpose. The fix deletes the \`"autoescape"\` entry (with its comma, or its line) from the \`OPTIONS\` dict literal where it is written, so the backend's default, \`True\`, applies again. A value set any other way (a subscript assignment, \`dict(...)\`) gets no fix.

## References
- [Django: DjangoTemplates autoescape option](https://docs.djangoproject.com/en/stable/topics/templates/#django.template.backends.django.DjangoTemplates)
- [Django: Jinja2 backend](https://docs.djangoproject.com/en/stable/topics/templates/#django.template.backends.jinja2.Jinja2)
- [Django security: cross site scripting protection](https://docs.djangoproject.com/en/stable/topics/security/#cross-site-scripting-xss-protection)
`,
  check(ctx) {
    const templates = asList(ctx.value('TEMPLATES'));
    if (!templates) return [];
    const findings: Finding[] = [];
    for (const entry of templates) {
      const backend = BACKENDS[asString(lookup(entry, 'BACKEND') ?? undefined) ?? ''];
      if (!backend) continue;
      // NOTE: both built-in backends default autoescape to True, Jinja2's included.
      // https://docs.djangoproject.com/en/stable/topics/templates/#django.template.backends.jinja2.Jinja2
      const options = lookup(entry, 'OPTIONS');
      const autoescape = options ? lookup(options, 'autoescape') : undefined;
      if (!autoescape || truthy(autoescape) !== false) continue;
      const fixes: Fix[] = [];
      const node = nodeAt(ctx.project.store, autoescape.loc);
      const pair = node?.parent;
      const key = pair?.type === 'pair' ? pair.childForFieldName('key') : null;
      if (pair && key && stringLiteralValue(key) === 'autoescape' && pair.childForFieldName('value')?.id === node!.id) {
        const removal = elementRemoval(ctx.project.store, autoescape.loc!.file, pair);
        if (removal) fixes.push(ctx.fix("Remove the 'autoescape' option", [{ kind: 'replace', location: removal, value: '' }]));
      }
      const message = findingMessage(`TEMPLATES turns autoescape off for ${backend}`, 'variables are written as raw HTML', 'Any user-controlled text they render becomes cross-site scripting.');
      findings.push(autoescape.loc ? ctx.atValue(autoescape.loc, message, { fixes }) : ctx.atSetting(ctx.setting('TEMPLATES')!, message, { fixes }));
    }
    return findings;
  },
};
