import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { BlockedModule } from '../../server/src/engine/parse/blocked-module';
import { initPythonParser, parsePython } from '../../server/src/engine/parse/python';
import { BlockMemo } from '../../server/src/engine/settings/block-memo';
import type { EvaluatedModule, ModuleResolver } from '../../server/src/engine/settings/module-state';
import { evaluateSettingsModule } from '../../server/src/engine/settings/settings-module';
import type { Value } from '../../server/src/engine/settings/values';
import { BlockedFile, BlockedStore } from './blocked-store';

const FILE = '/memory/project/shop/settings.py';
const NO_FILES: ModuleResolver = { resolve: () => undefined, evaluate: () => undefined, glob: () => [], source: () => undefined };
/** Eight statements a block, so a module of a hundred statements has a dozen blocks. */
const BLOCKING = { statementsPerBlock: 8 };

/** `count` settings, every tenth reading NAME. */
function settingsModule(count: number): string {
  const lines = ['import os', 'NAME = "shop"'];
  for (let i = 0; i < count; i++) lines.push(i % 10 === 5 ? `TITLE_${i} = NAME + "-${i}"` : `SETTING_${i} = os.environ.get("SETTING_${i}", "v${i}")`);
  return lines.join('\n') + '\n';
}

/** What a value is when its environment variable is unset. */
function unsetOf(value: Value | undefined): Value | undefined {
  return value?.kind === 'env' ? unsetOf(value.whenUnset) : value;
}

/** Settings and names with their values and locations, as plain data. */
function plain(module: EvaluatedModule): unknown {
  return JSON.parse(JSON.stringify({ settings: [...module.settings], bindings: [...module.bindings] }));
}

/** A module kept in blocks as the language server keeps it, evaluated with one memo from edit to edit. */
class EditedModule {
  readonly file: BlockedFile;
  readonly memo = new BlockMemo();

  constructor(text: string) {
    this.file = new BlockedFile(text, BLOCKING);
  }

  get text(): string {
    return this.file.text;
  }

  replace(from: string, to: string): void {
    assert.ok(this.text.includes(from), `the module holds ${JSON.stringify(from)}`);
    this.file.update(this.text.replace(from, to));
  }

  evaluate(): EvaluatedModule {
    return evaluateSettingsModule(FILE, this.file.syntax(), NO_FILES, this.memo);
  }

  /** The same text read whole, with no memo. */
  whole(): EvaluatedModule {
    const tree = parsePython(this.text);
    try {
      return evaluateSettingsModule(FILE, tree, NO_FILES);
    } finally {
      tree.delete();
    }
  }
}

