import { repository } from '../../../../package.json';
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

/**
 * The project's public pages all follow from `repository` in package.json, the one place a
 * publisher sets: the rule pages are the generated `docs/rules/<code>.md` files of its
 * default branch, as the forge renders them.
 */
export const REPOSITORY_URL = repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/** The public page of a rule (SARIF `helpUri`, and the editor's link when the docs are not installed beside the server). */
export function docsUrl(code: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/rules/${code}.md`;
}
