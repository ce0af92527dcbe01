/**
 * What a team needs to adopt the checker, as Ruff users expect it: report destinations and
 * shapes (`--output-file`, `--statistics`, `--show-source`, colour, `--exit-zero`), `--diff`,
 * the ways to accept what a project already has (`--add-noqa`, baselines), and
 * configuration (`--config`, django-hardener.toml, per-file ignores, unknown keys).
 * Each runs the built CLI in a child process on a throwaway project.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { cli, cliWithEnv, copyOf, project, read } from './support/cli-run';
import { FIXTURES } from './support/fixtures';

const SPLIT = path.join(FIXTURES, 'cli', 'split');
const DEBUG_MESSAGE = 'DEBUG is True in a production settings module. Error pages show stack traces, settings and SQL to anyone.';
const DEBUG_LINE = `shop/settings/base.py:5:1: error DJH101 [debug-enabled] ${DEBUG_MESSAGE}`;
const INHERITS = '  shop/settings/production.py:3:1: shop/settings/production.py inherits this value through `from … import *` and does not override it';
const SUMMARY = 'Found 1 problem (1 fixable with --fix --unsafe-fixes).';
const ESC = '\u001b[';

describe('check: where and how the report is printed', () => {
  test('text lines carry the severity: path:line:col: severity CODE [name] message', () => {
    const run = cli(SPLIT, 'check', '--select', 'DJH101');
    assert.deepEqual(run, { code: 1, stdout: [DEBUG_LINE, INHERITS, '', SUMMARY, ''].join('\n'), stderr: '' });
  });

  test('--output-file writes the report, in any format, instead of stdout', () => {
    const root = copyOf(SPLIT);
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const expected = cli(root, 'check', '--select', 'DJH101', '--format', format).stdout;
      const run = cli(root, 'check', '--select', 'DJH101', '--format', format, '--output-file', `report.${format}`);
      assert.deepEqual(run, { code: 1, stdout: '', stderr: '' }, format);
      assert.equal(read(root, `report.${format}`), expected, format);
    }
    const unwritable = cli(root, 'check', '--output-file', 'missing/report.txt');
    assert.deepEqual(unwritable, { code: 2, stdout: '', stderr: 'missing/report.txt: error: cannot write (ENOENT)\n' });
  });

  test('--exit-zero: 0 with findings; usage errors still exit 2', () => {
    const run = cli(SPLIT, 'check', '--select', 'DJH101', '--exit-zero');
    assert.equal(run.code, 0);
    assert.equal(run.stdout, [DEBUG_LINE, INHERITS, '', SUMMARY, ''].join('\n'));
    assert.equal(cli(SPLIT, 'check', '--exit-zero', '--select', 'E501').code, 2);
  });

  test('--statistics counts findings per code, most frequent first, with what --fix can do', () => {
    const root = project({
      'settings.py': 'import os\nDEBUG = False\nALLOWED_HOSTS = ["example.com"]\nSECRET_KEY = os.environ["KEY"]\n',
      'templates/a.html': '<form method="post"></form>\n<p>{{ a|safe }}</p>\n<p>{{ b|safe }}</p>\n',
    });
    const run = cli(root, 'check', '--select', 'DJH301,DJH303', '--statistics');
    assert.deepEqual(run, { code: 1, stdout: '2  DJH303  [ ] safe-filter\n1  DJH301  [*] form-missing-csrf-token\n\nFound 3 problems (1 fixable with --fix). 2 rules fired.\n', stderr: '' });
    const json = cli(root, 'check', '--select', 'DJH301,DJH303', '--statistics', '--format', 'json');
    assert.deepEqual(JSON.parse(json.stdout), [
      { code: 'DJH303', name: 'safe-filter', count: 2, fix: 'none' },
      { code: 'DJH301', name: 'form-missing-csrf-token', count: 1, fix: 'safe' },
    ]);
    assert.deepEqual(cli(root, 'check', '--statistics', '--format', 'sarif'), { code: 2, stdout: '', stderr: 'django-hardener: error: --statistics prints text or json\n' });
  });

  test('--show-source quotes the reported line with carets and a line of context', () => {
    const run = cli(SPLIT, 'check', '--select', 'DJH101', '--show-source');
    assert.equal(run.stdout, [DEBUG_LINE, '   |', ' 4 |', ' 5 | DEBUG = True', '   | ^^^^^^^^^^^^', ' 6 |', '   |', INHERITS, '', SUMMARY, ''].join('\n'));
  });

  test('--show-source: a range over several lines is underlined on each from its first word, tabs kept under tabs', () => {
    const root = project({ 'templates/a.html': '<div>\n\t<form method="post"\n\t      action="/pay">\n\t\t<input name="amount">\n\t</form>\n</div>\n' });
    const run = cli(root, 'check', '--select', 'DJH301', '--show-source', '--quiet');
    assert.equal(
      run.stdout,
      [
        'templates/a.html:2:2: error DJH301 [form-missing-csrf-token] ' + run.stdout.split('\n')[0].split('[form-missing-csrf-token] ')[1],
        '   |',
        ' 1 | <div>',
        ' 2 | \t<form method="post"',
        '   | \t^^^^^^^^^^^^^^^^^^^',
        ' 3 | \t      action="/pay">',
        '   | \t      ^^^^^^^^^^^^^^',
        ' 4 | \t\t<input name="amount">',
        '   |',
        '',
      ].join('\n'),
    );
  });

  test('colour: --color always, NO_COLOR and FORCE_COLOR, never in a pipe by default', () => {
    const plain = [DEBUG_LINE, INHERITS, '', SUMMARY, ''].join('\n');
    assert.equal(cli(SPLIT, 'check', '--select', 'DJH101').stdout, plain, 'a pipe gets no colour');
    const coloured = cli(SPLIT, 'check', '--select', 'DJH101', '--color', 'always').stdout;
    assert.ok(
      coloured.startsWith(`${ESC}1mshop/settings/base.py:5:1${ESC}22m: ${ESC}1m${ESC}31merror${ESC}39m${ESC}22m ${ESC}1mDJH101${ESC}22m ${ESC}2m[debug-enabled]${ESC}22m `),
      JSON.stringify(coloured),
    );
    assert.equal(coloured.replace(/\u001b\[\d+m/g, ''), plain, 'colour adds escapes only');
    assert.equal(cliWithEnv(SPLIT, { FORCE_COLOR: '1' }, 'check', '--select', 'DJH101').stdout, coloured);
    assert.equal(cliWithEnv(SPLIT, { FORCE_COLOR: '1', NO_COLOR: '1' }, 'check', '--select', 'DJH101').stdout, plain, 'NO_COLOR wins over FORCE_COLOR');
    assert.equal(cliWithEnv(SPLIT, { FORCE_COLOR: '1' }, 'check', '--select', 'DJH101', '--color', 'never').stdout, plain);
    assert.equal(cliWithEnv(SPLIT, { NO_COLOR: '1' }, 'check', '--select', 'DJH101', '--color', 'always').stdout, coloured, 'the flag wins over the environment');
    assert.equal(
      cli(SPLIT, 'check', '--select', 'DJH101', '--color', 'always', '--format', 'json').stdout,
      cli(SPLIT, 'check', '--select', 'DJH101', '--format', 'json').stdout,
      'only text is coloured',
    );
    assert.equal(cli(SPLIT, 'check', '--color', 'sometimes').code, 2);
  });
});

describe('check --diff', () => {
  const FORM = '<form method="post">\n  <button>Pay</button>\n</form>\n';

  test('prints what --fix would change, writes nothing, exits 1', () => {
    const root = project({ 'templates/pay.html': FORM });
    const run = cli(root, 'check', '--diff');
    assert.deepEqual(run, {
      code: 1,
      stdout: ['--- a/templates/pay.html', '+++ b/templates/pay.html', '@@ -1,3 +1,4 @@', ' <form method="post">', '+  {% csrf_token %}', '   <button>Pay</button>', ' </form>', ''].join('\n'),
      stderr: 'django-hardener: note: no production settings module found, so the settings rules had nothing to check\nWould fix 1 problem in 1 file.\n',
    });
    assert.equal(read(root, 'templates/pay.html'), FORM);
  });

  test('unsafe fixes only with --unsafe-fixes; exit 0 when nothing would change', () => {
    const root = copyOf(SPLIT);
    assert.deepEqual(cli(root, 'check', '--diff', '--select', 'DJH101', '--quiet'), { code: 0, stdout: '', stderr: '' });
    const run = cli(root, 'check', '--diff', '--unsafe-fixes', '--select', 'DJH101', '--quiet');
    assert.equal(run.code, 1);
    assert.equal(
      run.stdout,
      [
        '--- a/shop/settings/production.py',
        '+++ b/shop/settings/production.py',
        '@@ -7,3 +7,6 @@',
        ' ALLOWED_HOSTS = ["shop.example.com"]',
        ' ',
        ' STATIC_ROOT = BASE_DIR / "static"',
        '+',
        '+# Security hardening',
        '+DEBUG = False',
        '',
      ].join('\n'),
    );
    assert.equal(read(root, 'shop/settings/production.py'), readFileSync(path.join(SPLIT, 'shop/settings/production.py'), 'utf8'));
  });

  test('cannot be combined with --fix, --add-noqa or --baseline', () => {
    for (const other of [['--fix'], ['--add-noqa'], ['--baseline', 'b.json']]) {
      const run = cli(SPLIT, 'check', '--diff', ...other);
      assert.deepEqual(run, { code: 2, stdout: '', stderr: `django-hardener: error: ${other[0] === '--fix' ? '--fix and --diff' : `--diff and ${other[0]}`} cannot be used together\n` });
    }
  });
});

describe('check --add-noqa', () => {
  test('one comment per line naming every code there, merged into an existing noqa; a second run adds nothing', () => {
    const root = project({
      'settings.py': 'import os\nDEBUG = True  # noqa: E501\nSECRET_KEY = "s3cr3t-value-for-tests-only"\nALLOWED_HOSTS = ["*"]\n',
      'templates/page.html': '<p>{{ note|safe }}</p>\n<p>{{ other|safe }}</p> {# noqa: DJH306 #}\n',
    });
    const run = cli(root, 'check', '--select', 'DJH101,DJH102,DJH103,DJH303', '--add-noqa');
    assert.deepEqual(run, { code: 0, stdout: '', stderr: 'Added noqa comments for 5 findings in 2 files.\n' });
    assert.equal(read(root, 'settings.py'), 'import os\nDEBUG = True  # noqa: E501, DJH101\nSECRET_KEY = "s3cr3t-value-for-tests-only"  # noqa: DJH103\nALLOWED_HOSTS = ["*"]  # noqa: DJH102\n');
    assert.equal(read(root, 'templates/page.html'), '<p>{{ note|safe }}</p> {# noqa: DJH303 #}\n<p>{{ other|safe }}</p> {# noqa: DJH306, DJH303 #}\n');
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101,DJH102,DJH103,DJH303'), { code: 0, stdout: 'No problems found.\n', stderr: '' });
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101,DJH102,DJH103,DJH303', '--add-noqa'), { code: 0, stdout: '', stderr: 'Added noqa comments for 0 findings in 0 files.\n' });
  });

  test('a line ending inside a string cannot take one: a warning and exit 1', () => {
    const views =
      'from django.db import connection\n\n\ndef view(request):\n    q = request.GET["q"]\n    with connection.cursor() as c:\n        c.execute(f"""\n            SELECT * FROM t WHERE a = {q}\n        """)\n';
    const root = project({ 'views.py': views });
    const run = cli(root, 'check', '--select', 'DJH201', '--add-noqa', '--quiet');
    assert.deepEqual(run, { code: 1, stdout: '', stderr: 'views.py:7:19: warning: no noqa comment for DJH201: the line cannot take a comment\n' });
    assert.equal(read(root, 'views.py'), views);
  });

  test('keeps a BOM and CRLF line endings', () => {
    const root = project({ 'settings.py': Buffer.from('\ufeffDEBUG = True\r\nALLOWED_HOSTS = ["a.example"]\r\n', 'utf8') });
    assert.equal(cli(root, 'check', '--select', 'DJH101', '--add-noqa').code, 0);
    assert.deepEqual(readFileSync(path.join(root, 'settings.py')), Buffer.from('\ufeffDEBUG = True  # noqa: DJH101\r\nALLOWED_HOSTS = ["a.example"]\r\n', 'utf8'));
  });
});

describe('baseline', () => {
  const SETTINGS = 'import os\n\nDEBUG = True\nSECRET_KEY = os.environ["KEY"]\nALLOWED_HOSTS = ["a.example"]\n';
  const SELECT = ['--select', 'DJH101,DJH102'];

  test('--baseline writes the findings; the configured baseline hides them, across line moves, and only them', () => {
    const root = project({ 'settings.py': SETTINGS });
    const write = cli(root, 'check', ...SELECT, '--baseline', 'hardener-baseline.json');
    assert.deepEqual(write, {
      code: 0,
      stdout: '',
      stderr: 'Wrote 1 finding to hardener-baseline.json.\nAdd `baseline = "hardener-baseline.json"` under [tool.django-hardener] so that check reports only new findings.\n',
    });
    const baseline = JSON.parse(read(root, 'hardener-baseline.json'));
    assert.deepEqual(Object.keys(baseline), ['tool', 'version', 'findings']);
    assert.deepEqual(
      baseline.findings.map(({ fingerprint, ...rest }: { fingerprint: string }) => ({ ...rest, fingerprint: /^[0-9a-f]{32}$/.test(fingerprint) })),
      [{ code: 'DJH101', file: 'settings.py', line: 'DEBUG = True', fingerprint: true }],
    );

    writeFileSync(path.join(root, 'pyproject.toml'), '[tool.django-hardener]\nbaseline = "hardener-baseline.json"\n');
    assert.deepEqual(cli(root, 'check', ...SELECT), { code: 0, stdout: 'No problems found.\n', stderr: '' });

    // Lines added above and the line re-indented: still the accepted finding.
    writeFileSync(path.join(root, 'settings.py'), `"""Settings."""\n\n\n${SETTINGS.replace('DEBUG = True', 'DEBUG  =  True')}`);
    assert.deepEqual(cli(root, 'check', ...SELECT), { code: 0, stdout: 'No problems found.\n', stderr: '' });

    // A new finding is reported; so is the accepted one once its line changes.
    writeFileSync(path.join(root, 'settings.py'), SETTINGS.replace('["a.example"]', '["*"]'));
    assert.deepEqual(
      JSON.parse(cli(root, 'check', ...SELECT, '--format', 'json').stdout).map((f: { code: string; line: number }) => `${f.code}:${f.line}`),
      ['DJH102:5'],
    );
    writeFileSync(path.join(root, 'settings.py'), SETTINGS.replace('DEBUG = True', 'DEBUG = 1 == 1'));
    assert.deepEqual(
      JSON.parse(cli(root, 'check', ...SELECT, '--format', 'json').stdout).map((f: { code: string; line: number }) => `${f.code}:${f.line}`),
      ['DJH101:3'],
    );
  });

  test('two identical lines are two entries: fixing one does not hide a new one', () => {
    const root = project({
      'templates/a.html': '<p>{{ x|safe }}</p>\n<p>{{ x|safe }}</p>\n',
      'pyproject.toml': '[tool.django-hardener]\nbaseline = "b.json"\n',
    });
    assert.equal(cli(root, 'check', '--select', 'DJH303', '--baseline', 'b.json', '--quiet').code, 0);
    assert.equal(JSON.parse(read(root, 'b.json')).findings.length, 2);
    assert.equal(cli(root, 'check', '--select', 'DJH303', '--quiet').code, 0);
    writeFileSync(path.join(root, 'templates/a.html'), '<p>{{ x|safe }}</p>\n<p>{{ x|safe }}</p>\n<p>{{ x|safe }}</p>\n');
    assert.deepEqual(
      JSON.parse(cli(root, 'check', '--select', 'DJH303', '--format', 'json').stdout).map((f: { line: number }) => f.line),
      [3],
    );
  });

  test('a missing or malformed baseline is an error, not a silent full report', () => {
    const root = project({ 'settings.py': SETTINGS, 'pyproject.toml': '[tool.django-hardener]\nbaseline = "nowhere.json"\n' });
    assert.deepEqual(cli(root, 'check', ...SELECT), { code: 2, stdout: '', stderr: 'nowhere.json: error: cannot read the baseline (ENOENT)\n' });
    writeFileSync(path.join(root, 'nowhere.json'), '{"findings": []}');
    assert.deepEqual(cli(root, 'check', ...SELECT), {
      code: 2,
      stdout: '',
      stderr: 'nowhere.json: error: not a django-hardener baseline (expected {"tool": "django-hardener", "findings": [{"fingerprint": …}, …]})\n',
    });
  });
});

describe('configuration', () => {
  test('--config reads another file; django-hardener.toml in the root is read before pyproject.toml', () => {
    const root = project({
      'settings.py': 'DEBUG = True\nALLOWED_HOSTS = []\n',
      'pyproject.toml': '[tool.django-hardener]\nselect = ["DJH101"]\n',
      'ci/strict.toml': 'select = ["DJH102"]\n',
    });
    const codes = (...args: string[]) => JSON.parse(cli(root, 'check', '--format', 'json', ...args).stdout).map((f: { code: string }) => f.code);
    assert.deepEqual(codes(), ['DJH101']);
    assert.deepEqual(codes('--config', 'ci/strict.toml'), ['DJH102']);
    writeFileSync(path.join(root, 'django-hardener.toml'), 'select = ["DJH102"]\n');
    assert.deepEqual(codes(), ['DJH102']);
    assert.deepEqual(cli(root, 'check', '--config', 'ci/missing.toml'), { code: 2, stdout: '', stderr: 'ci/missing.toml: error: cannot read the configuration file (ENOENT)\n' });
  });

  test('per-file-ignores: globs from the project root, a bare file name anywhere, codes or prefixes', () => {
    const safe = '<p>{{ x|safe }}</p>\n';
    const root = project({
      'settings.py': 'DEBUG = False\n',
      'pyproject.toml': '[tool.django-hardener.per-file-ignores]\n"legacy/**" = ["DJH3"]\n"email.html" = ["DJH303"]\n',
      'legacy/__init__.py': '',
      'legacy/templates/old.html': safe,
      'shop/__init__.py': '',
      'shop/templates/email.html': safe,
      'shop/templates/page.html': safe,
    });
    assert.deepEqual(
      JSON.parse(cli(root, 'check', '--select', 'DJH303', '--format', 'json').stdout).map((f: { file: string }) => f.file),
      ['shop/templates/page.html'],
    );
  });

  test('unknown keys and malformed per-file-ignores are warnings naming them', () => {
    const root = project({
      'settings.py': 'DEBUG = False\n',
      'pyproject.toml': '[tool.django-hardener]\nselcet = ["DJH1"]\nper-file-ignores = { "a.py" = "DJH101" }\n',
    });
    const run = cli(root, 'check', '--select', 'DJH101');
    assert.deepEqual(run, {
      code: 0,
      stdout: 'No problems found.\n',
      stderr: 'pyproject.toml: warning: unknown configuration key tool.django-hardener.selcet\npyproject.toml: warning: per-file-ignores."a.py" must be a list of rule codes or prefixes\n',
    });
    const standalone = project({ 'settings.py': 'DEBUG = False\n', 'django-hardener.toml': 'exclude = []\nexlude = ["x"]\n' });
    assert.equal(cli(standalone, 'check', '--select', 'DJH101').stderr, 'django-hardener.toml: warning: unknown configuration key exlude\n');
    assert.equal(existsSync(path.join(standalone, 'pyproject.toml')), false);
  });
});
