import type { SettingState } from '../../../settings/settings-module';
import type { Fix } from '../../../types';
import type { SettingsRuleContext } from '../../settings-context';
import { debuggingTest } from './development-switch';
import { isReferenced, requiredEnvReadIn } from './environment-reads';

/**
 * A fix that makes a setting a required read of `variable`. The production module's own
 * assignment is replaced; an inherited one gets an override in the production module, so
 * development modules sharing the base keep working. When another statement reads the
 * inherited name (`"SIGNING_KEY": SECRET_KEY`), an override would come too late for it, so
 * the value is replaced where it is written, provided that module already imports what the
 * read needs; otherwise there is no exact fix.
 */
export function externaliseSetting(ctx: SettingsRuleContext, state: SettingState, variable: string, title: string, developmentDefault?: string): Fix[] {
  const def = state.definition;
  if (def.statement.file === ctx.module.file || !isReferenced(ctx, state.name)) {
    const read = ctx.requiredEnvRead(variable);
    // In a module that also serves development, the switch lets runserver start without the variable.
    const test = developmentDefault === undefined ? undefined : debuggingTest(ctx, state.name);
    const value = test ? `${read.text} if not ${test.text} else ${optionalEnvRead(ctx, variable, developmentDefault!)}` : read.text;
    return [ctx.fix(title, [{ kind: 'set', name: state.name, value, imports: [...read.imports, ...(test?.imports ?? [])] }])];
  }
  const read = requiredEnvReadIn(ctx, def.statement.file, variable);
  if (!read || def.kind !== 'assign' || !def.valueLoc) return [];
  return [ctx.fix(title, [{ kind: 'replace', location: def.valueLoc, value: read }])];
}

/** An optional read of `variable` with `fallback` as its default, in the module's own style. */
function optionalEnvRead(ctx: SettingsRuleContext, variable: string, fallback: string): string {
  const style = ctx.environmentStyle();
  const name = ctx.str(variable);
  if (style.kind === 'environ') return `${style.env}(${name}, default=${ctx.str(fallback)})`;
  if (style.kind === 'decouple') return `${style.config}(${name}, default=${ctx.str(fallback)})`;
  return `os.environ.get(${name}, ${ctx.str(fallback)})`;
}
