import path from 'node:path';
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  MessageType,
  ShowMessageNotification,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type DidChangeTextDocumentParams,
  type DidChangeWatchedFilesParams,
  type DidCloseTextDocumentParams,
  type DidOpenTextDocumentParams,
  type ExecuteCommandParams,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceFoldersChangeEvent,
} from 'vscode-languageserver/node';
import {
  CONFIG_FILE_NAMES,
  describeNote,
  docsUrl,
  hardenSettingsModule,
  initPythonParser,
  isInterestingFile,
  oneEditPerStatement,
  Project,
  renderSettingsModel,
  settingsModelReport,
  type ConfigProblem,
  type HardenResult,
} from '../engine';
import { codeActions } from './code-actions';
import { readEditorSettings, type EditorSettings } from './configuration';
import { toDiagnostic } from './diagnostics';
import { OpenDocument } from './open-document';
import {
  FIX_ALL_KIND,
  HARDEN_KIND,
  PRODUCTION_MODULES_REQUEST,
  SERVER_COMMANDS,
  STATUS_NOTIFICATION,
  type HardenCommandResult,
  type ProductionModuleItem,
  type ScanCommandResult,
  type SettingsModelCommandResult,
  type StatusParams,
} from './protocol';
import { pathToUri, uriToPath } from './uri';
import { hardenPreviewEdit, toWorkspaceEdit } from './workspace-edit';
import { RuleDocs } from './rule-docs';
import { AnalysisScheduler } from './scheduler';
import { projectRootFor, WorkspaceFolder } from './workspace-folder';
import { WorkspaceSourceStore } from './workspace-store';

export interface ServerOptions {
  /** The folder of the rule pages (`<code>.md`) diagnostics link to; without it they link to the public pages. */
  docsDirectory?: string;
  /** The debounce window: at most one analysis starts per window while changes keep coming (see AnalysisScheduler). */
  debounceMs?: number;
}

/** Files whose changes on disk matter: Python, dependency lists and project configuration. */
// Deployment files name the settings module production runs (see entry-points.ts).
const WATCHED_GLOBS = [
  '**/*.{py,pyi,toml,txt,in,cfg,ini,lock}',
  '**/.env*',
  '**/.envs/**',
  '**/Pipfile',
  '**/{Dockerfile,Containerfile}*',
  '**/*.dockerfile',
  '**/*compose*.{yml,yaml}',
  '**/Procfile*',
  '**/{app.json,app.yaml,render.yaml}',
  '**/.do/*.{yml,yaml}',
  '**/static/**/*.{js,mjs}',
];

/**
 * The language server: open documents with incremental parsing, project-wide settings
 * analysis published per file, code actions, and the "Harden settings" and "Scan workspace"
 * commands. Every handler logs a failure and answers with an empty result: one bad
 * document or request never stops the server.
 */
export class HardenerServer {
  private readonly documents = new Map<string, OpenDocument>();
  private readonly documentsByFile = new Map<string, OpenDocument>();
  private readonly folders: WorkspaceFolder[] = [];
  private readonly looseFolders = new Map<string, WorkspaceFolder>();
  private readonly store: WorkspaceSourceStore;
  private capabilities: ClientCapabilities = {};
  private initialFolders: { uri: string; name: string }[] = [];
  private startupError?: string;
  private pushedSettings: unknown;
  private readonly pending = new Map<WorkspaceFolder, Set<string>>();
  private readonly scheduler: AnalysisScheduler;
  private ready: Promise<void>;
  private markReady!: () => void;
  private readonly reported = new Set<string>();
  private shuttingDown = false;
  /** Documents touched since the last look at which large modules to cut into blocks. */
  private blockCandidates = new Set<OpenDocument>();
  /** Diagnostics built for publishing: with the analyses, what a test counts to see work grow with a change, not with what is open. */
  private diagnosticsBuilt = 0;
  private readonly ruleDocs: RuleDocs;
  /** Production modules per folder, from its last analysis, for the status item. */
  private readonly productionByFolder = new Map<WorkspaceFolder, ProductionModuleItem[]>();
  private sentStatus?: string;
  /** Analyses so far: a "Harden this module" count computed for one is reused until the next. */
  private generation = 0;
  private readonly hardenCache = new Map<string, { generation: number; result: HardenResult }>();

