/**
 * Names shared by the server and the VS Code client. Plain constants only: the client
 * bundle imports this file, so it must not pull in the engine or the server library.
 */

/** Server-only commands; the palette commands call them through `workspace/executeCommand`. */
export const SERVER_COMMANDS = {
  hardenSettings: 'djangoHardener.server.hardenSettings',
  scanWorkspace: 'djangoHardener.server.scanWorkspace',
  settingsModel: 'djangoHardener.server.settingsModel',
  /** Opens a rule's page (`window/showDocument`); the argument is the rule code. */
  showRuleDocumentation: 'djangoHardener.server.showRuleDocumentation',
} as const;

/** Palette commands contributed by the client. */
export const CLIENT_COMMANDS = {
  hardenSettings: 'djangoHardener.hardenSettings',
  scanWorkspace: 'djangoHardener.scanWorkspace',
  showOutput: 'djangoHardener.showOutput',
  showSettingsModel: 'djangoHardener.showSettingsModel',
  restartServer: 'djangoHardener.restartServer',
  showRuleDocumentation: 'djangoHardener.showRuleDocumentation',
} as const;

/** The code action kind of "fix all safe problems". */
export const FIX_ALL_KIND = 'source.fixAll.djangoHardener';

/** Diagnostics' `source`. */
export const DIAGNOSTIC_SOURCE = 'django-hardener';

/** The code action kind of "Harden this module". */
export const HARDEN_KIND = 'refactor.rewrite.djangoHardener.harden';

/**
 * Custom notification from the server: the production settings modules it judges, sent when
 * the set changes (the client's status item shows them).
 */
export const STATUS_NOTIFICATION = 'djangoHardener/status';

export interface StatusParams {
  modules: ProductionModuleItem[];
}

/** Custom request: the production settings modules of the workspace, for the quick pick. */
export const PRODUCTION_MODULES_REQUEST = 'djangoHardener/productionModules';

export interface ProductionModuleItem {
  uri: string;
  /** Path relative to its workspace folder. */
  label: string;
  /** Why it is judged as production. */
  reason: string;
}

/** What the harden command answers once its edit was sent to the editor. */
export interface HardenCommandResult {
  /** Whether the editor applied the edit; false when there was nothing to do. */
  applied: boolean;
  /** Number of findings the edit addresses. */
  fixed: number;
  /** Findings that need a change by hand. */
  remaining: number;
  /** Why nothing was done, when nothing was. */
  message?: string;
  /** Environment variables the hardened settings read without a default: production must set them. */
  environmentVariables?: string[];
  /** The variable DEBUG reads in a module that also serves development: set to True, it runs the site locally. */
  developmentSwitch?: string;
}

/** What the settings model command answers: the model of every workspace folder, as text. */
export interface SettingsModelCommandResult {
  text: string;
}

export interface ScanCommandResult {
  /** Production settings modules analysed. */
  modules: number;
  findings: number;
}
