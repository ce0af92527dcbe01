/**
 * The Django oracle. Settings variants built from what `startproject` writes go through
 * Django's own `manage.py check --deploy` and through our settings rules; for every Django
 * check id that a rule mirrors, both must report it on exactly the same variants. Then the
 * CLI's `harden --write` must turn a fresh project, and the example project, into ones
 * Django has no security warning about. Needs Debian's python3-django at /usr/bin/python3:
 * without it the tests skip, or fail when CI is set. KEEP_ORACLE_TMP=1 keeps the projects.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { analyzeProjectSettings } from '../server/src/engine/analyze';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import type { Finding } from '../server/src/engine/types';
import {
  append,
  applyEdits,
  assign,
  checksRan,
  djangoSecurityIds,
  drop,
  findDjango,
  importOs,
  manageCheck,
  mapLimit,
  removeItem,
  replaceText,
  run,
  runserverGet,
  startProject,
  type CheckRun,
  type DjangoInstall,
  type SettingsEdit,
} from './support/django';
import { listFiles, REPO_ROOT } from './support/fixtures';
import { openProject } from './support/project';

// ---------------------------------------------------------------------------------------
// Variants

/** A fixed key Django accepts: 50+ characters, many distinct, no `django-insecure-` prefix. */
const STRONG_KEY = 'q8Vn2rT5wXz7bK4mP9sL3dF6hJ1gC0yA-eU_iO8tR2nB5vM7xZ4';
const SECURITY = 'django.middleware.security.SecurityMiddleware';
const SESSION_MW = 'django.contrib.sessions.middleware.SessionMiddleware';
const CSRF_MW = 'django.middleware.csrf.CsrfViewMiddleware';
const XFRAME_MW = 'django.middleware.clickjacking.XFrameOptionsMiddleware';
const SESSIONS_APP = 'django.contrib.sessions';

interface Variant {
  name: string;
  /**
   * `single`: edits of the generated settings.py. `split`: settings/base.py, production.py,
   * dev.py. `components`: django-split-settings, settings/__init__.py including
   * components/base.py (the generated settings), components/*.py and an optional local file.
   */
  layout: 'single' | 'split' | 'components';
  /** A requirements.txt declaring the Django the project runs (what the engine checks it as). */
  requirements?: string;
  /** Edits of the generated settings text (settings.py, or base.py when split). */
  edits?: SettingsEdit[];
  /** Lines of settings/production.py after its `from .base import *`; with `components`, of components/security.py. */
  production?: string[];
  /** The only environment variables the settings see. */
  env?: Record<string, string>;
  /** The security ids Django 3.2 reports (without `security.`): proof the variant tests what it is named for. */
  django: string[];
}

const HTTPS_BLOCK = [
  'SECURE_SSL_REDIRECT = True',
  'SESSION_COOKIE_SECURE = True',
  'CSRF_COOKIE_SECURE = True',
  'SECURE_HSTS_SECONDS = 31536000',
  'SECURE_HSTS_INCLUDE_SUBDOMAINS = True',
  'SECURE_HSTS_PRELOAD = True',
];

/** startproject's settings with every deploy check passing (the key comes from the environment). */
const HARDENED: SettingsEdit[] = [importOs, assign('SECRET_KEY', "os.environ['DJANGO_SECRET_KEY']"), assign('DEBUG', 'False'), assign('ALLOWED_HOSTS', "['example.com']"), append(...HTTPS_BLOCK)];
const KEY_ENV = { DJANGO_SECRET_KEY: STRONG_KEY };
const hardened = (...more: SettingsEdit[]) => ({ edits: [...HARDENED, ...more], env: KEY_ENV });

const STARTPROJECT = ['W004', 'W008', 'W009', 'W012', 'W016', 'W018', 'W020'];

