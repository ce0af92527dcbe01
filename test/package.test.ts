/**
 * The npm package as a team installs it, offline, on a machine with only Node.js: `npm pack`
 * of the built bundles, `npm install -g` of the tarball into a fresh prefix, `npx` from a
 * project that installed it; then the commands docs/ci.md gives for GitHub Actions, run as
 * the workflow would (not on GitHub), with the SARIF they write checked against the SARIF
 * 2.1.0 schema; and the pre-commit hook's definition.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { CLI, copyOf, tempDir } from './support/cli-run';
import { REPO_ROOT } from './support/fixtures';
import { sarifSchemaErrors } from './support/sarif-schema';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'insecure-project');
const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const TIMEOUT = { timeout: 120_000 };

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with nothing from this repository on the PATH: Node's own folder and the system's. */
function bare(command: string, args: string[], cwd: string, home: string, extraEnv: Record<string, string> = {}): Run {
  const env = {
    PATH: [path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
    HOME: home,
    npm_config_cache: path.join(home, '.npm'),
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extraEnv,
  };
  const run = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr + (run.error ? String(run.error) : '') };
}

/** The tarball `npm pack` makes of the package as it would be published, from the built bundles. */
function packTarball(destination: string): string {
  // A staging copy, so the test packs the bundles under test (DIST_DIR) with the real package.json and .npmignore.
  const stage = path.join(destination, 'stage');
  for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', '.npmignore']) cpSync(path.join(REPO_ROOT, file), path.join(stage, file));
  cpSync(path.join(REPO_ROOT, 'docs'), path.join(stage, 'docs'), { recursive: true });
  cpSync(path.dirname(CLI), path.join(stage, 'dist'), { recursive: true });
  const run = bare('npm', ['pack', '--ignore-scripts', '--pack-destination', destination], stage, destination);
  assert.equal(run.status, 0, run.stderr);
  const tarball = path.join(destination, `django-hardener-${version}.tgz`);
  assert.ok(existsSync(tarball), run.stdout);
  return tarball;
}

describe('the npm package, offline', () => {
  let work: string;
  let tarball: string;

  before(() => {
    work = tempDir();
    tarball = packTarball(work);
  }, TIMEOUT);

  test('holds the command line, its grammars and the rule pages, nothing else', TIMEOUT, () => {
    const listing = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    const rulePages = readdirSync(path.join(REPO_ROOT, 'docs', 'rules')).map((name) => `package/docs/rules/${name}`);
    assert.deepEqual(
      listing,
      [
        'package/CHANGELOG.md',
        'package/LICENSE',
        'package/README.md',
        'package/dist/cli-worker.js',
        'package/dist/cli.js',
        'package/dist/tree-sitter-python.wasm',
        'package/dist/web-tree-sitter.wasm',
        ...rulePages,
        'package/package.json',
      ].sort(),
    );
    const manifest = JSON.parse(spawnSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout);
    assert.equal(manifest.dependencies, undefined, 'everything is bundled: installing fetches nothing');
    assert.deepEqual(manifest.bin, { 'django-hardener': 'dist/cli.js' });
  });

  test('npm install -g of the tarball gives a django-hardener that checks the example as the build does', TIMEOUT, () => {
    const home = path.join(work, 'global-home');
    const prefix = path.join(work, 'global');
    mkdirSync(home, { recursive: true });
    const install = bare('npm', ['install', '-g', '--prefix', prefix, tarball], work, home);
    assert.equal(install.status, 0, install.stderr);
    const bin = path.join(prefix, 'bin', 'django-hardener');
    assert.deepEqual(bare(bin, ['--version'], work, home), { status: 0, stdout: `${version}\n`, stderr: '' });

    const example = copyOf(EXAMPLE);
    const installed = bare(bin, ['check', '--format', 'json'], example, home);
    const built = spawnSync(process.execPath, [CLI, 'check', '--format', 'json'], { cwd: example, encoding: 'utf8' });
    assert.equal(installed.status, 1, installed.stderr);
    assert.equal(installed.stdout, built.stdout);
    assert.ok(JSON.parse(installed.stdout).length > 0);
  });

  test('the GitHub Actions workflows of docs/ci.md: their commands, with npx from a local install', TIMEOUT, () => {
    const workflows = yamlBlocks(readFileSync(path.join(REPO_ROOT, 'docs', 'ci.md'), 'utf8')).filter((doc) => doc && typeof doc === 'object' && 'jobs' in doc) as Workflow[];
    assert.equal(workflows.length, 2, 'a SARIF workflow and an annotations workflow');
    const home = path.join(work, 'npx-home');
    mkdirSync(home, { recursive: true });

    for (const workflow of workflows) {
      const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
      assert.deepEqual(
        steps.filter((step) => step.uses).map((step) => step.uses!.split('@')[0]),
        steps.some((step) => step.uses?.startsWith('github/codeql-action/upload-sarif'))
          ? ['actions/checkout', 'actions/setup-node', 'github/codeql-action/upload-sarif']
          : ['actions/checkout', 'actions/setup-node'],
      );
      assert.equal(steps.find((step) => step.uses?.startsWith('actions/setup-node'))?.with?.['node-version'], 20);

      // The checkout: a copy of the example project, where npx finds the installed package.
      const checkout = copyOf(EXAMPLE);
      writeFileSync(path.join(checkout, 'package.json'), '{"private": true}\n');
      const install = bare('npm', ['install', '--no-save', tarball], checkout, home);
      assert.equal(install.status, 0, install.stderr);
      for (const step of steps.filter((s) => s.run)) {
        assert.match(step.run!, /^npx django-hardener check /);
        const run = bare('bash', ['-c', step.run!], checkout, home);
        assert.equal(run.status, 1, `${step.run}: the example has findings\n${run.stderr}`);
        if (step.run!.includes('--format github')) {
          const lines = run.stdout.trim().split('\n');
          assert.ok(lines.length > 0);
          for (const line of lines) assert.match(line, /^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=DJH\d{3} [a-z-]+::\S/);
        }
      }
      const upload = steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif'));
      if (upload) {
        const sarifFile = path.join(checkout, String(upload.with?.sarif_file));
        assert.ok(existsSync(sarifFile), 'the check step wrote the file the upload step reads');
        const log = JSON.parse(readFileSync(sarifFile, 'utf8'));
        assert.deepEqual(sarifSchemaErrors(log), []);
        assert.ok(log.runs[0].results.length > 0);
        assert.equal(upload.if, '${{ !cancelled() }}', 'the upload runs although the check step failed');
      }
    }
  });
});

