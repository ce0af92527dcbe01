import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EvaluatedModule } from '../../server/src/engine/settings/settings-module';
import { at, evaluateIn, evaluateModule, known, plain } from './memory-project';

const { str, bool, num, unknown, list, tuple } = known;

function valueIn(module: EvaluatedModule, name: string): unknown {
  return plain(module.settings.get(name)?.value);
}

/** Every setting of the module, as plain values. */
function settingsOf(module: EvaluatedModule): Record<string, unknown> {
  return Object.fromEntries([...module.settings].map(([name, state]) => [name, plain(state.value)]));
}

function range(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
  return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}

describe('assignments', () => {
  test('a plain assignment records its statement and value locations', async () => {
    const module = await evaluateModule('import os\n\nDEBUG = False  # comment\n');
    const state = module.settings.get('DEBUG')!;
    assert.deepEqual(plain(state.value), bool(false));
    assert.deepEqual(state.definition.statement, { file: at('settings.py'), range: range(2, 0, 2, 13) });
    assert.deepEqual(state.definition.valueLoc, { file: at('settings.py'), range: range(2, 8, 2, 13) });
    assert.equal(state.definition.kind, 'assign');
    assert.equal(state.history.length, 1);
  });

  test('the last assignment wins and all of them are kept in order', async () => {
    const module = await evaluateModule('DEBUG = True\nDEBUG = False\n');
    const state = module.settings.get('DEBUG')!;
    assert.deepEqual(plain(state.value), bool(false));
    assert.deepEqual(
      state.history.map((d) => [d.statement.range.start.line, plain(d.value)]),
      [
        [0, bool(true)],
        [1, bool(false)],
      ],
    );
  });

  test('chained assignment sets every target', async () => {
    const module = await evaluateModule('A = B = ["x"]\n');
    assert.deepEqual(settingsOf(module), { A: list(str('x')), B: list(str('x')) });
    assert.deepEqual(module.settings.get('A')!.definition.valueLoc!.range, range(0, 8, 0, 13));
  });

  test('tuple unpacking makes the targets unknown', async () => {
    const module = await evaluateModule('A, B = 1, 2\n(C, [D, *E]) = X\n');
    assert.deepEqual(settingsOf(module), { A: unknown, B: unknown, C: unknown, D: unknown, E: unknown });
    assert.equal(module.settings.get('A')!.definition.kind, 'conditional');
  });

  test('annotated assignments', async () => {
    const module = await evaluateModule('A: int = 5\nB: list\n');
    assert.deepEqual(settingsOf(module), { A: num(5) });
  });

  test('names refer to earlier settings', async () => {
    const module = await evaluateModule('HOSTS = ["a"]\nALLOWED_HOSTS = HOSTS + ["b"]\nCSRF = ALLOWED_HOSTS[1]\n');
    assert.deepEqual(valueIn(module, 'ALLOWED_HOSTS'), list(str('a'), str('b')));
    assert.deepEqual(valueIn(module, 'CSRF'), str('b'));
  });
});