const VARIANTS: Variant[] = [
  // The template itself, and the template with every deploy check passing.
  { name: 'startproject', layout: 'single', django: STARTPROJECT },
  { name: 'hardened', layout: 'single', ...hardened(), django: [] },

  // DEBUG
  { name: 'debug-false', layout: 'single', edits: [assign('DEBUG', 'False')], django: ['W004', 'W008', 'W009', 'W012', 'W016', 'W020'] },
  { name: 'debug-env-default-true', layout: 'single', ...hardened(assign('DEBUG', "os.environ.get('DJANGO_DEBUG', 'True') == 'True'")), django: ['W018'] },
  { name: 'debug-env-default-false', layout: 'single', ...hardened(assign('DEBUG', "os.getenv('DJANGO_DEBUG', 'false').lower() in ('1', 'true', 'yes')")), django: [] },
  { name: 'debug-env-bool-cast-default-on', layout: 'single', ...hardened(assign('DEBUG', "bool(int(os.environ.get('DJANGO_DEBUG', '1')))")), django: ['W018'] },
  {
    name: 'debug-env-required',
    layout: 'single',
    edits: [...HARDENED, assign('DEBUG', "os.environ['DJANGO_DEBUG'] == 'True'")],
    env: { ...KEY_ENV, DJANGO_DEBUG: 'False' },
    django: [],
  },

  { name: 'debug-string-false', layout: 'single', ...hardened(assign('DEBUG', "'False'")), django: ['W018'] },
  { name: 'debug-env-no-default', layout: 'single', ...hardened(assign('DEBUG', "os.environ.get('DJANGO_DEBUG') == 'True'")), django: [] },
  { name: 'debug-annotated', layout: 'single', ...hardened(append('DEBUG: bool = True')), django: ['W018'] },

  // SECRET_KEY (W009: under 50 characters, under 5 distinct ones, or the django-insecure- prefix)
  { name: 'secret-key-strong-literal', layout: 'single', ...hardened(assign('SECRET_KEY', `'${STRONG_KEY}'`)), django: [] },
  { name: 'secret-key-short', layout: 'single', ...hardened(assign('SECRET_KEY', "'changeme'")), django: ['W009'] },
  { name: 'secret-key-49-characters', layout: 'single', ...hardened(assign('SECRET_KEY', `'${STRONG_KEY.slice(0, 49)}'`)), django: ['W009'] },
  { name: 'secret-key-50-characters', layout: 'single', ...hardened(assign('SECRET_KEY', `'${STRONG_KEY.slice(0, 50)}'`)), django: [] },
  { name: 'secret-key-4-distinct', layout: 'single', ...hardened(assign('SECRET_KEY', `'${'abcd'.repeat(15)}'`)), django: ['W009'] },
  { name: 'secret-key-5-distinct', layout: 'single', ...hardened(assign('SECRET_KEY', `'${'abcde'.repeat(12)}'`)), django: [] },
  { name: 'secret-key-insecure-prefix-long', layout: 'single', ...hardened(assign('SECRET_KEY', `'django-insecure-' + '${STRONG_KEY}'`)), django: ['W009'] },
  { name: 'secret-key-env-insecure-default', layout: 'single', ...hardened(assign('SECRET_KEY', "os.environ.get('DJANGO_SECRET_KEY', 'django-insecure-dev-only')")), env: {}, django: ['W009'] },
  { name: 'secret-key-env-strong-default', layout: 'single', ...hardened(assign('SECRET_KEY', `os.getenv('DJANGO_SECRET_KEY', '${STRONG_KEY}')`)), env: {}, django: [] },

  // ALLOWED_HOSTS (W020: empty)
  { name: 'allowed-hosts-set', layout: 'single', edits: [assign('ALLOWED_HOSTS', "['example.com']")], django: ['W004', 'W008', 'W009', 'W012', 'W016', 'W018'] },
  { name: 'allowed-hosts-empty', layout: 'single', ...hardened(assign('ALLOWED_HOSTS', '[]')), django: ['W020'] },
  { name: 'allowed-hosts-empty-tuple', layout: 'single', ...hardened(assign('ALLOWED_HOSTS', '()')), django: ['W020'] },
  { name: 'allowed-hosts-wildcard', layout: 'single', ...hardened(assign('ALLOWED_HOSTS', "['*']")), django: [] },
  { name: 'allowed-hosts-env-split-empty-default', layout: 'single', ...hardened(assign('ALLOWED_HOSTS', "os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')")), django: [] },
  {
    name: 'allowed-hosts-env-required',
    layout: 'single',
    edits: [...HARDENED, assign('ALLOWED_HOSTS', "os.environ['DJANGO_ALLOWED_HOSTS'].split(',')")],
    env: { ...KEY_ENV, DJANGO_ALLOWED_HOSTS: 'example.com,www.example.com' },
    django: [],
  },

  // HTTPS and cookies
  { name: 'ssl-redirect-missing', layout: 'single', ...hardened(drop('SECURE_SSL_REDIRECT')), django: ['W008'] },
  { name: 'ssl-redirect-truthy-not-true', layout: 'single', ...hardened(assign('SECURE_SSL_REDIRECT', '1')), django: ['W008'] },
  { name: 'session-cookie-secure-missing', layout: 'single', ...hardened(drop('SESSION_COOKIE_SECURE')), django: ['W012'] },
  { name: 'session-cookie-secure-truthy', layout: 'single', ...hardened(assign('SESSION_COOKIE_SECURE', "'yes'")), django: [] },
  { name: 'session-cookie-secure-no-sessions-app', layout: 'single', ...hardened(drop('SESSION_COOKIE_SECURE'), removeItem('INSTALLED_APPS', SESSIONS_APP)), django: ['W011'] },
  { name: 'session-cookie-secure-no-session-middleware', layout: 'single', ...hardened(drop('SESSION_COOKIE_SECURE'), removeItem('MIDDLEWARE', SESSION_MW)), django: ['W010'] },
  {
    name: 'session-cookie-secure-no-sessions-at-all',
    layout: 'single',
    ...hardened(drop('SESSION_COOKIE_SECURE'), removeItem('MIDDLEWARE', SESSION_MW), removeItem('INSTALLED_APPS', SESSIONS_APP)),
    django: [],
  },
  { name: 'csrf-cookie-secure-missing', layout: 'single', ...hardened(drop('CSRF_COOKIE_SECURE')), django: ['W016'] },
  { name: 'csrf-use-sessions', layout: 'single', ...hardened(drop('CSRF_COOKIE_SECURE'), append('CSRF_USE_SESSIONS = True')), django: [] },
  { name: 'csrf-middleware-removed', layout: 'single', ...hardened(drop('CSRF_COOKIE_SECURE'), removeItem('MIDDLEWARE', CSRF_MW)), django: ['W003'] },
  { name: 'hsts-missing', layout: 'single', ...hardened(drop('SECURE_HSTS_SECONDS')), django: ['W004'] },
  { name: 'hsts-zero', layout: 'single', ...hardened(assign('SECURE_HSTS_SECONDS', '0')), django: ['W004'] },
  { name: 'hsts-without-subdomains-and-preload', layout: 'single', ...hardened(drop('SECURE_HSTS_INCLUDE_SUBDOMAINS'), drop('SECURE_HSTS_PRELOAD')), django: ['W005', 'W021'] },
  { name: 'hsts-subdomains-truthy-not-true', layout: 'single', ...hardened(assign('SECURE_HSTS_INCLUDE_SUBDOMAINS', '1')), django: ['W005'] },
  { name: 'hsts-preload-false', layout: 'single', ...hardened(assign('SECURE_HSTS_PRELOAD', 'False')), django: ['W021'] },
  { name: 'hsts-seconds-env-default-zero', layout: 'single', ...hardened(assign('SECURE_HSTS_SECONDS', "int(os.environ.get('DJANGO_HSTS_SECONDS', '0'))")), django: ['W004'] },

  { name: 'hsts-seconds-arithmetic', layout: 'single', ...hardened(assign('SECURE_HSTS_SECONDS', '60 * 60 * 24 * 365')), django: [] },
  { name: 'chained-assignment', layout: 'single', ...hardened(drop('SESSION_COOKIE_SECURE'), drop('CSRF_COOKIE_SECURE'), append('SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True')), django: [] },
  { name: 'value-through-a-name', layout: 'single', ...hardened(drop('SECURE_SSL_REDIRECT'), append('HTTPS_ONLY = True', 'SECURE_SSL_REDIRECT = HTTPS_ONLY')), django: [] },
  {
    name: 'conditional-on-env-default-on',
    layout: 'single',
    ...hardened(drop('SECURE_SSL_REDIRECT'), append("if os.environ.get('DJANGO_HTTPS', 'on') == 'on':", '    SECURE_SSL_REDIRECT = True')),
    django: [],
  },
  {
    name: 'conditional-on-env-default-off',
    layout: 'single',
    ...hardened(drop('SECURE_SSL_REDIRECT'), append("if os.environ.get('DJANGO_HTTPS', 'off') == 'on':", '    SECURE_SSL_REDIRECT = True')),
    django: ['W008'],
  },

  // Headers
  { name: 'nosniff-false', layout: 'single', ...hardened(append('SECURE_CONTENT_TYPE_NOSNIFF = False')), django: ['W006'] },
  { name: 'x-frame-options-sameorigin', layout: 'single', ...hardened(append("X_FRAME_OPTIONS = 'SAMEORIGIN'")), django: ['W019'] },
  { name: 'x-frame-options-lowercase-deny', layout: 'single', ...hardened(append("X_FRAME_OPTIONS = 'deny'")), django: ['W019'] },
  { name: 'x-frame-middleware-removed', layout: 'single', ...hardened(append("X_FRAME_OPTIONS = 'SAMEORIGIN'"), removeItem('MIDDLEWARE', XFRAME_MW)), django: ['W002'] },
  { name: 'session-cookie-httponly-false', layout: 'single', ...hardened(append('SESSION_COOKIE_HTTPONLY = False')), django: ['W015'] },
  { name: 'session-cookie-httponly-false-no-sessions-app', layout: 'single', ...hardened(append('SESSION_COOKIE_HTTPONLY = False'), removeItem('INSTALLED_APPS', SESSIONS_APP)), django: ['W014'] },
  { name: 'session-cookie-httponly-false-no-session-middleware', layout: 'single', ...hardened(append('SESSION_COOKIE_HTTPONLY = False'), removeItem('MIDDLEWARE', SESSION_MW)), django: ['W013'] },
  { name: 'referrer-policy-none', layout: 'single', ...hardened(append('SECURE_REFERRER_POLICY = None')), django: ['W022'] },
  { name: 'referrer-policy-invalid', layout: 'single', ...hardened(append("SECURE_REFERRER_POLICY = 'no-referrer, bogus'")), django: ['E023'] },
  { name: 'referrer-policy-invalid-tuple', layout: 'single', ...hardened(append("SECURE_REFERRER_POLICY = ('same-origin', 'nope')")), django: ['E023'] },
  { name: 'referrer-policy-valid-fallbacks', layout: 'single', ...hardened(append("SECURE_REFERRER_POLICY = 'same-origin, strict-origin-when-cross-origin'")), django: [] },
  { name: 'x-frame-options-env-default', layout: 'single', ...hardened(append("X_FRAME_OPTIONS = os.environ.get('DJANGO_X_FRAME_OPTIONS', 'SAMEORIGIN')")), django: ['W019'] },
  { name: 'referrer-policy-valid-leaky', layout: 'single', ...hardened(append("SECURE_REFERRER_POLICY = 'unsafe-url'")), django: [] },
  { name: 'referrer-policy-valid-list', layout: 'single', ...hardened(append("SECURE_REFERRER_POLICY = ['origin', 'strict-origin']")), django: [] },

  // Middleware, also changed by statements after the list
  {
    name: 'security-middleware-removed',
    layout: 'single',
    ...hardened(removeItem('MIDDLEWARE', SECURITY), drop('SECURE_SSL_REDIRECT'), drop('SECURE_HSTS_SECONDS'), append('SECURE_REFERRER_POLICY = None', 'SECURE_CONTENT_TYPE_NOSNIFF = False')),
    django: ['W001'],
  },
  { name: 'middleware-remove-call', layout: 'single', ...hardened(append(`MIDDLEWARE.remove('${SECURITY}')`)), django: ['W001'] },
  { name: 'middleware-insert-call', layout: 'single', ...hardened(removeItem('MIDDLEWARE', SECURITY), append(`MIDDLEWARE.insert(0, '${SECURITY}')`)), django: [] },
  { name: 'middleware-append-call', layout: 'single', ...hardened(drop('CSRF_COOKIE_SECURE'), removeItem('MIDDLEWARE', CSRF_MW), append(`MIDDLEWARE.append('${CSRF_MW}')`)), django: ['W016'] },
  {
    name: 'middleware-augmented-assignment',
    layout: 'single',
    ...hardened(removeItem('MIDDLEWARE', XFRAME_MW), append("X_FRAME_OPTIONS = 'SAMEORIGIN'", `MIDDLEWARE += ['${XFRAME_MW}']`)),
    django: ['W019'],
  },
  { name: 'installed-apps-remove-call', layout: 'single', ...hardened(drop('SESSION_COOKIE_SECURE'), append(`INSTALLED_APPS.remove('${SESSIONS_APP}')`)), django: ['W011'] },

  // SILENCED_SYSTEM_CHECKS
  { name: 'silenced', layout: 'single', edits: [append("SILENCED_SYSTEM_CHECKS = ['security.W018', 'security.W009', 'security.W004']")], django: ['W008', 'W012', 'W016', 'W020'] },
  {
    name: 'silenced-built-up',
    layout: 'single',
    edits: [append('SILENCED_SYSTEM_CHECKS = []', "SILENCED_SYSTEM_CHECKS.append('security.W020')", "SILENCED_SYSTEM_CHECKS += ['security.W012']")],
    django: ['W004', 'W008', 'W009', 'W016', 'W018'],
  },

  // Split settings: base.py is the template, production.py star-imports it and overrides.
  { name: 'no-overrides', layout: 'split', production: [], django: STARTPROJECT },
  { name: 'overrides-debug-and-hosts', layout: 'split', production: ['DEBUG = False', "ALLOWED_HOSTS = ['shop.example.com']"], django: ['W004', 'W008', 'W009', 'W012', 'W016'] },
  {
    name: 'production-hardens-everything',
    layout: 'split',
    production: ['import os', '', "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']", 'DEBUG = False', "ALLOWED_HOSTS = ['shop.example.com']", ...HTTPS_BLOCK],
    env: KEY_ENV,
    django: [],
  },
  { name: 'production-weakens-cookies', layout: 'split', ...hardened(), production: ['SESSION_COOKIE_SECURE = False', 'SECURE_HSTS_PRELOAD = False'], django: ['W012', 'W021'] },
  { name: 'production-removes-xframe-middleware', layout: 'split', ...hardened(), production: [`MIDDLEWARE.remove('${XFRAME_MW}')`], django: ['W002'] },
  { name: 'production-inserts-security-middleware', layout: 'split', ...hardened(removeItem('MIDDLEWARE', SECURITY)), production: [`MIDDLEWARE.insert(0, '${SECURITY}')`], django: [] },
  {
    name: 'production-extends-middleware',
    layout: 'split',
    ...hardened(removeItem('MIDDLEWARE', CSRF_MW), drop('CSRF_COOKIE_SECURE')),
    production: [`MIDDLEWARE += ['${CSRF_MW}']`],
    django: ['W016'],
  },
  { name: 'debug-env-default-true-in-base', layout: 'split', ...hardened(assign('DEBUG', "os.environ.get('DJANGO_DEBUG', 'True') == 'True'")), production: [], django: ['W018'] },
  { name: 'debug-env-default-true-overridden', layout: 'split', ...hardened(assign('DEBUG', "os.environ.get('DJANGO_DEBUG', 'True') == 'True'")), production: ['DEBUG = False'], django: [] },
  {
    name: 'weak-key-in-base-overridden',
    layout: 'split',
    edits: [...HARDENED, assign('SECRET_KEY', "'django-insecure-only-for-local-work'")],
    production: ['import os', '', "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']"],
    env: KEY_ENV,
    django: [],
  },
  { name: 'strong-key-in-base-weak-in-production', layout: 'split', ...hardened(), production: ["SECRET_KEY = 'short'"], django: ['W009'] },
  { name: 'silenced-in-production', layout: 'split', production: ["SILENCED_SYSTEM_CHECKS = ['security.W004', 'security.W008']"], django: ['W009', 'W012', 'W016', 'W018', 'W020'] },
  { name: 'silenced-in-base', layout: 'split', edits: [append("SILENCED_SYSTEM_CHECKS = ['security.W018']")], production: [], django: ['W004', 'W008', 'W009', 'W012', 'W016', 'W020'] },
  { name: 'referrer-policy-none-in-production', layout: 'split', ...hardened(), production: ['SECURE_REFERRER_POLICY = None'], django: ['W022'] },
  { name: 'sessions-app-removed-in-production', layout: 'split', ...hardened(drop('SESSION_COOKIE_SECURE')), production: [`INSTALLED_APPS.remove('${SESSIONS_APP}')`], django: ['W011'] },
  { name: 'x-frame-options-overridden', layout: 'split', ...hardened(append("X_FRAME_OPTIONS = 'SAMEORIGIN'")), production: ["X_FRAME_OPTIONS = 'DENY'"], django: [] },
  { name: 'csrf-use-sessions-in-production', layout: 'split', ...hardened(drop('CSRF_COOKIE_SECURE')), production: ['CSRF_USE_SESSIONS = True'], django: [] },
  {
    name: 'hsts-env-default-zero-in-production',
    layout: 'split',
    ...hardened(),
    production: ['import os', '', "SECURE_HSTS_SECONDS = int(os.environ.get('DJANGO_HSTS_SECONDS', '0'))"],
    django: ['W004'],
  },
  { name: 'nosniff-false-in-base', layout: 'split', ...hardened(append('SECURE_CONTENT_TYPE_NOSNIFF = False')), production: [], django: ['W006'] },
  { name: 'production-deletes-setting', layout: 'split', ...hardened(), production: ['del SECURE_SSL_REDIRECT'], django: ['W008'] },
  { name: 'production-empties-hosts', layout: 'split', ...hardened(), production: ['ALLOWED_HOSTS = []'], django: ['W020'] },
  {
    name: 'production-optional-local-import',
    layout: 'split',
    ...hardened(),
    production: ["SECURE_REFERRER_POLICY = 'strict-origin'", '', 'try:', '    from .local import *  # noqa: F401,F403', 'except ImportError:', '    pass'],
    django: [],
  },
  // django-split-settings: components run in the including module, in order (see SPLIT_SETTINGS_SHIM).
  { name: 'components-no-overrides', layout: 'components', production: [], django: STARTPROJECT },
  {
    name: 'components-hardened',
    layout: 'components',
    production: ['import os', '', "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']", 'DEBUG = False', "ALLOWED_HOSTS = ['shop.example.com']", ...HTTPS_BLOCK],
    env: KEY_ENV,
    django: [],
  },
  {
    name: 'components-extend-middleware',
    layout: 'components',
    ...hardened(removeItem('MIDDLEWARE', CSRF_MW), drop('CSRF_COOKIE_SECURE')),
    production: [`MIDDLEWARE += ['${CSRF_MW}']`],
    django: ['W016'],
  },
  {
    name: 'components-hsts-env-default-zero',
    layout: 'components',
    ...hardened(),
    production: ['import os', '', "SECURE_HSTS_SECONDS = int(os.environ.get('DJANGO_HSTS_SECONDS', '0'))"],
    django: ['W004'],
  },

  // MIDDLEWARE_CLASSES: Django 3.2 reads MIDDLEWARE only. A project declaring it runs with no
  // middleware at all, and the engine judges it so; one declaring Django before 1.10 (or none)
  // is judged through MIDDLEWARE_CLASSES, which this Django cannot confirm (see docs/settings-model.md).
  {
    name: 'middleware-classes-on-django-3-2',
    layout: 'single',
    requirements: 'Django==3.2.25\n',
    ...hardened(replaceText('\nMIDDLEWARE = [', '\nMIDDLEWARE_CLASSES = [')),
    django: ['W001', 'W002', 'W003'],
  },
  {
    name: 'middleware-classes-beside-middleware',
    layout: 'single',
    requirements: 'Django==3.2.25\n',
    ...hardened(append("MIDDLEWARE_CLASSES = ['django.middleware.common.CommonMiddleware']")),
    django: [],
  },

  {
    name: 'production-prepends-middleware',
    layout: 'split',
    ...hardened(removeItem('MIDDLEWARE', SECURITY)),
    production: [`MIDDLEWARE = ['${SECURITY}'] + MIDDLEWARE`],
    django: [],
  },
  { name: 'httponly-false-in-production', layout: 'split', ...hardened(), production: ['SESSION_COOKIE_HTTPONLY = False'], django: ['W015'] },
];

