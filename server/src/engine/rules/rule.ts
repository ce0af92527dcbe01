import type { Finding, RuleMeta } from '../types';
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

export type Rule = SettingsRule;

/** Where the generated docs are published; diagnostics and SARIF link there. */
export const DOCS_BASE_URL = 'https://django-hardener.dev/rules/';

export function docsUrl(code: string): string {
  return `${DOCS_BASE_URL}${code}`;
}
