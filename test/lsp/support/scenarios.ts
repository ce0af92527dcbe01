/**
 * The editor scenarios every transport must pass: run in-process by server.test.ts and
 * against the built bundle over stdio by stdio.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CodeActionKind, DiagnosticSeverity, FileChangeType, MessageType, type CodeAction, type Diagnostic, type Range } from 'vscode-languageserver/node';
import { initPythonParser, parsePython } from '../../../server/src/engine/parse/python';
import { FIX_ALL_KIND, HARDEN_KIND, SERVER_COMMANDS, type HardenCommandResult } from '../../../server/src/lsp/protocol';
import { analyzeProject } from '../../../server/src/engine/analyze';
import { applyTextEdits } from '../../../server/src/engine/text';
import { differingSpan } from '../../support/differing-span';
import { assertDocsLink } from '../../support/docs-link';
import { openProject } from '../../support/project';
import { EDITOR_CAPABILITIES, offsetAt, positionAt } from './lsp-client';
import type { Connect, Session } from './harness';

/** Only DEBUG's rule, so the exact expectations below hold whatever other rules exist. */
export const DEBUG_ONLY = { select: ['DJH101'] };

const PRODUCTION = 'mysite/settings/production.py';
const BASE = 'mysite/settings/base.py';
const LEGACY_TEMPLATE = 'shop/templates/shop/legacy.html';
/** The issue's reproducer: a lone \r (an old Mac file's line end) above a POST form. */
const LEGACY_TEMPLATE_TEXT = '<div>\n<p>Copied from an old Mac file:\r legacy text</p>\n<form method="post">\n  <input name="a">\n</form>\n<a href={{ url }}>x</a>\n</div>\n';
const LEGACY_VIEWS = 'shop/legacy_views.py';

export const DEBUG_MESSAGE = 'DEBUG is True in a production settings module. Error pages show stack traces, settings and SQL to anyone.';

const TIMEOUT = { timeout: 30_000 };

async function withSession(connect: Connect, options: Parameters<Connect>[0], body: (s: Session) => Promise<void>): Promise<void> {
  const session = connect(options);
  try {
    await body(session);
  } finally {
    await session.dispose();
  }
}

function only<T>(items: T[]): T {
  assert.equal(items.length, 1, `expected exactly one item, got ${JSON.stringify(items, null, 1)}`);
  return items[0];
}

function actionTitled(actions: unknown[], title: string): CodeAction {
  const action = (actions as CodeAction[]).find((a) => a.title === title);
  assert.ok(action, `no action "${title}" among ${JSON.stringify((actions as CodeAction[]).map((a) => a.title))}`);
  return action;
}

/** The expected DJH101 diagnostic on production.py's `DEBUG = True` (line 3). */
function assertProductionDebug(diagnostic: Diagnostic): void {
  assert.deepEqual(diagnostic.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 12 } });
  assert.equal(diagnostic.code, 'DJH101');
  assert.equal(diagnostic.message, DEBUG_MESSAGE);
  assert.equal(diagnostic.source, 'django-hardener');
  assert.equal(diagnostic.severity, DiagnosticSeverity.Error);
  assertDocsLink(diagnostic.codeDescription?.href, 'DJH101');
  assert.equal(diagnostic.relatedInformation, undefined);
}

