import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSettingsEdits } from '../../server/src/engine/fixes/settings-editor';
import { countErrorNodes, parsePython } from '../../server/src/engine/parse/python';
import { applyTextEdits, editsByFile } from '../../server/src/engine/text';
import type { SettingsIntent } from '../../server/src/engine/types';
import { at, memoryProject } from './memory-project';

const PRODUCTION = 'mysite/settings.py';

/** Applies the intents to `module` and returns the new text of every file (relative paths). */
async function applyIntents(files: Record<string, string>, intents: SettingsIntent[], module = PRODUCTION): Promise<Record<string, string>> {
  const project = await memoryProject(files);
  const evaluated = project.evaluate(at(module));
  assert.ok(evaluated, `${module} evaluates`);
  const edits = buildSettingsEdits(evaluated, project.store, intents);
  const result: Record<string, string> = { ...files };
  for (const [file, fileEdits] of editsByFile(edits)) {
    const relative = project.relative(file);
    result[relative] = applyTextEdits(files[relative], fileEdits);
  }
  return result;
}

/** The module's text after the intents, checked to parse, and to stay put when applied again. */
async function edited(text: string, intents: SettingsIntent[], idempotent = true): Promise<string> {
  const after = (await applyIntents({ [PRODUCTION]: text }, intents))[PRODUCTION];
  const tree = parsePython(after);
  assert.equal(countErrorNodes(tree), 0, `edited text parses:\n${after}`);
  tree.delete();
  if (idempotent) {
    const again = (await applyIntents({ [PRODUCTION]: after }, intents))[PRODUCTION];
    assert.equal(again, after, 'applying the intents again changes nothing');
  }
  return after;
}

const set = (name: string, value: string, extra: Partial<Extract<SettingsIntent, { kind: 'set' }>> = {}): SettingsIntent => ({ kind: 'set', name, value, ...extra });

