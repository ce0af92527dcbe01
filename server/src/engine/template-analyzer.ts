import type { FileAnalyzer } from './file-analyzer';
import { enabledRules, runRules, triggeredRules } from './rules/run-rules';
import { TemplateFile, TemplateRuleContext } from './templates/context';
import { parseTemplate } from './templates/document';
import { isTemplateFile } from './templates/template-files';

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
    const rules = enabledRules('template', config);
    if (rules.length === 0) return [];
    const source = project.store.get(file);
    if (!source) return [];
    const interested = triggeredRules(rules, source.text);
    if (interested.length === 0) return [];
    const template = new TemplateFile(project, file, parseTemplate(source.text), new Set(rules.map((rule) => rule.meta.code)));
    return runRules(interested, file, log, (rule) => rule.check(new TemplateRuleContext(rule.meta, template)));
  },
};
