import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node } from 'web-tree-sitter';
import { BlocksRoot, type ModuleSyntax } from '../../server/src/engine/parse/module-syntax';
import { initPythonParser, parsePython } from '../../server/src/engine/parse/python';
import { BlockedFile } from './blocked-store';

/** Every node under a root (the root itself left out) with its kind, place and text. */
function nodesUnder(roots: readonly Node[]): string[] {
  const out: string[] = [];
  for (const root of roots) {
    const cursor = root.walk();
    if (!cursor.gotoFirstChild()) {
      cursor.delete();
      continue;
    }
    for (;;) {
      const { startPosition: s, endPosition: e } = cursor;
      out.push(`${cursor.nodeType} ${s.row}:${s.column}-${e.row}:${e.column} ${cursor.startIndex}-${cursor.endIndex} ${JSON.stringify(cursor.nodeText)}`);
      if (cursor.gotoFirstChild() || cursor.gotoNextSibling()) continue;
      let up = true;
      while (up && !cursor.gotoNextSibling()) up = cursor.gotoParent() && cursor.currentNode.type !== 'module';
      if (!up) break;
    }
    cursor.delete();
  }
  return out;
}

function blockRoots(syntax: ModuleSyntax): Node[] {
  return syntax.blocks!.map((block) => block.root);
}

/** The file's text is valid Python, and its blocks hold exactly the nodes of a whole parse. */
function assertValidAndAsWhole(file: BlockedFile): void {
  const syntax = file.syntax();
  const whole = parsePython(file.text);
  try {
    assert.equal(whole.rootNode.hasError, false, 'the text is valid Python');
    assert.equal(syntax.rootNode.hasError, false);
    assert.deepEqual(nodesUnder(blockRoots(syntax)), nodesUnder([whole.rootNode]));
  } finally {
    whole.delete();
  }
}

/** A module of `count` one-line settings, with a multi-line one every seventh. */
function moduleOf(count: number, eol = '\n'): string {
  const lines = ['import os', ''];
  for (let i = 0; i < count; i++) {
    if (i % 7 === 3) lines.push(`LIST_${i} = [`, `    "a${i}",`, ']');
    else lines.push(`SETTING_${i} = os.environ.get("S_${i}", "v${i}")  # ${i}`);
  }
  return lines.join(eol) + eol;
}