// ---------------------------------------------------------------------------------------
// Materialising a variant

const PROJECT = 'proj';

/** Writes the variant into `dir` (a copy of a fresh startproject); returns its production module. */
function materialise(variant: Variant, template: string, dir: string): { settingsModule: string; productionFile: string } {
  cpSync(template, dir, { recursive: true });
  if (variant.requirements) writeFileSync(path.join(dir, 'requirements.txt'), variant.requirements);
  const generated = readFileSync(path.join(dir, PROJECT, 'settings.py'), 'utf8');
  const settings = applyEdits(generated, variant.edits ?? []);
  if (variant.layout === 'components') {
    const pkg = path.join(dir, PROJECT, 'settings');
    rmSync(path.join(dir, PROJECT, 'settings.py'));
    mkdirSync(path.join(pkg, 'components'), { recursive: true });
    writeFileSync(
      path.join(pkg, '__init__.py'),
      ['from split_settings.tools import include, optional', '', "include('components/base.py', 'components/*.py', optional('local_settings.py'))", ''].join('\n'),
    );
    writeFileSync(path.join(pkg, 'components', 'base.py'), settings);
    writeFileSync(path.join(pkg, 'components', 'security.py'), [...(variant.production ?? []), ''].join('\n'));
    // manage.py, wsgi.py and asgi.py name PROJECT.settings, now the package.
    return { settingsModule: `${PROJECT}.settings`, productionFile: path.join(pkg, '__init__.py') };
  }
  if (variant.layout === 'single') {
    writeFileSync(path.join(dir, PROJECT, 'settings.py'), settings);
    return { settingsModule: `${PROJECT}.settings`, productionFile: path.join(dir, PROJECT, 'settings.py') };
  }
  const pkg = path.join(dir, PROJECT, 'settings');
  rmSync(path.join(dir, PROJECT, 'settings.py'));
  mkdirSync(pkg);
  writeFileSync(path.join(pkg, '__init__.py'), '');
  // One level deeper than the template's settings.py.
  writeFileSync(path.join(pkg, 'base.py'), replaceText('.resolve().parent.parent', '.resolve().parent.parent.parent')(settings));
  writeFileSync(path.join(pkg, 'production.py'), ['from .base import *  # noqa: F401,F403', '', ...(variant.production ?? [])].join('\n') + '\n');
  writeFileSync(path.join(pkg, 'dev.py'), ['from .base import *  # noqa: F401,F403', '', 'DEBUG = True', "ALLOWED_HOSTS = ['localhost', '127.0.0.1']", "SECRET_KEY = 'dev'"].join('\n') + '\n');
  // As in most split projects: manage.py defaults to development, the servers to production.
  pointAt(path.join(dir, 'manage.py'), `${PROJECT}.settings.dev`);
  for (const server of ['wsgi.py', 'asgi.py']) pointAt(path.join(dir, PROJECT, server), `${PROJECT}.settings.production`);
  return { settingsModule: `${PROJECT}.settings.production`, productionFile: path.join(pkg, 'production.py') };
}

