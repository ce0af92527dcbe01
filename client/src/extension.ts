import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, RevealOutputChannelOn, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  CLIENT_COMMANDS,
  PRODUCTION_MODULES_REQUEST,
  SERVER_COMMANDS,
  type HardenCommandResult,
  type ProductionModuleItem,
  type ScanCommandResult,
  type SettingsModelCommandResult,
} from '../../server/src/lsp/protocol';
import { DOCUMENT_SELECTOR } from './document-selector';

let client: LanguageClient | undefined;

/**
 * Starts the language server and registers the palette commands. The server does all the
 * work; each palette command forwards to a server-only command with `workspace/executeCommand`.
 */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Django Hardener', { log: true });
  context.subscriptions.push(output);
  context.subscriptions.push(vscode.commands.registerCommand(CLIENT_COMMANDS.showOutput, () => output.show(true)));

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  if (!existsSync(serverModule)) {
    const message = `Django Hardener cannot start: ${serverModule} is missing. Reinstall the extension.`;
    output.error(message);
    void vscode.window.showErrorMessage(message);
    return;
  }

  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
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
  };
  client = new LanguageClient('djangoHardener', 'Django Hardener', serverOptions, clientOptions);

  context.subscriptions.push(
    vscode.commands.registerCommand(CLIENT_COMMANDS.hardenSettings, () => hardenSettings(output)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.scanWorkspace, () => scanWorkspace(output)),
    vscode.workspace.registerTextDocumentContentProvider(MODEL_SCHEME, modelDocuments),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showSettingsModel, () => showSettingsModel(output)),
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
  const result: HardenCommandResult | null = await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.hardenSettings, arguments: [target] });
  if (result && !result.applied && result.message) void vscode.window.showInformationMessage(result.message);
  else if (result?.applied) {
    if (result.remaining > 0) output.info(`Harden settings: ${result.fixed} problem(s) fixed, ${result.remaining} left that need a change by hand`);
    const told = hardenedEnvironmentMessage(result);
    if (told) {
      output.info(`Harden settings: ${told}`);
      void vscode.window.showInformationMessage(told);
    }
  }
}

async function scanWorkspace(output: vscode.LogOutputChannel): Promise<void> {
  if (!client?.isRunning()) {
    output.warn('Scan workspace: the server is not running');
    return;
  }
  const result: ScanCommandResult | null = await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.scanWorkspace, arguments: [] });
  if (result) vscode.window.setStatusBarMessage(`Django Hardener: ${result.findings} finding(s) in ${result.modules} production settings module(s)`, 5000);
}

/** What production must now set, and the switch that runs the site locally, after Harden settings. */
export function hardenedEnvironmentMessage(result: HardenCommandResult): string | undefined {
  const parts: string[] = [];
  const variables = result.productionVariables ?? [];
  if (variables.length > 0) parts.push(`Production must now set ${variables.join(', ')}.`);
  if (result.developmentSwitch) parts.push(`Set ${result.developmentSwitch}=True to run the site locally.`);
  return parts.length > 0 ? parts.join(' ') : undefined;
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
