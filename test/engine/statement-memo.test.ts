import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { Project } from '../../server/src/engine/project/project';
import { evaluateSettingsModule, type EvaluatedModule } from '../../server/src/engine/settings/settings-module';
import { EvaluationCache } from '../../server/src/engine/project/evaluation-cache';
import type { BlockingOptions } from '../../server/src/engine/parse/blocked-module';
import { initPythonParser, parsePython } from '../../server/src/engine/parse/python';
import type { SourceStore } from '../../server/src/engine/project/source-store';
import { BlockedStore } from './blocked-store';
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
  private readonly store: SourceStore;
  readonly cache = new EvaluationCache();

  /** With `blocking`, modules are kept in blocks across edits, as the language server keeps large ones. */
  constructor(files: Record<string, string>, blocking?: BlockingOptions) {
    for (const [relative, text] of Object.entries(files)) this.texts.set(at(relative), text);
    this.store = blocking ? new BlockedStore(this.texts, blocking) : new MemoryStore(this.texts);
  }

  edit(relative: string, from: string, to: string): void {
    const text = this.texts.get(at(relative))!;
    assert.ok(text.includes(from), `${relative} contains ${JSON.stringify(from)}`);
    this.texts.set(at(relative), text.replace(from, to));
  }

  /** The module's evaluation with the cache, next to one of its current syntax (blocks included) with no memo at all. */
  evaluateBySyntax(relative: string): { cached: EvaluatedModule | undefined; plain: EvaluatedModule } {
    const cached = new Project(ROOT, [...this.texts.keys()].sort(), this.store, DEFAULT_CONFIG, this.cache).evaluate(at(relative));
    const syntax = this.store.get(at(relative))!.syntax();
    return { cached, plain: evaluateSettingsModule(at(relative), syntax, { resolve: () => undefined, evaluate: () => undefined, glob: () => [], source: () => undefined }) };
  }

  /** The module evaluated with the cache, and a fresh evaluation of the same texts to compare with. */
  evaluate(relative: string): { cached: EvaluatedModule | undefined; fresh: EvaluatedModule | undefined } {
    const files = [...this.texts.keys()].sort();
    const cached = new Project(ROOT, files, this.store, DEFAULT_CONFIG, this.cache).evaluate(at(relative));
    const fresh = new Project(ROOT, files, new MemoryStore(new Map(this.texts)), DEFAULT_CONFIG).evaluate(at(relative));
    return { cached, fresh };
  }

  /**
   * Makes `count` random edits to one file (a fixed linear congruential sequence per seed:
   * the same edits on every run), each inserting a fragment over up to `span` characters,
   * and calls `check` after each with whether the new text has a syntax error. An erroneous
   * text is then put back to the last valid one, so the edits do not pile up errors.
   */
  editAtRandom(relative: string, options: { seed: number; count: number; span: number; fragments: readonly string[] }, check: (edit: number, erroneous: boolean) => void): void {
    const file = at(relative);
    let state = options.seed;
    const next = (n: number) => ((state = (state * 1103515245 + 12345) % 2147483648), state % n);
    let valid = this.texts.get(file)!;
    for (let i = 0; i < options.count; i++) {
      const text = this.texts.get(file)!;
      const start = next(text.length + 1);
      const end = Math.min(text.length, start + (next(4) === 0 ? next(options.span) : 0));
      this.texts.set(file, text.slice(0, start) + options.fragments[next(options.fragments.length)] + text.slice(end));
      const whole = parsePython(this.texts.get(file)!);
      const erroneous = whole.rootNode.hasError;
      whole.delete();
      check(i, erroneous);
      if (erroneous) this.texts.set(file, valid);
      else valid = this.texts.get(file)!;
    }
  }

  counts(relative: string): { replayed: number; executed: number; moved: number } {
    return this.cache.memoOf(at(relative)).last;
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

const SPLIT = {
  'shop/settings/base.py': [
    'import os',
    '',
    'DEBUG = True',
    'SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-abc")',
    'MIDDLEWARE = [',
    '    "django.middleware.security.SecurityMiddleware",',
    '    "django.middleware.csrf.CsrfViewMiddleware",',
    ']',
    'DATABASES = {',
    '    "default": {',
    '        "ENGINE": "django.db.backends.postgresql",',
    '        "PASSWORD": "x",',
    '    }',
    '}',
    '',
  ].join('\n'),
  'shop/settings/production.py': [
    'from .base import *',
    '',
    'DEBUG = False',
    'ALLOWED_HOSTS = ["shop.example"]',
    'MIDDLEWARE += ["django.middleware.clickjacking.XFrameOptionsMiddleware"]',
    'DATABASES["default"]["PASSWORD"] = os.environ["DB_PASSWORD"]',
    'if not DEBUG:',
    '    SECURE_SSL_REDIRECT = True',
    '',
  ].join('\n'),
};

describe('statement replay in settings evaluation', () => {
  test('an unchanged module is replayed whole and equals a fresh evaluation', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': SETTINGS });
    const first = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(first.cached), snapshot(first.fresh));
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 0, executed: 13, moved: 0 });
    // A comment added at the end: the module is evaluated again, every statement replayed.
    workspace.texts.set(at('shop/settings.py'), `${SETTINGS}# the end\n`);
    const again = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(again.cached), snapshot(again.fresh));
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 13, executed: 0, moved: 0 });
  });

  test('an edited statement runs again, and so do the statements that read what it set; nothing else', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': SETTINGS });
    workspace.evaluate('shop/settings.py');
    workspace.edit('shop/settings.py', 'NAME = "shop"', 'NAME = "store"');
    const { cached, fresh } = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(cached), snapshot(fresh));
    assert.deepEqual(cached?.settings.get('TITLE')?.value.kind === 'string' && cached.settings.get('TITLE')?.value, {
      kind: 'string',
      value: 'store admin',
      loc: cached?.settings.get('TITLE')?.value.loc,
    });
    // NAME and TITLE ran; the 11 other statements were replayed.
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 11, executed: 2, moved: 0 });
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
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 11, executed: 2, moved: 0 });
  });

  test('a line inserted above moves the statements below, which are replayed at their new place', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': SETTINGS });
    workspace.evaluate('shop/settings.py');
    workspace.edit('shop/settings.py', 'DEBUG =', '# a new comment line\nDEBUG =');
    const { cached, fresh } = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(cached), snapshot(fresh));
    assert.equal(cached?.settings.get('SECRET_KEY')?.definition.statement.range.start.line, 6);
    assert.deepEqual(JSON.parse(JSON.stringify(cached?.settings.get('ALLOWED_HOSTS')?.definition.statement)), fresh?.settings.get('ALLOWED_HOSTS')?.definition.statement);
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 13, executed: 0, moved: 10 });
  });

  test('Enter at the end of a statement leaves it in place and moves the rest', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': SETTINGS });
    workspace.evaluate('shop/settings.py');
    workspace.edit('shop/settings.py', 'TITLE = NAME + " admin"', 'TITLE = NAME + " admin"\n');
    const { cached, fresh } = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(cached), snapshot(fresh));
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 13, executed: 0, moved: 6 });
    // And Backspace takes the line away again.
    workspace.edit('shop/settings.py', 'TITLE = NAME + " admin"\n\n', 'TITLE = NAME + " admin"\n');
    const back = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(back.cached), snapshot(back.fresh));
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 13, executed: 0, moved: 6 });
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

  for (const [name, files, edited, seed] of [
    ['a single module', { 'shop/settings.py': SETTINGS }, 'shop/settings.py', 7],
    ['a production module over base.py', SPLIT, 'shop/settings/production.py', 11],
    ['base.py under a production module', SPLIT, 'shop/settings/base.py', 23],
  ] as const) {
    test(`random edits to ${name}: every evaluation with the cache equals a fresh one`, async () => {
      await initPythonParser();
      const workspace = new ChangingWorkspace(files);
      const fragments = ['"', '(', ')', '[', ']', 'x', ' ', '\n', '\n', '\n\n', '#', ':', '    ', 'DEBUG', '=', '1', '+', ',', '.append(', '"a"', 'X = 1\n'];
      const total = { replayed: 0, moved: 0, erroneous: 0 };
      workspace.editAtRandom(edited, { seed, count: 250, span: 12, fragments }, (i, erroneous) => {
        const { cached, fresh } = workspace.evaluate('shop/settings/production.py' in files ? 'shop/settings/production.py' : edited);
        assert.deepEqual(snapshot(cached), snapshot(fresh), `after edit ${i}:\n${workspace.texts.get(at(edited))}`);
        total.replayed += workspace.counts(edited).replayed;
        total.moved += workspace.counts(edited).moved;
        // A module with a syntax error replays nothing: the next edit starts from the last valid text.
        if (erroneous) total.erroneous++;
      });
      // The comparison means something only if replays (moved ones too) happened, and errors too.
      assert.ok(total.replayed > 100 && total.moved > 5 && total.erroneous > 50, JSON.stringify(total));
    });
  }
});

