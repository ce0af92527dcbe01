/**
 * The command-line interface, run the way users run it: the built bundle in a child
 * process. Transcripts (command, exit code, stdout, stderr) are snapshots with the
 * repository root scrubbed; UPDATE_SNAPSHOTS=1 rewrites them as rules are added. Tests
 * about CLI behaviour rather than rule coverage pin `--select DJH101` and assert exactly.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { applyPatch } from 'diff';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import { CLI, cli, copyOf, project, read, tempDir, type Run } from './support/cli-run';
import { FIXTURES, listFiles, REPO_ROOT } from './support/fixtures';
import { matchSnapshot } from './support/snapshot';

const CLI_FIXTURES = path.join(FIXTURES, 'cli');
const SPLIT = path.join(CLI_FIXTURES, 'split');
const STARTPROJECT = path.join(CLI_FIXTURES, 'startproject');
const SNAPSHOTS = path.join(CLI_FIXTURES, 'snapshots');
const VERSION: string = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;

const DEBUG_MESSAGE = 'DEBUG is True in a production settings module. Error pages show stack traces, settings and SQL to anyone.';
const DEBUG_FIXABLE = 'Found 1 problem (1 fixable with --fix --unsafe-fixes).';
const SPLIT_INHERITS = '  shop/settings/production.py:3:1: shop/settings/production.py inherits this value through `from … import *` and does not override it';
const STARTPROJECT_DEBUG_FIXED = "DEBUG = os.environ.get('DJANGO_DEBUG', 'False') == 'True'";

function scrub(text: string): string {
  return text.split(pathToFileURL(REPO_ROOT).href).join('file://<repo>').split(REPO_ROOT).join('<repo>').split(`"version": "${VERSION}"`).join('"version": "<version>"');
}

function snapshot(name: string, cwd: string, args: string[], run: Run): void {
  const where = path.relative(REPO_ROOT, cwd).split(path.sep).join('/');
  const transcript = [`$ cd ${where} && django-hardener ${args.join(' ')}`, `exit ${run.code}`, '--- stdout', run.stdout, '--- stderr', run.stderr].join('\n');
  matchSnapshot(path.join(SNAPSHOTS, `${name}.snap`), scrub(transcript), 'CLI transcript');
}

function assertNoStackTrace(run: Run): void {
  assert.doesNotMatch(run.stderr, /^\s+at .*(:\d+:\d+\)?|native)$/m, 'stderr shows a stack trace');
  assert.doesNotMatch(run.stdout + run.stderr, /\b(TypeError|RangeError|ReferenceError|SyntaxError): /, 'a JavaScript error escaped');
}

/** A wsgi.py that deploys proj/settings/production.py. */
const WSGI_PY = 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings.production")\n';
/** A settings module by its content alone, with DEBUG on. */
const FULL_DEBUG = 'INSTALLED_APPS = []\nMIDDLEWARE = []\nROOT_URLCONF = "urls"\nDEBUG = True\n';

/** Every file of a folder with its bytes, to prove that a run changed nothing. */
function contents(root: string): Map<string, string> {
  return new Map(listFiles(root).map((rel) => [rel, readFileSync(path.join(root, rel)).toString('base64')]));
}

/** Files whose text differs between two snapshots of a folder, shown whole, for a golden file. */
function changedFiles(root: string, before: Map<string, string>): string {
  const after = contents(root);
  const changed = [...after].filter(([rel, bytes]) => before.get(rel) !== bytes).map(([rel, bytes]) => `=== ${rel}\n${Buffer.from(bytes, 'base64').toString('utf8')}`);
  return changed.length > 0 ? changed.join('\n') : '(no file changed)\n';
}

describe('django-hardener check: output formats', () => {
  const formats = ['text', 'json', 'sarif', 'github'];
  for (const [name, root] of [
    ['split', SPLIT],
    ['startproject', STARTPROJECT],
  ] as const) {
    for (const format of formats) {
      test(`${name}: --format ${format}`, () => {
        const args = ['check', '--format', format];
        const run = cli(root, ...args);
        assert.equal(run.code, 1);
        assert.equal(run.stderr, '');
        snapshot(`check-${name}-${format}`, root, args, run);
      });
    }
  }

  test('text: location, code, name, message, related location, summary', () => {
    const run = cli(SPLIT, 'check', '--select', 'DJH101');
    assert.equal(run.stdout, [`shop/settings/base.py:5:1: error DJH101 [debug-enabled] ${DEBUG_MESSAGE}`, SPLIT_INHERITS, '', DEBUG_FIXABLE, ''].join('\n'));
    assert.equal(run.stderr, '');
    assert.equal(run.code, 1);
  });

  test('text: paths are relative to the working directory', () => {
    const run = cli(REPO_ROOT, 'check', 'test/fixtures/cli/split', '--select', 'DJH101');
    assert.equal(run.stdout.split('\n')[0], `test/fixtures/cli/split/shop/settings/base.py:5:1: error DJH101 [debug-enabled] ${DEBUG_MESSAGE}`);
    assert.equal(run.code, 1);
  });

  test('json: exactly the documented keys, 1-based', () => {
    const run = cli(SPLIT, 'check', '--format', 'json', '--select', 'DJH101');
    assert.deepEqual(JSON.parse(run.stdout), [
      { file: 'shop/settings/base.py', line: 5, column: 1, endLine: 5, endColumn: 13, code: 'DJH101', name: 'debug-enabled', severity: 'error', message: DEBUG_MESSAGE },
    ]);
    for (const record of JSON.parse(cli(STARTPROJECT, 'check', '--format', 'json').stdout)) {
      assert.deepEqual(Object.keys(record), ['file', 'line', 'column', 'endLine', 'endColumn', 'code', 'name', 'severity', 'message']);
    }
  });

  test('json: an empty array when nothing is found', () => {
    const run = cli(SPLIT, 'check', 'shop/settings/dev.py', '--format', 'json');
    assert.equal(run.stdout, '[]\n');
    assert.equal(run.code, 0);
  });

  test('sarif: one rule per enabled code, results with regions and related locations', () => {
    const log = JSON.parse(cli(SPLIT, 'check', '--format', 'sarif').stdout);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const driver = log.runs[0].tool.driver;
    assert.equal(driver.name, 'django-hardener');
    assert.deepEqual(
      driver.rules.map((r: { id: string }) => r.id),
      ALL_RULES.map((r) => r.meta.code),
    );
    const debugRule = driver.rules.find((r: { id: string }) => r.id === 'DJH101');
    assert.deepEqual(debugRule, {
      id: 'DJH101',
      name: 'debug-enabled',
      shortDescription: { text: ALL_RULES[0].meta.summary },
      fullDescription: { text: ALL_RULES[0].meta.summary },
      help: { text: ALL_RULES[0].docs.trim(), markdown: ALL_RULES[0].docs.trim() },
      helpUri: 'https://github.com/django-hardener/django-hardener/blob/main/docs/rules/DJH101.md',
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'external/cwe/cwe-489', 'external/cwe/cwe-215'], 'security-severity': '7.5' },
    });
    const selected = JSON.parse(cli(SPLIT, 'check', '--format', 'sarif', '--select', 'DJH101').stdout).runs[0];
    assert.deepEqual(
      selected.tool.driver.rules.map((r: { id: string }) => r.id),
      ['DJH101'],
    );
    assert.deepEqual(selected.results, [
      {
        ruleId: 'DJH101',
        ruleIndex: 0,
        level: 'error',
        message: { text: DEBUG_MESSAGE },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'shop/settings/base.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 5, startColumn: 1, endLine: 5, endColumn: 13 } } }],
        partialFingerprints: { 'djangoHardener/v1': selected.results[0].partialFingerprints['djangoHardener/v1'] },
        relatedLocations: [
          {
            id: 0,
            physicalLocation: { artifactLocation: { uri: 'shop/settings/production.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 20 } },
            message: { text: SPLIT_INHERITS.replace(/^ {2}\S+: /, '') },
          },
        ],
      },
    ]);
  });

  test('github: one workflow command per finding, escaped', () => {
    const run = cli(SPLIT, 'check', '--format', 'github', '--select', 'DJH101');
    assert.equal(run.stdout, `::error file=shop/settings/base.py,line=5,col=1,endLine=5,endColumn=13,title=DJH101 debug-enabled::${DEBUG_MESSAGE}%0A${SPLIT_INHERITS.trim()}\n`);
  });

  test('--quiet prints findings only', () => {
    const run = cli(SPLIT, 'check', '--select', 'DJH101', '--quiet');
    assert.equal(run.stdout, [`shop/settings/base.py:5:1: error DJH101 [debug-enabled] ${DEBUG_MESSAGE}`, SPLIT_INHERITS, ''].join('\n'));
    assert.equal(cli(SPLIT, 'check', 'shop/settings/dev.py', '--quiet').stdout, '');
  });
});

