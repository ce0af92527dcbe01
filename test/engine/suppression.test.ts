import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { foreignSuppressions, FOREIGN_CODES } from '../../server/src/engine/suppression';
import { ALL_RULES } from '../../server/src/engine/rules/registry';

const codes = (line: string) => [...foreignSuppressions(line)].sort();

describe("other linters' suppressions", () => {
  test('Ruff / flake8-bandit codes in a noqa comment, alone or among others', () => {
    assert.deepEqual(codes('x = 1  # noqa: S608'), ['DJH201']);
    assert.deepEqual(codes('x = 1  # noqa: E501, S308'), ['DJH203']);
    assert.deepEqual(codes('x = 1  # noqa:S105,S106 S107'), ['DJH209']);
    assert.deepEqual(codes('x = 1  # noqa: S610'), ['DJH201', 'DJH202']);
    assert.deepEqual(codes('x = 1  # noqa: E501'), []);
    // A bare noqa is ours already: it silences everything without this table.
    assert.deepEqual(codes('x = 1  # noqa'), []);
  });

  test('Bandit: bare nosec covers every rule a Bandit check covers; ids and names pick', () => {
    assert.deepEqual(codes('x = 1  # nosec'), ['DJH201', 'DJH202', 'DJH203', 'DJH209']);
    assert.deepEqual(codes('x = 1  # nosec B308,B703'), ['DJH203']);
    assert.deepEqual(codes('x = 1  # nosec: B608'), ['DJH201']);
    assert.deepEqual(codes('x = 1  # nosec hardcoded_password_string'), ['DJH209']);
    assert.deepEqual(codes('x = 1  # nosec B101'), []);
    assert.deepEqual(codes('x = "nosecret"  # a comment'), []);
  });

  test('Semgrep: bare nosemgrep covers every code rule; a rule id picks by what it names', () => {
    assert.deepEqual(codes('x = 1  # nosemgrep'), ['DJH201', 'DJH202', 'DJH203', 'DJH204', 'DJH205', 'DJH206', 'DJH207', 'DJH208', 'DJH209']);
    assert.deepEqual(codes('x = 1  # nosemgrep: python.django.security.audit.avoid-mark-safe.avoid-mark-safe'), ['DJH203', 'DJH204']);
    assert.deepEqual(codes('x = 1  # nosemgrep: python.django.security.injection.sql.sql-injection-using-raw'), ['DJH201', 'DJH202']);
    assert.deepEqual(codes('x = 1  # nosemgrep: python.django.security.audit.csrf-exempt'), ['DJH205']);
    assert.deepEqual(codes('x = 1  # nosemgrep: python.lang.security.audit.eval-detected'), []);
  });

  test('every mapped rule exists and is a code rule', () => {
    const python = new Set(ALL_RULES.filter((r) => r.meta.scope === 'python').map((r) => r.meta.code));
    for (const ours of Object.values(FOREIGN_CODES).flat()) assert.ok(python.has(ours), `${ours} is not a Python code rule`);
  });
});
