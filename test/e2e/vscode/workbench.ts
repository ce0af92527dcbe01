/**
 * What the VS Code test does with the workbench, through playwright-core in Chromium: only
 * what a user does (keyboard shortcuts, the command palette, menus) and only waits on the
 * page's own elements, never on the clock.
 */
import { createRequire } from 'node:module';

/** The parts of playwright-core's API the test uses (it is installed outside the project). */
export interface Locator {
  first(): Locator;
  nth(index: number): Locator;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  textContent(): Promise<string | null>;
  /** Runs `fn` in the page on every matching element. */
  evaluateAll<R>(fn: (elements: PageElement[]) => R): Promise<R>;
  count(): Promise<number>;
  /** Sets an input's value directly, wherever the keyboard focus is. */
  fill(value: string, options?: { timeout?: number }): Promise<void>;
  /** Focuses the element, then presses a key in it. */
  press(key: string): Promise<void>;
  waitFor(options?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  click(options?: { timeout?: number }): Promise<void>;
  isVisible(): Promise<boolean>;
}
export interface Page {
  goto(url: string, options?: { timeout?: number }): Promise<unknown>;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, options?: { timeout?: number; polling?: 'raf' | number }): Promise<{ jsonValue(): Promise<unknown> }>;
  screenshot(options: { path: string }): Promise<unknown>;
  setDefaultTimeout(ms: number): void;
}
export interface Browser {
  newContext(options: { viewport: { width: number; height: number } }): Promise<{ newPage(): Promise<Page> }>;
  close(): Promise<void>;
}
interface Chromium {
  launch(options: { executablePath: string; headless: boolean; args: string[]; env: NodeJS.ProcessEnv }): Promise<Browser>;
}

/** The few DOM parts the in-page functions use (the project compiles without the DOM library). */
export interface PageElement {
  textContent: string | null;
  classList: { contains(name: string): boolean };
  getAttribute(name: string): string | null;
  style: { top: string; display: string };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}
declare const document: Pick<PageElement, 'querySelector' | 'querySelectorAll'>;

/** Debian's headless Chromium, run by the playwright-core that install.sh put in the cache. */
export async function launchChromium(playwrightCore: string, executablePath: string, home: string): Promise<Browser> {
  const { chromium } = createRequire(__filename)(playwrightCore) as { chromium: Chromium };
  return chromium.launch({
    executablePath,
    headless: true,
    // No sandbox (CI runs as root), no GPU, and nothing that reaches for the network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, HOME: home },
  });
}

/** The text editor of the editor area (the chat view has a Monaco editor of its own). */
export const EDITOR = '.part.editor .editor-group-container.active .monaco-editor';

export type Severity = 'error' | 'warning' | 'info';

/** Opens the workbench on a folder and waits for its files to be listed. */
export async function openFolder(page: Page, baseUrl: string, folder: string): Promise<void> {
  await page.goto(`${baseUrl}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor();
}

/** Quick Open (Ctrl+P) a workspace-relative path; resolves when its tab is the active one. */
export async function openFile(page: Page, relative: string): Promise<void> {
  const name = relative.split('/').at(-1)!;
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor();
  await page.keyboard.type(relative);
  await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: name }).waitFor();
  await page.keyboard.press('Enter');
  await activeTab(page, name).waitFor();
  await page.locator(`${EDITOR} .view-lines`).waitFor();
}

export function activeTab(page: Page, name: string): Locator {
  return page.locator('.part.editor .tab.active', { hasText: name });
}

/** The tab of a file with unsaved changes. */
export function dirtyTab(page: Page, name: string): Locator {
  return page.locator('.part.editor .tab.dirty', { hasText: name });
}

/** Ctrl+G: puts the cursor at the start of a line and scrolls it into view. */
/**
 * Opens a picker with `key` and puts `value` into its input itself (keys sent while the
 * focus is still on its way there would land in the editor). A picker that closes again at
 * once — a focus change from an earlier click arriving late takes it away — is opened anew.
 */
async function openPicker(page: Page, key: string, value: string): Promise<Locator> {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    await input.waitFor();
    try {
      await input.fill(value, { timeout: 5_000 });
      return input;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Opens the lightbulb menu (Ctrl+.) at the cursor and waits for an entry. A press that
 * arrives while the focus is still returning to the editor is lost, so it is made again.
 */
export async function openQuickFixes(page: Page, entry: string): Promise<Locator> {
  const row = page.locator('.action-widget .monaco-list-row', { hasText: entry });
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+.');
    try {
      await row.waitFor({ timeout: 10_000 });
      return row;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

export async function goToLine(page: Page, line: number): Promise<void> {
  const input = await openPicker(page, 'Control+G', `:${line}`);
  // Enter before the picker has read the number is lost.
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: `line ${line}` }).waitFor();
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await page.locator('.statusbar', { hasText: `Ln ${line}, Col 1` }).waitFor();
}

/** The editor's rendered lines, top to bottom (only those in view: Monaco renders no others). */
export function visibleLines(page: Page): Promise<string[]> {
  return page.evaluate((editor) => {
    return Array.from(document.querySelectorAll(`${editor} .view-lines .view-line`))
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((line) => (line.textContent ?? '').replace(/\u00a0/g, ' '));
  }, EDITOR);
}

/**
 * Waits until the rendered line whose text is `text` carries a squiggle of `severity`
 * (`present`), or is rendered without one (`absent`). The squiggles are drawn in the view
 * overlays, one row per line at the same offset as the line itself.
 */
export async function waitForSquiggle(page: Page, text: string, severity: Severity, state: 'present' | 'absent', timeout?: number): Promise<void> {
  const waiting = page.waitForFunction(
    ({ editor, text, squiggle, present }) => {
      const root = document.querySelector(editor);
      if (!root) return false;
      const line = Array.from(root.querySelectorAll('.view-lines .view-line')).find((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ') === text);
      if (!line) return false;
      const rows = Array.from(root.querySelectorAll('.view-overlays > div')).filter((row) => row.style.top === line.style.top);
      return rows.some((row) => row.querySelector(`.${squiggle}`) !== null) === present;
    },
    { editor: EDITOR, text, squiggle: `squiggly-${severity}`, present: state === 'present' },
    { timeout },
  );
  await explained(waiting, `the line \`${text}\` never showed ${state === 'present' ? 'an' : 'no'} ${severity} squiggle`);
}

