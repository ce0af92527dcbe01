// The language server's speed, measured over real stdio JSON-RPC against the built
// dist/server.js, as an editor talks to it:
// - didChange → publishDiagnostics latency for one-character edits in a 5,000-line
//   settings module, next to a full parse of the same text (the baseline, same run);
// - time from spawning the server to the first diagnostics of that module, and of a
//   100-line one (what starting costs whatever the module's size);
// - resident memory with the example project plus 2,000 generated files open.
// Not a test: it prints, it asserts nothing about speed.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const rpc = require('vscode-jsonrpc/node');
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.resolve(root, process.env.DIST_DIR ?? 'dist');
const EDITS = Number(process.env.BENCH_EDITS ?? 200);
// The first keystrokes after opening run code the JIT has not compiled yet (and collect the
// opening's garbage): they are measured, and reported, apart.
const WARMUP_EDITS = Number(process.env.BENCH_WARMUP ?? 10);
const LINES = Number(process.env.BENCH_LINES ?? 5000);
// Keystrokes arrive this far apart, a fast typist's pace; the server analyses a change at
// once when nothing was analysed in the last 50 ms (its debounce window).
const TYPING_INTERVAL_MS = 120;
const LINE_BREAKS = Number(process.env.BENCH_LINE_BREAKS ?? 100);
const VIEWS_EDITS = Number(process.env.BENCH_VIEWS_EDITS ?? 40);
const UNCLOSED = Number(process.env.BENCH_UNCLOSED ?? 5);

function settingsModule(lines) {
  const out = [
    'import os',
    'from pathlib import Path',
    '',
    'BASE_DIR = Path(__file__).resolve().parent.parent',
    'DEBUG = True',
    'SECRET_KEY = "django-insecure-0123456789"',
    'ALLOWED_HOSTS = []',
    'MIDDLEWARE = [',
    '    "django.middleware.security.SecurityMiddleware",',
    '    "django.contrib.sessions.middleware.SessionMiddleware",',
    '    "django.middleware.csrf.CsrfViewMiddleware",',
    ']',
    'INSTALLED_APPS = ["django.contrib.sessions", "django.contrib.auth"]',
  ];
  for (let i = 0; out.length < lines; i++) {
    out.push(`FEATURE_${i} = os.environ.get("FEATURE_${i}", "value-${i}")  # feature ${i}`);
    out.push(`LIMITS_${i} = {"rate": [${i}, ${i + 1}], "name": "limit-${i}"}`);
  }
  return out.slice(0, lines).join('\n') + '\n';
}

/**
 * The i-th edit: a character typed into a setting's string value (it changes what the
 * module evaluates to), at the end of a comment, or a space at the end of a line, in turn,
 * spread over the module.
 */
function oneCharacterEdit(lines, i) {
  const line = 20 + ((i * 37) % (lines.length - 40));
  const text = lines[line];
  if (i % 3 === 0) {
    const quote = text.lastIndexOf('"');
    if (quote > 0) return { line, character: quote, insert: 'x' };
  }
  if (i % 3 === 1) return { line, character: text.length, insert: '#' };
  return { line, character: text.length, insert: ' ' };
}

