/** The server class in-process over in-memory streams: the editor scenarios, plus what needs the server's insides. */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DiagnosticSeverity, FileChangeType, type Diagnostic } from 'vscode-languageserver/node';
import { CONFIGURATION_SCHEMA } from '../../server/src/lsp/configuration';
import { PRODUCTION_MODULES_REQUEST, SERVER_COMMANDS, type ProductionModuleItem, type ScanCommandResult, type SettingsModelCommandResult } from '../../server/src/lsp/protocol';
import { analyzeProject } from '../../server/src/engine/analyze';
import { REPO_ROOT } from '../support/fixtures';
import { openProject } from '../support/project';
import { inProcess, type Session, type SessionOptions } from './support/harness';
import { DEBUG_MESSAGE, DEBUG_ONLY, editorScenarios } from './support/scenarios';

const PRODUCTION = 'mysite/settings/production.py';
const TIMEOUT = { timeout: 30_000 };

async function session(options: SessionOptions, body: (s: Session) => Promise<void>): Promise<void> {
  const s = inProcess(options);
  try {
    await body(s);
  } finally {
    await s.dispose();
  }
}

function codes(diagnostics: Diagnostic[]): unknown[] {
  return diagnostics.map((d) => d.code);
}

describe('server in-process', () => {
  editorScenarios(inProcess);

  test('the configuration schema equals package.json contributes.configuration', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(manifest.contributes.configuration, JSON.parse(JSON.stringify(CONFIGURATION_SCHEMA)));
  });

  test('a burst of edits faster than the debounce is analysed at most twice (its first edit and its last version)', TIMEOUT, () =>
    session({ settings: DEBUG_ONLY, debounceMs: 200 }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      await client.openFile(uri(PRODUCTION));
      await client.diagnostics(uri(PRODUCTION), 0, 1);
      const since = client.mark();
      let version = 1;
      for (const character of '# a comment typed fast') {
        const end = client.open.get(uri(PRODUCTION))!.text.split('\n')[1].length;
        version = await client.change(uri(PRODUCTION), [{ range: { start: { line: 1, character: end }, end: { line: 1, character: end } }, text: character }]);
      }
      const last = await client.diagnostics(uri(PRODUCTION), since, version);
      assert.deepEqual(codes(last.diagnostics), ['DJH101']);
      const published = client.of('diagnostics', since).filter((e) => e.params.uri === uri(PRODUCTION));
      assert.ok(published.length <= 2, `${published.length} publishes for 22 edits`);
      assert.equal(published.at(-1)!.params.version, version);
      assert.equal(client.open.get(uri(PRODUCTION))!.text.split('\n')[1], '# a comment typed fast');
    }),
  );

  test('malformed editor settings are logged, never shown, and fall back to defaults', TIMEOUT, () =>
    session({ settings: { enable: 'yes', select: 'DJH101', severity: { DJH101: 'loud' }, productionSettings: [1] } }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      const published = await client.diagnostics(uri(PRODUCTION));
      assert.ok(codes(published.diagnostics).includes('DJH101'));
      for (const problem of [
        'enable must be true or false',
        'select must be a list of strings',
        'severity.DJH101 must be one of error, warning, info, off',
        'productionSettings must be a list of strings',
      ]) {
        await client.waitFor('log', (e) => e.params.message.includes(problem));
      }
      assert.deepEqual(client.of('show'), []);
    }),
  );

  test('severity overrides, and pyproject.toml read under the editor settings', TIMEOUT, () =>
    session({ settings: { select: ['DJH101'], severity: { DJH101: 'warning' } } }, async ({ client, rootUri, uri, file }) => {
      writeFileSync(file('pyproject.toml'), '[tool.django-hardener]\nselect = ["DJH2"]\n[tool.django-hardener.severity]\nDJH101 = "info"\n');
      await client.initialize(rootUri);
      const diagnostic = (await client.diagnostics(uri(PRODUCTION))).diagnostics;
      assert.deepEqual(
        diagnostic.map((d) => [d.code, d.severity]),
        [['DJH101', DiagnosticSeverity.Warning]],
      );
      // Left at their defaults, the editor settings defer to pyproject.toml.
      const since = client.mark();
      await client.configurationChanged({});
      assert.deepEqual((await client.diagnostics(uri(PRODUCTION), since)).diagnostics, []);
      const next = client.mark();
      await client.configurationChanged({ select: ['DJH101'] });
      const back = await client.diagnostics(uri(PRODUCTION), next);
      assert.deepEqual(
        back.diagnostics.map((d) => [d.code, d.severity]),
        [['DJH101', DiagnosticSeverity.Information]],
      );
    }),
  );

  test('"enable": false clears the diagnostics', TIMEOUT, () =>
    session({ settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      assert.equal((await client.diagnostics(uri(PRODUCTION))).diagnostics.length, 1);
      const since = client.mark();
      await client.configurationChanged({ ...DEBUG_ONLY, enable: false });
      assert.deepEqual((await client.diagnostics(uri(PRODUCTION), since)).diagnostics, []);
      assert.deepEqual(await client.connection.sendRequest(PRODUCTION_MODULES_REQUEST), []);
    }),
  );

  test('the production modules request and the scan command', TIMEOUT, () =>
    session({ settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      const modules = (await client.connection.sendRequest(PRODUCTION_MODULES_REQUEST)) as ProductionModuleItem[];
      assert.deepEqual(modules, [{ uri: uri(PRODUCTION), label: PRODUCTION, reason: 'run where the site is deployed (mysite/wsgi.py)' }]);
      await client.waitFor('progress', (e) => e.value.kind === 'end');
      const since = client.mark();
      const result = (await client.executeCommand(SERVER_COMMANDS.scanWorkspace)) as ScanCommandResult;
      assert.deepEqual(result, { modules: 1, findings: 1 });
      const create = await client.waitFor('progressCreate', () => true, since);
      await client.waitFor('progress', (e) => e.token === create.token && e.value.kind === 'end', since);
    }),
  );

  test('the settings model command: modules, roles, reasons and production values, as text', TIMEOUT, () =>
    session({ settings: DEBUG_ONLY }, async ({ client, rootUri }) => {
      await client.initialize(rootUri);
      const result = (await client.executeCommand(SERVER_COMMANDS.settingsModel)) as SettingsModelCommandResult;
      const lines = result.text.split('\n');
      assert.ok(lines.includes('mysite/settings/production.py  production  (mysite.settings.production)'), result.text);
      assert.ok(lines.includes('    run where the site is deployed (mysite/wsgi.py)'), result.text);
      assert.ok(lines.includes('mysite/settings/dev.py  development  (mysite.settings.dev)'), result.text);
      assert.ok(
        lines.some((line) => /^ {4}DEBUG +True +\[mysite\/settings\/production\.py:3\]$/.test(line)),
        result.text,
      );
      assert.ok(
        lines.some((line) => /^ {4}SECRET_KEY +env DJANGO_SECRET_KEY \(unset → no default\) +\[mysite\/settings\/base\.py:3\]$/.test(line)),
        result.text,
      );
      await client.waitFor('progress', (e) => e.value.kind === 'end');
    }),
  );

  test('created and deleted files update the project', TIMEOUT, () =>
    session({ settings: DEBUG_ONLY }, async ({ client, rootUri, uri, file }) => {
      await client.initialize(rootUri);
      await client.diagnostics(uri(PRODUCTION));
      await client.waitFor('register', (e) => e.method === 'workspace/didChangeWatchedFiles');
      const staging = 'mysite/settings/staging.py';
      writeFileSync(file(staging), 'from .base import *  # noqa: F403\n\nDEBUG = True\n');
      let since = client.mark();
      await client.filesChanged([{ uri: uri(staging), type: FileChangeType.Created }]);
      const created = await client.diagnostics(uri(staging), since);
      assert.deepEqual(
        created.diagnostics.map((d) => [d.code, d.range.start.line, d.message]),
        [['DJH101', 2, DEBUG_MESSAGE]],
      );
      rmSync(file(staging));
      since = client.mark();
      await client.filesChanged([{ uri: uri(staging), type: FileChangeType.Deleted }]);
      assert.deepEqual((await client.diagnostics(uri(staging), since)).diagnostics, []);
    }),
  );

  test("a static script created on disk that sends the CSRF token for a form makes the form's finding info", TIMEOUT, () =>
    session({ settings: { select: ['DJH301'] } }, async ({ client, rootUri, uri, file }) => {
      await client.initialize(rootUri);
      await client.waitFor('register', (e) => e.method === 'workspace/didChangeWatchedFiles');
      const template = 'shop/templates/shop/rate.html';
      await client.openDocument(uri(template), '<form method="post" id="rate-form">\n  <button>Rate</button>\n</form>\n', 'django-html');
      const before = (await client.waitFor('diagnostics', (e) => e.params.uri === uri(template) && e.params.diagnostics.length > 0)).params.diagnostics;
      assert.deepEqual(
        before.map((d) => [d.code, d.severity]),
        [['DJH301', DiagnosticSeverity.Error]],
      );
      const script = 'shop/static/shop/rate.js';
      mkdirSync(path.dirname(file(script)), { recursive: true });
      writeFileSync(
        file(script),
        "document.getElementById('rate-form').addEventListener('submit', (e) => {\n  e.preventDefault();\n  fetch('/rate/', { method: 'POST', headers: { 'X-CSRFToken': token } });\n});\n",
      );
      const since = client.mark();
      await client.filesChanged([{ uri: uri(script), type: FileChangeType.Created }]);
      const after = (await client.waitFor('diagnostics', (e) => e.params.uri === uri(template), since)).params.diagnostics;
      assert.deepEqual(
        after.map((d) => [d.code, d.severity, d.message]),
        [
          [
            'DJH301',
            DiagnosticSeverity.Information,
            "This POST form has no {% csrf_token %}, but JavaScript probably sends it. The project's script shop/static/shop/rate.js looks up #rate-form and sends the CSRF token, so the request may carry the token; submitted without the script, the form is rejected.",
          ],
        ],
      );
    }),
  );

  test('closing an edited document re-reads the file from disk', TIMEOUT, () =>
    session({ settings: DEBUG_ONLY }, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      await client.openFile(uri(PRODUCTION));
      await client.diagnostics(uri(PRODUCTION), 0, 1);
      let since = client.mark();
      await client.change(uri(PRODUCTION), [{ range: { start: { line: 2, character: 8 }, end: { line: 2, character: 12 } }, text: 'False' }]);
      assert.deepEqual((await client.diagnostics(uri(PRODUCTION), since, 2)).diagnostics, []);
      since = client.mark();
      await client.closeDocument(uri(PRODUCTION));
      const reread = await client.diagnostics(uri(PRODUCTION), since);
      assert.equal(reread.version, undefined);
      assert.deepEqual(codes(reread.diagnostics), ['DJH101']);
    }),
  );

  test('a settings.py opened outside any workspace folder is checked as a lone production module', TIMEOUT, () =>
    session({ settings: DEBUG_ONLY, project: 'lone-settings' }, async ({ client, uri }) => {
      await client.initialize(null);
      await client.openFile(uri('settings.py'));
      const diagnostic = (await client.diagnostics(uri('settings.py'), 0, 1)).diagnostics;
      assert.deepEqual(
        diagnostic.map((d) => [d.code, d.range]),
        [['DJH101', { start: { line: 3, character: 0 }, end: { line: 3, character: 12 } }]],
      );
      const actions = await client.codeActions(uri('settings.py'), diagnostic[0].range, diagnostic);
      assert.deepEqual(
        actions.map((a) => a.title),
        ['Read DEBUG from the environment, off by default (changes runtime behaviour)', 'Ignore DJH101 on this line', 'Show documentation for DJH101', 'Harden this module (1 fix)'],
      );
    }),
  );

  test('a folder opened below its repository root reads the dependency lists above it, and their changes', TIMEOUT, () =>
    session({ settings: { select: ['DJH123'] }, project: 'lone-settings' }, async ({ client, uri, file }) => {
      mkdirSync(file('.git'));
      writeFileSync(file('requirements.txt'), 'Django==4.2\ndjango-axes==6.1\n');
      mkdirSync(file('src/shop/shop'), { recursive: true });
      writeFileSync(file('src/shop/manage.py'), 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n');
      writeFileSync(file('src/shop/shop/settings.py'), 'DEBUG = False\nINSTALLED_APPS = ["django.contrib.auth"]\n');
      const settings = uri('src/shop/shop/settings.py');
      await client.initialize(uri('src/shop'));
      await client.openFile(settings);
      const declared = (await client.diagnostics(settings, 0, 1)).diagnostics;
      assert.deepEqual(
        declared.map((d) => [d.code, d.range.start.line, d.message]),
        [['DJH123', 1, 'Logins are not rate-limited: django-axes is declared but not in INSTALLED_APPS. Passwords can be guessed as fast as the server answers.']],
      );
      // The requirements change: an editor watching them says so, and the finding follows.
      writeFileSync(file('requirements.txt'), 'Django==4.2\n');
      const since = client.mark();
      await client.filesChanged([{ uri: uri('requirements.txt'), type: FileChangeType.Changed }]);
      const undeclared = (await client.diagnostics(settings, since)).diagnostics;
      assert.equal(undeclared.length, 1);
      assert.match(String(undeclared[0].message), /add django-axes to the requirements\.$/);
    }),
  );

  test('the per-file rules judge open documents exactly as the engine does, and forget closed ones', TIMEOUT, () =>
    session({}, async ({ client, rootUri, uri, root, file }) => {
      await client.initialize(rootUri);
      await client.openFile(uri('shop/views.py'));
      const published = await client.diagnostics(uri('shop/views.py'), 0, 1);
      const project = await openProject(root);
      const expected = analyzeProject(project, [file('shop/views.py')], { config: project.config }).findings.filter((f) => f.file === file('shop/views.py'));
      assert.deepEqual(
        published.diagnostics.map((d) => [d.code, d.range, d.message]),
        expected.map((f) => [f.code, f.range, f.message]),
      );
      const since = client.mark();
      await client.closeDocument(uri('shop/views.py'));
      assert.deepEqual((await client.diagnostics(uri('shop/views.py'), since)).diagnostics, []);
    }),
  );

  test('a document the editor calls django-html is judged as a template wherever it lives', TIMEOUT, () =>
    session({}, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri);
      const text = '<form method="post" action="/pay/">\n  <input name="amount">\n</form>\n';
      await client.openDocument(uri('pages/pay.html'), text, 'django-html');
      const published = await client.diagnostics(uri('pages/pay.html'), 0, 1);
      assert.deepEqual(
        published.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character]),
        [['DJH301', 0, 0]],
      );
      const [fix] = await client.codeActions(uri('pages/pay.html'), published.diagnostics[0].range, published.diagnostics);
      assert.deepEqual((fix as { edit: unknown }).edit, {
        documentChanges: [
          {
            textDocument: { uri: uri('pages/pay.html'), version: 1 },
            edits: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, newText: '  {% csrf_token %}\n' }],
          },
        ],
      });
    }),
  );

  /** Opens `count` views one after another, each after the diagnostics of the one before; the server's work counters after. */
  async function openViewsOneByOne(count: number): Promise<{ fileAnalyses: number; diagnosticsBuilt: number }> {
    let work = { fileAnalyses: 0, diagnosticsBuilt: 0 };
    const view = (i: number) => `from django.utils.safestring import mark_safe\n\n\ndef view_${i}(request):\n    return mark_safe(f"<b>{request.GET['q']}</b>")\n`;
    await session({ settings: { select: ['DJH203'] }, debounceMs: 0 }, async ({ client, rootUri, uri, file, server }) => {
      for (let i = 0; i < count; i++) {
        mkdirSync(file(`app${i}`));
        writeFileSync(file(`app${i}/views.py`), view(i));
      }
      await client.initialize(rootUri);
      const create = await client.waitFor('progressCreate');
      await client.waitFor('progress', (e) => e.token === create.token && e.value.kind === 'end');
      const before = server!.work();
      for (let i = 0; i < count; i++) {
        await client.openFile(uri(`app${i}/views.py`));
        assert.deepEqual(codes((await client.diagnostics(uri(`app${i}/views.py`), 0, 1)).diagnostics), ['DJH203']);
      }
      const after = server!.work();
      work = { fileAnalyses: after.fileAnalyses - before.fileAnalyses, diagnosticsBuilt: after.diagnosticsBuilt - before.diagnosticsBuilt };
    });
    return work;
  }

  test('opening views one after another costs work linear in the open documents: each is analysed once, the others keep their diagnostics', { timeout: 180_000 }, async () => {
    // Analysing every open document on every change made 400 openings cost 80,200 analyses.
    assert.deepEqual(await openViewsOneByOne(100), { fileAnalyses: 100, diagnosticsBuilt: 100 });
    assert.deepEqual(await openViewsOneByOne(400), { fileAnalyses: 400, diagnosticsBuilt: 400 });
  });

  test('a change to what other analyses read (a template another includes) analyses the open documents again', TIMEOUT, () =>
    session({ settings: { select: ['DJH301'] }, debounceMs: 0 }, async ({ client, rootUri, uri, file, server }) => {
      mkdirSync(file('shop/templates/shop/parts'));
      writeFileSync(file('shop/templates/shop/parts/token.html'), '<p>no token here</p>\n');
      writeFileSync(file('shop/templates/shop/pay.html'), '<form method="post">\n  {% include "shop/parts/token.html" %}\n</form>\n');
      await client.initialize(rootUri);
      await client.openFile(uri('shop/templates/shop/pay.html'), 'django-html');
      assert.deepEqual(codes((await client.diagnostics(uri('shop/templates/shop/pay.html'), 0, 1)).diagnostics), ['DJH301']);
      await client.openFile(uri('shop/templates/shop/parts/token.html'), 'django-html');
      await client.diagnostics(uri('shop/templates/shop/parts/token.html'), 0, 1);
      const before = server!.work().fileAnalyses;
      const since = client.mark();
      // The included template now renders the token: the form that includes it is fine.
      await client.change(uri('shop/templates/shop/parts/token.html'), [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '{% csrf_token %}' }]);
      const published = await client.waitFor('diagnostics', (e) => e.params.uri === uri('shop/templates/shop/pay.html'), since);
      assert.deepEqual(published.params.diagnostics, []);
      assert.equal(server!.work().fileAnalyses - before, 2, 'both open templates');
    }),
  );

  test('a client without workspace/configuration or dynamic registration still works', TIMEOUT, () =>
    session({}, async ({ client, rootUri, uri }) => {
      await client.initialize(rootUri, { workspace: {}, textDocument: {}, window: {} });
      await client.configurationChanged(DEBUG_ONLY);
      await client.openFile(uri(PRODUCTION));
      const published = await client.diagnostics(uri(PRODUCTION), 0, 1);
      assert.deepEqual(codes(published.diagnostics), ['DJH101']);
      const [fix] = await client.codeActions(uri(PRODUCTION), published.diagnostics[0].range, published.diagnostics);
      assert.deepEqual((fix as { edit: unknown }).edit, {
        changes: { [uri(PRODUCTION)]: [{ range: { start: { line: 2, character: 8 }, end: { line: 2, character: 12 } }, newText: 'False' }] },
      });
      assert.deepEqual(client.of('register'), []);
      assert.deepEqual(client.of('progressCreate'), []);
    }),
  );
});
