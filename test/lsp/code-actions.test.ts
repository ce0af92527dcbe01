/** The pieces behind code actions and document sync, without a connection. */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver/node';
import { initPythonParser, parsePython } from '../../server/src/engine/parse/python';
import type { Finding } from '../../server/src/engine/types';
import { codeActions, kindRequested } from '../../server/src/lsp/code-actions';
import { readDiagnosticData, toDiagnostic } from '../../server/src/lsp/diagnostics';
import { docsUrl } from '../../server/src/engine/rules/rule';
import { noqaEdit } from '../../server/src/engine/noqa-edit';
import { OpenDocument } from '../../server/src/lsp/open-document';
import { FIX_ALL_KIND, HARDEN_KIND, SERVER_COMMANDS } from '../../server/src/lsp/protocol';

before(() => initPythonParser());

function ignoreEdit(text: string, line: number, code = 'DJH101') {
  const tree = parsePython(text);
  try {
    return noqaEdit(tree, text, line, code);
  } finally {
    tree.delete();
  }
}

const at = (line: number, character: number) => ({ line, character });

describe('Ignore … on this line', () => {
  test('appends a noqa comment at the end of the code, replacing trailing blanks', () => {
    assert.deepEqual(ignoreEdit('DEBUG = True   \n', 0), { range: { start: at(0, 12), end: at(0, 15) }, newText: '  # noqa: DJH101' });
  });

  test('merges the code into an existing noqa comment', () => {
    assert.deepEqual(ignoreEdit('DEBUG = True  # noqa: F401,E501 because\n', 0), { range: { start: at(0, 31), end: at(0, 31) }, newText: ', DJH101' });
    assert.deepEqual(ignoreEdit('X = 1\nDEBUG = True  # NOQA:F401\n', 1), { range: { start: at(1, 25), end: at(1, 25) }, newText: ', DJH101' });
  });

  test('after another comment, a separate noqa comment follows it', () => {
    assert.deepEqual(ignoreEdit('DEBUG = True  # keep for now\n', 0), { range: { start: at(0, 28), end: at(0, 28) }, newText: '  # noqa: DJH101' });
  });

  test('a "# noqa" inside a string is not a comment', () => {
    assert.deepEqual(ignoreEdit('X = "# noqa: F401"\n', 0), { range: { start: at(0, 18), end: at(0, 18) }, newText: '  # noqa: DJH101' });
  });

  test('nothing when the line is already silenced, or cannot take a comment', () => {
    assert.equal(ignoreEdit('DEBUG = True  # noqa\n', 0), undefined);
    assert.equal(ignoreEdit('DEBUG = True  # noqa: DJH101\n', 0), undefined);
    assert.equal(ignoreEdit('SECRET_KEY = """abc\ndef"""\n', 0), undefined);
    assert.equal(ignoreEdit('DEBUG = \\\n    True\n', 0), undefined);
    assert.equal(ignoreEdit('\n', 0), undefined);
    assert.equal(ignoreEdit('X = 1\n', 7), undefined);
  });
});

