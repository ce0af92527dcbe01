import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HardenerConfig } from '../../server/src/engine/config';
import { neverSettings, productionWord, roleByName } from '../../server/src/engine/project/discovery';
import { entryPointKind, imageCopies, settingsReferences } from '../../server/src/engine/project/entry-points';
import { at, memoryProject } from './memory-project';

/** `relative path → role (explicit): reason` for every settings module found. */
async function roles(files: Record<string, string>, config: Partial<HardenerConfig> = {}): Promise<Record<string, string>> {
  const project = await memoryProject(files, config);
  return Object.fromEntries(project.settingsModules().map((m) => [project.relative(m.file), `${m.role}${m.explicit ? ' (explicit)' : ''}: ${m.reason}`]));
}

const SETTINGS = 'DEBUG = False\n';
/** Enough of a project's settings to be one by content alone. */
const FULL = 'INSTALLED_APPS = []\nMIDDLEWARE = []\nROOT_URLCONF = "mysite.urls"\n';
const manage = (module: string) => `import os\n\ndef main():\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${module}")\n`;
const wsgi = (module: string) => `import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "${module}")\napplication = None\n`;

describe('entry points', () => {
  const kinds: [string, string | undefined][] = [
    ['manage.py', 'manage'],
    ['mysite/wsgi.py', 'deploy'],
    ['mysite/asgi.py', 'deploy'],
    ['saleor/asgi/__init__.py', 'deploy'],
    ['gunicorn.conf.py', 'deploy'],
    ['config/celery_app.py', 'other'],
    ['conftest.py', 'test'],
    ['runtests.py', 'test'],
    ['docs/conf.py', 'docs'],
    ['conf.py', undefined],
    ['pytest.ini', 'test'],
    ['pyproject.toml', 'test'],
    ['Dockerfile', 'deploy'],
    ['compose/production/django/Dockerfile', 'deploy'],
    ['compose/local/django/Dockerfile', 'local'],
    ['Dockerfile.dev', 'local'],
    ['docker-compose.yml', 'deploy'],
    ['docker-compose.local.yml', 'local'],
    ['docker-compose.override.yml', 'local'],
    ['compose.production.yaml', 'deploy'],
    ['Procfile', 'deploy'],
    ['.do/app.yaml', 'deploy'],
    ['uwsgi.ini', 'deploy'],
    ['.env', 'other'],
    ['.env.production', 'deploy'],
    ['.envs/.production/.django', 'deploy'],
    ['.envs/.local/.django', 'local'],
    ['mysite/views.py', undefined],
    ['mysite/settings.py', undefined],
  ];
  for (const [file, kind] of kinds) test(`${file} is ${kind ?? 'not an entry point'}`, () => assert.equal(entryPointKind(file), kind));

  const references: [string, string, [string, string][]][] = [
    ['manage.py', manage('mysite.config.main'), [['mysite.config.main', 'manage']]],
    ['manage.py', "os.environ.setdefault('DJANGO_SETTINGS_MODULE', r'a.b')\n", [['a.b', 'manage']]],
    ['manage.py', '# os.environ.setdefault("DJANGO_SETTINGS_MODULE", "old.settings")\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "new.settings")\n', [['new.settings', 'manage']]],
    ['mysite/wsgi.py', 'os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.live"\n', [['mysite.live', 'deploy']]],
    ['mysite/asgi.py', 'os.environ.update({"DJANGO_SETTINGS_MODULE": "mysite.asgi_conf"})\n', [['mysite.asgi_conf', 'deploy']]],
    ['mysite/asgi.py', 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"mysite.{name}")\n', []],
    ['mysite/wsgi.py', 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{{ project_name }}.settings")\n', []],
    ['gunicorn.conf.py', 'raw_env = ["DJANGO_SETTINGS_MODULE=mysite.gunicorn_conf"]\n', [['mysite.gunicorn_conf', 'deploy']]],
    ['pytest.ini', '[pytest]\nDJANGO_SETTINGS_MODULE = mysite.test_conf\npython_files = tests.py\n', [['mysite.test_conf', 'test']]],
    ['pytest.ini', '[pytest]\naddopts = --ds=mysite.ds_conf --reuse-db\n', [['mysite.ds_conf', 'test']]],
    ['pytest.ini', '[pytest]\n# DJANGO_SETTINGS_MODULE = mysite.commented\n', []],
    ['pyproject.toml', '[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "mysite.toml_conf"\n', [['mysite.toml_conf', 'test']]],
    ['pyproject.toml', '[tool.pytest.ini_options]\naddopts = ["--ds=config.settings.test"]\n', [['config.settings.test', 'test']]],
    ['setup.cfg', '[tool:pytest]\nDJANGO_SETTINGS_MODULE = mysite.cfg_conf\n', [['mysite.cfg_conf', 'test']]],
    ['.env', 'DJANGO_SETTINGS_MODULE=mysite.env_conf\n', [['mysite.env_conf', 'other']]],
    ['.env', 'export DJANGO_SETTINGS_MODULE="mysite.exported"\n', [['mysite.exported', 'other']]],
    ['.envs/.production/.django', 'DJANGO_READ_DOT_ENV_FILE=True\nDJANGO_SETTINGS_MODULE=config.settings.production\n', [['config.settings.production', 'deploy']]],
    ['Dockerfile', 'FROM python:3.12\nENV PYTHONUNBUFFERED=1 \\\n    DJANGO_SETTINGS_MODULE=config.django.production\nCMD ["gunicorn"]\n', [['config.django.production', 'deploy']]],
    ['Dockerfile', 'FROM python:3.12\nENV DJANGO_SETTINGS_MODULE shop.docker\n', [['shop.docker', 'deploy']]],
    ['Dockerfile', 'FROM python:3.12\nRUN DJANGO_SETTINGS_MODULE="config.settings.test" \\\n  python manage.py compilemessages\n', [['config.settings.test', 'build']]],
    ['Dockerfile', 'FROM python:3.12\n# ENV DJANGO_SETTINGS_MODULE=old.settings\n', []],
    ['Dockerfile', 'FROM python:3.12\nRUN cd /app \\\n    && env -u DJANGO_SETTINGS_MODULE django-admin compilemessages\n', []],
    ['docker-compose.yml', 'services:\n  web:\n    environment:\n      - DJANGO_SETTINGS_MODULE=shop.settings.prod\n', [['shop.settings.prod', 'deploy']]],
    [
      '.do/deploy.template.yaml',
      'spec:\n  services:\n    - name: app\n      envs:\n        - key: DEBUG\n          scope: RUN_TIME\n        - key: DJANGO_SETTINGS_MODULE\n          scope: RUN_AND_BUILD_TIME\n          type: GENERAL\n          value: "shop.settings.base"\n',
      [['shop.settings.base', 'deploy']],
    ],
    ['render.yaml', 'services:\n  - type: web\n    envVars:\n      - key: DJANGO_SETTINGS_MODULE\n        value: shop.settings.render\n', [['shop.settings.render', 'deploy']]],
    ['docker-compose.yml', 'services:\n  web:\n    environment:\n      DJANGO_SETTINGS_MODULE: "shop.settings.prod"\n', [['shop.settings.prod', 'deploy']]],
    ['docker-compose.yml', 'services:\n  web:\n    environment:\n      DJANGO_SETTINGS_MODULE: ${DJANGO_SETTINGS_MODULE:-shop.settings.prod}\n', [['shop.settings.prod', 'deploy']]],
    ['Procfile', 'web: gunicorn shop.wsgi --env DJANGO_SETTINGS_MODULE=shop.settings.heroku\n', [['shop.settings.heroku', 'deploy']]],
    ['Procfile', 'release: python manage.py migrate --settings=shop.settings.heroku\n', [['shop.settings.heroku', 'deploy']]],
    ['docs/conf.py', 'os.environ["DJANGO_SETTINGS_MODULE"] = "docs.settings"\n', [['docs.settings', 'docs']]],
  ];
  for (const [file, text, expected] of references) {
    test(`${file}: ${text.trim().split('\n').pop()}`, () => {
      assert.deepEqual(
        settingsReferences(at(file), file, text).map((r) => [r.module, r.kind]),
        expected,
      );
    });
  }

  test('a Dockerfile copies files into the image, WORKDIR applied', () => {
    const text = 'FROM python\nWORKDIR /app\nCOPY docker/config.py shop/docker.py\nCOPY requirements.txt manage.py ./\nCOPY --from=builder /wheels /wheels\nCOPY . .\n';
    assert.deepEqual(
      imageCopies(at('Dockerfile'), at(''), text).map((c) => [c.sources.map((s) => s.slice(at('').length)), c.destination, c.intoFolder]),
      [
        [['/docker/config.py'], '/app/shop/docker.py', false],
        [['/requirements.txt'], '/app', true],
        [['/manage.py'], '/app', true],
        [[''], '/app', false],
      ],
    );
  });
});

describe('what is a settings module', () => {
  test('a module named only by manage.py is a settings module; its neighbour is not', async () => {
    assert.deepEqual(await roles({ 'manage.py': manage('mysite.config.main'), 'mysite/config/main.py': SETTINGS, 'mysite/config/other.py': SETTINGS }), {
      'mysite/config/main.py': 'production: the module manage.py runs, and no other module is production',
    });
  });

  test('a module named by wsgi.py is production; by manage.py and wsgi.py, it serves development too', async () => {
    assert.deepEqual(await roles({ 'mysite/wsgi.py': wsgi('mysite.conf'), 'mysite/conf.py': SETTINGS }), {
      'mysite/conf.py': 'production (explicit): run where the site is deployed (mysite/wsgi.py)',
    });
    assert.deepEqual(await roles({ 'manage.py': manage('mysite.conf'), 'mysite/wsgi.py': wsgi('mysite.conf'), 'mysite/conf.py': SETTINGS }), {
      'mysite/conf.py': 'production: run where the site is deployed (mysite/wsgi.py)',
    });
  });

  test('a module named only by test configuration is a test module', async () => {
    for (const [file, text] of [
      ['pytest.ini', '[pytest]\nDJANGO_SETTINGS_MODULE = mysite.conf\n'],
      ['setup.cfg', '[tool:pytest]\nDJANGO_SETTINGS_MODULE = mysite.conf\n'],
      ['tox.ini', '[pytest]\nDJANGO_SETTINGS_MODULE = mysite.conf\n'],
    ]) {
      assert.deepEqual(await roles({ [file]: text, 'mysite/conf.py': SETTINGS }), { 'mysite/conf.py': 'test: named only by test configuration' }, file);
    }
  });

  test('nothing named, little content: no settings module at all', async () => {
    assert.deepEqual(await roles({ 'mysite/settings.py': SETTINGS, 'mysite/settings/db.py': 'DATABASES = {}\n' }), {});
  });

  test('a module with a setting or two beside settings modules is a fragment, not judged alone', async () => {
    assert.deepEqual(await roles({ 'manage.py': manage('mysite.settings.main'), 'mysite/settings/main.py': SETTINGS, 'mysite/settings/db.py': 'DATABASES = {}\n' }), {
      'mysite/settings/db.py': "fragment: assigns DATABASES but not enough of a project's settings to be run on its own, and nothing names or imports it",
      'mysite/settings/main.py': 'production: the module manage.py runs, and no other module is production',
    });
  });

  test('by content: three core settings, one of them shaping the project', async () => {
    assert.deepEqual(await roles({ 'conf/main.py': FULL, 'conf/other.py': 'DATABASES = {}\nSECRET_KEY = "x"\nTEMPLATES = []\n' }), {
      'conf/main.py': 'production: no other settings module is production',
      'conf/other.py': "fragment: assigns DATABASES, SECRET_KEY, TEMPLATES but not enough of a project's settings to be run on its own, and nothing names or imports it",
    });
  });

  test('by content: a module star-importing a settings module is one', async () => {
    assert.deepEqual(await roles({ 'mysite/settings/base.py': FULL, 'mysite/settings/heroku.py': 'from .base import *\nDEBUG = False\n' }), {
      'mysite/settings/base.py': 'base: only reached from mysite/settings/heroku.py',
      'mysite/settings/heroku.py': 'production: no other settings module is production',
    });
  });

  test('never settings modules: an app called settings, migrations, commands, django/conf, class-based settings', async () => {
    assert.deepEqual(
      await roles({
        'manage.py': manage('mysite.settings'),
        'mysite/settings.py': FULL,
        'mysite/prefs/settings/apps.py': 'from django.apps import AppConfig\n',
        'mysite/prefs/settings/models.py': `${FULL}`,
        'mysite/prefs/settings/views.py': 'INSTALLED_APPS = []\nMIDDLEWARE = []\nTEMPLATES = []\n',
        'mysite/db/0002_site_settings.py': `from django.db import migrations\nINSTALLED_APPS = []\nMIDDLEWARE = []\nTEMPLATES = []\nclass Migration(migrations.Migration):\n    pass\n`,
        'mysite/core/management/commands/print_settings.py': FULL,
        'vendor/django/conf/global_settings.py': FULL,
        'mysite/config.py': 'class BaseSettings:\n    INSTALLED_APPS = []\n    MIDDLEWARE = []\n    ROOT_URLCONF = "x"\n',
        'mysite/project_template/project_name/settings.py': FULL,
      }),
      { 'mysite/settings.py': 'production: the module manage.py runs, and no other module is production' },
    );
  });

  test('a module the project does not hold is reported as unresolved', async () => {
    const project = await memoryProject({ 'manage.py': manage('mysite.settings.local'), 'mysite/settings/production.py': SETTINGS });
    assert.deepEqual(
      project.unresolvedReferences().map((r) => [project.relative(r.file), r.module]),
      [['manage.py', 'mysite.settings.local']],
    );
  });

  test('a src/ layout resolves dotted names below src', async () => {
    const project = await memoryProject({
      'manage.py': manage('mysite.conf'),
      'src/mysite/conf.py': 'from .base_conf import *\nDEBUG = False\n',
      'src/mysite/base_conf.py': 'SECRET_KEY = "x"\n',
    });
    assert.equal(project.resolveDotted('mysite.conf'), at('src/mysite/conf.py'));
    assert.deepEqual(
      project.settingsModules().map((m) => [project.relative(m.file), m.module, m.role]),
      [
        ['src/mysite/base_conf.py', 'mysite.base_conf', 'base'],
        ['src/mysite/conf.py', 'mysite.conf', 'production'],
      ],
    );
    assert.deepEqual(project.chainOf(at('src/mysite/conf.py')), [at('src/mysite/conf.py'), at('src/mysite/base_conf.py')]);
  });

  test('a project nested below the root resolves through manage.py and path suffixes, never a one-part name', async () => {
    const project = await memoryProject({
      'backend/manage.py': manage('core.settings'),
      'backend/core/settings.py': SETTINGS,
      'deploy/app/conf/__init__.py': '',
      'vendor/os.py': '',
    });
    assert.equal(project.resolveDotted('core.settings'), at('backend/core/settings.py'));
    assert.equal(project.resolveDotted('app.conf'), at('deploy/app/conf/__init__.py'));
    assert.equal(project.resolveDotted('no.such'), undefined);
    assert.equal(project.resolveDotted('os'), undefined);
  });

  test('a module a Dockerfile copies into the image and names there', async () => {
    assert.deepEqual(
      await roles({
        'manage.py': manage('shop.settings'),
        'shop/settings.py': FULL,
        'docker/config.py': 'from shop.settings import *\nDEBUG = False\n',
        Dockerfile: 'FROM python:3.12\nWORKDIR /srv\nCOPY . .\nCOPY docker/config.py shop/settings_docker.py\nENV DJANGO_SETTINGS_MODULE=shop.settings_docker\n',
      }),
      {
        'docker/config.py': 'production (explicit): run where the site is deployed (Dockerfile)',
        'shop/settings.py': "development: manage.py's default while docker/config.py is production (name it in production-settings to judge it)",
      },
    );
  });
});

describe('roles', () => {
  describe("a library's demo project", () => {
    const library = {
      'pyproject.toml': '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "django-shop"\n[tool.hatch.build.targets.wheel]\npackages = ["shop"]\n',
      'shop/__init__.py': '',
      'shop/apps.py': 'from django.apps import AppConfig\n',
      'example/__init__.py': '',
      'example/manage.py': manage('example.settings'),
      'example/wsgi.py': wsgi('example.settings'),
      'example/settings.py': 'SECRET_KEY = "example"\nDEBUG = True\nINSTALLED_APPS = ["shop"]\nMIDDLEWARE = []\n',
    };
    const demo =
      'development: a demo project beside the published distribution django-shop: outside the packages it ships (shop, from pyproject.toml [tool.hatch.build.targets.wheel] packages), and no deployment names it';

    test('is development when only its own wsgi.py and manage.py name it', async () => {
      assert.deepEqual(await roles(library), { 'example/settings.py': demo });
    });

    test('is production when a deployment names it', async () => {
      assert.deepEqual(await roles({ ...library, 'example/Dockerfile': 'FROM python:3.12\nENV DJANGO_SETTINGS_MODULE=example.settings\n' }), {
        // manage.py runs it too: production, not explicitly so.
        'example/settings.py': 'production: run where the site is deployed (example/Dockerfile, example/wsgi.py)',
      });
    });

    test('a product whose package holds its settings stays production', async () => {
      assert.deepEqual(
        await roles({
          'pyproject.toml': '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "shop"\n',
          'shop/__init__.py': '',
          'shop/wsgi.py': wsgi('shop.settings'),
          'shop/settings.py': 'SECRET_KEY = "x"\nDEBUG = True\nINSTALLED_APPS = []\nMIDDLEWARE = []\n',
        }),
        { 'shop/settings.py': 'production (explicit): run where the site is deployed (shop/wsgi.py)' },
      );
    });

    test('an application that publishes nothing stays production', async () => {
      const { 'pyproject.toml': _, ...rest } = library;
      assert.deepEqual(await roles({ ...rest, 'pyproject.toml': '[tool.ruff]\nline-length = 100\n' }), {
        'example/settings.py': 'production: run where the site is deployed (example/wsgi.py)',
      });
    });
  });

  test('split settings: manage.py runs dev, wsgi.py production; base is only imported', async () => {
    assert.deepEqual(
      await roles({
        'manage.py': manage('mysite.settings.dev'),
        'mysite/wsgi.py': wsgi('mysite.settings.production'),
        'mysite/settings/__init__.py': '',
        'mysite/settings/base.py': SETTINGS,
        'mysite/settings/production.py': 'from .base import *\n',
        'mysite/settings/dev.py': 'from .base import *\nDEBUG = True\n',
        'mysite/settings/test.py': 'from .base import *\n',
      }),
      {
        'mysite/settings/base.py': 'base: only reached from mysite/settings/dev.py, mysite/settings/production.py',
        'mysite/settings/dev.py': 'development: named like a development module (dev)',
        'mysite/settings/production.py': 'production (explicit): run where the site is deployed (mysite/wsgi.py)',
      },
    );
  });

  test('a star import under a condition does not make the module what it imports', async () => {
    const found = await roles({
      'proj/wsgi.py': wsgi('proj.settings'),
      'proj/settings/__init__.py': 'import sys\nTESTING = "test" in sys.argv[:2]\nfrom .base import *\nif TESTING:\n    from .test import *\n',
      'proj/settings/base.py': FULL,
      'proj/settings/test.py': 'from .base import *\n',
    });
    assert.equal(found['proj/settings/__init__.py'], 'production (explicit): run where the site is deployed (proj/wsgi.py)');
    assert.equal(found['proj/settings/test.py'], 'test: named like a test module (test)');
  });

  test('named only by a build step: development, beside the module deployed', async () => {
    assert.deepEqual(
      await roles({
        Dockerfile: 'FROM python:3.12\nRUN DJANGO_SETTINGS_MODULE=app.settings.static python manage.py collectstatic --noinput\n',
        'app/settings/__init__.py': '',
        'app/settings/base.py': FULL,
        'app/settings/static.py': 'from app.settings.base import *\nDEBUG = False\n',
        'app/settings/deployed.py': 'from app.settings.base import *\nSECRET_KEY = "x"\n',
      }),
      {
        'app/settings/base.py': 'base: only reached from app/settings/deployed.py, app/settings/static.py',
        'app/settings/deployed.py': 'production: no other settings module is production',
        'app/settings/static.py': 'development: named only by a build step (a RUN line of a Dockerfile, such as collectstatic), which serves no requests',
      },
    );
  });

  test('named like production or staging, when something runs it', async () => {
    assert.deepEqual(
      await roles({
        'mysite/settings/base.py': FULL,
        'mysite/settings/prod.py': 'from .base import *\n',
        'mysite/settings/staging.py': 'from .base import *\n',
        'mysite/settings/local.py': 'from .base import *\n',
        'mysite/settings/ci.py': 'from .base import *\n',
      }),
      {
        'mysite/settings/base.py': 'base: only reached from mysite/settings/ci.py, mysite/settings/local.py, mysite/settings/prod.py, mysite/settings/staging.py',
        'mysite/settings/ci.py': 'test: named like a test module (ci)',
        'mysite/settings/local.py': 'development: named like a development module (local)',
        'mysite/settings/prod.py': 'production (explicit): named like a production module (prod)',
        'mysite/settings/staging.py': 'production (explicit): named like a production module (staging)',
      },
    );
  });

  test('a test module star-importing the real one does not demote it', async () => {
    assert.deepEqual(
      await roles({
        'manage.py': manage('dojo.settings.settings'),
        'dojo/wsgi.py': wsgi('dojo.settings.settings'),
        'dojo/settings/settings.py': FULL,
        'dojo/settings/unittests.py': 'from .settings import *\nDEBUG = True\n',
      }),
      {
        'dojo/settings/settings.py': 'production: run where the site is deployed (dojo/wsgi.py)',
        'dojo/settings/unittests.py': 'test: named like a test module (unittests)',
      },
    );
  });

  test('a module built on a development module is development (docker.py on dev.py)', async () => {
    assert.deepEqual(
      await roles({
        'manage.py': manage('mysite.settings.docker'),
        'mysite/wsgi.py': wsgi('mysite.settings.production'),
        'mysite/settings/base.py': FULL,
        'mysite/settings/dev.py': 'from .base import *\nDEBUG = True\n',
        'mysite/settings/docker.py': 'from .dev import *\n',
        'mysite/settings/production.py': 'from .base import *\n',
      }),
      {
        'mysite/settings/base.py': 'base: only reached from mysite/settings/dev.py, mysite/settings/production.py',
        'mysite/settings/dev.py': 'development: named like a development module (dev)',
        'mysite/settings/docker.py': 'development: star-imports mysite/settings/dev.py, a development module',
        'mysite/settings/production.py': 'production (explicit): run where the site is deployed (mysite/wsgi.py)',
      },
    );
  });

  test('a component named for a tool (debug_toolbar) does not make the module taking it in development', async () => {
    assert.deepEqual(
      await roles({
        'config/wsgi.py': wsgi('config.django.base'),
        'config/django/base.py': `${FULL}from config.settings.debug_toolbar.settings import *\n`,
        'config/settings/debug_toolbar/settings.py': 'DEBUG_TOOLBAR_ENABLED = True\n',
        'config/django/production.py': 'from .base import *\nDEBUG = False\n',
      }),
      {
        'config/django/base.py': 'base: only a default in config/wsgi.py; config/django/production.py, named for production, star-imports it and is what a deployment selects',
        'config/django/production.py': 'production (explicit): named like a production module (production)',
        'config/settings/debug_toolbar/settings.py': 'development: in a debug_toolbar/ folder',
      },
    );
  });

  test("wsgi.py's default stays production when nothing named for production is built on it", async () => {
    assert.deepEqual(
      await roles({
        'config/wsgi.py': wsgi('config.django.base'),
        'config/django/base.py': FULL,
        'config/django/test.py': 'from .base import *\n',
      }),
      {
        'config/django/base.py': 'production (explicit): run where the site is deployed (config/wsgi.py)',
      },
    );
  });

  test('documentation builds and local compose files do not make production', async () => {
    assert.deepEqual(
      await roles({
        'docs/conf.py': 'os.environ["DJANGO_SETTINGS_MODULE"] = "docs.django_settings"\n',
        'docs/django_settings.py': FULL,
        'docker-compose.local.yml': 'services:\n  web:\n    environment:\n      - DJANGO_SETTINGS_MODULE=shop.conf\n',
        'shop/conf.py': FULL,
      }),
      {
        'docs/django_settings.py': 'development: named only by a documentation build',
        'shop/conf.py': 'development: named only where the project runs locally',
      },
    );
  });

  test('a settings package __init__ that only star-imports passes its naming on', async () => {
    assert.deepEqual(
      await roles({
        'manage.py': manage('mysite.settings'),
        'mysite/settings/__init__.py': 'from .production import *\n',
        'mysite/settings/production.py': SETTINGS,
      }),
      {
        'mysite/settings/__init__.py': 'fragment: only star-imports mysite/settings/production.py, judged instead',
        'mysite/settings/production.py': 'production: named like a production module (production)',
      },
    );
  });

  test('a settings package __init__ that assigns is a module', async () => {
    assert.deepEqual(await roles({ 'manage.py': manage('mysite.settings'), 'mysite/settings/__init__.py': 'DEBUG = False\n' }), {
      'mysite/settings/__init__.py': 'production: the module manage.py runs, and no other module is production',
    });
  });

  test('configured production modules make the others base or development', async () => {
    const files = {
      'mysite/settings/base.py': FULL,
      'mysite/settings/live.py': 'from .base import *\n',
      'mysite/settings/production.py': 'from .base import *\n',
      'mysite/settings/dev.py': 'from .base import *\n',
    };
    const expected = {
      'mysite/settings/base.py': 'base: only reached from other settings modules',
      'mysite/settings/dev.py': 'development: named like a development module (dev)',
      'mysite/settings/live.py': 'production (explicit): configured as a production settings module (production-settings)',
      'mysite/settings/production.py': 'development: not among the configured production modules (production-settings)',
    };
    assert.deepEqual(await roles(files, { productionSettings: ['mysite.settings.live'] }), expected);
    assert.deepEqual(await roles(files, { productionSettings: ['mysite/settings/live.py'] }), expected);
  });

  test('a configured module that does not exist is ignored', async () => {
    assert.deepEqual(await roles({ 'manage.py': manage('mysite.settings'), 'mysite/settings.py': SETTINGS }, { productionSettings: ['mysite.nothing'] }), {
      'mysite/settings.py': 'production: the module manage.py runs, and no other module is production',
    });
  });

  test('tests/settings.py is a test module; a component folder star-imported is base', async () => {
    assert.deepEqual(
      await roles({
        'pytest.ini': '[pytest]\nDJANGO_SETTINGS_MODULE = tests.settings\n',
        'tests/settings.py': FULL,
        'manage.py': manage('mysite.settings'),
        'mysite/settings/components/security.py': 'SECURE_SSL_REDIRECT = True\n',
        'mysite/settings/__init__.py': 'from .components.security import *\nDEBUG = False\n',
      }),
      {
        'mysite/settings/__init__.py': 'production: the module manage.py runs, and no other module is production',
        'mysite/settings/components/security.py': 'base: only reached from mysite/settings/__init__.py',
        'tests/settings.py': 'test: in a tests/ folder',
      },
    );
  });

  test('every reason is kept, in order', async () => {
    const project = await memoryProject({
      'manage.py': manage('mysite.settings.production'),
      'mysite/wsgi.py': wsgi('mysite.settings.production'),
      'mysite/settings/production.py': 'from .base import *\n',
      'mysite/settings/base.py': FULL,
    });
    assert.deepEqual(project.settingsModule(at('mysite/settings/production.py'))?.reasons, [
      'named by DJANGO_SETTINGS_MODULE in manage.py',
      'named by DJANGO_SETTINGS_MODULE in mysite/wsgi.py',
      'run where the site is deployed (mysite/wsgi.py)',
    ]);
    assert.deepEqual(project.settingsModule(at('mysite/settings/base.py'))?.reasons, [
      'assigns INSTALLED_APPS, MIDDLEWARE, ROOT_URLCONF',
      'star-imported by mysite/settings/production.py',
      'only reached from mysite/settings/production.py',
    ]);
  });

  test('productionModules and productionModulesReading', async () => {
    const project = await memoryProject({
      'manage.py': manage('mysite.settings.dev'),
      'mysite/wsgi.py': wsgi('mysite.settings.production'),
      'mysite/settings/base.py': SETTINGS,
      'mysite/settings/production.py': 'from .base import *\n',
      'mysite/settings/dev.py': 'from .base import *\n',
    });
    assert.deepEqual(
      project.productionModules().map((m) => project.relative(m.file)),
      ['mysite/settings/production.py'],
    );
    assert.deepEqual(
      project.productionModulesReading(at('mysite/settings/base.py')).map((m) => project.relative(m.file)),
      ['mysite/settings/production.py'],
    );
    assert.deepEqual(project.productionModulesReading(at('mysite/settings/dev.py')), []);
    assert.equal(project.settingsModule(at('mysite/settings/dev.py'))?.role, 'development');
    assert.equal(project.settingsModule(at('manage.py')), undefined);
  });
});

describe('naming', () => {
  const byName: [string, string | undefined][] = [
    ['settings/dev.py', 'development'],
    ['settings/local_settings.py', 'development'],
    ['settings/testing.py', 'test'],
    ['settings/unittests.py', 'test'],
    ['tests/settings.py', 'test'],
    ['settings/production.py', undefined],
    ['settings/devops.py', undefined],
    ['lib/site-packages/settings.py', undefined],
    ['guardian/testapp/testsettings.py', 'test'],
    ['devproject/settings.py', 'development'],
    ['testproject/settings.py', 'test'],
    ['latestproject/settings.py', undefined],
    ['contestsite/settings.py', undefined],
  ];
  for (const [file, expected] of byName) test(`roleByName(${file}) is ${expected}`, () => assert.equal(roleByName(file)?.role, expected));

  const production: [string, string | undefined][] = [
    ['settings/prod.py', 'prod'],
    ['settings/production.py', 'production'],
    ['settings/settings_live.py', 'live'],
    ['settings/products.py', undefined],
    ['settings/base.py', undefined],
  ];
  for (const [file, expected] of production) test(`productionWord(${file}) is ${expected}`, () => assert.equal(productionWord(file), expected));

  const never: [string, string, string[], string | undefined][] = [
    ['django/conf/global_settings.py', '', [], "Django's own django/conf/"],
    ['shop/management/commands/print_settings.py', '', [], 'a management command'],
    ['dojo/db_migrations/0027_settings.py', 'class Migration(migrations.Migration):\n', [], 'a migration'],
    ['wagtail/contrib/settings/models.py', '', ['apps.py', 'models.py'], 'a module of a Django app'],
    ['mysite/settings.py', '', ['settings.py', 'urls.py', 'wsgi.py'], undefined],
  ];
  for (const [file, text, siblings, expected] of never) {
    test(`neverSettings(${file}) is ${expected}`, () =>
      assert.equal(
        neverSettings(file, text, () => siblings),
        expected,
      ));
  }
});
