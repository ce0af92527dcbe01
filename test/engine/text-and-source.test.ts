import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { initPythonParser, parsePython, pythonString, preferredQuote, rangeOf } from '../../server/src/engine/parse/python';
import { decodeSource, encodeSource, MAX_SOURCE_BYTES } from '../../server/src/engine/parse/source';
import { applySuppressions, noqaCodes } from '../../server/src/engine/suppression';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  applyTextEdits,
  comparePositions,
  endsWithLineBreak,
  lineBreakOf,
  lineCount,
  lineEndAfter,
  lineStartBefore,
  lineStarts,
  lineText,
  offsetAt,
  positionAt,
  rangeContains,
  splitLines,
  withLoneCarriageReturnsAsNewlines,
} from '../../server/src/engine/text';
import type { Finding } from '../../server/src/engine/types';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('decodeSource', () => {
  test('plain UTF-8', () => {
    assert.deepEqual(decodeSource(bytes('X = "é"\n')), { ok: true, text: 'X = "é"\n', hadBom: false });
  });

  test('a BOM is stripped and remembered, and put back on encoding', () => {
    const decoded = decodeSource(bytes([0xef, 0xbb, 0xbf], 'X = 1\n'));
    assert.deepEqual(decoded, { ok: true, text: 'X = 1\n', hadBom: true });
    assert.deepEqual(encodeSource('X = 1\n', true), bytes([0xef, 0xbb, 0xbf], 'X = 1\n'));
    assert.deepEqual(encodeSource('X = 1\n', false), bytes('X = 1\n'));
  });

  const invalid: [string, Buffer, number][] = [
    ['a stray continuation byte', bytes('ab', [0x80], 'c'), 2],
    ['an invalid lead byte', bytes('abc', [0xff]), 3],
    ['a truncated sequence in the middle', bytes('a', [0xe4, 0xb8], 'bc'), 1],
    ['a truncated sequence at the end', bytes('ab', [0xe4, 0xb8]), 2],
    ['an overlong encoding', bytes('é', [0xc0, 0x80]), 2],
    ['an encoded surrogate', bytes('x', [0xed, 0xa0, 0x80]), 1],
    ['a code point above U+10FFFF', bytes([0xf4, 0x90, 0x80, 0x80]), 0],
    ['a Latin-1 file', bytes('# caf', [0xe9], '\n'), 5],
  ];
  for (const [what, input, offset] of invalid) {
    test(`invalid UTF-8: ${what}`, () => {
      assert.deepEqual(decodeSource(input), { ok: false, problem: `invalid UTF-8 at byte ${offset}` });
    });
  }

  test('NUL bytes mean a binary file', () => {
    assert.deepEqual(decodeSource(bytes('X = 1', [0], '\n')), { ok: false, problem: 'binary file (contains NUL bytes)' });
    assert.deepEqual(decodeSource(bytes('#'.repeat(10000), [0])), { ok: false, problem: 'binary file (contains NUL bytes)' });
  });

  test('a file over the size limit is refused', () => {
    assert.deepEqual(decodeSource(Buffer.alloc(MAX_SOURCE_BYTES + 1, 0x20)), { ok: false, problem: 'file is too large to analyse (5.0 MB, limit 5.0 MB)' });
    assert.equal(decodeSource(Buffer.alloc(MAX_SOURCE_BYTES, 0x20)).ok, true);
  });
});

