import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { initPythonParser, parsePython } from '../../server/src/engine/parse/python';
import { Project } from '../../server/src/engine/project/project';
import type { SourceFile, SourceStore } from '../../server/src/engine/project/source-store';
import { argumentsPassed } from '../../server/src/engine/python/call-sites';
import { at, MemoryStore } from './memory-project';

const QUERIES = at('shop/queries.py');
const SERVICES = at('shop/services.py');

const QUERIES_TEXT = ['def latest(limit):', '    return limit', '', '', 'def recent():', '    return latest(5)', ''].join('\n');
const SERVICES_TEXT = ['from .queries import latest', '', '', 'def page(rows):', '    return latest(len(rows))', ''].join('\n');

/** A store that counts the parses of each file, as the server's store of open documents would pay for them. */
class CountingStore implements SourceStore {
  readonly parses = new Map<string, number>();
  private readonly base: MemoryStore;
  constructor(texts: Map<string, string>) {
    this.base = new MemoryStore(texts);
  }
  get(file: string): SourceFile | undefined {
    const source = this.base.get(file);
    if (!source) return undefined;
    return {
      ...source,
      tree: () => {
        this.parses.set(file, (this.parses.get(file) ?? 0) + 1);
        return source.tree();
      },
    };
  }
  exists(file: string): boolean {
    return this.base.exists(file);
  }
}

describe("the project's calls of a helper", () => {
  before(async () => {
    await initPythonParser();
  });

  test("finds every call, reads the helper's own module from the helper's tree and parses only the other callers", () => {
    const store = new CountingStore(
      new Map([
        [QUERIES, QUERIES_TEXT],
        [SERVICES, SERVICES_TEXT],
      ]),
    );
    const project = new Project(at(''), [QUERIES, SERVICES], store, DEFAULT_CONFIG);
    const tree = parsePython(QUERIES_TEXT);
    try {
      const fn = tree.rootNode.namedChildren[0]!;
      const parameter = fn.childForFieldName('parameters')!.namedChildren[0]!;
      const passed = argumentsPassed(project, QUERIES, fn, parameter);
      assert.deepEqual(
        passed?.map((p) => [p.file === QUERIES ? 'queries' : 'services', p.own, p.node.text]),
        [
          ['queries', true, '5'],
          ['services', false, 'len(rows)'],
        ],
      );
      assert.equal(store.parses.get(QUERIES), undefined, 'the helper module is not parsed again');
      assert.equal(store.parses.get(SERVICES), 1);
    } finally {
      tree.delete();
    }
  });

  test('gives no answer when the helper is also passed around by name', () => {
    const texts = new Map([
      [QUERIES, QUERIES_TEXT + '\nFINDERS = [latest]\n'],
      [SERVICES, SERVICES_TEXT],
    ]);
    const project = new Project(at(''), [QUERIES, SERVICES], new MemoryStore(texts), DEFAULT_CONFIG);
    const tree = parsePython(texts.get(QUERIES)!);
    try {
      const fn = tree.rootNode.namedChildren[0]!;
      assert.equal(argumentsPassed(project, QUERIES, fn, fn.childForFieldName('parameters')!.namedChildren[0]!), undefined);
    } finally {
      tree.delete();
    }
  });
});
