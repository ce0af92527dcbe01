/**
 * The code rules' memo by definition (engine/python/definition-memo.ts): whatever the edits,
 * its findings are exactly a whole analysis's, and it re-analyses what an edit can change.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import type { AnalysisNote } from '../../server/src/engine/guarded';
import { parsePython } from '../../server/src/engine/parse/python';
import { pythonFindings } from '../../server/src/engine/python-analyzer';
import { DefinitionMemo } from '../../server/src/engine/python/definition-memo';
import { Project } from '../../server/src/engine/project/project';
import type { Finding } from '../../server/src/engine/types';
import { seededRandom } from '../support/template-generator';
import { BlockedStore } from './blocked-store';
import { at, memoryProject } from './memory-project';

const VIEWS = 'shop/views.py';

/**
 * Findings of `views` by a whole analysis and through `memo`, in one project with `others`;
 * with `blocked`, a store keeping the module in blocks across calls (the memo reads its
 * statements from the blocks then, as in the language server).
 */
async function bothWays(memo: DefinitionMemo, views: string, others: Record<string, string> = {}, blocked?: BlockedStore): Promise<{ memoised: Finding[]; whole: Finding[] }> {
  const files = { 'manage.py': '', 'shop/__init__.py': '', ...others, [VIEWS]: views };
  let project = await memoryProject(files);
  if (blocked) {
    for (const [file, text] of Object.entries(files)) blocked.texts.set(at(file), text);
    project = new Project(project.root, project.files, blocked, DEFAULT_CONFIG);
  }
  const notes: AnalysisNote[] = [];
  const log = (note: AnalysisNote) => notes.push(note);
  const whole = pythonFindings(project, at(VIEWS), DEFAULT_CONFIG, log, () => undefined);
  const memoised = pythonFindings(project, at(VIEWS), DEFAULT_CONFIG, log, () => memo);
  assert.deepEqual(notes, [], 'a rule failed');
  return { memoised, whole };
}

function lines(findings: Finding[]): string[] {
  return findings.map((f) => `${f.code}:${f.severity}:${f.range.start.line + 1}:${f.range.start.character}`);
}

/** A views module with the patterns the rules read across definitions: helpers, callers passing cursors, classes, function-level imports, module constants. */
function viewsModule(count: number): string {
  const out = [
    'from django.db import connection',
    'from django.http import HttpResponse',
    'from django.utils.safestring import mark_safe',
    'from django.views.decorators.csrf import csrf_exempt',
    'from django.views import View',
    'from .models import Order',
    '',
    'TABLE = "shop_order"',
    '',
    '',
    'def quoted(value):',
    '    return "\'" + value + "\'"',
    '',
    '',
    'def build_query(order_id):',
    '    return f"SELECT * FROM {TABLE} WHERE id = {order_id}"',
    '',
  ];
  for (let i = 0; i < count; i++) {
    switch (i % 7) {
      case 0:
        out.push(
          `def view_${i}(request):`,
          '    order_id = request.GET.get("id")',
          `    rows = Order.objects.raw(f"SELECT * FROM shop_order WHERE id = {order_id} AND n = ${i}")`,
          '    return HttpResponse(str(list(rows)))',
        );
        break;
      case 1:
        out.push(`def view_${i}(request):`, '    with connection.cursor() as cursor:', '        cursor.execute(build_query(request.GET["id"]))', '    return HttpResponse("ok")');
        break;
      case 2:
        out.push('@csrf_exempt', `def hook_${i}(request):`, `    return HttpResponse(mark_safe("<b>%s</b>" % request.POST["name"]))`);
        break;
      case 3:
        out.push(
          `class Report${i}(View):`,
          '    def get(self, request):',
          '        from django.utils.html import format_html',
          '        name = request.GET.get("name")',
          '        return HttpResponse(mark_safe(quoted(name)) + format_html("<i>{}</i>", name))',
        );
        break;
      case 4:
        out.push(
          `def run_sql_${i}(cursor, value):`,
          '    cursor.execute("SELECT * FROM t WHERE v = \'%s\'" % value)',
          '',
          '',
          `def caller_${i}(request):`,
          '    with connection.cursor() as c:',
          `        run_sql_${i}(c, request.GET["v"])`,
        );
        break;
      case 5:
        // A helper whose parameter is judged by what every caller passes (see call-sites.ts).
        out.push(
          `def series_${i}(quantity):`,
          '    with connection.cursor() as cursor:',
          '        cursor.execute(f"SELECT generate_series(1, {quantity})")',
          '',
          '',
          `def count_${i}(request):`,
          `    return series_${i}(len(request.GET))`,
        );
        break;
      default:
        out.push(`def safe_${i}(request):`, `    rows = Order.objects.raw("SELECT * FROM shop_order WHERE id = %s", [request.GET["id"]])`, '    return HttpResponse(mark_safe("<br>"))');
    }
    out.push('', '');
  }
  return out.join('\n');
}