describe('the pre-commit hook', () => {
  test('.pre-commit-hooks.yaml defines django-hardener as a node hook over Python files and templates', () => {
    const hooks = parseYaml(readFileSync(path.join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8'));
    assert.deepEqual(hooks, [
      {
        id: 'django-hardener',
        name: 'Django Hardener',
        description: 'Finds the security mistakes Django projects ship with, in settings, code and templates.',
        entry: 'django-hardener check',
        language: 'node',
        types_or: ['python', 'html', 'jinja'],
        require_serial: true,
        minimum_pre_commit_version: '3.2.0',
      },
    ]);
  });

  test('given the staged base.py, the hook judges it through production.py and reports what production.py lacks', () => {
    const root = copyOf(path.join(REPO_ROOT, 'test', 'fixtures', 'cli', 'split'));
    const entry = (...staged: string[]) => spawnSync(process.execPath, [CLI, 'check', '--select', 'DJH101,DJH110', '--format', 'json', ...staged], { cwd: root, encoding: 'utf8' });
    const located = (...staged: string[]) => JSON.parse(entry(...staged).stdout).map((f: { code: string; file: string }) => `${f.code} ${f.file}`);
    // SECURE_SSL_REDIRECT is missing from the chain, reported where production.py would set it.
    assert.deepEqual(located('shop/settings/base.py'), ['DJH101 shop/settings/base.py', 'DJH110 shop/settings/production.py']);
    assert.deepEqual(located('shop/settings/production.py'), ['DJH101 shop/settings/base.py', 'DJH110 shop/settings/production.py']);
    assert.deepEqual(located('shop/views.py'), [], 'a staged view brings no settings findings');
    assert.deepEqual(located('shop/settings/dev.py'), [], 'a development module is judged by no production module');
  });
});

interface Workflow {
  jobs: Record<string, { steps: { uses?: string; run?: string; if?: string; with?: Record<string, unknown> }[] }>;
}

/** The YAML code blocks of a Markdown page, parsed. */
function yamlBlocks(markdown: string): unknown[] {
  return [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].flatMap((match) => parseAllDocuments(match[1]).map((doc) => doc.toJS()));
}
