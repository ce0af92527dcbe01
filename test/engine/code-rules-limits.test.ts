/**
 * Inputs that once made the code rules slow (quadratic work over long chains and long
 * templates) or overflow the stack (recursion over the code's nesting). Each is generated
 * here; the analysis must finish (the runner's timeout guards against a hang; `npm run
 * bench` measures speed), never throw, and keep the findings, saying where it stopped.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeFile } from '../../server/src/engine/analyze';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import type { AnalysisNote } from '../../server/src/engine/guarded';
import type { Finding } from '../../server/src/engine/types';
import { at, memoryProject } from './memory-project';

const SQL_HEADER = 'from django.db import connection\n\n\ndef view(x):\n    with connection.cursor() as cursor:\n';
const HTML_HEADER = 'from django.utils.safestring import mark_safe\n\n\ndef view(x):\n';
/** A guard against a hang, far above what each case takes. */
const GUARD = { timeout: 60_000 };

async function findingsOf(text: string, file = 'app/views.py'): Promise<Finding[]> {
  const project = await memoryProject({ 'manage.py': '', [file]: text });
  const notes: AnalysisNote[] = [];
  const findings = analyzeFile(project, at(file), { config: DEFAULT_CONFIG, log: (note) => notes.push(note) });
  assert.deepEqual(notes, [], 'a rule failed or stopped');
  return findings;
}

function codes(findings: Finding[]): string[] {
  return findings.map((f) => `${f.code}:${f.severity}:${f.range.start.line + 1}`).sort();
}

describe('code rules on very long and very deep expressions', () => {
  test('an SQL f-string with 8,000 fields (112 KB)', GUARD, async () => {
    const fields = Array.from({ length: 8000 }, () => "col = '{x}' OR ").join('');
    const findings = await findingsOf(`${SQL_HEADER}        cursor.execute(f"SELECT 1 FROM t WHERE ${fields}1 = 1")\n`);
    assert.deepEqual(codes(findings), ['DJH201:warning:6']);
    assert.equal(findings[0].fixes.length, 1, 'a template of this size is still parameterized');
  });

  test('`"SELECT 1" + " a = \'" + x + "\'"` repeated 1,500 times in one expression', GUARD, async () => {
    const chain = Array.from({ length: 1500 }, () => `"SELECT 1" + " a = '" + x + "'"`).join(' + ');
    const findings = await findingsOf(`${SQL_HEADER}        cursor.execute(${chain})\n`);
    assert.deepEqual(codes(findings), ['DJH201:warning:6']);
  });

  test('the same statement on 1,500 lines, and 1,500 `sql +=` steps', GUARD, async () => {
    const lines = Array.from({ length: 1500 }, () => `        cursor.execute("SELECT 1" + " a = '" + x + "'")\n`).join('');
    assert.equal((await findingsOf(SQL_HEADER + lines)).length, 1500);
    const steps = Array.from({ length: 1500 }, () => `    sql += "SELECT 1" + " a = '" + x + "'"\n`).join('');
    const built = await findingsOf(`from django.db import connection\n\n\ndef view(x):\n    sql = ""\n${steps}    with connection.cursor() as cursor:\n        cursor.execute(sql)\n`);
    assert.deepEqual(codes(built), ['DJH201:warning:1507']);
  });

  test('a `+` chain of 25,000 terms in mark_safe(), past the build limit: reported, no fix, said so', GUARD, async () => {
    const chain = Array.from({ length: 25000 }, () => 'x').join(' + ');
    const findings = await findingsOf(`${HTML_HEADER}    return mark_safe("<b>" + ${chain})\n`);
    assert.deepEqual(codes(findings), ['DJH203:info:5']);
    assert.equal(findings[0].fixes.length, 0);
    assert.match(findings[0].message, /larger than the analysis follows \(20,000 parts or 48 nested strings\), so no fix is offered/);
  });

  test('10,000 nested parentheses around SQL and HTML', GUARD, async () => {
    const open = '('.repeat(10000);
    const close = ')'.repeat(10000);
    const text = `from django.db import connection\nfrom django.utils.safestring import mark_safe\n\n\ndef view(x):\n    with connection.cursor() as cursor:\n        cursor.execute(${open}"SELECT 1 WHERE a = " + x${close})\n    return mark_safe(${open}"<b>" + x${close})\n`;
    assert.deepEqual(codes(await findingsOf(text)), ['DJH201:warning:7', 'DJH203:info:8']);
  });

  test('a 100,000-character name ending in _PASSWORD: reported, and no variable named after it', GUARD, async () => {
    const findings = await findingsOf(`${'A'.repeat(100000)}_PASSWORD = "hunter2xyz"\n`, 'app/accounts.py');
    assert.deepEqual(codes(findings), ['DJH209:warning:1']);
    assert.equal(findings[0].fixes.length, 0);
  });

  test('a str.format() field name of 50,000 characters with an invalid conversion', GUARD, async () => {
    const findings = await findingsOf(`${SQL_HEADER}        cursor.execute("SELECT {${'a'.repeat(50000)}!z} %s".format(x))\n`);
    // Not a valid template: the whole formatted text is SQL of unknown origin (a note), not a value to parameterize.
    assert.deepEqual(codes(findings), ['DJH201:info:6']);
  });

  test('a chain of 1,500 local variables each built from the previous one', GUARD, async () => {
    const steps = Array.from({ length: 1500 }, (_, i) => `    s${i + 1} = s${i} + "a = '" + x + "'"\n`).join('');
    const text = `from django.db import connection\n\n\ndef view(x):\n    s0 = "SELECT 1 WHERE "\n${steps}    with connection.cursor() as cursor:\n        cursor.execute(s1500)\n`;
    assert.deepEqual(codes(await findingsOf(text)), ['DJH201:warning:1507']);
  });
});
