import { analyzeFile, DiskSourceStore, Project, type AnalysisNote, type Finding, type HardenerConfig, type SettingsModuleInfo } from '../engine';

/** The project a share of files belongs to: what every thread needs to check some of its files. */
export interface ProjectContext {
  root: string;
  /** Every file of the project (settings discovery, imports). */
  files: string[];
  config: HardenerConfig;
  /** Texts replacing the disk's (fixes applied in memory by earlier rounds). */
  texts: [string, string][];
  /** The settings modules the main thread found, so no thread reads the whole project again to find them. */
  settingsModules?: SettingsModuleInfo[];
}

export interface FileAnalysisResult {
  findings: Finding[];
  /** Files that could not be read, with why. */
  problems: [string, string][];
  /** What rules or analyzers could not do (see AnalysisNote). */
  notes: AnalysisNote[];
}

/**
 * Checks shares of one project's files with the code and template rules, reading the
 * files itself; every Python file is read even when no rule wants it, so undecodable files
 * are reported. Files read for one share stay cached for the next.
 */
export class FileAnalysisSession {
  private readonly store: DiskSourceStore;
  private readonly project: Project;

  constructor(private readonly context: ProjectContext) {
    this.store = new DiskSourceStore(new Map(context.texts));
    this.project = new Project(context.root, context.files, this.store, context.config, undefined, context.settingsModules);
  }

  analyze(share: readonly string[]): FileAnalysisResult {
    const notes: AnalysisNote[] = [];
    const findings: Finding[] = [];
    const known = new Set(this.store.problems.keys());
    for (const file of share) {
      if (file.endsWith('.py')) this.store.get(file);
      findings.push(...analyzeFile(this.project, file, { config: this.context.config, log: (note) => notes.push(note) }));
    }
    const problems = [...this.store.problems].filter(([file]) => !known.has(file));
    return { findings, problems, notes };
  }

  dispose(): void {
    this.store.dispose();
  }
}
