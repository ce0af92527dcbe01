/**
 * The built server bundle, spawned over stdio and driven with JSON-RPC as an editor other
 * than VS Code drives it.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { MessageType } from 'vscode-languageserver/node';
import { DIST_DIR, stdioWith } from './support/harness';
import { editorScenarios, DEBUG_ONLY } from './support/scenarios';

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
    for (const name of ['server.js', 'web-tree-sitter.wasm', 'tree-sitter-python.wasm']) assert.ok(existsSync(path.join(DIST_DIR, name)), `${name} in ${DIST_DIR}`);
  });

  editorScenarios(stdioWith(SERVER));

  test('a missing WASM file is one clear error message, and the server keeps answering', { timeout: 30_000 }, async () => {
    const lonely = mkdtempSync(path.join(os.tmpdir(), 'dh-nowasm-'));
    copyFileSync(SERVER, path.join(lonely, 'server.js'));
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
