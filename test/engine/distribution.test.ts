import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPublished, publishedDistribution, type PackagingFiles } from '../../server/src/engine/project/distribution';

/** A repository of these files (relative path → text). */
function repository(files: Record<string, string>): PackagingFiles {
  const paths = Object.keys(files);
  const folders = new Set<string>();
  for (const file of paths) for (let at = file.indexOf('/'); at !== -1; at = file.indexOf('/', at + 1)) folders.add(file.slice(0, at));
  return {
    has: (relative) => relative in files,
    hasFolder: (relative) => folders.has(relative),
    packagesUnder: (where) => {
      const prefix = where ? `${where}/` : '';
      return [...folders].filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/') && `${f}/__init__.py` in files).map((f) => f.slice(prefix.length));
    },
    read: (relative) => files[relative],
  };
}

const LAYOUT = {
  'shop/__init__.py': '',
  'shop/apps.py': '',
  'example/__init__.py': '',
  'example/settings.py': 'DEBUG = True\n',
  'tests/__init__.py': '',
  'tests/settings.py': '',
};

describe('the distribution a repository publishes', () => {
  const cases: [string, Record<string, string>, { name: string; packages: string[] } | undefined][] = [
    [
      'hatchling with its wheel packages listed',
      { 'pyproject.toml': '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "django-shop"\n[tool.hatch.build.targets.wheel]\npackages = ["shop"]\n' },
      { name: 'django-shop', packages: ['shop'] },
    ],
    [
      'hatchling, by default the package named after the project',
      { 'pyproject.toml': '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "shop"\n' },
      { name: 'shop', packages: ['shop'] },
    ],
    [
      'setuptools find with include patterns',
      { 'pyproject.toml': '[build-system]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "django-shop"\n[tool.setuptools.packages.find]\ninclude = ["shop*"]\n' },
      { name: 'django-shop', packages: ['shop'] },
    ],
    [
      'setuptools find with exclude patterns keeps what is not excluded',
      { 'pyproject.toml': '[build-system]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "django-shop"\n[tool.setuptools.packages.find]\nexclude = ["tests*"]\n' },
      { name: 'django-shop', packages: ['example', 'shop'] },
    ],
    [
      'pdm-backend with the paths it includes, src/ and a package in it',
      {
        'pyproject.toml': '[build-system]\nbuild-backend = "pdm.backend"\n[project]\nname = "django-shop"\n[tool.pdm.build]\npackage-dir = "src"\nincludes = ["src", "src/shop"]\n',
        'src/shop/__init__.py': '',
      },
      { name: 'django-shop', packages: ['src'] },
    ],
    [
      'pdm-backend by default: every package in src/',
      { 'pyproject.toml': '[build-system]\nbuild-backend = "pdm.backend"\n[project]\nname = "django-shop"\n', 'src/shop/__init__.py': '', 'src/extra/__init__.py': '' },
      { name: 'django-shop', packages: ['src/extra', 'src/shop'] },
    ],
    [
      'pdm-backend including a glob: not told',
      { 'pyproject.toml': '[build-system]\nbuild-backend = "pdm.backend"\n[project]\nname = "django-shop"\n[tool.pdm.build]\nincludes = ["shop*"]\n' },
      undefined,
    ],
    [
      'setuptools with a list of packages, subpackages inside their parent',
      { 'pyproject.toml': '[build-system]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "django-shop"\n[tool.setuptools]\npackages = ["shop", "shop.admin"]\n' },
      { name: 'django-shop', packages: ['shop'] },
    ],
    [
      'Poetry with its packages listed, one from src',
      { 'pyproject.toml': '[build-system]\nbuild-backend = "poetry.core.masonry.api"\n[tool.poetry]\nname = "django-shop"\npackages = [{ include = "shop" }, { include = "extra", from = "src" }]\n' },
      { name: 'django-shop', packages: ['shop', 'src/extra'] },
    ],
    [
      'flit with its module named',
      { 'pyproject.toml': '[build-system]\nbuild-backend = "flit_core.buildapi"\n[project]\nname = "django-shop"\n[tool.flit.module]\nname = "shop"\n' },
      { name: 'django-shop', packages: ['shop'] },
    ],
    ['a setup.py listing its packages', { 'setup.py': 'from setuptools import setup\nsetup(name="django-shop", packages=["shop", "shop.admin"])\n' }, { name: 'django-shop', packages: ['shop'] }],
    [
      'a setup.py finding its packages with exclude',
      { 'setup.py': 'from setuptools import setup, find_packages\nsetup(\n    name="django-shop",\n    packages=find_packages(exclude=["tests", "tests.*", "example*"]),\n)\n' },
      { name: 'django-shop', packages: ['shop'] },
    ],
    ['an application: a pyproject.toml with tool settings only', { 'pyproject.toml': '[project]\nname = "shop"\n[tool.ruff]\nline-length = 100\n' }, undefined],
    ['a setup.py computing its packages', { 'setup.py': 'from setuptools import setup\nsetup(name="django-shop", packages=discover())\n' }, undefined],
    ['hatchling with no package named after the project', { 'pyproject.toml': '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "something-else"\n' }, undefined],
    ['a pyproject.toml that is not TOML', { 'pyproject.toml': '[build-system\nbuild-backend = \n' }, undefined],
  ];
  for (const [what, metadata, expected] of cases) {
    test(what, () => {
      const found = publishedDistribution(repository({ ...LAYOUT, 'src/extra/__init__.py': '', ...metadata }));
      assert.deepEqual(found && { name: found.name, packages: [...found.packages].sort() }, expected);
    });
  }

  test('a file is published when it lies inside a shipped package', () => {
    const distribution = { name: 'django-shop', packages: ['shop', 'src/extra'], from: 'test' };
    assert.equal(isPublished(distribution, 'shop/settings.py'), true);
    assert.equal(isPublished(distribution, 'src/extra/conf/settings.py'), true);
    assert.equal(isPublished(distribution, 'example/settings.py'), false);
    assert.equal(isPublished(distribution, 'shopping/settings.py'), false);
  });
});