describe('mutation', () => {
  test('+= on lists, tuples, strings and numbers', async () => {
    const module = await evaluateModule('L = ["a"]\nL += ["b"]\nL += ("c",)\nT = ("a",)\nT += ("b",)\nBAD = ("a",)\nBAD += ["b"]\nS = "x"\nS += "y"\nN = 2\nN *= 3\nU += ["a"]\n');
    assert.deepEqual(settingsOf(module), {
      L: list(str('a'), str('b'), str('c')),
      T: tuple(str('a'), str('b')),
      BAD: unknown,
      S: str('xy'),
      N: num(6),
      U: { kind: 'list', tuple: false, items: [str('a')], open: true },
    });
    assert.equal(module.settings.get('L')!.definition.kind, 'mutate');
    assert.equal(module.settings.get('L')!.history.length, 3);
  });

  test('list methods', async () => {
    const module = await evaluateModule(
      [
        'M = ["b", "c"]',
        'M.append("d")',
        'M.insert(0, "a")',
        'M.insert(-1, "x")',
        'M.insert(99, "z")',
        'M.extend(["e", "f"])',
        'M.extend(("g",))',
        'M.remove("x")',
        'R = ["a"]',
        'R.remove("missing")',
        'P = ["a"]',
        'P.pop()',
        'C = ["a"]',
        'C.clear()',
        'T = ("a",)',
        'T.append("b")',
        'D = {"a": 1}',
        'D.update({"b": 2})',
        'ITEMS = ["a"]',
        'ITEMS.index("a")',
        '',
      ].join('\n'),
    );
    assert.deepEqual(settingsOf(module), {
      M: list(str('a'), str('b'), str('c'), str('d'), str('z'), str('e'), str('f'), str('g')),
      R: unknown,
      P: unknown,
      C: list(),
      T: unknown,
      D: {
        kind: 'dict',
        entries: [
          { key: str('a'), value: num(1) },
          { key: str('b'), value: num(2) },
        ],
      },
      ITEMS: list(str('a')),
    });
  });

  test('subscript assignment on known dicts', async () => {
    const module = await evaluateModule(
      [
        'DATABASES = {"default": {"ENGINE": "x", "PASSWORD": ""}}',
        'DATABASES["default"]["PASSWORD"] = "secret"',
        'DATABASES["default"]["HOST"] = "db"',
        'DATABASES["other"] = {}',
        'CACHES = {}',
        'CACHES["a"]["b"] = 1',
        'L = ["a"]',
        'L[0] = "b"',
        '',
      ].join('\n'),
    );
    assert.deepEqual(valueIn(module, 'DATABASES'), {
      kind: 'dict',
      entries: [
        {
          key: str('default'),
          value: {
            kind: 'dict',
            entries: [
              { key: str('ENGINE'), value: str('x') },
              { key: str('PASSWORD'), value: str('secret') },
              { key: str('HOST'), value: str('db') },
            ],
          },
        },
        { key: str('other'), value: { kind: 'dict', entries: [] } },
      ],
    });
    assert.deepEqual(valueIn(module, 'CACHES'), unknown);
    assert.deepEqual(valueIn(module, 'L'), { kind: 'list', tuple: false, items: [str('b')] });
  });

  test('del', async () => {
    const module = await evaluateModule('A = 1\nB = 2\nC = 3\nD = {"k": 1}\ndel A\ndel B, C\ndel D["k"]\nE = 5\n');
    assert.deepEqual(settingsOf(module), { D: unknown, E: num(5) });
    assert.equal(module.bindings.has('A'), false);
  });

  test('functions and classes bind their names, not settings', async () => {
    const module = await evaluateModule('X = 1\ndef X():\n    pass\nclass Y:\n    Z = 1\n@decorator\ndef W():\n    pass\nW2 = bool("x")\ndef bool(v):\n    return v\nW3 = bool("x")\nW4 = W()\n');
    // A function of the module is read when called; one with an unknown decorator is not.
    assert.deepEqual(settingsOf(module), { W2: bool(true), W3: str('x'), W4: unknown });
  });
});