/** tree-sitter's own incremental reparse after the same kind of edit: the floor under any analysis. */
async function incrementalParseFloor(parser, text) {
  const { Edit } = require('web-tree-sitter');
  const lines = text.split('\n');
  let current = text;
  let tree = parser.parse(current);
  const times = [];
  for (let i = 0; i < 30; i++) {
    const { line, character, insert } = oneCharacterEdit(lines, i);
    let offset = 0;
    for (let l = 0; l < line; l++) offset += lines[l].length + 1;
    offset += character;
    lines[line] = lines[line].slice(0, character) + insert + lines[line].slice(character);
    current = current.slice(0, offset) + insert + current.slice(offset);
    const at = { row: line, column: character };
    tree.edit(new Edit({ startIndex: offset, oldEndIndex: offset, newEndIndex: offset + 1, startPosition: at, oldEndPosition: at, newEndPosition: { row: line, column: character + 1 } }));
    const t0 = performance.now();
    const next = parser.parse(current, tree);
    times.push(performance.now() - t0);
    tree.delete();
    tree = next;
  }
  tree.delete();
  return times.slice(5);
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// The bench's own code cache folder (see server/src/start/): empty for the first start, then
// written by it, as after an install.
const codeCacheDir = mkdtempSync(path.join(os.tmpdir(), 'djh-bench-code-cache-'));
process.on('exit', () => rmSync(codeCacheDir, { recursive: true, force: true }));

function startServer(workspace) {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(dist, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, DJANGO_HARDENER_CACHE_DIR: codeCacheDir } });
  child.stdin.on('error', () => {});
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.onError(() => {});
  const waiters = [];
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    for (const waiter of [...waiters]) {
      if (waiter.test(params)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(performance.now());
      }
    }
  });
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.onNotification(() => {});
  connection.listen();
  const uri = pathToFileURL(workspace).href;
  const waitFor = (test, timeoutMs = 30000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no diagnostics within the time limit')), timeoutMs);
      waiters.push({ test, resolve: (t) => (clearTimeout(timer), resolve(t)) });
    });
  return {
    child,
    connection,
    started,
    waitFor,
    async initialize() {
      await connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: uri,
        workspaceFolders: [{ uri, name: 'bench' }],
        capabilities: { workspace: { configuration: true, workspaceFolders: true }, window: { workDoneProgress: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
      });
      connection.sendNotification('initialized', {});
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      connection.dispose();
      child.kill();
    },
  };
}

async function parseBaselines(text) {
  const { Parser, Language } = require('web-tree-sitter');
  await Parser.init({ locateFile: () => path.join(dist, 'web-tree-sitter.wasm') });
  const parser = new Parser();
  parser.setLanguage(await Language.load(path.join(dist, 'tree-sitter-python.wasm')));
  const full = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    parser.parse(text).delete();
    full.push(performance.now() - t0);
  }
  // The same module with a bracket left open near the top, parsed whole.
  const lines = text.split('\n');
  lines.splice(20, 0, 'OPEN = (');
  const broken = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    parser.parse(lines.join('\n')).delete();
    broken.push(performance.now() - t0);
  }
  return { full: full.slice(3), broken, incremental: await incrementalParseFloor(parser, text) };
}

/** Types `count` one-character edits into an open document, 120 ms apart; each one's didChange → publishDiagnostics time. */
async function typeInto(server, uri, lines, count, firstVersion) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const version = firstVersion + i;
    const { line, character, insert } = oneCharacterEdit(lines, i);
    lines[line] = lines[line].slice(0, character) + insert + lines[line].slice(character);
    await new Promise((resolve) => setTimeout(resolve, TYPING_INTERVAL_MS));
    const done = server.waitFor((p) => p.uri === uri && p.version === version);
    const sent = performance.now();
    server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: insert }],
    });
    times.push((await done) - sent);
  }
  return times;
}

/**
 * A views module of `lines` lines: one short view after another, one in a hundred building
 * its SQL with an f-string (DJH201), the rest passing parameters.
 */
function viewsModule(lines) {
  const out = ['from django.http import HttpResponse', 'from .models import Order', ''];
  for (let i = 0; out.length < lines; i++) {
    const sql = i % 100 === 0 ? `f"SELECT * FROM shop_order WHERE id = {order_id} AND n = ${i}"` : `"SELECT * FROM shop_order WHERE id = %s AND n = ${i}", [order_id]`;
    out.push(`def view_${i}(request):`, '    order_id = request.GET.get("id")', `    rows = Order.objects.raw(${sql})`, '    return HttpResponse(str(list(rows)))', '');
  }
  return out.slice(0, lines).join('\n') + '\n';
}

/**
 * Opens `text` as `name` in a fresh workspace and a fresh server, waits for its first
 * diagnostics, and runs `measure` with them; stops the server and removes the workspace after.
 */
