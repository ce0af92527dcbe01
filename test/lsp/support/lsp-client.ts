/**
 * An editor stand-in for the server tests: speaks LSP over any pair of streams, answers the
 * server's requests (configuration, progress, registrations, applyEdit) the way an editor
 * does, and records every notification so a test can wait for one. Nothing here sleeps:
 * `waitFor` resolves on the notification itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ApplyWorkspaceEditRequest,
  CodeActionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowDocumentRequest,
  ShowMessageNotification,
  ShutdownRequest,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
  type ApplyWorkspaceEditParams,
  type ClientCapabilities,
  type CodeAction,
  type Command,
  type Diagnostic,
  type FileEvent,
  type LogMessageParams,
  type MessageReader,
  type MessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type ShowDocumentParams,
  type ShowMessageParams,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { STATUS_NOTIFICATION, type StatusParams } from '../../../server/src/lsp/protocol';
import { uriToPath } from '../../../server/src/lsp/uri';

export type ClientEvent =
  | { kind: 'diagnostics'; params: PublishDiagnosticsParams }
  | { kind: 'log'; params: LogMessageParams }
  | { kind: 'show'; params: ShowMessageParams }
  | { kind: 'applyEdit'; params: ApplyWorkspaceEditParams }
  | { kind: 'progress'; token: string | number; value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd }
  | { kind: 'progressCreate'; token: string | number }
  | { kind: 'register'; method: string }
  | { kind: 'configuration'; items: { scopeUri?: string; section?: string }[] }
  | { kind: 'showDocument'; params: ShowDocumentParams }
  | { kind: 'status'; params: StatusParams };

type EventOf<K extends ClientEvent['kind']> = Extract<ClientEvent, { kind: K }>;

/** Capabilities of a typical editor, VS Code's subset that matters here. */
export const EDITOR_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceFolders: true,
    applyEdit: true,
    workspaceEdit: { documentChanges: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    didChangeConfiguration: { dynamicRegistration: false },
  },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true, dataSupport: true },
  },
  window: { workDoneProgress: true, showMessage: {}, showDocument: { support: true } },
};

export interface TestClientOptions {
  /** The `djangoHardener` section answered to `workspace/configuration`. */
  settings?: Record<string, unknown>;
  /** Apply the server's `workspace/applyEdit` to the open documents (default true). */
  applyEdits?: boolean;
  /**
   * Sent in `initialize`; the server exits when that process dies. Null for a server in
   * this very process, whose watchdog would otherwise keep the test process alive.
   */
  processId?: number | null;
}

interface OpenText {
  version: number;
  text: string;
}

export class TestClient {
  readonly connection: ProtocolConnection;
  readonly events: ClientEvent[] = [];
  /** The editor's copy of every open document. */
  readonly open = new Map<string, OpenText>();
  settings: Record<string, unknown>;
  private readonly waiters: { test: (event: ClientEvent) => boolean; resolve: (event: ClientEvent) => void }[] = [];
  private readonly applyEdits: boolean;
  private readonly processId: number | null;

  constructor(reader: MessageReader, writer: MessageWriter, options: TestClientOptions = {}) {
    this.settings = options.settings ?? {};
    this.applyEdits = options.applyEdits ?? true;
    this.processId = options.processId === undefined ? process.pid : options.processId;
    const c = createProtocolConnection(reader, writer);
    this.connection = c;
    c.onNotification(PublishDiagnosticsNotification.type, (params) => this.record({ kind: 'diagnostics', params }));
    c.onNotification(LogMessageNotification.type, (params) => {
      if (process.env.LSP_TEST_LOG) process.stderr.write(`[server] ${params.message}\n`);
      this.record({ kind: 'log', params });
    });
    c.onNotification(ShowMessageNotification.type, (params) => this.record({ kind: 'show', params }));
    c.onRequest(WorkDoneProgressCreateRequest.method, (params: { token: string | number }) => {
      this.record({ kind: 'progressCreate', token: params.token });
      c.onProgress(WorkDoneProgress.type, params.token, (value) => this.record({ kind: 'progress', token: params.token, value }));
      return null;
    });
    c.onRequest(RegistrationRequest.type, (params) => {
      for (const registration of params.registrations) this.record({ kind: 'register', method: registration.method });
      return undefined;
    });
    c.onRequest(ConfigurationRequest.type, (params) => {
      this.record({ kind: 'configuration', items: params.items });
      return params.items.map((item) => (item.section === 'djangoHardener' ? this.settings : null));
    });
    c.onRequest(ShowDocumentRequest.type, (params) => {
      this.record({ kind: 'showDocument', params });
      return { success: true };
    });
    c.onNotification(STATUS_NOTIFICATION, (params: StatusParams) => this.record({ kind: 'status', params }));
    c.onRequest(ApplyWorkspaceEditRequest.type, (params) => {
      this.record({ kind: 'applyEdit', params });
      if (!this.applyEdits) return { applied: false, failureReason: 'the test declined' };
      this.applyWorkspaceEdit(params.edit);
      return { applied: true };
    });
    c.listen();
  }

  // ---- events ----------------------------------------------------------------------------

  private record(event: ClientEvent): void {
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.test(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  }

  /** The number of events so far: pass it to `waitFor` to ignore what came before. */
  mark(): number {
    return this.events.length;
  }