describe("'set'", () => {
  test('replaces the value of the winning assignment, keeping its comment', async () => {
    assert.equal(await edited('DEBUG = True\nDEBUG = os.environ.get("D", True)  # why\nX = 1\n', [set('DEBUG', 'False')]), 'DEBUG = True\nDEBUG = False  # why\nX = 1\n');
  });

  test('replaces a multi-line value', async () => {
    assert.equal(await edited('ALLOWED_HOSTS = [\n    "*",\n]\n', [set('ALLOWED_HOSTS', '["example.com"]')]), 'ALLOWED_HOSTS = ["example.com"]\n');
  });

  test('adds a hardening block after the last top-level assignment', async () => {
    const text = 'import os\n\nDEBUG = False\nALLOWED_HOSTS = ["x"]\n\nif DEBUG:\n    pass\n';
    assert.equal(
      await edited(text, [set('SECURE_SSL_REDIRECT', 'True', { comment: 'Redirect HTTP to HTTPS.' })]),
      'import os\n\nDEBUG = False\nALLOWED_HOSTS = ["x"]\n\n# Security hardening\n# Redirect HTTP to HTTPS.\nSECURE_SSL_REDIRECT = True\n\nif DEBUG:\n    pass\n',
    );
  });

  test('keeps a trailing comment on the line it belongs to', async () => {
    assert.equal(await edited('DEBUG = False  # noqa: DJH101\n', [set('X', '1')]), 'DEBUG = False  # noqa: DJH101\n\n# Security hardening\nX = 1\n');
  });

  test('adds to an existing hardening block without a second header', async () => {
    const text = 'DEBUG = False\n\n# Security hardening\nSECURE_SSL_REDIRECT = True\n';
    assert.equal(await edited(text, [set('SECURE_HSTS_SECONDS', '31536000')]), 'DEBUG = False\n\n# Security hardening\nSECURE_SSL_REDIRECT = True\nSECURE_HSTS_SECONDS = 31536000\n');
  });

  test('uses CRLF when the file does', async () => {
    assert.equal(
      await edited('import os\r\n\r\nDEBUG = False\r\n', [set('X', '1', { imports: ['import sys'] })]),
      'import os\r\nimport sys\r\n\r\nDEBUG = False\r\n\r\n# Security hardening\r\nX = 1\r\n',
    );
  });

  test('a file without a trailing newline', async () => {
    assert.equal(await edited('DEBUG = False', [set('X', '1')]), 'DEBUG = False\n\n# Security hardening\nX = 1');
  });

  test('a file with no assignment or import gets the block at its end', async () => {
    assert.equal(await edited('"""Settings."""\n', [set('X', '1')]), '"""Settings."""\n\n# Security hardening\nX = 1\n');
    assert.equal(await edited('"""Settings."""', [set('X', '1')]), '"""Settings."""\n\n# Security hardening\nX = 1\n');
    assert.equal(await edited('', [set('X', '1')]), '# Security hardening\nX = 1\n');
  });

  test('a value inherited from a base module is overridden in the production module', async () => {
    const files = {
      'mysite/base.py': 'DEBUG = True\n',
      [PRODUCTION]: 'from .base import *\n\nALLOWED_HOSTS = ["x"]\n',
    };
    assert.deepEqual(await applyIntents(files, [set('DEBUG', 'False')]), {
      'mysite/base.py': 'DEBUG = True\n',
      [PRODUCTION]: 'from .base import *\n\nALLOWED_HOSTS = ["x"]\n\n# Security hardening\nDEBUG = False\n',
    });
  });

  test('a value set conditionally or by mutation is overridden by a new line', async () => {
    assert.equal(
      await edited('import sys\nif "x" in sys.argv:\n    DEBUG = True\n', [set('DEBUG', 'False')]),
      'import sys\nif "x" in sys.argv:\n    DEBUG = True\n\n# Security hardening\nDEBUG = False\n',
    );
    assert.equal(await edited('N = 1\nN += 1\n', [set('N', '5')]), 'N = 1\nN += 1\n\n# Security hardening\nN = 5\n');
  });

  test('a chained assignment is not edited in place (it would change the other name too)', async () => {
    assert.equal(
      await edited('SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False\n', [set('SESSION_COOKIE_SECURE', 'True')]),
      'SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False\n\n# Security hardening\nSESSION_COOKIE_SECURE = True\n',
    );
  });

  test('the same name set twice is set once', async () => {
    assert.equal(await edited('A = 1\n', [set('X', '1'), set('X', '2')]), 'A = 1\n\n# Security hardening\nX = 1\n');
  });
});

describe('imports', () => {
  test('go after the existing imports', async () => {
    assert.equal(
      await edited('"""Doc."""\nimport os\nfrom pathlib import Path  # paths\n\nDEBUG = False\n', [set('SECRET_KEY', 'os.environ["K"]', { imports: ['import os', 'from decouple import config'] })]),
      '"""Doc."""\nimport os\nfrom pathlib import Path  # paths\nfrom decouple import config\n\nDEBUG = False\n\n# Security hardening\nSECRET_KEY = os.environ["K"]\n',
    );
  });

  test('go after the docstring when there are none', async () => {
    assert.equal(await edited('"""Doc."""\n\nDEBUG = False\n', [set('DEBUG', 'os.environ["D"]', { imports: ['import os'] })]), '"""Doc."""\n\nimport os\n\nDEBUG = os.environ["D"]\n');
    assert.equal(await edited('"""Doc."""\nDEBUG = False\n', [set('DEBUG', 'os.environ["D"]', { imports: ['import os'] })]), '"""Doc."""\nimport os\n\nDEBUG = os.environ["D"]\n');
  });

  test('go after __future__ imports, and at the top of a bare module', async () => {
    assert.equal(
      await edited('from __future__ import annotations\n\nDEBUG = False\n', [set('DEBUG', 'os.environ["D"]', { imports: ['import os'] })]),
      'from __future__ import annotations\n\nimport os\n\nDEBUG = os.environ["D"]\n',
    );
    assert.equal(await edited('DEBUG = False\n', [set('DEBUG', 'os.environ["D"]', { imports: ['import os'] })]), 'import os\n\nDEBUG = os.environ["D"]\n');
  });

  test('are not duplicated', async () => {
    assert.equal(await edited('import os.path\nDEBUG = False\n', [set('DEBUG', 'os.environ["D"]', { imports: ['import os'] })]), 'import os.path\nDEBUG = os.environ["D"]\n');
    assert.equal(
      await edited('from decouple import config\nDEBUG = True\n', [
        set('DEBUG', 'config("D")', { imports: ['from decouple import config'] }),
        set('X', 'config("X")', { imports: ['from decouple import config'] }),
      ]),
      'from decouple import config\nDEBUG = config("D")\n\n# Security hardening\nX = config("X")\n',
    );
  });

  test("'replace' edits a location and brings its imports", async () => {
    const text = 'DEBUG = get("D", True)\n';
    const intents: SettingsIntent[] = [
      { kind: 'replace', location: { file: at(PRODUCTION), range: { start: { line: 0, character: 17 }, end: { line: 0, character: 21 } } }, value: 'False', imports: ['import os'] },
    ];
    // A location-based intent cannot be applied twice blindly: the location moves.
    assert.equal(await edited(text, intents, false), 'import os\n\nDEBUG = get("D", False)\n');
  });
});

