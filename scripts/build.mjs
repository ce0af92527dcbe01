// Bundles the entry points with esbuild and puts the grammar WASM files beside them,
// where the parser looks for them at run time.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
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
  { in: 'server/src/lsp/main.ts', out: 'server' },
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
  inject: [path.join(root, 'scripts', 'import-meta-url.js')],
};

for (const entry of entries) {
  await build({
    entryPoints: [path.join(root, entry.in)],
    outfile: path.join(dist, `${entry.out}.js`),
    ...common,
    banner: entry.banner ? { js: entry.banner } : undefined,
  });
}
if (existsSync(path.join(dist, 'cli.js'))) chmodSync(path.join(dist, 'cli.js'), 0o755);

// Tests are bundled too: the engine imports ESM-only packages that Node 20 cannot require.
const testEntries = listTests(path.join(root, 'test'));
if (testEntries.length > 0) {
  await build({
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

const wasmFiles = [
  require.resolve('web-tree-sitter/web-tree-sitter.wasm'),
  require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
];
for (const file of wasmFiles) copyFileSync(file, path.join(dist, path.basename(file)));