  constructor(
    private readonly connection: Connection,
    options: ServerOptions = {},
  ) {
    this.ruleDocs = new RuleDocs(options.docsDirectory);
    this.scheduler = new AnalysisScheduler(options.debounceMs ?? 50, () => void this.guard('analysis', undefined, () => this.flush()));
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.store = new WorkspaceSourceStore(
      (file) => this.documentsByFile.get(file),
      (message) => this.logOnce(message),
    );
    this.register();
  }

  private register(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => void this.guard('initialized', undefined, () => this.initialized()));
    c.onShutdown(() => this.guard('shutdown', undefined, () => this.shutdown()));
    c.onDidOpenTextDocument((params) => void this.guard('didOpen', undefined, () => this.didOpen(params)));
    c.onDidChangeTextDocument((params) => void this.guard('didChange', undefined, () => this.didChange(params)));
    c.onDidCloseTextDocument((params) => void this.guard('didClose', undefined, () => this.didClose(params)));
    c.onDidChangeConfiguration((params) => void this.guard('didChangeConfiguration', undefined, () => this.configurationChanged(params.settings)));
    c.onDidChangeWatchedFiles((params) => void this.guard('didChangeWatchedFiles', undefined, () => this.watchedFilesChanged(params)));
    c.onCodeAction((params) => this.guard('codeAction', [], () => this.codeAction(params)));
    c.onExecuteCommand((params) => this.guard('executeCommand', null, () => this.executeCommand(params)));
    c.onRequest(PRODUCTION_MODULES_REQUEST, () => this.guard(PRODUCTION_MODULES_REQUEST, [], () => this.productionModules()));
  }

  private async initialize(params: InitializeParams): Promise<InitializeResult> {
    this.capabilities = params.capabilities ?? {};
    this.initialFolders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: path.basename(params.rootUri) }] : []);
    try {
      await initPythonParser();
    } catch (error) {
      this.startupError = (error as Error).message;
      this.connection.console.error(`cannot load the Python grammar: ${(error as Error).stack ?? error}`);
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, HARDEN_KIND, FIX_ALL_KIND] },
        executeCommandProvider: {
          commands: [SERVER_COMMANDS.hardenSettings, SERVER_COMMANDS.scanWorkspace, SERVER_COMMANDS.showRuleDocumentation, SERVER_COMMANDS.settingsModel],
        },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'django-hardener' },
    };
  }

  private async initialized(): Promise<void> {
    try {
      if (this.startupError) {
        // The one message a user sees from the server: without the grammar nothing works.
        void this.connection.sendNotification(ShowMessageNotification.type, {
          type: MessageType.Error,
          message: `Django Hardener cannot start: ${this.startupError}. Reinstall the extension.`,
        });
        return;
      }
      for (const folder of this.initialFolders) this.addFolder(folder.uri);
      if (this.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        await this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCHED_GLOBS.map((globPattern) => ({ globPattern })) });
      }
      if (this.capabilities.workspace?.workspaceFolders) {
        this.connection.workspace.onDidChangeWorkspaceFolders((event) => void this.guard('didChangeWorkspaceFolders', undefined, () => this.foldersChanged(event)));
      }
      await this.refreshConfiguration(false);
      for (const folder of this.allFolders()) this.walkFolder(folder);
    } finally {
      this.markReady();
    }
    await this.scan();
  }

  private shutdown(): void {
    this.shuttingDown = true;
    this.scheduler.dispose();
    for (const document of this.documents.values()) document.dispose();
    this.store.clear();
  }

  private didOpen(params: DidOpenTextDocumentParams): void {
    const { uri, languageId, version, text } = params.textDocument;
    this.documents.get(uri)?.dispose();
    const document = new OpenDocument(uri, uriToPath(uri), languageId, version, text);
    this.documents.set(uri, document);
    if (document.file) this.documentsByFile.set(document.file, document);
    const problem = document.problem;
    if (problem) this.log(`${uri}: ${problem}; it is not analysed`);
    this.documentTouched(document);
  }

  private didChange(params: DidChangeTextDocumentParams): void {
    const document = this.documents.get(params.textDocument.uri);
    if (!document) {
      this.log(`didChange for ${params.textDocument.uri}, which is not open: ignored`);
      return;
    }
    const hadProblem = document.problem;
    document.applyChanges(params.contentChanges, params.textDocument.version);
    const problem = document.problem;
    if (problem && problem !== hadProblem) this.log(`${document.uri}: ${problem}; it is not analysed`);
    this.documentTouched(document);
  }

  private didClose(params: DidCloseTextDocumentParams): void {
    const document = this.documents.get(params.textDocument.uri);
    if (!document) return;
    document.dispose();
    this.documents.delete(document.uri);
    this.blockCandidates.delete(document);
    if (document.file && this.documentsByFile.get(document.file) === document) this.documentsByFile.delete(document.file);
    if (!document.file || !mayBeAnalysed(document)) return;
    const folder = this.folderFor(document.file);
    folder.openFiles.delete(document.file);
    folder.analysis.forget(document.file);
    // The file is read from disk again, which may differ from the closed buffer.
    this.schedule(folder, document.file);
  }

  /**
   * An open document changed (or opened): Python modules and templates alike are analysed
   * with the same scheduling. Which files the rules judge is the engine's call (a template
   * is what its predicate says, or what the editor calls django-html); here only documents
   * that cannot matter are passed over.
   */
  private documentTouched(document: OpenDocument): void {
    if (!document.file || !mayBeAnalysed(document)) return;
    const folder = this.folderFor(document.file);
    folder.openFiles.add(document.file);
    this.addOpenFile(folder, document.file);
    if (document.isPython) this.blockCandidates.add(document);
    this.schedule(folder, document.file);
  }

  /** An open file the walk would skip (a virtualenv, an excluded folder) stays out of the project. */
  private addOpenFile(folder: WorkspaceFolder, file: string): void {
    if (folder.files.has(file) || !(folder.walked ? folder.accepts(file) : folder.contains(file))) return;
    folder.files.add(file);
    // A new file (not saved yet) can be what another one includes or imports.
    folder.analysis.invalidate();
  }

  /** Lists a folder's files again, keeping the open documents that belong to it (they may not be saved yet). */
  private walkFolder(folder: WorkspaceFolder): void {
    folder.walk((m) => this.log(m));
    folder.analysis.invalidate();
    for (const file of folder.openFiles) this.addOpenFile(folder, file);
  }

  /** After folders come or go: each open document belongs to the deepest folder holding it. */
  private reassignOpenDocuments(): void {
    for (const folder of this.allFolders()) {
      folder.openFiles.clear();
      folder.analysis.invalidate();
    }
    for (const document of this.documents.values()) {
      if (!document.file || !mayBeAnalysed(document)) continue;
      const folder = this.folderFor(document.file);
      folder.openFiles.add(document.file);
      this.addOpenFile(folder, document.file);
    }
  }

  private addFolder(uri: string): WorkspaceFolder | undefined {
    const root = uriToPath(uri);
    if (!root) {
      this.log(`workspace folder ${uri} is not on disk: ignored`);
      return undefined;
    }
    if (this.folders.some((f) => f.root === root)) return undefined;
    const folder = new WorkspaceFolder(root, uri, true);
    this.folders.push(folder);
    // Deepest first, so a nested folder owns its files.
    this.folders.sort((a, b) => b.root.length - a.root.length);
    return folder;
  }

  private folderFor(file: string): WorkspaceFolder {
    const owner = this.folders.find((folder) => folder.contains(file));
    if (owner) return owner;
    const { root, walked } = projectRootFor(file);
    let loose = this.looseFolders.get(root);
    if (!loose) {
      loose = new WorkspaceFolder(root, pathToUri(root), walked);
      loose.configure(readEditorSettings(this.pushedSettings), (m) => this.log(m));
      this.walkFolder(loose);
      this.looseFolders.set(root, loose);
      if (this.capabilities.workspace?.configuration) void this.guard('configuration', undefined, () => this.refreshConfiguration(false));
    }
    return loose;
  }

  private allFolders(): WorkspaceFolder[] {
    return [...this.folders, ...this.looseFolders.values()];
  }

  private async foldersChanged(event: WorkspaceFoldersChangeEvent): Promise<void> {
    await this.ready;
    for (const removed of event.removed) {
      const root = uriToPath(removed.uri);
      const index = this.folders.findIndex((f) => f.root === root);
      if (index < 0) continue;
      const [folder] = this.folders.splice(index, 1);
      for (const file of folder.published.keys()) void this.connection.sendDiagnostics({ uri: this.uriOf(file), diagnostics: [] });
    }
    const added = event.added.map((f) => this.addFolder(f.uri)).filter((f): f is WorkspaceFolder => !!f);
    await this.refreshConfiguration(false);
    for (const folder of added) this.walkFolder(folder);
    this.reassignOpenDocuments();
    for (const folder of this.allFolders()) this.schedule(folder);
  }

  private async watchedFilesChanged(params: DidChangeWatchedFilesParams): Promise<void> {
    await this.ready;
    const reconfigure = new Set<WorkspaceFolder>();
    for (const change of params.changes) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      this.store.invalidate(file);
      // A dependency list above a folder (see WorkspaceFolder.walk) is in its file list, not inside it.
      const folder = this.allFolders().find((f) => f.contains(file)) ?? this.allFolders().find((f) => f.files.has(file));
      if (!folder) continue;
      if (change.type === FileChangeType.Created && folder.walked && folder.accepts(file)) folder.files.add(file);
      if (change.type === FileChangeType.Deleted) {
        folder.files.delete(file);
        folder.evaluations.forget(file);
      }
      // A file come or gone can be one that another includes, imports or names as settings.
      if (change.type !== FileChangeType.Changed || WorkspaceFolder.isProjectModelFile(file)) folder.analysis.invalidate();
      if (CONFIG_FILE_NAMES.includes(path.basename(file)) && path.dirname(file) === folder.root) reconfigure.add(folder);
      // Requirements and pyproject changes alter the project model (declared packages and
      // versions) behind every finding, not just one file's.
      this.schedule(folder, WorkspaceFolder.isProjectModelFile(file) ? undefined : file);
    }
    for (const folder of reconfigure) {
      if (folder.configure(folder.editor, (m) => this.log(m))) this.walkFolder(folder);
    }
  }

  private async configurationChanged(settings: unknown): Promise<void> {
    this.pushedSettings = (settings as Record<string, unknown> | null | undefined)?.djangoHardener;
    await this.ready;
    await this.refreshConfiguration(true);
  }

  /**
   * Asks the editor for each folder's `djangoHardener` settings (or uses the pushed ones);
   * a folder whose configuration changed is analysed again.
   */
  private async refreshConfiguration(reanalyse: boolean): Promise<void> {
    const folders = this.allFolders();
    let sections: unknown[] = folders.map(() => this.pushedSettings);
    if (this.capabilities.workspace?.configuration && folders.length > 0) {
      try {
        sections = await this.connection.workspace.getConfiguration(folders.map((f) => ({ scopeUri: f.uri, section: 'djangoHardener' })));
      } catch (error) {
        this.log(`cannot read the editor settings: ${(error as Error).message}`);
      }
    }
    folders.forEach((folder, index) => {
      const problems: ConfigProblem[] = [];
      const editor: EditorSettings = readEditorSettings(sections[index], problems);
      for (const problem of problems) this.log(`djangoHardener settings for ${folder.root}: ${problem.message} (ignored)`);
      const before = JSON.stringify([folder.enabled, folder.config]);
      const excludeChanged = folder.configure(editor, (m) => this.log(m));
      if (excludeChanged && reanalyse) this.walkFolder(folder);
      if (reanalyse || JSON.stringify([folder.enabled, folder.config]) !== before) {
        folder.analysis.invalidate();
        this.schedule(folder);
      }
    });
  }

  /** Marks a folder (and a file in it) for analysis; the scheduler decides when it runs. */
  private schedule(folder: WorkspaceFolder, file?: string): void {
    if (this.shuttingDown) return;
    const forced = this.pending.get(folder) ?? new Set<string>();
    if (file) forced.add(file);
    this.pending.set(folder, forced);
    this.scheduler.request();
  }

  private async flush(): Promise<void> {
    await this.ready;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [folder, forced] of batch) {
      try {
        this.analyseFolder(folder, forced);
      } catch (error) {
        this.connection.console.error(`analysis of ${folder.root} failed: ${(error as Error).stack ?? error}`);
      }
    }
    this.publishStatus();
    setImmediate(() => void this.guard('blocks', undefined, () => this.prepareBlocks()));
  }

  /**
   * Large settings modules the analysis read whole are cut into blocks once their
   * diagnostics are out (see OpenDocument.prepareBlocks). Only documents touched since the
   * last look are asked.
   */
  private prepareBlocks(): void {
    if (this.shuttingDown) return;
    const candidates = this.blockCandidates;
    this.blockCandidates = new Set();
    for (const document of candidates) {
      if (!document.file || this.documents.get(document.uri) !== document) continue;
      if (document.prepareBlocks()) this.schedule(this.folderFor(document.file));
    }
  }

  private projectOf(folder: WorkspaceFolder): Project {
    return new Project(folder.root, [...folder.files].sort(), this.store, folder.config, folder.evaluations);
  }

  /**
   * Analyses a folder after changes to `changed` (see FolderAnalysis: the settings rules
   * judge the project, the per-file rules the open documents a change can affect) and
   * publishes the files whose diagnostics changed, the files that lost all of theirs (an
   * empty publish), and the changed files with every production module that reads them, so
   * a change to base.py re-publishes production.py. The other open documents keep what
   * was published for them.
   */
  private analyseFolder(folder: WorkspaceFolder, changed: Set<string>): { modules: number } {
    if (this.startupError) return { modules: 0 };
    const republish = new Set(changed);
    let touched: Set<string>;
    let modules = 0;
    this.generation++;
    this.productionByFolder.delete(folder);
    if (folder.enabled) {
      const result = folder.analysis.run(
        {
          root: folder.root,
          files: [...folder.files].sort(),
          store: this.store,
          config: folder.config,
          evaluations: folder.evaluations,
          openFiles: () => folder.openFiles,
          isOpen: (file) => folder.openFiles.has(file),
          versionOf: (file) => this.versionOfFile(file),
          options: {
            log: (note) => this.log(`${describeNote(note, (f) => path.relative(folder.root, f))}${note.detail ? `\n${note.detail}` : ''}`),
            templateDocuments: { has: (file) => this.documentsByFile.get(file)?.languageId === 'django-html' },
          },
        },
        changed,
      );
      touched = result.touched;
      const project = result.project;
      for (const skipped of result.skipped) this.logOnce(`${project.relative(skipped.file)} is not checked: ${skipped.reason}`);
      const productionModules = project.productionModules();
      modules = productionModules.length;
      this.productionByFolder.set(
        folder,
        productionModules.map((m) => ({ uri: this.uriOf(m.file), label: project.relative(m.file), reason: m.reason })),
      );
      for (const file of changed) {
        for (const module of project.productionModulesReading(file)) {
          for (const member of project.chainOf(module.file)) republish.add(member);
        }
      }
    } else {
      folder.analysis.invalidate();
      touched = new Set(folder.published.keys());
    }
    for (const file of republish) touched.add(file);
    for (const file of [...touched].sort()) {
      const findings = folder.enabled ? folder.analysis.findingsOf(file) : [];
      const diagnostics = findings.map((finding) =>
        toDiagnostic(
          finding,
          (f) => this.uriOf(f),
          (f) => this.versionOfFile(f),
          (code) => this.ruleDocs.href(code),
        ),
      );
      this.diagnosticsBuilt += diagnostics.length;
      const key = JSON.stringify(diagnostics);
      if (!republish.has(file) && (folder.published.get(file) ?? '[]') === key) continue;
      if (diagnostics.length > 0) folder.published.set(file, key);
      else folder.published.delete(file);
      const version = this.documentsByFile.get(file)?.version;
      void this.connection.sendDiagnostics({ uri: this.uriOf(file), version, diagnostics });
    }
    return { modules };
  }

  /** Analyses every folder now, reporting progress to the editor. */
  private async scan(): Promise<ScanCommandResult> {
    await this.ready;
    const total: ScanCommandResult = { modules: 0, findings: 0 };
    if (this.startupError) return total;
    const progress = await this.connection.window.createWorkDoneProgress();
    const folders = this.allFolders();
    progress.begin('Django Hardener', 0, 'Scanning the workspace for settings modules', false);
    try {
      for (const [index, folder] of folders.entries()) {
        progress.report(Math.round((index / Math.max(folders.length, 1)) * 100), path.basename(folder.root));
        const forced = this.pending.get(folder) ?? new Set<string>();
        this.pending.delete(folder);
        total.modules += this.analyseFolder(folder, forced).modules;
        if (folder.enabled) total.findings += folder.analysis.count();
      }
    } finally {
      progress.done();
    }
    this.log(`scanned ${folders.length} folder(s): ${total.modules} production settings module(s), ${total.findings} finding(s)`);
    this.publishStatus();
    return total;
  }

  /** Tells the client which production modules are judged, when that changed. */
  private publishStatus(): void {
    const status: StatusParams = { modules: [...this.productionByFolder.values()].flat().sort((a, b) => a.label.localeCompare(b.label)) };
    const key = JSON.stringify(status);
    if (key === this.sentStatus) return;
    this.sentStatus = key;
    // A notification racing the shutdown is lost, not an error.
    this.connection.sendNotification(STATUS_NOTIFICATION, status).catch(() => undefined);
  }

  /** What "Harden settings" would do for a production module, computed once per analysis. */
  private hardenPreview(folder: WorkspaceFolder, file: string): HardenResult {
    const cached = this.hardenCache.get(file);
    if (cached && cached.generation === this.generation) return cached.result;
    const result = hardenSettingsModule(this.projectOf(folder), file, folder.config);
    this.hardenCache.set(file, { generation: this.generation, result });
    return result;
  }

  private codeAction(params: CodeActionParams): CodeAction[] {
    const document = this.documents.get(params.textDocument.uri);
    if (!document) {
      this.log(`codeAction for ${params.textDocument.uri}, which is not open: no actions`);
      return [];
    }
    const folder = document.file ? this.folderFor(document.file) : undefined;
    return codeActions(params, {
      document,
      versionOf: (uri) => this.documents.get(uri)?.version ?? null,
      latestFindings: () => (folder && document.file ? folder.analysis.latest(document.file) : undefined),
      uriOf: (file) => this.uriOf(file),
      documentChanges: !!this.capabilities.workspace?.workspaceEdit?.documentChanges,
      log: (m) => this.log(m),
      hardenTargets: () => {
        if (!folder?.enabled || !document.file || !document.isPython || this.startupError) return [];
        const project = this.projectOf(folder);
        return project.productionModulesReading(document.file).flatMap((module) => {
          const fixes = this.hardenPreview(folder, module.file).findings.length;
          return fixes > 0 ? [{ uri: this.uriOf(module.file), label: module.file === document.file ? 'this module' : project.relative(module.file), fixes }] : [];
        });
      },
    });
  }

  private async executeCommand(params: ExecuteCommandParams): Promise<HardenCommandResult | ScanCommandResult | SettingsModelCommandResult | boolean | null> {
    await this.ready;
    switch (params.command) {
      case SERVER_COMMANDS.hardenSettings:
        return this.hardenSettings(params.arguments?.[0]);
      case SERVER_COMMANDS.settingsModel:
        return this.settingsModel();
      case SERVER_COMMANDS.showRuleDocumentation:
        return this.showRuleDocumentation(params.arguments?.[0]);
      case SERVER_COMMANDS.scanWorkspace:
        for (const folder of this.allFolders()) this.walkFolder(folder);
        this.store.clear();
        return this.scan();
      default:
        this.log(`unknown command ${JSON.stringify(params.command)}: ignored`);
        return null;
    }
  }

  /** Composes every settings fix of one production module into one edit and asks the editor to apply it. */
  private async hardenSettings(argument: unknown): Promise<HardenCommandResult> {
    const refuse = (message: string): HardenCommandResult => {
      this.log(`Harden settings: ${message}`);
      return { applied: false, fixed: 0, remaining: 0, message };
    };
    if (this.startupError) return refuse(this.startupError);
    const uri = typeof argument === 'string' ? argument : typeof (argument as { uri?: unknown })?.uri === 'string' ? (argument as { uri: string }).uri : undefined;
    const file = uri ? uriToPath(uri) : undefined;
    if (!file) return refuse(`expected the URI of a settings file, got ${JSON.stringify(argument)}`);
    const folder = this.folderFor(file);
    const project = this.projectOf(folder);
    const result = hardenSettingsModule(project, file, folder.config);
    if (result.problem) return refuse(result.problem);
    if (result.edits.length === 0) {
      return { applied: false, fixed: 0, remaining: result.remaining.length, message: `${project.relative(file)} has nothing left to harden` };
    }
    const module = project.relative(file);
    const edits = oneEditPerStatement(result.edits).map((edit) => ({ uri: this.uriOf(edit.file), range: edit.range, newText: edit.newText }));
    const versions = new Map(edits.map((edit) => [edit.uri, this.documents.get(edit.uri)?.version ?? null]));
    const workspaceEdit = this.capabilities.workspace?.workspaceEdit;
    // Harden rewrites many lines at once: where the editor can, it shows the edit for review, each new setting a change of its own.
    const canPreview = !!workspaceEdit?.documentChanges && !!workspaceEdit.changeAnnotationSupport && !!workspaceEdit.resourceOperations?.includes('create');
    const edit = canPreview
      ? hardenPreviewEdit(edits, (u) => versions.get(u) ?? null, this.uriOf(file), module, result.findings.length)
      : toWorkspaceEdit(edits, (u) => versions.get(u) ?? null, !!workspaceEdit?.documentChanges);
    const response = await this.connection.workspace.applyEdit({ label: `Harden ${module}`, edit });
    if (!response.applied) this.log(`Harden settings: the editor did not apply the edit${response.failureReason ? ` (${response.failureReason})` : ''}`);
    const environmentVariables = result.environment.filter((v) => v.required).map((v) => v.name);
    const developmentSwitch = result.developmentSwitch;
    if (response.applied) {
      void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: hardenedMessage(module, result, environmentVariables) });
    }
    return { applied: response.applied, fixed: result.findings.length, remaining: result.remaining.length, environmentVariables, ...(developmentSwitch ? { developmentSwitch } : {}) };
  }

  /** What `django-hardener settings --values` prints, for every workspace folder. */
  private settingsModel(): SettingsModelCommandResult {
    if (this.startupError) return { text: `Django Hardener cannot start: ${this.startupError}\n` };
    const parts: string[] = [];
    for (const folder of this.allFolders()) {
      const project = this.projectOf(folder);
      const report = settingsModelReport(project, { values: true });
      const show = (file: string) => project.relative(file) || '.';
      parts.push(`# ${folder.root}${folder.enabled ? '' : ' (Django Hardener is disabled here)'}\n\n${renderSettingsModel(report, show)}`);
    }
    return { text: parts.length > 0 ? parts.join('\n') : 'No workspace folder is open.\n' };
  }

  /** Opens a rule's page: the one installed beside the server, else the public one in a browser. */
  private async showRuleDocumentation(argument: unknown): Promise<boolean> {
    const code = typeof argument === 'string' ? argument.toUpperCase() : '';
    if (!/^DJH\d{3}$/.test(code)) {
      this.log(`show documentation: expected a rule code, got ${JSON.stringify(argument)}`);
      return false;
    }
    const local = this.ruleDocs.localUri(code);
    if (!this.capabilities.window?.showDocument?.support) {
      this.log(`the documentation of ${code} is at ${local ?? docsUrl(code)}`);
      return false;
    }
    const shown = await this.connection.window.showDocument(local ? { uri: local, takeFocus: true } : { uri: docsUrl(code), external: true });
    return shown.success;
  }

  private async productionModules(): Promise<ProductionModuleItem[]> {
    await this.ready;
    if (this.startupError) return [];
    const items: ProductionModuleItem[] = [];
    for (const folder of this.allFolders()) {
      if (!folder.enabled) continue;
      const project = this.projectOf(folder);
      for (const module of project.productionModules()) {
        items.push({ uri: this.uriOf(module.file), label: project.relative(module.file), reason: module.reason });
      }
    }
    return items;
  }

  private uriOf(file: string): string {
    return this.documentsByFile.get(file)?.uri ?? pathToUri(file);
  }

  private versionOfFile(file: string): number | null {
    return this.documentsByFile.get(file)?.version ?? null;
  }

  private log(message: string): void {
    this.connection.console.log(message);
  }

  private logOnce(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.log(message);
  }

  /** Runs a handler; a failure is logged and answered with `fallback`. */
  private async guard<T>(name: string, fallback: T, handler: () => T | Promise<T>): Promise<T> {
    try {
      return await handler();
    } catch (error) {
      this.connection.console.error(`${name} failed: ${(error as Error).stack ?? error}`);
      return fallback;
    }
  }

  /** For tests: the open document of a URI. */
  document(uri: string): OpenDocument | undefined {
    return this.documents.get(uri);
  }

  /** For tests: the work the analyses have done so far (per-file analyses, diagnostics built). */
  work(): { fileAnalyses: number; diagnosticsBuilt: number } {
    let fileAnalyses = 0;
    for (const folder of this.allFolders()) fileAnalyses += folder.analysis.work.fileAnalyses;
    return { fileAnalyses, diagnosticsBuilt: this.diagnosticsBuilt };
  }
}

