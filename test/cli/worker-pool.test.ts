import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { FileAnalysisSession, type ProjectContext } from '../../server/src/cli/file-analysis-job';
import { FileAnalysisPool } from '../../server/src/cli/worker-pool';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { initPythonParser } from '../../server/src/engine/parse/python';

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dh-pool-'));
  made.push(dir);
  return dir;
}

/** A small project: a view with raw SQL, a template without a CSRF token, and an undecodable file. */
function smallProject(): { context: ProjectContext; files: string[] } {
  const root = tempDir();
  const write = (relative: string, content: string | Buffer) => {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), content);
    return path.join(root, relative);
  };
  const files = [
    write('manage.py', ''),
    write('orders/views.py', 'from shop.models import Book\n\n\ndef search(title):\n    return list(Book.objects.raw(f"SELECT * FROM book WHERE title = \'{title}\'"))\n'),
    write('orders/templates/orders/pay.html', '<form method="post">\n  <button>Pay</button>\n</form>\n'),
    write('orders/broken.py', Buffer.from([0xff, 0xfe, 0x0a])),
  ];
  return { context: { root, files, config: DEFAULT_CONFIG, texts: [] }, files };
}

describe('worker pool', () => {
  test('a worker that fails hands its files back to the main thread, which checks them', async () => {
    await initPythonParser();
    const failing = path.join(tempDir(), 'failing-worker.js');
    writeFileSync(failing, "throw new Error('the worker cannot start');\n");
    const pool = FileAnalysisPool.create(2, failing);
    assert.ok(pool, 'a pool of two');
    const { context, files } = smallProject();
    const logs: string[] = [];
    try {
      const result = await pool.analyze(context, files, (message) => logs.push(message));
      const session = new FileAnalysisSession(context);
      const expected = session.analyze(files);
      session.dispose();
      assert.deepEqual(result, expected);
      assert.deepEqual(result.findings.map((f) => f.code).sort(), ['DJH201', 'DJH301']);
      assert.deepEqual(
        result.problems.map(([file]) => path.basename(file)),
        ['broken.py'],
      );
      assert.ok(logs.length > 0 && logs.every((message) => message.startsWith('a worker thread failed (the worker cannot start)')), logs.join('\n'));
    } finally {
      await pool.close();
    }
  });

  test('no pool for one thread or without the worker bundle', () => {
    assert.equal(FileAnalysisPool.create(1), undefined);
    assert.equal(FileAnalysisPool.create(2, path.join(tempDir(), 'missing.js')), undefined);
  });
});
