import type { Rule } from './rule';
import { debugEnabled } from './settings/debug-enabled';

/** Every rule, sorted by code. Adding a rule adds one import and one line here. */
export const ALL_RULES: readonly Rule[] = [
  debugEnabled,
];

export function ruleByCode(code: string): Rule | undefined {
  return ALL_RULES.find((rule) => rule.meta.code === code);
}