/**
 * What django-split-settings' include() and optional() do, as far as the oracle needs: each
 * pattern, relative to the including file, matched with glob in sorted order, run in the
 * caller's namespace; a required pattern that matches nothing is an error. Written for these
 * tests, so Debian's Django can load split settings without the package.
 */
const SPLIT_SETTINGS_SHIM = `import glob
import inspect
import os


class _Optional(str):
    pass


def optional(filename):
    return _Optional(filename)


def include(*patterns, scope=None):
    if scope is None:
        scope = inspect.stack()[1][0].f_globals
    base = os.path.dirname(scope.get("__included_file__", scope["__file__"]))
    done = scope.setdefault("__included_files__", [])
    for pattern in patterns:
        matched = sorted(glob.glob(os.path.join(base, pattern)))
        if not matched and not isinstance(pattern, _Optional):
            raise OSError("No such file: " + pattern)
        for path in matched:
            path = os.path.abspath(path)
            if path in done:
                continue
            done.append(path)
            saved = scope.get("__included_file__")
            scope["__included_file__"] = path
            with open(path, "rb") as source:
                exec(compile(source.read(), path, "exec"), scope)
            if saved is None:
                scope.pop("__included_file__", None)
            else:
                scope["__included_file__"] = saved
`;

function pointAt(file: string, dotted: string): void {
  const text = readFileSync(file, 'utf8');
  const updated = text.replace(new RegExp(`(['"])${PROJECT}\\.settings\\1`), `$1${dotted}$1`);
  assert.notEqual(updated, text, `${file} names no ${PROJECT}.settings`);
  writeFileSync(file, updated);
}