describe('text positions', () => {
  const crlf = 'a = 1\r\nbb = 2\r\n\r\nc';

  test('line starts, offsets and positions with CRLF', () => {
    assert.deepEqual(lineStarts(crlf), [0, 7, 15, 17]);
    assert.equal(offsetAt(crlf, { line: 1, character: 3 }), 10);
    assert.deepEqual(positionAt(crlf, 10), { line: 1, character: 3 });
    assert.deepEqual(positionAt(crlf, 17), { line: 3, character: 0 });
    assert.deepEqual(positionAt(crlf, crlf.length), { line: 3, character: 1 });
    assert.equal(offsetAt(crlf, { line: 9, character: 0 }), crlf.length);
    assert.equal(lineBreakOf(crlf), '\r\n');
    assert.equal(lineBreakOf('a\nb\r\n'), '\n');
    assert.equal(lineBreakOf('no break'), '\n');
  });

  test('a lone \\r ends a line as \\n and \\r\\n do', () => {
    const mixed = 'a\rbb\r\nc\n\rd';
    assert.deepEqual(lineStarts(mixed), [0, 2, 6, 8, 9]);
    assert.deepEqual(splitLines(mixed), ['a', 'bb', 'c', '', 'd']);
    assert.equal(lineCount(mixed), 5);
    assert.equal(lineText(mixed, 1), 'bb');
    assert.equal(lineText(mixed, 9), '');
    assert.deepEqual(positionAt(mixed, 2), { line: 1, character: 0 });
    // Inside a \r\n is the position of its \r, as vscode-languageserver-textdocument says.
    assert.deepEqual(positionAt(mixed, 5), { line: 1, character: 2 });
    assert.equal(offsetAt(mixed, { line: 0, character: 5 }), 1);
    assert.equal(lineStartBefore(mixed, 4), 2);
    assert.equal(lineEndAfter(mixed, 2), 4);
    assert.equal(lineBreakOf('a\rb\nc'), '\r');
    assert.equal(lineBreakOf('a\r\nb\rc'), '\r\n');
    assert.equal(endsWithLineBreak('a\r'), true);
    assert.equal(endsWithLineBreak('a'), false);
    assert.equal(withLoneCarriageReturnsAsNewlines(mixed), 'a\nbb\r\nc\n\nd');
    const plain = 'x = 1\r\n';
    assert.equal(withLoneCarriageReturnsAsNewlines(plain), plain);
  });

  test('positions and offsets agree with vscode-languageserver-textdocument on random mixed line endings', () => {
    let seed = 11;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const pieces = ['\n', '\r', '\r\n', '\n\r', '\r\r', 'a', 'bc', ' ', 'é', '😀', ''];
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: random(40) }, () => pieces[random(pieces.length)]).join('');
      const reference = TextDocument.create('file:///t', 'plaintext', 1, text);
      assert.equal(lineCount(text), reference.lineCount, JSON.stringify(text));
      for (let offset = -1; offset <= text.length + 1; offset++) {
        assert.deepEqual(positionAt(text, offset), reference.positionAt(offset), `positionAt(${JSON.stringify(text)}, ${offset})`);
      }
      for (let line = -1; line <= reference.lineCount + 1; line++) {
        for (let character = -1; character <= 8; character++) {
          const position = { line, character };
          assert.equal(offsetAt(text, position), reference.offsetAt(position), `offsetAt(${JSON.stringify(text)}, ${line}:${character})`);
        }
        if (line >= 0 && line < reference.lineCount) {
          const range = { start: { line, character: 0 }, end: { line, character: Number.MAX_SAFE_INTEGER } };
          assert.equal(lineText(text, line), reference.getText(range));
        }
      }
      assert.deepEqual(splitLines(text).length, reference.lineCount);
    }
  });

  test('a Python file whose lines end in a lone \\r is parsed in the lines Python reads', async () => {
    await initPythonParser();
    const text = 'import os\rX = 1\r\nY = "a"\rZ = 2\r';
    const tree = parsePython(text);
    assert.deepEqual(
      tree.rootNode.namedChildren.map((node) => [node!.type, rangeOf(node!)]),
      [
        ['import_statement', { start: { line: 0, character: 0 }, end: { line: 0, character: 9 } }],
        ['expression_statement', { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } }],
        ['expression_statement', { start: { line: 2, character: 0 }, end: { line: 2, character: 7 } }],
        ['expression_statement', { start: { line: 3, character: 0 }, end: { line: 3, character: 5 } }],
      ],
    );
    for (const node of tree.rootNode.namedChildren) assert.equal(node!.startIndex, offsetAt(text, rangeOf(node!).start));
    tree.delete();
  });

  test('a character past the end of a line stays on that line (as LSP says)', () => {
    assert.equal(offsetAt(crlf, { line: 0, character: 99 }), 5);
    assert.equal(offsetAt('ab\ncd', { line: 0, character: 99 }), 2);
    assert.equal(offsetAt('ab\ncd', { line: 1, character: 99 }), 5);
  });

  test('columns count UTF-16 code units, as tree-sitter reports them', async () => {
    await initPythonParser();
    const text = 'X = "😀é"; Y = 1\n';
    const tree = parsePython(text);
    const y = tree.rootNode.namedChildren[1]!;
    assert.deepEqual(rangeOf(y), { start: { line: 0, character: 11 }, end: { line: 0, character: 16 } });
    assert.equal(text.slice(offsetAt(text, rangeOf(y).start), offsetAt(text, rangeOf(y).end)), 'Y = 1');
    assert.deepEqual(positionAt(text, text.indexOf('Y')), { line: 0, character: 11 });
    tree.delete();
  });

  test('applyTextEdits: order, insertions at one point, overlaps', () => {
    const text = 'one two three';
    const at = (character: number) => ({ line: 0, character });
    assert.equal(
      applyTextEdits(text, [
        { range: { start: at(8), end: at(13) }, newText: '3' },
        { range: { start: at(0), end: at(3) }, newText: '1' },
        { range: { start: at(4), end: at(4) }, newText: 'a' },
        { range: { start: at(4), end: at(4) }, newText: 'b' },
      ]),
      '1 abtwo 3',
    );
    assert.throws(
      () =>
        applyTextEdits(text, [
          { range: { start: at(0), end: at(5) }, newText: '' },
          { range: { start: at(3), end: at(6) }, newText: '' },
        ]),
      /overlapping edits/,
    );
  });

  test('comparePositions and rangeContains', () => {
    assert.equal(Math.sign(comparePositions({ line: 1, character: 0 }, { line: 0, character: 9 })), 1);
    assert.equal(Math.sign(comparePositions({ line: 1, character: 2 }, { line: 1, character: 9 })), -1);
    assert.equal(comparePositions({ line: 2, character: 3 }, { line: 2, character: 3 }), 0);
    const outer = { start: { line: 1, character: 0 }, end: { line: 3, character: 0 } };
    assert.equal(rangeContains(outer, { start: { line: 1, character: 0 }, end: { line: 2, character: 5 } }), true);
    assert.equal(rangeContains(outer, { start: { line: 0, character: 9 }, end: { line: 2, character: 5 } }), false);
  });

  test('pythonString and preferredQuote', () => {
    assert.equal(pythonString('it\'s "x"\n\\', "'"), "'it\\'s \"x\"\\n\\\\'");
    assert.equal(pythonString('a"b'), '"a\\"b"');
    assert.equal(preferredQuote("A = 'x'\nB = 'y'\nC = \"z\"\n"), "'");
    assert.equal(preferredQuote('A = "x"\n'), '"');
    assert.equal(preferredQuote(''), '"');
  });
});

