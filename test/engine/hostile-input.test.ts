/**
 * Hostile input of the kind, generated: each case ends with the exact result, and
 * its time limit guards against a hang (each took a minute or more before its path was made
 * linear, or overflowed the stack). Not a speed measure: `npm run bench` is.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeFile, analyzeProjectSettings, type AnalysisNote } from '../../server/src/engine/analyze';
import { MAX_EXPRESSION_DEPTH } from '../../server/src/engine/settings/evaluate-expression';
import { MAX_IMPORT_DEPTH } from '../../server/src/engine/project/project';
import { VALUE_LIMITS } from '../../server/src/engine/settings/values';
import { tokenize } from '../../server/src/engine/templates/lexer';
import { at, memoryProject, plain } from './memory-project';

const HANG_GUARD = { timeout: 60_000 };

/** The findings of one template, and the notes of its analysis. */
async function templateFindings(text: string): Promise<{ codes: Map<string, number>; notes: AnalysisNote[]; first?: { line: number; character: number } }> {
  const project = await memoryProject({ 'shop/apps.py': '', 'shop/templates/shop/page.html': text });
  const notes: AnalysisNote[] = [];
  const findings = analyzeFile(project, at('shop/templates/shop/page.html'), { config: project.config, log: (note) => notes.push(note) });
  const codes = new Map<string, number>();
  for (const finding of findings) codes.set(finding.code, (codes.get(finding.code) ?? 0) + 1);
  return { codes, notes, first: findings[0]?.range.start };
}

/** The settings analysis of a project whose production module is `shop/settings.py`. */
async function settingsOf(files: Record<string, string>) {
  const project = await memoryProject({ 'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n', ...files });
  const notes: AnalysisNote[] = [];
  const result = analyzeProjectSettings(project, { config: { ...project.config, select: ['DJH101'] }, log: (note) => notes.push(note) });
  return { project, result, notes, evaluated: project.evaluate(at('shop/settings.py'))! };
}

describe('hostile templates', () => {
  test('20,000 lines of <form method="post"></form>: every form reported, with its fix', HANG_GUARD, async () => {
    const { codes, notes, first } = await templateFindings('<form method="post">\n</form>\n'.repeat(20_000));
    assert.deepEqual([...codes], [['DJH301', 20_000]]);
    assert.deepEqual(notes, []);
    assert.deepEqual(first, { line: 0, character: 0 });
  });

  test('a line of 200,000 tag openers without closers is one text token', HANG_GUARD, () => {
    const text = '{{'.repeat(100_000) + '{%'.repeat(100_000) + '\n' + '{#'.repeat(100_000);
    assert.deepEqual(
      tokenize(text).map((t) => [t.kind, t.start, t.end]),
      [['text', 0, text.length]],
    );
  });

  test('20,000 unquoted attribute variables on one line: each reported once', HANG_GUARD, async () => {
    const line = '<a ' + Array.from({ length: 20_000 }, (_, i) => `data-${i}={{ v }}`).join(' ') + '>x</a>\n';
    const { codes, notes } = await templateFindings(line);
    assert.deepEqual([...codes], [['DJH305', 20_000]]);
    assert.deepEqual(notes, []);
  });

  test('20,000 forms open at once and 2,000 tokens: the form rules stop with a note', HANG_GUARD, async () => {
    const { codes, notes } = await templateFindings('<form method="post">\n'.repeat(20_000) + '{% if x %}{% csrf_token %}{% endif %}\n'.repeat(2_000) + '{{ note|safe }}\n');
    assert.deepEqual([...codes], [['DJH303', 1]]);
    assert.deepEqual(
      notes.map((n) => [n.kind, n.code, n.message]),
      [
        ['limit', 'DJH301', 'more than 64 forms are open at once'],
        ['limit', 'DJH302', 'more than 64 forms are open at once'],
      ],
    );
  });

  test('an {% if %} with 200,000 branches, and 20,000 end tags whose opener is not open', HANG_GUARD, async () => {
    const text = '<form method="post">{% if a %}' + '{% elif b %}x'.repeat(200_000) + '{% endif %}</form>\n' + '{% if x %}'.repeat(20_000) + '{% endfor %}'.repeat(20_000);
    const { codes, notes } = await templateFindings(text);
    assert.deepEqual([...codes], [['DJH301', 1]]);
    assert.deepEqual(notes, []);
  });
});