// ---------------------------------------------------------------------------------------
// Running both sides

interface Outcome {
  variant: Variant;
  django: CheckRun;
  /** Django's security ids, without the `security.` prefix. */
  djangoIds: string[];
  findings: Finding[];
  productionModules: string[];
  expectedProduction: string;
  skipped: string[];
}

/** Django's security ids that a registered rule claims to mirror, with the rules claiming them. */
function mirroredIds(djangoIds: Set<string>): Map<string, string[]> {
  const mirrored = new Map<string, string[]>();
  for (const rule of ALL_RULES) {
    for (const id of rule.meta.djangoChecks) {
      if (!djangoIds.has(id)) continue;
      mirrored.set(id, [...(mirrored.get(id) ?? []), rule.meta.code]);
    }
  }
  return new Map([...mirrored].sort(([a], [b]) => a.localeCompare(b)));
}

async function engineFindings(dir: string): Promise<{ findings: Finding[]; productionModules: string[]; skipped: string[] }> {
  const project = await openProject(dir);
  const result = analyzeProjectSettings(project, { config: project.config });
  return {
    findings: result.findings,
    productionModules: project.productionModules().map((m) => project.relative(m.file)),
    skipped: result.skipped.map((s) => `${project.relative(s.file)}: ${s.reason}`),
  };
}

