import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { CLIENT_COMMANDS, type ProductionModuleItem } from '../../server/src/lsp/protocol';
import { DOCUMENT_SELECTOR } from './document-selector';

/**
 * The language status item beside the language mode: whether the server runs, and which
 * production settings modules it judges (the settings findings come from those alone).
 * A click opens the output.
 */
export class ServerStatus implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('djangoHardener.status', DOCUMENT_SELECTOR);
  private state: 'starting' | 'running' | 'stopped' | 'failed' = 'starting';
  private judged: ProductionModuleItem[] | undefined;
  private failure = '';

  constructor() {
    this.item.name = 'Django Hardener';
    this.item.command = { title: 'Show output', command: CLIENT_COMMANDS.showOutput };
    this.render();
  }

  serverState(state: State): void {
    this.state = state === State.Running ? 'running' : state === State.Starting ? 'starting' : 'stopped';
    if (state !== State.Running) this.judged = undefined;
    this.render();
  }

  modules(modules: ProductionModuleItem[]): void {
    this.judged = modules;
    this.render();
  }

  failed(message: string): void {
    this.state = 'failed';
    this.failure = message;
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const item = this.item;
    item.busy = this.state === 'starting' || (this.state === 'running' && !this.judged);
    item.severity = this.state === 'stopped' || this.state === 'failed' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    if (this.state === 'failed') {
      item.text = 'Django Hardener: not running';
      item.detail = this.failure;
    } else if (this.state === 'stopped') {
      item.text = 'Django Hardener: stopped';
      item.detail = 'Django Hardener: Restart server';
    } else if (this.state === 'starting' || !this.judged) {
      item.text = 'Django Hardener: starting';
      item.detail = '';
    } else if (this.judged.length === 0) {
      item.text = 'Django Hardener: no production settings';
      item.detail = 'only code and templates are checked';
    } else {
      item.text = `Django Hardener: ${this.judged.map((m) => m.label).join(', ')}`;
      item.detail = this.judged.length === 1 ? `production settings (${this.judged[0].reason})` : `${this.judged.length} production settings modules`;
    }
  }
}