describe('the block memo', () => {
  test('an unchanged module is replayed whole: the same objects, in the same maps', async () => {
    await initPythonParser();
    const module = new EditedModule(settingsModule(100));
    assert.ok((module.file.syntax().blocks?.length ?? 0) >= 10);
    const first = module.evaluate();
    assert.deepEqual(module.memo.last, { replayed: 0, executed: 102, moved: 0 });
    const firstSettings = [...first.settings];
    const second = module.evaluate();
    assert.deepEqual(module.memo.last, { replayed: 102, executed: 0, moved: 0 });
    // Every record applied again in the same order: the maps are the last evaluation's, unchanged.
    assert.equal(second.settings, first.settings);
    assert.equal(second.bindings, first.bindings);
    assert.deepEqual([...second.settings], firstSettings);
    assert.deepEqual(plain(second), plain(module.whole()));
  });

  test('a line break replays every record in order: the last maps again, their locations moved', async () => {
    await initPythonParser();
    const module = new EditedModule(settingsModule(100));
    const first = module.evaluate();
    const before = plain(first);
    module.replace('SETTING_20 = ', '\nSETTING_20 = ');
    const moved = module.evaluate();
    assert.equal(moved.settings, first.settings);
    assert.deepEqual(plain(moved), plain(module.whole()));
    assert.equal(first.settings.get('SETTING_20')?.definition.statement.range.start.line, 23);
    assert.notDeepEqual(plain(moved), before);
    // A change: the maps are new, and the ones returned before keep what they held.
    module.replace('"v50"', '"w50"');
    const changed = module.evaluate();
    assert.notEqual(changed.settings, first.settings);
    assert.deepEqual((unsetOf(changed.settings.get('SETTING_50')?.value) as { value: string }).value, 'w50');
    assert.deepEqual((unsetOf(first.settings.get('SETTING_50')?.value) as { value: string }).value, 'v50');
    assert.deepEqual(plain(changed), plain(module.whole()));
  });

  test('an edit that gives the same records in another order builds new maps', async () => {
    await initPythonParser();
    const module = new EditedModule(settingsModule(100));
    const first = module.evaluate();
    // Two statements swapped: each is found by its text and replayed, in the new order.
    module.replace(
      'SETTING_30 = os.environ.get("SETTING_30", "v30")\nSETTING_31 = os.environ.get("SETTING_31", "v31")',
      'SETTING_31 = os.environ.get("SETTING_31", "v31")\nSETTING_30 = os.environ.get("SETTING_30", "v30")',
    );
    const swapped = module.evaluate();
    assert.notEqual(swapped.settings, first.settings);
    assert.deepEqual(plain(swapped), plain(module.whole()));
    assert.deepEqual([...swapped.settings.keys()], [...module.whole().settings.keys()]);
  });

  test('a statement runs again when a value it read changed above it, wherever its block is', async () => {
    await initPythonParser();
    const module = new EditedModule(settingsModule(100));
    const first = module.evaluate();
    module.replace('NAME = "shop"', 'NAME = "store"');
    const renamed = module.evaluate();
    // NAME's statement and the ten TITLEs reading it ran; the rest was replayed.
    assert.deepEqual(module.memo.last, { replayed: 91, executed: 11, moved: 0 });
    assert.deepEqual(renamed.settings.get('TITLE_95')?.value, { kind: 'string', value: 'store-95', loc: renamed.settings.get('TITLE_95')?.value.loc });
    assert.equal(renamed.settings.get('SETTING_94'), first.settings.get('SETTING_94'));
    assert.deepEqual(plain(renamed), plain(module.whole()));
    // What the first evaluation returned still says "shop".
    assert.equal((first.settings.get('TITLE_95')?.value as { value: string }).value, 'shop-95');
  });

  test('lines inserted above move what the statements below recorded, without running them', async () => {
    await initPythonParser();
    const module = new EditedModule(settingsModule(100));
    const first = module.evaluate();
    const last = first.settings.get('SETTING_99')!;
    const row = last.definition.statement.range.start.line;
    module.replace('NAME = "shop"\n', 'NAME = "shop"\n\n\n');
    const moved = module.evaluate();
    assert.equal(module.memo.last.executed, 0);
    assert.equal(module.memo.last.moved, 100);
    assert.equal(moved.settings.get('SETTING_99'), last);
    assert.equal(last.definition.statement.range.start.line, row + 2);
    assert.deepEqual(plain(moved), plain(module.whole()));
    // And taken away again.
    module.replace('NAME = "shop"\n\n\n', 'NAME = "shop"\n');
    const back = module.evaluate();
    assert.equal(module.memo.last.executed, 0);
    assert.equal(last.definition.statement.range.start.line, row);
    assert.deepEqual(plain(back), plain(module.whole()));
  });

  test("a deleted block's settings and names are gone, and the next block's replay holds", async () => {
    await initPythonParser();
    const module = new EditedModule(settingsModule(100));
    module.evaluate();
    const lines = module.text.split('\n');
    const from = lines.findIndex((line) => line.startsWith('SETTING_30 '));
    const to = lines.findIndex((line) => line.startsWith('SETTING_50 '));
    module.file.update([...lines.slice(0, from), ...lines.slice(to)].join('\n'));
    const cut = module.evaluate();
    for (let i = 30; i < 50; i++) {
      assert.equal(cut.settings.has(`SETTING_${i}`) || cut.settings.has(`TITLE_${i}`), false, `${i}`);
      assert.equal(cut.bindings.has(`SETTING_${i}`) || cut.bindings.has(`TITLE_${i}`), false, `${i}`);
    }
    assert.equal(module.memo.last.executed, 0);
    assert.deepEqual(plain(cut), plain(module.whole()));
  });

  test('the maps list names in the order a whole evaluation gives, through additions, deletions and renames', async () => {
    await initPythonParser();
    const module = new EditedModule(settingsModule(100));
    module.evaluate();
    module.replace('SETTING_60 =', 'ADDED = 1\nSETTING_60 =');
    module.replace('SETTING_20 = os.environ.get("SETTING_20", "v20")\n', '');
    module.replace('SETTING_80 =', 'del SETTING_10\nSETTING_80 =');
    const edited = module.evaluate();
    assert.deepEqual([...edited.settings.keys()], [...module.whole().settings.keys()]);
    assert.deepEqual([...edited.bindings.keys()], [...module.whole().bindings.keys()]);
    // A name set again further down keeps its first place, as in Python's namespace.
    module.replace('SETTING_90 =', 'SETTING_3 = "again"\nSETTING_90 =');
    const again = module.evaluate();
    const names = [...again.settings.keys()];
    assert.equal(names.indexOf('SETTING_3'), [...module.whole().settings.keys()].indexOf('SETTING_3'));
    assert.deepEqual(plain(again), plain(module.whole()));
  });
});

