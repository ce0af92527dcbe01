import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initPythonParser, parsePython, type Tree } from '../../server/src/engine/parse/python';
import { offsetAt } from '../../server/src/engine/text';
import { OpenDocument } from '../../server/src/lsp/open-document';

/** Every node with its kind and place: an edit recorded at the wrong place shows here. */
function nodesOf(tree: Tree): string[] {
  const out: string[] = [];
  const cursor = tree.walk();
  for (;;) {
    const { startPosition: s, endPosition: e } = cursor;
    out.push(`${cursor.nodeType} ${s.row}:${s.column}-${e.row}:${e.column} ${cursor.startIndex}-${cursor.endIndex}`);
    if (cursor.gotoFirstChild() || cursor.gotoNextSibling()) continue;
    let up = true;
    while (up && !cursor.gotoNextSibling()) up = cursor.gotoParent();
    if (!up) break;
  }
  cursor.delete();
  return out;
}

/** The tree of a document after `edits`, next to a fresh parse of its final text. */
async function afterEdits(text: string, edits: { at: string; insert: string }[]): Promise<{ incremental: string[]; fresh: string[]; text: string }> {
  await initPythonParser();
  const document = new OpenDocument('file:///memory/settings.py', '/memory/settings.py', 'python', 1, text);
  document.syntaxTree();
  let version = 1;
  for (const edit of edits) {
    const offset = document.text.indexOf(edit.at);
    assert.ok(offset >= 0, `${JSON.stringify(edit.at)} is in the document`);
    // The editor's positions: its lines end at \n, \r\n and a lone \r alike.
    const before = document.text.slice(0, offset);
    const lines = before.split(/\r\n|\r|\n/);
    const position = { line: lines.length - 1, character: lines[lines.length - 1].length };
    document.applyChanges([{ range: { start: position, end: position }, text: edit.insert }], ++version);
    document.syntaxTree();
  }
  const fresh = parsePython(document.text);
  const result = { incremental: nodesOf(document.syntaxTree()), fresh: nodesOf(fresh), text: document.text };
  fresh.delete();
  document.dispose();
  return result;
}

describe('open document', () => {
  for (const [name, breakText] of [
    ['\\n', '\n'],
    ['\\r\\n', '\r\n'],
  ] as const) {
    test(`incremental edits with ${name} line endings give the tree a fresh parse gives`, async () => {
      const text = ['import os', 'DEBUG = True', 'NAME = "shop"', 'HOSTS = [', '    "a",', ']', ''].join(breakText);
      const result = await afterEdits(text, [
        { at: 'True', insert: 'not ' },
        { at: '"shop"', insert: 'x' },
        { at: '    "a"', insert: `    "b",${breakText}` },
        { at: 'NAME', insert: `SECRET_KEY = "k"${breakText}` },
      ]);
      assert.deepEqual(result.incremental, result.fresh);
      assert.equal(result.text, ['import os', 'DEBUG = not True', 'SECRET_KEY = "k"', 'NAME = x"shop"', 'HOSTS = [', '    "b",', '    "a",', ']', ''].join(breakText));
    });
  }
});

/** Applies random edits that make, split and join `\r\n` pairs and lone `\r`s, to the document and to the editor's copy; `check` runs every few. */
function editNearBreaks(document: OpenDocument, versions: number, check: (version: number) => void): void {
  let seed = 5;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  // The editor's view of the text, to turn offsets into the positions it would send.
  const editor = TextDocument.create(document.uri, 'python', document.version, document.text);
  const inserts = ['\r', '\n', '\r\n', 'x', ' ', '(', ')', '', ''];
  for (let version = document.version + 1; version < versions; version++) {
    const text = editor.getText();
    // Mostly right next to a line break.
    const breaks = [...text.matchAll(/[\r\n]/g)].map((m) => m.index);
    const at = random(4) > 0 && breaks.length > 0 ? Math.min(text.length, breaks[random(breaks.length)] + random(2)) : random(text.length + 1);
    const end = Math.min(text.length, at + (random(3) === 0 ? random(3) : 0));
    const change = { range: { start: editor.positionAt(at), end: editor.positionAt(end) }, text: inserts[random(inserts.length)] };
    TextDocument.update(editor, [change], version);
    document.applyChanges([change], version);
    assert.equal(document.text, editor.getText());
    if (random(3) === 0) check(version);
  }
}

describe('edits next to line breaks', () => {
  test('random edits that make, split and join \\r\\n pairs and lone \\r keep the tree a fresh parse gives', async () => {
    await initPythonParser();
    const start = ['import os', 'A = 1', 'B = (2,', '     3)', 'if A:', '    C = "x"', 'D = 4\rE = 5\nF = 6', ''].join('\r\n');
    const document = new OpenDocument('file:///memory/views.py', '/memory/views.py', 'python', 1, start);
    editNearBreaks(document, 400, (version) => {
      const fresh = parsePython(document.text);
      assert.deepEqual(nodesOf(document.syntaxTree()), nodesOf(fresh), `version ${version}: ${JSON.stringify(document.text)}`);
      fresh.delete();
    });
    document.dispose();
  });

  test('in a module kept in blocks, too', async () => {
    await initPythonParser();
    const breaks = ['\n', '\r\n', '\r'];
    const text = Array.from({ length: 1200 }, (_, i) => `S_${i} = ${i}${breaks[i % 3]}`).join('');
    const document = new OpenDocument('file:///memory/settings.py', '/memory/settings.py', 'python', 1, text);
    document.moduleSyntax();
    assert.equal(document.prepareBlocks(), true);
    const shape = (nodes: { type: string; startPosition: { row: number; column: number }; endPosition: { row: number; column: number }; startIndex: number }[]) =>
      nodes.map((n) => `${n.type} ${n.startPosition.row}:${n.startPosition.column}-${n.endPosition.row}:${n.endPosition.column} ${n.startIndex}`);
    editNearBreaks(document, 120, (version) => {
      const fresh = parsePython(document.text);
      if (!fresh.rootNode.hasError) assert.deepEqual(shape(document.moduleSyntax().rootNode.namedChildren), shape(fresh.rootNode.namedChildren), `version ${version}`);
      fresh.delete();
    });
    document.dispose();
  });
});

