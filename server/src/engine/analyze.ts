import type { HardenerConfig } from './config';
import { guarded, type AnalysisLog } from './guarded';
import { FILE_ANALYZERS } from './file-analyzers';
import { ignoredForFile } from './per-file-ignores';
import { MAX_IMPORT_DEPTH, type Project, type SettingsModuleInfo } from './project/project';
import { SettingsRuleContext } from './rules/settings-context';
import { enabledRules, runRules } from './rules/run-rules';
import { applySuppressions } from './suppression';
import { comparePositions } from './text';
import type { Finding, RelatedLocation } from './types';

export type { AnalysisLog, AnalysisNote } from './guarded';

export interface AnalysisOptions {
  config: HardenerConfig;
  log?: AnalysisLog;
  /** Keep findings silenced by `# noqa` (the "Harden settings" command still wants them). */
  keepSuppressed?: boolean;
  /** Files the editor calls `django-html`: templates wherever they live. */
  templateDocuments?: Pick<ReadonlySet<string>, 'has'>;
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
  for (const file of project.chainOf(module.file)) {
    for (const message of project.evaluate(file)?.limits ?? []) options.log?.({ kind: 'limit', file, analyzer: 'settings', message });
  }
  if (evaluated.incomplete) {
    const reason = evaluated.incompleteReason ?? (project.importDepthExceeded ? `star imports nest deeper than ${MAX_IMPORT_DEPTH} modules` : 'a star import cannot be resolved');
    return { findings: [], skipped: { file: module.file, reason: `${reason}, so its effective settings are unknown` } };
  }
  const findings = runRules(enabledRules('settings', options.config), module.file, options.log, (rule) => rule.check(new SettingsRuleContext(rule.meta, project, module, evaluated)));
  return { findings: finish(project, findings, options) };
}

/** Every finding of the project's production settings modules, deduplicated and sorted. */
export function analyzeProjectSettings(project: Project, options: AnalysisOptions): { findings: Finding[]; skipped: SkippedModule[] } {
  const all: Finding[] = [];
  const skipped: SkippedModule[] = [];
  const byModule = new Map<string, Finding[]>();
  for (const module of project.productionModules()) {
    const result = analyzeSettingsModule(project, module, { ...options, keepSuppressed: true });
    byModule.set(module.file, result.findings);
    if (result.skipped) skipped.push(result.skipped);
  }
  for (const findings of byModule.values()) all.push(...findings);
  return { findings: finish(project, reportMissingOnce(project, byModule, all), options), skipped };
}

/**
 * A setting missing from a production module that is built on another production module
 * missing it too (a Celery worker's settings on the site's) is one problem: it is reported at
 * the module built upon, with the others as related locations.
 */
function reportMissingOnce(project: Project, byModule: Map<string, Finding[]>, all: Finding[]): Finding[] {
  const basesOf = new Map<string, string[]>();
  for (const file of byModule.keys()) {
    const conditional = project.evaluate(file)?.conditionalImports;
    basesOf.set(
      file,
      project.chainOf(file).filter((base) => base !== file && byModule.has(base) && !conditional?.has(base)),
    );
  }
  const missingIn = (file: string, code: string) => byModule.get(file)!.find((f) => f.missingSetting && f.code === code);
  // A finding is kept where no production module it is built on misses the setting too.
  const kept = (file: string, code: string) => basesOf.get(file)!.every((base) => !missingIn(base, code));
  const notes = new Map<Finding, RelatedLocation[]>();
  const dropped = new Set<Finding>();
  for (const [file, findings] of byModule) {
    for (const finding of findings) {
      if (!finding.missingSetting || kept(file, finding.code)) continue;
      const base = basesOf.get(file)!.find((candidate) => kept(candidate, finding.code) && missingIn(candidate, finding.code));
      const target = base && missingIn(base, finding.code);
      if (!base || !target) continue;
      dropped.add(finding);
      // The star import the base's settings arrive through.
      const sites = [...(project.evaluate(file)?.starImportSites ?? [])];
      const site = sites.find(([imported]) => imported === base || project.chainOf(imported).includes(base))?.[1].range ?? finding.range;
      notes.set(target, [...(notes.get(target) ?? []), { file, range: site, message: `${project.relative(file)} inherits this through \`from … import *\` and does not set it either` }]);
    }
  }
  return all.flatMap((finding) => (dropped.has(finding) ? [] : notes.has(finding) ? [{ ...finding, related: [...finding.related, ...notes.get(finding)!] }] : [finding]));
}

/** Findings of the per-file rules (Python code, templates) for one file. Never throws. */
export function analyzeFile(project: Project, file: string, options: AnalysisOptions): Finding[] {
  const findings: Finding[] = [];
  for (const analyzer of FILE_ANALYZERS) {
    findings.push(
      ...guarded(options.log, { file, analyzer: analyzer.name }, () => {
        const declaredTemplate = analyzer.name === 'template' && options.templateDocuments?.has(file);
        return declaredTemplate || analyzer.accepts(file, project) ? analyzer.analyze(project, file, options.config, options.log) : [];
      }),
    );
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
  const kept = options.keepSuppressed ? configured : applySuppressions(configured, (file) => project.store.get(file)?.text, { foreign: options.config.foreignNoqa !== false });
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