const short = (id: string) => id.replace(/^security\./, '');

/** Django's ids and the ids our findings mirror, both restricted to `compared`. */
function verdicts(djangoIds: string[], findings: Finding[], compared: Set<string>): { theirs: string[]; ours: string[] } {
  const theirs = djangoIds.filter((id) => compared.has(id)).sort();
  const ours = [...new Set(findings.flatMap((f) => (f.djangoCheck && compared.has(f.djangoCheck) ? [f.djangoCheck] : [])))].sort();
  return { theirs, ours };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows
    .map((r) =>
      r
        .map((cell, col) => cell.padEnd(widths[col]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------
// Finding Django

let django: DjangoInstall | undefined;
let missingReason = '';
let workDir = '';
let template = '';
/** Where the django-split-settings stand-in is importable from (PYTHONPATH of the components variants). */
let sitePackages = '';

/** Skips the test without Django, or fails it when CI is set. */
function requireDjango(t: TestContext): DjangoInstall | undefined {
  if (django) return django;
  const message = `${missingReason}; install Debian's python3-django (apt-get install python3-django) to run the Django oracle`;
  if (process.env.CI) assert.fail(message);
  t.skip(message);
  return undefined;
}

before(async () => {
  const found = await findDjango();
  if ('missing' in found) {
    missingReason = found.missing;
    return;
  }
  django = found;
  workDir = mkdtempSync(path.join(os.tmpdir(), 'djh-oracle-'));
  template = path.join(workDir, 'template');
  mkdirSync(template);
  await startProject(django, template, PROJECT);
  // Outside every project, as an installed package is: the engine reads the project, not site-packages.
  sitePackages = path.join(workDir, 'site-packages');
  mkdirSync(path.join(sitePackages, 'split_settings'), { recursive: true });
  writeFileSync(path.join(sitePackages, 'split_settings', '__init__.py'), '');
  writeFileSync(path.join(sitePackages, 'split_settings', 'tools.py'), SPLIT_SETTINGS_SHIM);
});

after(() => {
  if (workDir && !process.env.KEEP_ORACLE_TMP) rmSync(workDir, { recursive: true, force: true });
});

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'insecure-project');
const EXAMPLE_ORACLE_MODULE = 'djh_oracle_sqlite';

/**
 * The example's production settings need PostgreSQL's driver to load; this module lets
 * Django judge the same settings on SQLite, which changes no security check. Its name is
 * not one the engine takes for a settings module, so the engine's view does not change.
 */
function addSqliteSettings(exampleCopy: string): void {
  writeFileSync(
    path.join(exampleCopy, `${EXAMPLE_ORACLE_MODULE}.py`),
    "from shop.settings.production import *  # noqa: F401,F403\n\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}\n",
  );
}

describe('Django oracle: check --deploy', () => {
  test(`${VARIANTS.length} settings variants agree with Django on every check a rule mirrors`, async (t) => {
    const dj = requireDjango(t);
    if (!dj) return;
    assert.ok(VARIANTS.length >= 40, 'the oracle needs at least 40 variants');
    assert.equal(new Set(VARIANTS.map((v) => `${v.layout}/${v.name}`)).size, VARIANTS.length, 'variant names are unique');

    const securityIds = djangoSecurityIds(dj);
    const mirrored = mirroredIds(securityIds);
    const compared = new Set(mirrored.keys());
    t.diagnostic(
      `Django ${dj.version}: compared ${[...compared].map(short).join(' ') || '(none)'}; no rule mirrors ${[...securityIds]
        .filter((id) => !compared.has(id))
        .sort()
        .map(short)
        .join(' ')}`,
    );

    const started = Date.now();
    let djangoMs = 0;
    let engineMs = 0;
    const outcomes = await mapLimit(VARIANTS, 2, async (variant): Promise<Outcome> => {
      const dir = path.join(workDir, variant.layout, variant.name);
      mkdirSync(path.dirname(dir), { recursive: true });
      const { settingsModule, productionFile } = materialise(variant, template, dir);
      const djangoStarted = Date.now();
      const result = await manageCheck(dj, dir, ['--deploy'], {
        DJANGO_SETTINGS_MODULE: settingsModule,
        ...(variant.layout === 'components' ? { PYTHONPATH: sitePackages } : {}),
        ...(variant.env ?? {}),
      });
      djangoMs += Date.now() - djangoStarted;
      const engineStarted = Date.now();
      const ours = await engineFindings(dir);
      engineMs += Date.now() - engineStarted;
      return {
        variant,
        django: result,
        djangoIds: result.ids.filter((id) => id.startsWith('security.')).map(short),
        ...ours,
        expectedProduction: path.relative(dir, productionFile),
      };
    });
    t.diagnostic(`ran ${outcomes.length} variants in ${Date.now() - started} ms (Django processes ${djangoMs} ms, engine ${engineMs} ms, summed over 2 lanes)`);

    const disagreements: string[][] = [['variant', 'check', 'Django', 'ours', 'rules', 'our findings']];
    for (const outcome of outcomes) {
      const name = `${outcome.variant.layout}/${outcome.variant.name}`;
      await t.test(name, () => {
        assert.ok(checksRan(outcome.django), `Django did not run its checks:\n${outcome.django.stdout}\n${outcome.django.stderr}`);
        assert.deepEqual(outcome.djangoIds, [...outcome.variant.django].sort(), `the variant does not produce the Django ${dj.version} verdict it was built for`);
        assert.deepEqual(outcome.productionModules, [outcome.expectedProduction], 'the engine judges a different production module than Django loads');
        assert.deepEqual(outcome.skipped, [], 'the engine skipped the production module');
        const { theirs, ours } = verdicts(outcome.django.ids, outcome.findings, compared);
        for (const id of [...new Set([...theirs, ...ours])].sort()) {
          const inTheirs = theirs.includes(id);
          if (inTheirs === ours.includes(id)) continue;
          const related = outcome.findings.filter((f) => mirrored.get(id)!.includes(f.code)).map((f) => `${f.code}${f.djangoCheck ? `(${short(f.djangoCheck)})` : ''}`);
          disagreements.push([name, short(id), inTheirs ? 'yes' : 'no', inTheirs ? 'no' : 'yes', mirrored.get(id)!.join(','), related.join(' ') || '-']);
        }
        assert.deepEqual(ours, theirs, `Django ${dj.version} reports [${theirs.map(short).join(' ')}], our rules [${ours.map(short).join(' ')}]`);
      });
    }
    if (disagreements.length > 1) {
      assert.fail(`our rules and Django disagree on ${disagreements.length - 1} verdict(s)${process.env.KEEP_ORACLE_TMP ? ` (projects kept in ${workDir})` : ''}:\n${table(disagreements)}`);
    }
  });

  test('the example project passes manage.py check and is judged like Django judges it', async (t) => {
    const dj = requireDjango(t);
    if (!dj) return;
    const dev = await manageCheck(dj, EXAMPLE, [], {});
    assert.equal(dev.code, 0, `manage.py check (shop.settings.dev) failed:\n${dev.stdout}\n${dev.stderr}`);
    assert.match(dev.stdout, /System check identified no issues/);

    const ours = await engineFindings(EXAMPLE);
    assert.deepEqual(ours.productionModules, ['shop/settings/production.py']);
    assert.deepEqual(
      ours.findings.filter((f) => f.file.endsWith(path.join('settings', 'dev.py'))).map((f) => f.code),
      [],
      'findings in the development module',
    );
    const debug = ours.findings.find((f) => f.code === 'DJH101');
    assert.ok(debug, 'DEBUG = True in base.py, not overridden in production.py, is not reported');
    assert.equal(path.relative(EXAMPLE, debug.file), path.join('shop', 'settings', 'base.py'));
    assert.equal(readFileSync(debug.file, 'utf8').split('\n')[debug.range.start.line], 'DEBUG = True');

    const copy = path.join(workDir, 'example');
    cpSync(EXAMPLE, copy, { recursive: true });
    addSqliteSettings(copy);
    const deploy = await manageCheck(dj, copy, ['--deploy'], { DJANGO_SETTINGS_MODULE: EXAMPLE_ORACLE_MODULE });
    assert.ok(checksRan(deploy), `check --deploy did not run:\n${deploy.stderr}`);
    const compared = new Set(mirroredIds(djangoSecurityIds(dj)).keys());
    const { theirs, ours: mine } = verdicts(deploy.ids, ours.findings, compared);
    assert.ok(theirs.includes('security.W018') && theirs.includes('security.W009'), `the example no longer shows the mistakes it is for: ${theirs.join(' ')}`);
    assert.deepEqual(mine, theirs);
  });
});

// ---------------------------------------------------------------------------------------
// harden

const DIST = path.resolve(REPO_ROOT, process.env.DIST_DIR ?? 'dist');

/** Production values for the environment variables hardened settings may read. */
function productionEnvironment(): Record<string, string> {
  // Django's get_random_secret_key alphabet.
  const random = (length: number) => [...randomBytes(length)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)'[b % 50]).join('');
  return {
    DJANGO_SECRET_KEY: random(64),
    DJANGO_ALLOWED_HOSTS: 'example.com',
    DJANGO_DEBUG: 'False',
    DB_PASSWORD: random(24),
  };
}

/** Names of the environment variables a module reads through os.environ / os.getenv. */
function environmentReads(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/os\.(?:environ\s*\[|environ\.get\(|getenv\()\s*['"](\w+)['"]/g)) names.add(match[1]);
  return [...names].sort();
}

function snapshotTree(dir: string): Map<string, string> {
  return new Map(
    listFiles(dir)
      .filter((f) => !f.includes('__pycache__'))
      .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]),
  );
}

/**
 * Runs `harden <settingsFile> --write` in `dir`, then Django on the result: `check --deploy`
 * must report no security warning with the variables harden names set, `check` must pass,
 * and a second `harden --write` must change nothing.
 */
async function hardenAndCheck(t: TestContext, dj: DjangoInstall, dir: string, settingsFile: string, settingsModule: string): Promise<void> {
  const cli = path.join(DIST, 'cli.js');
  assert.ok(existsSync(cli), `${path.relative(REPO_ROOT, cli)} is missing: build first (node scripts/build.mjs)`);
  const original = readFileSync(path.join(dir, settingsFile), 'utf8');
  const first = await run(process.execPath, [cli, 'harden', settingsFile, '--write'], { cwd: dir });
  assert.equal(first.code, 0, `harden --write exited ${first.code}:\n${first.stdout}\n${first.stderr}`);
  const hardenedText = readFileSync(path.join(dir, settingsFile), 'utf8');
  assert.notEqual(hardenedText, original, 'harden --write changed nothing');
  const shown = `\n--- harden output ---\n${first.stdout}${first.stderr}--- ${settingsFile} ---\n${hardenedText}`;

  const reads = environmentReads(hardenedText);
  const output = first.stdout + first.stderr;
  for (const name of reads.filter((n) => !environmentReads(original).includes(n))) {
    assert.match(output, new RegExp(`^\\s*${name}\\s*$`, 'm'), `the new settings read ${name}, but harden's output does not name it${shown}`);
  }
  const values = productionEnvironment();
  const unknown = reads.filter((name) => !(name in values));
  assert.deepEqual(unknown, [], `the hardened settings read environment variables this test has no production value for${shown}`);
  const env: Record<string, string> = { DJANGO_SETTINGS_MODULE: settingsModule };
  for (const name of reads) env[name] = values[name];

  await t.test('check --deploy reports no security warning', async () => {
    const deploy = await manageCheck(dj, dir, ['--deploy'], env);
    assert.ok(checksRan(deploy), `check --deploy did not run after harden:\n${deploy.stderr}${shown}`);
    const warnings = deploy.ids.filter((id) => id.startsWith('security.'));
    assert.deepEqual(warnings, [], `check --deploy still warns after harden (environment: ${Object.keys(env).join(', ')}):\n${deploy.stdout}${deploy.stderr}${shown}`);
  });
  await t.test('manage.py check passes', async () => {
    const plain = await manageCheck(dj, dir, [], env);
    assert.equal(plain.code, 0, `manage.py check fails after harden:\n${plain.stdout}\n${plain.stderr}${shown}`);
  });
  await t.test('a second harden --write changes nothing', async () => {
    const before = snapshotTree(dir);
    const second = await run(process.execPath, [cli, 'harden', settingsFile, '--write'], { cwd: dir });
    assert.equal(second.code, 0, `the second harden --write exited ${second.code}:\n${second.stdout}\n${second.stderr}`);
    const changed = [...snapshotTree(dir)].filter(([file, text]) => before.get(file) !== text).map(([file]) => file);
    assert.deepEqual(changed, [], `a second harden --write changed files:\n${second.stdout}${second.stderr}\n--- ${settingsFile} ---\n${readFileSync(path.join(dir, settingsFile), 'utf8')}`);
  });
}

describe('Django oracle: harden', () => {
  test('harden --write on a fresh startproject', async (t) => {
    const dj = requireDjango(t);
    if (!dj) return;
    const dir = path.join(workDir, 'harden-startproject');
    cpSync(template, dir, { recursive: true });
    await hardenAndCheck(t, dj, dir, path.join(PROJECT, 'settings.py'), `${PROJECT}.settings`);

    // The lone settings.py also serves development: one switch keeps runserver working.
    await t.test('runserver with only DJANGO_DEBUG=True serves plain HTTP, without a redirect or Secure cookies', async () => {
      const page = await runserverGet(dj, dir, { DJANGO_DEBUG: 'True' }, '/admin/login/');
      assert.equal(page.status, 200, `GET /admin/login/ answered ${page.status} (Location: ${page.location})\n${page.log}`);
      assert.ok(page.setCookie?.startsWith('csrftoken='), `no CSRF cookie: ${page.setCookie}`);
      assert.doesNotMatch(page.setCookie ?? '', /;\s*Secure/i, 'the CSRF cookie is Secure, so a form post over plain HTTP would fail');
    });
    await t.test('a production start without DJANGO_SECRET_KEY fails loudly', async () => {
      const start = await manageCheck(dj, dir, [], { DJANGO_SETTINGS_MODULE: `${PROJECT}.settings`, DJANGO_ALLOWED_HOSTS: 'example.com' });
      assert.notEqual(start.code, 0, `manage.py check passed without DJANGO_SECRET_KEY:\n${start.stdout}`);
      assert.match(start.stderr, /KeyError: 'DJANGO_SECRET_KEY'/);
    });
  });

  test('harden --write on split settings whose base.py lacks the security middleware leaves base.py and dev.py as they were', async (t) => {
    const dj = requireDjango(t);
    if (!dj) return;
    const dir = path.join(workDir, 'harden-split-base');
    cpSync(template, dir, { recursive: true });
    const settingsDir = path.join(dir, PROJECT, 'settings');
    mkdirSync(settingsDir);
    const base = readFileSync(path.join(dir, PROJECT, 'settings.py'), 'utf8')
      .split('\n')
      .filter((line) => !line.includes('SecurityMiddleware') && !line.includes('XFrameOptionsMiddleware'))
      .join('\n')
      // One level deeper than settings.py was.
      .replace('.resolve().parent.parent', '.resolve().parent.parent.parent');
    rmSync(path.join(dir, PROJECT, 'settings.py'));
    writeFileSync(path.join(settingsDir, '__init__.py'), '');
    writeFileSync(path.join(settingsDir, 'base.py'), base);
    writeFileSync(path.join(settingsDir, 'dev.py'), 'from .base import *  # noqa: F403\n\nDEBUG = True\n');
    writeFileSync(path.join(settingsDir, 'production.py'), 'from .base import *  # noqa: F403\n\nDEBUG = False\nALLOWED_HOSTS = ["example.com"]\n');
    const shared = snapshotTree(settingsDir);
    await hardenAndCheck(t, dj, dir, path.join(PROJECT, 'settings', 'production.py'), `${PROJECT}.settings.production`);
    await t.test('base.py and dev.py are unchanged: the middleware comes in production.py', () => {
      const after = snapshotTree(settingsDir);
      assert.equal(after.get('base.py'), shared.get('base.py'));
      assert.equal(after.get('dev.py'), shared.get('dev.py'));
      assert.match(after.get('production.py')!, /^MIDDLEWARE\.insert\(0, ['"]django\.middleware\.security\.SecurityMiddleware['"]\)$/m);
    });
  });

  test('harden --write on the example project', async (t) => {
    const dj = requireDjango(t);
    if (!dj) return;
    const dir = path.join(workDir, 'harden-example');
    cpSync(EXAMPLE, dir, { recursive: true });
    addSqliteSettings(dir);
    await hardenAndCheck(t, dj, dir, path.join('shop', 'settings', 'production.py'), EXAMPLE_ORACLE_MODULE);
  });
});