describe('a module with a syntax error in blocks', () => {
  for (const [what, broken] of [
    ['a bracket left open near the top', (text: string) => text.replace('SETTING_3 = os', 'OPEN = (\nSETTING_3 = os')],
    ['a stray colon in the middle', (text: string) => text.replace('SETTING_50 = os', 'BROKEN = :\nSETTING_50 = os')],
  ] as const) {
    test(`is cut into blocks, the error kept in one (${what})`, async () => {
      await initPythonParser();
      const text = broken(settingsModule(300));
      const whole = parsePython(text);
      assert.ok(whole.rootNode.hasError);
      const blocked = BlockedModule.fromTree(whole, (index) => text.slice(index, index + 4096), BLOCKING);
      whole.delete();
      assert.ok(blocked, 'cut into blocks');
      try {
        const blocks = blocked.syntax().blocks!;
        assert.ok(blocks.length >= 20, `${blocks.length} blocks`);
        assert.equal(blocks.filter((block) => block.root.hasError).length, 1);
      } finally {
        blocked.dispose();
      }
    });
  }

  test('an edit below the error reparses and runs one block; the evaluation equals one of the same blocks with no memo', async () => {
    await initPythonParser();
    const module = new EditedModule(settingsModule(300).replace('SETTING_3 = os', 'OPEN = (\nSETTING_3 = os'));
    const blocks = module.file.syntax().blocks!;
    assert.ok(blocks.length >= 20);
    const identities = blocks.map((block) => block.identity);
    module.evaluate();
    module.replace('"v200"', '"v200x"');
    const typed = module.evaluate();
    const after = module.file.syntax().blocks!;
    assert.equal(after.filter((block, i) => block.identity !== identities[i]).length, 1, 'one block parsed again');
    assert.deepEqual(module.memo.last.executed, 1);
    assert.deepEqual(plain(typed), plain(evaluateSettingsModule(FILE, module.file.syntax(), NO_FILES)));
    // Closing the bracket mends the module: it then reads as it does whole.
    module.replace('OPEN = (\n', 'OPEN = ()\n');
    const mended = module.evaluate();
    assert.equal(module.file.syntax().rootNode.hasError, false);
    assert.deepEqual(plain(mended), plain(module.whole()));
  });
});