/** A settings module of `count` settings, some reading others, a few multi-line. */
/** What the random edits of a large module insert: brackets, quotes, names, line breaks, whole statements. */
const LARGE_MODULE_FRAGMENTS = [
  '"',
  '(',
  ')',
  '[',
  ']',
  'x',
  'x',
  ' ',
  ' ',
  '\n',
  '\n',
  '\n\n',
  '#',
  ':',
  '    ',
  'NAME',
  '=',
  '1',
  '1',
  '+',
  ',',
  '.append(',
  '"a"',
  'X = 1\n',
  'NAME = "n"\n',
  '"""',
];

function largeModule(count: number): string {
  const lines = ['import os', '', 'NAME = "shop"'];
  for (let i = 0; i < count; i++) {
    if (i % 9 === 4) lines.push(`LIST_${i} = [`, `    NAME + "-${i}",`, ']');
    else if (i % 9 === 7) lines.push(`TITLE_${i} = NAME + " ${i}"  # reads NAME`);
    else lines.push(`FEATURE_${i} = os.environ.get("FEATURE_${i}", "v${i}")`);
  }
  lines.push('MIDDLEWARE = []', 'if not FEATURE_0:', '    MIDDLEWARE.append("x")', '');
  return lines.join('\n');
}

describe('statement replay in a module kept in blocks', () => {
  const blocking = { statementsPerBlock: 8 };

  test('an edit runs its statement and the ones reading what it set; untouched blocks are replayed whole', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': largeModule(80) }, blocking);
    const first = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(first.cached), snapshot(first.fresh));
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 0, executed: 84, moved: 0 });
    workspace.edit('shop/settings.py', '"v30"', '"v30x"');
    const typed = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(typed.cached), snapshot(typed.fresh));
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 83, executed: 1, moved: 0 });
    // NAME is read by every TITLE and LIST: they run again, wherever their block is.
    workspace.edit('shop/settings.py', 'NAME = "shop"', 'NAME = "store"');
    const renamed = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(renamed.cached), snapshot(renamed.fresh));
    assert.deepEqual(workspace.counts('shop/settings.py'), { replayed: 65, executed: 19, moved: 0 });
  });

  test('a line added above moves the blocks below with their records', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': largeModule(80) }, blocking);
    const before = workspace.evaluate('shop/settings.py').cached!;
    const lastBefore = before.settings.get('MIDDLEWARE')!;
    const lineBefore = lastBefore.definition.statement.range.start.line;
    // In the edited block (eight statements a block here), above and below the new line.
    const [aboveBefore, belowBefore] = [before.settings.get('FEATURE_1')!, before.settings.get('FEATURE_3')!];
    const [aboveLine, belowLine] = [aboveBefore.definition.statement.range.start.line, belowBefore.definition.statement.range.start.line];
    workspace.edit('shop/settings.py', 'FEATURE_2 =', '# a new line\nFEATURE_2 =');
    const moved = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(moved.cached), snapshot(moved.fresh));
    const counts = workspace.counts('shop/settings.py');
    assert.equal(counts.executed, 0);
    assert.equal(counts.replayed, 84);
    assert.ok(counts.moved >= 70, JSON.stringify(counts));
    // Far below the new line: the very same setting object, read one line further down.
    const last = moved.cached!.settings.get('MIDDLEWARE')!;
    assert.equal(last, lastBefore);
    assert.equal(last.definition.statement.range.start.line, lineBefore + 1);
    assert.equal(last.definition.statement.range.start.line, moved.fresh?.settings.get('MIDDLEWARE')?.definition.statement.range.start.line);
    // In the edited block, parsed again: the statements keep what they recorded, and those
    // below the new line read one line further down through their own anchors (nothing copied).
    const [above, below] = [moved.cached!.settings.get('FEATURE_1')!, moved.cached!.settings.get('FEATURE_3')!];
    assert.equal(above, aboveBefore);
    assert.equal(above.definition.statement.range.start.line, aboveLine);
    assert.equal(below, belowBefore);
    assert.equal(below.definition.statement.range.start.line, belowLine + 1);
    assert.deepEqual(below.definition.valueLoc?.range, moved.fresh?.settings.get('FEATURE_3')?.definition.valueLoc?.range);
  });

  test('a module read whole and then cut into blocks replays every statement, and from then on moves them by their anchors', async () => {
    await initPythonParser();
    const file = at('shop/settings.py');
    const texts = new Map([[file, largeModule(80)]]);
    const cache = new EvaluationCache();
    const evaluate = (store: SourceStore) => new Project(ROOT, [file], store, DEFAULT_CONFIG, cache).evaluate(file)!;
    const fresh = () => new Project(ROOT, [file], new MemoryStore(new Map(texts)), DEFAULT_CONFIG).evaluate(file)!;
    // Read whole first, as the language server reads a module it has just opened.
    evaluate(new MemoryStore(texts));
    const blocked = new BlockedStore(texts, blocking);
    const cut = evaluate(blocked);
    assert.deepEqual(snapshot(cut), snapshot(fresh()));
    assert.deepEqual(cache.memoOf(file).last, { replayed: 84, executed: 0, moved: 0 });
    const below = cut.settings.get('FEATURE_3')!;
    const line = below.definition.statement.range.start.line;
    texts.set(file, texts.get(file)!.replace('FEATURE_2 =', '\nFEATURE_2 ='));
    const moved = evaluate(blocked);
    assert.deepEqual(snapshot(moved), snapshot(fresh()));
    assert.equal(cache.memoOf(file).last.executed, 0);
    assert.equal(moved.settings.get('FEATURE_3'), below);
    assert.equal(below.definition.statement.range.start.line, line + 1);
  });

  test('every evaluation makes new maps in the order Python gives; what an earlier one returned never changes', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': largeModule(80) }, blocking);
    const first = workspace.evaluate('shop/settings.py').cached!;
    const before = snapshot(first);
    const untouched = first.settings.get('FEATURE_70')!;
    workspace.edit('shop/settings.py', '"v30"', '"v30x"');
    const typed = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(typed.cached), snapshot(typed.fresh));
    assert.notEqual(typed.cached!.settings, first.settings);
    assert.equal(typed.cached!.settings.get('FEATURE_70'), untouched, 'a replayed statement gives the object it recorded');
    assert.deepEqual(snapshot(first), before, 'the first evaluation is as it was');
    // A new name in the middle: Python would have it between FEATURE_37 and FEATURE_38.
    workspace.edit('shop/settings.py', 'FEATURE_38 =', 'ADDED = 1\nFEATURE_38 =');
    const added = workspace.evaluate('shop/settings.py');
    assert.deepEqual(snapshot(added.cached), snapshot(added.fresh));
    const names = [...added.cached!.settings.keys()];
    assert.equal(names[names.indexOf('ADDED') + 1], 'FEATURE_38');
    assert.deepEqual(names, [...added.fresh!.settings.keys()]);
    assert.deepEqual([...added.cached!.bindings.keys()], [...added.fresh!.bindings.keys()]);
    // Lines were added above most of the module: only rows of the moved statements changed.
    const firstNames = [...first.settings.keys()];
    assert.deepEqual(firstNames, [...(before as { settings: [string, unknown][] }).settings.map(([name]) => name)]);
  });

  test('random edits: every evaluation of a valid text equals a fresh one', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': largeModule(80) }, blocking);
    const total = { compared: 0, erroneous: 0, replayed: 0, moved: 0 };
    workspace.editAtRandom('shop/settings.py', { seed: 29, count: 300, span: 30, fragments: LARGE_MODULE_FRAGMENTS }, (i, erroneous) => {
      const { cached, fresh } = workspace.evaluate('shop/settings.py');
      // A syntax error stays in its block where a whole parse may recover differently: only
      // valid texts must evaluate the same.
      if (erroneous) total.erroneous++;
      else {
        assert.deepEqual(snapshot(cached), snapshot(fresh), `after edit ${i}:\n${workspace.texts.get(at('shop/settings.py'))}`);
        total.compared++;
      }
      total.replayed += workspace.counts('shop/settings.py').replayed;
      total.moved += workspace.counts('shop/settings.py').moved;
    });
    assert.ok(total.compared > 80 && total.erroneous > 80 && total.replayed > 5000 && total.moved > 100, JSON.stringify(total));
  });

  test('random edits: every evaluation, with syntax errors or not, equals one of the same blocks with no memo', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace({ 'shop/settings.py': largeModule(80) }, blocking);
    // This sequence reaches a block whose syntax error makes tree-sitter read `FEATURE_23 = os.envi,`,
    // ten lines below the error and with no error of its own, as the targets of a chained
    // assignment: a statement recorded from a clean parse must not be replayed there.
    const total = { erroneous: 0, replayed: 0 };
    workspace.editAtRandom('shop/settings.py', { seed: 265, count: 240, span: 30, fragments: LARGE_MODULE_FRAGMENTS }, (i, erroneous) => {
      const { cached, plain } = workspace.evaluateBySyntax('shop/settings.py');
      assert.deepEqual(snapshot(cached), snapshot(plain), `after edit ${i}:\n${workspace.texts.get(at('shop/settings.py'))}`);
      total.replayed += workspace.counts('shop/settings.py').replayed;
      if (erroneous) total.erroneous++;
    });
    assert.ok(total.erroneous > 80 && total.replayed > 5000, JSON.stringify(total));
  });
});

