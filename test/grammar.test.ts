/**
 * The django-html TextMate grammar, tokenized by vscode-textmate through
 * vscode-tmgrammar-test against the scope assertions in test/grammar/*.djhtml.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './support/fixtures';

test('the django-html grammar gives every asserted scope', () => {
  const cli = path.join(REPO_ROOT, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');
  const result = spawnSync(process.execPath, [cli, '-g', 'syntaxes/django-html.tmLanguage.json', 'test/grammar/*.djhtml'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const output = `${result.stdout}\n${result.stderr}`;
  assert.equal(result.status, 0, output);
  // Both sample files ran: a glob that matched nothing would also exit 0.
  assert.equal((output.match(/run successfuly/g) ?? []).length, 2, output);
});