describe('code actions', () => {
  const file = '/p/settings.py';
  const uri = 'file:///p/settings.py';
  const text = 'A = 1\nB = 2\n';
  const finding = (code: string, line: number, safety: 'safe' | 'unsafe', newText: string): Finding => ({
    code,
    name: code.toLowerCase(),
    severity: 'warning',
    message: `${code} message`,
    file,
    range: { start: at(line, 0), end: at(line, 5) },
    related: [],
    fixes: [{ title: `fix ${code}`, safety, edits: [{ file, range: { start: at(line, 4), end: at(line, 5) }, newText }] }],
  });
  const context = (document: OpenDocument, findings: Finding[], hardenTargets: { uri: string; label: string; fixes: number }[] = []) => ({
    document,
    versionOf: (u: string) => (u === uri ? document.version : null),
    latestFindings: () => ({ findings, version: document.version }),
    uriOf: () => uri,
    documentChanges: false,
    log: () => undefined,
    hardenTargets: () => hardenTargets,
  });

  test('fix-all takes only the safe fixes, and only when asked for', () => {
    const document = new OpenDocument(uri, file, 'python', 4, text);
    const findings = [finding('DJH901', 0, 'safe', '10'), finding('DJH902', 1, 'unsafe', '20')];
    const ctx = context(document, findings);
    const params = (only?: string[]) => ({ textDocument: { uri }, range: { start: at(0, 0), end: at(0, 0) }, context: { diagnostics: [], only } });
    assert.deepEqual(codeActions(params(), ctx), []);
    for (const only of [[FIX_ALL_KIND], ['source.fixAll'], ['source']]) {
      assert.deepEqual(codeActions(params(only), ctx), [
        {
          title: 'Fix all safe Django Hardener problems',
          kind: FIX_ALL_KIND,
          edit: { changes: { [uri]: [{ range: { start: at(0, 4), end: at(0, 5) }, newText: '10' }] } },
        },
      ]);
    }
    assert.deepEqual(codeActions(params([CodeActionKind.QuickFix]), ctx), []);
    assert.deepEqual(codeActions(params([FIX_ALL_KIND]), context(document, [findings[1]])), []);
    document.dispose();
  });

  test('quick fixes come from the diagnostic data; other sources and malformed data are ignored', () => {
    const document = new OpenDocument(uri, file, 'python', 4, text);
    const diagnostic = toDiagnostic(
      finding('DJH901', 1, 'unsafe', '3'),
      () => uri,
      () => 4,
      docsUrl,
    );
    const foreign: Diagnostic = { ...diagnostic, source: 'flake8' };
    const broken: Diagnostic = { ...diagnostic, data: { version: 4, versions: {}, fixes: [{ title: 1 }] } };
    assert.equal(readDiagnosticData(broken), undefined);
    const actions = codeActions({ textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic, foreign, broken] } }, context(document, []));
    assert.deepEqual(
      (actions as CodeAction[]).map((a) => [a.title, a.isPreferred, a.diagnostics?.length]),
      [
        ['fix DJH901', true, 1],
        ['Ignore DJH901 on this line', undefined, 1],
        ['Show documentation for DJH901', undefined, 2],
      ],
    );
    // The documentation needs no fix data: the malformed diagnostic is ours too.
    assert.deepEqual(actions.at(-1), {
      title: 'Show documentation for DJH901',
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic, broken],
      command: { title: 'Show documentation for DJH901', command: SERVER_COMMANDS.showRuleDocumentation, arguments: ['DJH901'] },
    });
    document.dispose();
  });

  test('"Harden … (N fixes)" for each production module the document belongs to, as a refactoring', () => {
    const document = new OpenDocument(uri, file, 'python', 4, text);
    const targets = [
      { uri, label: 'this module', fixes: 12 },
      { uri: 'file:///p/other.py', label: 'other.py', fixes: 1 },
    ];
    const params = (only?: string[]) => ({ textDocument: { uri }, range: { start: at(0, 0), end: at(0, 0) }, context: { diagnostics: [], only } });
    const expected = [
      { title: 'Harden this module (12 fixes)', kind: HARDEN_KIND, command: { title: 'Harden this module (12 fixes)', command: SERVER_COMMANDS.hardenSettings, arguments: [uri] } },
      { title: 'Harden other.py (1 fix)', kind: HARDEN_KIND, command: { title: 'Harden other.py (1 fix)', command: SERVER_COMMANDS.hardenSettings, arguments: ['file:///p/other.py'] } },
    ];
    assert.deepEqual(codeActions(params(), context(document, [], targets)), expected);
    assert.deepEqual(codeActions(params(['refactor']), context(document, [], targets)), expected);
    assert.deepEqual(codeActions(params([CodeActionKind.QuickFix]), context(document, [], targets)), []);
    document.dispose();
  });

  test('kinds: an unrestricted request gets quick fixes, not source actions', () => {
    assert.equal(kindRequested(undefined, CodeActionKind.QuickFix, true), true);
    assert.equal(kindRequested(undefined, FIX_ALL_KIND, false), false);
    assert.equal(kindRequested(['source.fixAll'], FIX_ALL_KIND, false), true);
    assert.equal(kindRequested(['source.fix'], FIX_ALL_KIND, false), false);
    assert.equal(kindRequested(['refactor'], CodeActionKind.QuickFix, true), false);
  });
});

describe('open documents', () => {
  test('changes apply in order, a full replacement drops the tree, and the tree follows the text', () => {
    const document = new OpenDocument('file:///p/a.py', '/p/a.py', 'python', 1, 'A = 1\r\nB = "é😀"\r\n');
    document.syntaxTree();
    document.applyChanges(
      [
        { range: { start: at(1, 8), end: at(1, 8) }, text: 'x\r\nC = 3' },
        { range: { start: at(0, 0), end: at(0, 1) }, text: 'AA' },
        { range: { start: at(1, 5), end: at(1, 6) }, text: '' },
      ],
      2,
    );
    assert.equal(document.text, 'AA = 1\r\nB = "😀x\r\nC = 3"\r\n');
    assert.equal(document.version, 2);
    const fresh = parsePython(document.text);
    assert.equal(document.syntaxTree().rootNode.toString(), fresh.rootNode.toString());
    fresh.delete();
    document.applyChanges([{ text: 'DEBUG = True\n' }], 3);
    assert.equal(document.syntaxTree().rootNode.text, 'DEBUG = True\n');
    document.dispose();
  });

  test('a tree is parsed once per version', () => {
    const document = new OpenDocument('file:///p/a.py', '/p/a.py', 'python', 1, 'A = 1\n');
    const first = document.syntaxTree();
    assert.equal(document.syntaxTree(), first);
    document.applyChanges([{ range: { start: at(0, 4), end: at(0, 5) }, text: '2' }], 2);
    const second = document.syntaxTree();
    assert.notEqual(second, first);
    assert.equal(document.syntaxTree(), second);
    document.dispose();
  });

  test('huge and binary documents are not analysed', () => {
    const huge = new OpenDocument('file:///p/h.py', '/p/h.py', 'python', 1, 'x = 1\n'.repeat(1_000_000));
    assert.match(huge.problem!, /too large/);
    assert.equal(huge.source(), undefined);
    const binary = new OpenDocument('file:///p/b.py', '/p/b.py', 'python', 1, 'x\0y');
    assert.match(binary.problem!, /binary/);
    const untitled = new OpenDocument('untitled:Untitled-1', undefined, 'python', 1, 'DEBUG = True\n');
    assert.equal(untitled.source(), undefined);
  });
});