  /** The first event of a kind (from `since` on) that matches, already received or yet to come. */
  waitFor<K extends ClientEvent['kind']>(kind: K, predicate: (event: EventOf<K>) => boolean = () => true, since = 0): Promise<EventOf<K>> {
    const test = (event: ClientEvent) => event.kind === kind && predicate(event as EventOf<K>);
    const past = this.events.slice(since).find(test);
    if (past) return Promise.resolve(past as EventOf<K>);
    return new Promise((resolve) => this.waiters.push({ test, resolve: resolve as (event: ClientEvent) => void }));
  }

  /** Diagnostics published for a URI (and version, when given), from `since` on. */
  async diagnostics(uri: string, since = 0, version?: number): Promise<PublishDiagnosticsParams> {
    const event = await this.waitFor('diagnostics', (e) => e.params.uri === uri && (version === undefined || e.params.version === version), since);
    return event.params;
  }

  /** The latest diagnostics of every URI published so far. */
  latestDiagnostics(): Map<string, Diagnostic[]> {
    const latest = new Map<string, Diagnostic[]>();
    for (const event of this.events) if (event.kind === 'diagnostics') latest.set(event.params.uri, event.params.diagnostics);
    return latest;
  }

  of<K extends ClientEvent['kind']>(kind: K, since = 0): EventOf<K>[] {
    return this.events.slice(since).filter((e): e is EventOf<K> => e.kind === kind);
  }

  // ---- editor actions --------------------------------------------------------------------

  async initialize(rootUri: string | null, capabilities: ClientCapabilities = EDITOR_CAPABILITIES): Promise<void> {
    await this.connection.sendRequest(InitializeRequest.type, {
      processId: this.processId,
      rootUri,
      capabilities,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'workspace' }] : null,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  async openDocument(uri: string, text: string, languageId = 'python', version = 1): Promise<void> {
    this.open.set(uri, { version, text });
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  /** Opens a file with its text on disk. */
  async openFile(uri: string, languageId = 'python'): Promise<void> {
    await this.openDocument(uri, readFileSync(uriToPath(uri)!, 'utf8'), languageId);
  }

  /**
   * Sends one didChange with incremental changes, each relative to the text the previous
   * one left, and keeps the editor's copy in step.
   */
  async change(uri: string, changes: { range: Range; text: string }[]): Promise<number> {
    const doc = this.open.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    for (const change of changes) doc.text = applyEdit(doc.text, change.range, change.text);
    doc.version++;
    const contentChanges: TextDocumentContentChangeEvent[] = changes.map((c) => ({ range: c.range, text: c.text }));
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: doc.version }, contentChanges });
    return doc.version;
  }

  async closeDocument(uri: string): Promise<void> {
    this.open.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  async configurationChanged(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { djangoHardener: settings } });
  }

  async filesChanged(changes: FileEvent[]): Promise<void> {
    await this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<(CodeAction | Command)[]> {
    return (await this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics, only } })) ?? [];
  }

  executeCommand(command: string, args: unknown[] = []): Promise<unknown> {
    return this.connection.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  /**
   * Applies a workspace edit as an editor does: open documents get the edits as one
   * didChange (last edit first, so earlier ranges stay valid), files that are not open are
   * opened with the edited text.
   */
  async applyWorkspaceEdit(edit: WorkspaceEdit): Promise<void> {
    const perUri = new Map<string, TextEdit[]>();
    for (const change of edit.documentChanges ?? []) {
      // Creating a file that exists, with ignoreIfExists, does nothing.
      if ('kind' in change && change.kind === 'create' && change.options?.ignoreIfExists && existsSync(uriToPath(change.uri)!)) continue;
      if (!('textDocument' in change)) throw new Error('unexpected resource operation');
      const open = this.open.get(change.textDocument.uri);
      if (open && change.textDocument.version !== null && change.textDocument.version !== open.version)
        throw new Error(`edit for version ${change.textDocument.version} of ${change.textDocument.uri}, which is at ${open.version}`);
      perUri.set(change.textDocument.uri, [...(perUri.get(change.textDocument.uri) ?? []), ...(change.edits as TextEdit[])]);
    }
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) perUri.set(uri, [...(perUri.get(uri) ?? []), ...edits]);
    for (const [uri, edits] of perUri) {
      // Last first, so earlier edits keep their positions; insertions at one place land in array order.
      const ordered = edits
        .map((e, index) => ({ e, index }))
        .sort((a, b) => b.e.range.start.line - a.e.range.start.line || b.e.range.start.character - a.e.range.start.character || b.index - a.index)
        .map(({ e }) => e);
      if (this.open.has(uri))
        await this.change(
          uri,
          ordered.map((e) => ({ range: e.range, text: e.newText })),
        );
      else {
        let text = readFileSync(uriToPath(uri)!, 'utf8');
        for (const e of ordered) text = applyEdit(text, e.range, e.newText);
        await this.openDocument(uri, text);
      }
    }
  }

  async shutdown(): Promise<void> {
    await this.connection.sendRequest(ShutdownRequest.type);
  }

  dispose(): void {
    this.connection.dispose();
  }
}

/** Offset of an LSP position, as an editor counts lines (\n, \r\n and a lone \r each end one). */
export function offsetAt(text: string, position: { line: number; character: number }): number {
  return TextDocument.create('file:///t', 'plaintext', 0, text).offsetAt(position);
}

export function positionAt(text: string, offset: number): { line: number; character: number } {
  return TextDocument.create('file:///t', 'plaintext', 0, text).positionAt(offset);
}

export function applyEdit(text: string, range: Range, newText: string): string {
  return TextDocument.applyEdits(TextDocument.create('file:///t', 'plaintext', 0, text), [{ range, newText }]);
}
