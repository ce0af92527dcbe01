// Bundles the entry points with esbuild and puts the grammar WASM files beside them,
// where the parser looks for them at run time.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
// DIST_DIR and TEST_OUT let several builds run side by side without clobbering each other.
const dist = path.resolve(root, process.env.DIST_DIR ?? 'dist');
const testOut = path.resolve(root, process.env.TEST_OUT ?? 'out/test');
mkdirSync(dist, { recursive: true });

const entries = [
  { in: 'server/src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'server/src/cli/file-worker.ts', out: 'cli-worker' },
  { in: 'server/src/lsp/main.ts', out: 'server-bundle' },
  { in: 'server/src/start/server.ts', out: 'server' },
  { in: 'client/src/extension.ts', out: 'extension' },
  { in: 'scripts/generate-docs.ts', out: 'generate-docs' },
].filter((entry) => existsSync(path.join(root, entry.in)));

// ESM dependencies (web-tree-sitter, smol-toml) read import.meta.url; in a CommonJS bundle
// that is the bundle's own file URL.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode'],
  logLevel: 'warning',
  define: { 'import.meta.url': '__bundleFileUrl' },
  // import() of a Node built-in becomes require(): a bundle run from V8's code cache has no
  // dynamic-import callback (see server/src/start/code-cache.ts).
  supported: { 'dynamic-import': false },
  plugins: [parserCommonJsBuild()],
  inject: [path.join(root, 'scripts', 'import-meta-url.js')],
};

/**
 * web-tree-sitter from its CommonJS build. Its ESM build imports `module` with import()
 * inside a function that declares its own `require`, so the require() that import()
 * becomes would call that undefined variable; the CommonJS build requires it directly.
 */
function parserCommonJsBuild() {
  return {
    name: 'web-tree-sitter-commonjs',
    setup(build) {
      build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: require.resolve('web-tree-sitter') }));
    },
  };
}

/**
 * Replaces a file in one step (write beside it, then rename), so a process started from
 * dist/ while a build runs — a test spawning the CLI while the VS Code suite packages the
 * extension — reads the old file or the new one, never half of one.
 */
function writeAtomically(file, contents, mode = 0o644) {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents, { mode });
  renameSync(temporary, file);
}

async function bundle(options) {
  const result = await build({ ...options, write: false });
  for (const output of result.outputFiles) writeAtomically(output.path, output.contents, output.path.endsWith(`${path.sep}cli.js`) ? 0o755 : 0o644);
}

for (const entry of entries) {
  await bundle({
    entryPoints: [path.join(root, entry.in)],
    outfile: path.join(dist, `${entry.out}.js`),
    ...common,
    banner: entry.banner ? { js: entry.banner } : undefined,
  });
}

// Tests are bundled too (the engine imports ESM-only packages that Node 20 cannot require),
// except for `npm pack` (--bundles-only), which must not touch a test run's bundles.
const testEntries = process.argv.includes('--bundles-only') ? [] : listTests(path.join(root, 'test'));
if (testEntries.length > 0) {
  // Bundles of tests that no longer exist would still run: start from an empty folder.
  rmSync(testOut, { recursive: true, force: true });
  await bundle({
    entryPoints: testEntries,
    outdir: testOut,
    outbase: path.join(root, 'test'),
    ...common,
  });
}

function listTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : listTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const wasmFiles = [require.resolve('web-tree-sitter/web-tree-sitter.wasm'), require.resolve('tree-sitter-python/tree-sitter-python.wasm')];
for (const file of wasmFiles) writeAtomically(path.join(dist, path.basename(file)), readFileSync(file));