describe('a module parsed in blocks', () => {
  test('is cut at statements that start a line, and reads as the whole parse does', async () => {
    await initPythonParser();
    const text = moduleOf(40);
    const file = new BlockedFile(text, { statementsPerBlock: 8 });
    const syntax = file.syntax();
    assert.ok(syntax.blocks, 'the module is parsed in blocks');
    assert.equal(syntax.blocks.length, 9);
    for (const block of syntax.blocks) assert.equal(text.split('\n')[block.startRow].length > 0 && text.split('\n')[block.startRow][0] !== ' ', true);
    const whole = parsePython(text);
    assert.deepEqual(nodesUnder(blockRoots(syntax)), nodesUnder([whole.rootNode]));
    assert.deepEqual(
      syntax.rootNode.namedChildren.map((n) => n.text),
      whole.rootNode.namedChildren.map((n) => n.text),
    );
    assert.deepEqual(
      syntax.rootNode.descendantsOfType('string_content', { row: 20, column: 0 }, { row: 24, column: 0 }).map((n) => n.text),
      whole.rootNode.descendantsOfType('string_content', { row: 20, column: 0 }, { row: 24, column: 0 }).map((n) => n.text),
    );
    const inside = syntax.rootNode.descendantForPosition({ row: 30, column: 3 });
    assert.equal(inside?.text, whole.rootNode.descendantForPosition({ row: 30, column: 3 })?.text);
    // A range across a cut gets a module node, as a range across statements does in the whole tree.
    const cut = syntax.blocks[2].startRow;
    assert.equal(syntax.rootNode.descendantForPosition({ row: cut - 1, column: 0 }, { row: cut, column: 2 })?.type, 'module');
    assert.equal(syntax.rootNode.endPosition.row, whole.rootNode.endPosition.row);
    whole.delete();
    file.dispose();
  });

  test('a small module stays one tree', async () => {
    await initPythonParser();
    const file = new BlockedFile(moduleOf(10), { statementsPerBlock: 8 });
    assert.equal(file.syntax().blocks, undefined);
    file.dispose();
  });

  test('a block keeps its identity while its text is unchanged, lines added above it included', async () => {
    await initPythonParser();
    const text = moduleOf(40);
    const file = new BlockedFile(text, { statementsPerBlock: 8 });
    const before = file.syntax().blocks!;
    file.update(text.replace('"v12"', '"v12x"'));
    const typed = file.syntax().blocks!;
    const edited = before.findIndex((block, i) => block.startRow <= 16 && (before[i + 1]?.startRow ?? Infinity) > 16);
    assert.equal(typed.length, before.length);
    typed.forEach((block, i) => assert.equal(block.identity === before[i].identity, i !== edited, `block ${i}`));
    file.update(file.text.replace('SETTING_1 =', 'X = 1\nSETTING_1 ='));
    const moved = file.syntax().blocks!;
    assert.equal(moved[0].identity === typed[0].identity, false);
    for (let i = 1; i < moved.length; i++) {
      assert.equal(moved[i].identity, typed[i].identity);
      assert.equal(moved[i].startRow, typed[i].startRow + 1);
    }
    file.dispose();
  });

  test('an edit at a cut merges the blocks on both sides; a grown block is cut again', async () => {
    await initPythonParser();
    const text = moduleOf(40);
    const file = new BlockedFile(text, { statementsPerBlock: 8 });
    const before = file.syntax().blocks!;
    const cutRow = before[3].startRow;
    const lines = text.split('\n');
    lines[cutRow] = `    ${lines[cutRow]}`;
    file.update(lines.join('\n'));
    const indented = file.syntax();
    // Blocks 2 and 3 were merged, then cut again: the parts have identities of their own; the
    // blocks around them keep theirs.
    const parts = indented.blocks!.filter((block) => block.startRow >= before[2].startRow && block.startRow < before[4].startRow);
    assert.ok(parts.length >= 2, JSON.stringify(parts.map((block) => block.startRow)));
    const identities = new Set(before.map((block) => block.identity));
    assert.ok(parts.every((block) => !identities.has(block.identity)));
    assert.equal(indented.blocks!.find((block) => block.startRow === before[4].startRow)?.identity, before[4].identity);
    assert.ok(!indented.blocks!.some((block) => block.startRow === cutRow), 'no block starts at the indented line');
    assert.ok(indented.blocks!.every((block) => !lines[block.startRow].startsWith(' ')));
    const whole = parsePython(file.text);
    assert.deepEqual(
      indented.rootNode.namedChildren.map((n) => `${n.type} ${n.startPosition.row}`),
      whole.rootNode.namedChildren.map((n) => `${n.type} ${n.startPosition.row}`),
    );
    whole.delete();
    lines[cutRow] = lines[cutRow].trimStart();
    file.update(lines.join('\n'));
    const mended = file.syntax();
    assert.equal(mended.rootNode.hasError, false);
    const fresh = parsePython(file.text);
    assert.deepEqual(nodesUnder(blockRoots(mended)), nodesUnder([fresh.rootNode]));
    fresh.delete();
    file.dispose();
  });

  test('a string opened in one block and closed in a later one parses as it does whole', async () => {
    await initPythonParser();
    const text = moduleOf(40);
    const file = new BlockedFile(text, { statementsPerBlock: 8 });
    const blocks = file.syntax().blocks!;
    const lines = text.split('\n');
    // Open a string in block 1 and close it in block 3: the lines between become its text.
    lines[blocks[1].startRow + 1] = `DOC = """${lines[blocks[1].startRow + 1]}`;
    file.update(lines.join('\n'));
    assert.equal(file.syntax().rootNode.hasError, true);
    lines[blocks[3].startRow + 1] = `${lines[blocks[3].startRow + 1]}"""`;
    file.update(lines.join('\n'));
    assertValidAndAsWhole(file);
    file.dispose();
  });

  test('a clause that continues the statement before a cut parses as it does whole', async () => {
    await initPythonParser();
    const lines = Array.from({ length: 60 }, (_, i) => `e${i} = ${i}`);
    const file = new BlockedFile(lines.join('\n') + '\n', { statementsPerBlock: 8 });
    const blocks = file.syntax().blocks!;
    const cut = blocks[2].startRow;
    // Edits beside the cut, not at it: the last statement before it becomes an if, and the
    // first after it its else (typed after its "e").
    lines[cut - 1] = `if X: ${lines[cut - 1]}`;
    file.update(lines.join('\n') + '\n');
    assert.equal(file.syntax().blocks![2].identity, blocks[2].identity, 'the block after the cut is not touched');
    lines[cut] = `else:\n    ${lines[cut]}`;
    file.update(lines.join('\n') + '\n');
    assertValidAndAsWhole(file);
    file.dispose();
  });

  for (const [name, eol, seed] of [
    ['\\n', '\n', 17],
    ['\\r\\n', '\r\n', 41],
  ] as const) {
    test(`after random edits, every valid text parses in blocks as it does whole (${name} line endings)`, async () => {
      await initPythonParser();
      const file = new BlockedFile(moduleOf(60, eol), { statementsPerBlock: 6 });
      file.syntax();
      let state: number = seed;
      const next = (n: number) => ((state = (state * 1103515245 + 12345) % 2147483648), state % n);
      const fragments = ['"', '(', ')', '[', ']', 'x', ' ', '\n', '\n', '\n\n', '#', ':', '    ', 'if X:\n', '=', '1', ',', '"""', 'Y = 2\n', '\\\n', 'else:\n'].map((f) => f.replace(/\n/g, eol));
      let compared = 0;
      let erroneous = 0;
      let valid = file.text;
      let invalidRun = 0;
      for (let i = 0; i < 400; i++) {
        const text = file.text;
        const start = next(text.length + 1);
        const end = Math.min(text.length, start + (next(3) === 0 ? next(40) : 0));
        file.update(text.slice(0, start) + fragments[next(fragments.length)] + text.slice(end));
        const syntax = file.syntax();
        const whole = parsePython(file.text);
        if (whole.rootNode.hasError) {
          erroneous++;
          invalidRun++;
          assert.equal(syntax.rootNode.hasError, true, `a syntax error is not lost, after edit ${i}`);
        } else {
          compared++;
          invalidRun = 0;
          valid = file.text;
          assert.deepEqual(nodesUnder(syntax.blocks ? blockRoots(syntax) : [syntax.rootNode as Node]), nodesUnder([whole.rootNode]), `after edit ${i}:\n${file.text}`);
        }
        whole.delete();
        // Errors accumulate: after a few edits in error, back to the last valid text (an edit too).
        if (invalidRun === 3) {
          file.update(valid);
          invalidRun = 0;
        }
      }
      assert.ok(compared > 60 && erroneous > 60, JSON.stringify({ compared, erroneous }));
      file.dispose();
    });
  }

  test('a bracket left open stays in its block: the others are not merged into its error', async () => {
    await initPythonParser();
    const text = moduleOf(120);
    const file = new BlockedFile(text, { statementsPerBlock: 8 });
    const before = file.syntax().blocks!;
    // Typed on its own line inside the second block, not closed yet.
    const line = before[1].startRow + 2;
    const lines = text.split('\n');
    lines.splice(line, 0, 'OPEN = (');
    file.update(lines.join('\n'));
    const open = file.syntax();
    assert.equal(open.blocks!.length, before.length);
    assert.deepEqual(
      open.blocks!.map((block) => block.root.hasError),
      open.blocks!.map((_, index) => index === 1),
    );
    // Closed again on the next line: valid, and as a whole parse reads it.
    lines.splice(line + 1, 0, ')');
    file.update(lines.join('\n'));
    assertValidAndAsWhole(file);
    file.dispose();
  });

  test('a BlocksRoot answers from the block a position is in', async () => {
    await initPythonParser();
    const text = moduleOf(40);
    const file = new BlockedFile(text, { statementsPerBlock: 8 });
    const syntax = file.syntax();
    assert.ok(syntax.rootNode instanceof BlocksRoot);
    const last = syntax.blocks![syntax.blocks!.length - 1];
    const node = syntax.rootNode.descendantForPosition({ row: last.startRow, column: 0 });
    assert.equal(node?.startPosition.row, last.startRow);
    file.dispose();
  });
});