describe('django-hardener check: which files and findings', () => {
  test('checking production.py shows what it inherits from base.py', () => {
    const run = cli(SPLIT, 'check', 'shop/settings/production.py', '--select', 'DJH101');
    assert.equal(run.stdout.split('\n')[0], `shop/settings/base.py:5:1: error DJH101 [debug-enabled] ${DEBUG_MESSAGE}`);
    assert.equal(run.code, 1);
  });

  test('checking base.py shows its own lines, judged through production.py', () => {
    const run = cli(SPLIT, 'check', 'shop/settings/base.py', '--select', 'DJH101');
    assert.equal(run.stdout, [`shop/settings/base.py:5:1: error DJH101 [debug-enabled] ${DEBUG_MESSAGE}`, SPLIT_INHERITS, '', DEBUG_FIXABLE, ''].join('\n'));
  });

  test('a development module alone has nothing to report', () => {
    const run = cli(SPLIT, 'check', 'shop/settings/dev.py');
    assert.deepEqual(run, { code: 0, stdout: 'No problems found.\n', stderr: '' });
  });

  test('code outside the settings is read but the settings rules do not judge it', () => {
    const run = cli(SPLIT, 'check', 'shop/views.py');
    assert.deepEqual(run, { code: 0, stdout: 'No problems found.\n', stderr: '' });
  });

  test('two projects in one run', () => {
    const run = cli(CLI_FIXTURES, 'check', 'split', 'startproject', '--format', 'json', '--select', 'DJH101');
    assert.deepEqual(
      JSON.parse(run.stdout).map((f: { file: string; line: number }) => `${f.file}:${f.line}`),
      ['split/shop/settings/base.py:5', 'startproject/mysite/settings.py:26'],
    );
  });

  test('virtualenvs, node_modules, .git, migrations and site-packages are skipped; --exclude adds more', () => {
    const debug = FULL_DEBUG;
    const root = project({
      'settings.py': debug,
      '.venv/pyvenv.cfg': 'home = /usr/bin\n',
      '.venv/lib/python3.12/site-packages/other/settings.py': debug,
      'myenv/pyvenv.cfg': 'home = /usr/bin\n',
      'myenv/settings.py': debug,
      'node_modules/pkg/settings.py': debug,
      '.git/hooks/settings.py': debug,
      'app/migrations/0001_initial.py': Buffer.from([0xff, 0xfe, 0x00]),
      'vendor/lib/site-packages/settings.py': debug,
      'generated/settings.py': debug,
      'generated/broken.py': Buffer.from([0xff]),
    });
    const run = cli(root, 'check', '--select', 'DJH101', '--format', 'json', '--exclude', 'generated');
    assert.deepEqual(
      JSON.parse(run.stdout).map((f: { file: string }) => f.file),
      ['settings.py'],
    );
    assert.equal(run.stderr, '');
    const unexcluded = cli(root, 'check', '--select', 'DJH101', '--format', 'json');
    assert.deepEqual(
      JSON.parse(unexcluded.stdout).map((f: { file: string }) => f.file),
      ['generated/settings.py', 'settings.py'],
    );
    assert.equal(unexcluded.stderr, 'generated/broken.py: error: invalid UTF-8 at byte 0\n');
  });

  test('exclude globs from pyproject.toml apply too', () => {
    const root = project({
      'pyproject.toml': '[tool.django-hardener]\nexclude = ["legacy/**"]\n',
      'settings.py': 'DEBUG = False\n',
      'legacy/settings.py': FULL_DEBUG,
    });
    const run = cli(root, 'check', '--select', 'DJH101');
    assert.deepEqual(run, { code: 0, stdout: 'No problems found.\n', stderr: '' });
  });
});