export function editorScenarios(connect: Connect): void {
  test('the start-up scan publishes a closed production module, with progress', TIMEOUT, () =>
    withSession(connect, { settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      const published = await client.diagnostics(uri(PRODUCTION));
      assert.equal(published.version, undefined);
      assertProductionDebug(only(published.diagnostics));
      const create = await client.waitFor('progressCreate');
      const end = await client.waitFor('progress', (e) => e.token === create.token && e.value.kind === 'end');
      const begin = client.of('progress').find((e) => e.token === create.token && e.value.kind === 'begin');
      assert.ok(begin, 'progress began');
      assert.ok(client.events.indexOf(begin) < client.events.indexOf(end));
      // The development module and base.py (overridden) have nothing.
      assert.equal(client.latestDiagnostics().get(uri('mysite/settings/dev.py')), undefined);
      assert.equal(client.latestDiagnostics().get(uri(BASE)), undefined);
      assert.deepEqual(client.of('show'), []);
    }),
  );

  test('didOpen → diagnostics → quick fix → the diagnostic disappears', TIMEOUT, () =>
    withSession(connect, { settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      await client.openFile(uri(PRODUCTION));
      const published = await client.diagnostics(uri(PRODUCTION), 0, 1);
      const diagnostic = only(published.diagnostics);
      assertProductionDebug(diagnostic);

      const actions = await client.codeActions(uri(PRODUCTION), diagnostic.range, [diagnostic]);
      assert.deepEqual(
        (actions as CodeAction[]).map((a) => [a.title, a.kind, a.isPreferred]),
        [
          ['Set DEBUG = False (changes runtime behaviour)', CodeActionKind.QuickFix, true],
          ['Ignore DJH101 on this line', CodeActionKind.QuickFix, undefined],
          ['Show documentation for DJH101', CodeActionKind.QuickFix, undefined],
          ['Harden this module (1 fix)', HARDEN_KIND, undefined],
        ],
      );
      const fix = actionTitled(actions, 'Set DEBUG = False (changes runtime behaviour)');
      assert.deepEqual(fix.edit, {
        documentChanges: [{ textDocument: { uri: uri(PRODUCTION), version: 1 }, edits: [{ range: { start: { line: 2, character: 8 }, end: { line: 2, character: 12 } }, newText: 'False' }] }],
      });
      const since = client.mark();
      await client.applyWorkspaceEdit(fix.edit!);
      assert.equal(client.open.get(uri(PRODUCTION))!.text, 'from .base import *  # noqa: F403\n\nDEBUG = False\nALLOWED_HOSTS = ["shop.example.com"]\n');
      const after = await client.diagnostics(uri(PRODUCTION), since, 2);
      assert.deepEqual(after.diagnostics, []);
    }),
  );

  test('"Ignore DJH101 on this line" adds a noqa comment and silences it', TIMEOUT, () =>
    withSession(connect, { settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      await client.openFile(uri(PRODUCTION));
      const diagnostic = only((await client.diagnostics(uri(PRODUCTION), 0, 1)).diagnostics);
      const ignore = actionTitled(await client.codeActions(uri(PRODUCTION), diagnostic.range, [diagnostic]), 'Ignore DJH101 on this line');
      assert.deepEqual(ignore.edit, {
        documentChanges: [
          { textDocument: { uri: uri(PRODUCTION), version: 1 }, edits: [{ range: { start: { line: 2, character: 12 }, end: { line: 2, character: 12 } }, newText: '  # noqa: DJH101' }] },
        ],
      });
      const since = client.mark();
      await client.applyWorkspaceEdit(ignore.edit!);
      assert.match(client.open.get(uri(PRODUCTION))!.text, /^DEBUG = True {2}# noqa: DJH101$/m);
      assert.deepEqual((await client.diagnostics(uri(PRODUCTION), since, 2)).diagnostics, []);
    }),
  );

  test('a code action for an older document version is refused', TIMEOUT, () =>
    withSession(connect, { settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      await client.openFile(uri(PRODUCTION));
      const stale = only((await client.diagnostics(uri(PRODUCTION), 0, 1)).diagnostics);
      const since = client.mark();
      await client.change(uri(PRODUCTION), [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# a comment\n' }]);
      // Asked before the new diagnostics arrive, and again after: the old diagnostic's fixes are refused both times.
      const edits = (actions: unknown[]) => (actions as CodeAction[]).filter((action) => action.edit);
      assert.deepEqual(edits(await client.codeActions(uri(PRODUCTION), stale.range, [stale])), []);
      const fresh = only((await client.diagnostics(uri(PRODUCTION), since, 2)).diagnostics);
      assert.deepEqual(fresh.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 12 } });
      assert.deepEqual(edits(await client.codeActions(uri(PRODUCTION), stale.range, [stale])), []);
      assert.equal(edits(await client.codeActions(uri(PRODUCTION), fresh.range, [fresh])).length, 2);
      // Only safe fixes go into fix-all; DEBUG's is unsafe, so there is no fix-all action.
      assert.deepEqual(await client.codeActions(uri(PRODUCTION), fresh.range, [], [FIX_ALL_KIND]), []);
    }),
  );

  test('a change to base.py re-publishes the production module that reads it', TIMEOUT, () =>
    withSession(connect, { settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      await client.openFile(uri(PRODUCTION));
      await client.diagnostics(uri(PRODUCTION), 0, 1);
      // Without its own DEBUG line, production.py inherits base.py's DEBUG = True.
      let since = client.mark();
      await client.change(uri(PRODUCTION), [{ range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, text: '' }]);
      assert.deepEqual((await client.diagnostics(uri(PRODUCTION), since, 2)).diagnostics, []);
      const inherited = only((await client.diagnostics(uri(BASE), since)).diagnostics);
      assert.deepEqual(inherited.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 12 } });
      assert.equal(inherited.message, DEBUG_MESSAGE);
      assert.deepEqual(inherited.relatedInformation, [
        {
          location: { uri: uri(PRODUCTION), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 19 } } },
          message: 'mysite/settings/production.py inherits this value through `from … import *` and does not override it',
        },
      ]);

      await client.openFile(uri(BASE));
      since = client.mark();
      await client.change(uri(BASE), [{ range: { start: { line: 3, character: 8 }, end: { line: 3, character: 12 } }, text: 'False' }]);
      assert.deepEqual((await client.diagnostics(uri(BASE), since, 2)).diagnostics, []);
      const production = await client.diagnostics(uri(PRODUCTION), since);
      assert.equal(production.version, 2);
      assert.deepEqual(production.diagnostics, []);
    }),
  );

  test('executeCommand "Harden settings" sends one workspace/applyEdit', TIMEOUT, () =>
    withSession(connect, { settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      await client.openFile(uri(PRODUCTION));
      await client.diagnostics(uri(PRODUCTION), 0, 1);
      const since = client.mark();
      const result = (await client.executeCommand(SERVER_COMMANDS.hardenSettings, [uri(PRODUCTION)])) as HardenCommandResult;
      assert.deepEqual(result, { applied: true, fixed: 1, remaining: 0, environmentVariables: [] });
      assert.deepEqual(only(client.of('show', since)).params, { type: MessageType.Info, message: 'Hardened mysite/settings/production.py: 1 fix.' });
      const request = only(client.of('applyEdit', since));
      assert.equal(request.params.label, 'Harden mysite/settings/production.py');
      assert.deepEqual(request.params.edit, {
        documentChanges: [{ textDocument: { uri: uri(PRODUCTION), version: 1 }, edits: [{ range: { start: { line: 2, character: 8 }, end: { line: 2, character: 12 } }, newText: 'False' }] }],
      });
      assert.deepEqual((await client.diagnostics(uri(PRODUCTION), since, 2)).diagnostics, []);
      // Twice changes nothing.
      const again = (await client.executeCommand(SERVER_COMMANDS.hardenSettings, [uri(PRODUCTION)])) as HardenCommandResult;
      assert.deepEqual(again, { applied: false, fixed: 0, remaining: 0, message: 'mysite/settings/production.py has nothing left to harden' });
      assert.equal(client.of('applyEdit', since).length, 1);
    }),
  );

  test('"Harden settings" asks an editor that can preview edits to show it first, every change ticked', TIMEOUT, () =>
    withSession(connect, { settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri, {
        ...EDITOR_CAPABILITIES,
        workspace: { ...EDITOR_CAPABILITIES.workspace, workspaceEdit: { documentChanges: true, resourceOperations: ['create'], changeAnnotationSupport: { groupsOnLabel: true } } },
      });
      await client.openFile(uri(PRODUCTION));
      await client.diagnostics(uri(PRODUCTION), 0, 1);
      const since = client.mark();
      const result = (await client.executeCommand(SERVER_COMMANDS.hardenSettings, [uri(PRODUCTION)])) as HardenCommandResult;
      assert.deepEqual(result, { applied: true, fixed: 1, remaining: 0, environmentVariables: [] });
      assert.deepEqual(only(client.of('applyEdit', since)).params.edit, {
        documentChanges: [
          { kind: 'create', uri: uri(PRODUCTION), options: { ignoreIfExists: true }, annotationId: 'djangoHardener.harden.review' },
          {
            textDocument: { uri: uri(PRODUCTION), version: 1 },
            edits: [{ range: { start: { line: 2, character: 8 }, end: { line: 2, character: 12 } }, newText: 'False', annotationId: 'djangoHardener.harden' }],
          },
        ],
        changeAnnotations: {
          'djangoHardener.harden': { label: 'Harden mysite/settings/production.py', description: '1 settings fix; untick a change to leave it out', needsConfirmation: false },
          'djangoHardener.harden.review': { label: 'Review the hardening of mysite/settings/production.py', needsConfirmation: true },
        },
      });
      assert.deepEqual((await client.diagnostics(uri(PRODUCTION), since, 2)).diagnostics, []);
    }),
  );

  test('a pyproject.toml change refreshes the project model', TIMEOUT, () =>
    withSession(connect, { settings: DEBUG_ONLY }, async ({ client, rootUri, uri, file }) => {
      await client.initialize(rootUri);
      only((await client.diagnostics(uri(PRODUCTION))).diagnostics);
      await client.waitFor('register', (e) => e.method === 'workspace/didChangeWatchedFiles');
      writeFileSync(file('pyproject.toml'), '[tool.django-hardener]\nignore = ["DJH101"]\n');
      const since = client.mark();
      await client.filesChanged([{ uri: uri('pyproject.toml'), type: FileChangeType.Created }]);
      assert.deepEqual((await client.diagnostics(uri(PRODUCTION), since)).diagnostics, []);
    }),
  );

  test('bad input is logged and the server keeps serving', TIMEOUT, () =>
    withSession(connect, { settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      const anyRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
      // A request for a document that is not open.
      assert.deepEqual(await client.codeActions(uri('shop/closed.py'), anyRange, []), []);
      // An unknown command.
      assert.equal(await client.executeCommand('djangoHardener.server.noSuchCommand', [1, 2]), null);
      // Harden with nonsense arguments, and on a module that is not production.
      assert.equal(((await client.executeCommand(SERVER_COMMANDS.hardenSettings, [42])) as HardenCommandResult).applied, false);
      const dev = (await client.executeCommand(SERVER_COMMANDS.hardenSettings, [uri('mysite/settings/dev.py')])) as HardenCommandResult;
      assert.equal(dev.applied, false);
      assert.match(dev.message!, /development settings module/);
      // Binary-looking text, a 10 MB document, half-typed Python, a document that is not Python.
      await client.openDocument(uri('shop/blob.py'), 'x = 1\0\0\u0001\uffff\ud800' + '\0'.repeat(100));
      await client.openDocument(uri('shop/huge.py'), 'x = 1\n'.repeat((10 * 1024 * 1024) / 6));
      await client.openDocument(uri('shop/templates/shop/index.html'), '{% if %}<form method="post">{{', 'django-html');
      await client.change(uri('shop/huge.py'), [{ range: { start: { line: 5, character: 0 }, end: { line: 5, character: 1 } }, text: 'DEBUG' }]);
      await client.change(uri('shop/templates/shop/index.html'), [{ range: { start: { line: 0, character: 2 }, end: { line: 0, character: 2 } }, text: ' endif' }]);
      // A change for a document that is not open, with a range beyond the end.
      await client.change(uri('shop/blob.py'), [{ range: { start: { line: 99, character: 5 }, end: { line: 120, character: 0 } }, text: '(' }]);
      await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri('shop/never-opened.py'), version: 3 }, contentChanges: [{ text: 'x' }] });
      await client.openDocument(uri(PRODUCTION), 'from .base import *\n\nDEBUG = True\nif x:\n    def (\n');
      const half = await client.diagnostics(uri(PRODUCTION), 0, 1);
      assertProductionDebug(only(half.diagnostics));
      await client.waitFor('log', (e) => /too large to analyse/.test(e.params.message));
      await client.waitFor('log', (e) => /unknown command/.test(e.params.message));
      await client.waitFor('log', (e) => /looks binary/.test(e.params.message));
      await client.waitFor('log', (e) => /not open/.test(e.params.message));
      assert.deepEqual(client.of('show'), [], 'nothing pops up');
      assert.equal(client.of('log').filter((e) => /failed:/.test(e.params.message)).length, 0, 'no handler failed');
    }),
  );

  test('a template opened first, before any Python file, is analysed on open and on every change; its stray \\r moves nothing', TIMEOUT, () =>
    withSession(connect, {}, async (session) => {
      const { client, template, opened } = await openLegacyTemplate(session);
      // The editor counts the lone \r as a line break: the form is on line 3, the link on line 6.
      assert.deepEqual(
        opened.diagnostics.map((d) => [d.code, d.range]),
        [
          ['DJH301', { start: { line: 3, character: 0 }, end: { line: 3, character: 20 } }],
          ['DJH305', { start: { line: 6, character: 8 }, end: { line: 6, character: 17 } }],
        ],
      );
      // The template alone is edited: a line above the form moves its squiggle down.
      const since = client.mark();
      const version = await client.change(template, [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 5 } }, text: '\n<h1>Orders</h1>' }]);
      const moved = await client.diagnostics(template, since, version);
      assert.deepEqual(
        moved.diagnostics.map((d) => [d.code, d.range.start.line]),
        [
          ['DJH301', 4],
          ['DJH305', 7],
        ],
      );
    }),
  );

  test('fix-all on a template with a stray \\r inserts {% csrf_token %} after the <form> (reproducer)', TIMEOUT, () =>
    withSession(connect, {}, async (session) => {
      const { client, template, opened } = await openLegacyTemplate(session);
      assert.equal(opened.diagnostics.length, 2);
      const fixAll = only(await client.codeActions(template, opened.diagnostics[0].range, [], [FIX_ALL_KIND])) as CodeAction;
      const since = client.mark();
      await client.applyWorkspaceEdit(fixAll.edit!);
      assert.equal(
        client.open.get(template)!.text,
        '<div>\n<p>Copied from an old Mac file:\r legacy text</p>\n<form method="post">\n  {% csrf_token %}\n  <input name="a">\n</form>\n<a href="{{ url }}">x</a>\n</div>\n',
      );
      assert.deepEqual((await client.diagnostics(template, since, 2)).diagnostics, []);
    }),
  );

  test('"Ignore DJHnnn on this line" in a template adds {# noqa: … #}, or merges into the one there', TIMEOUT, () =>
    withSession(connect, {}, async ({ client, rootUri, uri, file }) => {
      writeFileSync(file(LEGACY_TEMPLATE), '<form method="post">{# noqa: DJH307 #}\n</form>\n<a href={{ url }}>x</a>\r\n');
      await client.initialize(rootUri);
      const template = uri(LEGACY_TEMPLATE);
      await client.openFile(template, 'django-html');
      const [form, link] = (await client.diagnostics(template, 0, 1)).diagnostics;
      const ignoreForm = actionTitled(await client.codeActions(template, form.range, [form]), 'Ignore DJH301 on this line');
      assert.deepEqual(ignoreForm.edit, {
        documentChanges: [{ textDocument: { uri: template, version: 1 }, edits: [{ range: { start: { line: 0, character: 35 }, end: { line: 0, character: 35 } }, newText: ', DJH301' }] }],
      });
      let since = client.mark();
      await client.applyWorkspaceEdit(ignoreForm.edit!);
      const left = only((await client.diagnostics(template, since, 2)).diagnostics);
      assert.deepEqual([left.code, left.range], [link.code, link.range]);
      const ignoreLink = actionTitled(await client.codeActions(template, left.range, [left]), 'Ignore DJH305 on this line');
      assert.deepEqual(ignoreLink.edit, {
        documentChanges: [{ textDocument: { uri: template, version: 2 }, edits: [{ range: { start: { line: 2, character: 23 }, end: { line: 2, character: 23 } }, newText: ' {# noqa: DJH305 #}' }] }],
      });
      since = client.mark();
      await client.applyWorkspaceEdit(ignoreLink.edit!);
      assert.deepEqual((await client.diagnostics(template, since, 3)).diagnostics, []);
      assert.equal(client.open.get(template)!.text, '<form method="post">{# noqa: DJH307, DJH301 #}\n</form>\n<a href={{ url }}>x</a> {# noqa: DJH305 #}\r\n');
    }),
  );

  test('the DJH203 quick fix in a views module with a stray \\r lands where the command line puts it (reproducer)', TIMEOUT, () =>
    withSession(connect, {}, async ({ client, rootUri, uri, file, root }) => {
      const text = 'from django.utils.safestring import mark_safe\n# comment \r here\n\ndef v(request):\n    return mark_safe("<b>%s</b>" % request.GET["x"])\n';
      writeFileSync(file(LEGACY_VIEWS), text);
      await client.initialize(rootUri);
      const views = uri(LEGACY_VIEWS);
      await client.openFile(views);
      const diagnostic = only((await client.diagnostics(views, 0, 1)).diagnostics.filter((d) => d.code === 'DJH203'));
      assert.equal(diagnostic.range.start.line, 5);
      const fix = (await client.codeActions(views, diagnostic.range, [diagnostic])).find(
        (a) => (a as CodeAction).kind === CodeActionKind.QuickFix && !(a as CodeAction).title.startsWith('Ignore'),
      ) as CodeAction;
      assert.ok(fix, 'a quick fix');
      await client.applyWorkspaceEdit(fix.edit!);
      // The command line reads the same file with the same line model: its fix is the reference.
      const project = await openProject(root);
      const finding = only(analyzeProject(project, [file(LEGACY_VIEWS)], { config: project.config }).findings.filter((f) => f.code === 'DJH203'));
      const expected = applyTextEdits(text, finding.fixes[0].edits);
      assert.equal(client.open.get(views)!.text, expected);
      assert.match(expected, /^def v\(request\):$/m);
      assert.ok(isValidPython(expected));
    }),
  );

  test('property: after 200 random incremental edits the diagnostics equal a fresh analysis', { timeout: 120_000 }, () => randomEditsMatchFreshAnalysis(connect, 0xd1a90, false));

  test('property: the same for a production module large enough to be parsed in blocks', { timeout: 120_000 }, () => randomEditsMatchFreshAnalysis(connect, 0x5eed, true));
}

