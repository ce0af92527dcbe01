import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { codeCacheDirectory } from '../../server/src/start/cache-directory';
import { cacheFileName, runBundle } from '../../server/src/start/code-cache';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'dh-code-cache-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Ran {
  runs: number;
  filename: string;
  dirname: string;
  separator: string;
  exportsIsThis: boolean;
}

let bundles = 0;
/** A CommonJS bundle of its own (its own name, so its runs are counted apart) that records what it was given. */
function makeBundle(): { file: string; key: string; ran: () => Ran | undefined } {
  const key = `codeCacheTestBundle${bundles++}`;
  const folder = mkdtempSync(path.join(scratch, 'dist-'));
  const file = path.join(folder, 'server-bundle.js');
  writeFileSync(
    file,
    [
      `const ran = (globalThis.${key} ??= { runs: 0 });`,
      'ran.runs++;',
      'ran.filename = __filename;',
      'ran.dirname = __dirname;',
      "ran.separator = require('node:path').sep;",
      'ran.exportsIsThis = this === module.exports && exports === module.exports;',
      // Functions compiled lazily, as a real bundle's are: they go into the cache once called.
      'function square(n) { return n * n; }',
      'module.exports.total = [1, 2, 3].map(square).reduce((a, b) => a + b, 0);',
    ].join('\n'),
  );
  return { file, key, ran: () => (globalThis as Record<string, unknown>)[key] as Ran | undefined };
}

const now = { writeAfterMs: 0 };

/** The write's timer does not keep a process alive (see runBundle): a test waiting for it does. */
async function written(run: { written: Promise<string | undefined> }): Promise<string | undefined> {
  const alive = setInterval(() => {}, 1000);
  try {
    return await run.written;
  } finally {
    clearInterval(alive);
  }
}
const posixOnly = { skip: process.platform === 'win32' ? 'file modes are POSIX' : false };

describe('the code cache of a bundle', () => {
  test('a first run runs the bundle once as CommonJS and writes an owner-only cache named for the bundle and its source', async () => {
    const bundle = makeBundle();
    const directory = path.join(scratch, 'first', 'code-cache');
    const run = runBundle(bundle.file, { directory, ...now });
    assert.equal(run.cache, 'missing');
    assert.deepEqual(bundle.ran(), { runs: 1, filename: bundle.file, dirname: path.dirname(bundle.file), separator: path.sep, exportsIsThis: true });
    const cacheFile = await written(run);
    assert.equal(cacheFile, path.join(directory, cacheFileName(bundle.file, readFileSync(bundle.file, 'utf8'))));
    assert.match(path.basename(cacheFile!), /^server-bundle-[0-9a-f]{32}\.v8cache$/);
    assert.ok(statSync(cacheFile!).size > 0);
    if (process.platform !== 'win32') {
      assert.equal(statSync(cacheFile!).mode & 0o777, 0o600);
      assert.equal(statSync(directory).mode & 0o777, 0o700);
    }
    assert.deepEqual(readdirSync(directory), [path.basename(cacheFile!)], 'no temporary file is left beside it');
  });

  test('the next run uses the cache and writes nothing', async () => {
    const bundle = makeBundle();
    const directory = path.join(scratch, 'next');
    const first = await written(runBundle(bundle.file, { directory, ...now }));
    const before = statSync(first!).mtimeMs;
    const second = runBundle(bundle.file, { directory, ...now });
    assert.equal(second.cache, 'used');
    assert.equal(await written(second), undefined);
    assert.equal(statSync(first!).mtimeMs, before);
    assert.equal(bundle.ran()?.runs, 2);
  });

  test('a changed bundle has a cache of its own, and writing it removes the cache of the old bundle only', async () => {
    const bundle = makeBundle();
    const directory = path.join(scratch, 'changed');
    const old = await written(runBundle(bundle.file, { directory, ...now }));
    const otherBundle = path.join(directory, `cli-${'0'.repeat(32)}.v8cache`);
    writeFileSync(otherBundle, 'another bundle', { mode: 0o600 });
    writeFileSync(bundle.file, readFileSync(bundle.file, 'utf8') + '\n// changed\n');
    const run = runBundle(bundle.file, { directory, ...now });
    assert.equal(run.cache, 'missing');
    const fresh = await written(run);
    assert.notEqual(fresh, old);
    assert.deepEqual(readdirSync(directory).sort(), [path.basename(otherBundle), path.basename(fresh!)].sort());
  });

  test('a corrupt cache is refused, the bundle still runs once, and the cache is written again', async () => {
    const bundle = makeBundle();
    const directory = path.join(scratch, 'corrupt');
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const cacheFile = path.join(directory, cacheFileName(bundle.file, readFileSync(bundle.file, 'utf8')));
    writeFileSync(cacheFile, Buffer.from('not a code cache'.repeat(64)), { mode: 0o600 });
    const run = runBundle(bundle.file, { directory, ...now });
    assert.equal(run.cache, 'rejected');
    assert.equal(bundle.ran()?.runs, 1);
    assert.equal(await written(run), cacheFile);
    assert.equal(runBundle(bundle.file, { directory, ...now }).cache, 'used');
  });

  test('a cache file others may write is never run, and is replaced by one of this user', posixOnly, async () => {
    const bundle = makeBundle();
    const directory = path.join(scratch, 'shared');
    const cacheFile = (await written(runBundle(bundle.file, { directory, ...now })))!;
    chmodSync(cacheFile, 0o666);
    const run = runBundle(bundle.file, { directory, ...now });
    assert.equal(run.cache, 'missing');
    assert.equal(await written(run), cacheFile);
    assert.equal(statSync(cacheFile).mode & 0o777, 0o600);
  });

  test('a cache folder that cannot be made leaves the bundle running, uncached', async () => {
    const bundle = makeBundle();
    const blocker = path.join(scratch, 'a-file');
    writeFileSync(blocker, 'in the way');
    const run = runBundle(bundle.file, { directory: path.join(blocker, 'code-cache'), ...now });
    assert.equal(run.cache, 'missing');
    assert.equal(await written(run), undefined);
    assert.equal(bundle.ran()?.runs, 1);
    assert.equal(existsSync(path.join(blocker, 'code-cache')), false);
  });

  test('without a folder the bundle runs and nothing is written', async () => {
    const bundle = makeBundle();
    const run = runBundle(bundle.file, { directory: undefined, ...now });
    assert.equal(run.cache, 'off');
    assert.equal(await written(run), undefined);
    assert.equal(bundle.ran()?.runs, 1);
  });
});

describe('where the code cache is kept', () => {
  test('DJANGO_HARDENER_CACHE_DIR names the folder, resolved', () => {
    assert.equal(codeCacheDirectory({ DJANGO_HARDENER_CACHE_DIR: 'relative/cache' }), path.resolve('relative/cache'));
  });

  test('DJANGO_HARDENER_CODE_CACHE=off turns it off, whatever the folder', () => {
    assert.equal(codeCacheDirectory({ DJANGO_HARDENER_CODE_CACHE: 'off', DJANGO_HARDENER_CACHE_DIR: '/somewhere' }), undefined);
  });

  test("otherwise it is the user's cache folder", () => {
    const folder = codeCacheDirectory({});
    assert.ok(folder?.endsWith(path.join('django-hardener', 'code-cache')), folder);
    if (process.platform === 'linux') {
      const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
      assert.equal(folder, path.join(base, 'django-hardener', 'code-cache'));
    }
  });
});
