/**
 * The shared analyzer layer's guarantee: a rule that gives up on one file (it throws, hits a
 * limit, runs out of stack) costs nothing but its own findings in that file. Rules that
 * throw are added to the registry of this test's bundle, so the real analyzers, the real
 * command line and the real reporting run around them.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { runCheck } from '../server/src/cli/check-command';
import { analyzeProject, type AnalysisNote } from '../server/src/engine/analyze';
import { AnalysisLimit } from '../server/src/engine/limits';
import { initPythonParser } from '../server/src/engine/parse/python';
import type { Rule } from '../server/src/engine/rules/rule';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import { MAX_OPEN_FORMS } from '../server/src/engine/templates/html-scanner';
import { at, memoryProject } from './engine/memory-project';

const meta = { severity: 'error' as const, summary: 'fails on purpose', fix: 'none' as const, djangoChecks: [] };

/** One throwing rule per scope: a bug, a limit, and recursion deeper than the stack. */
const THROWING: Rule[] = [
  {
    meta: { ...meta, code: 'DJH191', name: 'fails-on-settings', scope: 'settings' },
    docs: '',
    check: () => {
      throw new TypeError("Cannot read properties of undefined (reading 'value')");
    },
  },
  {
    meta: { ...meta, code: 'DJH291', name: 'fails-on-code', scope: 'python' },
    docs: '',
    triggers: ['mark_safe'],
    nodeTypes: ['call'],
    check: () => {
      const deeper = (n: number): number => deeper(n + 1) + 1;
      return [deeper(0)] as never;
    },
  },
  {
    meta: { ...meta, code: 'DJH391', name: 'fails-on-templates', scope: 'template' },
    docs: '',
    triggers: ['<'],
    check: () => {
      throw new AnalysisLimit('the template is too deep for this rule');
    },
  },
];

const FILES = {
  // manage.py runs shop/settings.py: a settings module by evidence.
  'manage.py': 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n',
  'shop/settings.py': 'DEBUG = True\n',
  'shop/views.py': 'from django.utils.safestring import mark_safe\n\n\ndef v(request):\n    return mark_safe(f"<b>{request.GET[\'q\']}</b>")\n',
  'shop/other_views.py': 'from django.utils.safestring import mark_safe\n\n\ndef w(request):\n    return mark_safe("<i>%s</i>" % request.GET["q"])\n',
  'shop/templates/shop/pay.html': '<form method="post">\n  <button>Pay</button>\n</form>\n{{ note|safe }}\n',
};

describe('a rule that gives up on a file', () => {
  before(async () => {
    await initPythonParser();
    (ALL_RULES as Rule[]).push(...THROWING);
  });
  after(() => {
    (ALL_RULES as Rule[]).splice(ALL_RULES.length - THROWING.length, THROWING.length);
  });

  test('costs only its own findings: every other rule and file keeps theirs, and each failure is one note', async () => {
    const project = await memoryProject(FILES);
    const notes: AnalysisNote[] = [];
    const files = Object.keys(FILES).map(at);
    const config = { ...project.config, select: ['DJH101', 'DJH191', 'DJH203', 'DJH291', 'DJH301', 'DJH303', 'DJH391'] };
    const { findings } = analyzeProject(project, files, { config, log: (note) => notes.push(note) });
    assert.deepEqual(
      findings.map((f) => `${project.relative(f.file)}:${f.range.start.line + 1} ${f.code}`),
      ['shop/other_views.py:5 DJH203', 'shop/settings.py:1 DJH101', 'shop/templates/shop/pay.html:1 DJH301', 'shop/templates/shop/pay.html:4 DJH303', 'shop/views.py:5 DJH203'],
    );
    assert.deepEqual(
      notes.map((n) => [n.kind, project.relative(n.file), n.code, n.message]),
      [
        ['failed', 'shop/settings.py', 'DJH191', "Cannot read properties of undefined (reading 'value')"],
        ['limit', 'shop/views.py', 'DJH291', 'nested too deeply to follow (the stack ran out)'],
        ['limit', 'shop/other_views.py', 'DJH291', 'nested too deeply to follow (the stack ran out)'],
        ['limit', 'shop/templates/shop/pay.html', 'DJH391', 'the template is too deep for this rule'],
      ],
    );
    assert.match(notes[0].detail ?? '', /TypeError/);
  });
});

/** `path:line:col: CODE` of each finding the text format printed. */
function findingsOf(out: string): string[] {
  return out
    .split('\n')
    .filter((line) => /^\S+:\d+:\d+: \w+ DJH/.test(line))
    .map((line) => line.split(' [')[0].replace(/: \w+ DJH/, ': DJH'));
}

describe('the command line when a rule gives up', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  function write(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(os.tmpdir(), 'dh-fail-'));
    roots.push(root);
    for (const [relative, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
      writeFileSync(path.join(root, relative), text);
    }
    return root;
  }

  async function check(root: string, select?: string[]): Promise<{ code: number; out: string; err: string[] }> {
    let out = '';
    const err: string[] = [];
    const code = await runCheck(
      ['.'],
      {
        format: 'text',
        select,
        ignore: [],
        fix: false,
        unsafeFixes: false,
        diff: false,
        exclude: [],
        quiet: false,
        exitZero: false,
        statistics: false,
        showSource: false,
        color: 'never',
        addNoqa: false,
        version: '0',
      },
      { cwd: root, out: (text) => (out += text), err: (line) => err.push(line) },
    );
    return { code, out, err };
  }

  test('a failing rule is an error naming the rule and the file, exit 1 and not 2; the other findings are all reported', async () => {
    (ALL_RULES as Rule[]).push(...THROWING);
    try {
      const run = await check(write(FILES), ['DJH101', 'DJH191', 'DJH203', 'DJH291', 'DJH301', 'DJH303', 'DJH391']);
      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        "shop/settings.py: error: DJH191 failed on this file (Cannot read properties of undefined (reading 'value')); the other rules' findings are reported",
        'shop/other_views.py: note: DJH291 stopped on this file: nested too deeply to follow (the stack ran out)',
        'shop/templates/shop/pay.html: note: DJH391 stopped on this file: the template is too deep for this rule',
        'shop/views.py: note: DJH291 stopped on this file: nested too deeply to follow (the stack ran out)',
      ]);
      assert.deepEqual(findingsOf(run.out), [
        'shop/other_views.py:5:12: DJH203',
        'shop/settings.py:1:1: DJH101',
        'shop/templates/shop/pay.html:1:1: DJH301',
        'shop/templates/shop/pay.html:4:9: DJH303',
        'shop/views.py:5:12: DJH203',
      ]);
    } finally {
      (ALL_RULES as Rule[]).splice(ALL_RULES.length - THROWING.length, THROWING.length);
    }
  });

  test(`more than ${MAX_OPEN_FORMS} forms open at once: the form rules stop with a note, the template's other findings stand`, async () => {
    const template = '<form method="post">\n'.repeat(MAX_OPEN_FORMS + 1) + '<a href={{ url }}>x</a>\n{{ note|safe }}\n';
    const run = await check(write({ 'manage.py': '', 'shop/apps.py': '', 'shop/templates/shop/many.html': template }), ['DJH3']);
    assert.equal(run.code, 1);
    assert.deepEqual(run.err, [
      'shop/templates/shop/many.html: note: DJH301 stopped on this file: more than 64 forms are open at once',
      'django-hardener: note: no production settings module found, so the settings rules had nothing to check',
    ]);
    assert.deepEqual(findingsOf(run.out), ['shop/templates/shop/many.html:66:9: DJH305', 'shop/templates/shop/many.html:67:9: DJH303']);
  });
});