/** A timed-out wait, told in the user's terms. */
async function explained(waiting: Promise<unknown>, what: string): Promise<void> {
  try {
    await waiting;
  } catch (error) {
    throw new Error(`${what} (${(error as Error).message.split('\n')[0]})`, { cause: error });
  }
}

/** Opens the Problems panel (Ctrl+Shift+M). */
export async function showProblems(page: Page): Promise<void> {
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel .monaco-list-row').first().waitFor();
}

/** The Problems panel's rows as the user reads them. */
export function problemRows(page: Page): Promise<string[]> {
  return page.evaluate(() => Array.from(document.querySelectorAll('.markers-panel .monaco-list-row')).map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' ')), undefined);
}

/** Waits until some Problems row contains every one of `parts` (`present`), or none does (`absent`). */
export async function waitForProblem(page: Page, parts: string[], state: 'present' | 'absent', timeout?: number): Promise<void> {
  const waiting = page.waitForFunction(
    ({ parts, present }) => {
      const rows = Array.from(document.querySelectorAll('.markers-panel .monaco-list-row')).map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' '));
      return rows.some((row) => parts.every((part) => row.includes(part))) === present;
    },
    { parts, present: state === 'present' },
    { timeout },
  );
  await explained(waiting, `the Problems panel ${state === 'present' ? 'never listed' : 'kept listing'} ${JSON.stringify(parts)}`);
}

/** Runs a command from the palette (F1) by its full title, as a user types it. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = await openPicker(page, 'F1', `>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: title }).waitFor();
  await input.press('Enter');
}

/** Waits until the editor renders a line whose text is exactly `text`. */
export async function waitForVisibleLine(page: Page, text: string): Promise<void> {
  const waiting = page.waitForFunction(
    ({ editor, text }) => Array.from(document.querySelectorAll(`${editor} .view-lines .view-line`)).some((line) => (line.textContent ?? '').replace(/\u00a0/g, ' ') === text),
    { editor: EDITOR, text },
  );
  await explained(waiting, `the editor never showed the line \`${text}\``);
}

/**
 * After a command that edits `name`: resolves `edited` once its tab shows unsaved changes, or
 * `picker` if a quick pick offering it opened instead.
 */
export async function waitForEditOrPicker(page: Page, name: string): Promise<'edited' | 'picker' | 'preview'> {
  const outcome = await page.waitForFunction((name) => {
    if (Array.from(document.querySelectorAll('.part.editor .tab.dirty')).some((tab) => (tab.textContent ?? '').includes(name))) return 'edited';
    // VS Code's Refactor Preview, shown for edits that ask for confirmation.
    if (document.querySelector('.bulk-edit-panel .monaco-list-row')) return 'preview';
    const picker = document.querySelector('.quick-input-widget');
    const offered = Array.from(document.querySelectorAll('.quick-input-widget .monaco-list-row')).some((row) => (row.textContent ?? '').includes(name));
    return picker !== null && picker.style.display !== 'none' && offered ? 'picker' : false;
  }, name);
  return (await outcome.jsonValue()) as 'edited' | 'picker' | 'preview';
}
