import type { Trigger } from './triggers';
import type { Finding, RuleMeta } from '../types';
import type { TemplateRuleContext } from '../templates/context';
import type { PythonRuleContext } from './python-context';
import type { SettingsRuleContext } from './settings-context';

/**
 * A rule is data plus a pure function. `docs` is the rule's documentation in Markdown with
 * the headings What it does / Why is this bad / Example / Use instead / Fix safety /
 * References; `docs/rules/<code>.md` and the README table are generated from it.
 */
export interface SettingsRule {
  meta: RuleMeta & { scope: 'settings' };
  docs: string;
  check(ctx: SettingsRuleContext): Finding[];
}

/**
 * A rule over ordinary Python code. `triggers` are cheap text tests: a file whose text
 * matches no trigger of any enabled rule is never parsed. `nodeTypes` are the tree-sitter
 * node types the rule reads; one walk per file collects them for every rule.
 */
export interface PythonRule {
  meta: RuleMeta & { scope: 'python' };
  docs: string;
  triggers: readonly Trigger[];
  nodeTypes: readonly string[];
  check(ctx: PythonRuleContext): Finding[];
}

/**
 * A rule over a Django template. `triggers` are cheap text tests: a template that matches
 * none of a rule's triggers skips that rule.
 */
export interface TemplateRule {
  meta: RuleMeta & { scope: 'template' };
  docs: string;
  triggers: readonly Trigger[];
  check(ctx: TemplateRuleContext): Finding[];
}

export type Rule = SettingsRule | PythonRule | TemplateRule;

/** Where the generated docs are published; diagnostics and SARIF link there. */
export const DOCS_BASE_URL = 'https://django-hardener.dev/rules/';

export function docsUrl(code: string): string {
  return `${DOCS_BASE_URL}${code}`;
}
