import { guarded } from './guarded';
import { ruleEnabled } from './config';
import type { FileAnalyzer } from './file-analyzer';
import type { TemplateRule } from './rules/rule';
import { ALL_RULES } from './rules/registry';
import { matchesTrigger } from './rules/triggers';
import { TemplateFile, TemplateRuleContext } from './templates/context';
import { parseTemplate } from './templates/document';
import { isTemplateFile } from './templates/template-files';
import type { Finding } from './types';

/**
 * Runs the template rules (DJH3xx) on Django templates. `analyze` also serves a document
 * the editor calls `django-html` wherever it lives: it does not check `accepts` itself.
 */
export const templateAnalyzer: FileAnalyzer = {
  name: 'template',
  accepts(file, project) {
    return isTemplateFile(project, file);
  },
  analyze(project, file, config, log) {
    const rules = ALL_RULES.filter((rule): rule is TemplateRule => rule.meta.scope === 'template' && ruleEnabled(config, rule.meta.code));
    if (rules.length === 0) return [];
    const source = project.store.get(file);
    if (!source) return [];
    const interested = rules.filter((rule) => matchesTrigger(source.text, rule.triggers));
    if (interested.length === 0) return [];
    const template = new TemplateFile(project, file, parseTemplate(source.text), new Set(rules.map((rule) => rule.meta.code)));
    const findings: Finding[] = [];
    for (const rule of interested) findings.push(...guarded(log, { file, code: rule.meta.code }, () => rule.check(new TemplateRuleContext(rule.meta, template))));
    return findings;
  },
};
