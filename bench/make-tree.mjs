// Builds the benchmark tree in bench/.data/tree: several sites, each a Django project
// (manage.py, a settings package or a lone settings.py, wsgi, urls) next to a copy of
// Django's own source, which is real, varied Python. Deterministic: the same source and
// this same script give the same tree, and an unchanged tree is reused.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = path.join(here, '.data');
export const TREE_DIR = path.join(DATA_DIR, 'tree');
const MANIFEST = path.join(DATA_DIR, 'tree.json');
const DEFAULT_SOURCE = '/usr/lib/python3/dist-packages/django';

// Directories the checker skips by default (server/src/engine/project/walk.ts): the copy
// leaves them out so that "every .py file" means the same files to both sides.
const SKIPPED_DIRS = new Set(['migrations', '__pycache__', 'node_modules', 'site-packages', 'env', 'venv', '.venv']);
const COPIED = /\.(py|html)$/;

/**
 * Returns the tree's manifest, generating the tree first when it is missing or was made
 * from another source, another copy count or another version of this script.
 */
export function ensureTree({ source = process.env.BENCH_DJANGO ?? DEFAULT_SOURCE, copies = Number(process.env.BENCH_COPIES ?? 4) } = {}) {
  if (!existsSync(path.join(source, '__init__.py'))) {
    throw new Error(`no Django source at ${source}: install python3-django (Debian) or point BENCH_DJANGO at a Django package directory`);
  }
  const sourceFiles = listSource(source);
  const version = /^VERSION\s*=\s*\((\d+),\s*(\d+),\s*(\d+)/m.exec(readFileSync(path.join(source, '__init__.py'), 'utf8'));
  const key = {
    source,
    djangoVersion: version ? version.slice(1).join('.') : 'unknown',
    copies,
    sourceDigest: digest(sourceFiles.map((rel) => `${rel}\0${statSync(path.join(source, rel)).size}`).join('\n')),
    scriptDigest: digest(readFileSync(fileURLToPath(import.meta.url), 'utf8')),
  };
  if (existsSync(MANIFEST) && existsSync(TREE_DIR)) {
    const previous = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    if (JSON.stringify(previous.key) === JSON.stringify(key)) return previous;
  }

  rmSync(TREE_DIR, { recursive: true, force: true });
  for (let site = 1; site <= copies; site++) {
    const siteDir = path.join(TREE_DIR, `site-${site}`);
    for (const rel of sourceFiles) {
      const target = path.join(siteDir, 'src', 'django', rel);
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(path.join(source, rel), target);
    }
    for (const [rel, text] of Object.entries(projectFiles(site))) {
      const target = path.join(siteDir, rel);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
  }

  const manifest = { key, ...measure(TREE_DIR) };
  writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

function listSource(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.') ? [] : listSource(full, base);
      return COPIED.test(entry.name) && statSync(full).isFile() ? [path.relative(base, full)] : [];
    });
}

/** File and byte counts of the finished tree, by kind. */
function measure(dir) {
  const totals = { pyFiles: 0, pyBytes: 0, htmlFiles: 0, htmlBytes: 0 };
  const visit = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.py')) {
        totals.pyFiles++;
        totals.pyBytes += statSync(full).size;
      } else if (entry.name.endsWith('.html')) {
        totals.htmlFiles++;
        totals.htmlBytes += statSync(full).size;
      }
    }
  };
  visit(dir);
  return totals;
}

function digest(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * The project around each copy. Sites differ in layout and in how settings read the
 * environment, the way real projects do: a lone settings.py, a base/production/dev package
 * with os.environ, one with django-environ, one with python-decouple.
 */
function projectFiles(site) {
  const pkg = `site${site}`;
  const style = ['lone', 'os', 'environ', 'decouple'][(site - 1) % 4];
  const settingsModule = style === 'lone' ? `${pkg}.settings` : `${pkg}.settings.production`;
  const files = {
    'manage.py': managePy(settingsModule),
    [`${pkg}/__init__.py`]: '',
    [`${pkg}/wsgi.py`]: wsgiPy(settingsModule),
    [`${pkg}/urls.py`]: urlsPy(),
  };
  if (style === 'lone') {
    files[`${pkg}/settings.py`] = baseSettings(pkg, 'os') + loneOverrides();
    return files;
  }
  files[`${pkg}/settings/__init__.py`] = '';
  files[`${pkg}/settings/base.py`] = baseSettings(pkg, style);
  files[`${pkg}/settings/production.py`] = productionSettings(style, site);
  files[`${pkg}/settings/dev.py`] = devSettings();
  return files;
}

function managePy(settingsModule) {
  return `#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${settingsModule}")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError("Couldn't import Django.") from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
`;
}

function wsgiPy(settingsModule) {
  return `import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${settingsModule}")

application = get_wsgi_application()
`;
}

function urlsPy() {
  return `from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
]
`;
}

function baseSettings(pkg, style) {
  const header = {
    os: 'import os\nfrom pathlib import Path\n',
    environ: 'from pathlib import Path\n\nimport environ\n\nenv = environ.Env()\n',
    decouple: 'from pathlib import Path\n\nfrom decouple import Csv, config\n',
  }[style];
  const secret = {
    os: 'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-3x@mpl3-k3y-f0r-th3-b3nchm4rk-tr33")',
    environ: 'SECRET_KEY = env("DJANGO_SECRET_KEY")',
    decouple: 'SECRET_KEY = config("DJANGO_SECRET_KEY")',
  }[style];
  return `${header}
BASE_DIR = Path(__file__).resolve().parent.parent

${secret}

DEBUG = True

ALLOWED_HOSTS = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "${pkg}.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "${pkg}.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
`;
}

function loneOverrides() {
  return `
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
`;
}

function productionSettings(style, site) {
  const reads = {
    os: `DEBUG = os.environ.get("DJANGO_DEBUG", "True") == "True"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "*").split(",")
`,
    environ: `DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["site${site}.example.com"])
`,
    decouple: `DEBUG = config("DJANGO_DEBUG", default=False, cast=bool)
ALLOWED_HOSTS = config("DJANGO_ALLOWED_HOSTS", default="site${site}.example.com", cast=Csv())
`,
  }[style];
  const head = style === 'os' ? 'import os\n\nfrom .base import *  # noqa: F401,F403\n' : 'from .base import *  # noqa: F401,F403\n';
  return `${head}
${reads}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = ${site % 2 === 0 ? 'True' : 'False'}
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = ${site % 2 === 0 ? 31536000 : 0}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
`;
}

function devSettings() {
  return `from .base import *  # noqa: F401,F403

DEBUG = True
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
`;
}