describe("'list-insert'", () => {
  const insert = (item: string, position: 'first' | 'last' | { after: string }, name = 'MIDDLEWARE'): SettingsIntent => ({ kind: 'list-insert', name, item, position });

  const single = 'MIDDLEWARE = ["a", "b"]\n';
  test('single-line list: first, last, after', async () => {
    assert.equal(await edited(single, [insert('"x"', 'first')], false), 'MIDDLEWARE = ["x", "a", "b"]\n');
    assert.equal(await edited(single, [insert('"x"', 'last')], false), 'MIDDLEWARE = ["a", "b", "x"]\n');
    assert.equal(await edited(single, [insert('"x"', { after: 'a' })], false), 'MIDDLEWARE = ["a", "x", "b"]\n');
    assert.equal(await edited(single, [insert('"x"', { after: 'b' })], false), 'MIDDLEWARE = ["a", "b", "x"]\n');
    assert.equal(await edited('MIDDLEWARE = ["a", "b",]\n', [insert('"x"', 'last')], false), 'MIDDLEWARE = ["a", "b", "x",]\n');
  });

  const multi = 'MIDDLEWARE = [\n    "a",\n    "b",\n]\n';
  const multiNoComma = 'MIDDLEWARE = [\n    "a",\n    "b"\n]\n';
  test('multi-line list with a trailing comma', async () => {
    assert.equal(await edited(multi, [insert('"x"', 'first')], false), 'MIDDLEWARE = [\n    "x",\n    "a",\n    "b",\n]\n');
    assert.equal(await edited(multi, [insert('"x"', 'last')], false), 'MIDDLEWARE = [\n    "a",\n    "b",\n    "x",\n]\n');
    assert.equal(await edited(multi, [insert('"x"', { after: 'a' })], false), 'MIDDLEWARE = [\n    "a",\n    "x",\n    "b",\n]\n');
  });

  test('multi-line list without a trailing comma', async () => {
    assert.equal(await edited(multiNoComma, [insert('"x"', 'last')], false), 'MIDDLEWARE = [\n    "a",\n    "b",\n    "x"\n]\n');
    assert.equal(await edited(multiNoComma, [insert('"x"', { after: 'b' })], false), 'MIDDLEWARE = [\n    "a",\n    "b",\n    "x"\n]\n');
  });

  test('multi-line list whose last item carries a comment', async () => {
    assert.equal(await edited('MIDDLEWARE = [\n    "a",\n    "b",  # last\n]\n', [insert('"x"', 'last')], false), 'MIDDLEWARE = [\n    "a",\n    "b",  # last\n    "x",\n]\n');
    assert.equal(await edited('MIDDLEWARE = [\n    "a",\n    "b"  # last\n]\n', [insert('"x"', 'last')], false), 'MIDDLEWARE = [\n    "a",\n    "b",  # last\n    "x"\n]\n');
  });

  test('CRLF multi-line list', async () => {
    assert.equal(await edited('MIDDLEWARE = [\r\n    "a",\r\n]\r\n', [insert('"x"', 'last')], false), 'MIDDLEWARE = [\r\n    "a",\r\n    "x",\r\n]\r\n');
  });

  test('tuples and empty lists', async () => {
    assert.equal(await edited('MIDDLEWARE = ("a",)\n', [insert('"x"', 'last')], false), 'MIDDLEWARE = ("a", "x",)\n');
    assert.equal(await edited('MIDDLEWARE = ("a", "b")\n', [insert('"x"', 'first')], false), 'MIDDLEWARE = ("x", "a", "b")\n');
    assert.equal(await edited('MIDDLEWARE = []\n', [insert('"x"', 'first')], false), 'MIDDLEWARE = ["x"]\n');
    assert.equal(await edited('MIDDLEWARE = ()\n', [insert('"x"', 'last')], false), 'MIDDLEWARE = ("x",)\n');
  });

  test('a list that cannot be edited in place gets a statement in the block', async () => {
    assert.equal(await edited('MIDDLEWARE = BASE + ["a"]\n', [insert('"x"', 'first')], false), 'MIDDLEWARE = BASE + ["a"]\n\n# Security hardening\nMIDDLEWARE.insert(0, "x")\n');
    assert.equal(await edited('MIDDLEWARE = [*BASE]\n', [insert('"x"', 'last')], false), 'MIDDLEWARE = [*BASE]\n\n# Security hardening\nMIDDLEWARE.append("x")\n');
    assert.equal(
      await edited('MIDDLEWARE = ["a"]\n', [insert('"x"', { after: 'missing' })], false),
      'MIDDLEWARE = ["a"]\n\n# Security hardening\nMIDDLEWARE.insert(MIDDLEWARE.index("missing") + 1, "x")\n',
    );
  });

  test('a tuple inherited from a base module is edited there: a statement cannot change a tuple', async () => {
    const files = { 'mysite/base.py': 'MIDDLEWARE = (\n    "a",\n)\n', [PRODUCTION]: 'from .base import *\nDEBUG = False\n' };
    assert.deepEqual(await applyIntents(files, [insert('"x"', 'first')]), { 'mysite/base.py': 'MIDDLEWARE = (\n    "x",\n    "a",\n)\n', [PRODUCTION]: 'from .base import *\nDEBUG = False\n' });
  });

  test('a list inherited from a base module is changed by a statement in the production module, not in base.py', async () => {
    const files = { 'mysite/base.py': 'MIDDLEWARE = [\n    "a",\n]\n', [PRODUCTION]: 'from .base import *\nDEBUG = False\n' };
    assert.deepEqual(await applyIntents(files, [insert('"x"', 'first')]), {
      'mysite/base.py': 'MIDDLEWARE = [\n    "a",\n]\n',
      [PRODUCTION]: 'from .base import *\nDEBUG = False\n\n# Security hardening\nMIDDLEWARE.insert(0, "x")\n',
    });
  });
});

