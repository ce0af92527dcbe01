// The template side of `npm run bench`: throughput of the template analysis (Django's lexer
// port, the HTML context scan and every template rule) over all templates of the bench
// tree, next to a plain split of the same texts with Django's tag regular expression, the
// least any template lexer must do. In one process, texts read beforehand, so both sides
// measure text work only. Not a test: it prints, it asserts nothing about speed.
//
//   node bench/templates-bench.mjs        BENCH_RUNS (default 5) measured runs per side
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIR, ensureTree, TREE_DIR } from './make-tree.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const runs = Number(process.env.BENCH_RUNS ?? 5);
/** Each measured run repeats its loop until it has taken at least this long. */
const MIN_RUN_MS = 300;

// The engine is TypeScript: bundle the pieces this bench needs, as the build bundles the CLI.
const bundle = path.join(DATA_DIR, 'templates-bench-engine.cjs');
mkdirSync(DATA_DIR, { recursive: true });
await build({
  stdin: {
    contents: [
      "export { initPythonParser } from './server/src/engine/parse/python';",
      "export { DiskSourceStore } from './server/src/engine/project/disk-store';",
      "export { Project } from './server/src/engine/project/project';",
      "export { walkFiles } from './server/src/engine/project/walk';",
      "export { DEFAULT_CONFIG } from './server/src/engine/config';",
      "export { templateAnalyzer } from './server/src/engine/template-analyzer';",
      "export { isTemplateFile } from './server/src/engine/templates/template-files';",
      "export { tokenize } from './server/src/engine/templates/lexer';",
      "export { parseTemplate } from './server/src/engine/templates/document';",
      "export { scanHtml } from './server/src/engine/templates/html-scanner';",
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  define: { 'import.meta.url': '__bundleFileUrl' },
  inject: [path.join(root, 'scripts', 'import-meta-url.js')],
});
const engine = createRequire(import.meta.url)(bundle);

let tree;
try {
  tree = ensureTree();
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exit(1);
}

await engine.initPythonParser();
// One project per site, as the CLI opens them; the texts are read once, up front.
const sites = [];
let bytes = 0;
let fileCount = 0;
const TAG_RE = /(\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\})/;
for (const site of [...new Set(walkSites(TREE_DIR))]) {
  const { files } = engine.walkFiles([site], [], site);
  const project = new engine.Project(site, files, new engine.DiskSourceStore(), engine.DEFAULT_CONFIG);
  const templates = files.filter((file) => engine.isTemplateFile(project, file)).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  for (const t of templates) {
    project.store.get(t.file);
    bytes += Buffer.byteLength(t.text);
  }
  fileCount += templates.length;
  sites.push({ project, templates });
}

let findings = 0;
const sides = {
  floor: {
    label: 'regex split (floor)',
    pass() {
      let pieces = 0;
      for (const { templates } of sites) for (const { text } of templates) pieces += text.split(TAG_RE).length;
      return pieces;
    },
  },
  lexer: {
    label: 'lexer only',
    pass() {
      let tokens = 0;
      for (const { templates } of sites) for (const { text } of templates) tokens += engine.tokenize(text).length;
      return tokens;
    },
  },
  scan: {
    label: 'lexer + HTML scan',
    pass() {
      let forms = 0;
      for (const { templates } of sites) for (const { text } of templates) forms += engine.scanHtml(engine.parseTemplate(text)).forms.length;
      return forms;
    },
  },
  rules: {
    label: 'lexer + HTML scan + rules',
    pass() {
      let count = 0;
      for (const { project, templates } of sites) for (const { file } of templates) count += engine.templateAnalyzer.analyze(project, file, engine.DEFAULT_CONFIG).length;
      findings = count;
      return count;
    },
  },
};

const rates = Object.fromEntries(Object.keys(sides).map((key) => [key, []]));
// Warm-up (JIT, project caches), then measured runs, rotating which side goes first.
for (let i = -1; i < runs; i++) {
  const keys = Object.keys(sides);
  const order = i < 0 ? keys : [...keys.slice(i % keys.length), ...keys.slice(0, i % keys.length)];
  for (const key of order) {
    let loops = 0;
    const started = performance.now();
    let elapsed = 0;
    do {
      sides[key].pass();
      loops++;
      elapsed = performance.now() - started;
    } while (elapsed < MIN_RUN_MS);
    if (i >= 0) rates[key].push((bytes * loops) / 1e6 / (elapsed / 1000));
  }
}

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const floor = median(rates.floor);
console.log(
  `templates   ${fileCount} Django templates of ${path.relative(root, TREE_DIR)} (${(bytes / 1e6).toFixed(2)} MB, ${tree.key.copies} × Django ${tree.key.djangoVersion}), ${findings} template findings; median of ${runs} runs`,
);
const rows = [['', 'MB/s', 'vs floor']];
for (const [key, side] of Object.entries(sides)) {
  const rate = median(rates[key]);
  rows.push([side.label, rate.toFixed(1), key === 'floor' ? '1.00×' : `${(floor / rate).toFixed(2)}× slower`]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   '));
console.log(`template analysis / regex split = ${(floor / median(rates.rules)).toFixed(2)}× the time per byte`);

/** The site folders of the bench tree (each one a project, as make-tree.mjs lays them out). */
function walkSites(dir) {
  return engine
    .walkFiles([dir], [], dir)
    .files.filter((file) => path.basename(file) === 'manage.py')
    .map((file) => path.dirname(file));
}
