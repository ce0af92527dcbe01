import { textAt } from '../../../project/source-store';
import { unsetView } from '../../../settings/values';
import type { SettingsRuleContext } from '../../settings-context';
import type { SourceWithImports } from './environment-reads';

/**
 * A production module that also serves development (the module manage.py runs, such as a
 * fresh startproject's settings.py) keeps `python manage.py runserver` working after its
 * fixes with one switch: DEBUG, read from the environment (`DJANGO_DEBUG=True` locally,
 * unset in production). Settings that need HTTPS then follow `not DEBUG`, and required
 * variables get a development fallback that only the switch turns on.
 *
 * The Python text that is true while developing, where the fix of `name` writes; undefined
 * when the module has no such switch (an explicit production module, or DEBUG not read
 * from the environment), and the fix writes the production value outright.
 */
export function debuggingTest(ctx: SettingsRuleContext, name: string): SourceWithImports | undefined {
  if (ctx.module.explicit) return undefined;
  const debug = ctx.setting('DEBUG');
  if (!debug || debug.value.kind !== 'env' || unsetView(debug.value).kind !== 'bool') return undefined;
  // A value replaced where it is written may come before DEBUG: it reads the switch itself.
  const target = ctx.setting(name)?.definition;
  const inPlace = target && target.kind === 'assign' && target.statement.file === ctx.module.file;
  const debugLine = debug.definition.statement.file === ctx.module.file ? debug.definition.statement.range.start.line : -1;
  if (!inPlace || target.statement.range.start.line > debugLine) return { text: 'DEBUG', imports: [] };
  const source = debug.definition.valueLoc && ctx.project.store.get(debug.definition.valueLoc.file);
  if (!source || !debug.definition.valueLoc || debug.definition.valueLoc.file !== ctx.module.file) return undefined;
  return { text: `(${textAt(source, debug.definition.valueLoc.range)})`, imports: [] };
}

/** `not DEBUG`, or `not (<the switch>)`. */
export function notDebugging(test: SourceWithImports): string {
  return `not ${test.text}`;
}

/** The key runserver uses when the switch is on and DJANGO_SECRET_KEY is not set: marked for what it is. */
export const DEVELOPMENT_SECRET_KEY = 'django-insecure-development-only';
