/**
 * Neovim (Debian's 0.7) as a second, independent LSP client: headless, it starts the built
 * server over stdio, receives the diagnostics of a settings module and applies a quick fix
 * with its own workspace-edit code (test/e2e/neovim/client.lua does the editor side).
 * Without nvim the tests skip, or fail when CI is set.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { assertDocsLink } from '../support/docs-link';
import { REPO_ROOT } from '../support/fixtures';

const SERVER = path.join(path.resolve(REPO_ROOT, process.env.DIST_DIR ?? 'dist'), 'server.js');
const CLIENT_LUA = path.join(REPO_ROOT, 'test', 'e2e', 'neovim', 'client.lua');
const PROJECT = path.join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'split-settings');
const BASE = 'mysite/settings/base.py';
const PRODUCTION = 'mysite/settings/production.py';
const TEMPLATE = 'shop/templates/shop/pay.html';
const CSRF_MESSAGE = 'This POST form has no {% csrf_token %}, so Django rejects its submissions. Exempting the view from CSRF checks instead would let any site submit it for a logged-in user.';

const DEBUG_MESSAGE = 'DEBUG is True in a production settings module. Error pages show stack traces, settings and SQL to anyone.';
const INHERITS = 'mysite/settings/production.py inherits this value through `from … import *` and does not override it';

/** What client.lua records (Lua's empty tables may come back as `{}`). */
interface NeovimResult {
  error?: string;
  steps: string[];
  published: { uri: string; version?: number; diagnostics: Record<string, unknown>[] }[];
  vim_diagnostics?: Record<string, unknown>[];
  moved?: { from: number; to: number };
  actions?: { title: string; kind?: string; isPreferred?: boolean }[];
  applied?: string;
  messages: unknown[] | Record<string, never>;
  logs: unknown[] | Record<string, never>;
  exit?: { code: number; signal: number };
}

interface NeovimRun {
  status: number | null;
  timedOut: boolean;
  output: string;
  result?: NeovimResult;
}

const nvimVersion = (() => {
  const probe = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.split('\n')[0] : undefined;
})();

/** Skips without nvim, or fails when CI is set. */
function requireNeovim(t: TestContext): boolean {
  if (nvimVersion) return true;
  const message = 'nvim is not installed (apt-get install neovim)';
  if (process.env.CI) assert.fail(message);
  t.skip(message);
  return false;
}

function list<T>(value: T[] | Record<string, never> | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Runs client.lua in a headless Neovim against `server` on a fresh copy of the project. Each
 * wait inside is bounded by `waitMs`; the whole run is killed after `killAfterMs`.
 */
async function runNeovim(root: string, server: string, options: { waitMs: number; killAfterMs: number; file?: string; select?: string; move?: boolean }): Promise<NeovimRun> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'dh-nvim-home-'));
  const resultFile = path.join(scratch, 'result.json');
  const xdg = Object.fromEntries(['CONFIG', 'DATA', 'STATE', 'CACHE'].map((kind) => [`XDG_${kind}_HOME`, path.join(scratch, kind.toLowerCase())]));
  for (const dir of Object.values(xdg)) mkdirSync(dir);
  const env = {
    ...process.env,
    ...xdg,
    HOME: scratch,
    DH_NODE: process.execPath,
    DH_SERVER: server,
    DH_ROOT: root,
    DH_FILE: options.file ?? BASE,
    DH_SELECT: options.select ?? 'DJH101',
    DH_MOVE: options.move ? '1' : '0',
    DH_RESULT: resultFile,
    DH_TIMEOUT_MS: String(options.waitMs),
  };
  try {
    const child = spawn('nvim', ['--headless', '--clean', '-u', 'NONE', '-c', `luafile ${CLIENT_LUA}`], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.killAfterMs);
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    clearTimeout(timer);
    const result = existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as NeovimResult) : undefined;
    return { status, timedOut, output, result };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function copyProject(): string {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'dh-nvim-')));
  cpSync(PROJECT, root, { recursive: true });
  return root;
}

const uriOf = (root: string, relative: string) => pathToFileURL(path.join(root, relative)).href;