describe('hostile settings modules', () => {
  test('DEBUG = True assigned 50,000 times: reported once, on the last line', HANG_GUARD, async () => {
    const { result, evaluated } = await settingsOf({ 'shop/settings.py': 'DEBUG = True\n'.repeat(50_000) });
    assert.deepEqual(
      result.findings.map((f) => [f.code, f.range.start.line]),
      [['DJH101', 49_999]],
    );
    assert.equal(evaluated.settings.get('DEBUG')!.history.length, 50_000);
  });

  test(`a list appended to 50,000 times is known up to ${VALUE_LIMITS.items} items, then unknown`, HANG_GUARD, async () => {
    const { evaluated } = await settingsOf({ 'shop/settings.py': 'MIDDLEWARE = []\n' + 'MIDDLEWARE.append("x")\n'.repeat(50_000) + 'SMALL = []\n' + 'SMALL += ["y"]\n'.repeat(VALUE_LIMITS.items) });
    assert.deepEqual(plain(evaluated.settings.get('MIDDLEWARE')!.value), { kind: 'unknown' });
    const small = evaluated.settings.get('SMALL')!.value;
    assert.equal(small.kind === 'list' && small.items.length, VALUE_LIMITS.items);
  });

  test(`expressions nested past ${MAX_EXPRESSION_DEPTH} levels are unknown, with a note; a chain of 20,000 + is read`, HANG_GUARD, async () => {
    const text = 'DEBUG = ' + '('.repeat(10_000) + 'True' + ')'.repeat(10_000) + '\nNAME = ' + Array(20_000).fill('"a"').join(' + ') + '\nFLAG = ' + 'not '.repeat(10_000) + 'True\n';
    const { result, notes, evaluated } = await settingsOf({ 'shop/settings.py': text });
    assert.deepEqual(result.findings, []);
    assert.deepEqual(plain(evaluated.settings.get('DEBUG')!.value), { kind: 'unknown' });
    assert.deepEqual(plain(evaluated.settings.get('NAME')!.value), { kind: 'string', value: 'a'.repeat(20_000) });
    assert.deepEqual(plain(evaluated.settings.get('FLAG')!.value), { kind: 'unknown' });
    assert.deepEqual(
      notes.map((n) => [n.kind, n.analyzer, n.message]),
      [['limit', 'settings', `an expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels; it is read as unknown`]],
    );
  });

  test('a 50,000-entry dict looked up 1,000 times, and values nested through 30,000 names', HANG_GUARD, async () => {
    const dict = 'D = {' + Array.from({ length: 50_000 }, (_, i) => `"k${i}": ${i}`).join(', ') + '}\n' + 'X = D["k1"]\n'.repeat(1_000);
    const nested = 'A0 = []\n' + Array.from({ length: 30_000 }, (_, i) => `A${i + 1} = [A${i}]\n`).join('') + 'Y = A30000 == A30000\n'.repeat(100);
    const { evaluated } = await settingsOf({ 'shop/settings.py': dict + nested });
    assert.deepEqual(plain(evaluated.settings.get('X')!.value), { kind: 'unknown' });
    assert.deepEqual(plain(evaluated.settings.get('Y')!.value), { kind: 'unknown' });
    // A0 = [] nests one list: A63 nests 64, the most a value may; A64 is unknown, and A65 a list of it.
    assert.equal(evaluated.settings.get(`A${VALUE_LIMITS.depth - 1}`)!.value.kind, 'list');
    assert.deepEqual(plain(evaluated.settings.get(`A${VALUE_LIMITS.depth}`)!.value), { kind: 'unknown' });
  });

  test(`star imports nested deeper than ${MAX_IMPORT_DEPTH} modules: the module is not judged, and says why`, HANG_GUARD, async () => {
    const files: Record<string, string> = { 'shop/settings.py': 'from .s0 import *\nDEBUG = True\n' };
    for (let i = 0; i < 2_000; i++) files[`shop/s${i}.py`] = `from .s${i + 1} import *\nX${i} = ${i}\n`;
    files['shop/s2000.py'] = 'Y = 1\n';
    const { result } = await settingsOf(files);
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.skipped, [{ file: at('shop/settings.py'), reason: `star imports nest deeper than ${MAX_IMPORT_DEPTH} modules, so its effective settings are unknown` }]);
  });
});
