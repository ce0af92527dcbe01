/**
 * The real VS Code of the end-to-end test: code-server installed by install.sh into the
 * git-ignored cache, with a fresh profile, extensions folder and HOME for every run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../support/fixtures';

/** Where install.sh puts everything (git-ignored); E2E_CACHE moves it. */
export const CACHE = path.resolve(REPO_ROOT, process.env.E2E_CACHE ?? '.e2e');
const TOOLS_ENV = path.join(CACHE, 'tools.env');
const INSTALL = path.join(REPO_ROOT, 'test', 'e2e', 'vscode', 'install.sh');

export interface Tools {
  CHROMIUM: string;
  NODE24: string;
  CODE_SERVER: string;
  PLAYWRIGHT_CORE: string;
}

/** Why the test cannot run here, or undefined when it must run (E2E or CI set, or the cache present). */
export function skipReason(): string | undefined {
  if (process.env.E2E || process.env.CI || existsSync(TOOLS_ENV)) return undefined;
  return 'the VS Code end-to-end test needs code-server and Chromium: `npm run test:e2e` (or E2E=1) installs them into .e2e/';
}

/** Runs install.sh (quick when everything is cached) and reads the paths it wrote. */
export function installTools(): Tools {
  const run = spawnSync('bash', [INSTALL], { cwd: REPO_ROOT, env: { ...process.env, E2E_CACHE: CACHE }, encoding: 'utf8', timeout: 20 * 60_000 });
  if (run.status !== 0) throw new Error(`${INSTALL} failed (status ${run.status}${run.error ? `, ${run.error.message}` : ''}):\n${run.stdout}\n${run.stderr}`);
  const entries = readFileSync(TOOLS_ENV, 'utf8')
    .split('\n')
    .filter((line) => line.includes('='))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  const tools = Object.fromEntries(entries) as unknown as Tools;
  for (const key of ['CHROMIUM', 'NODE24', 'CODE_SERVER', 'PLAYWRIGHT_CORE'] as const) {
    if (!tools[key] || !existsSync(tools[key])) throw new Error(`${TOOLS_ENV}: ${key} is missing (${tools[key]})`);
  }
  return tools;
}

/**
 * The extension package: E2E_VSIX when given (already packaged), else `npm run package`.
 * Its own test bundles go to the cache so the running test folder is left alone.
 */
export function packageExtension(): string {
  if (process.env.E2E_VSIX) {
    const given = path.resolve(REPO_ROOT, process.env.E2E_VSIX);
    if (!existsSync(given)) throw new Error(`E2E_VSIX names ${given}, which does not exist`);
    return given;
  }
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const run = spawnSync('npm', ['run', 'package'], {
    cwd: REPO_ROOT,
    env: { ...process.env, TEST_OUT: path.join(CACHE, 'package-tests') },
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (run.status !== 0) throw new Error(`npm run package failed (status ${run.status}):\n${run.stdout}\n${run.stderr}`);
  const vsix = path.join(REPO_ROOT, `django-hardener-${version}.vsix`);
  if (!existsSync(vsix)) throw new Error(`npm run package did not write ${vsix}:\n${run.stdout}`);
  return vsix;
}

/** Settings of the fresh profile: nothing between the test and the editor. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  // The chat view holds a second Monaco editor that would match the editor selectors.
  'chat.disableAIFeatures': true,
  // A quick fix that edits another file would otherwise save it at once; the test saves.
  'files.refactoring.autoSave': false,
  'files.autoSave': 'off',
};

export interface CodeServer {
  url: string;
  /** The run's folder: profile, extensions, HOME and log. */
  runDir: string;
  home: string;
  /** code-server's own output. */
  log(): string;
  /** The extension's output channel (with the LSP messages when E2E_TRACE is set), from every window. */
  extensionLog(): string;
  stop(): Promise<void>;
}

function runEnv(tools: Tools, home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.dirname(tools.NODE24)}${path.delimiter}${process.env.PATH}`,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
  };
}

/**
 * Installs the .vsix into a fresh profile and starts code-server on 127.0.0.1 with a port
 * the system picks, in its own process group so that stop() ends the extension host and
 * the language server with it.
 */
export async function startCodeServer(tools: Tools, vsix: string, options: { startTimeoutMs: number }): Promise<CodeServer> {
  mkdirSync(path.join(CACHE, 'runs'), { recursive: true });
  const runDir = mkdtempSync(path.join(CACHE, 'runs', 'run-'));
  const userData = path.join(runDir, 'user-data');
  const extensions = path.join(runDir, 'extensions');
  const home = path.join(runDir, 'home');
  for (const dir of [path.join(userData, 'User'), extensions, home]) mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const env = runEnv(tools, home);
  const profile = ['--user-data-dir', userData, '--extensions-dir', extensions];

  const install = spawnSync(tools.CODE_SERVER, [...profile, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
  if (install.status !== 0 || !/was successfully installed/.test(install.stdout)) {
    throw new Error(`code-server --install-extension ${vsix} failed (status ${install.status}):\n${install.stdout}\n${install.stderr}`);
  }
  const listed = spawnSync(tools.CODE_SERVER, [...profile, '--list-extensions', '--show-versions'], { env, encoding: 'utf8', timeout: 120_000 });
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  if (!listed.stdout.split('\n').includes(`django-hardener.django-hardener@${version}`)) {
    throw new Error(`the installed extensions do not include django-hardener.django-hardener@${version}:\n${listed.stdout}\n${listed.stderr}`);
  }

  const child = spawn(
    tools.CODE_SERVER,
    [
      ...profile,
      '--bind-addr',
      '127.0.0.1:0',
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      // Trace level puts every LSP message in the extension's log.
      ...(process.env.E2E_TRACE ? ['--log', 'trace'] : []),
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const server: CodeServer = {
    url: '',
    runDir,
    home,
    log: () => output,
    extensionLog: () => extensionLog(userData),
    stop: () => stopGroup(child, exited),
  };
  try {
    server.url = await listeningUrl(child, () => output, options.startTimeoutMs);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

function extensionLog(userData: string): string {
  const logs = path.join(userData, 'logs');
  if (!existsSync(logs)) return '';
  return readdirSync(logs, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'Django Hardener.log')
    .sort()
    .map((file) => `--- ${file} ---\n${readFileSync(path.join(logs, file), 'utf8')}`)
    .join('\n');
}

/** Resolves with the address code-server prints once it listens. */
function listeningUrl(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`code-server did not listen within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = () => {
      const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output());
      if (match) finish(undefined, match[1]);
    };
    const onExit = (code: number | null) => finish(new Error(`code-server exited with ${code} before listening:\n${output()}`));
    function finish(error?: Error, url?: string) {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(url!);
    }
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', onExit);
    check();
  });
}

/** SIGTERM to the whole process group, then SIGKILL to whatever is left of it. */
async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone
    }
  };
  signalGroup('SIGTERM');
  await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]);
  // The extension host and the language server share the group; none may outlive the run.
  signalGroup('SIGKILL');
}
