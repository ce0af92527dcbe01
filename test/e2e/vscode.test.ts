/**
 * The packaged extension in a real VS Code: the .vsix installed into code-server, driven in
 * Debian's headless Chromium with playwright-core, on a fresh copy of examples/insecure-project.
 * `npm run test:e2e` installs what it needs (test/e2e/vscode/install.sh, cached in .e2e/);
 * under `npm test` the suite runs when E2E or CI is set or the cache exists, and skips
 * otherwise. Screenshots of each step go to .e2e/screenshots/; a failed step leaves
 * failed-<step>.png and failed-<step>.txt (the error, code-server's output and the extension's
 * log, with every LSP message when E2E_TRACE=1) there too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { REPO_ROOT } from '../support/fixtures';
import { CACHE, installTools, packageExtension, skipReason, startCodeServer, type CodeServer, type Tools } from './vscode/code-server';
import {
  activeTab,
  dirtyTab,
  goToLine,
  launchChromium,
  openFile,
  openFolder,
  openQuickFixes,
  problemRows,
  runCommand,
  showProblems,
  visibleLines,
  waitForEditOrPicker,
  waitForProblem,
  waitForSquiggle,
  waitForVisibleLine,
  type Browser,
  type Page,
} from './vscode/workbench';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'insecure-project');
const CLI = path.join(path.resolve(REPO_ROOT, process.env.DIST_DIR ?? 'dist'), 'cli.js');
const SCREENSHOTS = path.join(CACHE, 'screenshots');
const BASE = 'shop/settings/base.py';
const PRODUCTION = 'shop/settings/production.py';
const TEMPLATE = 'orders/templates/orders/checkout.html';
const FORM_LINE = `  <form method="post" action="{% url 'orders:checkout' order.pk %}">`;
const TOKEN_LINE = '    {% csrf_token %}';

const DEBUG_LINE = 'DEBUG = True';
const DEBUG_MESSAGE = 'DEBUG is True in a production settings module. Error pages show stack traces, settings and SQL to anyone.';
const SSL_MESSAGE = 'SECURE_SSL_REDIRECT is not set, so plain-HTTP requests are served instead of redirected to HTTPS. Anyone on the network path can read and change what such a request carries.';
const HARDENING = '\n# Security hardening\nDEBUG = False\n';

/** Generous bounds for a 2-core machine; each is a wait on the page, never a sleep. */
const UI_TIMEOUT = 60_000;
const STEP = { timeout: 3 * 60_000 };

