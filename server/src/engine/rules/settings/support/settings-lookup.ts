import { pythonString } from '../../../parse/python';
import { asString, unsetView, type Value } from '../../../settings/values';
import { lineBreakOf, lineText } from '../../../text';
import type { Location, SettingsIntent } from '../../../types';
import type { SettingsRuleContext } from '../../settings-context';
import { nodeAt } from './literals';

/**
 * The value under `key` in a dict value: the value, `null` when the key is surely absent,
 * or `undefined` when it cannot be told (the value is not a known dict, or a key is unknown).
 */
export function lookup(dict: Value | undefined, key: string): Value | null | undefined {
  if (!dict) return undefined;
  const d = unsetView(dict);
  if (d.kind !== 'dict') return undefined;
  let unknownKey = false;
  for (let i = d.entries.length - 1; i >= 0; i--) {
    const k = unsetView(d.entries[i].key);
    if (k.kind === 'string' && k.value === key) return d.entries[i].value;
    if (k.kind === 'unknown') unknownKey = true;
  }
  return unknownKey ? undefined : null;
}

/** The string keys of a known dict, or undefined when a key is not a known string. */
export function stringKeys(dict: Value | undefined): string[] | undefined {
  if (!dict) return undefined;
  const d = unsetView(dict);
  if (d.kind !== 'dict') return undefined;
  const keys: string[] = [];
  for (const entry of d.entries) {
    const key = asString(entry.key);
    if (key === undefined) return undefined;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** A location cut to its first line, so a finding on a multi-line value underlines one line. */
export function firstLine(ctx: SettingsRuleContext, location: Location): Location {
  const { start, end } = location.range;
  if (start.line === end.line) return location;
  const text = ctx.project.store.get(location.file)?.text ?? '';
  const line = lineText(text, start.line).trimEnd();
  return { file: location.file, range: { start, end: { line: start.line, character: Math.max(start.character, line.length) } } };
}

/**
 * Whether list intents on a setting become code that runs: a list can be edited in place or
 * with `.append()`/`.insert()`/`.remove()`, a tuple only as the literal that defines it.
 */
export function listEditable(ctx: SettingsRuleContext, name: string): boolean {
  const state = ctx.setting(name);
  if (!state) return false;
  const value = unsetView(state.value);
  if (value.kind !== 'list') return false;
  if (!value.tuple) return true;
  const def = state.definition;
  if (def.kind !== 'assign' || !def.valueLoc) return false;
  const node = nodeAt(ctx.project.store, def.valueLoc);
  return node?.type === 'tuple' && !node.namedChildren.some((c) => c?.type === 'list_splat');
}

/**
 * A Python string literal for `value`: the module's own quote, unless the value holds that
 * quote (CSP keywords such as `'self'` read better in double quotes than escaped).
 */
export function literal(ctx: SettingsRuleContext, value: string): string {
  return value.includes(ctx.quote) && !value.includes('"') ? pythonString(value, '"') : ctx.str(value);
}

/**
 * A 'replace' intent that changes the literal default of an environment read, so the
 * variable keeps working and only the fallback becomes safe. The new default keeps the
 * old one's type: a number literal stays a number, a string stays a string.
 */
export function envDefaultIntent(ctx: SettingsRuleContext, value: Value, replacement: string | number): SettingsIntent | undefined {
  if (value.kind !== 'env' || !value.defaultLoc) return undefined;
  const node = nodeAt(ctx.project.store, value.defaultLoc);
  if (!node) return undefined;
  let text: string | undefined;
  if (node.type === 'string') {
    // Keep the literal's own quote when it can hold the new value.
    const quote = node.text[0];
    text = (quote === '"' || quote === "'") && !String(replacement).includes(quote) ? pythonString(String(replacement), quote) : literal(ctx, String(replacement));
  } else if (node.type === 'integer' && typeof replacement === 'number') text = String(replacement);
  if (text === undefined) return undefined;
  return { kind: 'replace', location: value.defaultLoc, value: text };
}

/** The line break the production module already uses. */
export function eolOf(ctx: SettingsRuleContext): string {
  return lineBreakOf(ctx.project.store.get(ctx.module.file)?.text ?? '');
}
