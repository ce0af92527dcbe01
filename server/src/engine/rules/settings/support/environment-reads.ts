import { textAt } from '../../../project/source-store';
import type { Location } from '../../../types';
import type { Value } from '../../../settings/values';
import { rangeContains } from '../../../text';
import type { SettingsRuleContext } from '../../settings-context';

/** Source text with the imports it needs, as the settings editor takes it. */
export interface SourceWithImports {
  text: string;
  imports: string[];
}

/**
 * A required read of a comma-separated list variable, in the module's own style:
 * `os.environ["X"].split(",")`, `config("X", cast=Csv())` or `env.list("X")`. Unset, it
 * raises at startup, so nothing insecure can slip through.
 */
export function requiredListRead(ctx: SettingsRuleContext, variable: string): SourceWithImports {
  const style = ctx.environmentStyle();
  const name = ctx.str(variable);
  if (style.kind === 'environ') return { text: `${style.env}.list(${name})`, imports: [] };
  if (style.kind === 'decouple') {
    const csv = decoupleCsv(ctx);
    return { text: `${style.config}(${name}, cast=${csv.text}())`, imports: csv.imports };
  }
  return { text: `os.environ[${name}].split(${ctx.str(',')})`, imports: ['import os'] };
}

/**
 * An optional read of a comma-separated list variable that is an empty list when the
 * variable is unset or empty, in the module's own style.
 */
export function optionalListRead(ctx: SettingsRuleContext, variable: string): SourceWithImports {
  const style = ctx.environmentStyle();
  const name = ctx.str(variable);
  if (style.kind === 'environ') return { text: `${style.env}.list(${name}, default=[])`, imports: [] };
  if (style.kind === 'decouple') {
    const csv = decoupleCsv(ctx);
    return { text: `${style.config}(${name}, default=${ctx.str('')}, cast=${csv.text}())`, imports: csv.imports };
  }
  // NOTE: a bare `.split(",")` of an empty variable gives [""], and an empty key is a key.
  return { text: `[key for key in os.environ.get(${name}, ${ctx.str('')}).split(${ctx.str(',')}) if key]`, imports: ['import os'] };
}

/** The name python-decouple's `Csv` is bound to, or the import that binds it. */
function decoupleCsv(ctx: SettingsRuleContext): SourceWithImports {
  for (const [bound, binding] of ctx.evaluated.bindings) {
    if (binding.kind === 'module' && binding.qualified === 'decouple.Csv') return { text: bound, imports: [] };
  }
  return { text: 'Csv', imports: ['from decouple import Csv'] };
}

/**
 * Whether an environment read's default is written inside the read itself. A default kept
 * elsewhere (a django-environ scheme) survives any rewrite of the read, so a fix that
 * rewrites the read would change nothing.
 */
export function defaultWithin(value: Extract<Value, { kind: 'env' }>): boolean {
  if (!value.defaultLoc || !value.loc) return false;
  return value.defaultLoc.file === value.loc.file && rangeContains(value.loc.range, value.defaultLoc.range);
}

/**
 * A required read written in the style `file` itself already supports, needing no new import
 * (the settings editor adds imports to the production module only). Undefined when `file`
 * binds no environment reader.
 */
export function requiredEnvReadIn(ctx: SettingsRuleContext, file: string, variable: string): string | undefined {
  const bindings = ctx.project.evaluate(file)?.bindings;
  if (!bindings) return undefined;
  const name = ctx.str(variable);
  for (const [bound, binding] of bindings) if (binding.kind === 'environ-env') return `${bound}(${name})`;
  for (const [bound, binding] of bindings) if (binding.kind === 'module' && binding.qualified === 'decouple.config') return `${bound}(${name})`;
  for (const [bound, binding] of bindings) if (binding.kind === 'module' && binding.qualified === 'os') return `${bound}.environ[${name}]`;
  return undefined;
}

/**
 * Whether the production module or a module it star-imports mentions `name` anywhere but in
 * one assignment to it. Another setting built from it (`"PASSWORD": DB_PASSWORD`) keeps the
 * old value when the production module only rebinds the name.
 */
export function isReferenced(ctx: SettingsRuleContext, name: string): boolean {
  let occurrences = 0;
  for (const file of ctx.project.chainOf(ctx.module.file)) {
    const source = ctx.project.store.get(file);
    if (!source || !source.text.includes(name)) continue;
    for (const node of source.syntax().rootNode.descendantsOfType('identifier')) {
      if (node?.text === name) occurrences++;
    }
  }
  return occurrences > 1;
}

/** Whether a django-environ scheme (`environ.Env(X=(str, "..."))`) gives `variable` a default. */
export function schemeDefault(ctx: SettingsRuleContext, variable: string): boolean {
  for (const binding of ctx.evaluated.bindings.values()) {
    if (binding.kind === 'environ-env' && binding.scheme.get(variable)?.default) return true;
  }
  return false;
}

/** The source text at a location, or undefined when the file is not readable. */
export function sourceAt(ctx: SettingsRuleContext, location: Location): string | undefined {
  const source = ctx.project.store.get(location.file);
  return source ? textAt(source, location.range) : undefined;
}

/** Whether the source at a location is a plain string literal (not a name or a call). */
export function isStringLiteralAt(ctx: SettingsRuleContext, location: Location | undefined): boolean {
  if (!location) return false;
  const text = sourceAt(ctx, location);
  return text !== undefined && /^[rRuU]?['"]/.test(text);
}