describe('django-hardener check: exit codes and selection', () => {
  test('0 when clean, 1 with findings', () => {
    const clean = project({ 'settings.py': 'DEBUG = False\n' });
    assert.deepEqual(cli(clean, 'check', '--select', 'DJH101'), { code: 0, stdout: 'No problems found.\n', stderr: '' });
    const dirty = project({ 'settings.py': 'DEBUG = True\n' });
    assert.equal(cli(dirty, 'check', '--select', 'DJH101').code, 1);
  });

  test('2 for usage errors', () => {
    const cases: [string[], string][] = [
      [['check', '--format', 'xml'], "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json, sarif, github.\n"],
      [['check', '--bogus'], "error: unknown option '--bogus'\n"],
      [['bogus'], "error: unknown command 'bogus'\n"],
      [['check', '--unsafe-fixes'], 'django-hardener: error: --unsafe-fixes needs --fix or --diff\n'],
      [['check', '--select', 'E501'], "django-hardener: error: unknown rule selector 'E501' (expected a code such as DJH101, or a prefix such as DJH1)\n"],
      [['harden', '--diff', '--write'], 'django-hardener: error: --diff and --write cannot be used together\n'],
    ];
    for (const [args, stderr] of cases) {
      const run = cli(SPLIT, ...args);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stderr, stderr, args.join(' '));
      assert.equal(run.stdout, '', args.join(' '));
    }
  });

  test('--version and --help', () => {
    assert.deepEqual(cli(SPLIT, '--version'), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const help = cli(SPLIT, 'check', '--help');
    assert.equal(help.code, 0);
    for (const option of ['--format <format>', '--select <codes>', '--ignore <codes>', '--fix', '--unsafe-fixes', '--exclude <glob>', '--quiet']) assert.ok(help.stdout.includes(option), option);
    assert.equal(cli(SPLIT, 'harden', '--help').code, 0);
  });

  test('--select and --ignore, comma-separated and repeatable, codes or prefixes', () => {
    const all = JSON.parse(cli(SPLIT, 'check', '--format', 'json').stdout).map((f: { code: string }) => f.code);
    const only = JSON.parse(cli(SPLIT, 'check', '--format', 'json', '--select', 'djh101').stdout).map((f: { code: string }) => f.code);
    assert.deepEqual(only, ['DJH101']);
    const ignored = JSON.parse(cli(SPLIT, 'check', '--format', 'json', '--ignore', 'DJH101').stdout).map((f: { code: string }) => f.code);
    assert.deepEqual(
      ignored,
      all.filter((code: string) => code !== 'DJH101'),
    );
    const repeated = JSON.parse(cli(SPLIT, 'check', '--format', 'json', '--select', 'DJH101,DJH1', '--ignore', 'DJH10', '--ignore', 'DJH11,DJH12,DJH13').stdout);
    assert.deepEqual(repeated, []);
    assert.deepEqual(cli(SPLIT, 'check', '--ignore', 'DJH1'), { code: 0, stdout: 'No problems found.\n', stderr: '' });
  });

  test('a well-formed code that matches no rule is a usage error, in --select and --ignore alike', () => {
    assert.deepEqual(cli(SPLIT, 'check', '--select', 'DJH199'), { code: 2, stdout: '', stderr: "django-hardener: error: no rule matches 'DJH199'\n" });
    assert.deepEqual(cli(SPLIT, 'check', '--ignore', 'DJH101,DJH999', '--ignore', 'DJH4'), {
      code: 2,
      stdout: '',
      stderr: "django-hardener: error: no rule matches 'DJH999', 'DJH4'\n",
    });
  });

  test('pyproject.toml configures the selection; the command line wins', () => {
    const root = project({
      'pyproject.toml': '[tool.django-hardener]\nignore = ["DJH101"]\n\n[tool.django-hardener.severity]\nDJH101 = "warning"\n',
      'settings.py': 'DEBUG = True\n',
    });
    assert.deepEqual(
      JSON.parse(cli(root, 'check', '--format', 'json').stdout).filter((f: { code: string }) => f.code === 'DJH101'),
      [],
    );
    const selected = JSON.parse(cli(root, 'check', '--format', 'json', '--select', 'DJH101').stdout);
    assert.deepEqual(
      selected.map((f: { code: string; severity: string }) => `${f.code} ${f.severity}`),
      ['DJH101 warning'],
    );
    const sarif = JSON.parse(cli(root, 'check', '--format', 'sarif', '--select', 'DJH101').stdout).runs[0];
    assert.equal(sarif.tool.driver.rules[0].defaultConfiguration.level, 'warning');
    assert.equal(sarif.results[0].level, 'warning');
  });

  test('a malformed pyproject.toml is a warning, and the defaults apply', () => {
    const root = project({ 'pyproject.toml': '[tool.django-hardener]\nselect = "DJH101"\n', 'settings.py': 'DEBUG = True\n' });
    const run = cli(root, 'check', '--select', 'DJH101');
    assert.equal(run.stderr, 'pyproject.toml: warning: select must be a list of strings\n');
    assert.equal(run.code, 1);
  });

  test('# noqa silences a finding', () => {
    const root = project({ 'settings.py': 'DEBUG = True  # noqa: DJH101\n' });
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101'), { code: 0, stdout: 'No problems found.\n', stderr: '' });
  });

  test('a project whose settings modules are none of them production lists them, with their roles, and how to name one', () => {
    const root = project({
      'manage.py': 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")\n',
      'pytest.ini': '[pytest]\nDJANGO_SETTINGS_MODULE = shop.settings.test\n',
      'shop/settings/base.py': 'INSTALLED_APPS = []\nMIDDLEWARE = []\nROOT_URLCONF = "shop.urls"\nDEBUG = False\n',
      'shop/settings/dev.py': 'from .base import *\n\nDEBUG = True\n',
      'shop/settings/test.py': 'from .base import *\n',
    });
    assert.deepEqual(cli(root, 'check'), {
      code: 0,
      stdout: 'No problems found.\n',
      stderr: [
        'django-hardener: note: no production settings module found, so the settings rules had nothing to check',
        '  the settings modules found (django-hardener settings explains them):',
        '  shop/settings/base.py: base, only reached from shop/settings/dev.py, shop/settings/test.py',
        '  shop/settings/dev.py: development, named like a development module (dev)',
        '  shop/settings/test.py: test, named like a test module (test)',
        '  Name the one production runs in pyproject.toml: [tool.django-hardener] production-settings = ["mysite.settings.production"]',
        '',
      ].join('\n'),
    });
    const model = cli(root, 'settings');
    assert.equal(model.code, 0);
    assert.equal(
      model.stdout,
      [
        'shop/settings/base.py  base  (shop.settings.base)',
        '    assigns INSTALLED_APPS, MIDDLEWARE, ROOT_URLCONF',
        '    star-imported by shop/settings/dev.py',
        '    star-imported by shop/settings/test.py',
        '    only reached from shop/settings/dev.py, shop/settings/test.py',
        '',
        'shop/settings/dev.py  development  (shop.settings.dev)',
        '    named by DJANGO_SETTINGS_MODULE in manage.py',
        '    named like a development module (dev)',
        '',
        'shop/settings/test.py  test  (shop.settings.test)',
        '    named by DJANGO_SETTINGS_MODULE in pytest.ini (test configuration)',
        '    named like a test module (test)',
        '',
        'No production settings module: none of the modules above is what a deployment runs.',
        'Name the one production runs in pyproject.toml: [tool.django-hardener] production-settings = ["mysite.settings.production"]',
        '',
      ].join('\n'),
    );
  });

  test('settings --values --format json: each production value and where it comes from; host names whole, middleware by class', () => {
    const run = cli(SPLIT, 'settings', '--values', '--format', 'json');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const modules = JSON.parse(run.stdout) as { file: string; role: string; django?: unknown; values?: { name: string; value: string; source: string }[] }[];
    assert.deepEqual(
      modules.map((m) => [m.file, m.role]),
      [
        ['shop/settings/base.py', 'base'],
        ['shop/settings/dev.py', 'development'],
        ['shop/settings/production.py', 'production'],
      ],
    );
    const production = modules[2];
    assert.deepEqual(production.django, { version: '4.2', declared: false });
    const value = (name: string) => production.values!.find((v) => v.name === name);
    assert.deepEqual(value('DEBUG'), { name: 'DEBUG', value: 'True', source: 'shop/settings/base.py:5' });
    assert.deepEqual(value('SECRET_KEY'), { name: 'SECRET_KEY', value: 'env DJANGO_SECRET_KEY (unset → no default)', source: 'shop/settings/production.py:5' });
    assert.deepEqual(value('ALLOWED_HOSTS'), { name: 'ALLOWED_HOSTS', value: "['shop.example.com']", source: 'shop/settings/production.py:7' });
    assert.deepEqual(value('MIDDLEWARE'), {
      name: 'MIDDLEWARE',
      value: '[SecurityMiddleware, SessionMiddleware, CommonMiddleware, CsrfViewMiddleware, AuthenticationMiddleware, MessageMiddleware, XFrameOptionsMiddleware]',
      source: 'shop/settings/base.py:19',
    });
    assert.deepEqual(value('SECURE_HSTS_SECONDS'), { name: 'SECURE_HSTS_SECONDS', value: '0', source: "Django's default" });
    assert.equal(modules[0].values, undefined, 'only production modules carry values');
    assert.deepEqual(cli(SPLIT, 'settings', 'no/such/dir'), { code: 2, stdout: '', stderr: 'no/such/dir: error: no such file or directory\n' });
  });

  test("other linters' suppressions silence the rule covering the same check; --no-foreign-noqa and pyproject turn that off", () => {
    const views = 'from django.utils.safestring import mark_safe\n\n\ndef badge(name):\n    return mark_safe(f"<b>{name}</b>")  # noqa: S308\n';
    const root = project({ 'app/views.py': views });
    assert.equal(cli(root, 'check', '--select', 'DJH203').stdout, 'No problems found.\n');
    const again = cli(root, 'check', '--select', 'DJH203', '--no-foreign-noqa');
    assert.equal(again.code, 1);
    assert.match(again.stdout, /^app\/views\.py:5:12: info DJH203 \[mark-safe-dynamic\] mark_safe\(\) marks `name`, of unknown origin/);
    const configured = project({ 'app/views.py': views, 'pyproject.toml': '[tool.django-hardener]\nforeign-noqa = false\n' });
    const fromFile = cli(configured, 'check', '--select', 'DJH203');
    assert.equal(fromFile.code, 1);
    assert.doesNotMatch(fromFile.stderr, /unknown configuration key/, 'foreign-noqa is a known key');
  });

  test('a project without settings says so', () => {
    const root = project({ 'app/views.py': 'x = 1\n' });
    assert.deepEqual(cli(root, 'check'), {
      code: 0,
      stdout: 'No problems found.\n',
      stderr: 'django-hardener: note: no production settings module found, so the settings rules had nothing to check\n',
    });
  });
});