/** Documents the engine may read: Python modules, what the editor calls a Django template, and files of the kinds the project walk lists (templates, configuration). */
function mayBeAnalysed(document: OpenDocument): boolean {
  return document.isPython || document.languageId === 'django-html' || (!!document.file && isInterestingFile(document.file));
}

/**
 * What the user must do after "Harden settings": the environment variables production must
 * now set, and the findings no fix addresses. The first sentence stands alone.
 */
export function hardenedMessage(module: string, result: HardenResult, environmentVariables: readonly string[]): string {
  const parts = [`Hardened ${module}: ${result.findings.length} fix${result.findings.length === 1 ? '' : 'es'}.`];
  if (environmentVariables.length > 0) parts.push(`Production must now set ${environmentVariables.join(', ')}.`);
  if (result.developmentSwitch) parts.push(`Set ${result.developmentSwitch}=True to run the site locally.`);
  const manual = [...new Map(result.remaining.map((f) => [f.code, `${f.code} ${f.name}`])).values()];
  if (manual.length > 0) parts.push(`Left for a change by hand: ${manual.join(', ')}.`);
  return parts.join(' ');
}

/** Creates the server over an injected connection (stdio, IPC, or in-memory streams in tests). */
export function createServer(connection: Connection, options: ServerOptions = {}): HardenerServer {
  return new HardenerServer(connection, options);
}
