import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, RevealOutputChannelOn, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  CLIENT_COMMANDS,
  PRODUCTION_MODULES_REQUEST,
  SERVER_COMMANDS,
  STATUS_NOTIFICATION,
  type HardenCommandResult,
  type ProductionModuleItem,
  type ScanCommandResult,
  type SettingsModelCommandResult,
  type StatusParams,
} from '../../server/src/lsp/protocol';
import { DOCUMENT_SELECTOR } from './document-selector';
import { ServerStatus } from './server-status';

let client: LanguageClient | undefined;

/**
 * Starts the language server and registers the palette commands. The server does all the
 * work; each palette command forwards to a server-only command with `workspace/executeCommand`.
 */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Django Hardener', { log: true });
  context.subscriptions.push(output);
  const status = new ServerStatus();
  context.subscriptions.push(status);
  const docs = context.asAbsolutePath(path.join('docs', 'rules'));
  context.subscriptions.push(
    vscode.commands.registerCommand(CLIENT_COMMANDS.showOutput, () => output.show(true)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showRuleDocumentation, (code?: string) => showRuleDocumentation(docs, code)),
  );

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const missing = [serverModule, context.asAbsolutePath(path.join('dist', 'server-bundle.js'))].find((file) => !existsSync(file));
  if (missing) {
    const message = `Django Hardener cannot start: ${missing} is missing. Reinstall the extension.`;
    output.error(message);
    status.failed(message);
    void vscode.window.showErrorMessage(message);
    return;
  }

  // The server's compiled code is kept in the extension's own storage, removed with it. A
  // debug start runs with other V8 flags, which a cache must match: it goes without.
  const codeCache = { DJANGO_HARDENER_CACHE_DIR: path.join(context.globalStorageUri.fsPath, 'code-cache') };
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { env: codeCache } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'], env: { DJANGO_HARDENER_CODE_CACHE: 'off' } } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    // Problems go to the log; the only popup is the server's own "cannot start" message.
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationFailedHandler: (error) => {
      output.error(`the server failed to initialise: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
    middleware: {
      window: {
        // A rule page installed with the extension opens as a rendered preview, not as Markdown source.
        showDocument: async (params, token, next) => {
          const uri = vscode.Uri.parse(params.uri);
          if (params.external || uri.scheme !== 'file' || !isWithin(docs, uri.fsPath)) return next(params, token);
          await vscode.commands.executeCommand('markdown.showPreview', uri);
          return { success: true };
        },
      },
    },
  };
  client = new LanguageClient('djangoHardener', 'Django Hardener', serverOptions, clientOptions);
  const languageClient = client;
  context.subscriptions.push(
    languageClient.onDidChangeState((event) => status.serverState(event.newState)),
    languageClient.onNotification(STATUS_NOTIFICATION, (params: StatusParams) => status.modules(params.modules)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.hardenSettings, () => hardenSettings(output)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.scanWorkspace, () => scanWorkspace(output)),
    vscode.workspace.registerTextDocumentContentProvider(MODEL_SCHEME, modelDocuments),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showSettingsModel, () => showSettingsModel(output)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.restartServer, async () => {
      output.info('restarting the server');
      status.serverState(State.Starting);
      try {
        await languageClient.restart();
      } catch (error) {
        output.error(`the server did not restart: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );

  try {
    await client.start();
  } catch (error) {
    output.error(`the server did not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** "Harden settings": the active editor's module if it is a production one, else a quick pick. */
async function hardenSettings(output: vscode.LogOutputChannel): Promise<void> {
  if (!client?.isRunning()) {
    output.warn('Harden settings: the server is not running');
    return;
  }
  const modules = await client.sendRequest<ProductionModuleItem[]>(PRODUCTION_MODULES_REQUEST);
  const active = vscode.window.activeTextEditor?.document.uri;
  let target = active && modules.some((m) => vscode.Uri.parse(m.uri).fsPath === active.fsPath) ? active.toString() : undefined;
  if (!target) {
    if (modules.length === 0) {
      void vscode.window.showInformationMessage('Django Hardener found no production settings module in this workspace.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      modules.map((m) => ({ label: m.label, description: m.reason, uri: m.uri })),
      { placeHolder: 'Production settings module to harden' },
    );
    if (!picked) return;
    target = picked.uri;
  }
  // Once the edit is applied, the server tells the user what production must now set.
  const result: HardenCommandResult | null = await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.hardenSettings, arguments: [target] });
  if (result && !result.applied && result.message) void vscode.window.showInformationMessage(result.message);
}

async function scanWorkspace(output: vscode.LogOutputChannel): Promise<void> {
  if (!client?.isRunning()) {
    output.warn('Scan workspace: the server is not running');
    return;
  }
  const result: ScanCommandResult | null = await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.scanWorkspace, arguments: [] });
  if (result) vscode.window.setStatusBarMessage(`Django Hardener: ${result.findings} finding(s) in ${result.modules} production settings module(s)`, 5000);
}

/** The settings model is shown as a read-only document of this scheme. */
const MODEL_SCHEME = 'django-hardener';
const MODEL_URI = vscode.Uri.from({ scheme: MODEL_SCHEME, path: '/Settings model' });

class ModelDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  text = '';

  provideTextDocumentContent(): string {
    return this.text;
  }

  update(text: string): void {
    this.text = text;
    this.changed.fire(MODEL_URI);
  }
}

const modelDocuments = new ModelDocuments();

/** "Show settings model": the settings modules, their roles and reasons, and production's values, in a read-only document. */
async function showSettingsModel(output: vscode.LogOutputChannel): Promise<void> {
  if (!client?.isRunning()) {
    output.warn('Show settings model: the server is not running');
    return;
  }
  const result: SettingsModelCommandResult | null = await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.settingsModel, arguments: [] });
  modelDocuments.update(result?.text ?? 'The server gave no settings model.\n');
  const document = await vscode.workspace.openTextDocument(MODEL_URI);
  await vscode.window.showTextDocument(document, { preview: true });
}

/** Opens a rule's page from the extension's own docs as a preview; without a code, asks which. */
async function showRuleDocumentation(docs: string, code?: string): Promise<void> {
  let chosen = typeof code === 'string' ? code.toUpperCase() : undefined;
  if (!chosen) {
    const codes = existsSync(docs)
      ? readdirSync(docs)
          .filter((name) => /^DJH\d{3}\.md$/.test(name))
          .map((name) => name.slice(0, -3))
      : [];
    chosen = await vscode.window.showQuickPick(codes.sort(), { placeHolder: 'Rule to show the documentation of' });
    if (!chosen) return;
  }
  const page = vscode.Uri.file(path.join(docs, `${chosen}.md`));
  if (!/^DJH\d{3}$/.test(chosen) || !existsSync(page.fsPath)) {
    void vscode.window.showWarningMessage(`Django Hardener has no rule ${chosen}.`);
    return;
  }
  await vscode.commands.executeCommand('markdown.showPreview', page);
}

function isWithin(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