describe('noqa comments', () => {
  const cases: [string, boolean, string[] | null][] = [
    ['DEBUG = True', false, []],
    ['DEBUG = True  # noqa', false, null],
    ['DEBUG = True  #noqa', false, null],
    ['DEBUG = True  # NOQA', false, null],
    ['DEBUG = True  # noqa: DJH101', false, ['DJH101']],
    ['DEBUG = True  # noqa:DJH101,DJH102', false, ['DJH101', 'DJH102']],
    ['DEBUG = True  # noqa: DJH101, djh102 E501', false, ['DJH101', 'DJH102', 'E501']],
    ['DEBUG = True  # noqa: DJH101 because the tests need it', false, ['DJH101']],
    ['{{ x|safe }} {# noqa: DJH301 #}', true, ['DJH301']],
    ['{{ x|safe }} {# noqa #}', true, null],
    ['{{ x|safe }} # noqa', true, []],
    ['DEBUG = True  # not a noqa comment', false, []],
  ];
  for (const [line, template, expected] of cases) {
    test(`${line}${template ? ' (template)' : ''}`, () => {
      const codes = noqaCodes(line, template);
      assert.deepEqual(codes === null ? null : [...codes], expected);
    });
  }

  test('applySuppressions drops findings on silenced lines only', () => {
    const finding = (file: string, line: number, code: string): Finding => ({
      code,
      name: 'n',
      severity: 'warning',
      message: 'm',
      file,
      range: { start: { line, character: 0 }, end: { line, character: 1 } },
      related: [],
      fixes: [],
    });
    const texts: Record<string, string> = {
      '/p/settings.py': 'DEBUG = True  # noqa: DJH101\r\nX = 1  # noqa\r\nY = 2\r\n',
      '/p/templates/a.html': '{{ x|safe }} {# noqa: DJH301 #}\n',
    };
    const kept = applySuppressions(
      [
        finding('/p/settings.py', 0, 'DJH101'),
        finding('/p/settings.py', 0, 'DJH102'),
        finding('/p/settings.py', 1, 'DJH999'),
        finding('/p/settings.py', 2, 'DJH101'),
        finding('/p/templates/a.html', 0, 'DJH301'),
        finding('/p/missing.py', 0, 'DJH101'),
      ],
      (file) => texts[file],
    );
    assert.deepEqual(
      kept.map((f) => `${f.file}:${f.range.start.line}:${f.code}`),
      ['/p/settings.py:0:DJH102', '/p/settings.py:2:DJH101', '/p/missing.py:0:DJH101'],
    );
  });
});