async function withOpenModule(name, text, measure) {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'djh-bench-lsp-'));
  const file = path.join(workspace, name);
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const server = startServer(workspace);
  try {
    await server.initialize();
    const first = server.waitFor((p) => p.uri === uri && p.diagnostics.length > 0);
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const firstDiagnostics = (await first) - server.started;
    return await measure(server, uri, firstDiagnostics);
  } finally {
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** The same keystrokes in a large views module, which the code rules read whole. */
async function viewsLatency() {
  const text = viewsModule(LINES);
  return withOpenModule('views.py', text, async (server, uri) => {
    const typed = await typeInto(server, uri, text.split('\n'), WARMUP_EDITS + VIEWS_EDITS, 2);
    return { samples: typed.slice(WARMUP_EDITS), bytes: Buffer.byteLength(text) };
  });
}

async function latency() {
  const text = settingsModule(LINES);
  return withOpenModule('settings.py', text, async (server, uri, firstDiagnostics) => {
    const lines = text.split('\n');
    const typed = await typeInto(server, uri, lines, WARMUP_EDITS + EDITS, 2);
    const warmup = typed.slice(0, WARMUP_EDITS);
    const samples = typed.slice(WARMUP_EDITS);
    // Enter at the end of a line: every statement below moves.
    const lineBreaks = [];
    for (let i = 0; i < LINE_BREAKS; i++) {
      const version = WARMUP_EDITS + EDITS + i + 2;
      const line = 20 + ((i * 53) % (lines.length - 40));
      const character = lines[line].length;
      lines.splice(line + 1, 0, '');
      await new Promise((resolve) => setTimeout(resolve, TYPING_INTERVAL_MS));
      const done = server.waitFor((p) => p.uri === uri && p.version === version);
      const sent = performance.now();
      server.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: '\n' }],
      });
      lineBreaks.push((await done) - sent);
    }
    // A bracket opened near the top and not closed yet (\`OPEN = (\` on a line of its own),
    // then closed: a whole parse recovers from it across the rest of the module.
    const unclosed = [];
    let version = WARMUP_EDITS + EDITS + LINE_BREAKS + 1;
    for (let i = 0; i < UNCLOSED; i++) {
      const line = 20 + i * 7;
      for (const [range, insert] of [
        [{ start: { line, character: 0 }, end: { line, character: 0 } }, 'OPEN = (\n'],
        [{ start: { line: line + 1, character: 0 }, end: { line: line + 1, character: 0 } }, ')\n'],
      ]) {
        version++;
        await new Promise((resolve) => setTimeout(resolve, TYPING_INTERVAL_MS));
        const done = server.waitFor((p) => p.uri === uri && p.version === version);
        const sent = performance.now();
        server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: insert }] });
        unclosed.push((await done) - sent);
      }
    }
    return { firstDiagnostics, warmup, samples, lineBreaks, unclosed, bytes: Buffer.byteLength(text) };
  });
}

