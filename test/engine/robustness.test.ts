/**
 * Hostile input must never make the engine throw: real settings texts are mutated with a
 * fixed seed (truncated, brackets deleted, bytes, tabs and CRLF inserted) and each result is
 * evaluated and analysed as a production module over a base module.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { analyzeProjectSettings } from '../../server/src/engine/analyze';
import { buildSettingsEdits } from '../../server/src/engine/fixes/settings-editor';
import { REPO_ROOT } from '../support/fixtures';
import { at, memoryProject } from './memory-project';

const STARTPROJECT = `"""
Django settings for mysite project.
"""

from pathlib import Path
import os

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = 'django-insecure-0123456789abcdefghijklmnopqrstuvwxyz'

DEBUG = True

ALLOWED_HOSTS = []

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
]

MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
    'django.middleware.clickjacking.XFrameOptionsMiddleware',
]

ROOT_URLCONF = 'mysite.urls'

TEMPLATES = [
    {
        'BACKEND': 'django.template.backends.django.DjangoTemplates',
        'DIRS': [],
        'APP_DIRS': True,
        'OPTIONS': {
            'context_processors': [
                'django.template.context_processors.debug',
                'django.template.context_processors.request',
            ],
        },
    },
]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': BASE_DIR / 'db.sqlite3',
    }
}

if os.environ.get("ON_HEROKU"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

STATIC_URL = 'static/'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
`;

const ENVIRON = `import environ
from decouple import config, Csv

env = environ.Env(DEBUG=(bool, False), ALLOWED_HOSTS=(list, []))
environ.Env.read_env()

DEBUG = env("DEBUG")
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = config("ALLOWED_HOSTS", default="a.example,b.example", cast=Csv())
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS", "0")) if not DEBUG else 0
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = config("SECURE", default=True, cast=bool)
MIDDLEWARE += ("x.Middleware",)
MIDDLEWARE.insert(0, "y.Middleware")
DATABASES["default"]["OPTIONS"] = {"sslmode": "require"}
try:
    from .local import *
except ImportError:
    pass
`;

function example(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, 'examples', 'insecure-project', ...relative.split('/')), 'utf8');
}

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = ['\t', '\r\n', '\r', '\n', '\u0000', '\ufeff', '\\', '"""', "'", '(', ']', '{', ':', '#', ' = ', '😀', '\udc00', 'import *', 'if x:', '    '];

function mutations(text: string, seed: number): string[] {
  const next = random(seed);
  const out: string[] = [];
  for (let offset = 0; offset < text.length; offset += 37) out.push(text.slice(0, offset));
  for (let round = 0; round < 40; round++) {
    let mutated = text;
    const brackets = [...mutated.matchAll(/[()[\]{}]/g)].map((m) => m.index!);
    for (let k = 0; k < 3 && brackets.length > 0; k++) {
      const index = brackets.splice(Math.floor(next() * brackets.length), 1)[0];
      mutated = mutated.slice(0, index) + ' ' + mutated.slice(index + 1);
    }
    for (let k = 0; k < 4; k++) {
      const index = Math.floor(next() * (mutated.length + 1));
      const noise = next() < 0.5 ? NOISE[Math.floor(next() * NOISE.length)] : String.fromCharCode(Math.floor(next() * 256));
      mutated = mutated.slice(0, index) + noise + mutated.slice(index);
    }
    out.push(mutated);
  }
  out.push(text.replace(/\n/g, '\r\n'), text.replace(/ {4}/g, '\t'), text.replace(/\n/g, '\r'));
  return out;
}

const SOURCES: [string, () => string][] = [
  ['startproject settings.py', () => STARTPROJECT],
  ['environ and decouple settings', () => ENVIRON],
  ['example base.py', () => example('shop/settings/base.py')],
  ['example production.py', () => example('shop/settings/production.py')],
];

describe('hostile settings text never makes evaluation or analysis throw', () => {
  for (const [name, read] of SOURCES) {
    test(name, async () => {
      const original = read();
      const base = example('shop/settings/base.py');
      let analysed = 0;
      const crashes: string[] = [];
      for (const text of mutations(original, original.length)) {
        const project = await memoryProject({
          'shop/settings/base.py': base,
          'shop/settings/production.py': `from .base import *\n${text}`,
          'shop/settings/local.py': text,
          'mysite/settings.py': text,
        });
        for (const file of ['shop/settings/production.py', 'mysite/settings.py']) {
          const evaluated = project.evaluate(at(file));
          assert.ok(evaluated, `${file} evaluates`);
          buildSettingsEdits(evaluated, project.store, [
            { kind: 'set', name: 'DEBUG', value: 'False', imports: ['import os'] },
            { kind: 'list-insert', name: 'MIDDLEWARE', item: '"a.B"', position: { after: 'django.middleware.security.SecurityMiddleware' } },
            { kind: 'list-remove', name: 'ALLOWED_HOSTS', value: '*' },
            { kind: 'remove', name: 'SECRET_KEY' },
          ]);
        }
        const result = analyzeProjectSettings(project, { config: project.config, log: (note) => crashes.push(`${note.code}: ${note.message}\n${note.detail ?? ''}`) });
        assert.equal(Array.isArray(result.findings), true);
        analysed++;
      }
      assert.equal(analysed, Math.ceil(original.length / 37) + 40 + 3);
      // A rule that fails is logged, not thrown; report it so it gets fixed.
      if (crashes.length > 0) assert.fail(`rules failed on mutated input:\n${[...new Set(crashes.map((c) => c.split('\n').slice(0, 3).join('\n')))].join('\n')}`);
    });
  }

  test('deeply nested and very long expressions', async () => {
    const texts = [
      `X = ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
      `X = ${'('.repeat(3000)}1${')'.repeat(3000)}\n`,
      `X = ${Array.from({ length: 5000 }, () => '"a"').join(' + ')}\n`,
      `X = ${'not '.repeat(5000)}True\n`,
      `if A:\n${Array.from({ length: 300 }, (_, i) => `${'    '.repeat(i + 1)}if B:`).join('\n')}\n${'    '.repeat(301)}X = 1\n`,
      `X = {${Array.from({ length: 3000 }, (_, i) => `"k${i}": {`).join('')}${'}'.repeat(3001)}\n`,
    ];
    for (const text of texts) {
      const project = await memoryProject({ 'mysite/settings.py': text });
      assert.ok(project.evaluate(at('mysite/settings.py')));
      analyzeProjectSettings(project, { config: project.config });
    }
  });
});
