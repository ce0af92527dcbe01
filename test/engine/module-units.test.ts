/**
 * What the code rules' memo reads of a module kept in blocks, once per parse of a block:
 * its statements (module-units.ts), the answers of line-local text tests
 * (block-text-tests.ts), the groups its names make (definition-groups.ts), and the
 * reduced modules the rules run on (reduced-module.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { holdsInSomeLine } from '../../server/src/engine/parse/block-text-tests';
import { initPythonParser, parsePython } from '../../server/src/engine/parse/python';
import { definitionGroups, GroupLayouts, namesOf, type Names } from '../../server/src/engine/python/definition-groups';
import { BlockUnits, ByStatementText, moduleUnits, type ModuleUnit } from '../../server/src/engine/python/module-units';
import { keptInPlace, keptTogether } from '../../server/src/engine/python/reduced-module';
import { BlockedFile } from './blocked-store';

/** A module of `count` small views, a comment and an import now and then. */
function views(count: number): string {
  const out = ['from django.http import HttpResponse', ''];
  for (let i = 0; i < count; i++) {
    if (i % 5 === 0) out.push(`# section ${i}`);
    out.push(`def view_${i}(request):`, i % 7 === 0 ? '    import json' : '    pass', `    return HttpResponse("page ${i}")`, '');
  }
  return out.join('\n');
}

/** What a unit says, without its node. */
function shape(unit: ModuleUnit): string {
  return `${unit.node.type} ${unit.startRow}:${unit.startColumn}-${unit.endRow}:${unit.endColumn} ${unit.startIndex}-${unit.endIndex} ${unit.definition} ${unit.mentionsImport} ${JSON.stringify(unit.text)}`;
}

function wholeUnits(text: string, comments?: string[]): string[] {
  const tree = parsePython(text);
  try {
    return moduleUnits(tree.rootNode, text, comments).map(shape);
  } finally {
    tree.delete();
  }
}

before(async () => {
  await initPythonParser();
});

describe('statements read from blocks', () => {
  test('are the statements of a whole parse, after edits above them move them', () => {
    let text = views(60);
    const file = new BlockedFile(text, { statementsPerBlock: 8 });
    const units = new BlockUnits();
    const read = (): string[] => {
      const comments: string[] = [];
      const syntax = file.syntax();
      const shapes = moduleUnits(syntax.rootNode, file.text, comments, { blocks: syntax.blocks!, units }).map(shape);
      const wholeComments: string[] = [];
      assert.deepEqual(shapes, wholeUnits(file.text, wholeComments));
      assert.deepEqual(comments, wholeComments);
      return shapes;
    };
    assert.ok(file.syntax().blocks!.length > 4, 'the module is kept in blocks');
    read();
    // Lines added near the top: every later block moves, none is parsed again.
    text = text.replace('def view_1(request):', 'def view_1(request):\n    x = 1\n    y = 2');
    file.update(text);
    read();
    // A line removed, a word typed into a view further down.
    text = text.replace('    x = 1\n', '').replace('page 40', 'page forty');
    file.update(text);
    const shapes = read();
    assert.ok(shapes.some((s) => s.includes('page forty')));
    file.dispose();
  });
});

describe('line-local text tests by block', () => {
  test('agree with a test of the whole text, and ask a block again only once it is parsed again', () => {
    let text = views(60);
    const file = new BlockedFile(text, { statementsPerBlock: 8 });
    const blocks = () => file.syntax().blocks!;
    let asked = 0;
    const mentions = (word: string) => (part: string) => {
      asked++;
      return part.includes(word);
    };
    for (const word of ['view_3(', 'view_59(', 'import json', '# section 55', 'nowhere']) {
      assert.equal(holdsInSomeLine(text, blocks(), `has ${word}`, mentions(word)), text.includes(word), word);
    }
    // Asked again: every answer is kept.
    asked = 0;
    assert.equal(holdsInSomeLine(text, blocks(), 'has nowhere', mentions('nowhere')), false);
    assert.equal(asked, 0);
    // The word typed into one view: its block alone is asked.
    text = text.replace('page 40', 'page nowhere');
    file.update(text);
    assert.equal(holdsInSomeLine(text, blocks(), 'has nowhere', mentions('nowhere')), true);
    assert.equal(asked, 1);
    // Without blocks, the whole text.
    assert.equal(holdsInSomeLine(text, undefined, 'has nowhere', mentions('nowhere')), true);
    assert.equal(asked, 2);
    file.dispose();
  });
});