describe('django-hardener check --fix', () => {
  test('--fix alone leaves unsafe fixes alone', () => {
    const root = copyOf(STARTPROJECT);
    const before = contents(root);
    const run = cli(root, 'check', '--select', 'DJH101', '--fix');
    assert.deepEqual(run, {
      code: 1,
      stdout: `mysite/settings.py:26:1: error DJH101 [debug-enabled] ${DEBUG_MESSAGE}\n\n${DEBUG_FIXABLE}\n`,
      stderr: 'Fixed 0 problems.\n',
    });
    assert.deepEqual(contents(root), before);
  });

  test('--fix --unsafe-fixes applies them; a second run changes nothing', () => {
    const root = copyOf(STARTPROJECT);
    const original = read(root, 'mysite/settings.py');
    const run = cli(root, 'check', '--select', 'DJH101', '--fix', '--unsafe-fixes');
    assert.deepEqual(run, { code: 0, stdout: 'No problems found.\n', stderr: 'Fixed 1 problem.\n' });
    const expected = original.replace('from pathlib import Path\n', 'from pathlib import Path\nimport os\n').replace('\nDEBUG = True\n', `\n${STARTPROJECT_DEBUG_FIXED}\n`);
    assert.equal(read(root, 'mysite/settings.py'), expected);
    const fixed = contents(root);
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101', '--fix', '--unsafe-fixes'), { code: 0, stdout: 'No problems found.\n', stderr: 'Fixed 0 problems.\n' });
    assert.deepEqual(contents(root), fixed);
  });

  test('a fix lands in the module that inherits the value, not in base.py', () => {
    const root = copyOf(SPLIT);
    const base = read(root, 'shop/settings/base.py');
    const production = read(root, 'shop/settings/production.py');
    const run = cli(root, 'check', 'shop/settings/production.py', '--select', 'DJH101', '--fix', '--unsafe-fixes');
    assert.deepEqual(run, { code: 0, stdout: 'No problems found.\n', stderr: 'Fixed 1 problem.\n' });
    assert.equal(read(root, 'shop/settings/base.py'), base);
    assert.equal(read(root, 'shop/settings/production.py'), production + '\n# Security hardening\nDEBUG = False\n');
  });

  for (const [name, fixture] of [
    ['startproject', STARTPROJECT],
    ['split', SPLIT],
  ] as const) {
    for (const flags of [['--fix'], ['--fix', '--unsafe-fixes']]) {
      test(`${name}: every rule, ${flags.join(' ')}, then again`, () => {
        const root = copyOf(fixture);
        const before = contents(root);
        const args = ['check', ...flags];
        const run = cli(root, ...args);
        assertNoStackTrace(run);
        snapshot(`fix-${name}${flags.includes('--unsafe-fixes') ? '-unsafe' : ''}`, fixture, args, run);
        matchSnapshot(path.join(SNAPSHOTS, `fix-${name}${flags.includes('--unsafe-fixes') ? '-unsafe' : ''}.files.snap`), changedFiles(root, before), 'fixed files');
        const fixed = contents(root);
        const again = cli(root, ...args);
        assert.equal(again.stderr, 'Fixed 0 problems.\n');
        assert.equal(again.stdout, run.stdout);
        assert.deepEqual(contents(root), fixed);
      });
    }
  }
});

