/**
 * README.md stays true: its first lines keep the two setup commands under Development, and
 * every shell command of its user sections runs, offline, on the example project as a user
 * would type it (`django-hardener` being the built command line).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CLI, copyOf, tempDir } from './support/cli-run';
import { REPO_ROOT } from './support/fixtures';

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const EXAMPLE = path.join(REPO_ROOT, 'examples', 'insecure-project');

/** The README's `## ` sections, in order, with their text. */
function sections(markdown: string): { title: string; body: string }[] {
  return markdown
    .split(/^## /m)
    .slice(1)
    .map((part) => ({ title: part.slice(0, part.indexOf('\n')).trim(), body: part.slice(part.indexOf('\n') + 1) }));
}

/** The lines of the ```sh blocks of a Markdown text. */
function shellCommands(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap((block) => block[1].split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')));
}

describe('README.md', () => {
  test('starts with what it is, then the two setup commands at the top of Development', () => {
    const all = sections(README);
    assert.equal(all[0].title, 'Development');
    assert.ok(all[0].body.startsWith('\n```sh\nnpm ci && npm run package && node dist/cli.js check examples/insecure-project\nnpm test\n```\n'));
    assert.deepEqual(
      all.slice(1, 6).map((s) => s.title),
      ['Install', 'First check', 'In CI and pre-commit', 'Configuration', 'Suppressing a finding'],
    );
  });

  const user = sections(README).filter((s) => s.title !== 'Development' && s.title !== 'Rules');
  const commands = user.flatMap((s) => shellCommands(s.body).map((command) => ({ section: s.title, command })));

  test('its user sections have shell commands to run', () => {
    assert.ok(commands.length >= 6, JSON.stringify(commands));
    assert.ok(commands.every(({ command }) => command.startsWith('django-hardener ')));
  });

  for (const { section, command } of commands) {
    test(`${section}: \`${command}\` runs on the example project`, () => {
      const project = copyOf(EXAMPLE);
      const bin = path.join(tempDir(), 'bin');
      mkdirSync(bin);
      const shim = path.join(bin, 'django-hardener');
      writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      chmodSync(shim, 0o755);
      const run = spawnSync('sh', ['-c', command], { cwd: project, encoding: 'utf8', env: { PATH: `${bin}${path.delimiter}/usr/bin${path.delimiter}/bin`, HOME: project } });
      // The example has problems to show: 1 is the expected answer of a check, 0 of a diff.
      assert.ok(run.status === 0 || run.status === 1, `exit ${run.status}\n${run.stdout}\n${run.stderr}`);
      assert.doesNotMatch(run.stderr, /\berror\b/, run.stderr);
      const output = /--output-file (\S+)/.exec(command)?.[1];
      if (output) assert.ok(readFileSync(path.join(project, output), 'utf8').length > 0, `${output} was written`);
      else assert.notEqual(run.stdout, '', 'it prints its report');
    });
  }

  test('every relative link of the README and docs/ names a file that exists', () => {
    const pages = ['README.md', 'CHANGELOG.md', 'docs/ci.md', 'docs/development.md'];
    for (const page of pages) {
      const text = readFileSync(path.join(REPO_ROOT, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
        const file = path.resolve(path.dirname(path.join(REPO_ROOT, page)), target.split('#')[0]);
        assert.ok(existsSync(file), `${page} links to ${target}, which does not exist`);
      }
    }
  });
});
