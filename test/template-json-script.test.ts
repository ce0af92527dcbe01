/**
 * The DJH306 json_script fix, round-tripped through Django: the fixed template lexes with
 * Django's own lexer into the tokens expected, and rendered by Django with the same data,
 * its scripts see the same values the original's did.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import vm from 'node:vm';
import { DEFAULT_CONFIG } from '../server/src/engine/config';
import { applyFixes } from '../server/src/engine/fixes/apply';
import { templateAnalyzer } from '../server/src/engine/template-analyzer';
import { at, memoryProject } from './engine/memory-project';
import { findDjango } from './support/django';
import { djangoRender, djangoTokens } from './support/template-django';

interface Case {
  name: string;
  text: string;
  data: Record<string, unknown>;
  /** Variables the fix moves to json_script elements. */
  moved: string[];
}

const CASES: Case[] = [
  {
    name: 'numbers and lists of numbers in one script',
    text: '<main>\n  <script>\n    var total = {{ total }};\n    var points = {{ points }};\n    var ratio = -{{ ratio }};\n  </script>\n</main>\n',
    data: { total: 42, points: [1, 2.5, -3], ratio: 0.25 },
    moved: ['total', 'points', 'ratio'],
  },
  {
    name: 'call arguments, an attribute path and a filter kept',
    text: '<div><script>init({{ options.size }}, {{ count|default:0 }});</script></div>\n',
    data: { options: { size: 7 } },
    moved: ['options.size', 'count|default:0'],
  },
  {
    name: 'one value read twice, and a value of a with block opened before the script',
    text: '{% with limit=config.limit %}\n<script>\n  var a = {{ limit }} + 1, b = {{ limit }} * 2;\n</script>\n{% endwith %}\n',
    data: { config: { limit: 10 } },
    moved: ['limit'],
  },
];

/** Applies every DJH306 fix, round after round, as `--fix --unsafe-fixes` does. */
async function fixed(text: string): Promise<string> {
  let current = text;
  for (let round = 0; round < 5; round++) {
    const project = await memoryProject({ 'templates/t.html': current });
    const fixes = templateAnalyzer
      .analyze(project, at('templates/t.html'), DEFAULT_CONFIG)
      .filter((finding) => finding.code === 'DJH306')
      .flatMap((finding) => finding.fixes.slice(0, 1));
    if (fixes.length === 0) return current;
    const result = applyFixes(fixes, () => current);
    const next = result.texts.get(at('templates/t.html'));
    if (next === undefined) return current;
    current = next;
  }
  assert.fail('the fixes did not settle');
}

/** The values the page's scripts leave in their global scope, with json_script elements readable by id. */
function runScripts(html: string): Record<string, unknown> {
  const data = new Map<string, string>();
  for (const match of html.matchAll(/<script id="([^"]+)" type="application\/json">([\s\S]*?)<\/script>/g)) data.set(match[1], match[2]);
  const calls: unknown[][] = [];
  const context = vm.createContext({
    document: { getElementById: (id: string) => (data.has(id) ? { textContent: data.get(id) } : null) },
    init: (...args: unknown[]) => calls.push(args),
  });
  for (const match of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) vm.runInContext(match[1], context);
  const globals = vm.runInContext(
    '({ total: typeof total === "undefined" ? undefined : total, points: typeof points === "undefined" ? undefined : points, ratio: typeof ratio === "undefined" ? undefined : ratio, a: typeof a === "undefined" ? undefined : a, b: typeof b === "undefined" ? undefined : b })',
    context,
  ) as Record<string, unknown>;
  return JSON.parse(JSON.stringify({ ...globals, calls })) as Record<string, unknown>;
}

describe('DJH306 json_script fix, through Django', () => {
  test('the fixed templates lex cleanly with Django and give the scripts the same data', async (t) => {
    const django = await findDjango();
    if ('missing' in django) {
      if (process.env.CI) assert.fail(`the round trip needs Debian's python3-django: ${django.missing}`);
      t.skip(django.missing);
      return;
    }
    const results = await Promise.all(CASES.map((c) => fixed(c.text)));
    const tokens = await djangoTokens(results);
    if ('missing' in tokens) assert.fail(tokens.missing);
    const rendered = await djangoRender(
      CASES.flatMap((c, i) => [
        { text: c.text, data: c.data },
        { text: results[i], data: c.data },
      ]),
    );
    if ('missing' in rendered) assert.fail(rendered.missing);
    CASES.forEach((c, i) => {
      assert.notEqual(results[i], c.text, `${c.name}: the fix changed nothing`);
      const elements = tokens[i].filter((token) => token.kind === 'var' && token.contents.includes('|json_script:')).map((token) => token.contents.replace(/\|json_script:"[\w-]+"$/, ''));
      assert.deepEqual(elements, c.moved, `${c.name}: json_script elements`);
      assert.ok(
        tokens[i].every((token) => token.kind !== 'var' || token.contents.includes('|json_script:')),
        `${c.name}: a variable is still printed in the script: ${results[i]}`,
      );
      const before = runScripts(rendered[2 * i]);
      const after = runScripts(rendered[2 * i + 1]);
      assert.deepEqual(after, before, `${c.name}: the scripts see other values\n${rendered[2 * i + 1]}`);
    });
    t.diagnostic(`${CASES.length} templates fixed, lexed and rendered by Django ${django.version}`);
  });
});
