// `npm run bench`: the checker's whole-project scan of a large Django tree against a plain
// tree-sitter parse of the same Python files, each a fresh Node process, runs interleaved
// in one session so both sides see the same machine. Not a test: it prints, it asserts
// nothing about speed.
//
// BENCH_RUNS (default 5) measured runs per side after one warm-up; DIST_DIR selects the
// build output (default dist/); BENCH_DJANGO and BENCH_COPIES shape the tree.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTree, TREE_DIR } from './make-tree.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.resolve(root, process.env.DIST_DIR ?? 'dist');
const cli = path.join(dist, 'cli.js');
const parseOnly = path.join(root, 'bench', 'parse-only.mjs');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const TARGET = 1.5;

if (!existsSync(cli)) {
  fail(`${path.relative(root, cli)} does not exist: the command line (server/src/cli/main.ts) must be built first (npm run build).`);
}
for (const wasm of ['web-tree-sitter.wasm', 'tree-sitter-python.wasm']) {
  if (!existsSync(path.join(dist, wasm))) fail(`${path.relative(root, path.join(dist, wasm))} is missing: run npm run build.`);
}

let tree;
try {
  tree = ensureTree();
} catch (error) {
  fail(error.message);
}
const treeArg = path.relative(root, TREE_DIR);

const sides = {
  scan: {
    label: 'django-hardener check --format json',
    command: [cli, 'check', treeArg, '--format', 'json'],
    check(result) {
      if (result.code !== 0 && result.code !== 1) throw new Error(`check exited ${result.code}: ${result.stderr.trim() || result.stdout.slice(0, 400)}`);
      let findings;
      try {
        findings = JSON.parse(result.stdout);
      } catch {
        throw new Error(`check --format json printed something that is not JSON: ${result.stdout.slice(0, 400)}`);
      }
      if (!Array.isArray(findings)) throw new Error('check --format json did not print an array');
      return { note: `${findings.length} finding${findings.length === 1 ? '' : 's'}` };
    },
  },
  // The same scan with the per-file rules on the main thread only, to show what the workers add.
  single: {
    label: 'the same, DJANGO_HARDENER_JOBS=1',
    command: [cli, 'check', treeArg, '--format', 'json'],
    env: { DJANGO_HARDENER_JOBS: '1' },
    check(result) {
      return sides.scan.check(result);
    },
  },
  parse: {
    label: 'parse-only (web-tree-sitter)',
    command: [parseOnly, treeArg, dist],
    check(result) {
      if (result.code !== 0) throw new Error(`parse-only exited ${result.code}: ${result.stderr.trim()}`);
      const report = JSON.parse(result.stdout);
      if (report.files !== tree.pyFiles) throw new Error(`parse-only parsed ${report.files} files, the tree holds ${tree.pyFiles}`);
      // Its own clock around the parse loop: the run without start-up and WASM load.
      return { note: `${report.files} files, ${mb(report.bytes)} MB`, innerMs: report.parseMs };
    },
  },
};

const times = { scan: [], single: [], parse: [] };
const parseLoopTimes = [];
const notes = {};
// Warm-up (file cache, code cache), then measured runs, alternating which side goes first.
for (let i = -1; i < runs; i++) {
  const order = i % 2 === 0 ? ['scan', 'single', 'parse'] : ['parse', 'single', 'scan'];
  for (const side of order) {
    const result = await timed(sides[side].command, sides[side].env);
    let checked;
    try {
      checked = sides[side].check(result);
    } catch (error) {
      fail(error.message);
    }
    notes[side] = checked.note;
    if (i < 0) continue;
    times[side].push(result.ms);
    if (checked.innerMs !== undefined) parseLoopTimes.push(checked.innerMs);
    process.stderr.write('.');
  }
}
process.stderr.write('\n');

const stat = (list) => ({ median: median(list), min: Math.min(...list) });
const scan = stat(times.scan);
const single = stat(times.single);
const parse = stat(times.parse);
const ratio = scan.median / parse.median;

const rows = [
  ['', 'median', 'min', 'runs', ''],
  [sides.scan.label, seconds(scan.median), seconds(scan.min), String(runs), `${notes.scan}, worker threads: DJANGO_HARDENER_JOBS=${process.env.DJANGO_HARDENER_JOBS ?? 'default'}`],
  [sides.single.label, seconds(single.median), seconds(single.min), String(runs), notes.single],
  [sides.parse.label, seconds(parse.median), seconds(parse.min), String(runs), `${notes.parse}, ${seconds(median(parseLoopTimes))} of it in the parse loop`],
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
console.log(
  `tree   ${treeArg}: ${tree.pyFiles} .py files (${mb(tree.pyBytes)} MB) + ${tree.htmlFiles} templates (${mb(tree.htmlBytes)} MB), ${tree.key.copies} × Django ${tree.key.djangoVersion} with project settings`,
);
console.log(`host   node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}); wall time of a fresh process per run`);
console.log('');
for (const row of rows) {
  console.log(
    row
      .map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('   ')
      .trimEnd(),
  );
}
console.log('');
console.log(`scan / parse-only = ${ratio.toFixed(2)}× (median; min/min ${(scan.min / parse.min).toFixed(2)}×), target ≤ ${TARGET}×${ratio <= TARGET ? '' : '  — OVER TARGET'}`);
console.log(`one thread / parse-only = ${(single.median / parse.median).toFixed(2)}× (median): the worker threads save ${(100 * (1 - scan.median / single.median)).toFixed(0)}%`);

// Templates, in a process of their own: template analysis against a plain regex split.
const templates = await timed([path.join(root, 'bench', 'templates-bench.mjs')]);
if (templates.code !== 0) fail(`bench/templates-bench.mjs exited ${templates.code}: ${templates.stderr.trim()}`);
console.log('');
process.stdout.write(templates.stdout);

function timed([script, ...args], env = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, ms, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(3)} s`;
}

function mb(bytes) {
  return (bytes / 1e6).toFixed(1);
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}