/** The reproducer template written into the project and opened first, before any Python file, with its first diagnostics. */
async function openLegacyTemplate({ client, rootUri, uri, file }: Session) {
  writeFileSync(file(LEGACY_TEMPLATE), LEGACY_TEMPLATE_TEXT);
  await client.initialize(rootUri);
  const template = uri(LEGACY_TEMPLATE);
  await client.openFile(template, 'django-html');
  return { client, template, opened: await client.diagnostics(template, 0, 1) };
}

/** Settings lines enough to make a module one the server parses in blocks. */
function bulkSettings(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 50 === 25) lines.push(`EXTRA_HOSTS_${i} = [`, `    "h${i}.example",`, ']');
    else lines.push(`FEATURE_${i} = "value-${i}"  # feature ${i}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * 200 random edits to production.py in four rounds; after each round the published
 * diagnostics must equal a fresh analysis of the final text, and the incremental tree a
 * fresh parse. With `large`, the module first gets 1,600 more lines.
 */
async function randomEditsMatchFreshAnalysis(connect: Connect, seed: number, large: boolean): Promise<void> {
  await initPythonParser();
  await withSession(connect, {}, async ({ client, rootUri, uri, root, file, server }) => {
    if (large) writeFileSync(file(PRODUCTION), readFileSync(file(PRODUCTION), 'utf8') + bulkSettings(1600));
    await client.initialize(rootUri);
    const target = uri(PRODUCTION);
    await client.openFile(target);
    await client.diagnostics(target, 0, 1);
    const random = mulberry32(seed);
    let lastValid = client.open.get(target)!.text;
    let edits = 0;
    let compared = 0;
    // Four checkpoints of 50 edits each; the edits of a round arrive faster than the debounce.
    for (let round = 0; round < 4; round++) {
      let version = 0;
      for (let i = 0; i < 50;) {
        let text = client.open.get(target)!.text;
        const changes: { range: Range; text: string }[] = [];
        // Sometimes several changes in one didChange, each relative to the text the previous left.
        const count = Math.min(50 - i, 1 + Math.floor(random() * 3));
        for (let k = 0; k < count; k++, i++, edits++) {
          const change = randomChange(text, random);
          changes.push(change);
          text = text.slice(0, offsetAt(text, change.range.start)) + change.text + text.slice(offsetAt(text, change.range.end));
        }
        version = await client.change(target, changes);
        if (large && isValidPython(client.open.get(target)!.text)) lastValid = client.open.get(target)!.text;
      }
      // In blocks, a syntax error stays in its block where a whole parse may recover across
      // the rest of the module, by design: the large module is compared when valid, so a
      // round that ends in error is undone first, as an editor's undo sends it.
      if (large && !isValidPython(client.open.get(target)!.text)) version = await client.change(target, [changeBetween(client.open.get(target)!.text, lastValid)]);
      const text = client.open.get(target)!.text;
      await client.diagnostics(target, 0, version);
      if (server) {
        const document = server.document(target)!;
        assert.equal(document.text, text);
        // Cut into blocks after its first diagnostics, and kept so (syntax errors merge blocks).
        if (large) assert.ok(document.currentSyntax().blocks, 'the module is parsed in blocks');
        const fresh = parsePython(text);
        assert.equal(document.syntaxTree().rootNode.toString(), fresh.rootNode.toString(), `round ${round}: the incrementally parsed tree differs from a fresh parse`);
        fresh.delete();
      }
      // Every publish of that analysis precedes the answer to a later request.
      await client.codeActions(target, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, []);
      const project = await openProject(root, {}, new Map([[file(PRODUCTION), text]]));
      const expected = analyzeProject(project, [file(PRODUCTION)], { config: project.config }).findings;
      const fromEngine = new Map<string, Diagnostic[]>();
      for (const finding of expected) {
        const key = uri(path.relative(root, finding.file));
        fromEngine.set(key, [...(fromEngine.get(key) ?? []), { code: finding.code, range: finding.range, message: finding.message, severity: SEVERITY[finding.severity] }]);
      }
      if (process.env.LSP_TEST_LOG) process.stderr.write(`round ${round} text:\n${text}\nfindings: ${expected.map((f) => `${f.code}@${f.range.start.line}`).join(' ')}\n`);
      assert.deepEqual(comparable(client.latestDiagnostics()), comparable(fromEngine), `round ${round}`);
      compared += expected.length;
    }
    assert.equal(edits, 200);
    assert.ok(compared > 0, 'some checkpoint had findings to compare');
    assert.notEqual(readFileSync(file(PRODUCTION), 'utf8'), client.open.get(target)!.text, 'the edits changed the document');
  });
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information };

/** Diagnostics by URI, reduced to what both sides state, in a stable order; empty lists dropped. */
function comparable(byUri: Map<string, Diagnostic[]>) {
  return [...byUri]
    .filter(([, list]) => list.length > 0)
    .map(([uri, list]) => [uri, list.map((d) => JSON.stringify({ code: d.code, range: d.range, message: d.message, severity: d.severity })).sort()] as const)
    .sort(([a], [b]) => a.localeCompare(b));
}

const LINE_SNIPPETS = [
  'DEBUG = True\n',
  'DEBUG = False\n',
  'import os\n',
  'from .base import *\n',
  'SECRET_KEY = "abc"\n',
  'ALLOWED_HOSTS = ["*"]\n',
  'DEBUG = os.environ.get("DJANGO_DEBUG", "True") == "True"\n',
  'SECURE_SSL_REDIRECT = False\n',
  'SESSION_COOKIE_SECURE = True\n',
  'if x:\n    DEBUG = True\n',
  'MIDDLEWARE = []\n',
  '\n',
];
const TOKEN_SNIPPETS = ['DEBUG', ' = ', 'True', 'False', '\n', '#', '  # noqa: DJH101', '"', "'", '(', ')', '[', ']', '    ', 'é', '😀', '"""', '\\\n', 'x'];

/**
 * One random edit: a whole line inserted or deleted at a line boundary (keeps the module
 * mostly valid, so findings come and go), or a few characters inserted or deleted anywhere.
 */
export function randomChange(text: string, random: () => number): { range: Range; text: string } {
  const lineStartsOf = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)].filter((o) => o <= text.length);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const roll = random();
  let start: number;
  let end: number;
  let inserted: string;
  if (roll < 0.35) {
    start = end = pick(lineStartsOf);
    inserted = pick(LINE_SNIPPETS);
  } else if (roll < 0.5 && lineStartsOf.length > 1) {
    const line = Math.floor(random() * (lineStartsOf.length - 1));
    [start, end, inserted] = [lineStartsOf[line], lineStartsOf[line + 1], ''];
  } else {
    start = safeOffset(text, Math.floor(random() * (text.length + 1)));
    end = random() < 0.5 ? safeOffset(text, Math.min(text.length, start + Math.floor(random() * 6))) : start;
    inserted = end > start && random() < 0.5 ? '' : pick(TOKEN_SNIPPETS);
  }
  return { range: { start: positionAt(text, start), end: positionAt(text, end) }, text: inserted };
}

function isValidPython(text: string): boolean {
  const tree = parsePython(text);
  const valid = !tree.rootNode.hasError;
  tree.delete();
  return valid;
}

/** The one change that turns `before` into `after`. */
function changeBetween(before: string, after: string): { range: Range; text: string } {
  const { start, oldEnd, newEnd } = differingSpan(before, after);
  return { range: { start: positionAt(before, start), end: positionAt(before, oldEnd) }, text: after.slice(start, newEnd) };
}

/** An offset that does not split a surrogate pair. */
function safeOffset(text: string, offset: number): number {
  const code = text.charCodeAt(offset);
  return code >= 0xdc00 && code <= 0xdfff ? offset - 1 : offset;
}

/** A small seeded generator, so a failure replays exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
