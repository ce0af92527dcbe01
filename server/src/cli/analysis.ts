import { ALL_RULES, analyzeProject, analyzeProjectSettings, DiskSourceStore, firstSyntaxError, Project, readsFile, sortFindings, type AnalysisLog, type Finding, type Position } from '../engine';
import { isWithinAny } from './paths';
import { MIN_FILES_FOR_WORKERS, type FileAnalysisPool } from './worker-pool';
import type { CheckTarget } from './workspace';

/** One analysis of a project, with what the user should hear about besides findings. */
export interface TargetAnalysis {
  store: DiskSourceStore;
  project: Project;
  /** Findings that belong to the checked paths. */
  findings: Finding[];
  /** Relevant settings modules whose parse has errors, with the first error's position. */
  syntaxErrors: { file: string; position: Position }[];
  /** Relevant production modules the rules could not judge, and why. */
  skipped: { file: string; reason: string }[];
  /** How many production settings modules the project has. */
  productionModules: number;
  /** When none is production: the settings modules found, with their roles and why. */
  settingsModules: { file: string; role: string; reason: string }[];
}

/**
 * Analyses a project's production settings modules, with `texts` replacing files' disk
 * content (fixes applied in memory). Every checked Python file is read, so that files
 * that cannot be decoded are reported even when no rule needs them. Checking a settings
 * module (a pre-commit hook passing the changed files) reports every settings finding of
 * the production modules that read it, wherever it is anchored: a change to base.py can
 * leave production.py without a setting it needs.
 */
export async function analyzeTarget(target: CheckTarget, texts: Map<string, string>, log: AnalysisLog, pool?: FileAnalysisPool, warn: (message: string) => void = () => {}): Promise<TargetAnalysis> {
  const store = new DiskSourceStore(texts);
  const project = new Project(target.root, target.files, store, target.config);
  // A link that leads nowhere matters when it stands for a file the tool would read.
  for (const link of target.deadLinks) if (readsFile(project, link.file)) store.problems.set(link.file, link.message);
  let result: { findings: Finding[]; skipped: { file: string; reason: string }[] };
  if (pool && target.checked.length >= MIN_FILES_FOR_WORKERS) {
    // Settings rules judge the whole project here, while the per-file rules run on the workers,
    // which take the settings modules found here instead of looking for them again.
    const context = { root: target.root, files: target.files, config: target.config, texts: [...texts], settingsModules: project.settingsModules() };
    const pending = pool.analyze(context, target.checked, warn);
    const settings = analyzeProjectSettings(project, { config: target.config, log });
    const perFile = await pending;
    for (const [file, message] of perFile.problems) store.problems.set(file, message);
    for (const note of perFile.notes) log(note);
    result = { findings: sortFindings([...settings.findings, ...perFile.findings]), skipped: settings.skipped };
  } else {
    for (const file of target.checked) if (file.endsWith('.py')) store.get(file);
    result = analyzeProject(project, target.checked, { config: target.config, log });
  }
  // A production module matters when it, or a module it star-imports, was asked about.
  const relevant = project.productionModules().filter((m) => project.chainOf(m.file).some((file) => isWithinAny(target.paths, file)));
  const judged = new Set(relevant.flatMap((m) => project.chainOf(m.file)));
  const findings = result.findings.filter((finding) => belongsTo(finding, target.paths) || (SETTINGS_CODES.has(finding.code) && judged.has(finding.file)));

  const syntaxErrors: TargetAnalysis['syntaxErrors'] = [];
  const reported = new Set<string>();
  for (const module of relevant) {
    for (const file of project.chainOf(module.file)) {
      if (reported.has(file)) continue;
      reported.add(file);
      const source = store.get(file);
      const position = source && firstSyntaxError(source.tree());
      if (position) syntaxErrors.push({ file, position });
    }
  }
  // A file read only as evidence (a static script, see readsFile) that cannot be read leaves
  // the evidence out: it is no problem of the check.
  for (const file of [...store.problems.keys()]) if (!readsFile(project, file)) store.problems.delete(file);
  const relevantFiles = new Set(relevant.map((m) => m.file));
  const skipped = result.skipped.filter((s) => relevantFiles.has(s.file) && !store.problems.has(s.file));
  const productionModules = project.productionModules().length;
  const settingsModules = productionModules > 0 ? [] : project.settingsModules().map((m) => ({ file: m.file, role: m.role, reason: m.reason }));
  return { store, project, findings, syntaxErrors: syntaxErrors.sort((a, b) => a.file.localeCompare(b.file)), skipped, productionModules, settingsModules };
}

const SETTINGS_CODES = new Set(ALL_RULES.filter((rule) => rule.meta.scope === 'settings').map((rule) => rule.meta.code));

/**
 * A finding belongs to the checked paths when it sits in one, or when one of its related
 * locations does: checking production.py shows the DEBUG = True it inherits from base.py.
 */
function belongsTo(finding: Finding, paths: readonly string[]): boolean {
  return isWithinAny(paths, finding.file) || finding.related.some((related) => isWithinAny(paths, related.file));
}
