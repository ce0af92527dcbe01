/** The extension manifest, the template grammar and the packaged file list. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DOCUMENT_SELECTOR } from '../../client/src/document-selector';
import { CLIENT_COMMANDS } from '../../server/src/lsp/protocol';
import { REPO_ROOT } from '../support/fixtures';
import { DIST_DIR } from './support/harness';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const grammarPath = path.join(REPO_ROOT, 'syntaxes', 'django-html.tmLanguage.json');
const grammar = JSON.parse(readFileSync(grammarPath, 'utf8'));

describe('extension manifest', () => {
  test('activation, entry point and workspace trust', () => {
    assert.equal(manifest.main, './dist/extension.js');
    assert.deepEqual(manifest.activationEvents, ['onLanguage:python', 'onLanguage:django-html', 'workspaceContains:**/manage.py']);
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
  });

  test('palette commands', () => {
    assert.deepEqual(
      manifest.contributes.commands.map((c: { command: string; category: string; title: string }) => `${c.command} → ${c.category}: ${c.title}`),
      [
        `${CLIENT_COMMANDS.hardenSettings} → Django Hardener: Harden settings`,
        `${CLIENT_COMMANDS.scanWorkspace} → Django Hardener: Scan workspace`,
        `${CLIENT_COMMANDS.showOutput} → Django Hardener: Show output`,
        `${CLIENT_COMMANDS.showSettingsModel} → Django Hardener: Show settings model`,
        `${CLIENT_COMMANDS.restartServer} → Django Hardener: Restart server`,
        `${CLIENT_COMMANDS.showRuleDocumentation} → Django Hardener: Show rule documentation`,
      ],
    );
  });

  test('the extension page: icon, repository, bugs, homepage, keywords, changelog', () => {
    assert.equal(manifest.icon, 'images/icon.png');
    const png = readFileSync(path.join(REPO_ROOT, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'the Marketplace wants 128×128 at least');
    const repository = manifest.repository.url.replace(/\.git$/, '');
    assert.match(repository, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    assert.equal(manifest.homepage, `${repository}#readme`);
    assert.equal(manifest.bugs.url, `${repository}/issues`);
    for (const keyword of ['django', 'security', 'linter']) assert.ok(manifest.keywords.includes(keyword), keyword);
    assert.ok(existsSync(path.join(REPO_ROOT, 'CHANGELOG.md')));
  });

  test('HTML under a templates/ folder opens as django-html', () => {
    assert.deepEqual(manifest.contributes.configurationDefaults, { 'files.associations': { '**/templates/**/*.html': 'django-html', '**/templates/**/*.htm': 'django-html' } });
  });

  test('the django-html language, its grammar and language configuration', () => {
    assert.deepEqual(
      manifest.contributes.languages.map((l: { id: string; extensions: string[] }) => [l.id, l.extensions]),
      [['django-html', ['.djhtml']]],
    );
    const [language] = manifest.contributes.languages;
    JSON.parse(readFileSync(path.join(REPO_ROOT, language.configuration), 'utf8'));
    const [entry] = manifest.contributes.grammars;
    assert.equal(entry.language, 'django-html');
    assert.equal(path.resolve(REPO_ROOT, entry.path), grammarPath);
    assert.equal(entry.scopeName, grammar.scopeName);
  });

  test('the client selects python, django-html, and html under templates/', () => {
    assert.deepEqual(DOCUMENT_SELECTOR, [
      { scheme: 'file', language: 'python' },
      { scheme: 'file', language: 'django-html' },
      { scheme: 'file', language: 'html', pattern: '**/templates/**' },
    ]);
  });

  test('packaging script and vsce pinned', () => {
    assert.match(manifest.scripts.package, /^npm run build && vsce package --no-dependencies .*-o django-hardener-\$npm_package_version\.vsix$/);
    assert.equal(manifest.devDependencies['@vscode/vsce'], '3.9.2');
  });
});

describe('django-html grammar', () => {
  const rules: Record<string, any> = grammar.repository;

  test('embeds HTML and injects the template syntax into it', () => {
    assert.deepEqual(grammar.patterns, [{ include: 'text.html.basic' }]);
    const injections = Object.values(grammar.injections) as { patterns: { include: string }[] }[];
    assert.deepEqual(injections[0].patterns, [{ include: '#template' }]);
  });

  test('every include resolves and every pattern compiles', () => {
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'include' && typeof value === 'string' && value.startsWith('#')) assert.ok(rules[value.slice(1)], `missing repository rule ${value}`);
        if ((key === 'match' || key === 'begin' || key === 'end') && typeof value === 'string') new RegExp(value);
        visit(value);
      }
    };
    visit(grammar);
  });

  const first = (rule: string, text: string) => new RegExp(rules[rule].match ?? rules[rule].begin).exec(text);

  test('tags, variables, comments, filters and strings', () => {
    assert.deepEqual([...first('block-tag', '{% if user.is_staff %}')!].slice(1), ['{%', 'if']);
    assert.deepEqual([...first('block-tag', '{%endfor%}')!].slice(1), ['{%', 'endfor']);
    assert.equal(first('variable-tag', 'x {{ name|title }}')!.index, 2);
    assert.equal(first('comment', '{# note #}')![0], '{#');
    assert.equal(first('comment-block', '{% comment "why" %}')![0], '{% comment "why" %}');
    assert.deepEqual([...first('filter', '|default:"x"')!].slice(1), ['|', 'default', ':']);
    assert.equal(rules['string-double'].name, 'string.quoted.double.django');
    assert.equal(rules['string-single'].name, 'string.quoted.single.django');
    assert.equal(first('keyword-operator', 'x not in y')![0], 'not');
  });
});

describe('packaging', () => {
  const bundled = ['extension.js', 'server.js', 'server-bundle.js', 'web-tree-sitter.wasm', 'tree-sitter-python.wasm'];

  test('the .vsix allow-list takes the bundles, WASM, manifest, README, changelog, icon, docs and rule pages, and grammar, and nothing else', { timeout: 60_000 }, (t) => {
    if (!bundled.every((name) => existsSync(path.join(DIST_DIR, name)))) return t.skip(`no built extension in ${DIST_DIR}`);
    const stage = mkdtempSync(path.join(os.tmpdir(), 'dh-vsix-'));
    try {
      for (const name of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'language-configuration.json', 'syntaxes', 'client', 'server', 'test', 'docs', 'images']) {
        cpSync(path.join(REPO_ROOT, name), path.join(stage, name), { recursive: true });
      }
      mkdirSync(path.join(stage, 'dist'));
      cpSync(DIST_DIR, path.join(stage, 'dist'), { recursive: true });
      const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
      const listed = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const docs = readdirSync(path.join(REPO_ROOT, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`);
      const rulePages = readdirSync(path.join(REPO_ROOT, 'docs', 'rules')).map((name) => `docs/rules/${name}`);
      assert.deepEqual(
        listed.trim().split('\n').sort(),
        [
          'CHANGELOG.md',
          'LICENSE',
          'README.md',
          ...docs,
          ...rulePages,
          'dist/extension.js',
          'dist/server.js',
          'dist/server-bundle.js',
          'dist/tree-sitter-python.wasm',
          'dist/web-tree-sitter.wasm',
          'images/icon.png',
          'language-configuration.json',
          'package.json',
          'syntaxes/django-html.tmLanguage.json',
        ].sort(),
      );
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  });
});
