/**
 * Project layouts met on real Django code bases, each a small project of our own under
 * test/fixtures/layouts/<name>/: what `django-hardener settings --format json` says of
 * every settings module (settings.snap), and the exact settings findings `check` prints
 * (findings.snap). Whatever the layout, no settings finding may land on a module that is not
 * a production or base settings module.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES, REPO_ROOT } from './support/fixtures';
import { matchSnapshot } from './support/snapshot';

const CLI = path.join(path.resolve(REPO_ROOT, process.env.DIST_DIR ?? 'dist'), 'cli.js');
const LAYOUTS = path.join(FIXTURES, 'layouts');

function cli(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface ModuleRecord {
  file: string;
  module: string;
  role: string;
  reasons: string[];
}

describe('settings modules of real-project layouts', () => {
  for (const name of readdirSync(LAYOUTS).sort()) {
    const dir = path.join(LAYOUTS, name);
    test(name, () => {
      const model = cli(dir, 'settings', '--format', 'json');
      assert.equal(model.code, 0, model.stderr);
      assert.equal(model.stderr, '');
      matchSnapshot(path.join(dir, 'settings.snap'), model.stdout, 'settings model');
      const modules = JSON.parse(model.stdout) as ModuleRecord[];
      const judged = new Set(modules.filter((m) => m.role === 'production' || m.role === 'base').map((m) => m.file));

      const check = cli(dir, 'check', '--select', 'DJH1', '--format', 'json');
      assert.ok(check.code === 0 || check.code === 1, check.stderr);
      const findings = JSON.parse(check.stdout) as { file: string; line: number; code: string }[];
      for (const finding of findings) assert.ok(judged.has(finding.file), `${finding.code} on ${finding.file}:${finding.line}, which is not a production or base settings module`);

      const text = cli(dir, 'check', '--select', 'DJH1');
      matchSnapshot(path.join(dir, 'findings.snap'), `${text.stdout}${text.stderr ? `--- stderr\n${text.stderr}` : ''}`, 'findings');
    });
  }
});