describe('a large open document', () => {
  test('is kept in blocks that follow its edits, and reads as a fresh parse of its text', async () => {
    await initPythonParser();
    const lines = ['import os'];
    for (let i = 0; lines.length < 2000; i++) lines.push(`SETTING_${i} = os.environ.get("S_${i}", "v${i}")`);
    const document = new OpenDocument('file:///memory/settings.py', '/memory/settings.py', 'python', 1, lines.join('\r\n') + '\r\n');
    // Read whole first (the first diagnostics do not wait for the cut), then cut in idle time.
    assert.equal(document.moduleSyntax().blocks, undefined);
    assert.equal(document.prepareBlocks(), true);
    assert.equal(document.prepareBlocks(), false, 'once');
    const before = document.moduleSyntax().blocks;
    assert.ok(before && before.length > 4, 'the document is parsed in blocks');
    // A character typed, a line break, and a line deleted, as an editor sends them.
    document.applyChanges([{ range: { start: { line: 700, character: 5 }, end: { line: 700, character: 5 } }, text: 'x' }], 2);
    document.applyChanges([{ range: { start: { line: 10, character: 0 }, end: { line: 10, character: 0 } }, text: 'DEBUG = True\r\n' }], 3);
    document.applyChanges([{ range: { start: { line: 1500, character: 0 }, end: { line: 1501, character: 0 } }, text: '' }], 4);
    const syntax = document.moduleSyntax();
    const fresh = parsePython(document.text);
    const shape = (nodes: { type: string; startPosition: { row: number; column: number }; endPosition: { row: number; column: number }; text: string }[]) =>
      nodes.map((n) => `${n.type} ${n.startPosition.row}:${n.startPosition.column}-${n.endPosition.row}:${n.endPosition.column} ${n.text}`);
    assert.deepEqual(shape(syntax.rootNode.namedChildren), shape(fresh.rootNode.namedChildren));
    assert.equal(syntax.rootNode.namedChildren[10].text, 'DEBUG = True');
    assert.equal(syntax.blocks?.length, before.length);
    // The whole tree, asked for again after the cut dropped it, is a fresh parse's.
    assert.equal(document.syntaxTree().rootNode.toString(), fresh.rootNode.toString());
    fresh.delete();
    document.dispose();
  });
});

describe('a large open document of bad input', () => {
  test('garbage, lone \\r, tabs with a BOM and lone surrogates: cut or not, edits are followed and valid texts read as whole', async () => {
    await initPythonParser();
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const texts: Record<string, string> = {
      garbage: Array.from({ length: 1600 }, () => Array.from({ length: 40 }, () => String.fromCharCode(33 + next(90))).join('')).join('\n'),
      'lone \\r': Array.from({ length: 1600 }, (_, i) => `X_${i} = ${i}`).join('\r'),
      'tabs and a BOM': '\ufeff' + Array.from({ length: 1600 }, (_, i) => (i % 5 === 0 ? `if X:\n\tY_${i} = (${i})` : `Z_${i} = "${i}"`)).join('\n'),
      'lone surrogates': Array.from({ length: 1600 }, (_, i) => `S_${i} = "😀\ud800"`).join('\r\n'),
    };
    const cut: string[] = [];
    for (const [name, text] of Object.entries(texts)) {
      const document = new OpenDocument('file:///memory/settings.py', '/memory/settings.py', 'python', 1, text);
      document.moduleSyntax();
      if (document.prepareBlocks()) cut.push(name);
      let expected = text;
      for (let version = 2; version < 14; version++) {
        const line = next(expected.split(/\r\n|\r|\n/).length);
        const insert = ['(', '"""', '\n', 'x', '\r\n', ')'][next(6)];
        document.applyChanges([{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: insert }], version);
        const at = offsetAt(expected, { line, character: 0 });
        expected = expected.slice(0, at) + insert + expected.slice(at);
        assert.equal(document.text, expected, `${name}, version ${version}`);
        const syntax = document.moduleSyntax();
        const fresh = parsePython(document.text);
        if (!fresh.rootNode.hasError) assert.equal(syntax.rootNode.namedChildren.length, fresh.rootNode.namedChildren.length, name);
        else assert.equal(syntax.rootNode.hasError, true, `${name}: the error is not lost`);
        fresh.delete();
      }
      document.dispose();
    }
    // Garbage is cut too: its errors stay in their blocks, as a syntax error in any module
    // does. Lines ending in a lone \r are lines to the parser too (as to Python), so that
    // module is cut like the others.
    assert.deepEqual(cut, ['garbage', 'lone \\r', 'tabs and a BOM', 'lone surrogates']);
  });
});