describe('imports', () => {
  test('star imports: relative, parent-relative, absolute and several levels', async () => {
    const files = {
      'proj/common/base.py': 'DEBUG = True\nSECRET_KEY = "base"\nAPPS = ["a"]\n_PRIVATE = 1\n',
      'proj/settings/base.py': 'from ..common.base import *\nAPPS += ["b"]\n',
      'proj/settings/mid.py': 'from .base import *\nSECRET_KEY = "mid"\n',
      'proj/settings/production.py': 'from proj.settings.mid import *\nDEBUG = False\n',
    };
    const module = await evaluateIn(files, 'proj/settings/production.py');
    assert.deepEqual(settingsOf(module), {
      DEBUG: bool(false),
      SECRET_KEY: str('mid'),
      APPS: list(str('a'), str('b')),
    });
    assert.deepEqual(module.starImports, [at('proj/settings/mid.py')]);
    assert.deepEqual([...module.starImportSites], [[at('proj/settings/mid.py'), { file: at('proj/settings/production.py'), range: range(0, 0, 0, 31) }]]);
    assert.equal(module.incomplete, false);
    const debug = module.settings.get('DEBUG')!;
    assert.deepEqual(
      debug.history.map((d) => d.statement.file),
      [at('proj/common/base.py'), at('proj/settings/production.py')],
    );
    const apps = module.settings.get('APPS')!;
    assert.equal(apps.definition.statement.file, at('proj/settings/base.py'));
  });

  test('an unresolvable star import makes the module incomplete', async () => {
    const module = await evaluateIn({ 'proj/settings.py': 'from somewhere_else import *\nDEBUG = False\n' }, 'proj/settings.py');
    assert.equal(module.incomplete, true);
    assert.deepEqual(module.starImports, []);
  });

  test('incompleteness is inherited through star imports', async () => {
    const module = await evaluateIn({ 'proj/settings/base.py': 'from missing import *\n', 'proj/settings/prod.py': 'from .base import *\n' }, 'proj/settings/prod.py');
    assert.equal(module.incomplete, true);
  });

  test('a star import inside try makes what it may set unknown', async () => {
    const files = {
      'proj/settings/base.py': 'DEBUG = False\nSECRET_KEY = "x"\n',
      'proj/settings/local.py': 'DEBUG = True\n',
      'proj/settings/prod.py': 'from .base import *\ntry:\n    from .local import *\nexcept ImportError:\n    pass\ntry:\n    from .absent import *\nexcept ImportError:\n    pass\n',
    };
    const module = await evaluateIn(files, 'proj/settings/prod.py');
    assert.deepEqual(settingsOf(module), { DEBUG: unknown, SECRET_KEY: str('x') });
    assert.equal(module.settings.get('DEBUG')!.definition.kind, 'conditional');
    assert.equal(module.incomplete, false);
  });

  test('a settings file the repository does not hold, taken in under a condition, is a local override, inherited through star imports', async () => {
    const files = {
      'proj/settings/base.py': 'DEBUG = False\ntry:\n    from .local import *\nexcept ImportError:\n    pass\ntry:\n    from .absent import *\nexcept ImportError:\n    pass\n',
      'proj/settings/local.py': 'DEBUG = True\n',
      'proj/settings/prod.py': 'from .base import *\ntry:\n    with open("extra.py") as f:\n        exec(f.read(), globals())\nexcept IOError:\n    pass\n',
      'proj/settings/plain.py': 'DEBUG = False\nexec("DEBUG = True")\n',
    };
    const overrides = async (file: string) => (await evaluateIn(files, file)).localOverrides.map(({ name, site }) => [name, site.file, site.range.start.line]);
    assert.deepEqual(await overrides('proj/settings/base.py'), [['from .absent import *', at('proj/settings/base.py'), 6]]);
    assert.deepEqual(await overrides('proj/settings/prod.py'), [
      ['from .absent import *', at('proj/settings/base.py'), 6],
      ['exec(…, globals())', at('proj/settings/prod.py'), 3],
    ]);
    assert.deepEqual(await overrides('proj/settings/plain.py'), []);
  });

  test('star import cycles terminate, and are not trusted', async () => {
    const files = {
      'proj/settings/a.py': 'from .b import *\nA = 1\n',
      'proj/settings/b.py': 'from .a import *\nB = 2\n',
    };
    const module = await evaluateIn(files, 'proj/settings/a.py');
    // As in Python, b sees a half-initialised a (nothing yet) and a then gets B.
    assert.deepEqual(settingsOf(module), { B: num(2), A: num(1) });
    assert.equal(module.incomplete, true);
  });

  test('names imported one by one from a settings module carry their values', async () => {
    const files = {
      'proj/settings/base.py': 'SECRET_KEY = "from-base"\nHOSTS = ["a"]\n',
      'proj/settings/prod.py': 'from .base import SECRET_KEY, HOSTS as ALLOWED_HOSTS\nfrom .secrets import DB_PASSWORD\nfrom django.conf import global_settings\n',
    };
    const module = await evaluateIn(files, 'proj/settings/prod.py');
    assert.deepEqual(settingsOf(module), { SECRET_KEY: str('from-base'), ALLOWED_HOSTS: list(str('a')), DB_PASSWORD: unknown });
    assert.equal(module.settings.get('SECRET_KEY')!.definition.statement.file, at('proj/settings/base.py'));
  });

  test('imports bind modules under their aliases', async () => {
    const module = await evaluateModule('import os\nimport os.path\nimport json as j\nfrom decouple import config as cfg\n');
    assert.deepEqual(Object.fromEntries(module.bindings), {
      os: { kind: 'module', qualified: 'os' },
      j: { kind: 'module', qualified: 'json' },
      cfg: { kind: 'module', qualified: 'decouple.config' },
    });
  });
});

