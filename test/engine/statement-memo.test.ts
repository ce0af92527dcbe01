import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { initPythonParser } from '../../server/src/engine/parse/python';
import { Project } from '../../server/src/engine/project/project';
import type { EvaluatedModule } from '../../server/src/engine/project/settings-module';
import { EvaluationCache } from '../../server/src/engine/project/statement-memo';
import { at, MemoryStore, ROOT } from './memory-project';

/** Everything an evaluation produced, locations and histories included, as plain data. */
function snapshot(module: EvaluatedModule | undefined): unknown {
  if (!module) return undefined;
  const plainMap = (map: Map<string, unknown>): unknown[] => [...map].map(([k, v]) => [k, v instanceof Map ? plainMap(v) : v]);
  return JSON.parse(
    JSON.stringify({
      settings: [...module.settings],
      bindings: [...module.bindings].map(([name, b]) => [name, b.kind === 'environ-env' ? { kind: b.kind, scheme: plainMap(b.scheme) } : b]),
      starImports: module.starImports,
      starImportSites: [...module.starImportSites],
      incomplete: module.incomplete,
      layout: { ...module.layout, ownImports: [...module.layout.ownImports] },
    }),
  );
}

/** A workspace whose files change between analyses, analysed with one cache as the language server does. */
class ChangingWorkspace {
  readonly texts = new Map<string, string>();
  private readonly store = new MemoryStore(this.texts);
  readonly cache = new EvaluationCache();

  constructor(files: Record<string, string>) {
    for (const [relative, text] of Object.entries(files)) this.texts.set(at(relative), text);
  }

  edit(relative: string, from: string, to: string): void {
    const text = this.texts.get(at(relative))!;
    assert.ok(text.includes(from), `${relative} contains ${JSON.stringify(from)}`);
    this.texts.set(at(relative), text.replace(from, to));
  }

  /** The module evaluated with the cache, and a fresh evaluation of the same texts to compare with. */
  evaluate(relative: string): { cached: EvaluatedModule | undefined; fresh: EvaluatedModule | undefined } {
    const files = [...this.texts.keys()].sort();
    const cached = new Project(ROOT, files, this.store, DEFAULT_CONFIG, this.cache).evaluate(at(relative));
    const fresh = new Project(ROOT, files, new MemoryStore(new Map(this.texts)), DEFAULT_CONFIG).evaluate(at(relative));
    return { cached, fresh };
  }

  counts(relative: string): { replayed: number; executed: number } {
    return this.cache.statementsOf(at(relative)).last;
  }
}

const SETTINGS = [
  'import os',
  'from pathlib import Path',
  '',
  'BASE_DIR = Path(__file__).resolve().parent.parent',
  'DEBUG = os.environ.get("DEBUG", "") == "1"',
  'SECRET_KEY = "django-insecure-abc"',
  'NAME = "shop"',
  'TITLE = NAME + " admin"',
  'MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]',
  'MIDDLEWARE.append("django.middleware.csrf.CsrfViewMiddleware")',
  'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "PASSWORD": "x"}}',
  'DATABASES["default"]["NAME"] = BASE_DIR / "db.sqlite3"',
  'if DEBUG:',
  '    ALLOWED_HOSTS = ["*"]',
  'else:',
  '    ALLOWED_HOSTS = ["shop.example"]',
  'try:',
  '    from .local import *',
  'except ImportError:',
  '    pass',
  '',
].join('\n');

