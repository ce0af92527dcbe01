import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeProjectSettings } from '../../server/src/engine/analyze';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { BLOCKING_MIN_LINES, blockingDecision, type BlockingFacts } from '../../server/src/engine/parse/live-module';
import { initPythonParser } from '../../server/src/engine/parse/python';
import { makeSource } from '../../server/src/engine/project/disk-store';
import { Project } from '../../server/src/engine/project/project';
import type { SourceFile, SourceStore } from '../../server/src/engine/project/source-store';
import { OpenDocument } from '../../server/src/lsp/open-document';
import { at, ROOT } from '../engine/memory-project';

const SETTINGS = at('proj/settings.py');
const MANAGE = at('manage.py');
const MANAGE_TEXT = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n";

/** A production settings module of `statements` top-level statements, with insecure cookie settings far down. */
function largeSettings(statements: number): string {
  const lines = [
    'import os',
    'DEBUG = False',
    'ALLOWED_HOSTS = ["shop.example.com"]',
    'MIDDLEWARE = [',
    '    "django.middleware.security.SecurityMiddleware",',
    '    "django.contrib.sessions.middleware.SessionMiddleware",',
    '    "django.middleware.csrf.CsrfViewMiddleware",',
    '    "django.middleware.clickjacking.XFrameOptionsMiddleware",',
    ']',
  ];
  for (let i = lines.length; i < statements; i++) {
    if (i === statements - 20) lines.push('SESSION_COOKIE_SECURE = False');
    else if (i === statements - 10) lines.push('CSRF_COOKIE_SECURE = False');
    else lines.push(`SETTING_${i} = ${i}`);
  }
  return lines.join('\n') + '\n';
}

/** The settings findings of a project holding one module, read through `source`. */
function settingsFindings(source: SourceFile): string[] {
  const manage = makeSource(MANAGE, MANAGE_TEXT);
  const store: SourceStore = { get: (file) => (file === SETTINGS ? source : file === MANAGE ? manage : undefined), exists: (file) => file === SETTINGS || file === MANAGE };
  const project = new Project(ROOT, [MANAGE, SETTINGS], store, DEFAULT_CONFIG);
  return analyzeProjectSettings(project, { config: DEFAULT_CONFIG }).findings.map(
    (f) => `${f.code} ${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character} ${f.severity} ${f.message}`,
  );
}

const BLOCKS_WORTH: BlockingFacts = { edited: true, readBySettings: true, analysable: true, lines: 5000 };

describe('the blocking policy', () => {
  test('an edited, large settings module is cut into blocks, a syntax error or not', () => {
    assert.equal(blockingDecision(BLOCKS_WORTH), 'blocks');
    assert.equal(blockingDecision({ ...BLOCKS_WORTH, lines: BLOCKING_MIN_LINES }), 'blocks');
  });

  test('a text read once (the command line), a small one, a code module or an unanalysed one is read whole', () => {
    assert.equal(blockingDecision({ ...BLOCKS_WORTH, edited: false }), 'whole');
    assert.equal(blockingDecision({ ...BLOCKS_WORTH, lines: BLOCKING_MIN_LINES - 1 }), 'whole');
    assert.equal(blockingDecision({ ...BLOCKS_WORTH, readBySettings: false }), 'whole');
    assert.equal(blockingDecision({ ...BLOCKS_WORTH, analysable: false }), 'whole');
  });

  test('a module found too small to cut is tried again only once it has grown by half', () => {
    assert.equal(blockingDecision({ ...BLOCKS_WORTH, lines: 300, notWorthItAtLines: 200 }), 'whole');
    assert.equal(blockingDecision({ ...BLOCKS_WORTH, lines: 301, notWorthItAtLines: 200 }), 'blocks');
  });

  test('the command line reads a large settings module whole, the server keeps it in blocks, and both report the same findings', async () => {
    await initPythonParser();
    const text = largeSettings(600);
    const cli = makeSource(SETTINGS, text);
    assert.equal(cli.syntax().blocks, undefined, 'the command line reads the module whole');
    const expected = settingsFindings(cli);
    assert.deepEqual(
      expected.map((line) => line.split(' ', 3).join(' ')),
      ['DJH110 0:0-0:9 warning', 'DJH113 0:0-0:9 warning', 'DJH122 0:0-0:9 warning', 'DJH127 0:0-0:9 info', 'DJH124 3:0-3:14 info', 'DJH111 580:0-580:29 warning', 'DJH112 590:0-590:26 warning'],
    );

    const document = new OpenDocument('file:///memory/project/proj/settings.py', SETTINGS, 'python', 1, text);
    try {
      assert.deepEqual(settingsFindings(document.source()!), expected, 'first diagnostics: read whole');
      assert.equal(document.prepareBlocks(), true, 'cut once the settings analysis has read it');
      assert.ok((document.source()!.syntax().blocks?.length ?? 0) > 1, 'the server reads it in blocks');
      assert.deepEqual(settingsFindings(document.source()!), expected, 'in blocks, the same findings');
      // A keystroke and its undo: the blocks are edited, and still agree with a fresh read.
      const line = text.split('\n').indexOf('SETTING_300 = 300');
      document.applyChanges([{ range: { start: { line, character: 14 }, end: { line, character: 14 } }, text: '1' }], 2);
      assert.deepEqual(settingsFindings(document.source()!), settingsFindings(makeSource(SETTINGS, document.text)));
      document.applyChanges([{ range: { start: { line, character: 14 }, end: { line, character: 15 } }, text: '' }], 3);
      assert.deepEqual(settingsFindings(document.source()!), expected);
    } finally {
      document.dispose();
    }
  });

  test('a small settings module stays whole in the server as in the command line', async () => {
    await initPythonParser();
    const document = new OpenDocument('file:///memory/project/proj/settings.py', SETTINGS, 'python', 1, largeSettings(50));
    try {
      assert.deepEqual(settingsFindings(document.source()!), settingsFindings(makeSource(SETTINGS, document.text)));
      assert.equal(document.prepareBlocks(), false);
    } finally {
      document.dispose();
    }
  });
});
