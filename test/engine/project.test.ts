import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSettingsFileByName, looksLikeDevelopment, looksLikeProduction, settingsModuleReferences } from '../../server/src/engine/project/discovery';
import type { HardenerConfig } from '../../server/src/engine/config';
import { at, memoryProject } from './memory-project';

/** `relative path → role (explicit)` for every settings module found. */
async function roles(files: Record<string, string>, config: Partial<HardenerConfig> = {}): Promise<Record<string, string>> {
  const project = await memoryProject(files, config);
  return Object.fromEntries(project.settingsModules().map((m) => [project.relative(m.file), `${m.role}${m.explicit ? ' (explicit)' : ''}: ${m.reason}`]));
}

const SETTINGS = 'DEBUG = False\n';

describe('DJANGO_SETTINGS_MODULE references', () => {
  const cases: [string, string, string[]][] = [
    ['manage.py', 'import os\n\ndef main():\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.config.main")\n', ['mysite.config.main']],
    ['manage.py', "os.environ.setdefault('DJANGO_SETTINGS_MODULE', r'a.b')\n", ['a.b']],
    ['manage.py', '# os.environ.setdefault("DJANGO_SETTINGS_MODULE", "old.settings")\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "new.settings")\n', ['new.settings']],
    ['wsgi.py', 'os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.live"\n', ['mysite.live']],
    ['asgi.py', 'os.environ.update({"DJANGO_SETTINGS_MODULE": "mysite.asgi_conf"})\n', ['mysite.asgi_conf']],
    ['asgi.py', 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"mysite.{name}")\n', []],
    ['pytest.ini', '[pytest]\nDJANGO_SETTINGS_MODULE = mysite.test_conf\npython_files = tests.py\n', ['mysite.test_conf']],
    ['pytest.ini', '[pytest]\naddopts = --ds=mysite.ds_conf --reuse-db\n', ['mysite.ds_conf']],
    ['pytest.ini', '[pytest]\n# DJANGO_SETTINGS_MODULE = mysite.commented\n', []],
    ['pyproject.toml', '[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "mysite.toml_conf"\n', ['mysite.toml_conf']],
    ['setup.cfg', '[tool:pytest]\nDJANGO_SETTINGS_MODULE = mysite.cfg_conf\n', ['mysite.cfg_conf']],
    ['tox.ini', '[pytest]\nDJANGO_SETTINGS_MODULE=mysite.tox_conf\n', ['mysite.tox_conf']],
    ['.env', 'DJANGO_SETTINGS_MODULE=mysite.env_conf\n', ['mysite.env_conf']],
    ['.env', 'export DJANGO_SETTINGS_MODULE="mysite.exported"\n', ['mysite.exported']],
    ['.env', "  DJANGO_SETTINGS_MODULE = 'mysite.spaced'\n", ['mysite.spaced']],
  ];
  for (const [file, text, expected] of cases) {
    test(`${file}: ${text.trim().split('\n').pop()}`, () => {
      assert.deepEqual(settingsModuleReferences(file, text), expected);
    });
  }

  test('a module named only by manage.py is a settings module', async () => {
    assert.deepEqual(
      await roles({
        'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.config.main")\n',
        'mysite/config/main.py': SETTINGS,
        'mysite/config/other.py': SETTINGS,
      }),
      { 'mysite/config/main.py': 'production: DJANGO_SETTINGS_MODULE in manage.py' },
    );
  });

  for (const [file, text] of [
    ['mysite/wsgi.py', 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.conf")\n'],
    ['mysite/asgi.py', 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.conf")\n'],
    ['pytest.ini', '[pytest]\nDJANGO_SETTINGS_MODULE = mysite.conf\n'],
    ['pyproject.toml', '[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "mysite.conf"\n'],
    ['setup.cfg', '[tool:pytest]\nDJANGO_SETTINGS_MODULE = mysite.conf\n'],
    ['tox.ini', '[pytest]\nDJANGO_SETTINGS_MODULE = mysite.conf\n'],
    ['.env', 'export DJANGO_SETTINGS_MODULE=mysite.conf\n'],
  ]) {
    test(`a module named by ${file} is a settings module`, async () => {
      assert.deepEqual(await roles({ [file]: text, 'mysite/conf.py': SETTINGS }), {
        'mysite/conf.py': `production: DJANGO_SETTINGS_MODULE in ${file}`,
      });
    });
  }

  test('a src/ layout resolves dotted names below src', async () => {
    const project = await memoryProject({
      'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.conf")\n',
      'src/mysite/conf.py': 'from .base_conf import *\nDEBUG = False\n',
      'src/mysite/base_conf.py': 'SECRET_KEY = "x"\n',
    });
    assert.equal(project.resolveDotted('mysite.conf'), at('src/mysite/conf.py'));
    assert.deepEqual(
      project.settingsModules().map((m) => [project.relative(m.file), m.role]),
      [['src/mysite/conf.py', 'production']],
    );
    assert.deepEqual(project.chainOf(at('src/mysite/conf.py')), [at('src/mysite/conf.py'), at('src/mysite/base_conf.py')]);
  });

  test('a project nested below the root resolves through manage.py and path suffixes', async () => {
    const project = await memoryProject({
      'backend/manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")\n',
      'backend/core/settings.py': SETTINGS,
      'deploy/app/conf/__init__.py': '',
    });
    assert.equal(project.resolveDotted('core.settings'), at('backend/core/settings.py'));
    assert.equal(project.resolveDotted('app.conf'), at('deploy/app/conf/__init__.py'));
    assert.equal(project.resolveDotted('no.such'), undefined);
  });
});

describe('roles', () => {
  test('a lone settings.py is production, not explicitly', async () => {
    const project = await memoryProject({ 'mysite/settings.py': SETTINGS });
    assert.deepEqual(project.settingsModules(), [{ file: at('mysite/settings.py'), role: 'production', reason: 'named like a settings module', explicit: false }]);
  });

  test('split settings: base, production names, development names', async () => {
    assert.deepEqual(
      await roles({
        'mysite/settings/__init__.py': '',
        'mysite/settings/base.py': 'DEBUG = False\n',
        'mysite/settings/production.py': 'from .base import *\n',
        'mysite/settings/prod.py': 'from .base import *\n',
        'mysite/settings/staging.py': 'from .base import *\n',
        'mysite/settings/dev.py': 'from .base import *\nDEBUG = True\n',
        'mysite/settings/local.py': 'from .base import *\n',
        'mysite/settings/test.py': 'from .base import *\n',
        'mysite/settings/ci.py': 'from .base import *\n',
        'mysite/settings/test_settings.py': 'from .base import *\n',
      }),
      {
        'mysite/settings/base.py': 'base: star-imported by another settings module',
        'mysite/settings/ci.py': 'development: named like a development module',
        'mysite/settings/dev.py': 'development: named like a development module',
        'mysite/settings/local.py': 'development: named like a development module',
        'mysite/settings/prod.py': 'production (explicit): named like a production module',
        'mysite/settings/production.py': 'production (explicit): named like a production module',
        'mysite/settings/staging.py': 'production (explicit): named like a production module',
        'mysite/settings/test.py': 'development: named like a development module',
        'mysite/settings/test_settings.py': 'development: named like a development module',
      },
    );
  });

  test('a settings package __init__ that only imports is not a module of its own', async () => {
    assert.deepEqual(
      await roles({
        'mysite/settings/__init__.py': 'from .production import *\n',
        'mysite/settings/production.py': SETTINGS,
      }),
      { 'mysite/settings/production.py': 'production (explicit): named like a production module' },
    );
  });

  test('a settings package __init__ that assigns is a module', async () => {
    assert.deepEqual(
      await roles({
        'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
        'mysite/settings/__init__.py': 'DEBUG = False\n',
      }),
      { 'mysite/settings/__init__.py': 'production: DJANGO_SETTINGS_MODULE in manage.py' },
    );
  });

  test('configured production modules make the others base or development', async () => {
    const files = {
      'mysite/settings/base.py': SETTINGS,
      'mysite/settings/live.py': 'from .base import *\n',
      'mysite/settings/production.py': 'from .base import *\n',
      'mysite/settings/dev.py': 'from .base import *\n',
    };
    const expected = {
      'mysite/settings/base.py': 'base: not among the configured production modules',
      'mysite/settings/dev.py': 'development: not among the configured production modules',
      'mysite/settings/live.py': 'production (explicit): configured as production',
      'mysite/settings/production.py': 'base: not among the configured production modules',
    };
    assert.deepEqual(await roles(files, { productionSettings: ['mysite.settings.live'] }), expected);
    assert.deepEqual(await roles(files, { productionSettings: ['mysite/settings/live.py'] }), expected);
  });

  test('a configured module that does not exist is ignored', async () => {
    assert.deepEqual(await roles({ 'mysite/settings.py': SETTINGS }, { productionSettings: ['mysite.nothing'] }), {
      'mysite/settings.py': 'production: named like a settings module',
    });
  });

  test('a configured module outside the naming patterns is found', async () => {
    assert.deepEqual(await roles({ 'deploy/conf.py': SETTINGS, 'mysite/settings.py': SETTINGS }, { productionSettings: ['deploy/conf.py'] }), {
      'deploy/conf.py': 'production (explicit): configured as production',
      'mysite/settings.py': 'base: not among the configured production modules',
    });
  });

  test('tests/settings.py is development; nested component folders are not settings modules', async () => {
    assert.deepEqual(
      await roles({
        'tests/settings.py': SETTINGS,
        'mysite/settings/components/security.py': 'SECURE_SSL_REDIRECT = True\n',
        'mysite/settings/__init__.py': 'from .components.security import *\nDEBUG = False\n',
      }),
      {
        'mysite/settings/__init__.py': 'production: named like a settings module',
        'tests/settings.py': 'development: named like a development module',
      },
    );
  });

  test('productionModules and productionModulesReading', async () => {
    const project = await memoryProject({
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
  const byName: [string, boolean][] = [
    ['settings.py', true],
    ['mysite/settings.py', true],
    ['mysite/settings/base.py', true],
    ['mysite/settings/components/db.py', false],
    ['mysite/test_settings.py', true],
    ['mysite/settings_prod.py', true],
    ['mysite/mysettings.py', false],
    ['mysite/settings.txt', false],
  ];
  for (const [file, expected] of byName) test(`isSettingsFileByName(${file}) is ${expected}`, () => assert.equal(isSettingsFileByName(file), expected));

  const development: [string, boolean][] = [
    ['settings/dev.py', true],
    ['settings/local_settings.py', true],
    ['settings/testing.py', true],
    ['tests/settings.py', true],
    ['settings/production.py', false],
    ['settings/devops.py', false],
    ['lib/site-packages/settings.py', false],
  ];
  for (const [file, expected] of development) test(`looksLikeDevelopment(${file}) is ${expected}`, () => assert.equal(looksLikeDevelopment(file), expected));

  const production: [string, boolean][] = [
    ['settings/prod.py', true],
    ['settings/production.py', true],
    ['settings/settings_live.py', true],
    ['settings/products.py', false],
    ['settings/base.py', false],
  ];
  for (const [file, expected] of production) test(`looksLikeProduction(${file}) is ${expected}`, () => assert.equal(looksLikeProduction(file), expected));
});
