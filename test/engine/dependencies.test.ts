import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareVersions, DEPENDENCY_FILE_PATTERN, normaliseName, parseRequirement, readDependencies } from '../../server/src/engine/project/dependencies';
import { at, memoryProject } from './memory-project';

function declared(files: Record<string, string>): Record<string, [string, number[] | undefined, string]> {
  const deps = readDependencies(Object.entries(files).map(([file, text]) => ({ file, text })));
  const names = new Set<string>();
  for (const text of Object.values(files)) for (const m of text.matchAll(/[A-Za-z][\w.-]*/g)) names.add(normaliseName(m[0]));
  const result: Record<string, [string, number[] | undefined, string]> = {};
  for (const name of [...names].sort()) {
    const dep = deps.get(name);
    if (dep) result[dep.name] = [dep.specifier, dep.version, dep.file];
  }
  return result;
}

describe('requirement lines', () => {
  const cases: [string, string, string, number[] | undefined][] = [
    ['Django==4.2.7', 'django', '==4.2.7', [4, 2, 7]],
    ['Django>=4.2,<5.0', 'django', '>=4.2,<5.0', [4, 2]],
    ['Django<5.0,>=4.2', 'django', '<5.0,>=4.2', [4, 2]],
    ['django~=4.2.0', 'django', '~=4.2.0', [4, 2, 0]],
    ['django>4.2', 'django', '>4.2', undefined],
    ['django', 'django', '', undefined],
    ['django[argon2,bcrypt] == 5.0.1', 'django', '== 5.0.1', [5, 0, 1]],
    ['django>=4.2; python_version >= "3.10"', 'django', '>=4.2', [4, 2]],
    ['Django (>=3.2)', 'django', '(>=3.2)', [3, 2]],
    ['Django_CSP==3.8', 'django-csp', '==3.8', [3, 8]],
    ['django.csp==3.8', 'django-csp', '==3.8', [3, 8]],
    ['whitenoise===6.0', 'whitenoise', '===6.0', [6, 0]],
    ['django==4.2.*', 'django', '==4.2.*', [4, 2]],
    ['django==5.0rc1', 'django', '==5.0rc1', [5, 0]],
  ];
  for (const [line, name, specifier, version] of cases) {
    test(line, () => {
      assert.deepEqual(parseRequirement(line, 'r.txt'), { name, specifier, version, file: 'r.txt' });
    });
  }

  test('lines that are not requirements', () => {
    assert.equal(parseRequirement('-r base.txt', 'r.txt'), undefined);
    assert.equal(parseRequirement('# comment', 'r.txt'), undefined);
    assert.equal(parseRequirement('', 'r.txt'), undefined);
  });
});

