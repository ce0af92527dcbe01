import { replacementDefault } from '../../../fixes/env-default';
import { describe, truthy, unsetView, type Value } from '../../../settings/values';
import { offsetAt } from '../../../text';
import type { Fix } from '../../../types';
import type { SettingsRuleContext } from '../../settings-context';
import { debuggingTest, notDebugging } from './development-switch';

/** Python's `value is True` for the value production ends up with; undefined when unknown. */
export function isTrue(value: Value): boolean | undefined {
  const view = unsetView(value);
  if (view.kind === 'unknown') return undefined;
  return view.kind === 'bool' && view.value;
}

/**
 * How a message names a setting's current value: "is not set", "is False", or "is False
 * when DJANGO_X is unset" for an environment read.
 */
export function currentValuePhrase(ctx: SettingsRuleContext, name: string): string {
  const state = ctx.setting(name);
  if (!state) return `${name} is not set`;
  const value = state.value;
  if (value.kind === 'env') return `${name} is ${describe(unsetView(value))} when ${value.variable} is unset`;
  return `${name} is ${describe(value)}`;
}

/**
 * The message for a setting that is truthy but not the boolean True: SecurityMiddleware
 * only tests truthiness, so the protection works, but Django's deploy check keeps warning.
 * Undefined when the value is not truthy.
 */
export function truthyNotTrueMessage(ctx: SettingsRuleContext, name: string, djangoCheck: string): string | undefined {
  if (truthy(ctx.value(name)) !== true) return undefined;
  return findingMessage(
    `${currentValuePhrase(ctx, name)} rather than True`,
    `Django's deploy check keeps reporting ${djangoCheck}`,
    'The setting does take effect: the check accepts only the boolean True.',
  );
}

/**
 * A fix that makes a boolean setting True: an environment read gets a True default, so the
 * variable still works; anything else is set to True.
 */
export function setTrueFix(ctx: SettingsRuleContext, name: string, comment?: string): Fix {
  const state = ctx.setting(name);
  const value = state?.value;
  if (state && value?.kind === 'env' && value.defaultLoc && state.definition.valueLoc && unsetView(value).kind === 'bool') {
    const replacement = replacementDefault(ctx.evaluated, ctx.project.store, state.definition.valueLoc, value, true, ctx.quote);
    if (replacement) return ctx.fix(`Default ${value.variable} to True`, [{ kind: 'replace', location: value.defaultLoc, value: replacement }]);
  }
  return ctx.fix(`Set ${name} = True`, [{ kind: 'set', name, value: 'True', ...(comment ? { comment } : {}) }]);
}

/**
 * A fix for a setting that needs HTTPS (the HTTPS redirect, Secure cookies): in a module that
 * also serves development with a DEBUG switch, it follows `not DEBUG`, so `runserver` keeps
 * serving plain HTTP; elsewhere it is True (see setTrueFix).
 */
export function setWhenNotDebuggingFix(ctx: SettingsRuleContext, name: string): Fix {
  const test = debuggingTest(ctx, name);
  if (!test || ctx.setting(name)?.value.kind === 'env') return setTrueFix(ctx, name);
  return ctx.fix(`Set ${name} = not DEBUG`, [{ kind: 'set', name, value: notDebugging(test), imports: test.imports }]);
}

/**
 * A fix that sets a number setting: an environment read whose default is a plain number
 * (or a quoted one) gets the new number as its default, so the variable still works.
 */
export function setNumberFix(ctx: SettingsRuleContext, name: string, number: number, comment?: string): Fix {
  const state = ctx.setting(name);
  const value = state?.value;
  if (state && value?.kind === 'env' && value.defaultLoc && state.definition.valueLoc?.file === value.defaultLoc.file) {
    const text = ctx.project.store.get(value.defaultLoc.file)?.text ?? '';
    const current = text.slice(offsetAt(text, value.defaultLoc.range.start), offsetAt(text, value.defaultLoc.range.end));
    const quoted = /^(['"])\d*\1$/.exec(current);
    if (/^\d+$/.test(current) || quoted) {
      const replacement = quoted ? `${quoted[1]}${number}${quoted[1]}` : String(number);
      return ctx.fix(`Default ${value.variable} to ${number}`, [{ kind: 'replace', location: value.defaultLoc, value: replacement }]);
    }
  }
  return ctx.fix(`Set ${name} = ${number}`, [{ kind: 'set', name, value: String(number), comment }]);
}

/** What the editors' problem lists show of a message before cutting it. */
export const FIRST_SENTENCE_LIMIT = 100;

/**
 * A finding message whose first sentence stands alone within FIRST_SENTENCE_LIMIT
 * characters: `state, so consequence.` when that fits, else `state.` with the consequence
 * as a sentence of its own; `more` follows either way.
 */
export function findingMessage(state: string, consequence: string, more?: string): string {
  const joined = `${state}, so ${consequence}.`;
  const first = joined.length <= FIRST_SENTENCE_LIMIT ? joined : `${state}. ${consequence.charAt(0).toUpperCase()}${consequence.slice(1)}.`;
  return more ? `${first} ${more}` : first;
}

/** For the docs of the rules that report a setting missing altogether. */
export const MISSING_SETTING_DOCS =
  "A setting missing altogether is reported on the production module's first line of code (after its docstring, so a `# noqa` can go there; in a module built on `base.py`, its star import): it is the module as a whole that lacks it. Each rule reports its own setting there, so `--select`, `--ignore` and `# noqa` work per rule. See [where findings go](../settings-model.md#where-findings-go).";