describe('django-hardener check --fix: where it writes', () => {
  const EXAMPLE = path.join(REPO_ROOT, 'examples', 'insecure-project');

  test('the bundled example: every fix is made, the settings fixes composed into one edit a round, and nothing is left for harden', () => {
    const root = copyOf(EXAMPLE);
    const run = cli(root, 'check', '--fix', '--unsafe-fixes');
    assertNoStackTrace(run);
    assert.doesNotMatch(run.stderr, /did not settle/);
    assert.match(run.stderr, /^Fixed 13 problems\.$/m);
    assert.doesNotMatch(run.stdout, /fixable/);
    assert.equal(cli(root, 'harden').code, 0);
    // Once more: nothing to fix.
    assert.match(cli(root, 'check', '--fix', '--unsafe-fixes').stderr, /^Fixed 0 problems\.$/m);
  });

  test('a symbolic link inside the project to a file outside it is read, never written through', () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'shared_settings.py'), 'DEBUG = True\n');
    const root = project({ 'app/views.py': 'x = 1\n' });
    symlinkSync(path.join(outside, 'shared_settings.py'), path.join(root, 'settings.py'));
    const report = cli(root, 'check', '--select', 'DJH101');
    assert.deepEqual([report.code, report.stdout.split('\n')[0]], [1, `settings.py:1:1: error DJH101 [debug-enabled] ${DEBUG_MESSAGE}`]);
    const run = cli(root, 'check', '--select', 'DJH101', '--fix', '--unsafe-fixes');
    assert.equal(read(outside, 'shared_settings.py'), 'DEBUG = True\n');
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      `settings.py: warning: not fixed: it leads outside the project (to ${realpathSync(path.join(outside, 'shared_settings.py'))}), and --fix never writes there\nFixed 0 problems.\n`,
    );
    assert.match(run.stdout, /^settings\.py:1:1: error DJH101 /);
    // harden --write refuses it the same way, and writes nothing.
    const harden = cli(root, 'harden', '--write');
    assert.equal(harden.code, 1);
    assert.match(harden.stderr, /^settings\.py: warning: not fixed: it leads outside the project/);
    assert.equal(read(outside, 'shared_settings.py'), 'DEBUG = True\n');
    // So does --add-noqa: the finding stays, and is not counted as silenced.
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101', '--add-noqa'), {
      code: 1,
      stdout: '',
      stderr: `settings.py: warning: no noqa comments added: it leads outside the project (to ${realpathSync(path.join(outside, 'shared_settings.py'))}), and --add-noqa never writes there\nAdded noqa comments for 0 findings in 0 files.\n`,
    });
    assert.equal(read(outside, 'shared_settings.py'), 'DEBUG = True\n');
  });

  test('a file that cannot be written (EACCES) is named; its fix is not counted and its finding is still reported', () => {
    const root = project({
      'settings.py': 'DEBUG = True\n',
      'app/views.py': "from django.db import connection\n\ndef v(request):\n    connection.cursor().execute(f\"SELECT * FROM t WHERE a = '{request.GET['q']}'\")\n",
    });
    // As root, permissions do not stop a write: the command runs as nobody then.
    const asNobody = process.getuid?.() === 0;
    for (const dir of [root, path.join(root, 'app')]) chmodSync(dir, 0o755);
    chmodSync(path.join(root, 'settings.py'), asNobody ? 0o644 : 0o444);
    chmodSync(path.join(root, 'app', 'views.py'), 0o666);
    const result = spawnSync(process.execPath, [CLI, 'check', '--fix', '--unsafe-fixes', '--select', 'DJH101,DJH201'], {
      cwd: root,
      encoding: 'utf8',
      ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
    });
    const run = { code: result.status, stdout: result.stdout, stderr: result.stderr };
    assertNoStackTrace(run);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'settings.py: error: cannot write (EACCES); its fixes are not made\nFixed 1 problem.\n');
    assert.equal(run.stdout, `settings.py:1:1: error DJH101 [debug-enabled] ${DEBUG_MESSAGE}\n\n${DEBUG_FIXABLE}\n`);
    assert.doesNotMatch(run.stdout, /No problems found/);
    assert.equal(read(root, 'settings.py'), 'DEBUG = True\n');
    assert.match(read(root, 'app/views.py'), /execute\("SELECT \* FROM t WHERE a = %s", \[request\.GET\['q'\]\]\)/);
  });
});

describe('django-hardener harden', () => {
  test('--diff prints a git-style diff and writes nothing', () => {
    const args = ['harden', '--diff'];
    const before = contents(STARTPROJECT);
    const run = cli(STARTPROJECT, ...args);
    // A change to make is exit 1, as `ruff --diff` says it.
    assert.equal(run.code, 1);
    assert.ok(run.stdout.startsWith('--- a/mysite/settings.py\n+++ b/mysite/settings.py\n@@ '), run.stdout);
    assert.ok(run.stdout.includes(`\n-DEBUG = True\n+${STARTPROJECT_DEBUG_FIXED}\n`));
    snapshot('harden-startproject-diff', STARTPROJECT, args, run);
    assert.deepEqual(cli(STARTPROJECT, 'harden'), run, 'the diff is the default');
    assert.deepEqual(contents(STARTPROJECT), before);
  });

  test('--write makes the change the diff shows; a second run has nothing to do', () => {
    const root = copyOf(STARTPROJECT);
    const original = read(root, 'mysite/settings.py');
    const diff = cli(root, 'harden').stdout;
    const run = cli(root, 'harden', '--write');
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
    snapshot('harden-startproject-write', STARTPROJECT, ['harden', '--write'], run);
    const hardened = read(root, 'mysite/settings.py');
    assert.equal(hardened, applyPatch(original, diff));
    assert.ok(run.stdout.startsWith('Wrote mysite/settings.py\nHardened mysite/settings.py: fixed '), run.stdout);
    assert.ok(run.stdout.includes('\nProduction must now set these environment variables (the settings refuse to start without them):\n  DJANGO_SECRET_KEY\n  DJANGO_ALLOWED_HOSTS\n'), run.stdout);
    assert.ok(run.stdout.includes('\nTo run the site locally (manage.py runserver, plain HTTP), set DJANGO_DEBUG=True.\n'), run.stdout);

    const again = cli(root, 'harden', '--write');
    assert.equal(again.code, 0);
    assert.ok(again.stdout.startsWith('Nothing to harden in mysite/settings.py.\n'), again.stdout);
    assert.equal(read(root, 'mysite/settings.py'), hardened);
    // Nothing to do is exit 0.
    const nothing = cli(root, 'harden', '--diff');
    assert.deepEqual([nothing.code, nothing.stdout], [0, '']);
    assert.ok(nothing.stderr.startsWith('Nothing to harden in mysite/settings.py.\n'), nothing.stderr);

    // What is left needs a change by hand: nothing `check --fix` could still do.
    const check = cli(root, 'check');
    assert.doesNotMatch(check.stdout, /fixable/);

    const variables = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('  '))
      .map((line) => line.trim());
    assert.ok(variables.includes('DJANGO_DEBUG'), run.stdout);
    assertDeployCheckPasses(root, variables);
  });

  test('split settings: the single production module is found; the fix goes there', () => {
    const args = ['harden'];
    const run = cli(SPLIT, ...args);
    assert.equal(run.code, 1);
    assert.ok(run.stdout.startsWith('--- a/shop/settings/production.py\n+++ b/shop/settings/production.py\n'), run.stdout);
    assert.ok(run.stdout.includes('\n+DEBUG = False\n'));
    snapshot('harden-split-diff', SPLIT, args, run);
    // Named explicitly from another folder: the same change, paths relative to that folder.
    const named = cli(path.join(SPLIT, 'shop'), 'harden', 'settings/production.py');
    assert.deepEqual(named, { code: 1, stdout: run.stdout.replace(/^(---|\+\+\+) ([ab])\/shop\//gm, '$1 $2/'), stderr: run.stderr.replace(/shop\//g, '') });
  });

  test('refuses a development or base module', () => {
    assert.deepEqual(cli(SPLIT, 'harden', 'shop/settings/dev.py'), {
      code: 2,
      stdout: '',
      stderr: 'shop/settings/dev.py: error: this is a development settings module (named like a development module (dev)); only production modules are hardened\n',
    });
    assert.deepEqual(cli(SPLIT, 'harden', 'shop/settings/base.py', '--write'), {
      code: 2,
      stdout: '',
      stderr: 'shop/settings/base.py: error: this is a base settings module (only reached from shop/settings/dev.py, shop/settings/production.py); only production modules are hardened\n',
    });
    assert.deepEqual(cli(SPLIT, 'harden', 'shop/views.py'), {
      code: 2,
      stdout: '',
      stderr: 'shop/views.py: error: this is not a settings module of the project (name it in production-settings under [tool.django-hardener] if it is one)\n',
    });
    assert.deepEqual(cli(SPLIT, 'harden', 'shop/nope.py'), { code: 2, stdout: '', stderr: 'shop/nope.py: error: no such file\n' });
  });

  test('without a file: several production modules, or none, is an error that lists them', () => {
    const several = project({ 'proj/settings/base.py': FULL_DEBUG, 'proj/settings/production.py': 'from .base import *\n', 'proj/settings/staging.py': 'from .base import *\n' });
    assert.deepEqual(cli(several, 'harden'), {
      code: 2,
      stdout: '',
      stderr: 'django-hardener: error: 2 production settings modules found in .; name the one to harden:\n  proj/settings/production.py\n  proj/settings/staging.py\n',
    });
    const none = project({ 'proj/settings/dev.py': 'DEBUG = True\n' });
    assert.deepEqual(cli(none, 'harden'), {
      code: 2,
      stdout: '',
      stderr: 'django-hardener: error: no production settings module found in .; name one: django-hardener harden path/to/settings.py\n',
    });
  });

  test('a module whose star import cannot be followed is not hardened', () => {
    const root = project({ 'proj/wsgi.py': WSGI_PY, 'proj/settings/production.py': 'from .missing import *\n\nDEBUG = True\n' });
    assert.deepEqual(cli(root, 'harden'), {
      code: 2,
      stdout: '',
      stderr: 'proj/settings/production.py: error: this module cannot be hardened: a star import cannot be resolved, so its effective settings are unknown\n',
    });
  });

  test('leaves lines silenced with # noqa alone', () => {
    const root = project({ 'settings.py': 'import os\n\nDEBUG = True  # noqa: DJH101\nSECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n' });
    const run = cli(root, 'harden');
    assert.equal(run.code, 1);
    assert.ok(run.stdout.startsWith('--- a/settings.py\n'), run.stdout);
    assert.doesNotMatch(run.stdout, /^[-+]DEBUG/m);
  });

  test('keeps a BOM and CRLF line ends', () => {
    const lf = 'import os\n\nDEBUG = True\n';
    const plain = project({ 'settings.py': lf });
    const special = project({ 'settings.py': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lf.replace(/\n/g, '\r\n'))]) });
    assert.equal(cli(plain, 'harden', '--write').code, 0);
    assert.equal(cli(special, 'harden', '--write').code, 0);
    const expected = '\ufeff' + read(plain, 'settings.py').replace(/\n/g, '\r\n');
    assert.equal(readFileSync(path.join(special, 'settings.py'), 'utf8'), expected);
  });
});