describe('Neovim as an LSP client', () => {
  test('receives the DEBUG diagnostic of base.py and applies the quick fix to production.py', { timeout: 90_000 }, async (t) => {
    if (!requireNeovim(t)) return;
    assert.ok(existsSync(SERVER), `${SERVER} is built`);
    const root = copyProject();
    try {
      const baseBefore = readFileSync(path.join(root, BASE), 'utf8');
      const productionBefore = readFileSync(path.join(root, PRODUCTION), 'utf8');
      const run = await runNeovim(root, SERVER, { waitMs: 15_000, killAfterMs: 75_000 });
      const result = run.result;
      assert.ok(result, `client.lua wrote no result (status ${run.status}, timed out: ${run.timedOut}):\n${run.output}`);
      assert.equal(result.error, undefined, `client.lua failed after ${JSON.stringify(result.steps)}: ${result.error}\n${JSON.stringify(result.logs)}\n${run.output}`);
      assert.equal(run.status, 0, run.output);
      assert.deepEqual(result.steps, ['started', 'diagnostics', 'codeActions', 'applied', 'cleared', 'stopped']);

      // The diagnostic exactly as the server published it: the last non-empty publication for base.py.
      const forBase = result.published.filter((p) => p.uri === uriOf(root, BASE));
      const shown = forBase.filter((p) => list(p.diagnostics).length > 0).at(-1);
      assert.ok(shown, `no diagnostics published for base.py: ${JSON.stringify(result.published)}`);
      assert.equal(shown.diagnostics.length, 1, JSON.stringify(shown.diagnostics));
      const { data, codeDescription, ...diagnostic } = shown.diagnostics[0];
      assert.ok(data, 'the diagnostic carries its fixes in data');
      assertDocsLink((codeDescription as { href?: string } | undefined)?.href, 'DJH101');
      assert.deepEqual(diagnostic, {
        range: { start: { line: 6, character: 0 }, end: { line: 6, character: 12 } },
        severity: 1,
        code: 'DJH101',
        source: 'django-hardener',
        message: DEBUG_MESSAGE,
        relatedInformation: [
          {
            location: { uri: uriOf(root, PRODUCTION), range: { start: { line: 1, character: 0 }, end: { line: 1, character: 19 } } },
            message: INHERITS,
          },
        ],
      });

      // …and as Neovim shows it (0-based lines, byte columns).
      assert.deepEqual(result.vim_diagnostics, [{ lnum: 6, col: 0, end_lnum: 6, end_col: 12, severity: 1, source: 'django-hardener', code: 'DJH101', message: DEBUG_MESSAGE }]);

      assert.deepEqual(
        list(result.actions).map((a) => [a.title, a.kind, a.isPreferred ?? null]),
        [
          ['Set DEBUG = False in production.py (changes runtime behaviour)', 'quickfix', true],
          ['Ignore DJH101 on this line', 'quickfix', null],
          ['Show documentation for DJH101', 'quickfix', null],
          ['Harden mysite/settings/production.py (1 fix)', 'refactor.rewrite.djangoHardener.harden', null],
        ],
      );
      assert.equal(result.applied, 'Set DEBUG = False in production.py (changes runtime behaviour)');

      // The fix lands in the production module (base.py is shared with development).
      assert.equal(readFileSync(path.join(root, BASE), 'utf8'), baseBefore);
      assert.equal(productionBefore, '"""Settings for www.example.com."""\nfrom .base import *  # noqa: F401,F403\n\nALLOWED_HOSTS = ["www.example.com"]\n');
      assert.equal(readFileSync(path.join(root, PRODUCTION), 'utf8'), `${productionBefore}\n# Security hardening\nDEBUG = False\n`);

      // Once production.py is open with the fix, base.py's diagnostic is withdrawn.
      assert.deepEqual(list(forBase.at(-1)!.diagnostics), []);
      assert.deepEqual(list(result.messages), [], 'no message shown to the user');
      assert.deepEqual(result.exit, { code: 0, signal: 0 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('opens a template first, before any Python file: its squiggle, the squiggle moving as the template alone is edited, its fix', { timeout: 90_000 }, async (t) => {
    if (!requireNeovim(t)) return;
    assert.ok(existsSync(SERVER), `${SERVER} is built`);
    const root = copyProject();
    try {
      const before = readFileSync(path.join(root, TEMPLATE), 'utf8');
      const run = await runNeovim(root, SERVER, { waitMs: 15_000, killAfterMs: 75_000, file: TEMPLATE, select: 'DJH301', move: true });
      const result = run.result;
      assert.ok(result, `client.lua wrote no result (status ${run.status}, timed out: ${run.timedOut}):\n${run.output}`);
      assert.equal(result.error, undefined, `client.lua failed after ${JSON.stringify(result.steps)}: ${result.error}\n${JSON.stringify(result.logs)}\n${run.output}`);
      assert.deepEqual(result.steps, ['started', 'diagnostics', 'moved', 'codeActions', 'applied', 'cleared', 'stopped']);
      assert.deepEqual(result.vim_diagnostics, [{ lnum: 1, col: 2, end_lnum: 1, end_col: 22, severity: 1, source: 'django-hardener', code: 'DJH301', message: CSRF_MESSAGE }]);
      assert.deepEqual(result.moved, { from: 1, to: 2 });
      assert.deepEqual(
        list(result.actions).map((a) => [a.title, a.kind, a.isPreferred ?? null]),
        [
          ['Add {% csrf_token %} to the form', 'quickfix', true],
          ['Ignore DJH301 on this line', 'quickfix', null],
          ['Show documentation for DJH301', 'quickfix', null],
        ],
      );
      // The edit (a line at the top) and the fix, written by Neovim.
      assert.equal(readFileSync(path.join(root, TEMPLATE), 'utf8'), `\n${before.replace('<form method="post">\n', '<form method="post">\n    {% csrf_token %}\n')}`);
      assert.deepEqual(list(result.messages), [], 'no message shown to the user');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a server that never answers fails the run within the bound instead of hanging', { timeout: 60_000 }, async (t) => {
    if (!requireNeovim(t)) return;
    const root = copyProject();
    const silent = path.join(root, 'silent-server.js');
    // Reads the requests and never answers; exits when Neovim closes its stdin.
    writeFileSync(silent, "process.stdin.resume();\nprocess.stdin.on('end', () => process.exit(0));\n");
    try {
      const started = Date.now();
      const run = await runNeovim(root, silent, { waitMs: 1_000, killAfterMs: 30_000 });
      assert.equal(run.timedOut, false, `Neovim had to be killed:\n${run.output}`);
      assert.notEqual(run.status, 0);
      assert.ok(run.result, `client.lua wrote no result:\n${run.output}`);
      assert.deepEqual(run.result.steps, ['started']);
      assert.equal(run.result.error, `timed out after 1000 ms waiting for diagnostics of ${BASE} from DJH101 only, for the version open`);
      assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
