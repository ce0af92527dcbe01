import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { walkFiles } from '../../server/src/engine/project/walk';

describe('walkFiles', () => {
  let root: string;
  const rel = (files: string[]) => files.map((f) => path.relative(root, f).split(path.sep).join('/'));

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'walk-'));
    const files: Record<string, string> = {
      'manage.py': '',
      'mysite/settings.py': '',
      'mysite/templates/index.html': '',
      'mysite/migrations/0001_initial.py': '',
      'mysite/settings.fixed.py': '',
      'mysite/static/app.js': '',
      // The project's own scripts are read (what sends the CSRF token); built and vendored ones are not.
      'mysite/static/vendor/jquery.min.js': '',
      'frontend/src/app.js': '',
      'requirements.txt': '',
      'pyproject.toml': '',
      Pipfile: '',
      '.env': '',
      'node_modules/pkg/index.py': '',
      '.venv/lib/site.py': '',
      '.git/hooks/x.py': '',
      // A folder named env is only skipped when it is a virtual environment: it may be an app.
      'env/models.py': '',
      'myenv/pyvenv.cfg': 'home = /usr/bin\n',
      'myenv/lib/python3.12/site-packages/django/conf.py': '',
      'legacy/old_settings.py': '',
      'build/generated.py': '',
      // Where deployments name the settings module.
      Dockerfile: '',
      'compose/production/django/Dockerfile': '',
      'docker-compose.local.yml': '',
      Procfile: '',
      '.env.production': '',
      '.envs/.production/.django': '',
      'compose/notes.md': '',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    symlinkSync(root, path.join(root, 'mysite', 'loop'));
    symlinkSync(path.join(root, 'self'), path.join(root, 'self'));
    symlinkSync(path.join(root, 'nowhere'), path.join(root, 'broken'));
    symlinkSync(path.join(root, 'mysite'), path.join(root, 'alias'));
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  test('default excludes, virtual environments, links and uninteresting files', () => {
    const result = walkFiles([root], [], root);
    assert.deepEqual(rel(result.files), [
      '.env',
      '.env.production',
      '.envs/.production/.django',
      'Dockerfile',
      'Pipfile',
      'Procfile',
      'build/generated.py',
      'compose/production/django/Dockerfile',
      'docker-compose.local.yml',
      'env/models.py',
      'legacy/old_settings.py',
      'manage.py',
      'mysite/settings.py',
      'mysite/static/app.js',
      'mysite/templates/index.html',
      'pyproject.toml',
      'requirements.txt',
    ]);
    // Links that lead nowhere are set apart: whether one matters depends on the file it stands for.
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      result.deadLinks.map((p) => [path.relative(root, p.file), p.message]),
      [
        ['broken', 'broken symbolic link'],
        ['self', 'symbolic link loop'],
      ],
    );
  });

  test('--exclude globs', () => {
    const result = walkFiles([root], ['legacy/', 'build/**', '**/templates'], root);
    assert.deepEqual(rel(result.files), [
      '.env',
      '.env.production',
      '.envs/.production/.django',
      'Dockerfile',
      'Pipfile',
      'Procfile',
      'compose/production/django/Dockerfile',
      'docker-compose.local.yml',
      'env/models.py',
      'manage.py',
      'mysite/settings.py',
      'mysite/static/app.js',
      'pyproject.toml',
      'requirements.txt',
    ]);
  });

  test('explicit paths are taken as given', () => {
    const result = walkFiles(['mysite/static/app.js', 'mysite/migrations', 'missing.py', 'mysite/settings.py'], [], root);
    assert.deepEqual(rel(result.files), ['mysite/migrations/0001_initial.py', 'mysite/settings.py', 'mysite/static/app.js']);
    assert.deepEqual(result.problems, [{ file: path.join(root, 'missing.py'), message: 'no such file or directory' }]);
  });

  test('a virtual environment given explicitly is walked, minus the excludes below it', () => {
    const result = walkFiles(['myenv'], [], root);
    assert.deepEqual(rel(result.files), ['myenv/pyvenv.cfg']);
  });

  test('a virtual environment is known by its pyvenv.cfg, a file or a link to one, not a folder of that name; a path exclude holds at any depth', () => {
    const other = mkdtempSync(path.join(tmpdir(), 'walk-markers-'));
    try {
      const write = (file: string) => {
        mkdirSync(path.dirname(path.join(other, file)), { recursive: true });
        writeFileSync(path.join(other, file), '');
      };
      for (const file of ['linked-env/lib.py', 'cfg/pyvenv.cfg', 'named/pyvenv.cfg/inside.py', 'named/app.py', 'deep/a/b/c/skip/me.py', 'deep/a/b/c/keep.py', 'deep/skip/kept.py']) write(file);
      symlinkSync(path.join(other, 'cfg', 'pyvenv.cfg'), path.join(other, 'linked-env', 'pyvenv.cfg'));
      const files = walkFiles([other], ['deep/a/b/c/skip'], other).files.map((f) => path.relative(other, f).split(path.sep).join('/'));
      // cfg/ holds a pyvenv.cfg file, so it is a virtual environment; linked-env/ links to that file.
      assert.deepEqual(files, ['deep/a/b/c/keep.py', 'deep/skip/kept.py', 'named/app.py', 'named/pyvenv.cfg/inside.py']);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('a folder a thousand levels deep is walked to its bottom', () => {
    const other = mkdtempSync(path.join(tmpdir(), 'walk-deep-'));
    try {
      const bottom = path.join(other, ...Array.from({ length: 1000 }, () => 'd'));
      mkdirSync(bottom, { recursive: true });
      writeFileSync(path.join(bottom, 'app.py'), '');
      assert.deepEqual(walkFiles([other], [], other).files, [path.join(bottom, 'app.py')]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('a folder of 150,000 files is walked whole', { timeout: 120_000 }, () => {
    const other = mkdtempSync(path.join(tmpdir(), 'walk-wide-'));
    try {
      for (let i = 0; i < 150_000; i++) writeFileSync(path.join(other, `m${i}.py`), '');
      const files = walkFiles([other], [], other).files;
      assert.equal(files.length, 150_000);
      assert.equal(files[0], path.join(other, 'm0.py'));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('a socket among the files is passed over', { skip: process.platform === 'win32' ? 'no Unix sockets' : false }, async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'walk-socket-'));
    const server = net.createServer();
    try {
      writeFileSync(path.join(other, 'app.py'), '');
      await new Promise<void>((resolve) => server.listen(path.join(other, 'socket.py'), resolve));
      assert.deepEqual(walkFiles([other], [], other).files, [path.join(other, 'app.py')]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('a folder reached through a link and directly is read once, under its real path', () => {
    const other = mkdtempSync(path.join(tmpdir(), 'walk-links-'));
    try {
      mkdirSync(path.join(other, 'real'));
      writeFileSync(path.join(other, 'real', 'settings.py'), '');
      symlinkSync(path.join(other, 'real'), path.join(other, 'a-link'));
      symlinkSync(path.join(other, 'real', 'settings.py'), path.join(other, 'b.py'));
      const files = walkFiles([other], [], other).files.map((f) => path.relative(other, f));
      assert.deepEqual(files, [path.join('real', 'settings.py')]);
      assert.deepEqual(walkFiles(['a-link'], [], other).files, [path.join(other, 'a-link', 'settings.py')]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