describe('dependency files', () => {
  test('requirements files: comments, includes, options, extras, markers, hashes', () => {
    assert.deepEqual(
      declared({
        '/p/requirements.txt': [
          '# pinned for production',
          '-r requirements/base.txt',
          '--index-url https://example.invalid/simple',
          '-e git+https://example.invalid/x.git#egg=x',
          'Django==4.2.7  # LTS',
          'django-csp>=3.7 ; python_version >= "3.8"',
          'gunicorn[gevent]~=21.2',
          'whitenoise \\',
          '    --hash=sha256:abc',
          '',
        ].join('\r\n'),
        '/p/requirements-dev.txt': 'Django==5.0\npytest>=7\n',
      }),
      {
        django: ['==4.2.7', [4, 2, 7], '/p/requirements.txt'],
        'django-csp': ['>=3.7', [3, 7], '/p/requirements.txt'],
        gunicorn: ['~=21.2', [21, 2], '/p/requirements.txt'],
        pytest: ['>=7', [7], '/p/requirements-dev.txt'],
        whitenoise: ['', undefined, '/p/requirements.txt'],
      },
    );
  });

  test('a requirements/ folder', () => {
    assert.deepEqual(declared({ '/p/requirements/base.txt': 'Django>=4.2\n', '/p/requirements/production.txt': '-r base.txt\nsentry-sdk==1.0\n' }), {
      django: ['>=4.2', [4, 2], '/p/requirements/base.txt'],
      'sentry-sdk': ['==1.0', [1, 0], '/p/requirements/production.txt'],
    });
    assert.ok(DEPENDENCY_FILE_PATTERN.test('/p/requirements/base.txt'));
    assert.ok(DEPENDENCY_FILE_PATTERN.test('/p/requirements-prod.in'));
    assert.ok(!DEPENDENCY_FILE_PATTERN.test('/p/docs/requirements.md'));
  });

  test('pyproject: [project] dependencies, optional dependencies, groups and poetry', () => {
    assert.deepEqual(
      declared({
        '/p/pyproject.toml': [
          '[project]',
          'dependencies = ["Django>=4.2,<6", "django-environ"]',
          '[project.optional-dependencies]',
          'csp = ["django-csp==4.0"]',
          '[dependency-groups]',
          'dev = ["pytest>=8", {include-group = "lint"}]',
          '[tool.poetry.dependencies]',
          'python = "^3.11"',
          'whitenoise = "^6.5"',
          'gunicorn = { version = "~21.2", optional = true }',
          'celery = "*"',
          'redis = "5.0.1"',
          '',
        ].join('\n'),
      }),
      {
        celery: ['', undefined, '/p/pyproject.toml'],
        django: ['>=4.2,<6', [4, 2], '/p/pyproject.toml'],
        'django-csp': ['==4.0', [4, 0], '/p/pyproject.toml'],
        'django-environ': ['', undefined, '/p/pyproject.toml'],
        gunicorn: ['>=21.2', [21, 2], '/p/pyproject.toml'],
        pytest: ['>=8', [8], '/p/pyproject.toml'],
        redis: ['==5.0.1', [5, 0, 1], '/p/pyproject.toml'],
        whitenoise: ['>=6.5', [6, 5], '/p/pyproject.toml'],
      },
    );
  });

  test('Pipfile', () => {
    assert.deepEqual(declared({ '/p/Pipfile': '[packages]\ndjango = "==4.2"\nrequests = "*"\ncsp = {version = ">=3.7"}\n[dev-packages]\npytest = "~=8.0"\n' }), {
      csp: ['>=3.7', [3, 7], '/p/Pipfile'],
      django: ['==4.2', [4, 2], '/p/Pipfile'],
      pytest: ['~=8.0', [8, 0], '/p/Pipfile'],
      requests: ['', undefined, '/p/Pipfile'],
    });
  });

  test('setup.cfg install_requires', () => {
    assert.deepEqual(declared({ '/p/setup.cfg': '[metadata]\nname = x\n\n[options]\ninstall_requires =\n    Django>=4.2\n    # a comment\n    whitenoise\npackages = find:\n' }), {
      django: ['>=4.2', [4, 2], '/p/setup.cfg'],
      whitenoise: ['', undefined, '/p/setup.cfg'],
    });
    assert.deepEqual(declared({ '/q/setup.cfg': '[options]\ninstall_requires = Django>=5.0\n' }), { django: ['>=5.0', [5, 0], '/q/setup.cfg'] });
  });

  test('lock files give versions to declarations without one', () => {
    const poetryLock = '[[package]]\nname = "Django"\nversion = "4.2.11"\n\n[[package]]\nname = "asgiref"\nversion = "3.7.2"\n';
    const uvLock = 'version = 1\n[[package]]\nname = "django-csp"\nversion = "3.8"\n';
    assert.deepEqual(declared({ '/p/requirements.txt': 'django\ndjango-csp>=3\n', '/p/poetry.lock': poetryLock, '/p/uv.lock': uvLock }), {
      asgiref: ['==3.7.2', [3, 7, 2], '/p/poetry.lock'],
      django: ['==4.2.11', [4, 2, 11], '/p/poetry.lock'],
      'django-csp': ['>=3', [3], '/p/requirements.txt'],
    });
  });

  test('requirement files come first; the first declaration with a version wins', () => {
    const deps = readDependencies([
      { file: '/p/setup.cfg', text: '[options]\ninstall_requires =\n    Django>=3.2\n' },
      { file: '/p/pyproject.toml', text: '[project]\ndependencies = ["Django>=4.0"]\n' },
      { file: '/p/requirements/prod.txt', text: 'Django>=4.1\n' },
      { file: '/p/requirements.txt', text: 'Django>=4.2\n' },
    ]);
    assert.deepEqual(deps.get('django')?.version, [4, 2]);
    assert.deepEqual(deps.files, ['/p/requirements.txt', '/p/requirements/prod.txt', '/p/pyproject.toml', '/p/setup.cfg']);
    assert.equal(deps.has('DJANGO'), true);
    assert.equal(deps.has('flask'), false);
  });

  test('malformed files are ignored without throwing', () => {
    const deps = readDependencies([
      { file: '/p/pyproject.toml', text: '[project\ndependencies = ["Django>=4.2"' },
      { file: '/p/Pipfile', text: 'packages = = =' },
      { file: '/p/poetry.lock', text: '[[package]]\nname = 3\nversion = []\n' },
      { file: '/p/uv.lock', text: '\u0000\u0001' },
      { file: '/p/requirements.txt', text: 'whitenoise==6.0\n' },
    ]);
    assert.deepEqual(deps.files, ['/p/requirements.txt']);
    assert.equal(deps.has('django'), false);
    assert.deepEqual(deps.get('whitenoise')?.version, [6, 0]);
  });

  test('a project reads the dependency files among its files', async () => {
    const project = await memoryProject({ 'requirements/base.txt': 'Django==4.2.1\n', 'docs/requirements.md': 'Django==1.0\n', 'mysite/settings.py': '' });
    assert.deepEqual(project.djangoVersion, [4, 2, 1]);
    assert.deepEqual(project.dependencies.files, [at('requirements/base.txt')]);
  });
});

test('normaliseName', () => {
  assert.equal(normaliseName('Django_CSP'), 'django-csp');
  assert.equal(normaliseName(' django..environ '), 'django-environ');
  assert.equal(normaliseName('Flask-_-Login'), 'flask-login');
});

test('compareVersions', () => {
  assert.equal(compareVersions([4, 2], [4, 2, 0]), 0);
  assert.equal(Math.sign(compareVersions([4, 2], [4, 10])), -1);
  assert.equal(Math.sign(compareVersions([5], [4, 99, 99])), 1);
  assert.equal(Math.sign(compareVersions([3, 2, 1], [3, 2])), 1);
  assert.equal(Math.sign(compareVersions([3, 2], [3, 2, 1])), -1);
  assert.equal(compareVersions([], []), 0);
});