const TYPED = ['x', ' ', '\n', '\r\n', '\r', '"', '(', ')', ':', '#', '_', '1', '    '];
const LINES = [
  '\n',
  'x = 1\n',
  '    y = request.GET["q"]\n',
  '# a note\n',
  'def extra(request):\n    return mark_safe(request.GET["a"])\n',
  // A definition named like the import a fix would add: the fix is not offered then.
  'def format_html(value):\n    return value\n',
  'from mylib import mark_safe\n',
  'TABLE = request\n',
  'handler = build_query\n',
  '# def series_5(value):\n',
  '    series_5(request.GET["n"])\n',
];

/** One random edit: characters typed or deleted anywhere, lines added or removed. */
function edit(text: string, next: () => number): string {
  const offset = Math.floor(next() * (text.length + 1));
  const choice = next();
  if (choice < 0.4) return text.slice(0, offset) + TYPED[Math.floor(next() * TYPED.length)] + text.slice(offset);
  if (choice < 0.6) return text.slice(0, offset) + text.slice(offset + 1 + Math.floor(next() * 3));
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  if (choice < 0.85) return text.slice(0, lineStart) + LINES[Math.floor(next() * LINES.length)] + text.slice(lineStart);
  const lineEnd = text.indexOf('\n', offset);
  return text.slice(0, lineStart) + (lineEnd === -1 ? '' : text.slice(lineEnd + 1));
}