describe('statement replay in settings evaluation', () => {
  test('an unchanged module is replayed whole and equals a fresh evaluation', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': SETTINGS });
    const first = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(first.cached), snapshot(first.fresh));
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 0, executed: 13 });
    // A comment added at the end: the module is evaluated again, every statement replayed.
    workspace.texts.set(at('shop/settings.py'), `${SETTINGS}# the end\n`);
    const again = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(again.cached), snapshot(again.fresh));
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 13, executed: 0 });
  });

  test('an edited statement runs again, and so do the statements that read what it set; nothing else', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': SETTINGS });
    workspace.evaluate('shop/settings.py');
    workspace.edit('shop/settings.py', 'NAME = "shop"', 'NAME = "store"');
    const { cached, fresh } = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(cached), snapshot(fresh));
    assert.deepEqual(cached?.settings.get('TITLE')?.value.kind === 'string' && cached.settings.get('TITLE')?.value, { kind: 'string', value: 'store admin', loc: cached?.settings.get('TITLE')?.value.loc });
    // NAME and TITLE ran; the 11 other statements were replayed.
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 11, executed: 2 });
  });

  test('a mutation after an edited assignment runs again on the new value', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': SETTINGS });
    workspace.evaluate('shop/settings.py');
    workspace.edit('shop/settings.py', '["django.middleware.security.SecurityMiddleware"]', '[]');
    const { cached, fresh } = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(cached), snapshot(fresh));
    assert.deepEqual(
      cached?.settings.get('MIDDLEWARE')?.history.map((d) => d.kind),
      ['assign', 'mutate'],
    );
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 11, executed: 2 });
  });

  test('a line inserted above moves every statement below, which then runs again at its new place', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': SETTINGS });
    workspace.evaluate('shop/settings.py');
    workspace.edit('shop/settings.py', 'DEBUG =', '# a new comment line\nDEBUG =');
    const { cached, fresh } = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(cached), snapshot(fresh));
    assert.equal(cached?.settings.get('SECRET_KEY')?.definition.statement.range.start.line, 6);
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 3, executed: 10 });
  });

  test('a statement with a syntax error is never recorded, and its neighbours still evaluate as fresh', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': SETTINGS });
    workspace.evaluate('shop/settings.py');
    workspace.edit('shop/settings.py', 'NAME = "shop"', 'NAME = ("shop"');
    const broken = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(broken.cached), snapshot(broken.fresh));
    workspace.edit('shop/settings.py', 'NAME = ("shop"', 'NAME = "shop"');
    const mended = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(mended.cached), snapshot(mended.fresh));
  });

  test('an unchanged base module is not evaluated again; a changed one reaches the module importing it', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({
      'shop/settings/base.py': 'DEBUG = True\nSECRET_KEY = "django-insecure-abc"\nMIDDLEWARE = []\n',
      'shop/settings/production.py': 'from .base import *\n\nDEBUG = False\nMIDDLEWARE += ["django.middleware.security.SecurityMiddleware"]\n',
    });
    const before = workspace.evaluate('shop/settings/production.py');
    const baseBefore = workspace.evaluate('shop/settings/base.py').cached;
    workspace.edit('shop/settings/production.py', 'DEBUG = False', 'DEBUG = 0');
    const after = workspace.evaluate('shop/settings/production.py');
    assert.deepEqual(snapshot(after.cached), snapshot(after.fresh));
    assert.equal(workspace.evaluate('shop/settings/base.py').cached, baseBefore, 'base.py is reused as the same object');
    assert.notDeepEqual(snapshot(after.cached), snapshot(before.cached));

    workspace.edit('shop/settings/base.py', 'MIDDLEWARE = []', 'MIDDLEWARE = ["django.middleware.clickjacking.XFrameOptionsMiddleware"]');
    const changedBase = workspace.evaluate('shop/settings/production.py');
    assert.deepEqual(snapshot(changedBase.cached), snapshot(changedBase.fresh));
    assert.equal((changedBase.cached?.settings.get('MIDDLEWARE')?.value as { items: unknown[] }).items.length, 2);
  });

  test('random edits: every evaluation with the cache equals a fresh one', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': SETTINGS });
    // A fixed linear congruential sequence: the same edits on every run.
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const fragments = ['"', '(', ')', '[', ']', 'x', ' ', '\n', '#', ':', '    ', 'DEBUG', '=', '1', '+', ',', '.append(', '"a"'];
    for (let i = 0; i < 150; i++) {
      const text = workspace.texts.get(at('shop/settings.py'))!;
      const start = next(text.length + 1);
      const end = Math.min(text.length, start + (next(4) === 0 ? next(6) : 0));
      workspace.texts.set(at('shop/settings.py'), text.slice(0, start) + fragments[next(fragments.length)] + text.slice(end));
      const { cached, fresh } = workspace.evaluate('shop/settings.py');
      assert.deepEqual(snapshot(cached), snapshot(fresh), `after edit ${i}:\n${workspace.texts.get(at('shop/settings.py'))}`);
    }
  });
});