describe('conditional code', () => {
  test('a known false condition skips its branch', async () => {
    const module = await evaluateModule('DEBUG = False\nHOSTS = ["a"]\nif DEBUG:\n    HOSTS = ["*"]\n    EXTRA = 1\n');
    assert.deepEqual(settingsOf(module), { DEBUG: bool(false), HOSTS: list(str('a')) });
  });

  test('a known true condition runs its branch as plain code', async () => {
    const module = await evaluateModule('DEBUG = True\nif DEBUG:\n    HOSTS = ["*"]\nelse:\n    HOSTS = []\n');
    assert.deepEqual(valueIn(module, 'HOSTS'), list(str('*')));
    assert.equal(module.settings.get('HOSTS')!.definition.kind, 'assign');
  });

  test('elif and else are chosen when the conditions are known', async () => {
    const module = await evaluateModule('MODE = "b"\nif MODE == "a":\n    X = 1\nelif MODE == "b":\n    X = 2\nelse:\n    X = 3\nif MODE == "z":\n    Y = 1\nelse:\n    Y = 2\n');
    assert.deepEqual(settingsOf(module), { MODE: str('b'), X: num(2), Y: num(2) });
  });

  test('an unknown condition makes what it assigns unknown, and a list it only adds to holds at least what it held', async () => {
    const module = await evaluateModule(
      'import sys\nHOSTS = ["a"]\nMIDDLEWARE = ["m"]\nif "test" in sys.argv:\n    HOSTS = ["*"]\n    NEW = 1\n    MIDDLEWARE.append("x")\n    from .secrets import SECRET_KEY\nKEEP = 1\n',
    );
    assert.deepEqual(settingsOf(module), { HOSTS: unknown, NEW: unknown, MIDDLEWARE: { kind: 'list', tuple: false, items: [str('m')], open: true }, SECRET_KEY: unknown, KEEP: num(1) });
    assert.equal(module.settings.get('HOSTS')!.definition.kind, 'conditional');
    assert.deepEqual(module.settings.get('HOSTS')!.definition.statement.range, range(3, 0, 7, 35));
  });

  test('loops, with and try make what they assign unknown', async () => {
    const module = await evaluateModule('A = 1\nfor x in range(3):\n    A = x\nwith open("f") as f:\n    B = f.read()\ntry:\n    C = 1\nexcept Exception:\n    C = 2\n');
    assert.deepEqual(settingsOf(module), { A: unknown, x: unknown, B: unknown, f: unknown, C: unknown });
  });
});

describe('layout', () => {
  test('docstring, __future__ imports, imports and assignments', async () => {
    const module = await evaluateModule(
      [
        '"""Settings."""',
        'from __future__ import annotations',
        '',
        '# A comment',
        'import os',
        'from pathlib import Path',
        '',
        'BASE_DIR = Path(__file__).resolve()',
        'DEBUG = os.environ.get(',
        '    "DEBUG"',
        ')',
        'if DEBUG:',
        '    pass',
        '',
      ].join('\n'),
    );
    const layout = module.layout;
    assert.deepEqual(layout.bodyStart, { line: 2, character: 0 });
    assert.deepEqual(layout.importsEnd, { line: 5, character: 24 });
    assert.deepEqual(layout.lastAssignmentEnd, { line: 10, character: 1 });
    // A missing setting is reported at the module's head: its first statement after the docstring and __future__ imports.
    assert.deepEqual(layout.anchor, { file: at('settings.py'), range: range(4, 0, 4, 9) });
    assert.deepEqual(Object.fromEntries(layout.ownImports), { os: 'os', Path: 'pathlib.Path' });
  });

  test('a multi-line anchor statement is reported on its first line', async () => {
    const module = await evaluateModule('"""Settings."""\nMIDDLEWARE = [\n    "a",\n]\n');
    assert.deepEqual(module.layout.anchor.range, range(1, 0, 1, 14));
    assert.deepEqual(module.layout.lastAssignmentEnd, { line: 3, character: 1 });
  });

  test('a module without docstring, imports or assignments', async () => {
    const module = await evaluateModule('');
    assert.deepEqual(module.layout.bodyStart, { line: 0, character: 0 });
    assert.equal(module.layout.importsEnd, undefined);
    assert.equal(module.layout.lastAssignmentEnd, undefined);
    assert.deepEqual(module.layout.anchor.range, range(0, 0, 0, 0));
  });

  test('a module built on a base anchors on its star import', async () => {
    const module = await evaluateModule('"""Production."""\nfrom .base import *\nimport os\n');
    assert.deepEqual(module.layout.importsEnd, { line: 2, character: 9 });
    assert.deepEqual(module.layout.anchor.range, range(1, 0, 1, 19));
  });

  test('the star import is the anchor after other imports too', async () => {
    const module = await evaluateModule('"""Production."""\nimport os\nimport secrets\n\nfrom .base import *  # noqa: F403\n\nDEBUG = False\n');
    assert.deepEqual(module.layout.anchor.range, range(4, 0, 4, 19));
  });
});

test('environment readers bound in a base module work in the modules importing it', async () => {
  const files = {
    'proj/settings/base.py': 'import environ\nenv = environ.Env(DEBUG=(bool, True))\n',
    'proj/settings/prod.py': 'from .base import *\nDEBUG = env("DEBUG")\nKEY = env.str("KEY", default="")\n',
  };
  const module = await evaluateIn(files, 'proj/settings/prod.py');
  assert.deepEqual(valueIn(module, 'DEBUG'), known.env('DEBUG', 'environ', bool(true)));
  assert.deepEqual(valueIn(module, 'KEY'), known.env('KEY', 'environ', str('')));
  assert.deepEqual(settingsOf(module), { DEBUG: known.env('DEBUG', 'environ', bool(true)), KEY: known.env('KEY', 'environ', str('')) });
});