describe('groups of definitions', () => {
  const layoutOf = (text: string, names: ByStatementText<Names>, layouts: GroupLayouts) => {
    const tree = parsePython(text);
    try {
      const units = moduleUnits(tree.rootNode, text);
      const unitNames = units.map((unit) => names.of(unit.text, () => namesOf(unit)));
      names.settle();
      return { layout: layouts.of(units, unitNames), fresh: definitionGroups(units, unitNames) };
    } finally {
      tree.delete();
    }
  };
  const module = [
    'import os',
    '',
    'def helper(value):',
    '    return value',
    '',
    'def view(request):',
    '    return helper(request.GET["q"])',
    '',
    'def other(request):',
    '    return "other"',
    '',
    'handler = other',
    '',
  ].join('\n');

  test('are kept while the names do not change, and made again when a definition mentions another', () => {
    const names = new ByStatementText<Names>();
    const layouts = new GroupLayouts();
    const first = layoutOf(module, names, layouts);
    assert.deepEqual([...first.layout.groupOf], [-1, 1, 1, 3, -1]);
    assert.deepEqual([...first.layout.groupOf], [...first.fresh]);
    assert.deepEqual([...first.layout.pinned], [3], 'the group of `other`, which the context names');
    assert.equal(first.layout.definedNames, 'helper view other');
    // Words typed into a string, or names no definition binds: the same layout.
    const typed = layoutOf(module.replace('"other"', '"other page" + str(len(os.sep))'), names, layouts);
    assert.equal(typed.layout, first.layout);
    // `other` now calls `helper`: one group of three.
    const linked = layoutOf(module.replace('return "other"', 'return helper("other")'), names, layouts);
    assert.notEqual(linked.layout, first.layout);
    assert.deepEqual([...linked.layout.groupOf], [-1, 1, 1, 1, -1]);
    assert.deepEqual([...linked.layout.groupOf], [...linked.fresh]);
  });
});

describe('reduced modules', () => {
  const text = [
    'import os',
    '',
    '',
    'def kept(request):',
    '    return os.environ["A"]',
    '',
    '',
    'def left(request):',
    '    return 1',
    '',
    '',
    'class Also(object):',
    '    pass',
    '',
    '',
    'def last(request):',
    '    return os.sep',
    '',
  ].join('\n');

  test('with the kept statements together map their positions back to the module', () => {
    const tree = parsePython(text);
    try {
      const units = moduleUnits(tree.rootNode, text);
      const names = ['', 'kept', 'left', 'Also', 'last'];
      const reduced = keptTogether(
        units,
        (index) => index !== 2 && index !== 3,
        (index) => names[index],
      )!;
      assert.equal(reduced.text, 'import os\ndef kept(request):\n    return os.environ["A"]\ndef left(): pass\ndef last(request):\n    return os.sep\n');
      assert.deepEqual([...reduced.stubRows], [3]);
      assert.deepEqual(reduced.others, ['Also']);
      const toModule = reduced.toModule!;
      assert.deepEqual(toModule({ line: 2, character: 11 }), { line: 4, character: 11 });
      assert.deepEqual(toModule({ line: 5, character: 4 }), { line: 16, character: 4 });
      assert.deepEqual(toModule({ line: 3, character: 0 }), { line: 7, character: 0 }, 'the stub’s start is the left-out definition’s');
      assert.equal(toModule({ line: 3, character: 4 }), undefined, 'inside the stub: nothing in the module');
      assert.equal(toModule({ line: 6, character: 0 }), undefined, 'past the last statement');
    } finally {
      tree.delete();
    }
  });

  test('in place keep rows and columns; together, a statement that does not start a line is refused', () => {
    const inline = 'import os; import sys\n\ndef view(request):\n    return 1\n';
    const tree = parsePython(inline);
    try {
      const units = moduleUnits(tree.rootNode, inline);
      assert.equal(
        keptTogether(
          units,
          () => true,
          () => undefined,
        ),
        undefined,
      );
      const inPlace = keptInPlace(
        inline,
        units,
        (index) => index < 2,
        () => 'view',
      );
      assert.equal(inPlace.text, 'import os; import sys\n\ndef view(): pass\n\n');
      assert.equal(inPlace.toModule, undefined);
    } finally {
      tree.delete();
    }
  });
});