describe('statement replay in a file run by include()', () => {
  const files = {
    'shop/settings/__init__.py': [
      'from split_settings.tools import include, optional',
      '',
      'NAME = "shop"',
      'include("components/base.py", "components/*.py", optional("local.py"))',
      'LATE = TITLE_7 + "!"',
      '',
    ].join('\n'),
    'shop/settings/components/base.py': largeModule(80).replace('\nNAME = "shop"\n', '\n'),
    'shop/settings/components/security.py': ['if not FEATURE_0:', '    SECURE_SSL_REDIRECT = True', 'MIDDLEWARE += ["django.middleware.csrf.CsrfViewMiddleware"]', ''].join('\n'),
  };
  const component = 'shop/settings/components/base.py';
  const including = 'shop/settings/__init__.py';

  for (const [how, blocking] of [
    ['read whole', undefined],
    ['kept in blocks', { statementsPerBlock: 8 }],
  ] as const) {
    test(`random edits to the included file (${how}): every evaluation of a valid text equals a fresh one`, async () => {
      await initPythonParser();
      const workspace = new ChangingWorkspace(files, blocking);
      const total = { compared: 0, erroneous: 0, replayed: 0, moved: 0 };
      workspace.editAtRandom(component, { seed: 41, count: 200, span: 30, fragments: LARGE_MODULE_FRAGMENTS }, (i, erroneous) => {
        const { cached, fresh } = workspace.evaluate(including);
        if (erroneous) total.erroneous++;
        else {
          assert.deepEqual(snapshot(cached), snapshot(fresh), `after edit ${i}:\n${workspace.texts.get(at(component))}`);
          total.compared++;
        }
        const counts = workspace.cache.memoOf(at(including)).included(at(component)).last;
        total.replayed += counts.replayed;
        total.moved += counts.moved;
      });
      // A text with a syntax error read whole keeps no records (see BlockMemo): the next valid one runs the file again.
      const replays = blocking ? 4000 : 500;
      assert.ok(total.compared > 40 && total.erroneous > 60 && total.replayed > replays && total.moved > 50, JSON.stringify(total));
    });
  }

  test('random edits to the including module: every evaluation of a valid text equals a fresh one', async () => {
    await initPythonParser();
    const workspace = new ChangingWorkspace(files);
    const total = { compared: 0, replayed: 0 };
    workspace.editAtRandom(including, { seed: 43, count: 150, span: 12, fragments: LARGE_MODULE_FRAGMENTS }, (i, erroneous) => {
      const { cached, fresh } = workspace.evaluate(including);
      if (erroneous) return;
      assert.deepEqual(snapshot(cached), snapshot(fresh), `after edit ${i}:\n${workspace.texts.get(at(including))}`);
      total.compared++;
      total.replayed += workspace.counts(including).replayed;
    });
    assert.ok(total.compared > 30 && total.replayed > 50, JSON.stringify(total));
  });
});