describe("'list-remove' and 'remove'", () => {
  const remove = (value: string, name = 'HOSTS'): SettingsIntent => ({ kind: 'list-remove', name, value });

  test('single-line lists and tuples', async () => {
    assert.equal(await edited('HOSTS = ["a", "*", "b"]\n', [remove('*')]), 'HOSTS = ["a", "b"]\n');
    assert.equal(await edited('HOSTS = ["*", "b"]\n', [remove('*')]), 'HOSTS = ["b"]\n');
    assert.equal(await edited('HOSTS = ["a", "*"]\n', [remove('*')]), 'HOSTS = ["a"]\n');
    assert.equal(await edited('HOSTS = ["a", "*",]\n', [remove('*')]), 'HOSTS = ["a",]\n');
    assert.equal(await edited('HOSTS = ["*"]\n', [remove('*')]), 'HOSTS = []\n');
    assert.equal(await edited('HOSTS = ("a", "*")\n', [remove('*')]), 'HOSTS = ("a",)\n');
    assert.equal(await edited('HOSTS = ("*",)\n', [remove('*')]), 'HOSTS = ()\n');
  });

  test('multi-line lists', async () => {
    assert.equal(await edited('HOSTS = [\n    "a",\n    "*",\n    "b",\n]\n', [remove('*')]), 'HOSTS = [\n    "a",\n    "b",\n]\n');
    assert.equal(await edited('HOSTS = [\n    "a",\n    "*"\n]\n', [remove('*')]), 'HOSTS = [\n    "a",\n]\n');
    assert.equal(await edited('HOSTS = [\n    "a",\n    "*",  # everything\n]\n', [remove('*')]), 'HOSTS = [\n    "a",\n]\n');
    assert.equal(await edited('HOSTS = [\r\n    "a",\r\n    "*",\r\n]\r\n', [remove('*')]), 'HOSTS = [\r\n    "a",\r\n]\r\n');
  });

  test('a list that cannot be edited in place gets a statement in the block', async () => {
    assert.equal(await edited('HOSTS = BASE + ["a"]\n', [remove('*')], false), 'HOSTS = BASE + ["a"]\n\n# Security hardening\nHOSTS.remove("*")\n');
  });

  test("'remove' deletes every plain assignment of the name", async () => {
    const files = { 'mysite/base.py': 'X = 1\nKEEP = 2\n', [PRODUCTION]: 'from .base import *\nX = 3  # gone\nX += 1\nY = 4\n' };
    assert.deepEqual(await applyIntents(files, [{ kind: 'remove', name: 'X' }]), { 'mysite/base.py': 'KEEP = 2\n', [PRODUCTION]: 'from .base import *\nX += 1\nY = 4\n' });
    assert.equal(await edited('A = 1\nX = [\n    1,\n]\nB = 2\n', [{ kind: 'remove', name: 'X' }]), 'A = 1\nB = 2\n');
  });
});