/**
 * Django's own `check --deploy` on a hardened project, with every environment variable the
 * fixes read set to a plausible production value: the module must import and pass.
 */
function assertDeployCheckPasses(root: string, variables: string[]): void {
  const python = '/usr/bin/python3';
  if (spawnSync(python, ['-c', 'import django'], { encoding: 'utf8' }).status !== 0) return;
  const env: Record<string, string> = { ...(process.env as Record<string, string>), PYTHONDONTWRITEBYTECODE: '1' };
  for (const variable of variables) {
    env[variable] = /SECRET|KEY|TOKEN|PASSWORD/.test(variable) ? 'k9Vq2Lr7Xw4Zp1Nb8Tc3Hs6Jd0Fg5Ym'.repeat(2) : /HOSTS/.test(variable) ? 'example.com' : /DEBUG/.test(variable) ? 'False' : '1';
  }
  const result = spawnSync(python, ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'], { cwd: root, encoding: 'utf8', env });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.equal(result.stdout, 'System check identified no issues (0 silenced).\n');
}

describe('django-hardener check: bad input', () => {
  const settings = 'DEBUG = True\n';
  const settingsFinding = `settings.py:1:1: error DJH101 [debug-enabled] ${DEBUG_MESSAGE}`;

  /** Runs on a project holding a bad file and a settings.py that must still be checked. */
  function withBadFile(files: Record<string, string | Buffer>, ...args: string[]): Run {
    const root = project({ 'settings.py': settings, ...files });
    const run = cli(root, 'check', '--select', 'DJH101', ...args);
    assertNoStackTrace(run);
    return run;
  }

  test('unparsable settings: a warning, and the intact part is still judged', () => {
    const root = project({ 'settings.py': 'DEBUG = True\nALLOWED_HOSTS = [\n' });
    const run = cli(root, 'check', '--select', 'DJH101');
    assert.deepEqual(run, { code: 1, stdout: `${settingsFinding}\n\n${DEBUG_FIXABLE}\n`, stderr: 'settings.py:2:1: warning: syntax error; findings may be incomplete\n' });
  });

  test('half-typed settings: the warning points at the broken line', () => {
    const root = project({ 'settings.py': 'import os\n\nSECRET_KEY = os.environ[\nDEBUG = True\nALLOWED_HOSTS = ["example.com"]\n' });
    const run = cli(root, 'check', '--select', 'DJH101');
    assertNoStackTrace(run);
    assert.match(run.stderr, /^settings\.py:\d+:\d+: warning: syntax error; findings may be incomplete\n$/);
    assert.equal(run.stderr, 'settings.py:3:12: warning: syntax error; findings may be incomplete\n');
  });

  test('invalid UTF-8', () => {
    const run = withBadFile({ 'app/bad.py': Buffer.concat([Buffer.from('x = "'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]) });
    assert.deepEqual(run, { code: 1, stdout: `${settingsFinding}\n\n${DEBUG_FIXABLE}\n`, stderr: 'app/bad.py: error: invalid UTF-8 at byte 5\n' });
  });

  test('an unreadable file alone makes the run fail', () => {
    const root = project({ 'settings.py': 'DEBUG = False\n', 'app/bad.py': Buffer.from([0x80]) });
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101'), { code: 1, stdout: 'No problems found.\n', stderr: 'app/bad.py: error: invalid UTF-8 at byte 0\n' });
  });

  test('a binary .py file', () => {
    const run = withBadFile({ 'app/blob.py': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]) });
    assert.deepEqual(run, { code: 1, stdout: `${settingsFinding}\n\n${DEBUG_FIXABLE}\n`, stderr: 'app/blob.py: error: binary file (contains NUL bytes)\n' });
  });

  test('static scripts that cannot be read leave their evidence out, with no error', () => {
    const form = '<form method="post" id="rate"><button>Rate</button></form>\n';
    const root = project({
      'settings.py': 'DEBUG = False\n',
      'app/__init__.py': '',
      'app/templates/rate.html': form,
      'app/static/latin1.js': Buffer.concat([Buffer.from("document.getElementById('rate'); h = {'X-CSRFToken': t}; // caf"), Buffer.from([0xe9]), Buffer.from('\n')]),
      'app/static/blob.js': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]),
    });
    const run = cli(root, 'check', '--select', 'DJH301', '--quiet');
    assertNoStackTrace(run);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^app\/templates\/rate\.html:1:1: error DJH301 /);
    assert.equal(run.stderr, '');
  });

  test('a 10 MB .py file', () => {
    const run = withBadFile({ 'app/huge.py': Buffer.alloc(10 * 1024 * 1024, 'x = 1\n') });
    assert.deepEqual(run, { code: 1, stdout: `${settingsFinding}\n\n${DEBUG_FIXABLE}\n`, stderr: 'app/huge.py: error: file is too large to analyse (10.0 MB, limit 5 MB)\n' });
  });

  test('a settings module that cannot be read is named, not judged', () => {
    const root = project({ 'proj/wsgi.py': WSGI_PY, 'proj/settings/production.py': Buffer.from([0x44, 0x45, 0x42, 0x55, 0x47, 0xff]) });
    assert.deepEqual(cli(root, 'check'), { code: 1, stdout: 'No problems found.\n', stderr: 'proj/settings/production.py: error: invalid UTF-8 at byte 5\n' });
  });

  test('a BOM: findings and columns are right, and --fix keeps it', () => {
    const text = 'DEBUG = True\n';
    const root = project({ 'settings.py': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) });
    const reference = project({ 'settings.py': text });
    const json = JSON.parse(cli(root, 'check', '--select', 'DJH101', '--format', 'json').stdout);
    assert.deepEqual(
      json.map((f: { line: number; column: number; endLine: number; endColumn: number }) => [f.line, f.column, f.endLine, f.endColumn]),
      [[1, 1, 1, 13]],
    );
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101', '--fix', '--unsafe-fixes'), { code: 0, stdout: 'No problems found.\n', stderr: 'Fixed 1 problem.\n' });
    cli(reference, 'check', '--select', 'DJH101', '--fix', '--unsafe-fixes');
    const fixed = readFileSync(path.join(root, 'settings.py'));
    assert.deepEqual([...fixed.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(fixed.subarray(3).toString('utf8'), read(reference, 'settings.py'));
    assert.notEqual(read(reference, 'settings.py'), text);
  });

  test('CRLF: findings are right and --fix keeps CRLF', () => {
    const text = '"""Settings."""\nimport os\n\nDEBUG = True  # on\nALLOWED_HOSTS = ["example.com"]\n';
    const root = project({ 'settings.py': text.replace(/\n/g, '\r\n') });
    const reference = project({ 'settings.py': text });
    const json = JSON.parse(cli(root, 'check', '--select', 'DJH101', '--format', 'json').stdout);
    assert.deepEqual(
      json.map((f: { line: number; column: number; endLine: number; endColumn: number }) => [f.line, f.column, f.endLine, f.endColumn]),
      [[4, 1, 4, 13]],
    );
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101', '--fix', '--unsafe-fixes'), { code: 0, stdout: 'No problems found.\n', stderr: 'Fixed 1 problem.\n' });
    cli(reference, 'check', '--select', 'DJH101', '--fix', '--unsafe-fixes');
    const fixed = read(root, 'settings.py');
    assert.equal(fixed, read(reference, 'settings.py').replace(/\n/g, '\r\n'));
    assert.doesNotMatch(fixed, /[^\r]\n/);
  });

  test('lines ending in a lone \\r: read as Python reads them, reported and fixed at the right place', () => {
    const text = [
      'from django.db import connection',
      '',
      'def search(request):',
      '    x = request.GET["q"]',
      '    c = connection.cursor()',
      '    c.execute(f"SELECT * FROM t WHERE a = \'{x}\'")',
      '',
    ].join('\r');
    const root = project({ 'app/views.py': text });
    const json = JSON.parse(cli(root, 'check', '--select', 'DJH201', '--format', 'json').stdout);
    assert.deepEqual(
      json.map((f: { code: string; line: number; column: number; endLine: number; endColumn: number }) => [f.code, f.line, f.column, f.endLine, f.endColumn]),
      [['DJH201', 6, 15, 6, 49]],
    );
    assert.deepEqual(cli(root, 'check', '--select', 'DJH201', '--fix', '--unsafe-fixes'), {
      code: 0,
      stdout: 'No problems found.\n',
      stderr: 'django-hardener: note: no production settings module found, so the settings rules had nothing to check\nFixed 1 problem.\n',
    });
    assert.equal(read(root, 'app/views.py'), text.replace(`c.execute(f"SELECT * FROM t WHERE a = '{x}'")`, 'c.execute("SELECT * FROM t WHERE a = %s", [x])'));
  });

  test('a symbolic link loop', () => {
    const root = project({ 'settings.py': settings });
    symlinkSync('loop.py', path.join(root, 'loop.py'));
    mkdirSync(path.join(root, 'app'));
    symlinkSync('..', path.join(root, 'app', 'up'));
    const run = cli(root, 'check', '--select', 'DJH101');
    assertNoStackTrace(run);
    assert.deepEqual(run, { code: 1, stdout: `${settingsFinding}\n\n${DEBUG_FIXABLE}\n`, stderr: 'loop.py: error: symbolic link loop\n' });
  });

  test('a path that does not exist', () => {
    const root = project({ 'settings.py': settings });
    assert.deepEqual(cli(root, 'check', 'nope'), { code: 2, stdout: '', stderr: 'nope: error: no such file or directory\ndjango-hardener: error: no files to check\n' });
    const run = cli(root, 'check', 'nope', 'settings.py', '--select', 'DJH101');
    assert.deepEqual(run, { code: 1, stdout: `${settingsFinding}\n\n${DEBUG_FIXABLE}\n`, stderr: 'nope: error: no such file or directory\n' });
  });

  test('a missing path given on the command line is named, absolute or relative, inside the checked folder or not', () => {
    const root = project({ 'settings.py': 'DEBUG = False\n' });
    const elsewhere = path.join(tempDir(), 'elsewhere.py');
    const run = cli(root, 'check', '.', path.join(root, 'gone.py'), 'app/gone.py', elsewhere, '--select', 'DJH101');
    const shown = path.relative(root, elsewhere).split(path.sep).join('/');
    assert.deepEqual(run, {
      code: 1,
      stdout: 'No problems found.\n',
      stderr: `gone.py: error: no such file or directory\napp/gone.py: error: no such file or directory\n${shown}: error: no such file or directory\n`,
    });
  });

  test('a dead link to a file the tool never reads is no error; one to a Python module or a template is named', () => {
    const root = project({ 'settings.py': 'DEBUG = False\n', 'shop/apps.py': '', 'shop/templates/shop/index.html': '<p>hello</p>\n' });
    // Links into a git submodule that was never initialised.
    mkdirSync(path.join(root, 'theme'));
    symlinkSync('../vendor/theme/config.yaml', path.join(root, 'theme', 'config.yaml'));
    symlinkSync('../vendor/theme/ruff.toml', path.join(root, 'theme', 'ruff.toml'));
    symlinkSync('../vendor/theme/layout.tpl', path.join(root, 'theme', 'layout.tpl'));
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101'), { code: 0, stdout: 'No problems found.\n', stderr: '' });
    symlinkSync('../vendor/theme/helpers.py', path.join(root, 'theme', 'helpers.py'));
    symlinkSync('../../../vendor/theme/base.html', path.join(root, 'shop', 'templates', 'shop', 'base.html'));
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101'), {
      code: 1,
      stdout: 'No problems found.\n',
      stderr: 'shop/templates/shop/base.html: error: broken symbolic link\ntheme/helpers.py: error: broken symbolic link\n',
    });
  });

  test('an empty directory is nothing to check', () => {
    const root = project({});
    mkdirSync(path.join(root, 'empty'));
    assert.deepEqual(cli(root, 'check', 'empty'), { code: 2, stdout: '', stderr: 'django-hardener: error: no files to check\n' });
  });

  test('a settings module that star-imports a missing module: no findings, a note', () => {
    const root = project({ 'proj/wsgi.py': WSGI_PY, 'proj/settings/production.py': 'from .missing import *\n\nDEBUG = True\n' });
    assert.deepEqual(cli(root, 'check'), {
      code: 0,
      stdout: 'No problems found.\n',
      stderr: 'proj/settings/production.py: note: settings not checked: a star import cannot be resolved, so its effective settings are unknown\n',
    });
  });

  test('an internal failure is one line and exit 2', () => {
    // A bundle without its grammar files beside it cannot start its parser.
    const lonely = tempDir();
    cpSync(CLI, path.join(lonely, 'cli.js'));
    const result = spawnSync(process.execPath, [path.join(lonely, 'cli.js'), 'check', '.'], { cwd: project({ 'settings.py': settings }), encoding: 'utf8' });
    const run = { code: result.status, stdout: result.stdout, stderr: result.stderr };
    assertNoStackTrace(run);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, `django-hardener: internal error: cannot find web-tree-sitter.wasm next to ${lonely} nor in node_modules: the build must copy it there\n`);
  });
});