describe('a file run by include()', () => {
  const INCLUDING = '/memory/project/shop/settings/__init__.py';
  const COMPONENT = '/memory/project/shop/settings/components/base.py';
  const including = ['from split_settings.tools import include, optional', 'NAME = "shop"', 'include("components/base.py", optional("local.py"))', 'AFTER = TITLE_5 + "!"', ''].join('\n');

  /** The including module and its component, kept in blocks, evaluated with one memo from edit to edit. */
  class IncludingModule {
    readonly texts = new Map([
      [INCLUDING, including],
      [COMPONENT, settingsModule(100).replace('import os\nNAME = "shop"\n', 'import os\n')],
    ]);
    readonly store = new BlockedStore(this.texts, BLOCKING);
    readonly memo = new BlockMemo();
    private readonly resolver: ModuleResolver = {
      resolve: () => undefined,
      evaluate: () => undefined,
      glob: (dir, pattern) => {
        const file = path.join(dir, pattern);
        return this.texts.has(file) ? [file] : [];
      },
      source: (file) => this.store.get(file),
    };

    replace(file: string, from: string, to: string): void {
      const text = this.texts.get(file)!;
      assert.ok(text.includes(from), `${file} holds ${JSON.stringify(from)}`);
      this.texts.set(file, text.replace(from, to));
    }

    evaluate(): EvaluatedModule {
      return evaluateSettingsModule(INCLUDING, this.store.get(INCLUDING)!.syntax(), this.resolver, this.memo);
    }

    /** The same texts parsed afresh, with no memo. */
    whole(): EvaluatedModule {
      const fresh = new BlockedStore(new Map(this.texts), { statementsPerBlock: 1_000_000 });
      return evaluateSettingsModule(INCLUDING, fresh.get(INCLUDING)!.syntax(), { ...this.resolver, source: (file) => fresh.get(file) });
    }

    get component(): { replayed: number; executed: number; moved: number } {
      return this.memo.included(COMPONENT).last;
    }
  }

  test('an edit to the included file runs its statement again, and only the statements reading what it set', async () => {
    await initPythonParser();
    const module = new IncludingModule();
    assert.ok((module.store.get(COMPONENT)!.syntax().blocks?.length ?? 0) >= 10, 'the component is kept in blocks');
    const first = module.evaluate();
    assert.deepEqual(module.component, { replayed: 0, executed: 101, moved: 0 });
    assert.deepEqual(plain(first), plain(module.whole()));
    assert.equal(first.settings.get('SETTING_50')?.definition.statement.file, COMPONENT);

    module.replace(COMPONENT, '"v50"', '"w50"');
    const typed = module.evaluate();
    // The include ran again (what it read changed); inside it, one statement.
    assert.deepEqual(module.component, { replayed: 100, executed: 1, moved: 0 });
    assert.deepEqual(module.memo.last, { replayed: 3, executed: 1, moved: 0 });
    assert.equal((unsetOf(typed.settings.get('SETTING_50')?.value) as { value: string }).value, 'w50');
    assert.equal(typed.settings.get('SETTING_49'), first.settings.get('SETTING_49'));
    assert.deepEqual(plain(typed), plain(module.whole()));
    // What the first evaluation returned keeps what it held.
    assert.equal((unsetOf(first.settings.get('SETTING_50')?.value) as { value: string }).value, 'v50');
  });

  test('a name the including module sets before the include reaches the included statements that read it', async () => {
    await initPythonParser();
    const module = new IncludingModule();
    module.evaluate();
    module.replace(INCLUDING, 'NAME = "shop"', 'NAME = "store"');
    const renamed = module.evaluate();
    // The ten TITLEs read NAME; the statement after the include reads TITLE_5.
    assert.deepEqual(module.component, { replayed: 91, executed: 10, moved: 0 });
    assert.deepEqual(module.memo.last, { replayed: 1, executed: 3, moved: 0 });
    assert.equal((renamed.settings.get('AFTER')?.value as { value: string }).value, 'store-5!');
    assert.deepEqual(plain(renamed), plain(module.whole()));
  });

  test('an unchanged included file is not read: the include is replayed', async () => {
    await initPythonParser();
    const module = new IncludingModule();
    module.evaluate();
    module.replace(INCLUDING, 'AFTER = TITLE_5 + "!"', 'AFTER = TITLE_5 + "?"');
    const edited = module.evaluate();
    assert.deepEqual(module.memo.last, { replayed: 3, executed: 1, moved: 0 });
    assert.deepEqual(module.component, { replayed: 0, executed: 101, moved: 0 }, 'the component memo still tells of the first run');
    assert.deepEqual(plain(edited), plain(module.whole()));
  });

  test('lines added to the included file move its statements with their locations, without running them', async () => {
    await initPythonParser();
    const module = new IncludingModule();
    const first = module.evaluate();
    const last = first.settings.get('SETTING_99')!;
    const row = last.definition.statement.range.start.line;
    module.replace(COMPONENT, 'import os\n', 'import os\n\n\n');
    const moved = module.evaluate();
    assert.deepEqual(module.component, { replayed: 101, executed: 0, moved: 100 });
    assert.equal(moved.settings.get('SETTING_99'), last);
    assert.equal(last.definition.statement.range.start.line, row + 2);
    assert.deepEqual(plain(moved), plain(module.whole()));
  });

  test('a file no longer included is forgotten', async () => {
    await initPythonParser();
    const module = new IncludingModule();
    module.evaluate();
    assert.ok(module.memo.included(COMPONENT).size > 100);
    module.replace(INCLUDING, 'include("components/base.py", optional("local.py"))', 'include(optional("local.py"))');
    const without = module.evaluate();
    assert.equal(without.settings.has('SETTING_50'), false);
    assert.equal(module.memo.included(COMPONENT).size, 0);
    assert.deepEqual(plain(without), plain(module.whole()));
  });
});
