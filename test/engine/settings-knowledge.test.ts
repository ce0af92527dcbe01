/**
 * What the static reading of settings knows beyond literals: lists and dicts known in part,
 * the project's own environment helpers, django-environ's FileAwareEnv, `getattr` on a
 * configuration module, and django-split-settings' `include()`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EvaluatedModule } from '../../server/src/engine/settings/settings-module';
import { listHolds } from '../../server/src/engine/settings/values';
import { at, evaluateIn, evaluateModule, known, memoryProject, plain } from './memory-project';

const { str, bool, num, none, unknown, list, env, openList } = known;

function settingsOf(module: EvaluatedModule, ...names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, plain(module.settings.get(name)?.value)]));
}

function range(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
  return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}

describe('lists and dicts known in part', () => {
  test('a conditional append keeps every entry ("contains at least")', async () => {
    const module = await evaluateModule(
      [
        'import os',
        'def envbool(name, default):',
        '    return os.getenv(name, default) == "True"',
        'MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]',
        'if FEATURE_FLAG:',
        '    MIDDLEWARE.append("django.middleware.gzip.GZipMiddleware")',
        'INSTALLED_APPS = ["django.contrib.sessions"]',
        'for app in EXTRA_APPS:',
        '    INSTALLED_APPS.append(app)',
        'try:',
        '    import debug_toolbar',
        '    INSTALLED_APPS += ["debug_toolbar"]',
        'except ImportError:',
        '    pass',
      ].join('\n'),
    );
    assert.deepEqual(settingsOf(module, 'MIDDLEWARE', 'INSTALLED_APPS'), {
      MIDDLEWARE: openList(str('django.middleware.security.SecurityMiddleware')),
      INSTALLED_APPS: openList(str('django.contrib.sessions')),
    });
    const middleware = module.settings.get('MIDDLEWARE')!.value;
    assert.equal(listHolds(middleware, 'django.middleware.security.SecurityMiddleware'), true);
    assert.equal(listHolds(middleware, 'django.middleware.csrf.CsrfViewMiddleware'), undefined);
    assert.equal(module.settings.get('MIDDLEWARE')!.definition.kind, 'conditional');
    assert.deepEqual(module.settings.get('MIDDLEWARE')!.definition.statement.range, range(4, 0, 5, 62));
  });

  test('a conditional rebinding to a list holding the old one keeps every entry', async () => {
    const module = await evaluateModule(
      [
        'MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.middleware.clickjacking.XFrameOptionsMiddleware"]',
        'if METRICS_ENABLED:',
        '    MIDDLEWARE = ["metrics.Before", *MIDDLEWARE, "metrics.After"]',
        'APPS = ["a"]',
        'if EXTRA:',
        '    APPS = APPS + ["b"]',
        'FILTERED = ["a", "b"]',
        'if NARROW:',
        '    FILTERED = [m for m in FILTERED if m != "a"]',
        'TUPLED = ["a"]',
        'if FLAG:',
        '    TUPLED = ("x", *OTHER)',
      ].join('\n'),
    );
    assert.deepEqual(settingsOf(module, 'MIDDLEWARE', 'APPS', 'FILTERED', 'TUPLED'), {
      MIDDLEWARE: openList(str('django.middleware.security.SecurityMiddleware'), str('django.middleware.clickjacking.XFrameOptionsMiddleware')),
      APPS: openList(str('a')),
      FILTERED: { kind: 'unknown' },
      TUPLED: { kind: 'unknown' },
    });
  });

  test('a list comprehension over a known list gives the body for each item', async () => {
    const module = await evaluateModule(
      [
        'import os',
        'ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "*").split(",")]',
        'SCHEMES = [s + "://" for s in ["http", "https"]]',
        'FILTERED = [h for h in ["a", "b"] if h != "a"]',
        'NESTED = [a + b for a in ["x"] for b in ["y"]]',
        'OVER_UNKNOWN = [h.strip() for h in HOSTS]',
        `ITEMS = [${Array.from({ length: 900 }, (_, i) => `"${i}"`).join(', ')}]`,
        // Nested, each level would run the one inside once per item: 900 × 900 × 900 bodies.
        'CUBED = [[[c for c in ITEMS] for b in ITEMS] for a in ITEMS]',
      ].join('\n'),
    );
    assert.deepEqual(settingsOf(module, 'ALLOWED_HOSTS', 'SCHEMES', 'FILTERED', 'NESTED', 'OVER_UNKNOWN'), {
      ALLOWED_HOSTS: env('ALLOWED_HOSTS', 'os.environ', list(str('*'))),
      SCHEMES: list(str('http://'), str('https://')),
      FILTERED: unknown,
      NESTED: unknown,
      OVER_UNKNOWN: unknown,
    });
    assert.deepEqual(plain(module.settings.get('CUBED')?.value), unknown);
  });

  test('a condition on an environment read takes the branch production takes with the variable unset', async () => {
    const module = await evaluateModule(
      [
        'import os',
        'MIDDLEWARE = ["a"]',
        'if os.environ.get("USE_GZIP") == "1":',
        '    MIDDLEWARE.append("gzip")',
        'if "SENTRY_DSN" in os.environ:',
        '    MIDDLEWARE.append("sentry")',
        'if "HOME" not in os.environ:',
        '    MIDDLEWARE.append("nohome")',
      ].join('\n'),
    );
    assert.deepEqual(settingsOf(module, 'MIDDLEWARE'), { MIDDLEWARE: list(str('a'), str('nohome')) });
  });

  test('an unknown removal, reordering or rebinding makes the list unknown', async () => {
    const module = await evaluateModule(
      [
        'A = ["x", "y"]',
        'if FLAG:',
        '    A.remove("x")',
        'B = ["x"]',
        'if FLAG:',
        '    B = ["z"]',
        'C = ["x"]',
        'if FLAG:',
        '    C.append("w")',
        '    C.sort()',
        'D = ["x"]',
        'if FLAG:',
        '    del D[0]',
      ].join('\n'),
    );
    assert.deepEqual(settingsOf(module, 'A', 'B', 'C', 'D'), { A: unknown, B: unknown, C: unknown, D: unknown });
  });

  test('a dict entry set under a condition: its value is unknown, the others stay', async () => {
    const module = await evaluateModule(
      [
        'LOGGING = {"version": 1, "loggers": {"django.security": {"handlers": ["console"]}}}',
        'if VERBOSE:',
        '    LOGGING["loggers"]["django.db"] = {"level": "DEBUG"}',
        '    LOGGING["version"] = 2',
        'TEMPLATES = [{"OPTIONS": {"context_processors": ["a"], "autoescape": True}}]',
        'if DEBUG_TOOLBAR:',
        '    TEMPLATES[0]["OPTIONS"]["context_processors"].append("b")',
      ].join('\n'),
    );
    assert.deepEqual(settingsOf(module, 'LOGGING', 'TEMPLATES'), {
      LOGGING: {
        kind: 'dict',
        entries: [
          { key: str('version'), value: unknown },
          {
            key: str('loggers'),
            value: {
              kind: 'dict',
              entries: [{ key: str('django.security'), value: { kind: 'dict', entries: [{ key: str('handlers'), value: list(str('console')) }] } }],
              open: true,
            },
          },
        ],
      },
      TEMPLATES: list({
        kind: 'dict',
        entries: [
          {
            key: str('OPTIONS'),
            value: {
              kind: 'dict',
              entries: [
                { key: str('context_processors'), value: openList(str('a')) },
                { key: str('autoescape'), value: bool(true) },
              ],
            },
          },
        ],
      }),
    });
  });

  test('a nested list changed unconditionally is changed in place', async () => {
    const module = await evaluateModule('TEMPLATES = [{"OPTIONS": {"context_processors": ["a"]}}]\nTEMPLATES[0]["OPTIONS"]["context_processors"].append("b")\n');
    assert.deepEqual(settingsOf(module, 'TEMPLATES'), {
      TEMPLATES: list({ kind: 'dict', entries: [{ key: str('OPTIONS'), value: { kind: 'dict', entries: [{ key: str('context_processors'), value: list(str('a'), str('b')) }] } }] }),
    });
  });

  test('extending with something unknown, and methods on a list known in part', async () => {
    const module = await evaluateModule(
      ['A = ["x"]', 'A.extend(get_more())', 'A.append("y")', 'A.remove("x")', 'B = ["x"]', 'B.insert(position(), "first")', 'C = ["x"]', 'C += get_more()'].join('\n'),
    );
    assert.deepEqual(settingsOf(module, 'A', 'B', 'C'), {
      A: openList(str('y')),
      B: openList(str('x'), str('first')),
      C: openList(str('x')),
    });
    assert.equal(listHolds(module.settings.get('A')!.value, 'x'), undefined);
  });
});

describe("the project's own environment helpers", () => {
  test('a helper comparing a read with "True", with a walrus and overloads (healthchecks)', async () => {
    const module = await evaluateModule(
      [
        'import os',
        'from pathlib import Path',
        'from typing import overload',
        'from django.core.exceptions import ImproperlyConfigured',
        '',
        'def envbool(s: str, default: str) -> bool:',
        '    v = os.getenv(s, default=default)',
        '    if v not in ("", "True", "False"):',
        '        msg = f"Unexpected value {s}={v}"',
        '        raise ImproperlyConfigured(msg)',
        '    return v == "True"',
        '',
        '@overload',
        'def envsecret(s: str) -> str | None: ...',
        '',
        'def envsecret(s: str, default: str | None = None) -> str | None:',
        '    """Reads a secret from a file named by s_FILE, or from the environment."""',
        '    if secret_path := os.getenv(s + "_FILE"):',
        '        return Path(secret_path).read_text().strip()',
        '    return os.getenv(s, default)',
        '',
        'def envint(s: str, default: str) -> int | None:',
        '    v = os.getenv(s, default)',
        '    if v == "None":',
        '        return None',
        '    return int(v)',
        '',
        'SECRET_KEY = envsecret("SECRET_KEY", "---")',
        'DEBUG = envbool("DEBUG", "True")',
        'USE_GZIP = envbool("USE_GZIP_MIDDLEWARE", "False")',
        'PING_BODY_LIMIT = envint("PING_BODY_LIMIT", "10000")',
        'NOTHING = envint("NOTHING", "None")',
        'MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]',
        'if envbool("USE_GZIP_MIDDLEWARE", "False"):',
        '    MIDDLEWARE.append("django.middleware.gzip.GZipMiddleware")',
      ].join('\n'),
    );
    assert.deepEqual(settingsOf(module, 'SECRET_KEY', 'DEBUG', 'USE_GZIP', 'PING_BODY_LIMIT', 'NOTHING', 'MIDDLEWARE'), {
      SECRET_KEY: env('SECRET_KEY', 'os.getenv', str('---')),
      DEBUG: env('DEBUG', 'os.getenv', bool(true)),
      USE_GZIP: env('USE_GZIP_MIDDLEWARE', 'os.getenv', bool(false)),
      PING_BODY_LIMIT: env('PING_BODY_LIMIT', 'os.getenv', num(10000)),
      NOTHING: env('NOTHING', 'os.getenv', none),
      MIDDLEWARE: list(str('django.middleware.security.SecurityMiddleware')),
    });
    // The defaults are where the call writes them, so a fix can change them there.
    const debug = module.settings.get('DEBUG')!.value;
    assert.equal(debug.kind, 'env');
    assert.deepEqual(debug.kind === 'env' && debug.defaultLoc, { file: at('settings.py'), range: range(28, 25, 28, 31) });
  });

  test('a helper returning the default when the variable is unset (saleor)', async () => {
    const module = await evaluateModule(
      [
        'import os',
        'def get_list(text):',
        '    return [item.strip() for item in text.split(",") if item]',
        'def get_bool_from_env(name, default_value):',
        '    value = os.environ.get(name)',
        '    if value is None:',
        '        return default_value',
        '    return value.lower() in ("true", "1")',
        'DEBUG = get_bool_from_env("DEBUG", True)',
        'ENABLE_SSL = get_bool_from_env("ENABLE_SSL", False)',
        'HOSTS = get_list(os.environ.get("ALLOWED_HOSTS", "localhost"))',
      ].join('\n'),
    );
    assert.deepEqual(settingsOf(module, 'DEBUG', 'ENABLE_SSL', 'HOSTS'), {
      DEBUG: env('DEBUG', 'os.environ', bool(true)),
      ENABLE_SSL: env('ENABLE_SSL', 'os.environ', bool(false)),
      HOSTS: unknown,
    });
    const debug = module.settings.get('DEBUG')!.value;
    assert.deepEqual(debug.kind === 'env' && debug.defaultLoc, { file: at('settings.py'), range: range(8, 35, 8, 39) });
  });

  test('helpers imported from a sibling module, calling each other (paperless-ngx)', async () => {
    const module = await evaluateIn(
      {
        'paperless/settings/parsers.py': [
          'import os',
          'def str_to_bool(value: str) -> bool:',
          '    val_lower = value.strip().lower()',
          '    if val_lower in ("true", "1", "t", "y", "yes"):',
          '        return True',
          '    elif val_lower in ("false", "0", "f", "n", "no"):',
          '        return False',
          '    raise ValueError(f"Cannot convert {value}")',
          'def get_bool_from_env(key: str, default: str = "NO") -> bool:',
          '    return str_to_bool(os.getenv(key, default))',
          'def get_int_from_env(key: str, default: int | None = None) -> int | None:',
          '    if key not in os.environ:',
          '        return default',
          '    return int(os.environ[key])',
        ].join('\n'),
        'paperless/settings/__init__.py': [
          'from paperless.settings.parsers import get_bool_from_env',
          'from .parsers import get_int_from_env as int_env',
          'from paperless.settings import parsers',
          'DEBUG = get_bool_from_env("PAPERLESS_DEBUG", "NO")',
          'DEBUG_ON = get_bool_from_env("PAPERLESS_DEBUG_ON", "yes")',
          'DEBUG_DEFAULT = get_bool_from_env("PAPERLESS_DEBUG_DEFAULT")',
          'HSTS = int_env("PAPERLESS_HSTS", 3600)',
          'VIA_MODULE = parsers.get_bool_from_env("PAPERLESS_X", "true")',
          'BAD = get_bool_from_env("PAPERLESS_BAD", "maybe")',
        ].join('\n'),
      },
      'paperless/settings/__init__.py',
    );
    assert.deepEqual(settingsOf(module, 'DEBUG', 'DEBUG_ON', 'DEBUG_DEFAULT', 'HSTS', 'VIA_MODULE', 'BAD'), {
      DEBUG: env('PAPERLESS_DEBUG', 'os.getenv', bool(false)),
      DEBUG_ON: env('PAPERLESS_DEBUG_ON', 'os.getenv', bool(true)),
      DEBUG_DEFAULT: env('PAPERLESS_DEBUG_DEFAULT', 'os.getenv', bool(false)),
      HSTS: env('PAPERLESS_HSTS', 'os.environ', num(3600)),
      VIA_MODULE: env('PAPERLESS_X', 'os.getenv', bool(true)),
      // str_to_bool raises on an unknown word: the variable must be set.
      BAD: env('PAPERLESS_BAD', 'os.getenv', unknown),
    });
  });

  test('what a helper does that cannot be read leaves its calls unknown', async () => {
    const module = await evaluateModule(
      [
        'import os',
        'def looped(name):',
        '    for part in name.split("_"):',
        '        pass',
        '    return os.getenv(name)',
        'def caught(name):',
        '    try:',
        '        return os.environ[name]',
        '    except KeyError:',
        '        return "fallback"',
        'def deep(name):',
        '    return deep(name)',
        'def starred(*names):',
        '    return os.getenv(names[0])',
        'A = looped("A")',
        'B = caught("B")',
        'C = deep("C")',
        'D = starred("D")',
        'E = looped()',
      ].join('\n'),
    );
    assert.deepEqual(settingsOf(module, 'A', 'B', 'C', 'D', 'E'), { A: unknown, B: unknown, C: unknown, D: unknown, E: unknown });
  });
});

describe('django-environ, getattr and module attributes', () => {
  test('environ.FileAwareEnv reads like environ.Env', async () => {
    const module = await evaluateModule(
      'import environ\nenv = environ.FileAwareEnv(DD_DEBUG=(bool, False), DD_HOSTS=(list, ["*"]))\nDEBUG = env("DD_DEBUG")\nALLOWED_HOSTS = env.list("DD_HOSTS", default=["*"])\n',
    );
    assert.deepEqual(settingsOf(module, 'DEBUG', 'ALLOWED_HOSTS'), {
      DEBUG: env('DD_DEBUG', 'environ', bool(false)),
      ALLOWED_HOSTS: env('DD_HOSTS', 'environ', list(str('*'))),
    });
  });

  test('getattr on a configuration module of the project, and attributes of an imported module', async () => {
    const module = await evaluateIn(
      {
        'netbox/configuration.py': 'ALLOWED_HOSTS = ["netbox.example.com"]\nSECRET_KEY = "x" * 50\n',
        'netbox/base.py': 'DEBUG = True\n',
        'netbox/settings.py': [
          'from netbox import configuration',
          'from . import base',
          'import importlib',
          'dynamic = importlib.import_module("netbox.configuration")',
          'ALLOWED_HOSTS = getattr(configuration, "ALLOWED_HOSTS")',
          'CSRF_COOKIE_SECURE = getattr(configuration, "CSRF_COOKIE_SECURE", False)',
          'SESSION_COOKIE_SECURE = getattr(dynamic, "SESSION_COOKIE_SECURE", False)',
          'DEBUG = base.DEBUG',
          'MISSING = base.MISSING',
        ].join('\n'),
      },
      'netbox/settings.py',
    );
    assert.deepEqual(settingsOf(module, 'ALLOWED_HOSTS', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_SECURE', 'DEBUG', 'MISSING'), {
      ALLOWED_HOSTS: list(str('netbox.example.com')),
      CSRF_COOKIE_SECURE: bool(false),
      SESSION_COOKIE_SECURE: unknown,
      DEBUG: bool(true),
      MISSING: unknown,
    });
  });
});

describe('django-split-settings include()', () => {
  const files = {
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n',
    'shop/settings/__init__.py': [
      'from split_settings.tools import include, optional',
      '',
      'ENV = "production"',
      'base = ["components/common.py"]',
      'include(',
      '    *base,',
      '    "components/*.py",',
      '    optional("environments/%s.py" % ENV),',
      '    optional("local_settings.py"),',
      ')',
    ].join('\n'),
    'shop/settings/components/common.py': 'DEBUG = True\nMIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]\n',
    'shop/settings/components/security.py': 'MIDDLEWARE += ["django.middleware.csrf.CsrfViewMiddleware"]\nSESSION_COOKIE_SECURE = DEBUG is False\n',
    'shop/settings/components/apps.py': 'INSTALLED_APPS = ["django.contrib.sessions"]\n',
    'shop/settings/environments/production.py': 'DEBUG = False\n',
  };

  test('components run in order, in the including module, located in their own files', async () => {
    const module = await evaluateIn(files, 'shop/settings/__init__.py');
    assert.equal(module.incomplete, false);
    assert.deepEqual(settingsOf(module, 'DEBUG', 'MIDDLEWARE', 'SESSION_COOKIE_SECURE', 'INSTALLED_APPS'), {
      DEBUG: bool(false),
      MIDDLEWARE: list(str('django.middleware.security.SecurityMiddleware'), str('django.middleware.csrf.CsrfViewMiddleware')),
      SESSION_COOKIE_SECURE: bool(false),
      INSTALLED_APPS: list(str('django.contrib.sessions')),
    });
    assert.deepEqual(module.starImports, [
      at('shop/settings/components/common.py'),
      at('shop/settings/components/apps.py'),
      at('shop/settings/components/security.py'),
      at('shop/settings/environments/production.py'),
    ]);
    assert.deepEqual([...module.included], module.starImports);
    const middleware = module.settings.get('MIDDLEWARE')!;
    assert.deepEqual(
      middleware.history.map((d) => [d.statement.file, d.statement.range.start.line, d.kind]),
      [
        [at('shop/settings/components/common.py'), 1, 'assign'],
        [at('shop/settings/components/security.py'), 0, 'mutate'],
      ],
    );
    assert.deepEqual(module.starImportSites.get(at('shop/settings/components/common.py')), { file: at('shop/settings/__init__.py'), range: range(4, 0, 9, 1) });
  });

  test('a required file that is missing leaves the module incomplete; an optional one does not', async () => {
    const missing = await evaluateIn({ ...files, 'shop/settings/__init__.py': 'from split_settings.tools import include\ninclude("components/nothing.py")\n' }, 'shop/settings/__init__.py');
    assert.equal(missing.incomplete, true);
    assert.equal(missing.incompleteReason, 'it includes components/nothing.py, which matches no file');
    const optional = await evaluateIn(
      { ...files, 'shop/settings/__init__.py': 'from split_settings.tools import include, optional\ninclude(optional("nothing/*.py"))\nDEBUG = False\n' },
      'shop/settings/__init__.py',
    );
    assert.equal(optional.incomplete, false);
    const unreadable = await evaluateIn({ ...files, 'shop/settings/__init__.py': 'from split_settings.tools import include\ninclude(pattern())\n' }, 'shop/settings/__init__.py');
    assert.equal(unreadable.incomplete, true);
    assert.equal(unreadable.incompleteReason, 'it includes files whose names cannot be read statically (`include(pattern())`)');
  });

  test('a list of components built under a condition on the environment is read as production reads it', async () => {
    const module = await evaluateIn(
      {
        ...files,
        'shop/settings/__init__.py': [
          'import os',
          'from split_settings.tools import include',
          'parts = ["components/common.py"]',
          'if os.environ.get("GITHUB_CI", "") and bool(os.environ["GITHUB_CI"]):',
          '    parts.append("components/apps.py")',
          'else:',
          '    parts.append("components/security.py")',
          'include(*parts)',
          '',
        ].join('\n'),
      },
      'shop/settings/__init__.py',
    );
    assert.equal(module.incomplete, false);
    assert.deepEqual(module.starImports, [at('shop/settings/components/common.py'), at('shop/settings/components/security.py')]);
  });

  test('roles: the included components are base, judged through the including module', async () => {
    const project = await memoryProject(files);
    assert.deepEqual(
      project.settingsModules().map((m) => [project.relative(m.file), m.role, m.reason]),
      [
        ['shop/settings/__init__.py', 'production', 'the module manage.py runs, and no other module is production'],
        ['shop/settings/components/apps.py', 'base', 'only reached from shop/settings/__init__.py'],
        ['shop/settings/components/common.py', 'base', 'only reached from shop/settings/__init__.py'],
        ['shop/settings/components/security.py', 'base', 'only reached from shop/settings/__init__.py'],
        ['shop/settings/environments/production.py', 'base', 'only reached from shop/settings/__init__.py'],
      ],
    );
    assert.deepEqual(project.settingsModule(at('shop/settings/components/apps.py'))?.reasons, ['included by shop/settings/__init__.py', 'only reached from shop/settings/__init__.py']);
  });
});
