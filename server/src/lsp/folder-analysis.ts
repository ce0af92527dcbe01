import {
  analyzeFile,
  analyzeProjectSettings,
  editsByFile,
  Project,
  sortFindings,
  type AnalysisOptions,
  type EvaluationCache,
  type Finding,
  type HardenerConfig,
  type SkippedModule,
  type SourceFile,
  type SourceStore,
} from '../engine';

/** What one analysis of a folder needs from the server. */
export interface FolderAnalysisInput {
  root: string;
  files: readonly string[];
  store: SourceStore;
  config: HardenerConfig;
  evaluations: EvaluationCache;
  /** The open documents of the folder, asked for only when every one of them is analysed again. */
  openFiles(): Iterable<string>;
  isOpen(file: string): boolean;
  versionOf(file: string): number | null;
  options: Omit<AnalysisOptions, 'config'>;
}

export interface FolderAnalysisResult {
  project: Project;
  skipped: SkippedModule[];
  /** Files whose findings may differ from the last run's: only theirs need publishing again. */
  touched: Set<string>;
}

/** How much work the analyses did, for tests that check it grows with the change and not with what is open. */
export interface AnalysisWork {
  /** Documents the per-file rules analysed. */
  fileAnalyses: number;
}

/**
 * The findings of one workspace folder, kept between analyses so that a change costs what
 * it can affect, not what is open. The settings rules judge the whole project every time
 * (their evaluations are cached by module, and their cost does not grow with the open
 * documents). The per-file rules (code, templates) run on an open document again when it
 * changed, and on every open document only when something that other analyses read
 * changed: a file any analysis read other than its own (a settings module, manage.py, a
 * template another one includes, a requirements file), or the configuration or the file
 * list (see invalidate). Which files those are is learnt from the reads themselves, so it
 * follows whatever the rules come to read.
 */
export class FolderAnalysis {
  private readonly perFile = new Map<string, { version: number | null; findings: Finding[] }>();
  private settings = new Map<string, Finding[]>();
  /** The document version each file's findings were computed for (null: not open then). */
  private readonly versions = new Map<string, number | null>();
  /** Files read by an analysis other than their own per-file one. */
  private inputs = new Set<string>();
  private everything = true;
  readonly work: AnalysisWork = { fileAnalyses: 0 };

  /** The next run analyses every open document (the configuration or the file list changed). */
  invalidate(): void {
    this.everything = true;
  }

  /** A document closed: its per-file findings go (a closed file shows the settings findings only). */
  forget(file: string): void {
    this.perFile.delete(file);
  }

  /** Runs the analyses a change of `changed` calls for. */
  run(input: FolderAnalysisInput, changed: ReadonlySet<string>): FolderAnalysisResult {
    let everything = this.everything;
    for (const file of changed) if (this.inputs.has(file)) everything = true;
    // A run over everything learns the inputs afresh; a partial one adds to them.
    if (everything) this.inputs = new Set();
    const store = new ReadRecorder(input.store, this.inputs);
    const project = new Project(input.root, input.files, store, input.config, input.evaluations);
    const options: AnalysisOptions = { ...input.options, config: input.config };

    const touched = new Set<string>(changed);
    const settings = analyzeProjectSettings(project, options);
    for (const file of this.settings.keys()) touched.add(file);
    this.settings = editsByFile(settings.findings);
    for (const file of this.settings.keys()) touched.add(file);

    const targets = everything ? [...input.openFiles()] : [...changed].filter((file) => input.isOpen(file));
    for (const file of targets) {
      store.owner = file;
      try {
        this.perFile.set(file, { version: input.versionOf(file), findings: analyzeFile(project, file, options) });
      } finally {
        store.owner = undefined;
      }
      this.work.fileAnalyses++;
      touched.add(file);
    }
    // Findings of documents that are no longer open (closed, or moved to another folder) go.
    if (everything) for (const file of this.perFile.keys()) if (!input.isOpen(file)) this.perFile.delete(file);
    for (const file of touched) this.versions.set(file, input.versionOf(file));
    this.everything = false;
    return { project, skipped: settings.skipped, touched };
  }

  /** The latest findings of a file with the document version they were computed for; undefined before its first analysis. */
  latest(file: string): { findings: Finding[]; version: number | null } | undefined {
    if (!this.versions.has(file)) return undefined;
    return { findings: this.findingsOf(file), version: this.versions.get(file) ?? null };
  }

  /** The latest findings of a file. */
  findingsOf(file: string): Finding[] {
    const own = this.perFile.get(file)?.findings ?? [];
    const settings = this.settings.get(file) ?? [];
    return settings.length === 0 ? own : own.length === 0 ? settings : sortFindings([...settings, ...own]);
  }

  /** How many findings the folder has in all. */
  count(): number {
    let total = 0;
    for (const findings of this.settings.values()) total += findings.length;
    for (const result of this.perFile.values()) total += result.findings.length;
    return total;
  }
}

/** A store that notes which files are read by something other than their own per-file analysis (`owner`). */
class ReadRecorder implements SourceStore {
  owner?: string;

  constructor(
    private readonly base: SourceStore,
    private readonly inputs: Set<string>,
  ) {}

  get(file: string): SourceFile | undefined {
    if (file !== this.owner) this.inputs.add(file);
    return this.base.get(file);
  }

  /** A look at a text that is not yet a read: the settings model peeks at every module and reads (get) only those that hint at settings. */
  peek(file: string): SourceFile | undefined {
    return this.base.peek ? this.base.peek(file) : this.base.get(file);
  }

  exists(file: string): boolean {
    return this.base.exists(file);
  }
}