function hasSyntaxError(text: string): boolean {
  const tree = parsePython(text);
  try {
    return tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

describe('the code rules memoised by definition', () => {
  test('give exactly a whole analysis’s findings (ranges, related locations, flows, fixes) across random edits', { timeout: 240_000 }, async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const next = seededRandom(seed);
      const memo = new DefinitionMemo(at(VIEWS));
      // Even seeds keep the module in blocks of four statements, as the server keeps a large one.
      const blocked = seed % 2 === 0 ? new BlockedStore(new Map(), { statementsPerBlock: 4 }) : undefined;
      // With a hard-coded token: DJH209 reads the whole module, beside the memo (over the blocks for even seeds).
      let text = viewsModule(18).replace('TABLE = "shop_order"', 'TABLE = "shop_order"\nSTRIPE_TOKEN = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"');
      let replayed = 0;
      let valid = text;
      for (let step = 0; step < 45; step++) {
        const { memoised, whole } = await bothWays(memo, text, {}, blocked);
        assert.deepEqual(memoised, whole, `seed ${seed}, step ${step}:\n${text}`);
        replayed += memo.lastRun.replayed;
        // A module with syntax errors is analysed whole; most steps go back to the last text
        // that parsed, so the memo is exercised too.
        const broken = hasSyntaxError(text);
        if (!broken) valid = text;
        text = edit(broken && next() < 0.75 ? valid : text, next);
      }
      assert.ok(replayed > 0, 'the memo replayed nothing');
      if (blocked) assert.ok([...blocked.files.values()].length > 0);
      for (const file of blocked?.files.values() ?? []) file.dispose();
    }
  });

  test('a module with findings: the first analysis runs every group, an edit in one view re-runs its group only', async () => {
    const memo = new DefinitionMemo(at(VIEWS));
    const text = viewsModule(12);
    const first = await bothWays(memo, text);
    assert.ok(first.whole.length >= 10, `few findings: ${lines(first.whole).join(', ')}`);
    const groups = memo.lastRun.analysed;
    assert.equal(memo.lastRun.replayed, 0);
    const edited = text.replace('AND n = 7")', "AND n = 7 AND m = {request.GET['m']}\")");
    const after = await bothWays(memo, edited);
    assert.deepEqual(after.memoised, after.whole);
    assert.deepEqual(memo.lastRun, { analysed: 1, replayed: groups - 1 });
    const line = edited.split('\n').findIndex((l) => l.includes('AND m = '));
    const atLine = after.memoised.filter((f) => f.range.start.line === line);
    assert.equal(atLine.length, 1);
    assert.match(atLine[0].message, /pass them as query parameters/, 'two values now reach the SQL');
  });

  test('a group that only moved comes back at shifted ranges, flows and fix edits', async () => {
    const memo = new DefinitionMemo(at(VIEWS));
    const text = viewsModule(6);
    const before = await bothWays(memo, text);
    const groups = memo.lastRun.analysed;
    const moved = text.replace('def quoted(value):', '# a note\n\n\ndef quoted(value):');
    const after = await bothWays(memo, moved);
    assert.deepEqual(after.memoised, after.whole);
    assert.deepEqual(memo.lastRun, { analysed: 0, replayed: groups });
    const shift = (f: Finding) => f.range.start.line;
    assert.deepEqual(
      after.memoised.map(shift),
      before.whole.map((f) => shift(f) + 3),
    );
    const withFix = after.memoised.find((f) => f.fixes.length > 0 && f.fixes[0].edits.length > 0);
    assert.ok(withFix, 'no finding with a fix');
    const fixBefore = before.whole.find((f) => f.code === withFix.code && f.range.start.line === withFix.range.start.line - 3)!;
    assert.equal(withFix.fixes[0].edits[0].range.start.line, fixBefore.fixes[0].edits[0].range.start.line + 3);
    const withFlow = after.memoised.find((f) => f.flow && f.flow.length > 0);
    assert.ok(withFlow, 'no finding with a flow');
  });

  test('a definition whose helper’s return provenance changed is analysed again', async () => {
    const memo = new DefinitionMemo(at(VIEWS));
    const view = [
      'def view(request):',
      '    with connection.cursor() as cursor:',
      '        cursor.execute("SELECT * FROM t WHERE id = " + clean(request.GET["id"]))',
      '    return HttpResponse("ok")',
    ].join('\n');
    const module = (helper: string) => `from django.db import connection\nfrom django.http import HttpResponse\n\n\ndef clean(value):\n    return ${helper}\n\n\n${view}\n`;
    const safe = await bothWays(memo, module('"1"'));
    assert.deepEqual(safe.memoised, safe.whole);
    assert.deepEqual(lines(safe.memoised), []);
    const unsafe = await bothWays(memo, module('value'));
    assert.deepEqual(unsafe.memoised, unsafe.whole);
    assert.deepEqual(lines(unsafe.memoised), ['DJH201:error:11:23']);
  });

  test('an import, a function-level import elsewhere or a module constant that changed re-analyses the definitions that read them', async () => {
    const memo = new DefinitionMemo(at(VIEWS));
    const view = 'def view(request):\n    return mark_safe(request.GET["a"])\n';
    const imported = await bothWays(memo, `from django.utils.safestring import mark_safe\n\n\n${view}`);
    assert.deepEqual(lines(imported.memoised), ['DJH203:error:5:11']);
    const other = await bothWays(memo, `from mylib import mark_safe\n\n\n${view}`);
    assert.deepEqual(other.memoised, other.whole);
    assert.deepEqual(lines(other.memoised), []);
    // An import inside another function binds the name for the module's reader too.
    const nested = await bothWays(memo, `from mylib import mark_safe\n\n\ndef setup():\n    from django.utils.safestring import mark_safe\n\n\n${view}`);
    assert.deepEqual(nested.memoised, nested.whole);

    const sql = (query: string) =>
      `from django.db import connection\n\nQUERY = ${query}\n\n\ndef view(request):\n    with connection.cursor() as cursor:\n        cursor.execute(QUERY % request.GET["a"])\n`;
    const constant = await bothWays(memo, sql('"SELECT 1"'));
    assert.deepEqual(lines(constant.memoised), [], 'no placeholder: the value never reaches the SQL');
    const placeholder = await bothWays(memo, sql('"SELECT * FROM t WHERE a = %s"'));
    assert.deepEqual(placeholder.memoised, placeholder.whole);
    assert.deepEqual(lines(placeholder.memoised), ['DJH201:error:8:23']);
  });

  test('a helper imported from another module of the project that changed re-analyses its callers', async () => {
    const memo = new DefinitionMemo(at(VIEWS));
    const views =
      'from django.db import connection\nfrom .helpers import clean\n\n\ndef view(request):\n    with connection.cursor() as cursor:\n        cursor.execute("SELECT * FROM t WHERE id = " + clean(request.GET["id"]))\n';
    const safe = await bothWays(memo, views, { 'shop/helpers.py': 'def clean(value):\n    return "1"\n' });
    assert.deepEqual(lines(safe.memoised), []);
    const unsafe = await bothWays(memo, views, { 'shop/helpers.py': 'def clean(value):\n    return value\n' });
    assert.deepEqual(unsafe.memoised, unsafe.whole);
    assert.deepEqual(lines(unsafe.memoised), ['DJH201:error:7:23']);
  });

  for (const blocks of [false, true]) {
    test(`a module where DJH209 runs (it reads the whole module) keeps the other rules in the memo, DJH209 beside it over the ${blocks ? 'blocks' : 'tree'}`, async () => {
      const memo = new DefinitionMemo(at(VIEWS));
      const blocked = blocks ? new BlockedStore(new Map(), { statementsPerBlock: 4 }) : undefined;
      const text = viewsModule(12) + '\n\nSTRIPE_TOKEN = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"\n';
      const first = await bothWays(memo, text, {}, blocked);
      assert.deepEqual(first.memoised, first.whole);
      assert.ok(first.whole.some((f) => f.code === 'DJH209'));
      const groups = memo.lastRun.analysed;
      const edited = text.replace('AND n = 7")', "AND n = 7 AND m = {request.GET['m']}\")");
      const after = await bothWays(memo, edited, {}, blocked);
      assert.deepEqual(after.memoised, after.whole);
      assert.deepEqual(memo.lastRun, { analysed: 1, replayed: groups - 1 });
      assert.deepEqual(
        after.memoised.filter((f) => f.code === 'DJH209').map((f) => f.fixes[0]?.edits.map((e) => e.newText)),
        [['os.environ["STRIPE_TOKEN"]', '\nimport os']],
      );
      if (blocked) assert.ok((blocked.files.get(at(VIEWS))?.keptBlocks()?.length ?? 0) > 1, 'the module is kept in blocks');
      for (const file of blocked?.files.values() ?? []) file.dispose();
    });
  }
});