describe('django-hardener when its output is closed early', () => {
  /** Runs the CLI with both its stdout and stderr read by nobody (`… 2>&1 | head -1` once head has gone); resolves to its exit code. */
  function runClosed(cwd: string, ...args: string[]): Promise<number | null> {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    child.stderr.destroy();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`django-hardener ${args.join(' ')} did not end`));
      }, 30_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  test('check, harden and --fix end with their own exit codes, and the fixes are written', async () => {
    assert.equal(await runClosed(SPLIT, 'check'), 1);
    assert.equal(await runClosed(SPLIT, 'harden'), 1);
    assert.equal(await runClosed(SPLIT, 'check', '--select', 'DJH999'), 2);
    const root = copyOf(SPLIT);
    assert.equal(await runClosed(root, 'check', '--select', 'DJH101', '--fix', '--unsafe-fixes'), 0);
    assert.deepEqual(cli(root, 'check', '--select', 'DJH101'), { code: 0, stdout: 'No problems found.\n', stderr: '' });
  });
});

describe('worker threads on a large project', () => {
  /** A project past the size where the checker starts worker threads, with findings of every kind and an unreadable file. */
  function largeProject(): string {
    const files: Record<string, string | Buffer> = {
      'shop/settings/base.py': 'DEBUG = True\nSECRET_KEY = "django-insecure-abc"\nALLOWED_HOSTS = ["shop.example"]\n',
      'shop/settings/production.py': 'from .base import *  # noqa: F403\n',
      'shop/wsgi.py': 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")\n',
      'orders/views.py': ['from shop.models import Book', '', '', 'def search(title):', '    return list(Book.objects.raw(f"SELECT * FROM book WHERE title = \'{title}\'"))', ''].join('\n'),
      'orders/templates/orders/checkout.html': '<form method="post" action="/pay/">\n  <button>Pay</button>\n</form>\n',
      'orders/broken.py': Buffer.from([0x41, 0x20, 0x3d, 0x20, 0xff, 0xfe, 0x0a]),
    };
    for (let i = 0; i < 1100; i++) files[`generated/package_${i % 10}/module_${i}.py`] = `VALUE_${i} = ${i}\n\n\ndef describe_${i}():\n    return "module ${i}"\n`;
    return project(files);
  }

  function checkWith(jobs: number, cwd: string, ...args: string[]): Run {
    const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, DJANGO_HARDENER_JOBS: String(jobs) } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test('two workers report exactly what one thread does', () => {
    const root = largeProject();
    const single = checkWith(1, root, 'check', '--format', 'json');
    const pooled = checkWith(2, root, 'check', '--format', 'json');
    assert.deepEqual(pooled, single);
    const codes = (JSON.parse(single.stdout) as { code: string; file: string }[]).map((f) => `${f.code} ${f.file}`);
    for (const expected of ['DJH101 shop/settings/base.py', 'DJH201 orders/views.py', 'DJH301 orders/templates/orders/checkout.html']) {
      assert.ok(codes.includes(expected), `${expected} in ${codes.join(', ')}`);
    }
    assert.match(single.stderr, /^orders\/broken\.py: error: /m);
    assert.equal(single.code, 1);
  });

  test('--fix with two workers writes the same files as with one thread', () => {
    const one = largeProject();
    const two = largeProject();
    const single = checkWith(1, one, 'check', '--fix', '--unsafe-fixes');
    const pooled = checkWith(2, two, 'check', '--fix', '--unsafe-fixes');
    assert.deepEqual(pooled, single);
    for (const file of ['shop/settings/production.py', 'orders/views.py', 'orders/templates/orders/checkout.html']) {
      assert.equal(readFileSync(path.join(two, file), 'utf8'), readFileSync(path.join(one, file), 'utf8'), file);
    }
    assert.match(readFileSync(path.join(two, 'orders/templates/orders/checkout.html'), 'utf8'), /{% csrf_token %}/);
  });
});

