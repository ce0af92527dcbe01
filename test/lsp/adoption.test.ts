/**
 * What the editor adds for a team adopting the checker: the status the client shows, rule
 * documentation from a diagnostic, "Harden this module (N fixes)", the Harden preview with
 * one change per new setting and the notification after it, deprecation tags, and
 * "Ignore … on this line" in templates. The server in-process, as the editor scenarios run it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CodeActionKind, DiagnosticTag, MessageType, ResourceOperationKind, type ClientCapabilities, type CodeAction, type TextDocumentEdit, type TextEdit } from 'vscode-languageserver/node';
import { HARDEN_KIND, SERVER_COMMANDS, type HardenCommandResult } from '../../server/src/lsp/protocol';
import { countErrorNodes, initPythonParser, parsePython } from '../../server/src/engine/parse/python';
import { applyTextEdits } from '../../server/src/engine/text';
import { CLI } from '../support/cli-run';
import { assertDocsLink } from '../support/docs-link';
import { FIXTURES } from '../support/fixtures';
import { EDITOR_CAPABILITIES } from './support/lsp-client';
import { inProcess, type Session, type SessionOptions } from './support/harness';

const TIMEOUT = { timeout: 30_000 };
const PRODUCTION = 'mysite/settings/production.py';
const BASE = 'mysite/settings/base.py';
const STARTPROJECT_SETTINGS = readFileSync(path.join(FIXTURES, 'cli', 'startproject', 'mysite', 'settings.py'), 'utf8');
const PREVIEWING: ClientCapabilities = {
  ...EDITOR_CAPABILITIES,
  workspace: { ...EDITOR_CAPABILITIES.workspace, workspaceEdit: { documentChanges: true, resourceOperations: [ResourceOperationKind.Create], changeAnnotationSupport: { groupsOnLabel: true } } },
};

async function session(options: SessionOptions, body: (s: Session) => Promise<void>): Promise<void> {
  const s = inProcess(options);
  try {
    await body(s);
    // Nothing the server still has scheduled may reach a disposed connection.
    await s.client.shutdown();
  } finally {
    await s.dispose();
  }
}

const titles = (actions: unknown[]) => (actions as CodeAction[]).map((a) => a.title);
const everywhere = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

describe('the status the client shows', () => {
  test('the production modules judged, sent when they change', TIMEOUT, () =>
    session({}, async ({ client, rootUri, uri, file }) => {
      await client.initialize(rootUri);
      const status = await client.waitFor('status');
      assert.deepEqual(status.params, { modules: [{ uri: uri(PRODUCTION), label: PRODUCTION, reason: 'run where the site is deployed (mysite/wsgi.py)' }] });
      // Another analysis with the same modules sends nothing new.
      await client.openFile(uri(PRODUCTION));
      await client.diagnostics(uri(PRODUCTION), 0, 1);
      assert.equal(client.of('status').length, 1);
      writeFileSync(file('mysite/settings/staging.py'), 'from .base import *\nDEBUG = False\n');
      await client.openFile(uri('mysite/settings/staging.py'));
      const next = await client.waitFor('status', (e) => e.params.modules.length === 2);
      assert.deepEqual(
        next.params.modules.map((m) => m.label),
        ['mysite/settings/production.py', 'mysite/settings/staging.py'],
      );
    }),
  );
});

describe('rule documentation', () => {
  test('every diagnostic offers "Show documentation", which opens the installed page', TIMEOUT, () =>
    session({ settings: { select: ['DJH101'] } }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      await client.openFile(uri(PRODUCTION));
      const [diagnostic] = (await client.diagnostics(uri(PRODUCTION), 0, 1)).diagnostics;
      const actions = (await client.codeActions(uri(PRODUCTION), diagnostic.range, [diagnostic])) as CodeAction[];
      const show = actions.find((a) => a.title === 'Show documentation for DJH101');
      assert.deepEqual(show, {
        title: 'Show documentation for DJH101',
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: { title: 'Show documentation for DJH101', command: SERVER_COMMANDS.showRuleDocumentation, arguments: ['DJH101'] },
      });
      assert.equal(await client.executeCommand(show!.command!.command, show!.command!.arguments), true);
      const shown = only(client.of('showDocument'));
      assert.equal(shown.params.takeFocus, true);
      assert.equal(shown.params.external, undefined);
      assertDocsLink(shown.params.uri, 'DJH101');
      assert.equal(await client.executeCommand(SERVER_COMMANDS.showRuleDocumentation, ['nonsense']), false);
      assert.equal(client.of('showDocument').length, 1);
    }),
  );
});

describe('Harden this module', () => {
  test('offered in a production module and in the modules it imports, with the number of fixes', TIMEOUT, () =>
    session({}, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      for (const rel of [PRODUCTION, BASE, 'mysite/settings/dev.py', 'shop/views.py']) await client.openFile(uri(rel));
      await client.diagnostics(uri(PRODUCTION), 0, 1);
      const harden = async (rel: string) => ((await client.codeActions(uri(rel), everywhere, [])) as CodeAction[]).filter((a) => a.kind === HARDEN_KIND);
      const [inProduction] = await harden(PRODUCTION);
      assert.match(inProduction.title, /^Harden this module \((\d+) fixes\)$/);
      assert.deepEqual(inProduction.command, { title: inProduction.title, command: SERVER_COMMANDS.hardenSettings, arguments: [uri(PRODUCTION)] });
      const fixes = Number(/\((\d+) fixes\)/.exec(inProduction.title)![1]);
      assert.deepEqual(titles(await harden(BASE)), [`Harden ${PRODUCTION} (${fixes} fixes)`]);
      assert.deepEqual(await harden('mysite/settings/dev.py'), [], 'a development module is not hardened');
      assert.deepEqual(await harden('shop/views.py'), []);
      const since = client.mark();
      const result = (await client.executeCommand(SERVER_COMMANDS.hardenSettings, [uri(PRODUCTION)])) as HardenCommandResult;
      assert.equal(result.fixed, fixes, 'the title counts what the command fixes');
      await client.diagnostics(uri(PRODUCTION), since, 2);
      assert.deepEqual(await harden(PRODUCTION), [], 'nothing left to harden');
    }),
  );

  test('the preview has one change per new setting; any subset of them is valid Python; all of them are what the CLI writes', TIMEOUT, () =>
    session({ project: 'lone-settings' }, async ({ client, rootUri, uri, file, root }) => {
      await initPythonParser();
      writeFileSync(file('settings.py'), STARTPROJECT_SETTINGS);
      await client.initialize(rootUri, PREVIEWING);
      await client.openFile(uri('settings.py'));
      await client.diagnostics(uri('settings.py'), 0, 1);
      const since = client.mark();
      const result = (await client.executeCommand(SERVER_COMMANDS.hardenSettings, [uri('settings.py')])) as HardenCommandResult;
      assert.deepEqual(result, { applied: true, fixed: 11, remaining: 2, environmentVariables: ['DJANGO_SECRET_KEY', 'DJANGO_ALLOWED_HOSTS'], developmentSwitch: 'DJANGO_DEBUG' });

      const { edit } = only(client.of('applyEdit', since)).params;
      const [review, documentEdit] = edit.documentChanges!;
      assert.deepEqual(review, { kind: 'create', uri: uri('settings.py'), options: { ignoreIfExists: true }, annotationId: 'djangoHardener.harden.review' });
      const edits = (documentEdit as TextDocumentEdit).edits as (TextEdit & { annotationId: string })[];
      assert.ok(edits.every((e) => e.annotationId === 'djangoHardener.harden'));
      assert.deepEqual(edit.changeAnnotations!['djangoHardener.harden'], { label: 'Harden settings.py', description: '11 settings fixes; untick a change to leave it out', needsConfirmation: false });
      const end = edits.at(-1)!.range.start;
      const block = edits.filter((e) => e.range.start.line === end.line && e.range.start.character === end.character).map((e) => e.newText);
      // Inserted at the end of the module's last line, each piece starts with its line break.
      assert.match(block[4], /^\nLOGGING = \{\n[\s\S]*\n\}$/);
      assert.deepEqual(block.slice(0, 4).concat(block.slice(5)), [
        // DEBUG reads DJANGO_DEBUG now, so what needs HTTPS follows `not DEBUG` and runserver keeps working.
        '\n\n# Security hardening\nSECURE_SSL_REDIRECT = not DEBUG',
        '\nSESSION_COOKIE_SECURE = not DEBUG',
        '\nCSRF_COOKIE_SECURE = not DEBUG',
        '\n# HSTS: an hour to start; once every page and subdomain works over HTTPS, raise it to 31536000 (a year), which the preload list requires\nSECURE_HSTS_SECONDS = 3600',
        '\nSECURE_HSTS_INCLUDE_SUBDOMAINS = True',
        '\n# The preload list takes the site once SECURE_HSTS_SECONDS is 31536000 or more; submitting it at hstspreload.org is a step of its own\nSECURE_HSTS_PRELOAD = True',
      ]);

      // Unticking any one change leaves valid Python.
      for (let left = 0; left < edits.length; left++) {
        const text = applyTextEdits(
          STARTPROJECT_SETTINGS,
          edits.filter((_, index) => index !== left),
        );
        const tree = parsePython(text);
        assert.equal(countErrorNodes(tree), 0, `without change ${left}:\n${text}`);
        tree.delete();
      }
      // All of them: what `django-hardener harden --write` writes.
      const hardened = client.open.get(uri('settings.py'))!.text;
      writeFileSync(file('settings.py'), STARTPROJECT_SETTINGS);
      const cli = spawnSync(process.execPath, [CLI, 'harden', '--write', 'settings.py'], { cwd: root, encoding: 'utf8' });
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal(hardened, readFileSync(file('settings.py'), 'utf8'));

      // Then a notification: what production must set, and what is left to do by hand.
      const shown = only(client.of('show', since));
      assert.equal(shown.params.type, MessageType.Info);
      assert.match(
        shown.params.message,
        /^Hardened settings\.py: 11 fixes\. Production must now set DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS\. Set DJANGO_DEBUG=True to run the site locally\. Left for a change by hand: DJH\d{3} [a-z-]+, DJH\d{3} [a-z-]+\.$/,
      );
    }),
  );
});

describe('diagnostics and suppression', () => {
  test('obsolete and deprecated things are tagged Deprecated', TIMEOUT, () =>
    session({ project: 'lone-settings', settings: { select: ['DJH101', 'DJH118', 'DJH208'] } }, async ({ client, rootUri, uri, file }) => {
      // Enough core settings to be a settings module by its content.
      writeFileSync(file('settings.py'), 'INSTALLED_APPS = []\nMIDDLEWARE = []\nROOT_URLCONF = "urls"\nDEBUG = True\nSECURE_BROWSER_XSS_FILTER = True\nALLOWED_HOSTS = ["a.example"]\n');
      writeFileSync(file('views.py'), 'import bleach\n\n\ndef clean(text):\n    return bleach.clean(text)\n');
      await client.initialize(rootUri);
      await client.openFile(uri('settings.py'));
      await client.openFile(uri('views.py'));
      const settings = (await client.diagnostics(uri('settings.py'), 0, 1)).diagnostics;
      assert.deepEqual(
        settings.map((d) => [d.code, d.tags]),
        [
          ['DJH101', undefined],
          ['DJH118', [DiagnosticTag.Deprecated]],
        ],
      );
      const views = await client.waitFor('diagnostics', (e) => e.params.uri === uri('views.py') && e.params.diagnostics.length > 0);
      assert.ok(views.params.diagnostics.every((d) => d.code === 'DJH208' && d.tags?.[0] === DiagnosticTag.Deprecated));
    }),
  );

  test('"Ignore … on this line" in a template adds {# noqa #}', TIMEOUT, () =>
    session({}, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      const template = 'shop/templates/shop/page.html';
      await client.openDocument(uri(template), '<p>{{ note|safe }}</p>\n', 'django-html');
      const [diagnostic] = (await client.waitFor('diagnostics', (e) => e.params.uri === uri(template) && e.params.diagnostics.length > 0)).params.diagnostics;
      assert.equal(diagnostic.code, 'DJH303');
      const ignore = ((await client.codeActions(uri(template), diagnostic.range, [diagnostic])) as CodeAction[]).find((a) => a.title === 'Ignore DJH303 on this line');
      assert.ok(ignore);
      await client.applyWorkspaceEdit(ignore.edit!);
      assert.equal(client.open.get(uri(template))!.text, '<p>{{ note|safe }}</p> {# noqa: DJH303 #}\n');
    }),
  );
});

function only<T>(items: T[]): T {
  assert.equal(items.length, 1, JSON.stringify(items));
  return items[0];
}
