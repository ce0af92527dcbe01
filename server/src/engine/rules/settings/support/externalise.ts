import type { SettingState } from '../../../project/settings-module';
import type { Fix } from '../../../types';
import type { SettingsRuleContext } from '../../settings-context';
import { isReferenced, requiredEnvReadIn } from './environment-reads';

/**
 * A fix that makes a setting a required read of `variable`. The production module's own
 * assignment is replaced; an inherited one gets an override in the production module, so
 * development modules sharing the base keep working. When another statement reads the
 * inherited name (`"SIGNING_KEY": SECRET_KEY`), an override would come too late for it, so
 * the value is replaced where it is written, provided that module already imports what the
 * read needs; otherwise there is no exact fix.
 */
export function externaliseSetting(ctx: SettingsRuleContext, state: SettingState, variable: string, title: string): Fix[] {
  const def = state.definition;
  if (def.statement.file === ctx.module.file || !isReferenced(ctx, state.name)) {
    const read = ctx.requiredEnvRead(variable);
    return [ctx.fix(title, [{ kind: 'set', name: state.name, value: read.text, imports: read.imports }])];
  }
  const read = requiredEnvReadIn(ctx, def.statement.file, variable);
  if (!read || def.kind !== 'assign' || !def.valueLoc) return [];
  return [ctx.fix(title, [{ kind: 'replace', location: def.valueLoc, value: read }])];
}
