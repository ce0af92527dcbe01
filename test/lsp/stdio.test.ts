/**
 * The built server bundle, spawned over stdio and driven with JSON-RPC as an editor other
 * than VS Code drives it.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { MessageType } from 'vscode-languageserver/node';
import { DIST_DIR, stdioWith } from './support/harness';
import { DEBUG_MESSAGE, DEBUG_ONLY, editorScenarios } from './support/scenarios';

const SERVER = path.join(DIST_DIR, 'server.js');

describe('server bundle over stdio', () => {
  // Twice under heavy load the file's process stayed alive after its last test had passed.
  // Should anything still hold it open once every session is disposed, say what it is and end
  // the file's process (its results are reported by then) rather than keep the run waiting.
  after(() => {
    setTimeout(() => {
      process.stderr.write(`stdio.test: still open after the last test: ${process.getActiveResourcesInfo().join(', ')}\n`);
      process.exit();
    }, 5_000).unref();
  });

  test('the bundle and its WASM files are built', () => {
    for (const name of ['server.js', 'server-bundle.js', 'web-tree-sitter.wasm', 'tree-sitter-python.wasm']) assert.ok(existsSync(path.join(DIST_DIR, name)), `${name} in ${DIST_DIR}`);
  });

  editorScenarios(stdioWith(SERVER));

  test('the first start writes the code cache; the next start runs from it and publishes the same', { timeout: 60_000 }, async () => {
    const codeCacheDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'dh-code-cache-')), 'code-cache');
    const published = async () => {
      const session = stdioWith(SERVER)({ settings: DEBUG_ONLY, codeCacheDir });
      try {
        await session.client.initialize(session.rootUri);
        const { diagnostics } = await session.client.diagnostics(session.uri('mysite/settings/production.py'));
        // The cache is written two seconds into a start: stay until then, and a second longer.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        await session.client.shutdown();
        return diagnostics.map((d) => [d.code, d.range.start.line, d.message]);
      } finally {
        await session.dispose();
      }
    };
    try {
      const first = await published();
      const files = readdirSync(codeCacheDir);
      assert.equal(files.length, 1, `one cache file in ${codeCacheDir}: ${files.join(', ')}`);
      assert.match(files[0], /^server-bundle-[0-9a-f]{32}\.v8cache$/);
      const written = statSync(path.join(codeCacheDir, files[0])).mtimeMs;
      assert.deepEqual(await published(), first);
      assert.deepEqual(first, [['DJH101', 2, DEBUG_MESSAGE]]);
      // V8 took the cache: it was not refused and written again.
      assert.deepEqual(readdirSync(codeCacheDir), files);
      assert.equal(statSync(path.join(codeCacheDir, files[0])).mtimeMs, written);
    } finally {
      rmSync(path.dirname(codeCacheDir), { recursive: true, force: true });
    }
  });

  test('a server.js without its bundle says so on stderr and exits 1', { timeout: 30_000 }, async () => {
    const lonely = mkdtempSync(path.join(os.tmpdir(), 'dh-nobundle-'));
    copyFileSync(SERVER, path.join(lonely, 'server.js'));
    const session = stdioWith(path.join(lonely, 'server.js'))();
    try {
      assert.equal(await session.exited, 1);
      // 'exit' can come before the last of stderr is read.
      for (let waited = 0; !session.stderr!().endsWith('\n') && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(session.stderr!(), `Django Hardener cannot start: ${path.join(lonely, 'server-bundle.js')} is missing. Reinstall the extension.\n`);
    } finally {
      await session.dispose();
      rmSync(lonely, { recursive: true, force: true });
    }
  });

  test('a missing WASM file is one clear error message, and the server keeps answering', { timeout: 30_000 }, async () => {
    const lonely = mkdtempSync(path.join(os.tmpdir(), 'dh-nowasm-'));
    for (const name of ['server.js', 'server-bundle.js']) copyFileSync(path.join(DIST_DIR, name), path.join(lonely, name));
    const session = stdioWith(path.join(lonely, 'server.js'))({ settings: DEBUG_ONLY });
    try {
      const { client, rootUri, uri } = session;
      await client.initialize(rootUri);
      const shown = await client.waitFor('show');
      assert.equal(shown.params.type, MessageType.Error);
      assert.match(shown.params.message, /^Django Hardener cannot start: cannot find web-tree-sitter\.wasm next to .* nor in node_modules/);
      await client.openFile(uri('mysite/settings/production.py'));
      assert.deepEqual(await client.codeActions(uri('mysite/settings/production.py'), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, []), []);
      assert.equal(client.of('show').length, 1);
      await client.shutdown();
    } finally {
      await session.dispose();
      rmSync(lonely, { recursive: true, force: true });
    }
  });
});