describe('dependencies declared above the project root', () => {
  function layout(withRepository: boolean): string {
    const repo = tempDir();
    if (withRepository) mkdirSync(path.join(repo, '.git'));
    writeFileSync(path.join(repo, 'requirements.txt'), 'Django==4.2\ndjango-axes==6.1\n');
    mkdirSync(path.join(repo, 'src', 'shop', 'shop'), { recursive: true });
    writeFileSync(path.join(repo, 'src', 'shop', 'manage.py'), 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n');
    writeFileSync(path.join(repo, 'src', 'shop', 'shop', 'settings.py'), 'DEBUG = False\nINSTALLED_APPS = ["django.contrib.auth"]\n');
    return repo;
  }

  test('requirements at the repository root count for a project in src/', () => {
    const run = cli(layout(true), 'check', 'src/shop', '--select', 'DJH123');
    assert.equal(
      run.stdout,
      'src/shop/shop/settings.py:2:1: info DJH123 [login-not-rate-limited] Logins are not rate-limited: django-axes is declared but not in INSTALLED_APPS. Passwords can be guessed as fast as the server answers.\n\nFound 1 problem.\n',
    );
  });

  test('outside a repository nothing above the project root is read', () => {
    const run = cli(layout(false), 'check', 'src/shop', '--select', 'DJH123');
    assert.match(run.stdout, /add django-axes to the requirements\.\n/);
  });
});
