import { ruleEnabled, type HardenerConfig } from '../config';
import { guarded, type AnalysisLog } from '../guarded';
import { holdsInBlock, holdsInSomeLine } from '../parse/block-text-tests';
import type { StatementBlock } from '../parse/module-syntax';
import type { Finding, RuleScope } from '../types';
import { ALL_RULES } from './registry';
import type { PythonRule, Rule, SettingsRule, TemplateRule } from './rule';
import { matchesTrigger } from './triggers';

type RuleOf<S extends RuleScope> = S extends 'settings' ? SettingsRule : S extends 'python' ? PythonRule : TemplateRule;

/**
 * How every analyzer runs its rules: the enabled rules of its scope, those whose cheap text
 * triggers match, each rule guarded so that one failing costs only its own findings.
 */

/** The rules of one scope the configuration enables, in the registry's order. */
export function enabledRules<S extends RuleScope>(scope: S, config: HardenerConfig): RuleOf<S>[] {
  return ALL_RULES.filter((rule): rule is RuleOf<S> => rule.meta.scope === scope && ruleEnabled(config, rule.meta.code));
}

/**
 * The rules among `rules` whose text triggers match `text`: the others cannot fire on it.
 * A module kept in blocks (`blocks`) is tested block by block, each block's answer kept
 * (see holdsInSomeLine): a keystroke tests the block it touched.
 */
export function triggeredRules<R extends PythonRule | TemplateRule>(rules: readonly R[], text: string, blocks?: readonly StatementBlock[]): R[] {
  return rules.filter((rule) => holdsInSomeLine(text, blocks, triggerKey(rule.meta.code), (part) => matchesTrigger(part, rule.triggers)));
}

/** Whether a rule's triggers match the text of block `index` of a module kept in blocks (the answer shared with triggeredRules). */
export function triggeredInBlock(rule: PythonRule | TemplateRule, text: string, blocks: readonly StatementBlock[], index: number): boolean {
  return holdsInBlock(text, blocks, index, triggerKey(rule.meta.code), (part) => matchesTrigger(part, rule.triggers));
}

function triggerKey(code: string): string {
  return `trigger ${code}`;
}

/** Runs each rule on `file` through `check`, guarded, and collects the findings in the rules' order. */
export function runRules<R extends Rule>(rules: readonly R[], file: string, log: AnalysisLog | undefined, check: (rule: R) => Finding[]): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) findings.push(...guarded(log, { file, code: rule.meta.code }, () => check(rule)));
  return findings;
}
