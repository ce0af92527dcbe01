import { ruleEnabled, type HardenerConfig } from './config';
import { FILE_ANALYZERS } from './file-analyzers';
import { ignoredForFile } from './per-file-ignores';
import type { Project, SettingsModuleInfo } from './project/project';
import { SettingsRuleContext } from './rules/settings-context';
import type { SettingsRule } from './rules/rule';
import { ALL_RULES } from './rules/registry';
import { applySuppressions } from './suppression';
import { comparePositions } from './text';
import type { Finding } from './types';

export interface AnalysisLog {
  (message: string): void;
}

export interface AnalysisOptions {
  config: HardenerConfig;
  log?: AnalysisLog;
  /** Keep findings silenced by `# noqa` (the "Harden settings" command still wants them). */
  keepSuppressed?: boolean;
  /** Files the editor calls `django-html`: templates wherever they live. */
  templateDocuments?: ReadonlySet<string>;
}

/** Why a production module was not judged, for the CLI and the server log. */
export interface SkippedModule {
  file: string;
  reason: string;
}

/** Runs every enabled settings rule on one production module. Never throws. */
export function analyzeSettingsModule(project: Project, module: SettingsModuleInfo, options: AnalysisOptions): { findings: Finding[]; skipped?: SkippedModule } {
  const evaluated = project.evaluate(module.file);
  if (!evaluated) return { findings: [], skipped: { file: module.file, reason: 'cannot be read' } };
  if (evaluated.incomplete) {
    return { findings: [], skipped: { file: module.file, reason: 'a star import cannot be resolved, so its effective settings are unknown' } };
  }
  const findings: Finding[] = [];
  for (const rule of ALL_RULES) {
    if (rule.meta.scope !== 'settings' || !ruleEnabled(options.config, rule.meta.code)) continue;
    try {
      const ctx = new SettingsRuleContext(rule.meta, project, module, evaluated);
      findings.push(...(rule as SettingsRule).check(ctx));
    } catch (error) {
      options.log?.(`${rule.meta.code} failed on ${project.relative(module.file)}: ${(error as Error).stack ?? error}`);
    }
  }
  return { findings: finish(project, findings, options) };
}

/** Every finding of the project's production settings modules, deduplicated and sorted. */
export function analyzeProjectSettings(project: Project, options: AnalysisOptions): { findings: Finding[]; skipped: SkippedModule[] } {
  const all: Finding[] = [];
  const skipped: SkippedModule[] = [];
  for (const module of project.productionModules()) {
    const result = analyzeSettingsModule(project, module, { ...options, keepSuppressed: true });
    all.push(...result.findings);
    if (result.skipped) skipped.push(result.skipped);
  }
  return { findings: finish(project, all, options), skipped };
}

/** Findings of the per-file rules (Python code, templates) for one file. Never throws. */
export function analyzeFile(project: Project, file: string, options: AnalysisOptions): Finding[] {
  const findings: Finding[] = [];
  for (const analyzer of FILE_ANALYZERS) {
    try {
      const declaredTemplate = analyzer.name === 'template' && options.templateDocuments?.has(file);
      if (declaredTemplate || analyzer.accepts(file, project)) findings.push(...analyzer.analyze(project, file, options.config, options.log));
    } catch (error) {
      options.log?.(`${analyzer.name} analysis failed on ${project.relative(file)}: ${(error as Error).stack ?? error}`);
    }
  }
  return finish(project, findings, options);
}

/** Settings findings of the whole project plus per-file findings of `files`. */
export function analyzeProject(project: Project, files: readonly string[], options: AnalysisOptions): { findings: Finding[]; skipped: SkippedModule[] } {
  const settings = analyzeProjectSettings(project, options);
  const perFile = files.flatMap((file) => analyzeFile(project, file, options));
  return { findings: sortFindings([...settings.findings, ...perFile]), skipped: settings.skipped };
}

function finish(project: Project, findings: Finding[], options: AnalysisOptions): Finding[] {
  const overridden = findings.map((f) => {
    const level = options.config.severity[f.code];
    return level && level !== 'off' ? { ...f, severity: level } : f;
  });
  const configured = overridden.filter((f) => !ignoredForFile(options.config, project.relative(f.file), f.code));
  const kept = options.keepSuppressed ? configured : applySuppressions(configured, (file) => project.store.get(file)?.text);
  return sortFindings(dedupe(kept));
}

/** Two production modules inheriting one base line report it once, with both as related. */
function dedupe(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.file}\0${f.range.start.line}:${f.range.start.character}\0${f.code}\0${f.message}`;
    const existing = byKey.get(key);
    if (!existing) {
      byKey.set(key, f);
      continue;
    }
    const related = [...existing.related];
    for (const r of f.related) {
      if (!related.some((x) => x.file === r.file && x.message === r.message)) related.push(r);
    }
    byKey.set(key, { ...existing, related });
  }
  return [...byKey.values()];
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => a.file.localeCompare(b.file) || comparePositions(a.range.start, b.range.start) || a.code.localeCompare(b.code));
}