describe('VS Code (code-server) with the packaged extension', { skip: skipReason() }, () => {
  let tools: Tools;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;
  let debugLineNumber: number;
  let formLineNumber: number;
  let originalTemplate: string;
  let originalProduction: string;
  let failedStep: string | undefined;
  const timings: string[] = [];

  async function timed<T>(label: string, body: () => T | Promise<T>): Promise<T> {
    const started = Date.now();
    const value = await body();
    timings.push(`${label} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return value;
  }

  /**
   * Runs one step; on failure keeps a screenshot and the logs next to it. Each step starts
   * where the previous one left the editor, so after a failure the rest fail at once.
   */
  async function step(name: string, body: () => Promise<void>): Promise<void> {
    if (failedStep) assert.fail(`not run: the "${failedStep}" step failed`);
    try {
      await body();
    } catch (error) {
      failedStep = name;
      if (page) await page.screenshot({ path: path.join(SCREENSHOTS, `failed-${name}.png`) }).catch(() => undefined);
      const log = server ? `\n--- code-server ---\n${server.log()}\n${server.extensionLog()}` : '';
      writeFileSync(path.join(SCREENSHOTS, `failed-${name}.txt`), `${(error as Error)?.stack ?? String(error)}\n${log}`);
      throw error;
    }
  }

  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name) });
  const onDisk = (relative: string) => readFileSync(path.join(workspace, relative), 'utf8');

  before(
    async () => {
      rmSync(SCREENSHOTS, { recursive: true, force: true });
      mkdirSync(SCREENSHOTS, { recursive: true });
      tools = await timed('install', () => installTools());
      const vsix = await timed('package', () => packageExtension());
      server = await timed('code-server start', () => startCodeServer(tools, vsix, { startTimeoutMs: 60_000 }));
      // A fresh copy every run: the test saves its edits.
      workspace = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'dh-vscode-')));
      cpSync(EXAMPLE, workspace, { recursive: true });
      debugLineNumber = onDisk(BASE).split('\n').indexOf(DEBUG_LINE) + 1;
      assert.ok(debugLineNumber > 0, `${BASE} has a \`${DEBUG_LINE}\` line`);
      originalProduction = onDisk(PRODUCTION);
      originalTemplate = onDisk(TEMPLATE);
      formLineNumber = originalTemplate.split('\n').indexOf(FORM_LINE) + 1;
      assert.ok(formLineNumber > 0, `${TEMPLATE} has the form line`);
      browser = await launchChromium(tools.PLAYWRIGHT_CORE, tools.CHROMIUM, server.home);
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT);
      await timed('workbench load', () => openFolder(page, server!.url, workspace));
    },
    { timeout: 25 * 60_000 },
  );

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (server) rmSync(server.runDir, { recursive: true, force: true });
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  test('a template opened first, before any Python file: its squiggle, the squiggle moving as the template alone is edited, its quick fix', STEP, (t: TestContext) =>
    step('template-first', async () => {
      await timed('first template squiggle', async () => {
        await openFile(page, TEMPLATE);
        await waitForSquiggle(page, FORM_LINE, 'error', 'present');
      });
      await showProblems(page);
      await waitForProblem(page, ['DJH301', `[Ln ${formLineNumber}, Col 3]`], 'present');
      // A line break typed above the form, in the template alone: the squiggle follows it.
      await activeTab(page, 'checkout.html').click();
      await goToLine(page, formLineNumber);
      await page.keyboard.press('Enter');
      await dirtyTab(page, 'checkout.html').waitFor();
      await waitForProblem(page, ['DJH301', `[Ln ${formLineNumber + 1}, Col 3]`], 'present');
      await waitForSquiggle(page, FORM_LINE, 'error', 'present');
      await shot('0-template-squiggle.png');
      await goToLine(page, formLineNumber + 1);
      const fix = await openQuickFixes(page, 'Add {% csrf_token %} to the form');
      await page.locator('.action-widget .monaco-list-row', { hasText: 'Ignore DJH301 on this line' }).waitFor();
      await fix.click();
      await waitForVisibleLine(page, TOKEN_LINE);
      await waitForSquiggle(page, FORM_LINE, 'error', 'absent');
      await waitForProblem(page, ['DJH301'], 'absent');
      await page.keyboard.press('Control+S');
      await dirtyTab(page, 'checkout.html').waitFor({ state: 'detached' });
      const lines = originalTemplate.split('\n');
      lines.splice(formLineNumber - 1, 1, '', FORM_LINE, TOKEN_LINE);
      assert.equal(onDisk(TEMPLATE), lines.join('\n'));
      // The next step starts as a user would: the panel closed, the editor showing more lines.
      await page.keyboard.press('Control+J');
      await page.locator('.markers-panel').waitFor({ state: 'hidden' });
      t.diagnostic(timings.join(', '));
    }),
  );

  test('opening base.py draws the DEBUG squiggle', STEP, (t: TestContext) =>
    step('squiggle', async () => {
      await timed('first squiggle', async () => {
        await openFile(page, BASE);
        await waitForSquiggle(page, DEBUG_LINE, 'error', 'present');
      });
      t.diagnostic(timings.join(', '));
    }),
  );

  test('the Problems panel lists DJH101 with its message and position', STEP, () =>
    step('problems', async () => {
      await showProblems(page);
      const entry = [DEBUG_MESSAGE, 'django-hardener', 'DJH101', `[Ln ${debugLineNumber}, Col 1]`];
      await waitForProblem(page, entry, 'present');
      const rows = (await problemRows(page)).filter((row) => row.includes('DJH101'));
      assert.equal(rows.length, 1, JSON.stringify(rows));
      await shot('1-squiggle-and-problems.png');
    }),
  );

  test('the language status names the production module judged; a click opens the output', STEP, () =>
    step('language-status', async () => {
      await activeTab(page, 'base.py').click();
      await page.locator('#status\\.languageStatus').click();
      const hover = page.locator('.monaco-hover', { hasText: 'Django Hardener: shop/settings/production.py' });
      await hover.waitFor();
      await shot('2a-language-status.png');
      await hover.locator('a', { hasText: 'Show output' }).click();
      await page.locator('.part.panel .monaco-editor', { hasText: 'scanned' }).waitFor();
      // Back to the Problems panel, which the next steps read.
      await showProblems(page);
    }),
  );

  test('"Show documentation for DJH101" opens the rule page shipped with the extension as a preview', STEP, () =>
    step('documentation', async () => {
      await activeTab(page, 'base.py').click();
      await goToLine(page, debugLineNumber);
      const show = await openQuickFixes(page, 'Show documentation for DJH101');
      await show.click();
      await activeTab(page, 'Preview DJH101.md').waitFor();
      await shot('2b-rule-documentation.png');
      await page.locator('.part.editor .tab', { hasText: 'base.py' }).click();
      await activeTab(page, 'base.py').waitFor();
    }),
  );

  test('the quick fix from Ctrl+. sets DEBUG = False in production.py', STEP, () =>
    step('quick-fix', async () => {
      await activeTab(page, 'base.py').click();
      await goToLine(page, debugLineNumber);
      const fix = await openQuickFixes(page, 'Set DEBUG = False in production.py (changes runtime behaviour)');
      await page.locator('.action-widget .monaco-list-row', { hasText: 'Ignore DJH101 on this line' }).waitFor();
      await shot('2-quick-fix-menu.png');
      await fix.click();

      // The fix goes to the production module; base.py's diagnostic is withdrawn.
      await waitForProblem(page, [DEBUG_MESSAGE], 'absent');
      await waitForSquiggle(page, DEBUG_LINE, 'error', 'absent');
      assert.equal(onDisk(BASE), readFileSync(path.join(EXAMPLE, BASE), 'utf8'));

      await openFile(page, PRODUCTION);
      await dirtyTab(page, 'production.py').waitFor();
      const lines = await visibleLines(page);
      assert.deepEqual(lines.slice(-4), ['', '# Security hardening', 'DEBUG = False', '']);
      await page.keyboard.press('Control+S');
      await dirtyTab(page, 'production.py').waitFor({ state: 'detached' });
      assert.equal(onDisk(PRODUCTION), `${originalProduction}${HARDENING}`);
      await shot('3-quick-fixed.png');
    }),
  );

  test('"Django Hardener: Harden settings" from the palette hardens production.py', STEP, () =>
    step('harden', async () => {
      await activeTab(page, 'production.py').waitFor();
      await waitForProblem(page, [SSL_MESSAGE, 'DJH110'], 'present');
      await runCommand(page, 'Django Hardener: Harden settings');
      // production.py is the active editor, so no quick pick is expected; if the client asks
      // anyway, it must offer production.py.
      let outcome = await waitForEditOrPicker(page, 'production.py');
      if (outcome === 'picker') {
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'production.py' }).first().click();
        outcome = await waitForEditOrPicker(page, 'production.py');
      }
      // The edit is shown in the Refactor Preview first, every change ticked, one row per new setting.
      assert.equal(outcome, 'preview', 'Harden settings is previewed before it is applied');
      const panel = page.locator('.bulk-edit-panel');
      const moduleRow = panel.locator('.monaco-list-row', { hasText: 'production.py' }).first();
      await moduleRow.waitFor();
      assert.equal(await dirtyTab(page, 'production.py').count(), 0, 'nothing is applied before the user confirms');
      const csrfCookie = panel.locator('.monaco-list-row', { hasText: 'CSRF_COOKIE_SECURE = True' });
      await csrfCookie.waitFor();
      const ticks = await panel.locator('.monaco-list-row').evaluateAll((rows) =>
        rows.map((row) => {
          const box = row.querySelector('.edit-checkbox');
          return box === null
            ? 'none'
            : box.querySelector('.checked, [aria-checked="true"]') || box.classList.contains('checked') || box.getAttribute('aria-checked') === 'true'
              ? 'ticked'
              : 'unticked';
        }),
      );
      assert.ok(ticks.filter((tick) => tick === 'ticked').length >= 8, JSON.stringify(ticks));
      assert.deepEqual(
        ticks.filter((tick) => tick === 'unticked'),
        [],
        'every change starts ticked',
      );
      // The user leaves one change out.
      await csrfCookie.locator('.edit-checkbox').click();
      await shot('4-harden-preview.png');
      await panel.locator('.monaco-button', { hasText: 'Apply' }).click();
      await dirtyTab(page, 'production.py').waitFor();
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Production must now set DJANGO_SECRET_KEY, DB_PASSWORD' });
      await toast.waitFor();
      assert.match((await toast.textContent()) ?? '', /Hardened shop\/settings\/production\.py: \d+ fixes\./);
      await shot('4b-harden-notification.png');
      // The preview panel had the focus; give it back to the editor.
      await activeTab(page, 'production.py').click();
      await waitForProblem(page, ['DJH110'], 'absent');
      await page.keyboard.press('Control+S');
      await dirtyTab(page, 'production.py').waitFor({ state: 'detached' });

      const hardened = onDisk(PRODUCTION);
      assert.match(hardened, /^SECURE_SSL_REDIRECT = True$/m);
      assert.doesNotMatch(hardened, /CSRF_COOKIE_SECURE/, 'the unticked change is left out');
      assert.equal(hardened.match(/^DEBUG = False$/gm)?.length, 1, 'the quick fix is not repeated');
      assert.equal(
        hardened,
        cliHarden(`${originalProduction}${HARDENING}`).replace('CSRF_COOKIE_SECURE = True\n', ''),
        'the editor and `django-hardener harden --write` agree, but for the unticked change',
      );

      await page.keyboard.press('Control+End');
      await waitForVisibleLine(page, 'SECURE_SSL_REDIRECT = True');
      await shot('5-hardened.png');
    }),
  );

  test('a template under templates/ opens as Django HTML', STEP, () =>
    step('template', async () => {
      await openFile(page, TEMPLATE);
      await page.locator('.statusbar-item', { hasText: 'Django HTML' }).waitFor();
      await shot('6-template.png');
    }),
  );

  test('"Django Hardener: Restart server" starts a new server, which scans and publishes again', STEP, () =>
    step('restart', async () => {
      await runCommand(page, 'Django Hardener: Restart server');
      await runCommand(page, 'Django Hardener: Show output');
      await page.locator('.part.panel .view-line', { hasText: 'restarting the server' }).waitFor();
      // The first server's start-up scan and the new one's.
      await page.locator('.part.panel .view-line', { hasText: 'scanned 1 folder' }).nth(1).waitFor();
      await showProblems(page);
      await waitForProblem(page, ['DJH112'], 'present');
      await shot('last-run.png');
    }),
  );
});

/** What the CLI's `harden --write` makes of production.py with the given text, on a copy of the example. */
function cliHarden(production: string): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'dh-harden-'));
  try {
    cpSync(EXAMPLE, copy, { recursive: true });
    writeFileSync(path.join(copy, PRODUCTION), production);
    const run = spawnSync(process.execPath, [CLI, 'harden', '--write', PRODUCTION], { cwd: copy, encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    return readFileSync(path.join(copy, PRODUCTION), 'utf8');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