test('several intents compose into one block and one import', async () => {
  const text = '"""Settings."""\nimport os\n\nDEBUG = True\nMIDDLEWARE = [\n    "django.middleware.common.CommonMiddleware",\n]\nALLOWED_HOSTS = ["*", "example.com"]\n';
  const intents: SettingsIntent[] = [
    set('DEBUG', 'False'),
    set('SECURE_SSL_REDIRECT', 'True', { comment: 'HTTPS only.' }),
    set('SECRET_KEY', 'config("SECRET_KEY")', { imports: ['from decouple import config'] }),
    set('SECURE_HSTS_SECONDS', '31536000', { imports: ['from decouple import config'] }),
    { kind: 'list-insert', name: 'MIDDLEWARE', item: '"django.middleware.security.SecurityMiddleware"', position: 'first' },
    { kind: 'list-remove', name: 'ALLOWED_HOSTS', value: '*' },
  ];
  assert.equal(
    await edited(text, intents, false),
    [
      '"""Settings."""',
      'import os',
      'from decouple import config',
      '',
      'DEBUG = False',
      'MIDDLEWARE = [',
      '    "django.middleware.security.SecurityMiddleware",',
      '    "django.middleware.common.CommonMiddleware",',
      ']',
      'ALLOWED_HOSTS = ["example.com"]',
      '',
      '# Security hardening',
      '# HTTPS only.',
      'SECURE_SSL_REDIRECT = True',
      'SECRET_KEY = config("SECRET_KEY")',
      'SECURE_HSTS_SECONDS = 31536000',
      '',
    ].join('\n'),
  );
});