async function memory() {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'djh-bench-mem-'));
  cpSync(path.join(root, 'examples', 'insecure-project'), workspace, { recursive: true });
  const generated = path.join(workspace, 'generated');
  mkdirSync(generated);
  const files = [];
  for (let i = 0; i < 2000; i++) {
    const name = path.join(generated, `module_${i}.py`);
    const body = `from django.db import models\n\n\nclass Thing${i}(models.Model):\n    name = models.CharField(max_length=${20 + (i % 50)})\n\n    def describe(self):\n        return f"{self.name} #${i}"\n`;
    writeFileSync(name, body);
    files.push(name);
  }
  const server = startServer(workspace);
  try {
    await server.initialize();
    const settings = path.join(workspace, 'shop', 'settings', 'production.py');
    const seen = server.waitFor((p) => p.uri === pathToFileURL(path.join(workspace, 'shop', 'settings', 'base.py')).href);
    for (const file of [settings, ...files]) {
      server.connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: pathToFileURL(file).href, languageId: 'python', version: 1, text: readFileSync(file, 'utf8') },
      });
    }
    await seen;
    // A request answered after every didOpen was read proves the server has taken them all in.
    await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: pathToFileURL(settings).href },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { rssMb: rssKb / 1024, open: files.length + 1 };
  } finally {
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (!existsSync(path.join(dist, 'server.js'))) {
  console.error(`${path.relative(root, path.join(dist, 'server.js'))} does not exist: run npm run build first.`);
  process.exit(2);
}
// The first server starts without a code cache and lives long enough to write one.
const { firstDiagnostics: firstStart, warmup, samples, lineBreaks, unclosed, bytes } = await latency();
// Every later start reads it: the start an editor user sees. One start is noisy: the median of three.
const starts = [];
for (let i = 0; i < 3; i++) starts.push(await withOpenModule('settings.py', settingsModule(LINES), async (_server, _uri, first) => first));
const firstDiagnostics = percentile(starts, 50);
// The same start with a module of a hundred lines: what starting costs before the module's size does.
const smallStart = await withOpenModule('settings.py', settingsModule(100), async (_server, _uri, first) => first);
const views = VIEWS_EDITS > 0 ? await viewsLatency() : undefined;
const parse = await parseBaselines(settingsModule(LINES));
const mem = await memory();
const fmt = (n) => `${n.toFixed(1)} ms`;
const p50 = percentile(samples, 50);
const p95 = percentile(samples, 95);
const fullMedian = percentile(parse.full, 50);
const floorMedian = percentile(parse.incremental, 50);
console.log(
  `language server over stdio (${(bytes / 1024).toFixed(0)} KB, ${LINES.toLocaleString('en')}-line settings module, ${samples.length} one-character edits ${TYPING_INTERVAL_MS} ms apart after ${warmup.length} to warm up)`,
);
if (warmup.length > 0) console.log(`  the first ${warmup.length} edits after opening (warm-up)   p50 ${fmt(percentile(warmup, 50))}   max ${fmt(Math.max(...warmup))}`);
console.log(`  didChange → publishDiagnostics   p50 ${fmt(p50)}   p95 ${fmt(p95)}   (target p95 ≤ 10 ms)`);
console.log(`  full parse of the same text      median ${fmt(fullMedian)}   → p95 = ${(p95 / fullMedian).toFixed(2)}× a full parse`);
if (lineBreaks.length > 0) {
  console.log(
    `  a line break (Enter), ${lineBreaks.length} times   p50 ${fmt(percentile(lineBreaks, 50))}   p95 ${fmt(percentile(lineBreaks, 95))}   → p50 = ${(percentile(lineBreaks, 50) / fullMedian).toFixed(2)}× a full parse`,
  );
}
if (unclosed.length > 0) {
  const brokenMedian = percentile(parse.broken, 50);
  console.log(
    `  a bracket opened, then closed, ${unclosed.length} times   p50 ${fmt(percentile(unclosed, 50))}   max ${fmt(Math.max(...unclosed))}   (a whole parse with it open: ${fmt(brokenMedian)})`,
  );
}
console.log(`  tree-sitter incremental reparse  median ${fmt(floorMedian)}   → p95 = ${(p95 / floorMedian).toFixed(2)}× the parser's own reparse`);
if (views) {
  const viewsParse = await parseBaselines(viewsModule(LINES));
  console.log(
    `  in a ${LINES.toLocaleString('en')}-line views module (${(views.bytes / 1024).toFixed(0)} KB, read whole by the code rules), ${views.samples.length} edits   p50 ${fmt(percentile(views.samples, 50))}   p95 ${fmt(percentile(views.samples, 95))}   (its full parse: ${fmt(percentile(viewsParse.full, 50))})`,
  );
}
console.log(`  start → first diagnostics        ${fmt(firstDiagnostics)}   (median of ${starts.length} starts with the code cache written; target ≤ 400 ms)`);
console.log(`  start → first diagnostics, first start after an install (no code cache yet)   ${fmt(firstStart)}`);
console.log(`  start → first diagnostics of a 100-line module   ${fmt(smallStart)}   (starting Node, loading the bundle and the parser, one small analysis)`);
console.log(`  resident memory, example project + ${mem.open - 1} generated files open: ${mem.rssMb.toFixed(0)} MB`);
